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


def test_a_look_alike_contact_url_is_a_warning(tmp_path: Path) -> None:
    assert "links.contact_domain" not in rule_ids(findings_for(tmp_path, HARBOURLINE))
    every = findings_for(tmp_path, edits(HARBOURLINE, set_in(
        "organisation.contact.url", "https://harbourline-support.com/incident")))
    found = [f for f in every if f.rule_id == "links.contact_domain"]
    assert [f.severity for f in found] == ["warning"]
    assert found[0].message == (
        "organisation.contact.url 'https://harbourline-support.com/incident' is on "
        "harbourline-support.com, not on the website's domain harbourline.com: readers cannot "
        "tell it from a look-alike phishing address")
    assert "links.domain" not in rule_ids(every)  # the contact's domain is still allowed


def test_a_look_alike_contact_email_is_a_warning(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(HARBOURLINE, set_in(
        "organisation.contact.email", "help@harbourline-secure.com")))
    assert "links.contact_domain" in rule_ids(found, "warning")


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
    ("organisation.sender", {"name": "Harbourline", "email": "news@harbourline-mail.com"},
     "organisation.sender.email"),
    ("organisation.reply_to", "care@harbourline-help.com", "organisation.reply_to"),
])
def test_a_look_alike_privacy_sender_or_reply_to_address_is_a_warning(
        tmp_path: Path, field: str, value: object, named: str) -> None:
    found = [f for f in findings_for(tmp_path, edits(HARBOURLINE, set_in(field, value)))
             if f.rule_id == "links.contact_domain"]
    assert found and found[0].severity == "warning"
    assert found[0].message.startswith(f"{named} ")
