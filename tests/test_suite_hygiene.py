"""The suite reads only its own fixtures: a user's sheet in incidents/ never changes what it tests."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import BUNDLED, BUNDLED_HISTORY, INCIDENTS

TESTS = Path(__file__).resolve().parent

#: Ways of listing the user's incidents/ folder instead of naming the bundled sheets.
LISTING = re.compile(r"INCIDENTS\)?\.r?glob\(|INCIDENTS\)?\.iterdir\(|copytree\(INCIDENTS"
                     r"|str\(INCIDENTS\)|\"incidents\"\)\.r?glob\(")


def test_no_test_lists_the_incidents_folder() -> None:
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted(TESTS.glob("*.py")) if path.name != Path(__file__).name
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if LISTING.search(line)]
    assert found == []


def test_the_named_bundled_sheets_are_all_the_bundled_sheets() -> None:
    # Catches a bundled sheet added without being named here (a user's own sheets are not in git,
    # so this compares with the files git tracks, not with what is in the folder).
    import subprocess

    tracked = subprocess.run(["git", "ls-files", "incidents"], cwd=INCIDENTS.parent,
                             capture_output=True, text=True, check=False).stdout.split()
    if not tracked:  # not a git checkout (an sdist): the named files must at least exist
        assert all(p.is_file() for p in (*BUNDLED, *BUNDLED_HISTORY))
        return
    assert sorted(tracked) == sorted(str(p.relative_to(INCIDENTS.parent))
                                     for p in (*BUNDLED, *BUNDLED_HISTORY))
