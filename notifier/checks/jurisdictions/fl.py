"""Florida Stat. 501.171(4): date of the breach, the information involved, and how to get in touch."""

from __future__ import annotations

from notifier.checks.jurisdictions import Pack, element, evidence

PACK = Pack(
    id="fl",
    checks=(
        (element("fl", "fl.501_171.breach_date"), "by construction: incident.occurred is set and "
         "the 'breach.dates' block carries it", lambda v: evidence.breach_date(v, required=True)),
        (element("fl", "fl.501_171.pi_description"), "by construction: the 'data.involved' block "
         "names every category involved", evidence.categories),
        (element("fl", "fl.501_171.contact"), "by construction: the 'signoff' block names the "
         "organisation and the 'contact' block carries its contact points", evidence.contact),
    ),
)
