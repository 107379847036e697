"""Shared element checks: the fact is in the sheet AND the rendered notice carries it.

Each function takes a notice view and returns ``None`` when the element is there (or does
not apply), or a ``Miss``: what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier import advice as advice_table
from notifier.checks.view import parts_phrase

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

Miss = tuple[str, str]  # (what is wrong, how to fix it)


class Advice(tuple[str, str]):
    """A Miss that is only ever a warning: the law asks for it only when it can be known."""


def _absent(view: NoticeView, what: str, value: str, fix: str) -> Miss | None:
    parts = view.missing(value)
    if parts:
        return (f"{parts_phrase(parts)} does not carry {what} ({value[:60]!r})", fix)
    return None


def summary(view: NoticeView, what: str = "the description of the breach") -> Miss | None:
    """The incident summary (the nature / description of the breach) is in the notice."""
    return _absent(view, what, view.sheet.incident.summary,
                   "keep the 'What happened' section with incident.summary in the template")


def categories(view: NoticeView) -> Miss | None:
    """Every data category involved for the audience is named in the notice."""
    if not view.data:
        return ("the sheet lists no data involved for this audience",
                "list the categories under incident.data_involved or the audience's data_involved")
    for label in advice_table.labels(view.data):
        miss = _absent(view, "a category of data involved", label,
                       "keep the 'Involved' list in the template")
        if miss:
            return miss
    return None


def actions(view: NoticeView, what: str = "the measures taken") -> Miss | None:
    """incident.actions_taken is filled in and every action is in the notice."""
    taken = view.sheet.incident.actions_taken
    if not taken:
        return (f"the sheet records no actions, so the notice cannot state {what}",
                "list what you did under incident.actions_taken, and what you will do under "
                "incident.measures_proposed")
    for action in taken:
        miss = _absent(view, what, action, "keep the 'What we are doing' section in the template")
        if miss:
            return miss
    return None


def steps(view: NoticeView, what: str = "steps readers can take") -> Miss | None:
    """The advice the audience's data calls for is in the notice, and there is some."""
    items = advice_table.advice_for(view.data, precautionary_reset=view.audience.precautionary_reset)
    if not items:
        return (f"the data involved calls for no advice, so the notice gives no {what}",
                "add data categories that carry advice, or template wording with general steps "
                "(e.g. watch for scams that use this incident)")
    for item in items:
        miss = _absent(view, what, item.title, "keep the advice list in the template")
        if miss:
            return miss
    return None


def consequences(view: NoticeView) -> Miss | None:
    """The notice says what could happen: incident.likely_consequences, or the advice on each risk."""
    stated: list[str] = list(getattr(view.sheet.incident, "likely_consequences", []) or [])
    for line in stated:
        miss = _absent(view, "the likely consequences", line,
                       "show incident.likely_consequences in the template")
        if miss:
            return miss
    if stated:
        return None
    items = advice_table.advice_for(view.data, precautionary_reset=view.audience.precautionary_reset)
    if not items:
        return ("the notice does not say what could happen to readers as a result",
                "add incident.likely_consequences to the sheet (and show it in the template), or "
                "render each category's risk from the advice table")
    for item in items:
        miss = _absent(view, "the likely consequences (the advice on each risk)", item.text,
                       "keep the advice texts in the template")
        if miss:
            return miss
    return None


def contact(view: NoticeView, what: str = "the organisation's contact details") -> Miss | None:
    """The organisation's name and at least one of its contact points are in the notice."""
    org = view.sheet.organisation
    miss = _absent(view, "the organisation's name", org.name, "keep the sign-off in the template")
    if miss:
        return miss
    points = [p for p in (org.contact.url, org.contact.email, org.contact.phone) if p]
    if not any(not view.missing(p) for p in points):
        return (f"neither part carries {what}", "keep the 'Where to get help' section")
    return None


def privacy_contact(view: NoticeView) -> Miss | None:
    """organisation.privacy_contact (the DPO or contact point) is set, named and reachable."""
    person = view.sheet.organisation.privacy_contact
    if person is None:
        return ("the sheet has no organisation.privacy_contact (the DPO or other contact point)",
                "add organisation.privacy_contact with the name and email of the DPO or "
                "privacy team")
    return (_absent(view, "the privacy contact's name", person.name,
                    "keep the privacy contact sentence in the template")
            or _absent(view, "the privacy contact's email", person.email,
                       "keep the privacy contact sentence in the template"))


def breach_date(view: NoticeView, *, required: bool, ask: bool = False) -> Miss | None:
    """The date or date range of the breach (incident.occurred) is in the notice.

    ``required``: the law always asks for it; ``ask``: it asks when the date can be
    determined, so a sheet without one gets a warning (an ``Advice``), not an error.
    """
    from notifier.context import format_date

    occurred = view.sheet.incident.occurred
    if occurred is None:
        if required:
            return ("the sheet does not give the date, or estimated date, of the breach",
                    "add incident.occurred.from (and .to), estimated if need be")
        if ask:
            return Advice(("the sheet does not give the date of the breach, which the notice "
                           "must state when it can be determined",
                           "add incident.occurred.from (and .to), estimated if need be, or "
                           "confirm with counsel that it cannot be determined yet"))
        return None
    return _absent(view, "the date of the breach", format_date(occurred.start, view.notice.locale),
                   "keep the sentence saying when it happened in the template")


def discovery_date(view: NoticeView) -> Miss | None:
    """The date the breach was discovered is in the notice."""
    from notifier.context import format_date

    return _absent(view, "the date the breach was found",
                   format_date(view.sheet.incident.discovered_at, view.notice.locale),
                   "keep the sentence saying when you found out in the template")


def pattern(view: NoticeView, regex: str, what: str, fix: str) -> Miss | None:
    """The notice has text matching ``regex`` (case-insensitive) in both parts."""
    parts = view.search(re.compile(regex, re.I | re.S))
    if parts:
        return (f"{parts_phrase(parts)} does not {what}", fix)
    return None


def forbidden(view: NoticeView, regex: str, what: str, fix: str) -> Miss | None:
    """The notice has NO text matching ``regex`` (case-insensitive) in either part."""
    compiled = re.compile(regex, re.I)
    for hay in (view.text, view.html_text):
        match = compiled.search(hay)
        if match:
            return (f"the notice {what}: {match.group(0)!r}", fix)
    return None


def months_offered(view: NoticeView, service: str, minimum: int, name: str) -> Miss | None:
    """The notice offers ``service`` (a regex; ``name`` in messages) free for ``minimum`` months."""
    offer = re.compile(rf"({service})[^.]*?(\d+)[- ]months?|(\d+)[- ]months?[^.]*?({service})",
                       re.I)
    free = re.compile(r"\b(free|no cost|no charge|at no cost|free of charge)\b", re.I)
    for hay in (view.text, view.html_text):
        # "free" must be said of the offer itself, in its own sentence: the freeze block's
        # "free of charge" elsewhere in the notice does not make the monitoring free.
        best = 0
        for match in offer.finditer(hay):
            start = hay.rfind(".", 0, match.start()) + 1
            end = hay.find(".", match.end())
            if free.search(hay[start:end if end >= 0 else len(hay)]):
                best = max(best, int(match.group(2) or match.group(3)))
        if best < minimum:
            return (f"the notice does not offer {name} free of charge for at least {minimum} "
                    "months", "set incident.protection_offer (service, months, how_to_enrol); "
                    "the notice says it is free of charge")
    return None
