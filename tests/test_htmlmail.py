"""The email frame: landmarks, the hidden preheader, long addresses, the logo's size, valid markup."""

from __future__ import annotations

import lxml.html
import pytest
from helpers import sheet_with
from markupsafe import escape

from notifier.render import render_sheet
from notifier.templating import breakable, make_environment


def _html(**changes: object) -> str:
    result = render_sheet(sheet_with(**changes))
    assert not result.refused, result.refused
    return result.notices[0].html


def test_landmarks_banner_main_and_contentinfo() -> None:
    page = lxml.html.fromstring(_html())
    regions = {e.get("role"): " ".join(e.text_content().split()) for e in page.iter("div")
               if e.get("role") in ("banner", "main", "contentinfo")}
    assert list(regions) == ["banner", "main", "contentinfo"]
    assert regions["banner"] == "Acme Ltd"
    assert regions["main"].startswith("A security incident involving your information Hello,")
    assert regions["main"].endswith("The Acme Ltd team")
    assert regions["contentinfo"].endswith("Acme Ltd · https://www.acme.example")


def test_preheader_is_hidden_by_size_and_mso_hide_not_by_colour() -> None:
    page = lxml.html.fromstring(_html())
    (pre,) = [e for e in page.iter("div") if "nt-preheader" in (e.get("class") or "")]
    style = pre.get("style") or ""
    for rule in ("font-size:0", "line-height:0", "max-height:0", "max-width:0", "mso-hide:all"):
        assert rule in style
    for dropped in ("display:none", "opacity", "overflow", "color"):
        assert dropped not in style


def test_no_word_break_on_cells_but_once_on_the_page() -> None:
    html = _html()
    page = lxml.html.fromstring(html)
    assert [e.tag for e in page.iter() if "word-break" in (e.get("style") or "")] == ["div"]
    assert 'height="auto"' not in html
    assert not [e for e in page.iter("div") if e.get("bgcolor")]


def test_tel_link_digits_do_not_wrap() -> None:
    page = lxml.html.fromstring(_html(**{"organisation.contact.phone": "0800 555 0142"}))
    (link,) = [a for a in page.iter("a") if (a.get("href") or "").startswith("tel:")]
    assert link.text == "0800\N{NO-BREAK SPACE}555\N{NO-BREAK SPACE}0142"


def test_logo_takes_the_brand_size() -> None:
    html = _html(**{"organisation.brand": {"logo": "https://www.acme.example/logo.png",
                                           "logo_width": 120, "logo_height": 40}})
    (img,) = lxml.html.fromstring(html).iter("img")
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("120", "40", "Acme Ltd")
    assert "height:40px" in (img.get("style") or "")


def test_logo_without_a_size_is_160_wide_and_keeps_its_shape() -> None:
    html = _html(**{"organisation.brand": {"logo": "https://www.acme.example/logo.png"}})
    (img,) = lxml.html.fromstring(html).iter("img")
    assert (img.get("width"), img.get("height")) == ("160", None)


def test_no_logo_header_is_the_organisation_name() -> None:
    page = lxml.html.fromstring(_html())
    banner = next(e for e in page.iter("div") if e.get("role") == "banner")
    assert " ".join(banner.text_content().split()) == "Acme Ltd"


@pytest.mark.parametrize(("text", "expected"), [
    ("See https://status.example/incidents/2025-05?x=1&y=2 now",
     "See https://<wbr>status<wbr>.example/<wbr>incidents/<wbr>2025<wbr>-05<wbr>?x<wbr>=1"
     "<wbr>&amp;y<wbr>=2 now"),
    ("write to dpo@northwind.example", "write to dpo<wbr>@northwind<wbr>.example"),
    ("<b>www.acme.example</b>", "&lt;b&gt;www<wbr>.acme<wbr>.example&lt;/b&gt;"),
    ("no address, e.g. this.", "no address, e.g. this."),
])
def test_breakable_puts_wbr_at_an_address_punctuation_and_escapes(text: str, expected: str) -> None:
    assert str(breakable(text)) == expected
    assert str(breakable(text)).replace("<wbr>", "") == str(escape(text))


def test_breakable_is_a_template_filter() -> None:
    env = make_environment()
    assert env.from_string("{{ u | breakable }}").render(u="https://a.example/b") == \
        "https://<wbr>a<wbr>.example/<wbr>b"


@pytest.mark.parametrize("name", ["action", "offer"])
def test_action_and_offer_panels_are_inlined_for_templates_to_use(name: str) -> None:
    from notifier.htmlmail import render_email
    from notifier.templating import builtin_templates

    css = (builtin_templates() / "email.css").read_text(encoding="utf-8")
    source = ('<mjml lang="en"><mj-body><mj-section><mj-column><mj-text>'
              f'<div class="{name}"><p>Change your password</p></div>'
              '</mj-text></mj-column></mj-section></mj-body></mjml>')
    html, _ = render_email(source, css, name="t.mjml")
    panel = next(e for e in lxml.html.fromstring(html).iter("div") if e.get("class") == name)
    style = panel.get("style") or ""
    assert "background-color" in style and "padding:12px 16px" in style
    assert "radius" not in css  # unsupported in Outlook for Windows (caniemail)
