"""What the preview tests share (server-level and in Chromium): the sheet, saving, fixtures.

Each preview test module imports the fixtures (``server_fixture``, ``sheet_fixture``, used
as ``server`` and ``sheet``), so that both run against the same sheet and server setup.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINIMAL

from notifier.preview import PreviewServer
from notifier.templating import builtin_templates

SHEET = MINIMAL.replace("    notice: incident\n", """\
    notice: incident
    size: 125000
  - id: partners
    name: Partners
    notice: no_action_needed
  - id: resetters
    name: Resetters
    notice: password_reset
""")
SUMMARY = "Someone got into one of our systems without permission."


def write_atomically(path: Path, text: str) -> None:
    """Save the way most editors do: a temporary file, then a rename over the original."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def sheet_with_override(tmp_path: Path) -> tuple[Path, Path, str]:
    """Write SHEET and an overrides folder holding a copy of incident.txt.j2.

    Returns (sheet, overrides folder, the template's original text).
    """
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(SHEET, encoding="utf-8")
    overrides = tmp_path / "templates"
    overrides.mkdir()
    original = (builtin_templates() / "incident.txt.j2").read_text(encoding="utf-8")
    (overrides / "incident.txt.j2").write_text(original, encoding="utf-8")
    return sheet, overrides, original


@pytest.fixture(name="sheet")
def sheet_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.yaml"
    path.write_text(SHEET, encoding="utf-8")
    return path


@pytest.fixture(name="server")
def server_fixture(sheet: Path) -> Iterator[PreviewServer]:
    with PreviewServer(sheet, port=0) as running:
        running.start()
        yield running
