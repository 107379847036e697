"""Phishing hygiene: https only, the organisation's own domains, no shorteners, honest link text."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from check_helpers import checked, edits, findings_for, notice_for, rule_ids, set_in, with_html

from notifier.checks import check_notice
from notifier.checks.links import organisation_domains, registrable_domain


def test_the_minimal_sheet_has_no_link_findings(tmp_path: Path) -> None:
    assert not {i for i in rule_ids(findings_for(tmp_path)) if i.startswith("links.")}


def test_organisation_domains_come_from_every_address_in_the_sheet(tmp_path: Path) -> None:
    sheet, _ = notice_for(tmp_path, set_in("organisation.link_domains", ["status.acme-cdn.example"]))
    assert organisation_domains(sheet) == {"acme.example", "status.acme-cdn.example"}


def test_a_plain_http_link_is_an_error(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path)
    bad = with_html(notice, 'href="https://www.acme.example/help"', 'href="http://www.acme.example/help"')
    assert "links.https" in checked(sheet, bad)
    assert "links.https" not in checked(sheet, notice)


def test_a_link_off_the_organisations_domains_is_an_error(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path)
    bad = with_html(notice, "https://www.acme.example/help", "https://acme-support.example/")
    found = [f for f in check_notice(sheet, bad) if f.rule_id == "links.domain"]
    assert [f.severity for f in found] == ["error"]
    assert found[0].message == ("the HTML links to 'https://acme-support.example/', which is not "
                                "on a domain of the organisation's (acme.example)")
    assert "links.domain" not in checked(sheet, notice)


def test_urls_in_the_plain_text_are_checked_too(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path)
    bad = dataclasses.replace(notice, text=notice.text + "\nSee http://acme-support.example/x\n")
    found = {(f.rule_id, f.message.split(" links")[0]) for f in check_notice(sheet, bad)}
    assert {("links.https", "the plain text"), ("links.domain", "the plain text")} <= found


def test_an_allow_listed_domain_and_subdomains_pass(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(
        set_in("organisation.contact.url", "https://help.acme-support.example/"),
        set_in("organisation.link_domains", ["acme-support.example"])))
    assert "links.domain" not in rule_ids(found)


def test_a_url_shortener_is_an_error_even_when_allow_listed(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(set_in("organisation.contact.url", "https://bit.ly/acme-help"),
                                         set_in("organisation.link_domains", ["bit.ly"])))
    assert "links.shortener" in rule_ids(found, "error")


def test_link_text_showing_another_domain_is_an_error(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path, set_in("organisation.link_domains", ["acme-help.example"]))
    bad = with_html(notice, 'href="https://www.acme.example/help"', 'href="https://acme-help.example/"')
    found = checked(sheet, bad)
    assert "links.text_mismatch" in found
    assert "links.domain" not in found
    assert "links.text_mismatch" not in checked(sheet, notice)


def test_a_login_link_is_an_error(tmp_path: Path) -> None:
    found = findings_for(tmp_path, set_in("organisation.contact.url", "https://www.acme.example/login"))
    assert "links.login_link" in rule_ids(found, "error")


def test_a_password_notice_must_send_readers_to_the_site_themselves(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path, edits(
        set_in("audiences.0.notice", "password_reset"),
        set_in("incident.data_involved", ["email", "password_hash"])))
    assert "links.password.go_yourself" not in checked(sheet, notice)
    strip = re.compile(r"yourself|typ(?:e|ing)\s+(?:the|our)\s+address", re.I)
    bad = dataclasses.replace(notice, html=strip.sub("now", notice.html),
                              text=strip.sub("now", notice.text))
    assert "links.password.go_yourself" in checked(sheet, bad)


HARBOURLINE = edits(set_in("organisation.website", "https://www.harbourline.com"),
                    set_in("organisation.contact.url", "https://www.harbourline.com/incident"),
                    set_in("organisation.contact.email", "help@harbourline.com"),
                    set_in("organisation.sender.email", "care@harbourline.com"))


def test_a_contact_url_on_another_domain_is_an_error_naming_the_field(tmp_path: Path) -> None:
    assert not {i for i in rule_ids(findings_for(tmp_path, HARBOURLINE)) if i.startswith("links.")}
    every = findings_for(tmp_path, edits(HARBOURLINE, set_in(
        "organisation.contact.url", "https://harbourline-support.com/incident")))
    found = [f for f in every if f.rule_id.startswith("links.")]
    assert {(f.rule_id, f.severity, f.field) for f in found} == {
        ("links.domain", "error", ("organisation", "contact", "url"))}
    assert found[0].message == (
        "the HTML links to 'https://harbourline-support.com/incident', which is not on a domain "
        "of the organisation's (harbourline.com)")
    assert found[0].fix == ("change organisation.contact.url to an address on one of them, or, if "
                            "harbourline-support.com really is yours, add it to "
                            "organisation.link_domains")


def test_a_contact_email_on_another_domain_is_an_error_naming_the_field(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(HARBOURLINE, set_in(
        "organisation.contact.email", "help@harbourline-secure.com")))
    assert {(f.rule_id, f.severity, f.field) for f in found if f.rule_id.startswith("links.")} == {
        ("links.domain", "error", ("organisation", "contact", "email"))}


def test_a_contact_domain_listed_in_link_domains_or_under_the_website_passes(tmp_path: Path) -> None:
    listed = edits(HARBOURLINE, set_in("organisation.contact.url", "https://harbourline-support.com/x"),
                   set_in("organisation.link_domains", ["harbourline-support.com"]))
    assert "links.contact_domain" not in rule_ids(findings_for(tmp_path, listed))
    sub = edits(HARBOURLINE, set_in("organisation.contact.url", "https://support.harbourline.com/"),
                set_in("organisation.contact.email", "help@email.harbourline.com"))
    assert "links.contact_domain" not in rule_ids(findings_for(tmp_path, sub))


def test_registrable_domains() -> None:
    assert registrable_domain("www.harbourline.com") == "harbourline.com"
    assert registrable_domain("email.coop.co.uk") == "coop.co.uk"
    assert registrable_domain("support.shopback.sg") == "shopback.sg"
    assert registrable_domain("www.example.com.sg") == "example.com.sg"
    assert registrable_domain("harbourline-support.com") != registrable_domain("www.harbourline.com")


@pytest.mark.parametrize(("field", "value", "named"), [
    ("organisation.privacy_contact", {"name": "DPO", "email": "dpo@harbour-line.com"},
     "organisation.privacy_contact.email"),
    ("organisation.reply_to", "care@harbourline-help.com", "organisation.reply_to"),
])
def test_a_look_alike_privacy_or_reply_to_address_is_an_error_in_a_reader_notice(
        tmp_path: Path, field: str, value: object, named: str) -> None:
    found = [f for f in findings_for(tmp_path, edits(HARBOURLINE, set_in(field, value)))
             if f.rule_id in ("links.contact_domain", "links.domain")]
    assert found and {f.severity for f in found} == {"error"}
    assert {".".join(map(str, f.field or ())) for f in found} == {named}


def test_a_look_alike_reply_to_is_a_warning_in_a_notice_for_staff(tmp_path: Path) -> None:
    staff = {"customer_line": "We are looking into it.", "help": "Call the IT service desk.",
             "press_office": {"name": "Press office", "email": "press@harbourline.com"}}
    found = [f for f in findings_for(tmp_path, edits(
        HARBOURLINE, set_in("organisation.reply_to", "care@harbourline-help.com"),
        set_in("audiences.0.notice", "staff_notice"), set_in("staff", staff)))
        if f.rule_id == "links.contact_domain"]
    assert [(f.severity, f.field) for f in found] == [("warning", ("organisation", "reply_to"))]


def test_the_sender_declares_its_own_domain(tmp_path: Path) -> None:
    sheet, _ = notice_for(tmp_path, edits(HARBOURLINE, set_in(
        "organisation.sender", {"name": "Harbourline", "email": "news@harbourline-mail.com"})))
    assert organisation_domains(sheet) == {"harbourline.com", "harbourline-mail.com"}


# -- look-alikes, user info, IP hosts, images (issue 14) -----------------------------------------

@pytest.mark.parametrize(("href", "rule"), [
    ("https://shop.example.evil.example/help", "links.domain"),
    ("https://acme.example.evil.example/help", "links.domain"),
    ("https://evil.example/#acme.example", "links.domain"),
    ("https://evil.example/acme.example", "links.domain"),
    ("https://www.acme.example@evil.example/help", "links.userinfo"),
    ("https://user:pass@www.acme.example/help", "links.userinfo"),
    ("https://127.0.0.1/help", "links.ip_host"),
    ("https://2130706433/help", "links.ip_host"),
    ("https://[::1]/help", "links.ip_host"),
    ("https://acme.example.com/help", "links.domain"),
    ("https://xn--acme-pta.example/help", "links.domain"),
])
def test_a_link_trusted_by_accident_is_an_error(tmp_path: Path, href: str, rule: str) -> None:
    sheet, notice = notice_for(tmp_path)
    bad = with_html(notice, 'href="https://www.acme.example/help"', f'href="{href}"')
    found = [f for f in check_notice(sheet, bad) if f.rule_id == rule]
    assert found and {f.severity for f in found} == {"error"}, check_notice(sheet, bad)


def test_a_subdomain_of_the_website_is_the_organisations(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path)
    ok = with_html(notice, 'href="https://www.acme.example/help"', 'href="https://help.acme.example/x"')
    assert not {i for i in checked(sheet, ok) if i.startswith("links.")}


def test_an_image_off_the_organisations_domains_is_an_error(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path, set_in("organisation.brand", {
        "logo": "https://cdn.evil.example/logo.png"}))
    found = [f for f in check_notice(sheet, notice) if f.rule_id == "links.domain"]
    assert [(f.severity, f.field) for f in found] == [("error", ("organisation", "brand", "logo"))]
    assert found[0].message.startswith("the HTML image links to 'https://cdn.evil.example/logo.png'")


def test_an_image_on_the_website_passes(tmp_path: Path) -> None:
    found = findings_for(tmp_path, set_in("organisation.brand", {
        "logo": "https://www.acme.example/logo.png"}))
    assert not {i for i in rule_ids(found) if i.startswith("links.")}


@pytest.mark.parametrize(("entry", "message"), [
    ("com", "'com' is a public suffix: anyone can register a domain under it, so it would let "
            "links go to any of them; write your own domain under it, e.g. 'example.com'"),
    ("co.uk", "'co.uk' is a public suffix: anyone can register a domain under it, so it would "
              "let links go to any of them; write your own domain under it, e.g. 'example.co.uk'"),
    ("github.io", "'github.io' is a public suffix: anyone can register a domain under it, so it "
                  "would let links go to any of them; write your own domain under it, e.g. "
                  "'example.github.io'"),
    ("127.0.0.1", "'127.0.0.1' is an IP address, which readers cannot tell as yours; write a "
                  "domain name of yours, e.g. support.example.com"),
    ("https://help.acme.example/x", "'https://help.acme.example/x' is not a host name; write the "
                                    "host name alone, e.g. 'help.acme.example'"),
])
def test_link_domains_refuses_what_is_not_a_domain_of_yours(entry: str, message: str) -> None:
    from conftest import MINIMAL

    from notifier.errors import SheetError
    from notifier.sheet import parse_sheet

    text = MINIMAL.replace("  sender:", f"  link_domains: ['{entry}']\n  sender:")
    with pytest.raises(SheetError) as info:
        parse_sheet(text, "s.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"s.yaml:8:18: organisation.link_domains.0: {message}"]


@pytest.mark.parametrize(("url", "message"), [
    ("https://user:pass@www.acme.example/help", "'https://user:pass@www.acme.example/help' has a "
     "user name before its host (the part before '@'): a mail program shows one site while the "
     "link goes to another; write the address without the part before '@'"),
    ("https://127.0.0.1/help", "'https://127.0.0.1/help' goes to an IP address: readers cannot "
     "tell whose it is; write the address with your own domain name, e.g. "
     "https://www.example.com/help"),
])
def test_a_url_field_refuses_user_info_and_ip_hosts(url: str, message: str) -> None:
    from conftest import MINIMAL

    from notifier.errors import SheetError
    from notifier.sheet import parse_sheet

    with pytest.raises(SheetError) as info:
        parse_sheet(MINIMAL.replace("https://www.acme.example/help", url), "s.yaml")
    assert [str(p) for p in info.value.problems] == [f"s.yaml:6:10: organisation.contact.url: {message}"]


def test_the_public_suffix_list_is_the_bundled_one_and_never_fetched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from notifier import domains

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the Public Suffix List must not be fetched")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    domains._psl.cache_clear()
    assert registrable_domain("www.shop.example.co.uk") == "example.co.uk"
    assert domains.is_public_suffix("com") and domains.is_public_suffix("blogspot.com")


SHOP = edits(set_in("organisation.website", "https://www.shop.example"),
             set_in("organisation.contact.url", "https://www.shop.example/help"),
             set_in("organisation.contact.email", "help@shop.example"),
             set_in("organisation.sender.email", "care@shop.example"))


@pytest.mark.parametrize("url", ["https://shop.example.evil.example/help",
                                 "https://evil.example/#shop.example",
                                 "https://www.shop-example.example/help"])
def test_a_look_alike_contact_url_refuses_the_reader_notice_at_its_field(
        tmp_path: Path, url: str) -> None:
    from notifier.batch import refuse_on_check_errors
    from notifier.errors import RenderRefused

    sheet, notice = notice_for(tmp_path, edits(SHOP, set_in("organisation.contact.url", url)))
    with pytest.raises(RenderRefused) as info:
        refuse_on_check_errors(sheet, 0, notice)
    found = [p for p in info.value.problems if "[links.domain]" in p.message]
    assert {p.field for p in found} == {"organisation.contact.url"}  # the HTML and the plain text
    problem = found[0]
    assert (problem.line, problem.col) == sheet.source.position(("organisation", "contact", "url"))
    assert problem.hint.startswith("change organisation.contact.url to an address on one of them")
