"""Recipient lists: every bad row reported as FILE:ROW:COL, nothing written; rejects; shards."""

from __future__ import annotations

import csv
import json
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from merge_support import HEADER, hotel, many, parse, parts, read_mbox, write_csv

from notifier.errors import UsageError
from notifier.mergerun import merge_recipients
from notifier.recipients import RecipientsError


def _problems(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> list[str]:
    path = write_csv(tmp_path / "list.csv", rows, header)
    with pytest.raises(RecipientsError) as caught:
        merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "out.mbox")
    assert not (tmp_path / "out.mbox").exists()
    assert not (tmp_path / "out.mbox.part").exists()
    return str(caught.value).replace(str(path), "L").splitlines()


GOOD = ["ann@example.com", "earlier-guests", "Ann", "", "C-1", "B-1"]


@pytest.mark.parametrize(("row", "expected"), [
    (["ann@@example.com", *GOOD[1:]],
     "L:2:1: email: is not an email address; write it as name@example.com, without a display "
     "name or angle brackets"),
    (["Ann <ann@example.com>", *GOOD[1:]],
     "L:2:1: email: is not an email address; write it as name@example.com, without a display "
     "name or angle brackets"),
    (["", *GOOD[1:]], "L:2:1: email: is empty; give the recipient's email address"),
    ([GOOD[0], "earlier-guest", *GOOD[2:]],
     "L:2:2: audience: 'earlier-guest' is not an audience of the sheet; did you mean "
     "'earlier-guests'?"),
    ([*GOOD[:3], "name;pasport", *GOOD[4:]],
     "L:2:4: categories: 'pasport' is not among audience 'earlier-guests''s data (name, email, "
     "postal_address, payment_card_partial, payment_card_number, passport); did you mean "
     "'passport'?"),
    ([GOOD[0], "later-guests", "Ann", "passport", "", "B-1"],
     "L:2:4: categories: 'passport' is not among audience 'later-guests''s data (name, email); a "
     "recipient's categories are a subset of the audience's: remove it, or add it to the "
     "audience in the sheet"),
    ([*GOOD[:5], ""],
     "L:2:6: booking_reference: is empty; the sheet declares it for this audience; give the "
     "recipient's value"),
    ([*GOOD[:4], "", "B-1"],
     "L:2:5: activation_code: is empty, and this audience's protection offer gives each reader "
     "a code; give the recipient's activation code"),
    ([GOOD[0], "later-guests", "Ann", "", "C-1", "B-1"],
     "L:2:5: activation_code: audience 'later-guests' gets no protection offer with a code for "
     "each reader; leave it empty (or set activation_code: per_recipient on the sheet's "
     "protection_offer)"),
    ([GOOD[0], GOOD[1], "Ann\nBcc: eve@example.com", *GOOD[3:]],
     "L:2:3: name: holds the line break U+000A (LINE FEED) at character 4; it would break the "
     "email header or hide text from the reader; write the value on one line, without control "
     "characters"),
    ([GOOD[0], GOOD[1], "Ann\u202eevil", *GOOD[3:]],
     "L:2:3: name: holds the control character U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4; "
     "it would break the email header or hide text from the reader; write the value on one "
     "line, without control characters"),
])
def test_each_bad_row_is_reported_at_its_row_and_column(tmp_path: Path, row: list[str],
                                                          expected: str) -> None:
    lines = _problems(tmp_path, [row])
    assert lines[0] == expected
    assert lines[-1].startswith("1 problem in L; nothing was written")


def test_every_problem_is_listed_with_duplicates_by_row_never_by_address(tmp_path: Path) -> None:
    rows = [GOOD, ["bob@example.com", "nobody", "", "", "", ""], ["ANN@example.com", *GOOD[1:]],
            ["carl@example", *GOOD[1:]]]
    lines = _problems(tmp_path, rows)
    assert [line.split(":")[1:3] for line in lines[:-1]] == [["3", "2"], ["5", "1"], ["4", "1"]]
    assert lines[2] == ("L:4:1: email: the same address and audience as row 2; remove one of the "
                        "two rows (each person gets one notice an audience)")
    assert lines[-1].startswith("3 problems in L")
    assert not any(r[0] in line or r[0].split("@")[0] + "@" in line for r in rows for line in lines)


