"""California Civ. Code 1798.82: the exact title, five headings in order, 10-point type, and content."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier import advice as advice_table
from notifier.checks.jurisdictions import Check, Element, Pack, element, evidence, pack_data

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

TITLE = "Notice of Data Breach"
HEADINGS = ("What Happened", "What Information Was Involved", "What We Are Doing",
            "What You Can Do", "For More Information")
OPTIONAL_HEADING = "Other Important Information"
MIN_PX = 10 * 96 / 72  # 10 pt = 13.33 px
_TOLL_FREE = re.compile(r"\b(?:1[-. ]?)?\(?(?:800|888|877|866|855|844|833)\)?[-. ]?\d{3}[-. ]?\d{4}\b")
_ZIP = re.compile(r"\b[A-Z]{2},? \d{5}(?:-\d{4})?\b")
_NOTICE_DATE = re.compile(r"\bDate: (?:\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{1,2}, \d{4})")


def _norm(heading: str) -> str:
    return heading.strip().rstrip("?.:").strip()


def _positions(view: NoticeView) -> dict[str, list[str]]:
    """Return each part's headings, normalised."""
    return {"HTML": [_norm(h) for h in view.html_headings],
            "plain text": [_norm(h) for h in view.text_headings]}


def title(view: NoticeView) -> evidence.Miss | None:
    """The subject starts with the title, and each part shows it as its first heading."""
    wrong = []
    if not view.notice.subject.startswith(TITLE):
        wrong.append(f"the subject is {view.notice.subject!r}")
    for part, headings in _positions(view).items():
        if not headings or headings[0] != TITLE:
            first = headings[0] if headings else "none"
            wrong.append(f"the {part}'s first heading is {first!r}")
    if wrong:
        return (f"the notice is not titled {TITLE!r}: {'; '.join(wrong)}",
                f"for California audiences make the subject {TITLE!r} and open both parts with "
                f"the heading {TITLE!r} (template change)")
    return None


def heading(name: str) -> Check:
    """Return a check that both parts have the heading ``name`` (a trailing ? or . is fine)."""

    def run(view: NoticeView) -> evidence.Miss | None:
        lacking = [part for part, found in _positions(view).items() if name not in found]
        if lacking:
            return (f"the {' and the '.join(lacking)} lack the heading {name!r}",
                    f"use the heading {name!r} exactly, in title case (template change for "
                    "California audiences)")
        return None

    run.__doc__ = f"Both parts carry the heading {name!r}."
    return run


def heading_order(view: NoticeView) -> evidence.Miss | None:
    """The five headings that are present come in the statute's order."""
    for part, found in _positions(view).items():
        order = [h for h in found if h in HEADINGS or h == OPTIONAL_HEADING]
        expected = [h for h in (*HEADINGS[:4], OPTIONAL_HEADING, HEADINGS[4]) if h in order]
        if order != expected:
            return (f"the {part}'s headings come as {order}, not in the statutory order",
                    f"order the sections: {', '.join(HEADINGS)} ('{OPTIONAL_HEADING}' may come "
                    "before the last)")
    return None


