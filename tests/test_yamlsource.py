"""notifier.yamlsource: YAML text to plain data with positions, safely and with YAML 1.2 scalars."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL

from notifier.errors import Problem, SheetError
from notifier.yamlsource import MAX_BYTES, MAX_NODES, parse_yaml, read_yaml


def problems_of(text: str | bytes) -> list[Problem]:
    with pytest.raises(SheetError) as info:
        parse_yaml(text, "s.yaml")
    return info.value.problems


# -- data and positions ---------------------------------------------------------------------

def test_minimal_sheet_data_and_marks() -> None:
    source = parse_yaml(MINIMAL, "m.yaml")

    assert source.path == "m.yaml"
    assert source.problems == []
    assert source.data["id"] == "acme-2025"
    assert source.data["incident"]["data_involved"] == ["name", "email"]
    assert source.data["audiences"] == [
        {"id": "customers", "name": "Customers", "notice": "incident"}]
    # value positions, 1-based
    assert source.marks[("id",)] == (1, 5)
    assert source.marks[("incident", "discovered_at")] == (13, 18)
    assert source.marks[("incident", "data_involved", 1)] == (17, 25)
    assert source.marks[("audiences", 0, "id")] == (20, 9)
    # key positions
    assert source.key_marks[("organisation", "name")] == (3, 3)
    assert source.position(("organisation", "name"), key=True) == (3, 3)
    # an absent field is placed at its nearest present parent
    assert source.position(("audiences", 0, "size")) == (20, 5)
    assert source.position(("nowhere", "at", "all")) == (1, 1)


def test_timestamps_and_dates_stay_text() -> None:
    data = parse_yaml("a: 2025-04-22T09:30:00+01:00\nb: 2025-04-22\nc: 2025-04-22 09:30:00\n").data
    assert data == {"a": "2025-04-22T09:30:00+01:00", "b": "2025-04-22", "c": "2025-04-22 09:30:00"}


@pytest.mark.parametrize(("plain", "value"), [
    # YAML 1.1 booleans are text in YAML 1.2: Norway is not false
    ("NO", "NO"), ("no", "no"), ("No", "No"), ("yes", "yes"), ("Yes", "Yes"), ("on", "on"),
    ("off", "off"), ("ON", "ON"), ("y", "y"), ("n", "n"), ("Y", "Y"),
    # YAML 1.1 sexagesimal and underscores are text
    ("3:25", "3:25"), ("1_000", "1_000"),
    # the YAML 1.2 core schema
    ("true", True), ("False", False), ("TRUE", True), ("~", None), ("null", None), ("", None),
    ("42", 42), ("-7", -7), ("012", 12), ("0o17", 15), ("0x1F", 31), ("1.5", 1.5), ("1e3", 1000.0),
])
def test_plain_scalars_follow_yaml_1_2_core_schema(plain: str, value: Any) -> None:
    data = parse_yaml(f"v: {plain}\n").data
    assert data["v"] == value
    assert type(data["v"]) is type(value)


@pytest.mark.parametrize("text", ["'true'", '"42"', "'NO'", "|\n  yes\n", "'~'"])
def test_quoted_and_block_scalars_are_text(text: str) -> None:
    value = parse_yaml(f"v: {text}\n").data["v"]
    assert isinstance(value, str)


def test_jurisdiction_norway_is_the_string_no() -> None:
    source = parse_yaml("jurisdictions: [NO, GB]\n")
    assert source.data == {"jurisdictions": ["NO", "GB"]}
    assert source.problems == []


def test_explicit_str_tag_is_text() -> None:
    # `!!str 42` is the YAML way to say "the text 42"; it must not become the number 42.
    assert parse_yaml("v: !!str 42\n").data == {"v": "42"}


# -- duplicate keys ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "col", "field", "first"), [
    ("id: a\nname: x\nid: b\n", 3, 1, "id", 1),
    ("org:\n  name: a\n  web: w\n  name: b\n", 4, 3, "org.name", 2),
    ("aud:\n  - id: a\n    name: x\n    name: y\n", 4, 5, "aud.0.name", 3),
    ("aud:\n  - {id: a}\n  - {id: b, id: c}\n", 3, 13, "aud.1.id", 3),
], ids=["top", "nested", "list-item", "flow-mapping-in-list"])
def test_duplicate_keys_are_problems_at_every_depth(
    text: str, line: int, col: int, field: str, first: int
) -> None:
    source = parse_yaml(text, "d.yaml")

    assert len(source.problems) == 1
    problem = source.problems[0]
    assert (problem.path, problem.line, problem.col, problem.field) == ("d.yaml", line, col, field)
    assert f"(first given on line {first})" in problem.message


def test_duplicate_key_keeps_the_first_value() -> None:
    # whichever is kept, the sheet is invalid; but the data must not silently be the last one
    source = parse_yaml("id: first\nid: second\n")
    assert source.data == {"id": "first"}
    assert source.problems


# -- tags construct nothing -----------------------------------------------------------------

@pytest.mark.parametrize("template", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:subprocess.check_call [["touch", "{marker}"]]',
    '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:os.PathLike {{a: 1}}",
    '!!set {{"{marker}": null}}',
    '!!binary "aGk="',
    "!!timestamp 2025-04-22T09:30:00+01:00",
])
def test_tags_construct_nothing_and_are_problems(template: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = "v: " + template.format(marker=marker) + "\n"

    source = parse_yaml(text, "t.yaml")

    assert not marker.exists()
    assert [p.message.startswith("unsupported tag") for p in source.problems] == [True]
    problem = source.problems[0]
    assert (problem.line, problem.col, problem.field) == (1, 4, "v")
    # only plain data comes out
    def plain(value: Any) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | float | bool)

    assert plain(source.data)


# -- not a mapping ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "col", "fragment"), [
    ("id: [a\nb: c\n", 2, 2, "this is not valid YAML"),
    ("a: 1\n---\nb: 2\n", 2, 1, "this is not valid YAML"),
    ("", 1, 1, "the file is empty"),
    ("# only a comment\n", 1, 1, "the file is empty"),
    ("- a\n- b\n", 1, 1, "the top level is a list"),
    ("\nhello\n", 2, 1, "the top level is a single value"),
    ("id: a\norg:\n\tname: b\n", 3, 1, "a tab is used for indentation"),
    ("id: a\norg:\n  \tname: b\n", 3, 3, "a tab is used for indentation"),
])
def test_unusable_documents(text: str, line: int, col: int, fragment: str) -> None:
    problems = problems_of(text)
    assert len(problems) == 1
    assert (problems[0].line, problems[0].col, problems[0].field) == (line, col, "")
    assert fragment in problems[0].message
    assert problems[0].hint


def test_not_utf8_names_the_line() -> None:
    problems = problems_of(b"id: a\nname: caf\xe9\n")
    assert (problems[0].line, problems[0].col, problems[0].message) == (
        2, 10, "the file is not UTF-8 text (byte 0xe9 cannot start a character here)")


def test_utf8_bom_is_accepted() -> None:
    assert parse_yaml("\ufeffid: a\n".encode()).data == {"id": "a"}


def test_non_scalar_key_is_a_problem() -> None:
    source = parse_yaml("id: a\n? [x, y]\n: z\n")
    assert [(p.line, p.message) for p in source.problems] == [(2, "a key must be a plain name")]


# -- size and alias limits ------------------------------------------------------------------

def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_fails_fast_in_bounded_memory() -> None:
    text = billion_laughs()  # 9**9 = 387 million strings if expanded
    assert len(text) < 1000

    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SheetError) as info:
            parse_yaml(text, "bomb.yaml")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    [problem] = info.value.problems
    assert f"expands to more than {MAX_NODES} values through aliases" in problem.message
    assert problem.line >= 1
    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert peak < 50_000_000, f"peak {peak / 1e6:.0f} MB"


def test_a_few_aliases_are_fine() -> None:
    data = parse_yaml("a: &x [GB, FR]\nb: *x\n").data
    assert data == {"a": ["GB", "FR"], "b": ["GB", "FR"]}


def test_recursive_alias_is_a_problem_not_a_crash() -> None:
    problems = problems_of("a: &loop [GB, *loop]\n")
    assert problems[0].line == 1


def test_recursive_alias_in_a_mapping_is_a_problem_not_a_crash() -> None:
    problems = problems_of("a: &loop {b: *loop}\n")
    assert problems[0].line == 1


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")], ids=["lists", "mappings"])
def test_deep_nesting_is_a_problem_not_a_crash(opening: str, closing: str) -> None:
    text = "a: " + opening * 1000 + "x" * (opening != "[") + closing * 1000 + "\n"
    assert len(text) < 10_000
    problems = problems_of(text)
    assert problems[0].line == 1


def test_text_over_the_size_limit_is_refused() -> None:
    problems = problems_of("#" * (MAX_BYTES + 1))
    assert "a fact sheet may be at most 1 MB" in problems[0].message


def test_read_yaml_refuses_a_five_megabyte_file_quickly(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# padding\n" * 500_000)

    started = time.perf_counter()
    with pytest.raises(SheetError) as info:
        read_yaml(path)
    elapsed = time.perf_counter() - started

    [problem] = info.value.problems
    assert problem.path == str(path)
    assert problem.message.startswith("the file is 5.0 MB")
    assert elapsed < 1, f"took {elapsed:.1f}s"


def test_read_yaml_refuses_a_huge_file_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "sparse.yaml"
    with path.open("wb") as f:
        f.truncate(20_000_000_000)  # sparse: reading it whole would take 20 GB

    started = time.perf_counter()
    with pytest.raises(SheetError) as info:
        read_yaml(path)

    assert time.perf_counter() - started < 1
    assert "the file is 20000.0 MB" in info.value.problems[0].message


def test_read_yaml_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SheetError) as info:
        read_yaml(tmp_path / "nope.yaml")
    [problem] = info.value.problems
    assert (problem.path, problem.line) == (str(tmp_path / "nope.yaml"), 0)
    assert problem.message == "no such file"


def test_read_yaml_folder(tmp_path: Path) -> None:
    with pytest.raises(SheetError) as info:
        read_yaml(tmp_path)
    assert "folder" in info.value.problems[0].message


def _every_sheet() -> list[Path]:
    root = Path(__file__).resolve().parent
    from conftest import BUNDLED, BUNDLED_HISTORY

    return sorted((root / "sheets" / "bad").glob("*.yaml")) + [*BUNDLED, *BUNDLED_HISTORY]


@pytest.mark.parametrize("path", _every_sheet(), ids=lambda p: p.stem)
def test_libyaml_and_pure_python_composers_agree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast composer is used when PyYAML has libyaml; results must not depend on it."""
    import notifier.yamlsource as ys

    def outcome() -> object:
        try:
            source = ys.parse_yaml(path.read_bytes(), str(path))
        except SheetError as exc:
            # Columns of a syntax error are the parser's own; lines and fields must agree,
            # except where nesting is too deep: libyaml stops at its depth limit and says
            # where, PyYAML hits Python's recursion limit, which has no position (line 1).
            return [("nesting" if "nest" in p.message else p.line, p.field) for p in exc.problems]
        return (source.data, source.marks, source.key_marks,
                [(p.line, p.col, p.field, p.message) for p in source.problems])

    monkeypatch.setattr(ys, "_Loader", ys._CLoader)
    fast = outcome()
    monkeypatch.setattr(ys, "_Loader", ys._PyLoader)
    assert outcome() == fast
