"""Checks on every rendered notice: nothing left unfilled, nothing unsafe, nothing clipped."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from notifier.errors import Problem, RenderRefused
from notifier.memo import per_sheet

if TYPE_CHECKING:
    from notifier.model import FactSheet
    from notifier.render import RenderedNotice

#: Gmail clips messages above about 102 KB.
MAX_HTML_BYTES = 102_000
_LEFTOVERS = ("{{", "{%", "{#", "None", "undefined")


def fact_strings(sheet: FactSheet) -> list[str]:
    """Return every text value in the sheet: what the notices may legitimately quote."""
    return list(_walk_facts(sheet))


@per_sheet
def _walk_facts(sheet: FactSheet) -> tuple[str, ...]:
    # Walking the sheet costs more than the rest of the check: once per sheet.
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(sheet.model_dump(mode="json", by_alias=True))
    return tuple(sorted(set(found), key=len, reverse=True))


def _may_have_leftovers(text: str) -> bool:
    """Return False when no leftover token occurs in ``text`` at all.

    Removing facts replaces them with a space, and no token contains a space, so a token
    found after the removal was already in the text before it: when none is, the
    (costly) removal cannot change the verdict and is skipped.
    """
    return any(token in text for token in _LEFTOVERS)


def _without_facts(text: str, facts: list[str], *, escaped: bool) -> str:
    for fact in facts:
        text = text.replace(fact, " ")
        if escaped:
            text = text.replace(html_lib.escape(fact), " ")
            text = text.replace(html_lib.escape(fact, quote=False), " ")
    return text


@dataclass
class _Structure:
    """What the HTML checks need: doctype, lang, title, headings, images, links, styles."""

    doctype: str = ""
    lang: str = ""
    title: str = ""
    images_without_alt: int = 0
    links: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, html: str, tree: Any = None) -> _Structure:
        """Read the document: ``tree`` when the caller has it (the tree ``html`` was
        serialised from), else ``html`` parsed with lxml (premailer's parser, already loaded)."""
        import lxml.html

        found = cls()
        head = html.lstrip()[:15]
        found.doctype = "doctype html" if head.lower() == "<!doctype html>" else ""
        root = tree if tree is not None else lxml.html.document_fromstring(html)
        found.lang = root.get("lang") or ""
        found.title = " ".join("".join(t.itertext()) for t in root.iter("title")).strip()
        for element in root.iter("img", "a", "h1", "h2", "h3", "h4", "style"):
            tag = element.tag
            if tag == "img":
                found.images_without_alt += not (element.get("alt") or "").strip()
            elif tag == "a":
                if element.get("href") is not None:
                    found.links.append(element.get("href") or "")
            elif tag == "style":
                found.styles.append(element.text or "")
            else:
                found.headings.append("".join(element.itertext()).strip())
        return found


def check_rendered(sheet: FactSheet, notice: RenderedNotice, tree: Any = None) -> None:
    """Refuse a rendered notice that is unsafe to send.

    Raises:
        RenderRefused: a leftover placeholder, ``None`` or ``undefined``, an empty heading,
            a missing doctype, language, title or preheader, a lost ``!important``, an image
            without alt text, a non-https link, or HTML over Gmail's clipping size.
    """
    where = f"{notice.sheet_id}/{notice.audience_id}/{notice.notice}"
    found = _leftovers(sheet, notice)
    if re.search(r"^(.+)\n-+\n\s*\n(?:.+\n-+\n|\s*$)", notice.text, re.M):
        found.append("the text has a heading with nothing under it")
    found += _html_problems(notice, _Structure.parse(notice.html, tree))
    if found:
        raise RenderRefused([Problem(where, 0, 0, "", f"{msg}; this is a template problem",
                                     "fix the template or report it") for msg in found])


def _leftovers(sheet: FactSheet, notice: RenderedNotice) -> list[str]:
    """Template leftovers ({{, None, undefined ...) in any part that no fact of the sheet explains."""
    found: list[str] = []
    facts: list[str] | None = None
    for label, text, escaped in (("html", notice.html, True), ("text", notice.text, False),
                                 ("subject", notice.subject, False)):
        if not _may_have_leftovers(text):
            continue
        facts = fact_strings(sheet) if facts is None else facts
        rest = _without_facts(text, facts, escaped=escaped)
        for token in _LEFTOVERS:
            if re.search(re.escape(token) + (r"\b" if token[0].isalpha() else ""), rest):
                found.append(f"the {label} contains {token!r} that the fact sheet does not")
    return found


def _html_problems(notice: RenderedNotice, parsed: _Structure) -> list[str]:
    """What the HTML document lacks or breaks: doctype, lang, title, preheader, mobile CSS ..."""
    found: list[str] = []
    if parsed.doctype != "doctype html":
        found.append("the html lost its <!doctype html>")
    if parsed.lang != notice.locale:
        found.append(f"<html lang> is {parsed.lang!r}, not the audience's locale {notice.locale!r}")
    if not parsed.title:
        found.append("the html has no <title>")
    if any(not h for h in parsed.headings):
        found.append("the html has an empty heading")
    if notice.preheader not in html_lib.unescape(notice.html):
        found.append("the html does not carry the preheader")
    if not any("@media" in s and "!important" in s for s in parsed.styles):
        found.append("the media queries lost !important (the mobile layout would break)")
    if parsed.images_without_alt:
        found.append(f"{parsed.images_without_alt} image(s) have no alt text")
    found += [f"link {href!r} is not https" for href in parsed.links
              if not href.startswith(("https://", "mailto:", "tel:"))]
    size = len(notice.html.encode())
    if size > MAX_HTML_BYTES:
        found.append(f"the html is {size} bytes; Gmail clips above {MAX_HTML_BYTES}")
    return found
