"""The rendered email in a real Chromium: two columns on desktop, one column on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import INCIDENTS

from notifier.render import render_sheet
from notifier.sheet import load_sheet

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


def boxes(browser: Any, html_file: Path, width: int,
          allowed: set[str]) -> tuple[dict[str, float], dict[str, float]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html_file.as_uri())
    involved = page.get_by_text("Involved:", exact=True).bounding_box()
    not_involved = page.get_by_text("Not involved:", exact=True).bounding_box()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.close()
    assert overflow <= 0, f"the email scrolls sideways at {width}px"
    # only the email itself and the sheet's own logo image: no fonts, no remote CSS
    assert all(u.startswith("file:") or u in allowed for u in requests), requests
    assert involved and not_involved
    return involved, not_involved


def test_layout_is_two_columns_on_desktop_and_stacks_on_mobile(browser: Any, tmp_path: Path) -> None:
    sheet = load_sheet(INCIDENTS / "co-op-2025.yaml")
    allowed = {sheet.organisation.brand.logo} if sheet.organisation.brand else set()
    result = render_sheet(sheet)
    html_file = tmp_path / "notice.html"
    html_file.write_text(result.notices[0].html, encoding="utf-8")

    left, right = boxes(browser, html_file, 600, allowed)
    assert abs(left["y"] - right["y"]) < 2  # side by side
    assert right["x"] > left["x"] + left["width"]

    top, below = boxes(browser, html_file, 375, allowed)
    assert abs(top["x"] - below["x"]) < 2  # one column
    assert below["y"] > top["y"] + top["height"]
