"""Connecticut Gen. Stat. 36a-701b: 24 months of identity theft prevention services for SSN or TIN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.elements import need
from notifier.checks.jurisdictions import Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

IDTHEFT = frozenset({"credit_monitoring", "identity_monitoring", "identity_restoration"})


def idtheft_services(view: NoticeView) -> evidence.Miss | None:
    """With a Social Security or taxpayer identification number: 24 months of free services,
    how to enrol, and how to place a credit freeze."""
    if not {"ssn", "tax_id"} & set(view.data):
        return None
    return (evidence.offer(view, minimum=24, covers=IDTHEFT,
                           name="identity theft prevention services")
            or need(view, "us.cra", what="how to place a credit freeze (the agencies' contacts)"))


PACK = Pack(
    id="ct",
    checks=(
        (element("ct", "ct.701b.idtheft_services"), "by construction: with a Social Security or "
         "taxpayer identification number, incident.protection_offer covers identity theft for "
         "24 months or more with enrolment details, the 'offer' block carries it, and the "
         "'us.cra' block gives the agencies to ask for a freeze", idtheft_services),
    ),
)
