"""Read rendered email HTML once: visible text with its computed style, headings, links, images."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

#: Elements that never have an end tag.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
#: Elements whose text is never shown in the message body.
_INVISIBLE = frozenset({"head", "title", "style", "script", "template", "noscript"})
#: Browser default sizes of elements that set one, relative to the parent (em).
_DEFAULT_EM = {"h1": 2.0, "h2": 1.5, "h3": 1.17, "h4": 1.0, "h5": 0.83, "h6": 0.67,
               "small": 0.833, "sub": 0.833, "sup": 0.833}
_DEFAULT_BOLD = frozenset({"b", "strong", "th", "h1", "h2", "h3", "h4", "h5", "h6"})
_KEYWORD_PX = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
               "x-large": 24.0, "xx-large": 32.0}
_NAMED = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "green": "#008000",
          "blue": "#0000ff", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0",
          "yellow": "#ffff00", "orange": "#ffa500", "navy": "#000080"}
_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")
_SIZE = re.compile(r"^\s*([\d.]+)\s*(px|pt|em|rem|%)?\s*$")

DEFAULT_PX = 16.0


def parse_style(value: str | None) -> dict[str, str]:
    """Return the declarations of an inline ``style`` attribute, lower-cased property names."""
    out: dict[str, str] = {}
    for part in (value or "").split(";"):
        name, sep, val = part.partition(":")
        if sep:
            out[name.strip().lower()] = val.replace("!important", "").strip()
    return out


def parse_color(value: str | None) -> str | None:
    """Return a CSS colour as ``#rrggbb``, or None when it is transparent or not understood."""
    if not value:
        return None
    text = value.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    match = _HEX.search(text)
    if match:
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return "#" + digits.lower()
    rgb = _RGB.search(text)
    if rgb and (rgb.group(4) is None or float(rgb.group(4)) >= 1):
        return "#" + "".join(f"{min(int(g), 255):02x}" for g in rgb.groups()[:3])
    return None


def _font_px(value: str, parent: float) -> float:
    text = value.strip().lower()
    if text in _KEYWORD_PX:
        return _KEYWORD_PX[text]
    match = _SIZE.match(text)
    if not match:
        return parent
    number, unit = float(match.group(1)), match.group(2) or "px"
    return {"px": number, "pt": number * 96 / 72, "em": number * parent, "rem": number * DEFAULT_PX,
            "%": number * parent / 100}[unit]


class Style(NamedTuple):
    """The computed style a text run inherits: what the checks need and nothing more.

    A tuple, so that the per-element style cache hashes it in C: a notice has some 260
    elements, each looked up with its parent's style.
    """

    color: str = "#000000"
    background: str = "#ffffff"
    font_px: float = DEFAULT_PX
    bold: bool = False
    hidden: bool = False


@dataclass(frozen=True)
class TextRun:
    """A piece of visible text and the style it is shown in."""

    text: str
    style: Style
    tag: str


@dataclass(frozen=True)
class Link:
    """An ``<a href>``: where it goes and what it shows."""

    href: str
    text: str


@dataclass(frozen=True)
class Heading:
    """An ``<h1>``–``<h6>`` with its level, text and style."""

    level: int
    text: str
    style: Style


@dataclass
class HtmlScan:
    """Everything the checks read from one notice's HTML."""

    lang: str | None = None
    dir: str | None = None
    title: str = ""
    runs: list[TextRun] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    tables: list[dict[str, str | None]] = field(default_factory=list)
    data_tables: int = 0  # tables with <th> or <caption>: real data, not layout

    @property
    def visible_text(self) -> str:
        """The text a reader sees, whitespace collapsed."""
        return " ".join(" ".join(r.text for r in self.runs).split())


@lru_cache(maxsize=4096)
def _computed_style(tag: str, style: str | None, bgcolor: str | None, hidden_attr: bool,
                    aria_hidden: bool, parent: Style) -> Style:
    """Compute an element's style from what it inherits; kept, as notices repeat their styles."""
    css = parse_style(style)
    size = parent.font_px * _DEFAULT_EM.get(tag, 1.0)
    if "font-size" in css:
        size = _font_px(css["font-size"], parent.font_px)
    color = parse_color(css.get("color")) or parent.color
    background = (parse_color(css.get("background-color")) or parse_color(css.get("background"))
                  or parse_color(bgcolor) or parent.background)
    weight = css.get("font-weight", "")
    bold = parent.bold or tag in _DEFAULT_BOLD
    if weight:
        bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
    hidden = (parent.hidden or tag in _INVISIBLE
              or css.get("display") == "none" or css.get("visibility") == "hidden"
              or css.get("mso-hide") == "all" or css.get("opacity") in ("0", "0.0")
              or hidden_attr or aria_hidden
              or (css.get("max-height", "").startswith("0") and css.get("overflow") == "hidden"))
    return Style(color=color, background=background, font_px=size, bold=bold, hidden=hidden)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WBR = re.compile(r"<wbr\s*/?>", re.I)


def _text(element: Any) -> str:
    """The text of an element and its descendants, whitespace collapsed (comments left out)."""
    return " ".join("".join(element.itertext(None)).split())


def _visit(scan: HtmlScan, element: Any, parent: Style) -> None:
    """Record one element and its subtree: text runs with their computed style, and the rest."""
    tag = element.tag.lower()
    get = element.get
    if tag == "html":
        scan.lang, scan.dir = get("lang"), get("dir")
    elif tag == "img":
        scan.images.append(dict(element.attrib))
    elif tag == "table":
        scan.tables.append(dict(element.attrib))
    style = _computed_style(tag, get("style"), get("bgcolor"), get("hidden") is not None,
                            get("aria-hidden") == "true", parent)
    shown = not style.hidden
    runs = scan.runs
    if shown and element.text and element.text.strip():
        runs.append(TextRun(element.text, style, tag))
    for child in element:
        if isinstance(child.tag, str):
            _visit(scan, child, style)
        # A child's tail (text after it) belongs to this element; comments have tails too.
        if shown and child.tail and child.tail.strip():
            runs.append(TextRun(child.tail, style, tag))
    if tag == "table" and any(next(cell.iterancestors("table")) is element
                              for cell in element.iter("th", "caption")):
        scan.data_tables += 1
    if tag == "title":
        scan.title = _text(element)
    elif tag == "a":
        scan.links.append(Link(get("href") or "", _text(element)))
    elif tag in _HEADINGS:
        scan.headings.append(Heading(int(tag[1]), _text(element), style))


def scan_html(html: str, tree: Any = None) -> HtmlScan:
    """Parse a notice's HTML (Outlook-only conditional comments are ignored, as other clients do).

    ``tree`` is the document ``html`` was serialised from, when the caller has it
    (``htmlmail.tree_of``), with its ``<wbr>`` elements stripped: the same as parsing ``html``
    again, without the cost. lxml (premailer's parser, already loaded) is about five times
    faster than html.parser here.
    """
    scan = HtmlScan()
    if tree is None:
        import lxml.html

        # <wbr> marks where a long address may break: no text, no space. libxml2 takes it
        # for an element that holds what follows, which would split the address in two runs.
        tree = lxml.html.document_fromstring(_WBR.sub("", html))
    _visit(scan, tree, Style())
    return scan


def luminance(color: str) -> float:
    """Return the WCAG relative luminance of ``#rrggbb``."""
    channels = []
    for i in (1, 3, 5):
        c = int(color[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """Return the WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
