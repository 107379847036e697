"""Odd input a hostile or unlucky user gives: each ends in one clear, placed line and exit 2, or a warning.

Special files, files whose size stat() misreports, control and invisible characters, dates a
notice cannot carry, YAML scalars that mean different things to different readers, and a
very large sheet with no aliases at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import MINIMAL

from notifier.cli import main
from notifier.errors import SheetError
from notifier.sheet import load_sheet, parse_sheet, validate_source
from notifier.yamlsource import MAX_BYTES, MAX_VALUES, parse_yaml, read_yaml


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def problem_lines(text: str) -> list[str]:
    with pytest.raises(SheetError) as info:
        parse_sheet(text, "s.yaml")
    return [str(p) for p in info.value.problems]


# -- special files and sizes ----------------------------------------------------------------

@pytest.mark.parametrize(("device", "kind"), [
    ("/dev/zero", "a character device"), ("/dev/urandom", "a character device"),
    ("/dev/null", "a character device")])
def test_a_device_is_refused_before_any_read(device: str, kind: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", device], capsys)
    assert (code, out) == (2, "")
    assert err == (f"{device}: this is {kind}, not a fact sheet file; name a .yaml file\n"
                   "1 problem in 1 file\n")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "sheet.yaml"
    os.mkfifo(fifo)
    # A subprocess, so that a regression hangs one child (killed by the timeout), not the suite.
    proc = subprocess.run([sys.executable, "-m", "notifier", "validate", str(fifo)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == (
        f"{fifo}: this is a named pipe (FIFO), not a fact sheet file; name a .yaml file")


def test_the_size_limit_counts_bytes_read_not_what_stat_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"# padding\n" * (MAX_BYTES // 5))  # 2 MB
    real_fstat = os.fstat

    def small_fstat(fd: int) -> os.stat_result:  # as /proc files and growing files report
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *list(info)[1:6], 10, *list(info)[7:10]))

    monkeypatch.setattr(os, "fstat", small_fstat)
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(SheetError) as info:
        read_yaml(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: the file is more than 1 MB; a fact sheet may be at most 1 MB; check that this "
        "is the right file; a fact sheet is a few kilobytes of YAML"]
    assert sum(reads) <= MAX_BYTES + 1


def test_a_sheet_you_may_not_read_is_a_clear_problem(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    real_open = os.open

    def denied(file: object, flags: int, *args: object) -> int:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)  # the tests run as root, so chmod would not do
    code, _, err = run(["validate", str(path)], capsys)
    assert code == 2
    assert err.splitlines()[0] == (f"{path}: cannot read the file (Permission denied); check "
                                   "that it exists and that you may read it")


def test_a_3000_audience_sheet_without_aliases_is_not_taken_for_an_alias_bomb() -> None:
    audiences = "".join(f"  - id: group-{i}\n    name: Group {i}\n    notice: incident\n"
                        f"    size: {i + 1}\n    jurisdictions: [GB]\n" for i in range(3000))
    sheet = parse_sheet(MINIMAL.split("audiences:")[0] + "audiences:\n" + audiences, "big.yaml")
    assert len(sheet.audiences) == 3000


def test_the_value_limit_names_itself_not_aliases() -> None:
    text = "a: [" + ",".join(["1"] * (MAX_VALUES + 1)) + "]\n"
    assert len(text) < MAX_BYTES
    with pytest.raises(SheetError) as info:
        parse_yaml(text, "s.yaml")
    [problem] = info.value.problems
    assert str(problem) == (f"s.yaml:1:1: a.{MAX_VALUES - 1}: the document holds more than "
                            f"{MAX_VALUES} values, the most a fact sheet may hold; split the "
                            "audiences over several sheets, or check that this is the right file")


# -- characters -------------------------------------------------------------------------------

def test_a_nul_byte_is_placed_at_its_line_and_column() -> None:
    text = MINIMAL.replace("name: Customers", "name: Cust\0omers")
    with pytest.raises(SheetError) as info:
        parse_yaml(text.encode(), "s.yaml")
    assert [str(p) for p in info.value.problems] == [
        "s.yaml:21:15: the file contains the control character U+0000 (NUL), which a fact "
        "sheet cannot hold; delete it; editors often show it as a box or not at all"]


@pytest.mark.parametrize(("raw", "name"), [("\x1b", "U+001B (ESCAPE)"), ("\x07", "U+0007 (BEL)")])
def test_a_raw_control_character_is_placed(raw: str, name: str) -> None:
    lines = problem_lines(MINIMAL.replace("name: Customers", f"name: Cust{raw}omers"))
    assert lines == [f"s.yaml:21:15: the file contains the control character {name}, which a fact "
                     "sheet cannot hold; delete it; editors often show it as a box or not at all"]


def test_a_utf16_file_is_named_as_such() -> None:
    with pytest.raises(SheetError) as info:
        parse_yaml(MINIMAL.encode("utf-16"), "s.yaml")
    assert str(info.value.problems[0]) == ("s.yaml:1:1: the file is saved as UTF-16 text; save "
                                           "it as UTF-8 from your editor")


def test_a_utf8_byte_order_mark_is_fine() -> None:
    assert parse_sheet(b"\xef\xbb\xbf" + MINIMAL.encode(), "s.yaml").id == "acme-2025"


INVISIBLE = [
    ("\\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"), ("\\u200b", "U+200B (ZERO WIDTH SPACE)"),
    ("\\u200d", "U+200D (ZERO WIDTH JOINER)"), ("\\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    ("\\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"), ("\\e", "U+001B (ESCAPE)"), ("\\a", "U+0007 (BEL)"),
    ("\\x7f", "U+007F (DELETE)"), ("\\x9b", "U+009B"), ("\\t", "U+0009 (TAB)"),
]


@pytest.mark.parametrize(("escape", "name"), INVISIBLE)
def test_block_text_refuses_control_and_invisible_characters(escape: str, name: str) -> None:
    text = MINIMAL.replace("summary: Someone got", f'summary: "Someone{escape} got') \
        .replace("permission.\n", 'permission."\n')
    assert problem_lines(text) == [
        f"s.yaml:14:12: incident.summary: contains the invisible or control character {name} at "
        "character 8; delete it (retype the text around it if your editor does not show it)"]


def test_an_invisible_character_written_as_is_is_placed_at_its_own_column() -> None:
    # U+202E cannot be seen in the editor: the column must point at it, not at the value.
    text = MINIMAL.replace("summary: Someone got", "summary: Someone\u202e got")
    assert problem_lines(text)[0].startswith("s.yaml:14:19: incident.summary: contains the "
                                             "invisible or control character U+202E")


def test_block_text_keeps_its_newlines() -> None:
    text = MINIMAL.replace("summary: Someone got into one of our systems without permission.",
                           "summary: |\n    Someone got into one of our systems.\n    "
                           "We closed the gap.")
    assert parse_sheet(text, "s.yaml").incident.summary == (
        "Someone got into one of our systems.\nWe closed the gap.\n")


@pytest.mark.parametrize(("escape", "name"), [
    ("\\n", "U+000A (LINE FEED)"), ("\\r", "U+000D (CARRIAGE RETURN)"),
    ("\\v", "U+000B (VERTICAL TAB)"), ("\\f", "U+000C (FORM FEED)"), ("\\N", "U+0085 (NEXT LINE)"),
    ("\\L", "U+2028 (LINE SEPARATOR)"), ("\\P", "U+2029 (PARAGRAPH SEPARATOR)"),
    ("\\x1c", "U+001C (FILE SEPARATOR)"), ("\\x1e", "U+001E (RECORD SEPARATOR)")])
def test_a_header_bound_field_refuses_every_kind_of_line_break(escape: str, name: str) -> None:
    text = MINIMAL.replace("name: Customers", f'name: "Cust{escape}omers"')
    assert problem_lines(text) == [
        f"s.yaml:21:11: audiences.0.name: must be a single line (it may end up in an email "
        f"header), but has the line break {name} at character 5; remove the line break"]


def test_a_url_refuses_an_invisible_character() -> None:
    text = MINIMAL.replace("url: https://www.acme.example/help", 'url: "https://www.acme.example/\\u202ehelp"')
    assert problem_lines(text)[0].startswith(
        "s.yaml:6:10: organisation.contact.url: contains the invisible or control character "
        "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 26")


# -- dates and ids ------------------------------------------------------------------------------

@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00",
                                    "1969-12-31T23:00:00Z", "2100-01-01T00:00:00Z"])
def test_a_timestamp_outside_the_years_a_notice_can_carry_is_refused(moment: str) -> None:
    text = MINIMAL.replace("2025-04-22T09:30:00+01:00", moment)
    assert problem_lines(text) == [
        f"s.yaml:13:18: incident.discovered_at: '{moment}' is outside the years a notice can "
        "carry (1970 to 2099); check the year; write e.g. 2025-04-22T09:30:00+01:00"]


def test_year_one_everywhere_is_refused_not_a_crash() -> None:
    text = ("notice_date: 9999-12-31\n" + MINIMAL.replace("2025-04-22T09:30:00+01:00",
                                                          "0001-01-01T00:00:00+01:00")
            + "incident2: x\n").replace("incident2: x\n", "")
    text = text.replace("  status: contained\n", "  status: contained\n  occurred:\n    from: "
                        "9999-12-31T23:00:00-05:00\n  authorities:\n    - name: ICO\n      "
                        "notified_at: 0001-01-01T00:00:00+01:00\n")
    fields = [line.split(": ")[1] for line in problem_lines(text)]
    assert fields == ["notice_date", "incident.discovered_at", "incident.occurred.from",
                      "incident.authorities.0.notified_at"]


def test_a_discovery_in_the_future_is_a_warning(capsys: pytest.CaptureFixture[str],
                                                sheet_file: Callable[..., Path]) -> None:
    path = sheet_file(MINIMAL.replace("2025-04-22T09:30:00+01:00", "2090-04-22T09:30:00+01:00"))
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 0
    assert out.startswith(f"{path}: ok: ")
    assert err == (f"warning: {path}:13:18: incident.discovered_at: '2090-04-22T09:30:00+01:00' "
                   "is in the future; it cannot have happened yet; check the year, the month "
                   "and the UTC offset\n")


def test_the_future_starts_at_now() -> None:
    source = parse_yaml(MINIMAL.replace("2025-04-22T09:30:00+01:00", "2030-01-01T09:00:00Z"))
    validate_source(source, now=datetime(2029, 12, 1, tzinfo=UTC))
    assert [p.field for p in source.warnings] == ["incident.discovered_at"]
    validate_source(source, now=datetime(2030, 6, 1, tzinfo=UTC))
    assert source.warnings == []


@pytest.mark.parametrize(("bad", "good"), [("acme-", "acme"), ("acme-2025-", "acme-2025"),
                                           ("-acme", "acme")])
def test_an_id_must_end_with_a_letter_or_digit(bad: str, good: str) -> None:
    lines = problem_lines(MINIMAL.replace("id: acme-2025", f"id: '{bad}'"))
    assert lines == [f"s.yaml:1:5: id: {bad!r} is not a valid id: use lower-case letters, digits "
                     "and hyphens, starting and ending with a letter or digit, at most 64 "
                     "characters (it names a folder, so '/', '..' and spaces are not allowed); "
                     f"write e.g. {good!r}"]


def test_an_audience_id_ending_in_a_hyphen_is_refused(sheet_file: Callable[..., Path]) -> None:
    with pytest.raises(SheetError) as info:
        load_sheet(sheet_file(MINIMAL.replace("- id: customers", "- id: customers-")))
    assert info.value.problems[0].field == "audiences.0.id"


def test_an_unreadable_sheet_is_the_librarys_one_line_not_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    real_access = os.access
    # The tests run as root, who may read anything: the check click would make is faked.
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == str(path)
                        else real_access(p, mode, **kw))
    real_open = os.open

    def denied(file: object, flags: int, *args: object) -> int:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    code, _, err = run(["validate", str(path)], capsys)
    assert code == 2
    assert "Usage:" not in err
    assert err.splitlines()[0].endswith("cannot read the file (Permission denied); check that it "
                                        "exists and that you may read it")


def test_a_file_name_with_a_newline_stays_on_one_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new\nline.yaml"
    path.write_text(MINIMAL.replace("status: contained", "status: fixed"), encoding="utf-8")
    code, _, err = run(["validate", str(path)], capsys)
    assert code == 2
    assert err.splitlines()[0].startswith(str(path).replace("\n", "\\n") + ":15:11: incident.status:")
