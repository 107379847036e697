"""Singapore PDPA s 26D and reg 6 (reg 6 contents unverified): notice to affected individuals."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.jurisdictions import Element, Pack, element, evidence, pack_data

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
    """How and when the organisation found out: the summary and the discovery date."""
    return evidence.summary(view, "what happened") or evidence.discovery_date(view)


def representative(view: NoticeView) -> evidence.Miss | None:
    """A named representative's contact details: the privacy contact, or the signatory plus contacts."""
    if view.sheet.organisation.privacy_contact is not None:
        return evidence.privacy_contact(view)
    signatory = view.sheet.organisation.signatory
    if signatory is None:
        return ("the sheet names no representative (organisation.privacy_contact or signatory)",
                "add organisation.privacy_contact")
    return (evidence.contact(view) or (
        (f"the notice does not name {signatory.name}", "keep the sign-off in the template")
        if view.missing(signatory.name) else None))


def _el(element_id: str) -> Element:
    return element("sg", element_id)


PACK = Pack(
    id="sg", name="Singapore PDPA", codes=frozenset(pack_data("sg")["codes"]),
    checks=(
        (_el("sg.pdpa.s26d.after_pdpc"), "incident.authorities lists the PDPC with notified_at",
         after_pdpc),
        (_el("sg.pdpa.reg6.circumstances"), "incident.summary and the discovery date are in the "
         "notice", circumstances),
        (_el("sg.pdpa.reg6.pd_affected"), "every category involved is named", evidence.categories),
        (_el("sg.pdpa.reg6.potential_harm"), "incident.likely_consequences, or else the advice on "
         "each risk, is in the notice", evidence.consequences),
        (_el("sg.pdpa.reg6.org_actions"), "incident.actions_taken is set and every action is in "
         "the notice", evidence.actions),
        (_el("sg.pdpa.reg6.individual_steps"), "the advice the data calls for is in the notice, "
         "and there is some", evidence.steps),
        (_el("sg.pdpa.reg6.authorised_rep_contact"), "organisation.privacy_contact (or the "
         "signatory and a contact point) is in the notice", representative),
    ),
    not_checked={"sg.pdpa.s26d.best_knowledge": "a duty of candour the text cannot show"},
    triggers=frozenset(pack_data("sg")["trigger"]["fact_sheet_triggers"]),
    review=frozenset(pack_data("sg")["trigger"]["review_flags"]),
)
