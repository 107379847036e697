"""The checks read the tree the inliner worked on: it must read exactly as the HTML parsed again."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUNDLED

from notifier import htmlmail
from notifier.checks.htmlscan import scan_html
from notifier.errors import RenderRefused
from notifier.render import load_previous, render_notice
from notifier.sheet import load_sheet

READERS = sorted((Path(__file__).resolve().parent / "sheets" / "readers").glob("*.yaml"))
SHEETS = [*BUNDLED, *READERS]


@pytest.mark.parametrize("path", SHEETS, ids=[p.stem for p in SHEETS])
def test_the_inliners_tree_reads_as_the_html_parsed_again(path: Path) -> None:
    sheet = load_sheet(path)
    previous = load_previous(sheet)
    checked = 0
    for index in range(len(sheet.audiences)):
        try:
            notice = render_notice(sheet, index, None, previous)
        except RenderRefused:
            continue
        tree = htmlmail.tree_of(notice.html)
        assert tree is not None  # the notice just rendered: its tree is at hand
        assert scan_html(notice.html, tree) == scan_html(notice.html)
        checked += 1
    assert checked


def test_only_the_very_html_made_last_has_its_tree_kept() -> None:
    sheet = load_sheet(BUNDLED[0])
    notice = render_notice(sheet, 0, None, load_previous(sheet))
    assert htmlmail.tree_of(notice.html) is not None
    assert htmlmail.tree_of(notice.html + " ") is None  # any other text is parsed afresh
