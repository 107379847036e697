"""Singapore PDPA s 26D and reg 6 (reg 6 contents unverified): notice to affected individuals."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.elements import need
from notifier.checks.jurisdictions import Element, Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

PDPC = re.compile(r"personal data protection commission|\bpdpc\b", re.I)


def after_pdpc(view: NoticeView) -> evidence.Miss | None:
    """The sheet records that the PDPC was notified, and when: individuals are told on or after."""
    told = [a for a in view.sheet.incident.authorities if PDPC.search(a.name)]
    if not told:
        return ("the sheet does not record the notification to the PDPC; individuals may be "
                "told only on or after it", "notify the PDPC first and add it under "
                "incident.authorities with notified_at")
    times = [a.notified_at for a in told if a.notified_at]
    if not times:
        return ("the PDPC is listed without notified_at", "add when the PDPC was notified")
    notice_date = view.sheet.notice_date
    first = min(times)
    if notice_date is not None and notice_date < first.date():
        return (f"the notices are dated {notice_date.isoformat()}, before the PDPC was notified "
                f"({first.date().isoformat()}); individuals may be told only on or after it",
                "notify the PDPC first, or correct notice_date")
    return None


def circumstances(view: NoticeView) -> evidence.Miss | None:
    """How and when the organisation found out: how_discovered, the summary and the date."""
    if not view.sheet.incident.how_discovered:
        return ("the sheet does not say how the organisation found out about the breach, which "
                "the notice must state (reg. 6)", "add incident.how_discovered, e.g. 'Our "
                "monitoring flagged unusual downloads on 9 September.'")
    return (need(view, "breach.discovery", what="how the organisation found out")
            or evidence.summary(view, "what happened") or evidence.discovery_date(view))


def representative(view: NoticeView) -> evidence.Miss | None:
    """A named representative's contact details: the privacy contact, or the signatory plus contacts."""
    if view.sheet.organisation.privacy_contact is not None:
        return evidence.privacy_contact(view)
    signatory = view.sheet.organisation.signatory
    if signatory is None:
        return ("the sheet names no representative (organisation.privacy_contact or signatory)",
                "add organisation.privacy_contact")
    return evidence.contact(view) or need(view, "signoff", what="the signatory's name")


def _el(element_id: str) -> Element:
    return element("sg", element_id)


PACK = Pack(
    id="sg",
    checks=(
        (_el("sg.pdpa.s26d.after_pdpc"), "from the sheet: incident.authorities lists the PDPC with "
         "notified_at, on or before notice_date", after_pdpc),
        (_el("sg.pdpa.reg6.circumstances"), "by construction: incident.how_discovered is set and "
         "the 'breach.discovery' block carries it; the 'breach.description' and 'breach.dates' "
         "blocks carry the summary and the discovery date", circumstances),
        (_el("sg.pdpa.reg6.pd_affected"), "by construction: the 'data.involved' block names every "
         "category involved", evidence.categories),
        (_el("sg.pdpa.reg6.potential_harm"), "by construction: the 'consequences' block carries "
         "incident.likely_consequences, or else each category's risk", evidence.consequences),
        (_el("sg.pdpa.reg6.org_actions"), "by construction: incident.actions_taken is set and the "
         "'actions.taken' block carries every action", evidence.actions),
        (_el("sg.pdpa.reg6.individual_steps"), "by construction: the 'advice' block carries the "
         "advice the data calls for, and there is some", evidence.steps),
        (_el("sg.pdpa.reg6.authorised_rep_contact"), "by construction: the 'contact.privacy' block "
         "(or the 'signoff' and 'contact' blocks) carries a named representative's contact",
         representative),
    ),
    not_checked={"sg.pdpa.s26d.best_knowledge": "a duty of candour the text cannot show"},
)
