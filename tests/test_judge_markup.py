"""caniemail (npm @jsx-email/doiuse-email) and html-validate (npm, tools/htmlvalidate.json) read
every judged message's HTML, both in one node process."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from judge_support import ROOT, messages, node_judgements

DOCS = ROOT / "docs" / "email-clients.md"
#: Features caniemail reports as unsupported in a client of the Gmail, Outlook, Apple Mail
#: or Yahoo families that neither carry content nor hide it; docs/email-clients.md says why
#: each is harmless. Anything else is an error.
HARMLESS = {
    "<body> element": "replaced by a <div>; the body's background is repeated on the wrapper",
    "@media": "mobile and dark rules only; every content style is inline",
    "Chaining selectors": "in the dropped mobile and dark rules only",
    "Class selector": "in the dropped mobile and dark rules only",
    "Descendant combinator": "in the dropped mobile and dark rules only",
    "ID selector": "MJML's Outlook.com link reset only",
    "Type selector": "resets and the inlined email.css, which is inline as well",
    "aria-label attribute": "names the email for screen readers; nothing shows or hides",
    "aria-hidden attribute": "keeps the preheader, which repeats the opening, from screen "
                             "readers; where ignored, it is read once more",
    "role attribute": "landmarks and presentation tables for screen readers only",
    "border-spacing": "MJML's image table reset; cellspacing=0 does the same",
    "outline": "MJML's image reset (outline:none)",
    "word-spacing": "MJML's word-spacing:normal, the default value",
    "word-break": "the inherited wrap for long addresses; <wbr> covers where it is ignored",
    "<wbr> element": "a break opportunity; word-break covers where it is ignored",
}
_ERROR = re.compile(r"`(.+)` is not supported by `(.+)`")


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return node_judgements(str(tmp_path_factory.mktemp("html")))


def _caniemail_errors(judged: dict[str, dict[str, Any]]) -> dict[str, dict[str, set[str]]]:
    """Per message: unsupported feature -> the clients that lack it."""
    out: dict[str, dict[str, set[str]]] = {}
    for name, result in judged.items():
        for error in result["doiuse"]["errors"]:
            match = _ERROR.fullmatch(error)
            assert match, error
            out.setdefault(name, {}).setdefault(match.group(1), set()).add(match.group(2))
    return out


def test_both_tools_judged_every_message(judged: dict[str, dict[str, Any]],
                                         request: pytest.FixtureRequest) -> None:
    errors = _caniemail_errors(judged)
    capman = request.config.pluginmanager.getplugin("capturemanager")
    with capman.global_and_fixture_disabled():
        print("\ncaniemail errors (features unsupported somewhere in gmail.*, outlook.*, "
              "apple-mail.*, yahoo.*), with the number of messages using each:")
        counts: dict[str, int] = {}
        for found in errors.values():
            for feature in found:
                counts[feature] = counts.get(feature, 0) + 1
        for feature, count in sorted(counts.items()):
            print(f"  {feature}: {count} of {len(judged)}"
                  f"{'' if feature in HARMLESS else '  <- carries or hides content'}")
        print("html-validate errors per message:")
        for name, result in judged.items():
            valid = ", ".join(sorted({m["rule"] for m in result["htmlvalidate"]
                                      if m["severity"] == "error"})) or "-"
            print(f"  {name}: {valid}")
    assert sorted(judged) == sorted(m.name for m in messages())
    # the parser read real reports: every email has a <body>, which some clients replace
    assert all("<body> element" in errors.get(name, {}) for name in judged)


def test_caniemail_finds_nothing_that_carries_or_hides_content(
        judged: dict[str, dict[str, Any]]) -> None:
    unexplained = {name: {f: sorted(c) for f, c in found.items() if f not in HARMLESS}
                   for name, found in _caniemail_errors(judged).items()}
    assert {name: found for name, found in unexplained.items() if found} == {}


def test_harmless_features_are_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert [f for f in HARMLESS if f"`{f}`" not in text] == []


def test_hidden_preheader_uses_no_hiding_a_client_ignores(
        judged: dict[str, dict[str, Any]]) -> None:
    hiding = {"display:none", "opacity", "overflow", "visibility", "max-height property"}
    found = {name: sorted(hiding & set(f)) for name, f in _caniemail_errors(judged).items()}
    assert {name: f for name, f in found.items() if f} == {}
    for m in messages():
        assert f">{m.notice.preheader}</div>" in m.notice.html.replace("&#39;", "'")


def test_html_validate_finds_no_error_but_long_titles(judged: dict[str, dict[str, Any]]) -> None:
    errors = {name: sorted({f"{m['rule']}: {m['message']}" for m in result["htmlvalidate"]
                            if m["severity"] == "error" and m["rule"] != "long-title"})
              for name, result in judged.items()}
    assert {name: e for name, e in errors.items() if e} == {}


def test_html_validate_finds_no_error(judged: dict[str, dict[str, Any]]) -> None:
    errors = {name: [m["message"] for m in result["htmlvalidate"] if m["severity"] == "error"]
              for name, result in judged.items()}
    assert {name: e for name, e in errors.items() if e} == {}


_LONG_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"]{30,}|[\w.+-]+@[\w.-]{24,}")


def test_long_addresses_can_break_without_word_break() -> None:
    from lxml import html as lxml_html

    unbreakable: dict[str, list[str]] = {}
    for m in messages():
        body = lxml_html.fromstring(m.notice.html).find("body")
        assert body is not None
        for text in body.itertext():
            for address in _LONG_ADDRESS.findall(text):
                unbreakable.setdefault(m.name, []).append(address)
    assert unbreakable == {}


def test_html_validate_config_is_for_email(tmp_path: Path) -> None:
    """The config only relaxes what email needs; a real error in email markup still fails."""
    import json
    import subprocess

    from judge_support import NODE, TOOLS

    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><head><title>t</title></head><body>'
                    '<table role="presentation" cellpadding="0"><tbody><tr><td style="color:red">'
                    '<img src="x.png" height="auto" alt=""></td></tr></tbody></table></body></html>')
    out = subprocess.run([str(NODE), str(TOOLS / "judge.mjs"), str(page)], capture_output=True,
                         check=True, cwd=TOOLS).stdout
    rules = {m["rule"] for m in json.loads(out)[str(page)]["htmlvalidate"]}
    assert rules == {"attribute-allowed-values"}
