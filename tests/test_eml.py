"""The .eml of each notice: MIME structure, headers, encoding, determinism, header injection."""

from __future__ import annotations

import dataclasses
import email
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import edited_yaml, sheet_with

from notifier import commands
from notifier.eml import build_eml, message_date
from notifier.errors import RenderRefused, UsageError
from notifier.render import RenderedNotice, render_sheet

REPLY_TO = {"organisation.reply_to": "replies@acme.example"}


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def notice(**changes: object) -> RenderedNotice:
    (rendered,) = render_sheet(sheet_with(**changes)).notices
    return rendered


def render_to(tmp_path: Path, yaml_text: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(yaml_text, encoding="utf-8")
    report = commands.render([sheet], outbox=tmp_path / "outbox")
    assert report.ok, report.as_dict()
    return tmp_path / "outbox" / "acme-2025" / "customers"


def test_eml_is_multipart_alternative_text_then_html_equal_to_the_files(tmp_path: Path) -> None:
    folder = render_to(tmp_path, edited_yaml(**REPLY_TO))
    message = parse((folder / "incident.eml").read_bytes())
    assert message.defects == []
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    assert all(p.defects == [] for p in parts)
    assert parts[0].get_content() == (folder / "incident.txt").read_text(encoding="utf-8")
    assert parts[1].get_content() == (folder / "incident.html").read_text(encoding="utf-8")


def test_eml_headers(tmp_path: Path) -> None:
    folder = render_to(tmp_path, edited_yaml(**REPLY_TO))
    message = parse((folder / "incident.eml").read_bytes())
    assert message["From"] == "Acme Customer Care <care@acme.example>"
    assert message["From"].addresses[0].display_name == "Acme Customer Care"
    assert message["Reply-To"] == "replies@acme.example"
    assert message["Subject"] == "Security incident at Acme Ltd involving your data"
    # a draft: no Date that would be wrong on the day it is sent; it says it is a draft
    assert message["Date"] is None
    assert message["X-Notifier-Draft"] == "yes; the sending system adds To and Date"
    assert message["X-Unsent"] == "1"  # Outlook opens it as a message to send
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert message["MIME-Version"] == "1.0"
    assert message["Content-Language"] == "en-GB"
    assert re.fullmatch(r"<[0-9a-f]{40}@acme\.example>", message["Message-ID"])
    assert message["To"] is None  # the sending system adds the recipient
    manifest = (folder.parent / "manifest.json").read_text(encoding="utf-8")
    assert '"customers/incident.eml"' in manifest


def test_no_reply_to_header_when_the_sheet_gives_none() -> None:
    message = parse(build_eml(notice(), date=datetime(2025, 4, 22, tzinfo=UTC)))
    assert "Reply-To" not in message


def test_eml_is_byte_identical_across_runs(tmp_path: Path) -> None:
    first = render_to(tmp_path / "a", edited_yaml()) / "incident.eml"
    second = render_to(tmp_path / "b", edited_yaml()) / "incident.eml"
    assert first.read_bytes() == second.read_bytes()


def test_message_id_follows_the_content() -> None:
    date = datetime(2025, 4, 22, tzinfo=UTC)
    one = parse(build_eml(notice(), date=date))["Message-ID"]
    same = parse(build_eml(notice(), date=date))["Message-ID"]
    other = parse(build_eml(notice(**{"incident.summary": "Something else happened."}),
                            date=date))["Message-ID"]
    assert one == same
    assert one != other


def test_source_date_epoch_names_the_draft_but_dates_nothing(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    before = parse((render_to(tmp_path / "a", edited_yaml()) / "incident.eml").read_bytes())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1745310600")
    after = parse((render_to(tmp_path / "b", edited_yaml()) / "incident.eml").read_bytes())
    assert after["Date"] is None
    assert after["Message-ID"] != before["Message-ID"]


def test_a_sent_message_has_its_date_and_no_draft_marks() -> None:
    date = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    message = parse(build_eml(notice(), date=date, to=["reader@example.net"]))
    assert message["Date"] == "Mon, 07 Dec 2026 09:30:00 +0000"
    assert message["X-Notifier-Draft"] is None and message["X-Unsent"] is None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"


def test_a_draft_parses_strictly_without_defects() -> None:
    import email
    import email.policy

    raw = build_eml(notice(), date=datetime(2025, 4, 22, tzinfo=UTC), draft=True)
    message = email.message_from_bytes(raw, policy=email.policy.strict)
    assert message.defects == [] and message["Date"] is None
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/alternative", "text/plain", "text/html"]


def test_a_bad_source_date_epoch_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        message_date(sheet_with(), {"SOURCE_DATE_EPOCH": "yesterday"})
    assert str(info.value) == ("SOURCE_DATE_EPOCH='yesterday' is not a number of seconds since "
                               "1970-01-01 UTC; set it to e.g. 1745310600 or unset it")


def test_non_ascii_subject_and_sender_are_mime_encoded(tmp_path: Path) -> None:
    folder = render_to(tmp_path, edited_yaml(**{"organisation.name": "Café Ünïcode",
                                                "organisation.sender.name": "Équipe Café"}))
    raw = (folder / "incident.eml").read_bytes()
    assert raw.isascii()  # 7-bit clean: any SMTP server takes it
    head = raw.split(b"\n\n", 1)[0].decode("ascii")
    assert re.search(r"^Subject: =\?utf-8\?[qb]\?", head, re.M)
    assert re.search(r"^From: =\?utf-8\?[qb]\?.*\?= <care@acme\.example>$", head, re.M)
    message = parse(raw)
    assert message["Subject"] == "Security incident at Café Ünïcode involving your data"
    assert message["From"].addresses[0].display_name == "Équipe Café"
    html = message.get_body(("html",))
    assert html is not None and html["Content-Transfer-Encoding"] == "quoted-printable"
    assert html.get_content() == (folder / "incident.html").read_text(encoding="utf-8")


def test_long_subject_is_folded_and_unfolds_to_the_same_text() -> None:
    long = "Important: " + " ".join(["a very long subject line"] * 6)
    message_bytes = build_eml(dataclasses.replace(notice(), subject=long),
                              date=datetime(2025, 4, 22, tzinfo=UTC))
    head = message_bytes.split(b"\n\n", 1)[0]
    assert max(len(line) for line in head.split(b"\n")) <= 78
    assert parse(message_bytes)["Subject"] == long


def test_to_and_prefix_for_test_sends() -> None:
    message = parse(build_eml(notice(), date=datetime(2025, 4, 22, tzinfo=UTC),
                              to=["a@example.com", "b@example.com"], subject_prefix="[TEST] ",
                              message_id="<x@acme.example>"))
    assert message["To"] == "a@example.com, b@example.com"
    assert message["Subject"].startswith("[TEST] Security incident")
    assert message["Message-ID"] == "<x@acme.example>"


@pytest.mark.parametrize(("field", "value", "name"), [
    ("subject", "Hello\r\nBcc: victim@example.com", "subject"),
    ("subject", "Hello\nthere", "subject"),
    ("sender", ("Acme\r\nBcc: victim@example.com", "care@acme.example"), "organisation.sender.name"),
    ("sender", ("Acme", "care@acme.example\nBcc: x@example.com"), "organisation.sender.email"),
    ("reply_to", "replies@acme.example\rX: y", "organisation.reply_to"),
])
def test_a_line_break_in_a_header_is_refused_never_injected(field: str, value: object,
                                                            name: str) -> None:
    bad = dataclasses.replace(notice(), **{field: value})
    with pytest.raises(RenderRefused) as info:
        build_eml(bad, date=datetime(2025, 4, 22, tzinfo=UTC))
    (problem,) = info.value.problems
    assert problem.field == name
    text = "".join(value) if isinstance(value, tuple) else str(value)
    char = "\r" if "\r" in text else "\n"
    assert str(problem) == (
        f"acme-2025/customers/incident: {name}: contains the control character {char!r}, which "
        "would break the email header (header injection); write it on one line without "
        "control characters")


def test_a_recipient_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(RenderRefused) as info:
        build_eml(notice(), date=datetime(2025, 4, 22, tzinfo=UTC), to=["Bob <bob@example.com>"])
    assert str(info.value) == ("acme-2025/customers/incident: to: 'Bob <bob@example.com>' is not "
                               "an email address; write e.g. reviewer@example.com")


def test_message_date_follows_the_notice_date_and_never_precedes_the_corrected_message() -> None:
    from conftest import INCIDENTS

    from notifier.eml import message_date
    from notifier.sheet import load_sheet

    shopback = load_sheet(INCIDENTS / "shopback-2020.yaml")  # notice_date: 2020-09-26
    assert message_date(shopback, environ={}).isoformat() == "2020-09-26T09:00:00+08:00"
    # notice_date 2 May, but the ICO was told at 10:00 that day: never dated before a fact
    coop = load_sheet(INCIDENTS / "co-op-2025.yaml")
    assert message_date(coop, environ={}).isoformat() == "2025-05-02T10:00:00+01:00"
