"""Accessibility and deliverability rules, on real rendered notices and on altered copies of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from check_helpers import checked, findings_for, notice_for, rule_ids, set_in, with_html

from notifier.checks import check_notice
from notifier.checks.accessibility import MAX_MESSAGE_BYTES, encoded_message
from notifier.checks.htmlscan import contrast, scan_html

LOGO = set_in("organisation.brand", {"logo": "https://www.acme.example/logo.png", "color": "#005a8c"})


def test_the_built_in_templates_pass_every_rule(tmp_path: Path) -> None:
    found = findings_for(tmp_path, LOGO)
    assert not {i for i in rule_ids(found) if i.startswith(("a11y.", "deliverability."))}


def test_contrast_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_scan_inherits_styles_and_skips_hidden_text() -> None:
    scan = scan_html('<html lang="en" dir="ltr"><body style="background:#000">'
                     '<div style="display:none;font-size:1px">preview</div>'
                     '<div style="font-size:12pt;color:#eee"><p>Hello <b>there</b></p></div>')
    assert [(r.text, r.style.font_px, r.style.color, r.style.background, r.style.bold)
            for r in scan.runs] == [("Hello ", 16.0, "#eeeeee", "#000000", False),
                                    ("there", 16.0, "#eeeeee", "#000000", True)]


@pytest.mark.parametrize(("old", "new", "rule"), [
    ('<html lang="en-GB"', '<html lang="fr"', "a11y.lang"),
    ('<html lang="en-GB"', "<html", "a11y.lang"),
    (' dir="ltr" xmlns', " xmlns", "a11y.dir"),
    ('alt="Acme Ltd"', 'alt=""', "a11y.img_alt"),
    ('role="presentation"', "", "a11y.layout_table_role"),
    ("color:#1f2933", "color:#aaaaaa", "a11y.contrast"),
    ("font-size:14px", "font-size:12px", "a11y.font_size"),
    ("<h3 style=", "<h4 style=", "a11y.heading_order"),
])
def test_an_html_fault_is_an_error(tmp_path: Path, old: str, new: str, rule: str) -> None:
    sheet, notice = notice_for(tmp_path, LOGO)
    assert rule not in checked(sheet, notice)
    bad = with_html(notice, old, new)
    if "<h4" in new:
        bad = with_html(bad, "</h3>", "</h4>")
    found = [f for f in check_notice(sheet, bad) if f.rule_id == rule]
    assert found and {f.severity for f in found} == {"error"}


def test_a_light_brand_colour_is_a_warning(tmp_path: Path) -> None:
    found = findings_for(tmp_path, set_in("organisation.brand", {"color": "#ffcc00"}))
    hit = [f for f in found if f.rule_id == "a11y.brand_contrast"]
    assert [f.severity for f in hit] == ["warning"]
    assert hit[0].message.startswith("brand colour #ffcc00 has a contrast of 1.")


def test_the_brand_colour_counts_where_a_template_uses_it_for_text(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path, set_in("organisation.brand", {"color": "#ffcc00"}))
    bad = with_html(notice, "color:#1f2933", "color:#ffcc00")
    assert "a11y.contrast" in checked(sheet, bad)


def test_a_preheader_out_of_range_is_a_warning(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path)
    found = check_notice(sheet, dataclasses.replace(notice, preheader="Read this."))
    assert [(f.rule_id, f.severity) for f in found if f.rule_id == "deliverability.preheader"] == [
        ("deliverability.preheader", "warning")]
    assert 40 <= len(notice.preheader) <= 120


def test_an_oversized_message_is_an_error(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path)
    assert len(encoded_message(notice)) < MAX_MESSAGE_BYTES
    big = dataclasses.replace(notice, html=notice.html.replace("</body>", "<!--" + "x" * 110_000
                                                               + "--></body>"))
    assert "deliverability.size" in checked(sheet, big)


def test_the_plain_text_must_keep_every_link(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path)
    lost = dataclasses.replace(
        notice, text=notice.text.replace("https://www.acme.example/help", "our help page"))
    found = [f for f in check_notice(sheet, lost) if f.rule_id == "deliverability.text_part"]
    assert [f.message for f in found] == [
        "the plain-text part lacks 'https://www.acme.example/help', which the HTML links to (as "
        "'https://www.acme.example/help')"]
    empty = dataclasses.replace(notice, text="")
    assert "deliverability.text_part" in checked(sheet, empty)


@pytest.mark.parametrize("phone", ["0800 555 0142", "1-888-555-0175", "+65 6555 0142",
                                   "(888) 555-0175", "0800-555-0142"])
def test_a_phone_number_written_as_people_write_it_is_no_error(tmp_path: Path, phone: str) -> None:
    found = findings_for(tmp_path, set_in("organisation.contact.phone", phone))
    assert "deliverability.text_part" not in rule_ids(found)
    assert not rule_ids(found, "error")


def test_a_phone_number_missing_from_the_text_part_is_an_error(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path, set_in("organisation.contact.phone", "0800 555 0142"))
    bad = dataclasses.replace(notice, text=notice.text.replace("0800 555 0142", "our helpline"))
    assert "deliverability.text_part" in checked(sheet, bad)
