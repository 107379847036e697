"""Florida Stat. 501.171(4): date of the breach, the information involved, and how to get in touch."""

from __future__ import annotations

from notifier.checks.jurisdictions import Pack, element, evidence, pack_data

PACK = Pack(
    id="fl", name="Florida Stat. 501.171", codes=frozenset(pack_data("fl")["codes"]),
    checks=(
        (element("fl", "fl.501_171.breach_date"), "incident.occurred is set and its date is in "
         "the notice", lambda v: evidence.breach_date(v, required=True)),
        (element("fl", "fl.501_171.pi_description"), "every category involved is named",
         evidence.categories),
        (element("fl", "fl.501_171.contact"), "the organisation's name and a contact point are in "
         "the notice", evidence.contact),
    ),
    triggers=frozenset(pack_data("fl")["trigger"]["fact_sheet_triggers"]),
    review=frozenset(pack_data("fl")["trigger"]["review_flags"]),
)
