"""Element blocks: the named parts of a notice that carry a legal element, recorded as rendered.

A template marks each element with ``{% call element("contact") %} ... {% endcall %}``. The
call wraps what it renders in invisible markers; after rendering, ``extract`` takes the
markers out again and returns, for each block, its name, the text a reader sees in it and
the heading it sits under. The markers never reach a reader: the bytes written are those the
template would give without them. The checks then prove an element from this record (the
block is there, under the right heading, with its facts and its reviewed wording and nothing
else), not from words found somewhere in the text.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup

#: Private-use characters: no fact sheet can hold them (the model refuses them), no font draws them.
START, NAME_END, END = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"[{START}{NAME_END}{END}]")
_TAG = re.compile(r"<[^>]*>")
_HTML_HEADING = re.compile(r"<h([12])\b[^>]*>(.*?)</h\1>", re.S | re.I)
_RULE = re.compile(r"[-=]{3,}")

Part = Literal["html", "text"]

#: Every element block the built-in templates emit, and the sentences of ``_copy.j2`` it
#: carries (besides facts from the sheet). The wording of these sentences is reviewed: a
#: block must carry them as the built-in catalog words them, and nothing else but its facts.
BLOCKS: dict[str, tuple[str, ...]] = {
    "notice.date": ("notice_date_line",),
    "breach.description": ("kind_sentence",),
    "breach.discovery": (),
    "breach.dates": ("when_sentence",),
    "breach.status": ("status_sentence", "misuse_sentence"),
    "delay.law_enforcement": ("law_enforcement_delay_sentence",),
    "data.involved": ("involved_intro",),
    "data.possibly_involved": ("possibly_intro",),
    "data.not_involved": ("not_involved_intro",),
    "consequences": ("consequences_intro",),
    "actions.taken": ("ma_doing_sentence",),
    "actions.planned": ("next_steps_intro",),
    "authorities": ("authorities_sentence",),
    "offer": ("offer_sentence", "offer_covers_sentence", "offer_enrol_sentence",
              "offer_enrol_by_sentence", "offer_trust_sentence"),
    "advice.password": ("password_sentence",),
    "advice": (),
    "advice.subjects": ("subjects_sentence",),
    "rights.ma": ("ma_rights_title", "ma_police_report", "ma_freeze_how", "ma_freeze_fee",
                  "ma_freeze_info"),
    "us.cra": ("credit_agencies_intro", "credit_agencies"),
    "us.ny_agencies": ("ny_agencies",),
    "contact": ("help_intro", "label_online", "label_email", "label_phone", "sender_sentence"),
    "contact.privacy": ("privacy_sentence",),
    "ca.complaints": ("canada_complaint",),
    "signoff": ("signoff",),
}
#: The reviewed sentences, rendered for every notice (see ``render._reviewed_wording``).
REVIEWED: tuple[str, ...] = tuple(dict.fromkeys(k for keys in BLOCKS.values() for k in keys))


@dataclass(frozen=True)
class Block:
    """One element block as rendered in one part of a notice."""

    name: str
    part: Part
    text: str  # what a reader sees in it, whitespace collapsed
    section: str  # the heading it sits under ("" before the first heading)


def element(name: str, caller: Any = None) -> Any:
    """Wrap what a ``{% call element(name) %}`` block renders in the block's markers.

    Registered as a Jinja global. In an autoescaping (HTML) template the result is
    ``Markup``: the caller's output is already escaped, and the markers are not HTML.
    """
    if caller is None:
        raise TypeError("element() is used as {% call element('name') %} ... {% endcall %}")
    body = caller()
    opened = f"{START}{name}{NAME_END}"
    if isinstance(body, Markup):
        return Markup(opened) + body + Markup(END)
    return f"{opened}{body}{END}"


#: White space before closing punctuation and after an opening bracket: HTML runs are joined
#: with spaces ('<a>x</a>.' reads 'x .'), and French puts a no-break space before ':', ';',
#: '!', '?' and '»'. Every comparison of wording, facts and rendered text drops it, so that
#: none depends on it.
_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[.,;:!?)\]»])|(?<=[(\[])\s+")


def flatten(text: str) -> str:
    """Collapse all whitespace (no-break spaces too) to single spaces, none before closing
    punctuation: the form in which wording, facts and rendered text are compared."""
    return _BEFORE_PUNCTUATION.sub("", " ".join(text.split()))


_INLINE = re.compile(r"</?(?:a|abbr|b|code|em|i|small|span|strong|sub|sup|u|wbr)\b[^>]*>", re.I)


def visible_words(text: str) -> str:
    """Return text as a reader sees it, whitespace collapsed and none before punctuation (the
    HTML's runs of text are joined with spaces, also where a link ends a sentence)."""
    # a phone number's non-breaking hyphens (templating.unbroken) read as hyphens
    return flatten(text.replace("\u2011", "-"))


def _visible(fragment: str) -> str:
    # Inline tags go without a trace ('<a>x</a>.' reads 'x.'); the others become spaces, so
    # that list items and paragraphs do not run together.
    return visible_words(html_lib.unescape(_TAG.sub(" ", _INLINE.sub("", fragment))))


_BULLET = re.compile(r"^[ \t]*[-*][ \t]+", re.M)


def plain(fragment: str) -> str:
    """Return plain text with its list bullets out and whitespace collapsed.

    List bullets are the plain text's markup, as <li> is the HTML's: neither is content.
    """
    return flatten(_BULLET.sub("", fragment))


def _text_section(before: str) -> str:
    """The last heading (a line underlined with dashes or equals signs) in ``before``,
    looked for line by line from the end: it is usually just above."""
    end = len(before)
    below: str | None = None  # the line under the one looked at
    while True:
        start = before.rfind("\n", 0, end) + 1
        line = before[start:end]
        if below is not None and line.strip() and _RULE.fullmatch(below.strip()):
            return line.strip()
        if start == 0:
            return ""
        below, end = line, start - 1


class _Headings:
    """The last ``<h1>``/``<h2>`` of an HTML text that only grows: each part is searched once."""

    def __init__(self) -> None:
        self.searched = 0  # where the last heading found ends: later ones start after it
        self.last = ""

    def section(self, before: str) -> str:
        """The visible text of the last heading in ``before``."""
        for match in _HTML_HEADING.finditer(before, self.searched):
            self.searched, self.last = match.end(), match.group(2)
        return _visible(self.last) if self.last else ""


#: A run of white space and markers between two tags: MJML drops a text node that is only
#: white space, so once the markers are out the run must go too.
_ONE_MARK = f"(?:{START}[^{NAME_END}<>]*{NAME_END}|{END})"
_MARKED_GAP = re.compile(f">((?:\\s|{_ONE_MARK})*{_ONE_MARK}(?:\\s|{_ONE_MARK})*)<")


def _close_gaps(html: str) -> str:
    return _MARKED_GAP.sub(lambda m: ">" + "".join(m.group(1).split()) + "<", html)


def extract(rendered: str, part: Part) -> tuple[str, tuple[Block, ...]]:
    """Return ``rendered`` without block markers, and the blocks in the order they open.

    For HTML (MJML's output), white space that only the markers kept from MJML's tidying is
    dropped with them, so the bytes are those MJML gives without blocks.

    Raises:
        ValueError: the markers do not nest (a template closed a block it never opened).
    """
    if START not in rendered and END not in rendered:
        return rendered, ()
    if part == "html":
        rendered = _close_gaps(rendered)
    out: list[str] = []
    size = 0
    stack: list[tuple[str, int, str]] = []
    found: list[tuple[int, str, int, int, str]] = []  # (order, name, start, end, section)
    position = 0
    order = 0
    headings = _Headings()
    for match in _MARK.finditer(rendered):
        chunk = rendered[position:match.start()]
        mark = match.group(0)
        if mark == NAME_END:
            # the block's name: everything since its START, which was not copied out
            name = chunk
            before = "".join(out)
            section = headings.section(before) if part == "html" else _text_section(before)
            stack.append((name, size, section))
            position = match.end()
            continue
        out.append(chunk)
        size += len(chunk)
        position = match.end()
        if mark == START:
            # the name follows up to NAME_END; skip it by leaving position after START
            continue
        if not stack:
            raise ValueError("an element block closes that was never opened")
        name, start, section = stack.pop()
        found.append((order, name, start, size, section))
        order += 1
    out.append(rendered[position:])
    if stack:
        raise ValueError(f"element block {stack[-1][0]!r} is never closed")
    clean = "".join(out)
    convert = _visible if part == "html" else plain
    blocks = sorted(found, key=lambda f: (f[2], -f[3]))
    return clean, tuple(Block(name, part, convert(clean[start:end]), section)
                        for _, name, start, end, section in blocks)


def strip(rendered: str) -> str:
    """Return ``rendered`` without block markers or names (for text no check reads)."""
    return re.sub(f"{START}[^{NAME_END}]*{NAME_END}|{END}", "", rendered)