def test_header_problems_come_before_any_row(tmp_path: Path) -> None:
    lines = _problems(tmp_path, [GOOD[:2] + ["x"]], ["email", "audiance", "booking_ref"])
    assert lines[:-1] == [
        "L:1:1: audience: the header has no such column; add a column named 'audience' (the "
        "first row names the columns)",
        "L:1:2: audiance: is not a column a recipient list can have; did you mean 'audience'?",
        "L:1:3: booking_ref: is not a column a recipient list can have; did you mean "
        "'booking_reference'?",
        "L:1:1: booking_reference: the sheet declares this per-recipient field, and the header "
        "has no such column; add a column named 'booking_reference'"]


def test_not_utf8_and_not_json_rows(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"email,audience,booking_reference,activation_code\n"
                     b"ann@example.com,earlier-guests,Caf\xe9,C-1\n")
    with pytest.raises(RecipientsError) as caught:
        merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "out.mbox")
    assert str(caught.value).splitlines()[0] == (
        f"{path}:2:35: is not UTF-8 text (byte 0xE9); save the list as UTF-8 (in a spreadsheet: "
        "CSV UTF-8)")
    jsonl = tmp_path / "list.jsonl"
    jsonl.write_text('{"email": "ann@example.com", "audience": "earlier-guests", '
                     '"activation_code": "C-1", "booking_reference": "B", "nickname": "A"}\n'
                     '{"email": "bob@example.com",\n', encoding="utf-8")
    with pytest.raises(RecipientsError) as caught:
        merge_recipients(hotel(), jsonl, fmt="mbox", out=tmp_path / "out.mbox")
    lines = str(caught.value).replace(str(jsonl), "L").splitlines()
    assert lines[0] == ("L:1:112: nickname: is not a column a recipient list can have; did you "
                        "mean 'name'?")
    assert lines[1].startswith("L:2:29: is not JSON (Expecting property name enclosed in double quotes)")


def test_a_bom_is_read_as_no_character(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [GOOD], bom=True)
    result = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "out.mbox")
    assert result.summary["written"] == 1


def test_rejects_holds_the_bad_rows_with_reasons_and_the_good_ones_go_out(tmp_path: Path) -> None:
    rows = [GOOD, [GOOD[0], "earlier-guest", *GOOD[2:]], ["bob@example.com", *GOOD[1:]],
            ["ann@example.com", *GOOD[1:]]]
    path = write_csv(tmp_path / "list.csv", rows)
    result = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "out.mbox",
                              rejects=tmp_path / "rejects.csv")
    assert (result.summary["written"], result.summary["rejected"]) == (2, 2)
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as f:
        rejected = list(csv.reader(f))
    assert rejected[0] == ["row", *HEADER, "problems"]
    assert [r[0] for r in rejected[1:]] == ["3", "5"]
    assert rejected[1][1:-1] == [GOOD[0], "earlier-guest", *GOOD[2:]]
    assert rejected[2][-1] == ("email: the same address and audience as row 2; remove one of the "
                               "two rows (each person gets one notice an audience)")
    assert (tmp_path / "rejects.csv").stat().st_mode & 0o777 == 0o600


