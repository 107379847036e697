"""California Civ. Code 1798.82: the exact title, five headings in order, 10-point type, and content."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.advice import PASSWORD_CATEGORIES
from notifier.checks.elements import need
from notifier.checks.jurisdictions import Check, Element, Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

TITLE = "Notice of Data Breach"
HEADINGS = ("What Happened", "What Information Was Involved", "What We Are Doing",
            "What You Can Do", "For More Information")
OPTIONAL_HEADING = "Other Important Information"
MIN_PX = 10 * 96 / 72  # 10 pt = 13.33 px


def _norm(heading: str) -> str:
    """The statutory part of a heading: in a notice in another language the English heading
    comes first, then its translation after a slash ('What Happened / Qué sucedió')."""
    return heading.split(" / ", 1)[0].strip().rstrip("?.:").strip()


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
    if view.sheet.notice_date is None:
        return ("the sheet has no notice_date, and California's notice must carry its date",
                "add notice_date: the day the notices go out")
    return need(view, "notice.date", what="the date of the notice")


#: 1798.82(d)(2): the agencies' contacts when a Social Security, driver's license or California
#: ID number is exposed; the identity-theft offer for any identifier of (h)(1)(A) and (B).
CRA_DATA = frozenset({"ssn", "drivers_license"})
OFFER_DATA = frozenset({"ssn", "drivers_license", "passport", "tax_id", "government_id"})
IDTHEFT = frozenset({"credit_monitoring", "identity_monitoring", "identity_restoration"})


def cra_contacts(view: NoticeView) -> evidence.Miss | None:
    """With a Social Security or driver's license number: the agencies' numbers and addresses."""
    if not CRA_DATA & set(view.data):
        return None
    return need(view, "us.cra", what="the credit agencies' toll-free numbers and addresses")


def idtheft_services(view: NoticeView) -> evidence.Miss | None:
    """If the sender was the source and an identifier is involved: 12 months of free protection."""
    if not OFFER_DATA & set(view.data) or view.sheet.incident.kind == "supplier_breach":
        return None
    return evidence.offer(view, minimum=12, covers=IDTHEFT,
                          name="identity theft prevention and mitigation services")


def change_password(view: NoticeView) -> evidence.Miss | None:
    """Credentials breached: tell readers to change them here and wherever else they use them."""
    data = set(view.data)
    secrets = data & (PASSWORD_CATEGORIES | {"security_answers"})
    if not secrets or not data & {"username", "email"}:
        return None
    return need(view, "advice", what="the advice to change the password and security answers "
                "wherever they are used")


def law_enforcement_delay(view: NoticeView) -> evidence.Miss | None:
    """A notice delayed at law enforcement's request says so."""
    if not any(d.reason == "law_enforcement" for d in view.sheet.delay_reasons()):
        return None
    return need(view, "delay.law_enforcement", what="that the notice was delayed for law "
                "enforcement")


def _section(block: str, heading: str, check: Check) -> Check:
    """The element's own check, then its block under the statutory heading."""

    def run(view: NoticeView) -> evidence.Miss | None:
        return check(view) or evidence.under(view, block, heading)

    run.__doc__ = check.__doc__
    return run


def _el(element_id: str) -> Element:
    return element("ca", element_id)


CHECKS: tuple[tuple[Element, str, Check], ...] = (
    (_el("ca.1798_82.title"), f"structure: the subject starts with {TITLE!r} and it is the first "
     "heading of both parts", title),
    *((_el(f"ca.1798_82.heading.{'_'.join(h.lower().split())}"), f"structure: both parts have "
       f"the heading {h!r}", heading(h)) for h in HEADINGS),
    (_el("ca.1798_82.heading_order"), "structure: the headings present come in the statutory "
     "order in both parts", heading_order),
    (_el("ca.1798_82.format_attention"), "structure: the title and headings are bold or larger "
     "than the body text", format_attention),
    (_el("ca.1798_82.font_min_10pt"), "structure: no visible HTML text under 13.33 px",
     font_min_10pt),
    (_el("ca.1798_82.reporter_contact"), "by construction: the 'signoff' block names the "
     "organisation and the 'contact' block, under 'For More Information', carries its contact "
     "points", _section("contact", "For More Information", evidence.contact)),
    (_el("ca.1798_82.pi_types"), "by construction: the 'data.involved' block, under 'What "
     "Information Was Involved', names every category",
     _section("data.involved", "What Information Was Involved", evidence.categories)),
    (_el("ca.1798_82.breach_date"), "by construction: when incident.occurred is set, the "
     "'breach.dates' block carries it (a warning when the sheet has none)",
     lambda v: evidence.breach_date(v, required=False, ask=True)),
    (_el("ca.1798_82.notice_date"), "by construction: the 'notice.date' block carries "
     "notice_date", notice_date),
    (_el("ca.1798_82.general_description"), "by construction: the 'breach.description' block, "
     "under 'What Happened', carries incident.summary",
     _section("breach.description", "What Happened", evidence.summary)),
    (_el("ca.1798_82.law_enforcement_delay"), "by construction: with a law_enforcement entry in "
     "incident.delay_reasons, the 'delay.law_enforcement' block says so", law_enforcement_delay),
    (_el("ca.1798_82.cra_contacts"), "by construction: with a Social Security or driver's "
     "license number, the 'us.cra' block carries the agencies' reviewed contact details",
     cra_contacts),
    (_el("ca.1798_82.idtheft_services"), "by construction: with a government identifier, "
     "unless a supplier breach, incident.protection_offer covers identity theft for 12 months "
     "or more with enrolment details, and the 'offer' block carries it", idtheft_services),
    (_el("ca.1798_82.credentials.change_password"), "by construction: with username or email "
     "plus a password or security answers, the 'advice' block carries the change-password and "
     "no-reuse advice", change_password),
)

PACK = Pack(
    id="ca", checks=CHECKS,
    not_checked={
        "ca.1798_82.plain_language": "covered by plain.readability (warning)",
        "ca.1798_82.opt.protect_actions": "optional: never an error",
        "ca.1798_82.opt.advice": "optional: never an error",
        "ca.1798_82.credentials.not_to_compromised_email": "the sheet does not say whether the "
                                                           "organisation provides email accounts",
    },
)
