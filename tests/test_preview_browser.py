"""The preview in a real Chromium (Debian's, driven by Playwright): run with `pytest --browser`.

    .venv/bin/python -m pytest tests/test_preview_browser.py --browser -q
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import copy_bundled
from preview_support import (  # noqa: F401 (the fixtures)
    SHEET,
    SUMMARY,
    server_fixture,
    sheet_fixture,
    write_atomically,
)

from notifier.errors import SheetError
from notifier.preview import PreviewServer
from notifier.sheet import load_sheet

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TEXT_PANEL = '[data-live="text"]'
PROBLEMS = '[data-live="problems"]'




@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never download a browser)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()




@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def open_notice(page: Page, server: PreviewServer, route: str = "n/customers/incident/") -> None:
    page.goto(server.url + route)
    page.wait_for_selector('#live-status[data-state="live"]')
    page.frame_locator("#email-frame").locator("body").wait_for()


def wait_for_text(page: Page, selector: str, text: str) -> None:
    """Wait until the element's text contains ``text`` (a function, as the page's CSP forbids eval)."""
    page.wait_for_function("([sel, text]) => document.querySelector(sel).textContent.includes(text)",
                           arg=[selector, text])


def frame_width(page: Page) -> float:
    box = page.locator("#email-frame").bounding_box()
    assert box is not None
    return float(box["width"])


def test_index_lists_every_notice(page: Page, server: PreviewServer) -> None:
    page.goto(server.url)
    rows = page.locator("tr.notice-row")
    assert rows.count() == 3
    assert page.locator("tr.notice-row a").all_inner_texts() == ["Customers", "Partners", "Resetters"]
    customers = page.locator('tr[data-audience="customers"]')
    assert "Security incident at Acme Ltd" in customers.inner_text()
    assert "125,000" in customers.inner_text()
    assert customers.locator(".status").inner_text().strip() == "rendered"
    refused = page.locator('tr[data-audience="resetters"] .status').inner_text()
    assert refused.startswith("refused")
    assert "no password data is involved for it" in refused
    page.click("text=Partners")
    page.wait_for_url(server.url + "n/partners/no_action_needed/")


def test_index_follows_edits(page: Page, server: PreviewServer, sheet: Path) -> None:
    page.goto(server.url)
    page.wait_for_selector('#live-status[data-state="live"]')
    page.evaluate("window.__marker = 'index'")
    write_atomically(sheet, SHEET + "  - id: press\n    name: Press office\n    notice: incident\n")
    page.wait_for_selector('tr[data-audience="press"]')
    assert page.locator("tr.notice-row").count() == 4
    assert page.evaluate("window.__marker") == "index"


def test_width_toggle_changes_the_frame_width(page: Page, server: PreviewServer) -> None:
    open_notice(page, server)
    assert frame_width(page) == 600
    page.click('button[data-width="375"]')
    assert frame_width(page) == 375
    assert page.get_attribute('button[data-width="375"]', "aria-pressed") == "true"
    page.click('button[data-width="600"]')
    assert frame_width(page) == 600


def test_dark_toggle_shows_the_dark_rules(page: Page, server: PreviewServer) -> None:
    open_notice(page, server)
    colours = "() => [...document.querySelectorAll('*')].map(e => getComputedStyle(e).backgroundColor).join()"
    light = page.frame_locator("#email-frame").locator("html").evaluate(colours)
    page.click('button[data-scheme="dark"]')
    page.wait_for_function("() => { const d = document.getElementById('email-frame').contentDocument;"
                           " return d.URL.includes('email-dark.html') && d.readyState === 'complete'; }")
    dark = page.frame_locator("#email-frame").locator("html").evaluate(colours)
    assert dark != light


def test_edit_updates_the_page_without_a_reload(page: Page, server: PreviewServer, sheet: Path) -> None:
    open_notice(page, server)
    page.evaluate("window.__marker = 'set before the edit'")
    page.click('button[data-tab="text"]')
    page.click('button[data-width="375"]')
    write_atomically(sheet, SHEET.replace(SUMMARY, "Edited while the page was open."))
    wait_for_text(page, TEXT_PANEL, "Edited while the page was open.")
    assert page.evaluate("window.__marker") == "set before the edit"
    assert page.get_attribute('button[data-tab="text"]', "aria-selected") == "true"
    assert page.locator('[data-panel="text"]').is_visible()
    assert not page.locator('[data-panel="email"]').is_visible()
    # The email frame followed too, still at the width chosen before the edit.
    page.click('button[data-tab="email"]')
    assert frame_width(page) == 375
    page.wait_for_function("text => ((document.getElementById('email-frame').contentDocument.body"
                           " || {}).textContent || '').includes(text)", arg="Edited while the page was open.")


def test_invalid_edit_shows_the_error_and_a_fix_recovers(page: Page, server: PreviewServer,
                                                         sheet: Path) -> None:
    open_notice(page, server)
    page.evaluate("window.__marker = 'still here'")
    bad = SHEET.replace("misuse: none_known", "misuse: nonne_known")
    write_atomically(sheet, bad)
    with pytest.raises(SheetError) as caught:
        load_sheet(sheet)
    (problem,) = caught.value.problems
    line = bad.splitlines().index("  misuse: nonne_known") + 1
    assert problem.line == line
    expected = f"{sheet}:{line}:11: incident.misuse: unknown value 'nonne_known'"
    assert str(problem).startswith(expected)
    wait_for_text(page, PROBLEMS, str(problem))
    problems = page.locator(PROBLEMS).inner_text()
    assert f"{problem}\n1 problem in 1 file" in problems
    assert page.get_attribute("#live-status", "data-state") == "error"
    # The last good render is still there.
    page.click('button[data-tab="text"]')
    assert SUMMARY.split()[0] in page.locator(TEXT_PANEL).inner_text()

    write_atomically(sheet, SHEET.replace(SUMMARY, "Fixed and rendered again."))
    wait_for_text(page, TEXT_PANEL, "Fixed and rendered again.")
    assert page.locator(PROBLEMS).inner_text() == ""
    assert not page.locator(PROBLEMS).is_visible()
    assert page.evaluate("window.__marker") == "still here"
    assert page.get_attribute("#live-status", "data-state") == "live"


@pytest.mark.parametrize("path", [
    "%2e%2e%2f%2e%2e%2fpyproject.toml",
    "n/customers/incident/..%2f..%2f..%2fsheet.yaml",
    "sheet.yaml",
    "..%5c..%5cpyproject.toml",
])
def test_traversal_gets_404(page: Page, server: PreviewServer, path: str) -> None:
    response = page.goto(server.url + path)
    assert response is not None and response.status == 404
    assert "audiences:" not in page.content()


def test_nothing_is_loaded_from_outside(page: Page, tmp_path: Path) -> None:
    """A sheet whose email has a remote logo: the preview still fetches only from 127.0.0.1."""
    copy_bundled(tmp_path / "incidents")  # with the sheets it refers to
    sheet = tmp_path / "incidents" / "co-op-2025.yaml"
    responses: list[str] = []
    page.on("response", lambda r: responses.append(r.url))
    with PreviewServer(sheet, port=0) as server:
        server.start()
        page.goto(server.url)
        first = page.locator("tr.notice-row a").first
        first.click()
        page.wait_for_selector('#live-status[data-state="live"]')
        page.frame_locator("#email-frame").locator("body").wait_for()
        page.click('button[data-scheme="dark"]')
        page.wait_for_timeout(300)
        remote = page.locator('[data-live="note"]').inner_text()
        assert "Remote images are not loaded in preview: https://" in remote
    assert responses and all(url.startswith(server.url) for url in responses), responses


def test_links_in_the_email_are_shown_not_followed(page: Page, server: PreviewServer) -> None:
    open_notice(page, server)
    link = page.frame_locator("#email-frame").locator("a[href^='https://']").first
    href = link.get_attribute("href")
    link.click()
    assert page.locator("#link-status").inner_text() == f"Link (not followed in preview): {href}"
    assert "email.html" in page.evaluate("document.getElementById('email-frame').contentDocument.URL")


# -- check findings and deadlines -------------------------------------------------------------

FINDINGS = '[data-live="findings"]'
RESOLVED_RULE = "consistency.resolved_without_actions"  # docs/checks.md: an error
PALE_RULE = "a11y.brand_contrast"  # docs/checks.md: a warning
#: Breaks RESOLVED_RULE (resolved, no actions_taken) and PALE_RULE (a pale brand colour).
BROKEN = SHEET.replace("status: contained", "status: resolved").replace(
    "  sender:", "  brand:\n    color: \"#aaaaaa\"\n  sender:")
#: BROKEN with actions_taken: RESOLVED_RULE passes again; the pale colour is still a warning.
FIXED = BROKEN.replace("  data_not_involved:", "  actions_taken:\n    - We closed the gap the "
                       "intruder used.\n  data_not_involved:")


def finding(rule: str) -> str:
    return f'{FINDINGS} li.finding[data-rule="{rule}"]'


def test_findings_panel_shows_an_error_and_it_goes_when_fixed(page: Page, server: PreviewServer,
                                                              sheet: Path) -> None:
    open_notice(page, server)
    page.evaluate("window.__marker = 'no reload'")
    panel = page.locator(FINDINGS)
    assert "No findings" in panel.inner_text()
    # Beside the email, not under it.
    frame_box, panel_box = page.locator("#email-frame").bounding_box(), panel.bounding_box()
    assert frame_box is not None and panel_box is not None
    assert panel_box["x"] >= frame_box["x"] + frame_box["width"]
    assert panel_box["y"] < frame_box["y"] + frame_box["height"]

    write_atomically(sheet, BROKEN)
    error = page.locator(finding(RESOLVED_RULE))
    error.wait_for()
    text = error.inner_text()
    assert text.startswith(f"ERROR {RESOLVED_RULE}\n")  # severity label (upper-cased by CSS), rule
    assert "status is resolved but incident.actions_taken is empty" in text
    assert "Fix: list what you did under incident.actions_taken" in text
    assert "Checks: 1 error 1 warning" in panel.inner_text()
    warning = page.locator(finding(PALE_RULE))
    assert warning.get_attribute("data-severity") == "warning"
    # Errors come first and look different from warnings.
    assert page.locator(f"{FINDINGS} li.finding").evaluate_all(
        "items => items.map(i => i.dataset.rule)") == [RESOLVED_RULE, PALE_RULE]
    style = ("e => { const s = getComputedStyle(e), b = getComputedStyle(e.querySelector('.severity'));"
             " return [s.borderLeftColor, s.borderLeftStyle, s.backgroundColor, b.backgroundColor]; }")
    error_style, warning_style = error.evaluate(style), warning.evaluate(style)
    assert all(e != w for e, w in zip(error_style, warning_style, strict=True)), (error_style,
                                                                                  warning_style)
    assert error_style[1] == "solid" and error_style[3] == "rgb(155, 28, 28)"

    write_atomically(sheet, FIXED)
    page.locator(finding(RESOLVED_RULE)).wait_for(state="detached")
    assert page.locator(f"{FINDINGS} li.finding").count() == 1
    assert page.locator(finding(PALE_RULE)).is_visible()
    assert "Checks: 1 warning" in panel.inner_text()
    assert page.evaluate("window.__marker") == "no reload"

    write_atomically(sheet, SHEET)
    wait_for_text(page, FINDINGS, "No findings")
    assert page.locator(f"{FINDINGS} li.finding").count() == 0


def test_index_counts_findings_and_shows_deadlines_live(page: Page, server: PreviewServer,
                                                        sheet: Path) -> None:
    page.goto(server.url)
    page.wait_for_selector('#live-status[data-state="live"]')
    page.evaluate("window.__marker = 'index'")
    checks = 'tr[data-audience="customers"] td.checks'
    assert page.locator(checks).inner_text() == "no findings"
    assert page.locator('tr[data-audience="resetters"] td.checks').inner_text() == "1 error"
    assert "No notification deadline applies" in page.locator("section.deadlines").inner_text()

    write_atomically(sheet, BROKEN)
    wait_for_text(page, checks, "1 error")
    assert page.locator(checks).inner_text() == "1 error 1 warning"

    # Password data makes it a high risk: the ICO is told, and so are the readers.
    write_atomically(sheet, SHEET.replace("    size: 125000\n",
                                          "    size: 125000\n    jurisdictions: [GB]\n").replace(
        "data_involved: [name, email]", "data_involved: [name, email, password_hash]"))
    page.wait_for_selector('tr.deadline[data-deadline="uk.deadline.ico"]')
    ico = page.locator('tr.deadline[data-deadline="uk.deadline.ico"]').inner_text()
    assert "2025-04-25 09:30 BST" in ico  # 72 hours after discovery, in London
    assert "overdue by " in ico and "UK GDPR" in ico
    individuals = page.locator('tr.deadline[data-deadline="uk.deadline.individuals"]').inner_text()
    assert "as soon as practicable" in individuals and "elapsed" in individuals
    assert page.evaluate("window.__marker") == "index"


HIDE = ("() => { for (const [name, value] of [['hidden', true], ['visibilityState', 'hidden']])"
        " Object.defineProperty(document, name, {configurable: true, get: () => value});"
        " document.dispatchEvent(new Event('visibilitychange')); }")
SHOW = ("() => { for (const [name, value] of [['hidden', false], ['visibilityState', 'visible']])"
        " Object.defineProperty(document, name, {configurable: true, get: () => value});"
        " document.dispatchEvent(new Event('visibilitychange')); }")


def test_hidden_tabs_let_go_of_their_connection(chromium: Browser, server: PreviewServer,
                                                sheet: Path) -> None:
    # Chromium keeps six connections per host; each live page's event stream holds one.
    context = chromium.new_context()
    try:
        tabs = []
        for _ in range(6):
            tab = context.new_page()
            tab.set_default_timeout(10_000)
            open_notice(tab, server)
            tab.evaluate(HIDE)
            tab.wait_for_selector('#live-status[data-state="paused"]')
            tabs.append(tab)
        extra = [context.new_page() for _ in range(2)]  # the 7th and 8th tabs still load
        for tab in extra:
            tab.set_default_timeout(10_000)
            open_notice(tab, server)
        write_atomically(sheet, SHEET.replace(SUMMARY, "Edited while the first tabs were hidden."))
        wait_for_text(extra[0], TEXT_PANEL, "Edited while the first tabs were hidden.")
        for tab in extra:
            tab.close()
        tabs[0].evaluate(SHOW)  # back in view: the newest build arrives at once
        tabs[0].wait_for_selector('#live-status[data-state="live"]')
        wait_for_text(tabs[0], TEXT_PANEL, "Edited while the first tabs were hidden.")
    finally:
        context.close()