def test_a_refused_variant_refuses_its_rows_with_the_reason(tmp_path: Path) -> None:
    # 'No action needed' while misuse is suspected would be untrue: the later guests' notice
    # is refused, so are their rows, and the earlier guests' rows still go out.
    from notifier.sheet import load_sheet

    sheet_path = tmp_path / "hotel.yaml"
    sheet_path.write_text(Path(hotel().source.path).read_text(encoding="utf-8")
                          .replace("notice: incident\n    data_involved: [name, email]",
                                   "notice: no_action_needed\n    data_involved: [name, email]")
                          .replace("misuse: none_known", "misuse: suspected"), encoding="utf-8")
    rows = [["ann@example.com", "earlier-guests", "Ann", "", "C-1", "B"],
            ["carl@example.com", "later-guests", "", "", "", "B"]]
    path = write_csv(tmp_path / "list.csv", rows)
    with pytest.raises(RecipientsError) as caught:
        merge_recipients(load_sheet(sheet_path), path, fmt="mbox", out=tmp_path / "out.mbox")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"refused (audience 'later-guests'): {sheet_path}:")
    assert "cannot be told 'no action needed' when misuse of the data is suspected" in lines[0]
    assert lines[1].startswith(f"{path}:3:2: audience: its notice (audience 'later-guests') is "
                               "refused: audience 'later-guests' cannot be told 'no action needed'")
    result = merge_recipients(load_sheet(sheet_path), path, fmt="mbox", out=tmp_path / "out.mbox",
                              rejects=tmp_path / "rejects.csv")
    assert (result.summary["written"], result.summary["rejected"]) == (1, 1)
    assert [v["refused"] for v in result.summary["variants"]] == [False, True]


