"""HIPAA 45 CFR 164.404(c): for covered entities whose US audience's health data is involved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.elements import need
from notifier.checks.jurisdictions import Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView



def what_happened(view: NoticeView) -> evidence.Miss | None:
    """What happened, with the date of the breach (if known) and the date of discovery."""
    miss = (evidence.summary(view, "what happened") or evidence.discovery_date(view)
            or evidence.breach_date(view, required=False))
    if miss and "US-MA" in view.audience.jurisdictions:
        # The Massachusetts variant leaves the description out, which HIPAA requires: no edit
        # of the sheet can satisfy both in one audience.
        return (miss[0], "HIPAA requires the description and Massachusetts forbids it: under "
                "93H s. 5 (ma.93h.exempt.primary_regulator) a notice made under HIPAA can "
                "suffice if the Attorney General and OCABR are told; have counsel decide, then "
                "give these readers an audience without US-MA")
    return miss


def contact_procedures(view: NoticeView) -> evidence.Miss | None:
    """A toll-free number, and an email address, web site or postal address, in the notice."""
    contact = view.sheet.organisation.contact
    if not evidence.toll_free(contact.phone):
        return ("the sheet gives no toll-free telephone number (organisation.contact.phone)",
                "set organisation.contact.phone to a US toll-free number, e.g. 1-800-555-0100")
    if not (contact.email or contact.url):
        return ("the sheet gives no email address or web site besides the phone number",
                "add organisation.contact.email or .url")
    return need(view, "contact", what="the contact procedures")


PACK = Pack(
    id="hipaa",
    checks=(
        (element("hipaa", "hipaa.164_404.what_happened"), "by construction: the "
         "'breach.description' block carries incident.summary, and the 'breach.dates' block the "
         "discovery date and (when set) incident.occurred", what_happened),
        (element("hipaa", "hipaa.164_404.phi_types"), "by construction: the 'data.involved' "
         "block names every category involved", evidence.categories),
        (element("hipaa", "hipaa.164_404.individual_steps"), "by construction: the 'advice' "
         "block carries the advice the data calls for, and there is some", evidence.steps),
        (element("hipaa", "hipaa.164_404.entity_actions"), "by construction: "
         "incident.actions_taken is set and the 'actions.taken' block carries every action",
         evidence.actions),
        (element("hipaa", "hipaa.164_404.contact_procedures"), "by construction: "
         "organisation.contact.phone is toll-free, an email or web site is given, and the "
         "'contact' block carries them", contact_procedures),
    ),
    not_checked={"hipaa.164_404.plain_language": "covered by plain.readability (warning)",
                 "hipaa.164_404.substitute_notice": "substitute notice is not an email channel"},
)
