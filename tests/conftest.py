"""Shared fixtures: sheet builders, the golden-file flag, the browser flag."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INCIDENTS = ROOT / "incidents"
#: The bundled example sheets, by name. Tests never list incidents/: a user's own sheets go
#: there (`notifier new`), half-written, and must not break the suite.
BUNDLED = tuple(INCIDENTS / f"{name}.yaml" for name in (
    "co-op-2025", "marks-and-spencer-2025", "royal-mail-click-and-drop", "shopback-2020"))
#: Earlier revisions the bundled sheets refer to (supersedes.sheet).
BUNDLED_HISTORY = (INCIDENTS / "history" / "co-op-2025-r1.yaml",)


def copy_bundled(folder: Path) -> Path:
    """Copy the bundled sheets (and the revisions they refer to) into ``folder``; return it."""
    import shutil

    (folder / "history").mkdir(parents=True, exist_ok=True)
    for path in BUNDLED:
        shutil.copy(path, folder / path.name)
    for path in BUNDLED_HISTORY:
        shutil.copy(path, folder / "history" / path.name)
    return folder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current templates instead of comparing")
    parser.addoption("--browser", action="store_true",
                     help="run the tests marked 'browser' in Debian's /usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--browser"):
        return
    skip = pytest.mark.skip(reason="browser test: run with --browser")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the tests' template and dictionary cache out of the user's home (and the CLI
    subprocesses the tests start inherit it)."""
    before = os.environ.get("NOTIFIER_CACHE_DIR")
    os.environ["NOTIFIER_CACHE_DIR"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        del os.environ["NOTIFIER_CACHE_DIR"]
    else:
        os.environ["NOTIFIER_CACHE_DIR"] = before


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


MINIMAL = """\
id: acme-2025
organisation:
  name: Acme Ltd
  website: https://www.acme.example
  contact:
    url: https://www.acme.example/help
    email: help@acme.example
  sender:
    name: Acme Customer Care
    email: care@acme.example
incident:
  kind: unauthorised_access
  discovered_at: 2025-04-22T09:30:00+01:00
  summary: Someone got into one of our systems without permission.
  status: contained
  misuse: none_known
  data_involved: [name, email]
  data_not_involved: [payment_card_number]
audiences:
  - id: customers
    name: Customers
    notice: incident
"""


@pytest.fixture
def minimal_yaml() -> str:
    """A small valid fact sheet as text."""
    return MINIMAL


@pytest.fixture
def sheet_file(tmp_path: Path) -> Callable[..., Path]:
    """Write dedented YAML text to a file under tmp_path and return its path."""

    def write(text: str, name: str = "sheet.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
