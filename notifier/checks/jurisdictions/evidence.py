"""Shared element checks: the sheet gives the fact, and the element block carries it.

Each function takes a notice view and returns ``None`` when the element is there (or does
not apply), or a ``Miss``: what is wrong and how to fix it. A missing fact names the sheet
field to fill in; a block the template dropped, emptied or rewrote is proved by
``notifier.checks.elements.need`` from the render's record. ``pattern`` and ``forbidden``
read the words, and serve only as second opinions (``Advice``: warnings) or for content a
law forbids.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.elements import need, placed
from notifier.checks.view import parts_phrase

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

Miss = tuple[str, str]  # (what is wrong, how to fix it)

#: A North American toll-free number as people write it: 1-800-555-0100, (888) 555-0100,
#: +1 877 555 0100, 1 (866) 555-0100, 855.555.0100 (the whole value, not a part of it:
#: '0800 555 0142' is a UK number).
TOLL_FREE = re.compile(r"\s*(?:\+?1[-. ]?)?\(?(800|888|877|866|855|844|833)\)?[-. ]?\d{3}[-. ]?\d{4}\s*")


def toll_free(number: str | None) -> bool:
    """True when the whole of ``number`` is a North American toll-free number."""
    return bool(number and TOLL_FREE.fullmatch(number))


class Advice(tuple[str, str]):
    """A Miss that is only ever a warning: the law asks for it only when it can be known, or
    the check reads words (a second opinion)."""


def summary(view: NoticeView, what: str = "the description of the breach") -> Miss | None:
    """The incident summary (the nature / description of the breach) is in its block."""
    return need(view, "breach.description", fields=["incident.summary"], what=what)


def categories(view: NoticeView) -> Miss | None:
    """Every data category involved, or possibly involved, for the audience is named in its
    block ('Involved', 'May have been involved')."""
    if not view.data:
        return ("the sheet lists no data involved for this audience",
                "list the categories under incident.data_involved or the audience's data_involved")
    possible = view.sheet.audience_possible(view.audience)
    return ((need(view, "data.involved", what="the data involved") if view.involved else None)
            or (need(view, "data.possibly_involved", what="the data that may have been involved")
                if possible else None))


def actions(view: NoticeView, what: str = "the measures taken") -> Miss | None:
    """incident.actions_taken is filled in and every action is in its block."""
    if "US-MA" in view.audience.jurisdictions:
        return need(view, "actions.taken", what=what)
    if not view.sheet.incident.actions_taken:
        return (f"the sheet records no actions, so the notice cannot state {what}",
                "list what you did under incident.actions_taken, and what you will do under "
                "incident.measures_proposed")
    return need(view, "actions.taken", what=what)


def steps(view: NoticeView, what: str = "steps readers can take") -> Miss | None:
    """The advice the audience's data calls for is in its block, and there is some."""
    from notifier.context import advice_items

    if view.audience.subjects:
        return need(view, "advice.subjects", what=what)
    items = advice_items(view.sheet, view.index)
    if not items:
        return (f"the data involved calls for no advice, so the notice gives no {what}",
                "check the categories in data_involved (each brings its advice), or record a "
                "waiver for this rule with counsel's reasons")
    return need(view, "advice", what=what)


def consequences(view: NoticeView) -> Miss | None:
    """The notice says what could happen: incident.likely_consequences, or each category's risk."""
    from notifier.context import consequences as stated

    if not stated(view.sheet, view.index):
        return ("the notice does not say what could happen to readers as a result",
                "add incident.likely_consequences to the sheet")
    return need(view, "consequences", what="the likely consequences")


def contact(view: NoticeView, what: str = "the organisation's contact details") -> Miss | None:
    """The organisation's name (in the sign-off) and its contact points (in their block)."""
    return (need(view, "signoff", fields=["organisation.name"], what="the organisation's name")
            or need(view, "contact", what=what))


