"""HIPAA 45 CFR 164.404(c): for covered entities whose US audience's health data is involved."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.jurisdictions import Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView
    from notifier.model import Audience, FactSheet

TOLL_FREE = re.compile(r"^\s*(?:\+?1[-. ]?)?\(?(800|888|877|866|855|844|833)\)?[-. ]?\d{3}[-. ]?\d{4}"
                       r"\s*$")


def applies(sheet: FactSheet, audience: Audience) -> bool:
    """The sender is a covered entity, health data is involved and the audience is in the US."""
    covered = sheet.organisation.hipaa_covered
    in_us = any(j == "US" or j.startswith("US-") for j in audience.jurisdictions)
    return covered and in_us and "health" in sheet.audience_data(audience)


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
    if not (contact.phone and TOLL_FREE.match(contact.phone)):
        return ("the sheet gives no toll-free telephone number (organisation.contact.phone)",
                "set organisation.contact.phone to a US toll-free number, e.g. 1-800-555-0100")
    if view.missing(contact.phone):
        return ("the notice does not carry the toll-free number",
                "keep the 'Where to get help' section in the template")
    if not any(p and not view.missing(p) for p in (contact.email, contact.url)):
        return ("the notice gives no email address or web site besides the phone number",
                "add organisation.contact.email or .url")
    return None


PACK = Pack(
    id="hipaa", name="HIPAA Breach Notification Rule", codes=frozenset({"US"}),
    checks=(
        (element("hipaa", "hipaa.164_404.what_happened"), "incident.summary, the discovery date "
         "and (when set) incident.occurred are in the notice", what_happened),
        (element("hipaa", "hipaa.164_404.phi_types"), "every category involved is named",
         evidence.categories),
        (element("hipaa", "hipaa.164_404.individual_steps"), "the advice the data calls for is "
         "in the notice, and there is some", evidence.steps),
        (element("hipaa", "hipaa.164_404.entity_actions"), "incident.actions_taken is set and "
         "every action is in the notice", evidence.actions),
        (element("hipaa", "hipaa.164_404.contact_procedures"), "a toll-free "
         "organisation.contact.phone and an email or web site, all in the notice",
         contact_procedures),
    ),
    not_checked={"hipaa.164_404.plain_language": "covered by plain.readability (warning)",
                 "hipaa.164_404.substitute_notice": "substitute notice is not an email channel"},
    applies_extra=applies,
)
