"""Golden files: every bundled incident renders byte for byte as reviewed.

Regenerate after an intended wording or layout change, then read the diff as a reviewer:

    .venv/bin/python -m pytest tests/test_golden.py --update-golden
    git diff tests/golden/
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import BUNDLED

from notifier import commands

GOLDEN = Path(__file__).resolve().parent / "golden"
#: The bundled incidents, and the sheets that show one truth per reader (tests/test_readers.py).
SHEETS = list(BUNDLED) + sorted(
    (Path(__file__).resolve().parent / "sheets" / "readers").glob("*.yaml"))


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def comparable(name: str, content: bytes) -> bytes:
    """Return the bytes to compare. The manifest's input hashes (per audience, and the
    sheet's) cover the installed package versions (so that an upgrade re-renders); they are
    masked here so that the goldens pin the output, not the environment. Everything else is
    compared as is."""
    if name != "manifest.json":
        return content
    manifest = json.loads(content)
    for entry in manifest.get("audiences", {}).values():
        entry["inputs"] = "<masked>"
    if "inputs" in manifest:
        manifest["inputs"] = "<masked>"
    return json.dumps(manifest, indent=2, sort_keys=True).encode()


@pytest.mark.parametrize("sheet", SHEETS, ids=[p.stem for p in SHEETS])
def test_bundled_incident_matches_golden_files(sheet: Path, tmp_path: Path,
                                               update_golden: bool) -> None:
    report = commands.render([sheet], outbox=tmp_path)
    assert report.ok, report.as_dict()
    (outcome,) = report.outcomes
    rendered = tree(tmp_path / outcome.sheet_id)
    expected_dir = GOLDEN / outcome.sheet_id
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(tmp_path / outcome.sheet_id, expected_dir)
        return
    assert expected_dir.is_dir(), "no golden files yet: run pytest with --update-golden"
    expected = tree(expected_dir)
    assert sorted(rendered) == sorted(expected)
    for name, content in rendered.items():
        assert comparable(name, content) == comparable(name, expected[name]), (
            f"{outcome.sheet_id}/{name} differs from tests/golden; if the change is intended, "
            "rerun with --update-golden and review the diff")


def test_golden_folder_has_no_leftovers() -> None:
    ids = {commands.load_sheet(p).id for p in SHEETS}
    # languages/: the same sheet in every shipped language (tests/test_golden_languages.py)
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} - {"languages"} == ids