def test_shards_split_the_list_exactly(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", many(300) + [["bad", "earlier-guests", "", "", "", ""]])
    seen: list[set[str]] = []
    rejected = 0
    for k in (1, 2, 3):
        out = tmp_path / f"out{k}.mbox"
        result = merge_recipients(hotel(), path, fmt="mbox", out=out, shard=(k - 1, 3),
                                  rejects=tmp_path / f"rejects{k}.csv")
        rejected += result.summary["rejected"]
        seen.append({str(parse(m)["To"]).rpartition("<")[2].strip(">") for m in read_mbox(out)})
        assert result.summary["shard"] == f"{k}/3"
    assert all(len(s) > 50 for s in seen)  # each shard has its share
    assert not (seen[0] & seen[1]) and not (seen[0] & seen[2]) and not (seen[1] & seen[2])
    assert seen[0] | seen[1] | seen[2] == {r[0] for r in many(300)}
    assert rejected == 1  # the bad row is reported by one shard only


def test_options_are_checked(tmp_path: Path) -> None:
    from notifier.merge import parse_shard

    assert parse_shard("2/4") == (1, 4)
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(UsageError, match="is not K/N"):
            parse_shard(bad)
    with pytest.raises(UsageError, match="is a .csv file"):
        merge_recipients(hotel(), tmp_path / "list.txt", fmt="mbox", out=tmp_path / "o")
    path = write_csv(tmp_path / "list.csv", [GOOD])
    with pytest.raises(UsageError, match="is not one of mbox"):
        merge_recipients(hotel(), path, fmt="postmark", out=tmp_path / "o")


def test_jsonl_with_a_list_of_categories(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text(json.dumps({"email": "ann@example.com", "audience": "earlier-guests",
                                "categories": ["name", "email"], "activation_code": "C-1",
                                "booking_reference": "B-1"}) + "\n", encoding="utf-8")
    result = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "out.mbox")
    assert result.summary["variants"][0]["categories"] == ["name", "email"]


def test_a_recipients_locale_makes_its_own_variant(tmp_path: Path) -> None:
    header = [*HEADER, "locale"]
    rows = [[*GOOD, "en-US"], ["bob@example.com", *GOOD[1:], ""], ["eve@example.com", *GOOD[1:], "fr-FR"]]
    path = write_csv(tmp_path / "list.csv", rows, header)
    result = merge_recipients(hotel(), path, fmt="mbox", out=tmp_path / "out.mbox",
                              rejects=tmp_path / "rejects.csv")
    us, gb = (" ".join(parts(parse(m))[0].split()) for m in read_mbox(tmp_path / "out.mbox"))
    assert "We found out on March 2, 2026" in us and "We found out on 2 March 2026" in gb
    assert [v["locale"] for v in result.summary["variants"]] == ["en-GB", "en-US", "fr-FR"]
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as f:
        [_, rejected] = list(csv.reader(f))
    assert rejected[0] == "4"
    # the built-in wording is in French, but this sheet's own text is English only
    assert ("[language.sheet_text] recipients.greeting is only in en-GB, and this reader reads "
            "fr-FR") in rejected[-1]


def test_a_recipient_whose_locale_is_french_gets_the_french_notice(tmp_path: Path) -> None:
    from notifier.sheet import load_sheet

    sheet = load_sheet(Path(hotel().source.path).with_name("hotel-fr.yaml"))
    header = [*HEADER, "locale"]
    rows = [[*GOOD, "fr-FR"], ["bob@example.com", "earlier-guests", "Bob", "", "C-2", "B-2", ""]]
    path = write_csv(tmp_path / "list.csv", rows, header)
    result = merge_recipients(sheet, path, fmt="mbox", out=tmp_path / "out.mbox",
                              rejects=tmp_path / "rejects.csv")
    assert sorted((v["locale"], v["refused"]) for v in result.summary["variants"]) == [
        ("en-GB", False), ("fr-FR", False)]
    assert result.summary["written"] == 2 and result.summary["rejected"] == 0
    by_language = {m["Content-Language"]: m for m in map(parse, read_mbox(tmp_path / "out.mbox"))}
    french, english = by_language["fr-FR"], by_language["en-GB"]
    assert str(make_header(decode_header(french["Subject"]))) == (
        "Incident de sécurité chez Harbourline Hotels touchant vos données")
    text = " ".join(parts(french)[0].split())
    for said in ("Bonjour Ann,",  # the sheet's greeting in French, with the reader's name
                 "Quelqu'un a copié des données de nos systèmes sans autorisation",
                 "Votre référence de réservation : B-1",  # the field's French label
                 "Quelqu'un s'est introduit dans notre système de réservation",  # sheet text
                 "Nous l'avons découvert le 2 mars 2026",
                 "Si vos données d'identité (numéro de passeport) ont été touchées",
                 "Votre code d'activation est C-1.",
                 "Directrice générale, Harbourline Hotels"):
        assert said in text, said
    assert "Dear" not in text and "booking" not in text
    html = " ".join(parts(french)[1].split())
    assert 'lang="fr-FR"' in html and "Votre référence de réservation : <strong>B-1</strong>" in html
    english_text = " ".join(parts(english)[0].split())
    assert "Dear Bob," in english_text and "Your booking reference: B-2" in english_text


def test_a_variant_the_checks_find_an_error_in_is_refused_or_a_marked_draft(tmp_path: Path) -> None:
    from notifier.sheet import load_sheet

    text = Path(hotel().source.path).read_text(encoding="utf-8").replace(
        "status: contained", "status: resolved")
    text = text.split("  actions_taken:")[0] + "  authorities:" + text.split("  authorities:")[1]
    sheet_path = tmp_path / "hotel.yaml"
    sheet_path.write_text(text, encoding="utf-8")  # resolved, but no actions taken: an error
    path = write_csv(tmp_path / "list.csv", [GOOD])
    with pytest.raises(RecipientsError) as caught:
        merge_recipients(load_sheet(sheet_path), path, fmt="mbox", out=tmp_path / "out.mbox")
    assert "[consistency.resolved_without_actions]" in str(caught.value)
    result = merge_recipients(load_sheet(sheet_path), path, fmt="mbox", out=tmp_path / "out.mbox",
                              allow_errors=True)
    assert result.summary["variants"][0]["draft"] is True
    message = parse(read_mbox(tmp_path / "out.mbox")[0])
    assert message["Subject"].startswith("[DRAFT - NOT FOR SENDING] ")
