"""`notifier validate` end to end: each bad input in tests/sheets/bad/ is exit 2, placed.

Each case is one small file in tests/sheets/bad/, named after the case, and one row in CASES with
where the problem must be reported. The CLI is run in-process (``notifier.cli.main``) so that the
real argument parsing, error mapping and printing are exercised; one test also runs the installed
``notifier`` script in a subprocess to make sure no traceback ever reaches the user.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import MINIMAL

from notifier.cli import main

TESTS = Path(__file__).resolve().parent
BAD = TESTS / "sheets" / "bad"
NOTIFIER = Path(sys.executable).parent / "notifier"

#: Problems reported without a field, e.g. "not YAML at all": the line has no "field:" part.
NO_FIELD = ""


class Expect(NamedTuple):
    line: int
    col: int
    field: str
    fragment: str


# case name (= file stem in tests/sheets/bad/) -> where and what the problem is
CASES: dict[str, Expect] = {
    # not a mapping of fields
    "not_yaml": Expect(3, 14, NO_FIELD, "this is not valid YAML"),
    "tabs": Expect(4, 1, NO_FIELD, "a tab is used for indentation"),
    "empty": Expect(1, 1, NO_FIELD, "the file is empty"),
    "top_list": Expect(2, 1, NO_FIELD, "the top level is a list, not a mapping"),
    "top_scalar": Expect(2, 1, NO_FIELD, "the top level is a single value, not a mapping"),
    # duplicate keys at every depth (PyYAML alone would silently keep the last)
    "duplicate_key_top": Expect(24, 1, "id", "duplicate key 'id' (first given on line 2)"),
    "duplicate_key_nested": Expect(
        5, 3, "organisation.name", "duplicate key 'name' (first given on line 4)"),
    "duplicate_key_in_list_item": Expect(
        23, 5, "audiences.0.name", "duplicate key 'name' (first given on line 22)"),
    # YAML 1.1 tags: construct nothing
    "python_tag": Expect(
        4, 9, "organisation.name",
        "unsupported tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    # timestamps
    "timestamp_without_offset": Expect(
        14, 18, "incident.discovered_at", "'2025-04-22T09:30:00' has no UTC offset"),
    "date_not_timestamp": Expect(14, 18, "incident.discovered_at", "'2025-04-22' is a date"),
    # vocabulary, with did-you-mean
    "unknown_category_dob": Expect(
        18, 25, "incident.data_involved.1", "unknown value 'dob'; did you mean 'date_of_birth'?"),
    "unknown_category_emial": Expect(
        18, 25, "incident.data_involved.1", "unknown value 'emial'; did you mean 'email'?"),
    # cross-field rules
    "category_involved_and_not_involved": Expect(
        19, 44, "incident.data_not_involved.1",
        "'email' is listed both as involved and as not involved"),
    "audience_data_outside_incident": Expect(
        24, 27, "audiences.0.data_involved.1", "'phone' is not in incident.data_involved"),
    "duplicate_audience_id": Expect(
        24, 9, "audiences.1.id", "audience id 'customers' is already used by audience 0"),
    # ids name folders under outbox/: nothing that could escape it
    "id_dotdot": Expect(2, 5, "id", "'../x' is not a valid id"),
    "id_absolute": Expect(2, 5, "id", "'/abs' is not a valid id"),
    "id_slash": Expect(2, 5, "id", "'a/b' is not a valid id"),
    "audience_id_dotdot": Expect(21, 9, "audiences.0.id", "'../x' is not a valid id"),
    "audience_id_absolute": Expect(21, 9, "audiences.0.id", "'/abs' is not a valid id"),
    "audience_id_slash": Expect(21, 9, "audiences.0.id", "'a/b' is not a valid id"),
    # wrong types
    "wrong_type_list_for_text": Expect(4, 9, "organisation.name", "expected text, got a list"),
    "wrong_type_bool_for_text": Expect(
        4, 9, "organisation.name", "expected text, got 'true', which reads as a yes/no answer"),
    "wrong_type_text_for_list": Expect(
        18, 18, "incident.data_involved", "expected a list, got the text 'name'"),
    "wrong_type_size_many": Expect(
        24, 11, "audiences.0.size", "expected a whole number of 0 or more, got the text 'many'"),
    # addresses
    "url_not_https": Expect(
        5, 12, "organisation.website", "'http://www.acme.example' does not use https"),
    "email_invalid": Expect(
        8, 12, "organisation.contact.email", "'help@@acme' is not a valid email address"),
    # unknown keys, with did-you-mean
    "unknown_key_websit": Expect(
        5, 3, "organisation.websit", "unknown field 'websit'; did you mean 'website'?"),
    # draft placeholders: readers would see them as they are
    "placeholder_tbd": Expect(15, 12, "incident.summary", "contains the placeholder 'TBD'"),
    "placeholder_bracket": Expect(
        10, 11, "organisation.sender.name", "contains the placeholder '[Name of sender]'"),
    "placeholder_template": Expect(15, 12, "incident.summary", "contains the placeholder '{{'"),
    # alias bomb: 9 levels of 9 aliases would be 9**9 values
    "billion_laughs": Expect(
        6, 1, "e.1", "expands to more than 20000 values through aliases"),
}

#: Files in tests/sheets/bad/ covered by their own tests below rather than by the CASES table.
OTHER_FILES = {
    "several_problems",
    "several_problems_with_cross_field",
    "recursive_alias",
    "deep_nesting",
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the real CLI in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    assert isinstance(code, int), f"exit code {code!r} is not a number; stderr: {err}"
    return code, out, err


def assert_no_crash(out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert "internal error" not in err


def problem_lines(err: str, path: Path) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(f"{path}:")]


def prefix(path: Path, line: int, col: int, field: str) -> str:
    return f"{path}:{line}:{col}: {field}: " if field else f"{path}:{line}:{col}: "


def test_every_bad_file_has_a_case() -> None:
    files = {p.stem for p in BAD.glob("*.yaml")}
    assert files == set(CASES) | OTHER_FILES
    assert all(p.suffix == ".yaml" for p in BAD.iterdir())


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_sheet_is_placed_problem(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    expect = CASES[case]
    path = BAD / f"{case}.yaml"

    code, out, err = run(["validate", str(path)], capsys)

    assert code == 2, err
    assert_no_crash(out, err)
    assert out == ""  # nothing is "ok"
    start = prefix(path, expect.line, expect.col, expect.field)
    matching = [line for line in problem_lines(err, path) if line.startswith(start)]
    assert matching, f"no problem starting {start!r} in:\n{err}"
    line = matching[0]
    assert expect.fragment in line
    # path:line:col: field: message; hint — there is a hint after the message
    message_and_hint = line[len(start):]
    assert re.fullmatch(r".+; \S.*", message_and_hint), line
    # the last line counts what was found
    assert re.fullmatch(r"\d+ problems? in 1 file", err.splitlines()[-1])


def test_bad_sheets_in_a_subprocess_print_no_traceback() -> None:
    paths = [BAD / f"{case}.yaml" for case in sorted(CASES)]

    proc = subprocess.run([str(NOTIFIER), "validate", *map(str, paths)],
                          capture_output=True, text=True, timeout=60)

    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr
    for path, expect in zip(paths, (CASES[c] for c in sorted(CASES)), strict=True):
        assert prefix(path, expect.line, expect.col, expect.field) in proc.stderr, path
    assert re.search(rf"\d+ problems in {len(paths)} files\n\Z", proc.stderr)


def test_python_tag_runs_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    # os.system("echo hi") would write "hi" straight to file descriptor 1.
    with pytest.raises(SystemExit) as info:
        main(["validate", str(BAD / "python_tag.yaml")])
    out, err = capfd.readouterr()
    assert info.value.code == 2
    assert "hi" not in out.split()
    assert "unsupported tag" in err


def test_several_problems_are_all_reported_sorted_by_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = BAD / "several_problems.yaml"

    code, out, err = run(["validate", str(path)], capsys)

    assert code == 2
    assert_no_crash(out, err)
    lines = problem_lines(err, path)
    found = [tuple(line[len(str(path)) + 1:].split(": ", 2)[:2]) for line in lines]
    assert found == [
        ("5:3", "organisation.name"),  # duplicate key
        ("6:12", "organisation.website"),  # http://
        ("15:18", "incident.discovered_at"),  # a date
        ("19:25", "incident.data_involved.1"),  # emial
        ("25:11", "audiences.0.size"),  # many
    ]
    assert "duplicate key 'name'" in lines[0]
    assert "does not use https" in lines[1]
    assert "is a date" in lines[2]
    assert "did you mean 'email'?" in lines[3]
    assert "'many'" in lines[4]
    assert err.splitlines()[-1] == "5 problems in 1 file"


def test_type_error_does_not_hide_cross_field_problem(capsys: pytest.CaptureFixture[str]) -> None:
    # organisation.name: 42 (a type error) and email both involved and not involved (a cross-field
    # rule): both must be reported in one run, not the second only after the first is fixed.
    path = BAD / "several_problems_with_cross_field.yaml"

    code, out, err = run(["validate", str(path)], capsys)

    assert code == 2
    assert_no_crash(out, err)
    assert prefix(path, 4, 9, "organisation.name") in err
    assert prefix(path, 19, 23, "incident.data_not_involved.0") in err, err


@pytest.mark.parametrize("case", ["recursive_alias", "deep_nesting"])
def test_self_referencing_or_deeply_nested_yaml_is_a_problem_not_a_crash(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = BAD / f"{case}.yaml"

    code, out, err = run(["validate", str(path)], capsys)

    assert_no_crash(out, err)
    assert code == 2
    assert problem_lines(err, path), err


def test_one_broken_file_does_not_hide_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    good = BAD / "url_not_https.yaml"

    code, out, err = run(["validate", str(BAD / "recursive_alias.yaml"), str(good)], capsys)

    assert code == 2
    assert_no_crash(out, err)
    assert prefix(good, 5, 12, "organisation.website") in err


def test_alias_bomb_fails_fast(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    code, out, err = run(["validate", str(BAD / "billion_laughs.yaml")], capsys)
    elapsed = time.perf_counter() - started

    assert code == 2
    assert_no_crash(out, err)
    assert "through aliases" in err
    assert elapsed < 5, f"took {elapsed:.1f}s"


def test_five_megabyte_file_fails_fast_and_names_its_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.yaml"
    line = "# " + "x" * 97 + "\n"  # 100 bytes
    path.write_text(MINIMAL + line * ((5_000_000 - len(MINIMAL)) // 100), encoding="utf-8")
    assert 4_900_000 < path.stat().st_size <= 5_000_000

    started = time.perf_counter()
    code, out, err = run(["validate", str(path)], capsys)
    elapsed = time.perf_counter() - started

    assert code == 2
    assert_no_crash(out, err)
    assert err.splitlines()[0].startswith(
        f"{path}: the file is 5.0 MB; a fact sheet may be at most 1 MB")
    assert elapsed < 2, f"took {elapsed:.1f}s"


def test_missing_file_is_exit_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nope.yaml"

    code, out, err = run(["validate", str(path)], capsys)

    assert code == 2
    assert_no_crash(out, err)
    assert err.splitlines()[0].startswith(f"{path}: no such file; ")
    assert err.splitlines()[-1] == "1 problem in 1 file"


def test_missing_file_in_a_subprocess_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"

    proc = subprocess.run([str(NOTIFIER), "validate", str(path)],
                          capture_output=True, text=True, timeout=60)

    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{path}: no such file" in proc.stderr


# -- valid sheets ---------------------------------------------------------------------------

def test_valid_sheet_prints_one_line_summary(
    sheet_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = sheet_file(MINIMAL)

    code, out, err = run(["validate", str(path)], capsys)

    assert code == 0, err
    assert err == ""
    assert out == f"{path}: ok: acme-2025: unauthorised_access, contained, 1 audience (incident)\n"


@pytest.mark.parametrize(("old", "new"), [
    ("    notice: incident\n", "    notice: incident\n    jurisdictions: [NO]\n"),  # Norway
    ("  name: Acme Ltd\n", "  name: 'on'\n"),
    ("  name: Acme Ltd\n", "  name: \"yes\"\n"),
    ("  name: Acme Ltd\n", "  name: 2025\n"),
], ids=["jurisdictions-NO", "name-on-quoted", "name-yes-quoted", "name-number"])
def test_yaml_1_1_booleans_are_text_and_validate(
    old: str, new: str, sheet_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert old in MINIMAL
    path = sheet_file(MINIMAL.replace(old, new))

    code, out, err = run(["validate", str(path)], capsys)

    assert code == 0, err
    assert out.startswith(f"{path}: ok: acme-2025: ")


def test_folder_validates_every_yaml_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("beta", "alpha"):
        text = MINIMAL.replace("id: acme-2025", f"id: {name}")
        (tmp_path / f"{name[0]}.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a sheet: [", encoding="utf-8")

    code, out, err = run(["validate", str(tmp_path)], capsys)

    assert code == 0, err
    assert err == ""
    assert out.splitlines() == [
        f"{tmp_path / 'a.yaml'}: ok: alpha: unauthorised_access, contained, 1 audience (incident)",
        f"{tmp_path / 'b.yaml'}: ok: beta: unauthorised_access, contained, 1 audience (incident)",
    ]


def test_folder_with_a_bad_sheet_reports_it_and_still_lists_the_good_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yaml").write_text(MINIMAL, encoding="utf-8")
    bad = MINIMAL.replace("https://www.acme.example\n", "http://www.acme.example\n")
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")

    code, out, err = run(["validate", str(tmp_path)], capsys)

    assert code == 2
    assert_no_crash(out, err)
    assert out.startswith(f"{tmp_path / 'good.yaml'}: ok: acme-2025")
    assert err.startswith(f"{tmp_path / 'bad.yaml'}:4:12: organisation.website: ")
    assert err.splitlines()[-1] == "1 problem in 1 file"


def test_folder_without_sheets_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["validate", str(tmp_path)], capsys)

    assert code == 2
    assert_no_crash(out, err)
    assert "no .yaml fact sheets" in err
