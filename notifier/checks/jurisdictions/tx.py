"""Texas Bus. & Com. Code 521.053: no statutory content list; three best-practice recommendations."""

from __future__ import annotations

from notifier.checks.jurisdictions import Pack, element, evidence

PACK = Pack(
    id="tx",
    checks=(
        (element("tx", "tx.521_053.rec.breach_date"), "by construction: incident.occurred is set "
         "and the 'breach.dates' block carries it", lambda v: evidence.breach_date(v, required=True)),
        (element("tx", "tx.521_053.rec.description"), "by construction: the 'data.involved' "
         "block names every category involved", evidence.categories),
        (element("tx", "tx.521_053.rec.contact"), "by construction: the 'signoff' block names "
         "the organisation and the 'contact' block carries its contact points", evidence.contact),
    ),
)
