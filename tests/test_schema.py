"""`notifier schema`: a valid JSON Schema (draft 2020-12) that agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import BUNDLED, BUNDLED_HISTORY, INCIDENTS, MINIMAL
from jsonschema import Draft202012Validator

from notifier.cli import main
from notifier.yamlsource import parse_yaml

INCIDENT_FILES = [*BUNDLED, *BUNDLED_HISTORY]


@pytest.fixture
def schema(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The JSON printed by `notifier schema`."""
    with pytest.raises(SystemExit) as info:
        main(["schema"])
    out, err = capsys.readouterr()
    assert info.value.code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(schema: dict[str, Any], data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(schema).iter_errors(data)]


def test_schema_is_valid_json_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert {"id", "organisation", "incident", "audiences"} <= set(schema["required"])


def test_schema_command_prints_only_json(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["schema"])
    out, err = capsys.readouterr()
    assert info.value.code == 0
    assert err == ""
    assert out.endswith("}\n")
    json.loads(out)


def test_schema_accepts_the_minimal_sheet(schema: dict[str, Any]) -> None:
    data = parse_yaml(MINIMAL).data
    assert errors(schema, data) == []


@pytest.mark.parametrize(("old", "new", "where", "misspelt"), [
    ("  website:", "  websit:", "organisation", "websit"),
    ("audiences:", "audience:", "", "audience"),
    ("    notice: incident\n", "    notice: incident\n    sise: 10\n", "audiences/0", "sise"),
], ids=["organisation.websit", "audience", "audiences.0.sise"])
def test_schema_rejects_a_misspelt_key(
    schema: dict[str, Any], old: str, new: str, where: str, misspelt: str
) -> None:
    assert old in MINIMAL
    data = parse_yaml(MINIMAL.replace(old, new)).data
    found = errors(schema, data)
    assert found, "the schema accepted a misspelt key"
    assert any(e.startswith(f"{where}: ") and misspelt in e for e in found), found


def test_schema_rejects_wrong_values(schema: dict[str, Any]) -> None:
    data = parse_yaml(MINIMAL.replace("[name, email]", "[name, dob]")
                      .replace("id: acme-2025", "id: ../x")).data
    paths = {e.split(":")[0] for e in errors(schema, data)}
    assert {"incident/data_involved/1", "id"} <= paths


def test_there_are_at_least_four_incident_files() -> None:
    # Example incidents are being written into incidents/; the schema tests below run over them.
    assert len(INCIDENT_FILES) >= 4, f"only {len(INCIDENT_FILES)} files in {INCIDENTS}"


@pytest.mark.parametrize("path", INCIDENT_FILES, ids=[p.name for p in INCIDENT_FILES])
def test_schema_accepts_incident_file(schema: dict[str, Any], path: Path) -> None:
    source = parse_yaml(path.read_bytes(), str(path))
    assert source.problems == []
    assert errors(schema, source.data) == []


def test_docs_schema_file_is_current() -> None:
    """docs/fact-sheet.schema.json is what editors load: it must match `notifier schema`."""
    from notifier.sheet import schema_text

    docs = Path(__file__).resolve().parent.parent / "docs" / "fact-sheet.schema.json"
    assert docs.read_text(encoding="utf-8") == schema_text(), (
        "regenerate with: notifier schema > docs/fact-sheet.schema.json")
