"""Merged messages, parsed back by the real tools: mbox, maildir and .eml, exact to the byte of
text each recipient should read; hostile values escaped; private files; runs that repeat."""

from __future__ import annotations

import mailbox
import stat
from pathlib import Path

import lxml.html
import pytest
from merge_support import hotel, intended, many, parse, parts, read_mbox, write_csv

from notifier.errors import UsageError
from notifier.mergerun import merge_recipients
from notifier.recipients import Recipient

HOSTILE = 'Eve "<script>alert(1)</script>" & O\'Brien, <b>Café</b> =?utf-8?q?x?= From me'


def test_each_mbox_message_is_exactly_the_intended_notice(tmp_path: Path) -> None:
    sheet = hotel()
    rows = [["ann@example.com", "earlier-guests", HOSTILE, "", "AB<&>'\"-1", "REF <i>&amp;"],
            ["bob@example.com", "earlier-guests", "", "name;email", "C-2", "B-2"],
            ["carl@example.com", "later-guests", "Carl" + " Longname" * 12, "", "", "From here"]]
    path = write_csv(tmp_path / "list.csv", rows)
    out = tmp_path / "out.mbox"
    result = merge_recipients(sheet, path, fmt="mbox", out=out)
    messages = read_mbox(out)
    assert len(messages) == 3 == result.summary["written"]
    for line, data in enumerate(messages, 2):
        row = rows[line - 2]
        audience = 0 if row[1] == "earlier-guests" else 1
        recipient = Recipient(line, row[0], audience, row[2], "",
                              tuple(row[3].split(";")) if row[3] else None, row[4], (row[5],))
        variant, text, html = intended(sheet, recipient)
        message = parse(data)
        got_text, got_html = parts(message)
        assert got_html == html
        if max(len(x) for x in text.splitlines()) <= 78:
            assert got_text == text
        # else a long name's greeting is wrapped at 78 columns, as render wraps
        assert got_text.replace("\n", " ").split() == text.replace("\n", " ").split()
        assert max(len(x) for x in got_text.splitlines()) <= 78
        assert message["Subject"] == variant.notice.subject
        assert message["To"].addresses[0].addr_spec == row[0]
        assert message["To"].addresses[0].display_name == row[2]
        assert len(message["To"].addresses) == 1
        assert max(len(x) for x in data.split(b"\n")[30:]) <= 76  # quoted-printable lines
        assert not any(x.startswith(b"From ") for x in data.split(b"\n"))


def test_hostile_values_are_text_in_html_and_never_a_header(tmp_path: Path) -> None:
    rows = [["ann@example.com", "earlier-guests", HOSTILE, "", "<img/src=x>", "</p><script>x</script>"]]
    out = tmp_path / "out.mbox"
    merge_recipients(hotel(), write_csv(tmp_path / "list.csv", rows), fmt="mbox", out=out)
    message = parse(read_mbox(out)[0])
    _, html = parts(message)
    page = lxml.html.document_fromstring(html)
    assert not page.xpath("//script") and not page.xpath("//img[@src='x']")
    paragraphs = ["".join(p.itertext()) for p in page.iter("p")]
    assert f"Dear {HOSTILE}," in paragraphs
    assert "Your booking reference: </p><script>x</script>" in paragraphs
    assert "Your activation code is <img/src=x>." in paragraphs
    assert [k for k in message.keys() if k.lower() == "bcc"] == []


@pytest.mark.parametrize("fmt", ["maildir", "eml"])
def test_folders_hold_one_private_file_a_recipient(tmp_path: Path, fmt: str) -> None:
    rows = many(12)
    out = tmp_path / "out"
    merge_recipients(hotel(), write_csv(tmp_path / "list.csv", rows), fmt=fmt, out=out)
    if fmt == "maildir":
        box = mailbox.Maildir(out, create=False)
        messages = [box.get_bytes(key) for key in box.iterkeys()]
    else:
        messages = [p.read_bytes() for p in sorted(out.glob("*/*.eml"))]
    addresses = sorted(parse(m)["To"].addresses[0].addr_spec for m in messages)
    assert addresses == sorted(r[0] for r in rows)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    folders = [out, *[p for p in out.rglob("*") if p.is_dir()]]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in folders)


def test_runs_are_deterministic_and_safe_to_repeat(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", many(30))
    first = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "a.mbox")
    second = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "b.mbox")
    assert (tmp_path / "a.mbox").read_bytes() == (tmp_path / "b.mbox").read_bytes()
    ids = [parse(m)["Message-ID"] for m in read_mbox(tmp_path / "a.mbox")]
    assert len(set(ids)) == 30
    assert first.summary == second.summary
    assert stat.S_IMODE((tmp_path / "a.mbox").stat().st_mode) == 0o600
    again = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "a.mbox")
    assert again.already_done and again.summary == first.summary
    other = write_csv(tmp_path / "other.csv", many(31))
    with pytest.raises(UsageError, match="already exists and holds another run's output"):
        merge_recipients(hotel(), other, fmt="mbox", out=tmp_path / "a.mbox")
    assert (tmp_path / "a.mbox").read_bytes() == (tmp_path / "b.mbox").read_bytes()


def test_summary_holds_counts_and_no_recipient_data(tmp_path: Path) -> None:
    rows = many(40)
    path = write_csv(tmp_path / "list.csv", rows)
    result = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "out.mbox")
    text = (tmp_path / "out.mbox.summary.json").read_text(encoding="utf-8")
    assert "@" not in text and "Guest" not in text and "CODE-" not in text
    summary = result.summary
    assert summary["written"] == 40
    assert summary["audiences"] == {"earlier-guests": {"written": 27, "rejected": 0},
                                    "later-guests": {"written": 13, "rejected": 0}}
    assert sum(v["written"] for v in summary["variants"]) == 40
    assert {tuple(v["categories"] or ()) for v in summary["variants"]} == {
        (), ("name", "email"), ("name", "email", "passport"), ("name", "payment_card_partial")}


def test_a_merged_notice_says_only_the_recipients_categories(tmp_path: Path) -> None:
    rows = [["ann@example.com", "earlier-guests", "", "name;email;passport", "C", "B"],
            ["bob@example.com", "earlier-guests", "", "", "C", "B"]]
    out = tmp_path / "out.mbox"
    merge_recipients(hotel(), write_csv(tmp_path / "list.csv", rows), fmt="mbox", out=out)
    limited, full = (parts(parse(m))[0] for m in read_mbox(out))
    assert "- Payment details: your full payment card number" in full
    assert "Payment details" not in limited and "Call your bank or card provider" not in limited
    assert "- Contact details: your name and email address\n" in limited
    # the passport stays "may have been involved" for her, as the sheet says it
    assert ("May have been involved (we cannot rule it out):\n- Identity details: your passport "
            "number\n") in limited
