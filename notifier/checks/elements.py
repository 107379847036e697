"""Legal elements proved from the render's record of element blocks, not from words in the text.

``need(view, block, ...)`` is how a pack proves an element: the block is in both parts, a
reader can see it, it carries the facts the sheet gives for it and the reviewed wording of
its sentences, and nothing else (so a block emptied, negated, or stripped of its fact is
caught, whoever edited the template). ``placed`` proves that a block sits under a heading
(California's statutory sections). The facts each block must carry are computed from the
sheet with the same functions that build the notice's context.

This module's own ``check`` adds one house rule: both parts carry the same blocks, in the
same order (they are alternatives of one message).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from notifier.blocks import BLOCKS, Block, flatten
from notifier.checks.finding import Finding, Rule

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

Miss = tuple[str, str]

PARTS_AGREE = Rule("elements.parts_agree", "error",
                   "the HTML and plain-text parts carry the same element blocks in the same "
                   "order (they are two forms of one message)", "house rule; RFC 2046 "
                   "multipart/alternative")
RULES = {r.id: r for r in (PARTS_AGREE,)}

#: Words a block may carry besides its facts and reviewed sentences: list labels.
GLUE: dict[str, tuple[str, ...]] = {"contact": ("Online:", "Email:", "Phone:")}
_WORDY = re.compile(r"[^\W\d_]{2,}|\d")
_PART_NAMES = {"html": "HTML", "text": "plain text"}


@dataclass(frozen=True)
class Fact:
    """A value from the sheet that a block must carry, and the field it comes from."""

    field: str
    text: str


def _date(view: NoticeView, moment: object) -> str:
    from notifier.context import format_date

    return format_date(moment, view.notice.locale)  # type: ignore[arg-type]


def _data_field(view: NoticeView) -> str:
    return (f"audiences.{view.index}.data_involved" if view.audience.data_involved is not None
            else "incident.data_involved")


def facts(view: NoticeView, block: str) -> list[Fact]:
    """Return the facts the sheet gives for ``block`` in this audience's notice."""
    found = _FACTS.get(block)
    return found(view) if found else []


def _massachusetts(view: NoticeView) -> bool:
    return "US-MA" in view.audience.jurisdictions


def _description(view: NoticeView) -> list[Fact]:
    if _massachusetts(view):
        return []
    return [Fact("incident.summary", view.sheet.incident.summary)]


def _discovery(view: NoticeView) -> list[Fact]:
    found = view.sheet.incident.how_discovered
    return [Fact("incident.how_discovered", found)] if found else []


def _dates(view: NoticeView) -> list[Fact]:
    incident = view.sheet.incident
    out = [Fact("incident.discovered_at", _date(view, incident.discovered_at))]
    if incident.occurred is not None:
        out.append(Fact("incident.occurred.from", _date(view, incident.occurred.start)))
    return out


def _notice_date(view: NoticeView) -> list[Fact]:
    day = view.sheet.notice_date
    return [Fact("notice_date", _date(view, day))] if day is not None else []


def _lists(view: NoticeView) -> dict[str, list[str]]:
    from notifier.context import data_lists

    return data_lists(view.sheet, view.index)


def _involved(view: NoticeView) -> list[Fact]:
    return [Fact(_data_field(view), item) for item in _lists(view)["involved"]]


def _possibly_involved(view: NoticeView) -> list[Fact]:
    field = (f"audiences.{view.index}.data_possibly_involved"
             if view.audience.data_possibly_involved is not None
             else "incident.data_possibly_involved")
    return [Fact(field, item) for item in _lists(view)["possibly_involved"]]


def _not_involved(view: NoticeView) -> list[Fact]:
    return [Fact("incident.data_not_involved", item) for item in _lists(view)["not_involved"]]


def _consequences(view: NoticeView) -> list[Fact]:
    from notifier import context

    stated = bool(view.sheet.incident.likely_consequences) and not _massachusetts(view)
    return [Fact("incident.likely_consequences" if stated else _data_field(view), line)
            for line in context.consequences(view.sheet, view.index)]


def _listed(name: str) -> Callable[[NoticeView], list[Fact]]:
    def run(view: NoticeView) -> list[Fact]:
        if _massachusetts(view):
            return []
        return [Fact(f"incident.{name}", item) for item in getattr(view.sheet.incident, name)]

    return run


def _password(view: NoticeView) -> list[Fact]:
    protection = view.sheet.incident.password_protection
    return [Fact("incident.password_protection", protection)] if protection else []