def privacy_contact(view: NoticeView) -> Miss | None:
    """organisation.privacy_contact (the DPO or contact point) is set, named and reachable."""
    if view.sheet.organisation.privacy_contact is None:
        return ("the sheet has no organisation.privacy_contact (the DPO or other contact point)",
                "add organisation.privacy_contact with the name and email of the DPO or "
                "privacy team")
    return need(view, "contact.privacy", what="the privacy contact")


def breach_date(view: NoticeView, *, required: bool, ask: bool = False) -> Miss | None:
    """The date or date range of the breach (incident.occurred) is in the dates block.

    ``required``: the law always asks for it; ``ask``: it asks when the date can be
    determined, so a sheet without one gets a warning (an ``Advice``), not an error.
    """
    if view.sheet.incident.occurred is None:
        if required:
            return ("the sheet does not give the date, or estimated date, of the breach",
                    "add incident.occurred.from (and .to), estimated if need be")
        if ask:
            return Advice(("the sheet does not give the date of the breach, which the notice "
                           "must state when it can be determined",
                           "add incident.occurred.from (and .to), estimated if need be, or "
                           "confirm with counsel that it cannot be determined yet"))
        return None
    return need(view, "breach.dates", fields=["incident.occurred"], what="the date of the breach")


def discovery_date(view: NoticeView) -> Miss | None:
    """The date the breach was discovered is in the dates block."""
    return need(view, "breach.dates", fields=["incident.discovered_at"],
                what="the date the breach was found")


def under(view: NoticeView, block: str, heading: str) -> Miss | None:
    """The block sits under the heading (California's statutory sections)."""
    return placed(view, block, heading)


def offer(view: NoticeView, *, minimum: int, covers: frozenset[str], name: str) -> Miss | None:
    """A free offer of ``name`` for ``minimum`` months or more, covering one of ``covers``, with
    what a reader needs to enrol, in the offer block."""
    from notifier.context import offer_for

    found = offer_for(view.sheet, view.index)
    field = "incident.protection_offer"
    if found is None:
        given = view.sheet.incident.protection_offer
        if given is not None and given.audiences is not None:
            return (f"the law requires {name} for these readers, and {field}.audiences does not "
                    f"include {view.audience.id!r}", f"add {view.audience.id!r} to {field}.audiences")
        return (f"the law requires a free offer of {name} for at least {minimum} months, and the "
                "sheet makes none", f"add {field} (service, covers, months, enrol_url or "
                "enrol_phone, enrol_by)")
    if found.months < minimum:
        return (f"the offer runs {found.months} months; the law requires at least {minimum}",
                f"set {field}.months to {minimum} or more")
    if covers and not covers & set(found.covers):
        wanted = " or ".join(sorted(covers))
        return (f"the law requires {name}, and {field}.covers does not list {wanted}",
                f"add {wanted} to {field}.covers if the service includes it")
    if not (found.enrol_url or found.enrol_phone):
        return ("the offer does not say how to enrol: the law requires all the information "
                "needed to take it up", f"add {field}.enrol_url (and enrol_phone for readers "
                "who cannot enrol online)")
    return need(view, "offer", what=f"the offer of {name}")


def pattern(view: NoticeView, regex: str, what: str, fix: str) -> Miss | None:
    """The notice has text matching ``regex`` (case-insensitive) in both parts (a second opinion)."""
    parts = view.search(re.compile(regex, re.I | re.S))
    if parts:
        return Advice((f"{parts_phrase(parts)} does not {what}", fix))
    return None


def forbidden(view: NoticeView, regex: str, what: str, fix: str) -> Miss | None:
    """The notice has NO text matching ``regex`` (case-insensitive) in either part."""
    compiled = re.compile(regex, re.I)
    for hay in (view.text, view.html_text):
        match = compiled.search(hay)
        if match:
            return (f"the notice {what}: {match.group(0)!r}", fix)
    return None
