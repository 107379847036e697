"""Texas Bus. & Com. Code 521.053: no statutory content list; three best-practice recommendations."""

from __future__ import annotations

from notifier.checks.jurisdictions import Pack, element, evidence, pack_data

PACK = Pack(
    id="tx", name="Texas BCC 521.053", codes=frozenset(pack_data("tx")["codes"]),
    checks=(
        (element("tx", "tx.521_053.rec.breach_date"), "incident.occurred is set and its date is in "
         "the notice", lambda v: evidence.breach_date(v, required=True)),
        (element("tx", "tx.521_053.rec.description"), "every category involved is named",
         evidence.categories),
        (element("tx", "tx.521_053.rec.contact"), "the organisation's name and a contact point "
         "are in the notice", evidence.contact),
    ),
    triggers=frozenset(pack_data("tx")["trigger"]["fact_sheet_triggers"]),
    review=frozenset(pack_data("tx")["trigger"]["review_flags"]),
)