def _advice(view: NoticeView) -> list[Fact]:
    from notifier.context import advice_items

    items = advice_items(view.sheet, view.index)
    field = _data_field(view)
    return [fact for item in items for fact in (Fact(field, item.title), Fact(field, item.text))]


def _contact(view: NoticeView) -> list[Fact]:
    contact = view.sheet.organisation.contact
    return [Fact(f"organisation.contact.{name}", value) for name, value in
            (("url", contact.url), ("email", contact.email), ("phone", contact.phone)) if value]


def _privacy(view: NoticeView) -> list[Fact]:
    person = view.sheet.organisation.privacy_contact
    return [Fact("organisation.privacy_contact.email", person.email)] if person else []


def _signoff(view: NoticeView) -> list[Fact]:
    org = view.sheet.organisation
    out = [Fact("organisation.name", org.name)]
    if org.signatory is not None:
        out.append(Fact("organisation.signatory.name", org.signatory.name))
    return out


def _offer_facts(view: NoticeView) -> list[Fact]:
    from notifier.context import offer_for

    offer = offer_for(view.sheet, view.index)
    if offer is None:
        return []
    base = "incident.protection_offer"
    out = [Fact(f"{base}.months", f"{offer.months} months"), Fact(f"{base}.service", offer.service)]
    for name in ("provider", "enrol_url", "enrol_phone", "how_to_enrol"):
        value = getattr(offer, name)
        if value:
            out.append(Fact(f"{base}.{name}", value))
    if offer.enrol_by:
        out.append(Fact(f"{base}.enrol_by", _date(view, offer.enrol_by)))
    return out


_FACTS: dict[str, Callable[[NoticeView], list[Fact]]] = {
    "breach.description": _description, "breach.discovery": _discovery, "breach.dates": _dates,
    "notice.date": _notice_date, "data.involved": _involved, "data.not_involved": _not_involved,
    "data.possibly_involved": _possibly_involved,
    "consequences": _consequences, "actions.taken": _listed("actions_taken"),
    "actions.planned": _listed("measures_proposed"), "offer": _offer_facts,
    "advice.password": _password, "advice": _advice, "contact": _contact,
    "contact.privacy": _privacy, "signoff": _signoff,
}


def blocks_named(view: NoticeView, name: str) -> dict[str, list[Block]]:
    """Return the blocks called ``name``, per part (``html``, ``text``)."""
    out: dict[str, list[Block]] = {"html": [], "text": []}
    for block in view.notice.blocks:
        if block.name == name:
            out[block.part].append(block)
    return out


def _template(view: NoticeView, part: str) -> str:
    html, text = view.notice.templates
    return html if part == "html" else text


#: The blocks ``need`` was asked for, and the reviewed sentences it wanted of each, while
#: ``traced`` is on (the mutation test uses it to learn what proves each element).
_trace: list[tuple[str, tuple[str, ...]]] | None = None


@contextmanager
def traced() -> Iterator[list[tuple[str, tuple[str, ...]]]]:
    """Record (block, reviewed sentences) for each ``need`` within the ``with`` block."""
    global _trace
    previous, _trace = _trace, []
    try:
        yield _trace
    finally:
        _trace = previous


def need(view: NoticeView, block: str, *, wording: Iterable[str] | None = None,
         fields: Iterable[str] | None = None, what: str = "") -> Miss | None:
    """Prove that the notice carries ``block`` as the law needs it, or say what is wrong.

    Args:
        view: the notice.
        block: the block's name (``notifier.blocks.BLOCKS``).
        wording: the reviewed sentences the element needs (default: all of the block's).
        fields: the sheet fields whose facts the element needs (default: all of them; a
            field given as a prefix covers its sub-fields).
        what: the element in words, for messages (default: the block's name).
    """
    label = what or f"the {block!r} block"
    need_wording = tuple(BLOCKS[block] if wording is None else wording)
    if _trace is not None:
        _trace.append((block, need_wording))
    expected = facts(view, block)
    wanted = [f for f in expected if fields is None
              or any(f.field == p or f.field.startswith(p + ".") for p in fields)]
    for part, found in blocks_named(view, block).items():
        miss = _part_miss(view, block, part, found, label, need_wording, wanted, expected)
        if miss:
            return miss
    return None


