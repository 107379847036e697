"""notifier.sheet as a library: load_sheet returns a FactSheet or raises SheetError."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import MINIMAL

from notifier.errors import ExitCode, NotifierError, Problem, SheetError
from notifier.model import FactSheet
from notifier.sheet import load_sheet, parse_sheet


def test_load_sheet_returns_a_fact_sheet(sheet_file: Callable[..., Path]) -> None:
    sheet = load_sheet(sheet_file(MINIMAL))

    assert isinstance(sheet, FactSheet)
    assert sheet.id == "acme-2025"
    assert sheet.organisation.name == "Acme Ltd"
    assert sheet.incident.discovered_at == datetime.fromisoformat("2025-04-22T08:30:00+00:00")
    assert sheet.incident.discovered_at.utcoffset() == timedelta(hours=1)
    assert sheet.incident.data_involved == ["name", "email"]
    assert [a.id for a in sheet.audiences] == ["customers"]
    assert sheet.audience_data(sheet.audiences[0]) == ["name", "email"]


def test_load_sheet_accepts_str_paths(sheet_file: Callable[..., Path]) -> None:
    assert load_sheet(str(sheet_file(MINIMAL))).id == "acme-2025"


def test_parse_sheet_from_text() -> None:
    assert parse_sheet(MINIMAL).id == "acme-2025"


@pytest.mark.parametrize("word", ["on", "yes", "no", "off", "NO", "Yes"])
def test_yaml_1_1_booleans_quoted_are_names(word: str, sheet_file: Callable[..., Path]) -> None:
    sheet = load_sheet(sheet_file(MINIMAL.replace("  name: Acme Ltd\n", f"  name: '{word}'\n")))
    assert sheet.organisation.name == word


@pytest.mark.parametrize("word", ["on", "yes", "no", "off", "NO", "Yes", "true", "False"])
def test_a_yes_no_word_unquoted_in_a_text_field_is_refused_with_a_hint_to_quote(
        word: str, sheet_file: Callable[..., Path]) -> None:
    path = sheet_file(MINIMAL + f"    greeting: {word}\n")
    with pytest.raises(SheetError) as info:
        load_sheet(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:23:15: audiences.0.greeting: expected text, got {word!r}, which reads as a "
        f"yes/no answer; write the text itself; if you do mean the word, put it in quotes: "
        f"greeting: '{word}'"]


@pytest.mark.parametrize(("written", "kept"), [
    ("08005550142", "08005550142"), ("2025", "2025"), ("0x1F", "0x1F"), ("1.50", "1.50"),
    ("1e3", "1e3"), ("-7", "-7")])
def test_a_text_field_keeps_an_unquoted_number_as_written(
        written: str, kept: str, sheet_file: Callable[..., Path]) -> None:
    text = MINIMAL.replace("    email: help@acme.example\n",
                           f"    email: help@acme.example\n    phone: {written}\n")
    assert load_sheet(sheet_file(text)).organisation.contact.phone == kept


@pytest.mark.parametrize("written", ["null", "~", "Null", ""])
def test_yaml_null_leaves_an_optional_field_out(written: str,
                                                sheet_file: Callable[..., Path]) -> None:
    """`phone: null` is no phone, not the text 'null' (nor a refusal)."""
    text = MINIMAL.replace("    email: help@acme.example\n",
                           f"    email: help@acme.example\n    phone: {written}\n")
    assert load_sheet(sheet_file(text)).organisation.contact.phone is None


@pytest.mark.parametrize(("written", "message"), [
    ("010", "'010' starts with 0, which some YAML readers read as the octal number 8 and others "
            "as 10; write it without the leading zero: 10"),
    ("019", "'019' starts with 0, which some YAML readers read as 19; write it without the "
            "leading zero: 19"),
    ("0x1F", "'0x1F' is a hexadecimal number; write it in decimal digits: 31"),
    ("0o17", "'0o17' is an octal number; write it in decimal digits: 15"),
])
def test_a_number_field_refuses_octal_and_hex_forms(
        written: str, message: str, sheet_file: Callable[..., Path]) -> None:
    path = sheet_file(MINIMAL + f"    size: {written}\n")
    with pytest.raises(SheetError) as info:
        load_sheet(path)
    assert [str(p) for p in info.value.problems] == [f"{path}:23:11: audiences.0.size: {message}"]


def test_a_plain_decimal_number_field_is_fine(sheet_file: Callable[..., Path]) -> None:
    assert load_sheet(sheet_file(MINIMAL + "    size: 125000\n")).audiences[0].size == 125000


def test_norway_is_a_jurisdiction(sheet_file: Callable[..., Path]) -> None:
    text = MINIMAL + "    jurisdictions: [NO, GB]\n"
    sheet = load_sheet(sheet_file(text))
    assert sheet.audiences[0].jurisdictions == ["NO", "GB"]


INVALID = MINIMAL.replace(
    "  name: Acme Ltd\n", "  name: Acme Ltd\n  name: Acme Limited\n"  # line 4: duplicate key
).replace(
    "  status: contained\n", "  status: [contained]\n"  # line 16: a list, not a value
).replace(
    "    notice: incident\n", "    notice: incident\n    size: many\n"  # line 24
)


def test_invalid_sheet_raises_sheet_error_with_problems(sheet_file: Callable[..., Path]) -> None:
    path = sheet_file(INVALID)

    with pytest.raises(SheetError) as info:
        load_sheet(path)

    error = info.value
    assert isinstance(error, NotifierError)
    assert error.exit_code == ExitCode.CANNOT == 2
    assert all(isinstance(p, Problem) for p in error.problems)
    assert [(p.path, p.line, p.col, p.field) for p in error.problems] == [
        (str(path), 4, 3, "organisation.name"),
        (str(path), 16, 11, "incident.status"),
        (str(path), 24, 11, "audiences.0.size"),
    ]
    assert all(p.message and p.hint for p in error.problems)
    assert str(error).splitlines()[-1] == f"3 problems in {path}"
    assert str(error).splitlines()[0] == str(error.problems[0])


def test_problems_are_sorted_by_line_then_column() -> None:
    # the model reports fields in declaration order; the sheet lists them in file order
    text = MINIMAL.replace("id: acme-2025\n", "").replace(
        "    notice: incident\n", "    notice: incident\n    size: many\n"
    ) + "id: ../x\n"
    with pytest.raises(SheetError) as info:
        parse_sheet(text)
    positions = [(p.line, p.col) for p in info.value.problems]
    assert positions == sorted(positions)
    assert [p.field for p in info.value.problems] == ["audiences.0.size", "id"]


def test_problem_str_is_path_line_col_field_message_hint() -> None:
    p = Problem("s.yaml", 3, 9, "organisation.name", "expected text", "write the text")
    assert str(p) == "s.yaml:3:9: organisation.name: expected text; write the text"
    unplaced = Problem("s.yaml", 0, 0, "", "no such file", "check")
    assert str(unplaced) == "s.yaml: no such file; check"
    assert str(Problem("s.yaml", 1, 1, "", "empty")) == "s.yaml:1:1: empty"


def test_problem_survives_pickle() -> None:
    p = Problem("s.yaml", 3, 9, "organisation.name", "expected text", "write the text")
    copy = pickle.loads(pickle.dumps(p))
    assert copy == p
    assert copy.as_dict() == p.as_dict()


def test_sheet_error_survives_pickle(sheet_file: Callable[..., Path]) -> None:
    with pytest.raises(SheetError) as info:
        load_sheet(sheet_file(INVALID))
    error = info.value

    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert type(copy) is SheetError
        assert copy.problems == error.problems
        assert all(type(p) is Problem for p in copy.problems)
        assert str(copy) == str(error)
        assert copy.exit_code == 2


@pytest.mark.parametrize("text", [
    "Someone got into one of our systems on 22 April.",
    "We closed the gap and reset every staff password.",
    "Call 0800 123 4567 (free from UK landlines) [option 2].",
    "The XX-ray department was not affected.",
    "Totally unrelated: the word 'today' is fine.",
    "Lo sentimos: todo el equipo trabaja en ello.",  # 'todo' is a word, not a mark
    "Your card ending XXXX XXXX XXXX 1234 was not affected.",  # masked numbers are facts
    "The letter quoted your reference XXX-XX-1234.",
])
def test_ordinary_text_is_not_taken_for_a_placeholder(text: str) -> None:
    from notifier.model import _no_placeholder

    assert _no_placeholder(text) == text


@pytest.mark.parametrize("text", ["On TBD we found", "todo: confirm", "Ref XXXX", "Date ???",
                                  "[insert date]", "<details to come>", "[Name]", "{% if x %}",
                                  "Launch TBA", "[Your name]", "Signed [●]", "On XX/XX/2025 we",
                                  "Call [...] today", "We found XXX in the logs."])
def test_draft_placeholders_are_refused(text: str) -> None:
    from pydantic_core import PydanticCustomError

    from notifier.model import _no_placeholder

    with pytest.raises(PydanticCustomError):
        _no_placeholder(text)


def test_a_missing_fact_to_decide_lists_its_values_without_suggesting_one(
        sheet_file: Callable[..., Path], minimal_yaml: str) -> None:
    path = sheet_file(minimal_yaml.replace("  misuse: none_known\n", ""))
    with pytest.raises(SheetError) as caught:
        load_sheet(path)
    (problem,) = caught.value.problems
    assert problem.field == "incident.misuse"
    assert problem.hint == ("add `misuse:` under incident with the value that is true: "
                            "none_known, suspected or confirmed")


def test_a_missing_text_field_gets_an_example(sheet_file: Callable[..., Path],
                                              minimal_yaml: str) -> None:
    path = sheet_file(minimal_yaml.replace("  website: https://www.acme.example\n", ""))
    with pytest.raises(SheetError) as caught:
        load_sheet(path)
    assert caught.value.problems[0].hint == "add `website: https://www.example.com` under organisation"
