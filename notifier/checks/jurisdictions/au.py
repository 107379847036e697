"""Australia Privacy Act s 26WK(3): the statement individuals receive (who, what, which data, steps)."""

from __future__ import annotations

from notifier.checks.jurisdictions import Pack, element, evidence, pack_data

PACK = Pack(
    id="au", name="Australia Privacy Act (NDB)", codes=frozenset(pack_data("au")["codes"]),
    checks=(
        (element("au", "au.ndb.s26wk.identity_contact"), "the organisation's name and a contact "
         "point are in the notice", evidence.contact),
        (element("au", "au.ndb.s26wk.description"), "incident.summary is in the notice",
         evidence.summary),
        (element("au", "au.ndb.s26wk.info_kinds"), "every category involved is named",
         evidence.categories),
        (element("au", "au.ndb.s26wk.recommended_steps"), "the advice the data calls for is in "
         "the notice, and there is some", evidence.steps),
    ),
    not_checked={"au.ndb.s26wk.other_entities": "optional: never an error",
                 "au.ndb.s26wl.method": "met by design: email is the usual method (s 26WL(4))"},
    high_risk_by_notice=True,
)
