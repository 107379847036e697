"""Every judged message in Debian's Chromium: no sideways scrolling down to 320 px, dark mode dark."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from judge_support import messages

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


def _pages(browser: Any, width: int, scheme: str) -> Iterator[tuple[str, Any]]:
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    context.route("**/*", lambda route: route.abort())
    page = context.new_page()
    try:
        for m in messages():
            page.set_content(m.notice.html)
            yield m.name, page
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 375, 600])
def test_no_message_scrolls_sideways(browser: Any, width: int) -> None:
    wide = {name: page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            for name, page in _pages(browser, width, "light")}
    assert {name: px for name, px in wide.items() if px > 0} == {}


def test_text_keeps_a_readable_measure_at_320(browser: Any) -> None:
    """At 320 px the text column keeps at least 280 px (the side padding shrinks to 18 px)."""
    narrow = {}
    for name, page in _pages(browser, 320, "light"):
        width = page.evaluate("Math.min(...[...document.querySelectorAll('.nt-text > div')]"
                              ".map(e => e.getBoundingClientRect().width))")
        if width < 280:
            narrow[name] = width
    assert narrow == {}


def test_dark_mode_darkens_page_card_and_footer(browser: Any) -> None:
    script = """() => ['.nt-gap', '.nt-main .nt-card', '.nt-foot'].map(s =>
        getComputedStyle(document.querySelector(s)).backgroundColor)"""
    colours = {name: page.evaluate(script) for name, page in _pages(browser, 600, "dark")}
    expected = ["rgb(17, 20, 24)", "rgb(27, 31, 36)", "rgb(17, 20, 24)"]
    assert {name: c for name, c in colours.items() if c != expected} == {}
