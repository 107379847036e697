"""New York Gen. Bus. Law 899-aa: contact, state and federal agency contacts, categories involved."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.jurisdictions import Pack, element, evidence, pack_data

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

_PHONE = re.compile(r"\b(?:1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b")


def agency_contacts(view: NoticeView) -> evidence.Miss | None:
    """The FTC and a New York agency (AG or Department of State), with websites and phone numbers."""
    for hay in (view.text, view.html_text):
        low = hay.lower()
        federal = "identitytheft.gov" in low or "ftc.gov" in low
        state = "ag.ny.gov" in low or "dos.ny.gov" in low
        if not (federal and state and len(_PHONE.findall(hay)) >= 2):
            return ("the notice does not give the websites and telephone numbers of the FTC and "
                    "the New York Attorney General or Department of State",
                    "add the agencies block for New York audiences: FTC identitytheft.gov "
                    "1-877-438-4338; NY AG ag.ny.gov 1-800-771-7755; NY Department of State "
                    "dos.ny.gov 1-800-697-1220 (template change)")
    return None


PACK = Pack(
    id="ny", name="New York GBL 899-aa", codes=frozenset(pack_data("ny")["codes"]),
    checks=(
        (element("ny", "ny.899aa.contact_info"), "the organisation's name and a contact point are "
         "in the notice", evidence.contact),
        (element("ny", "ny.899aa.agency_contacts"), "identitytheft.gov or ftc.gov, ag.ny.gov or "
         "dos.ny.gov, and two phone numbers are in both parts", agency_contacts),
        (element("ny", "ny.899aa.info_categories"), "every category involved is named",
         evidence.categories),
    ),
    not_checked={"ny.899aa.credentials.online_notice": "the sheet does not say whether the "
                                                       "breached credentials are for an email "
                                                       "account; see x.channel.email_consent"},
    triggers=frozenset(pack_data("ny")["trigger"]["fact_sheet_triggers"]),
    review=frozenset(pack_data("ny")["trigger"]["review_flags"]),
)
