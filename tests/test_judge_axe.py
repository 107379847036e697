"""axe-core 4 (pinned in tools/) in Debian's Chromium: every judged message, light and dark,
at 375 and 600 px, has no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from judge_support import NODE_MODULES, messages

pytestmark = pytest.mark.browser

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
MODES = [(scheme, width) for scheme in ("light", "dark") for width in (375, 600)]
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_results() -> Iterator[dict[tuple[str, str, int], list[dict[str, Any]]]]:
    """Run axe over every message in every mode, in one browser; nothing leaves the machine."""
    from playwright.sync_api import sync_playwright

    assert AXE.is_file(), "npm ci --prefix tools (scripts/test does)"
    results: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for scheme, width in MODES:
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          color_scheme=scheme)  # type: ignore[arg-type]
            context.route("**/*", lambda route: route.abort())  # the logo and anything else
            page = context.new_page()
            for m in messages():
                page.set_content(m.notice.html)
                page.add_script_tag(path=str(AXE))
                found = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                    ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
                    " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))")
                results[(m.name, scheme, width)] = found
            context.close()
        browser.close()
    yield results


def _table(results: dict[tuple[str, str, int], list[dict[str, Any]]]) -> str:
    """One line per message: each violation with its impact and the modes it appears in."""
    rows: dict[str, dict[str, list[str]]] = {}
    for (name, scheme, width), found in results.items():
        for v in found:
            rows.setdefault(name, {}).setdefault(f"{v['id']} ({v['impact']})", []).append(
                f"{scheme}-{width}")
        rows.setdefault(name, {})
    every = len(MODES)
    lines = ["message: violation (impact) [modes]"]
    for name, found in rows.items():
        listed = ", ".join(f"{v} [{'all' if len(modes) == every else ' '.join(modes)}]"
                           for v, modes in found.items())
        lines.append(f"{name}: {listed or '-'}")
    return "\n".join(lines)


def test_axe_ran_on_every_message_in_every_mode(
        axe_results: dict[tuple[str, str, int], list[dict[str, Any]]],
        request: pytest.FixtureRequest) -> None:
    capman = request.config.pluginmanager.getplugin("capturemanager")
    with capman.global_and_fixture_disabled():
        print("\naxe-core violations:\n" + _table(axe_results))
    assert len(axe_results) == len(messages()) * len(MODES)


@pytest.mark.parametrize(("scheme", "width"), MODES, ids=[f"{s}-{w}" for s, w in MODES])
def test_no_serious_or_critical_violation(
        axe_results: dict[tuple[str, str, int], list[dict[str, Any]]], scheme: str,
        width: int) -> None:
    serious = {f"{name}: {v['id']}": v["nodes"][:3]
               for (name, s, w), found in axe_results.items() if (s, w) == (scheme, width)
               for v in found if v["impact"] in SERIOUS}
    assert serious == {}


def test_every_notice_has_a_main_landmark(
        axe_results: dict[tuple[str, str, int], list[dict[str, Any]]]) -> None:
    landmarks = {name: v["id"] for (name, _, _), found in axe_results.items() for v in found
                 if v["id"].startswith("landmark")}
    assert landmarks == {}


def test_every_notice_has_one_h1(
        axe_results: dict[tuple[str, str, int], list[dict[str, Any]]]) -> None:
    without = sorted({name for (name, _, _), found in axe_results.items() for v in found
                      if v["id"] == "page-has-heading-one"})
    assert without == []
