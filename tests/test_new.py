"""`notifier new`: a starter sheet whose every fact is a TODO that validate walks through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notifier.cli import main
from notifier.errors import SheetError
from notifier.sheet import load_sheet

#: What a person fills in for each TODO, by field (the last part of its path).
FACTS = {
    "organisation.name": "Acme Ltd", "organisation.website": "https://www.acme.example",
    "organisation.contact.url": "https://www.acme.example/help",
    "organisation.sender.name": "Acme Customer Care", "organisation.sender.email": "care@acme.example",
    "organisation.privacy_contact.email": "dpo@acme.example", "incident.kind": "unauthorised_access",
    "incident.discovered_at": "2025-06-03T08:15:00+01:00",
    "incident.summary": "Someone got into one of our systems without permission.",
    "incident.status": "contained", "incident.misuse": "none_known",
    "incident.data_involved.0": "name", "incident.actions_taken.0": "We locked the account used.",
    "audiences.0.name": "Customers", "audiences.0.notice": "incident",
    "audiences.0.jurisdictions.0": "GB", "audiences.0.reason": "you have an account with us",
}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_the_starter_lists_every_fact_still_to_fill(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["new", "acme-2025-06", "--folder", str(tmp_path)], capsys)
    path = tmp_path / "acme-2025-06.yaml"
    assert code == 0 and out.startswith(f"wrote {path}\n")
    with pytest.raises(SheetError) as caught:
        load_sheet(path)
    problems = caught.value.problems
    assert {p.field for p in problems} == set(FACTS)  # every TODO, and nothing else
    assert all(p.line > 0 and "TODO" in p.message for p in problems)


def test_filling_in_every_todo_gives_a_valid_sheet(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    run(["new", "acme-2025-06", "--folder", str(tmp_path)], capsys)
    path = tmp_path / "acme-2025-06.yaml"
    with pytest.raises(SheetError) as caught:
        load_sheet(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    for problem in caught.value.problems:  # replace each TODO where validate says it is
        row = lines[problem.line - 1]
        value = FACTS[problem.field]
        quoted = f'"{value}"' if ": " in value or value[0] in "'\"" else value
        lines[problem.line - 1] = row[:problem.col - 1] + re.sub(r"^TODO", quoted,
                                                                   row[problem.col - 1:])
    path.write_text("\n".join(lines), encoding="utf-8")
    sheet = load_sheet(path)
    assert (sheet.id, sheet.organisation.name) == ("acme-2025-06", "Acme Ltd")


def test_new_never_overwrites_and_refuses_a_bad_id(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "acme.yaml"
    existing.write_text("id: acme\n", encoding="utf-8")
    code, _, err = run(["new", "acme", "--folder", str(tmp_path)], capsys)
    assert code == 2 and "already exists" in err
    assert existing.read_text(encoding="utf-8") == "id: acme\n"
    code, _, err = run(["new", "Acme Ltd", "--folder", str(tmp_path)], capsys)
    assert code == 2 and "write e.g. 'acme-ltd'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.yaml"]