def format_attention(view: NoticeView) -> evidence.Miss | None:
    """The title and headings in the HTML are bold or larger than the body text."""
    sizes = sorted(r.style.font_px for r in view.scan.runs if r.tag in ("p", "li", "div", "td"))
    body = sizes[len(sizes) // 2] if sizes else 16.0
    for found in view.scan.headings:
        if _norm(found.text) in (TITLE, *HEADINGS) and not (found.style.bold
                                                            or found.style.font_px > body):
            return (f"the heading {found.text!r} is neither bold nor larger than the body text",
                    "make headings bold or larger in email.css")
    return None


def font_min_10pt(view: NoticeView) -> evidence.Miss | None:
    """No visible text in the HTML is smaller than 10 points (13.33 px)."""
    small = [r for r in view.scan.runs if r.style.font_px < MIN_PX - 0.005]
    if small:
        return (f"{len(small)} piece(s) of text are under 10 pt, e.g. {small[0].text.strip()[:40]!r} "
                f"at {small[0].style.font_px:g} px", "set every font-size to at least 13.33px "
                "(the house floor of 14px meets it)")
    return None


def notice_date(view: NoticeView) -> evidence.Miss | None:
    """The notice carries its own date ('Date: 22 April 2025'), as the model form does."""
    parts = view.search(_NOTICE_DATE)
    if parts:
        return (f"the {' and the '.join(parts)} do not carry the date of the notice",
                "show 'Date: <date the notice is sent>' under the title (template change; the "
                "date must come from the sheet for deterministic output)")
    return None


def cra_contacts(view: NoticeView) -> evidence.Miss | None:
    """If an ID number is involved: the three credit agencies with toll-free numbers and addresses."""
    if "government_id" not in view.data:
        return None
    for hay in (view.text, view.html_text):
        names = [n for n in ("Equifax", "Experian", "TransUnion") if n not in hay]
        if names or len(_TOLL_FREE.findall(hay)) < 3 or len(_ZIP.findall(hay)) < 3:
            return ("an identity document number is involved, but the notice does not give the "
                    "toll-free numbers and addresses of Equifax, Experian and TransUnion",
                    "add the credit reporting agencies' contact block (template change)")
    return None


def idtheft_services(view: NoticeView) -> evidence.Miss | None:
    """If the sender was the source and an ID number is involved: 12 months of free protection."""
    if "government_id" not in view.data or view.sheet.incident.kind == "supplier_breach":
        return None
    return evidence.months_offered(view, "identity theft|identity protection|credit monitoring", 12,
                                   "identity-theft protection")


def change_password(view: NoticeView) -> evidence.Miss | None:
    """Credentials breached: tell readers to change them here and wherever else they use them."""
    data = set(view.data)
    secrets = data & (advice_table.PASSWORD_CATEGORIES | {"security_answers"})
    if not secrets or not data & {"username", "email"}:
        return None
    wanted = ["change_password", "no_reuse"] if secrets & advice_table.PASSWORD_CATEGORIES else []
    if "security_answers" in secrets:
        wanted.append("change_security_answers")
    for advice_id in wanted:
        item = advice_table.ADVICE[advice_id]
        if view.missing(item.text):
            return (f"credentials are involved but the notice lacks the advice {item.title!r}",
                    "keep the password advice in the template")
    return None


def _el(element_id: str) -> Element:
    return element("ca", element_id)


CHECKS: tuple[tuple[Element, str, Check], ...] = (
    (_el("ca.1798_82.title"), f"the subject starts with {TITLE!r} and it is the first heading of "
     "both parts", title),
    *((_el(f"ca.1798_82.heading.{'_'.join(h.lower().split())}"), f"both parts have the heading "
       f"{h!r}", heading(h)) for h in HEADINGS),
    (_el("ca.1798_82.heading_order"), "the headings present come in the statutory order in both "
     "parts", heading_order),
    (_el("ca.1798_82.format_attention"), "the title and headings are bold or larger than the "
     "body text", format_attention),
    (_el("ca.1798_82.font_min_10pt"), "no visible HTML text under 13.33 px", font_min_10pt),
    (_el("ca.1798_82.reporter_contact"), "the organisation's name and a contact point are in "
     "the notice", evidence.contact),
    (_el("ca.1798_82.pi_types"), "every category involved is named", evidence.categories),
    (_el("ca.1798_82.breach_date"), "when incident.occurred is set, its date is in the notice "
     "(a warning when the sheet has none)",
     lambda v: evidence.breach_date(v, required=False, ask=True)),
    (_el("ca.1798_82.notice_date"), "a 'Date: ...' line is in both parts", notice_date),
    (_el("ca.1798_82.general_description"), "incident.summary is in the notice", evidence.summary),
    (_el("ca.1798_82.cra_contacts"), "with government_id: Equifax, Experian and TransUnion with "
     "3 toll-free numbers and 3 addresses", cra_contacts),
    (_el("ca.1798_82.idtheft_services"), "with government_id, unless a supplier breach: a free "
     "offer of identity-theft protection for 12 months or more", idtheft_services),
    (_el("ca.1798_82.credentials.change_password"), "with username/email plus a password or "
     "security answers: the change-password and no-reuse advice", change_password),
)

PACK = Pack(
    id="ca", name="California Civ. Code 1798.82", codes=frozenset(pack_data("ca")["codes"]),
    checks=CHECKS,
    not_checked={
        "ca.1798_82.plain_language": "covered by plain.readability (warning)",
        "ca.1798_82.law_enforcement_delay": "the sheet has no law-enforcement delay flag yet "
                                            "(cross rule x.law_enforcement_delay_flag)",
        "ca.1798_82.opt.protect_actions": "optional: never an error",
        "ca.1798_82.opt.advice": "optional: never an error",
        "ca.1798_82.credentials.not_to_compromised_email": "the sheet does not say whether the "
                                                           "organisation provides email accounts",
    },
    triggers=frozenset(pack_data("ca")["trigger"]["fact_sheet_triggers"]),
    review=frozenset(pack_data("ca")["trigger"]["review_flags"]),
)