def _part_miss(view: NoticeView, block: str, part: str, found: list[Block], label: str,
               wording: tuple[str, ...], wanted: list[Fact], expected: list[Fact]) -> Miss | None:
    """What is wrong with one part's blocks of a name, if anything."""
    where = f"the {_PART_NAMES[part]}"
    template = _template(view, part)
    if not found:
        return (f"{where} does not carry {label}: its template ({template}) emits no "
                f"{block!r} element block",
                f"restore the block ({{% call element({block!r}) %}}) in {template}, or "
                "record a waiver for this rule with counsel's decision")
    text = " ".join(b.text for b in found)
    if not text.strip():
        return (f"{where}'s {block!r} block is empty",
                f"put its content back in {template}, or record a waiver")
    shown = view.html_text if part == "html" else view.plain_text
    if any(b.text not in shown for b in found if b.text):
        return (f"{where}'s {block!r} block is not what a reader sees (hidden, or changed "
                "after rendering)", f"make it visible in {template}")
    return (_content_miss(view, block, text, where, template, wording, wanted)
            or _extra_miss(view, block, text, where, template, expected))


def _content_miss(view: NoticeView, block: str, text: str, where: str, template: str,
                  wording: tuple[str, ...], wanted: list[Fact]) -> Miss | None:
    """A reviewed sentence or a fact the block's text lacks."""
    for key in wording:
        reviewed = view.notice.wording.get(key, "")
        if reviewed and reviewed not in text:
            return (f"{where}'s {block!r} block does not carry the reviewed wording of "
                    f"{key!r} ({reviewed[:70]!r})",
                    f"restore {{{{ copy.{key} }}}} from the built-in _copy.j2 in your "
                    "templates, or record a waiver with counsel's approval of your wording")
    for fact in wanted:
        if flatten(fact.text) not in text:
            return (f"{where}'s {block!r} block does not carry {fact.field} "
                    f"({fact.text[:60]!r})", f"keep {fact.field} in the {block!r} block of {template}")
    return None


def _extra_miss(view: NoticeView, block: str, text: str, where: str, template: str,
                expected: list[Fact]) -> Miss | None:
    """Words in the block beyond its facts and reviewed wording (a negation, an aside)."""
    extra = residue(view, block, text, expected)
    if extra:
        return (f"{where}'s {block!r} block says more than its facts and reviewed wording: "
                f"{extra[:80]!r}",
                f"move that text out of the block in {template} (a block holds only what "
                "the law asks for), or record a waiver")
    return None


def residue(view: NoticeView, block: str, text: str, expected: list[Fact]) -> str:
    """Return what is left of a block's text once its wording, facts and labels are taken out,
    if it has words or digits in it ('' when only punctuation is left)."""
    rest = text
    pieces = [view.notice.wording.get(k, "") for k in BLOCKS.get(block, ())]
    pieces += [flatten(f.text) for f in expected] + list(GLUE.get(block, ()))
    for piece in sorted((p for p in pieces if p), key=len, reverse=True):
        rest = rest.replace(piece, " ")
    rest = flatten(rest)
    return rest if _WORDY.search(rest) else ""


def placed(view: NoticeView, block: str, heading: str) -> Miss | None:
    """Prove that every ``block`` sits under ``heading`` in both parts."""
    for part, found in blocks_named(view, block).items():
        # a notice in another language adds its own words after the statutory heading
        wrong = [b for b in found if b.section.split(" / ", 1)[0].rstrip("?.:") != heading]
        if wrong:
            return (f"the {_PART_NAMES[part]}'s {block!r} block sits under "
                    f"{wrong[0].section or 'no heading'!r}, not {heading!r}",
                    f"move it under the heading {heading!r} in {_template(view, part)}")
    return None


def check(view: NoticeView) -> list[Finding]:
    """Return the house rule's findings: both parts carry the same blocks in the same order."""
    order = {part: [b.name for b in view.notice.blocks if b.part == part]
             for part in ("html", "text")}
    if order["html"] == order["text"]:
        return []
    html, text = order["html"], order["text"]
    only = sorted(set(html) ^ set(text))
    detail = (f"only one part has {', '.join(only)}" if only
              else f"the HTML has them as {html}, the plain text as {text}")
    return [view.finding(PARTS_AGREE, f"the two parts carry different element blocks: {detail}",
                         f"make {view.notice.templates[0]} and {view.notice.templates[1]} emit "
                         "the same blocks in the same order")]


#: A check function of a pack: the notice view to a Miss or None.
Check = Callable[["NoticeView"], "Miss | None"]
