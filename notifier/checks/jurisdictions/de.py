"""Delaware Code tit. 6, 12B-102(e): a year of free credit monitoring when an SSN is involved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.elements import need
from notifier.checks.jurisdictions import Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView


def credit_monitoring(view: NoticeView) -> evidence.Miss | None:
    """With a Social Security number: 12 months of free credit monitoring, how to enrol, and
    how to place a credit freeze."""
    if "ssn" not in view.data:
        return None
    return (evidence.offer(view, minimum=12, covers=frozenset({"credit_monitoring"}),
                           name="credit monitoring")
            or need(view, "us.cra", what="how to place a credit freeze (the agencies' contacts)"))


PACK = Pack(
    id="de",
    checks=(
        (element("de", "de.12b_102.credit_monitoring"), "by construction: with a Social Security "
         "number, incident.protection_offer covers credit monitoring for 12 months or more with "
         "enrolment details, the 'offer' block carries it, and the 'us.cra' block gives the "
         "agencies to ask for a freeze", credit_monitoring),
    ),
)
