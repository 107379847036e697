"""Element blocks: the render records them, and takes nothing else away or adds anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BUNDLED, INCIDENTS

from notifier import blocks
from notifier.blocks import END, NAME_END, START, extract
from notifier.render import render_sheet
from notifier.sheet import load_sheet


def mark(name: str, body: str) -> str:
    return f"{START}{name}{NAME_END}{body}{END}"


def test_blocks_nest_and_come_out_in_the_order_they_open() -> None:
    text = "Head\n----\n" + mark("outer", "a " + mark("inner", "b") + " c") + "\nTail\n"
    clean, found = extract(text, "text")
    assert clean == "Head\n----\na b c\nTail\n"
    assert [(b.name, b.text, b.section) for b in found] == [
        ("outer", "a b c", "Head"), ("inner", "b", "Head")]


def test_html_blocks_leave_the_bytes_mjml_gives() -> None:
    html = "<div><h2>What happened</h2>\n" + mark("x", "   <p>One &amp; two</p>\n") + "  <p>z</p></div>"
    clean, found = extract(html, "html")
    assert clean == "<div><h2>What happened</h2><p>One &amp; two</p><p>z</p></div>"
    assert [(b.name, b.text, b.section) for b in found] == [("x", "One & two", "What happened")]


def test_plain_text_bullets_are_markup_not_content() -> None:
    _, (block,) = extract(mark("data.involved", "Involved:\n- your name\n- your email\n"), "text")
    assert block.text == "Involved: your name your email"


@pytest.mark.parametrize("text", [f"a{END}b", mark("x", "a")[:-1]])
def test_blocks_that_do_not_nest_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        extract(text, "text")


def test_the_render_records_each_block_in_both_parts() -> None:
    sheet = load_sheet(INCIDENTS / "co-op-2025.yaml")
    notice = next(n for n in render_sheet(sheet).notices if n.notice == "incident")
    html = [b.name for b in notice.blocks if b.part == "html"]
    text = [b.name for b in notice.blocks if b.part == "text"]
    assert html == text
    assert {"breach.description", "data.involved", "actions.taken", "contact",
            "contact.privacy", "signoff"} <= set(html)
    assert START not in notice.html + notice.text and END not in notice.html + notice.text
    assert notice.wording["help_intro"].startswith("If you have questions")


def test_blocks_change_no_byte_of_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendered with element() as a plain pass-through, every notice is the same, byte for byte."""
    sheets = [load_sheet(p) for p in BUNDLED]
    marked = [n for s in sheets for n in render_sheet(s).notices]

    def plain(name: str, caller: object = None) -> object:
        return caller()  # type: ignore[operator]

    monkeypatch.setattr(blocks, "element", plain)
    from notifier import templating

    monkeypatch.setattr(templating, "element", plain)
    bare = [n for s in sheets for n in render_sheet(s).notices]
    assert [(n.html, n.text) for n in marked] == [(n.html, n.text) for n in bare]
    assert all(n.blocks == () for n in bare)


def test_an_override_that_breaks_a_block_is_a_clear_refusal(tmp_path: Path) -> None:
    from notifier.templating import builtin_templates

    source = (builtin_templates() / "incident.txt.j2").read_text(encoding="utf-8")
    (tmp_path / "incident.txt.j2").write_text(
        source + '{{ "\ue002" }}', encoding="utf-8")  # closes a block it never opened
    sheet = load_sheet(INCIDENTS / "co-op-2025.yaml")
    result = render_sheet(sheet, templates=tmp_path)
    refused = result.refused["customers-non-members"]
    assert "element block" in refused.problems[0].message
