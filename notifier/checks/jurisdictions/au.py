"""Australia Privacy Act s 26WK(3): the statement individuals receive (who, what, which data, steps)."""

from __future__ import annotations

from notifier.checks.jurisdictions import Pack, element, evidence

PACK = Pack(
    id="au",
    checks=(
        (element("au", "au.ndb.s26wk.identity_contact"), "by construction: the 'signoff' block "
         "names the organisation and the 'contact' block carries its contact points",
         evidence.contact),
        (element("au", "au.ndb.s26wk.description"), "by construction: the 'breach.description' "
         "block carries incident.summary", evidence.summary),
        (element("au", "au.ndb.s26wk.info_kinds"), "by construction: the 'data.involved' block "
         "names every category involved", evidence.categories),
        (element("au", "au.ndb.s26wk.recommended_steps"), "by construction: the 'advice' block "
         "carries the advice the data calls for, and there is some", evidence.steps),
    ),
    not_checked={"au.ndb.s26wk.other_entities": "optional: never an error",
                 "au.ndb.s26wl.method": "met by design: email is the usual method (s 26WL(4))"},
)
