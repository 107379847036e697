"""One audience's rendered notice as the checks see it: facts, parsed HTML, plain text, in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from notifier.advice import PASSWORD_CATEGORIES
from notifier.checks.finding import Finding, Rule, Severity
from notifier.checks.htmlscan import HtmlScan, scan_html
from notifier.model import READER_NOTICES

if TYPE_CHECKING:
    from notifier.model import Audience, FactSheet
    from notifier.render import RenderedNotice


_HEADING_TAG = re.compile(r"h[1-6]")


def _heading_key(text: str) -> str:
    return flatten(text).rstrip("?.:").lower()


def flatten(text: str) -> str:
    """Collapse all whitespace to single spaces (wrapped plain text reads as one line), none
    before closing punctuation (see ``notifier.blocks.flatten``)."""
    from notifier.blocks import flatten as collapse

    return collapse(text)


@dataclass
class NoticeView:
    """A rendered notice with its facts; parsed once and shared by every check."""

    sheet: FactSheet
    index: int
    notice: RenderedNotice
    scan: HtmlScan = field(init=False)

    def __post_init__(self) -> None:
        from notifier.htmlmail import tree_of

        self.scan = scan_html(self.notice.html, tree_of(self.notice.html))

    @property
    def audience(self) -> Audience:
        """The audience this notice is for."""
        return self.sheet.audiences[self.index]

    @cached_property
    def data(self) -> list[str]:
        """The data categories involved or possibly involved for this audience (what the laws'
        'accessed, or reasonably believed to have been accessed' covers)."""
        return self.sheet.audience_reached(self.audience)

    @cached_property
    def involved(self) -> list[str]:
        """The data categories involved for this audience (not those that only may have been)."""
        return self.sheet.audience_data(self.audience)

    @cached_property
    def text(self) -> str:
        """The plain-text part, whitespace collapsed."""
        return flatten(self.notice.text)

    @cached_property
    def plain_text(self) -> str:
        """The plain-text part as the element blocks record it: list bullets out, whitespace
        collapsed."""
        from notifier.blocks import plain

        return plain(self.notice.text)

    @cached_property
    def html_text(self) -> str:
        """The visible text of the HTML part, whitespace collapsed (none before punctuation)."""
        from notifier.blocks import visible_words

        return visible_words(self.scan.visible_text)

    @cached_property
    def text_headings(self) -> list[str]:
        """The plain-text part's headings: lines underlined with dashes or equals signs (a
        heading too long for one line is wrapped: its lines down to the rule are one heading)."""
        lines = self.notice.text.split("\n")
        found = []
        for i in range(len(lines) - 1):
            if lines[i].strip() and re.fullmatch(r"[-=]{3,}", lines[i + 1].strip()):
                start = i
                while (start > 0 and lines[start - 1].strip()
                       and not re.fullmatch(r"[-=]{3,}", lines[start - 1].strip())):
                    start -= 1
                found.append(" ".join(line.strip() for line in lines[start:i + 1]))
        return found

    @cached_property
    def html_headings(self) -> list[str]:
        """The HTML part's heading texts, in order."""
        return [h.text for h in self.scan.headings]

    def sections(self, *names: str) -> dict[str, str]:
        """Return the text under the headings ``names`` (case-insensitive), per part.

        Keys are ``plain text`` and ``HTML``; each value joins the named sections' text,
        whitespace collapsed, up to the next heading.
        """
        wanted = {n.lower() for n in names}
        lines = self.notice.text.split("\n")
        text: list[str] = []
        inside = False
        for i, line in enumerate(lines):
            rule = re.fullmatch(r"[-=]{3,}", line.strip() or "x")
            if i + 1 < len(lines) and line.strip() and re.fullmatch(r"[-=]{3,}", lines[i + 1].strip()):
                inside = _heading_key(line) in wanted
            elif inside and not rule:
                text.append(line)
        html: list[str] = []
        inside = False
        for run in self.scan.runs:
            if _HEADING_TAG.fullmatch(run.tag):
                inside = _heading_key(run.text) in wanted
            elif inside:
                html.append(run.text)
        return {"plain text": flatten("\n".join(text)), "HTML": flatten(" ".join(html))}

    @property
    def password_notice(self) -> bool:
        """True when the notice asks readers to change a password."""
        if self.audience.notice not in READER_NOTICES:
            return False
        return (self.audience.notice == "password_reset" or self.audience.precautionary_reset
                or bool(PASSWORD_CATEGORIES & set(self.data)))

    def missing(self, value: str, *, ignore_case: bool = False) -> list[str]:
        """Return the parts (``plain text``, ``HTML``) that do not carry ``value``."""
        needle = flatten(value)
        parts = {"plain text": self.text, "HTML": self.html_text}
        if ignore_case:
            needle = needle.lower()
            return [name for name, hay in parts.items() if needle not in hay.lower()]
        return [name for name, hay in parts.items() if needle not in hay]

    def search(self, pattern: str | re.Pattern[str]) -> list[str]:
        """Return the parts (``plain text``, ``HTML``) where ``pattern`` does not match."""
        regex = re.compile(pattern, re.I) if isinstance(pattern, str) else pattern
        parts = {"plain text": self.text, "HTML": self.html_text}
        return [name for name, hay in parts.items() if not regex.search(hay)]

    def finding(self, rule: Rule, message: str, fix: str, *, severity: Severity | None = None,
                field: tuple[str | int, ...] | None = None) -> Finding:
        """Return a finding of ``rule`` against this notice (about sheet ``field``, if given)."""
        return Finding(rule_id=rule.id, severity=severity or rule.severity,
                       sheet=self.sheet.id, audience=self.audience.id, notice=self.audience.notice,
                       message=message, fix=fix, source=rule.source, status=rule.status,
                       field=field)


def parts_phrase(parts: list[str]) -> str:
    """Return ``the plain text`` / ``the HTML`` / ``either part`` for a message."""
    if len(parts) == 2:
        return "either part"
    return f"the {parts[0]}"
