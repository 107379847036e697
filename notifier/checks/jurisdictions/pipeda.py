"""Canada PIPEDA s 10.1 and Breach of Security Safeguards Regulations s 3: notice to individuals."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.jurisdictions import Element, Pack, element, evidence, pack_data

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

_TOLL_FREE = re.compile(r"(?:\+?1[-. ]?)?\(?(800|888|877|866|855|844|833)\)?[-. ]?\d{3}[-. ]?\d{4}")


def significance(view: NoticeView) -> evidence.Miss | None:
    """Enough to understand the significance: the likely consequences and the steps to take."""
    return evidence.consequences(view) or evidence.steps(view)


def conspicuous(view: NoticeView) -> evidence.Miss | None:
    """The subject line says what the email is about."""
    if not re.search(r"security|breach|incident|password|your (data|information)",
                     view.notice.subject, re.I):
        return (f"the subject {view.notice.subject!r} does not say the email is about a breach",
                "name the incident in the subject (_copy.j2)")
    return None


def contact(view: NoticeView) -> evidence.Miss | None:
    """A toll-free number or an email address for questions, in the notice."""
    org = view.sheet.organisation
    emails = [e for e in (org.contact.email, org.privacy_contact.email if org.privacy_contact
                          else None) if e]
    phone = org.contact.phone if org.contact.phone and _TOLL_FREE.search(org.contact.phone) else None
    if not any(not view.missing(p) for p in (*emails, *([phone] if phone else []))):
        return ("the notice gives neither a toll-free number nor an email address for questions",
                "add organisation.contact.email (or a toll-free contact.phone)")
    return None


def _el(element_id: str) -> Element:
    return element("pipeda", element_id)


PACK = Pack(
    id="pipeda", name="Canada PIPEDA", codes=frozenset(pack_data("pipeda")["codes"]),
    checks=(
        (_el("pipeda.s10_1.significance"), "the likely consequences and the advice are in the "
         "notice", significance),
        (_el("pipeda.s10_1.conspicuous"), "the subject names the incident", conspicuous),
        (_el("pipeda.reg3.circumstances"), "incident.summary is in the notice", evidence.summary),
        (_el("pipeda.reg3.period"), "incident.occurred is set and its date is in the notice",
         lambda v: evidence.breach_date(v, required=True)),
        (_el("pipeda.reg3.pi_description"), "every category involved is named",
         evidence.categories),
        (_el("pipeda.reg3.org_steps"), "incident.actions_taken is set and every action is in the "
         "notice", evidence.actions),
        (_el("pipeda.reg3.individual_steps"), "the advice the data calls for is in the notice, "
         "and there is some", evidence.steps),
        (_el("pipeda.reg3.contact"), "organisation.contact.email, the privacy contact's email or "
         "a toll-free contact.phone is in the notice", contact),
        (_el("pipeda.reg3.complaints"), "'Privacy Commissioner' and the complaint process are in "
         "both parts",
         lambda v: evidence.pattern(v, r"(?=.*Privacy Commissioner)(?=.*complain)"
                                r"(?=.*(?:complain to us|complaint to us|our complaints process))",
                                "explain the "
                                    "complaint process and the right to complain to the Privacy "
                                    "Commissioner of Canada", "add the complaints paragraph for "
                                    "Canadian audiences (template change)")),
    ),
    high_risk_by_notice=True,
)
