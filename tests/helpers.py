"""Helpers shared by the render tests: edit the minimal sheet, parse rendered HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import yaml
from conftest import MINIMAL

from notifier.model import FactSheet
from notifier.sheet import parse_sheet


def sheet_with(**changes: Any) -> FactSheet:
    """Return MINIMAL with dotted-path changes applied, e.g. sheet_with(**{"incident.misuse": "x"})."""
    return parse_sheet(edited_yaml(**changes), "test.yaml")


def edited_yaml(**changes: Any) -> str:
    """Return MINIMAL's YAML text with dotted-path changes applied."""
    data = yaml.safe_load(MINIMAL)
    for dotted, value in changes.items():
        node = data
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


class Page(HTMLParser):
    """A parsed email: visible text, headings, links, images, the html element's attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.html_attrs: dict[str, str | None] = {}
        self.scripts = 0
        self._skip = 0
        self._heading: str | None = None
        self._buf: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_attrs = dict(attrs)
        if tag in ("style", "title", "script"):
            self._skip += 1
            self.scripts += tag == "script"
        if tag in ("h1", "h2", "h3"):
            self._heading, self._buf = tag, []
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "script"):
            self._skip -= 1
        if tag == self._heading:
            self.headings.append((tag, "".join(self._buf).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._heading:
            self._buf.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())
