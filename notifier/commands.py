"""One function per CLI command; each composes the library and returns a report, never prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from notifier.errors import Problem, SheetError, UsageError
from notifier.model import FactSheet
from notifier.sheet import load_sheet, schema_text


def expand_paths(paths: list[Path]) -> list[Path]:
    """Return the fact-sheet files named: files as given, folders as their *.yaml/*.yml, sorted."""
    if not paths:
        raise UsageError("name at least one fact sheet, e.g. incidents/acme.yaml")
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise UsageError(f"{path}: no .yaml fact sheets in this folder")
            result.extend(found)
        else:
            result.append(path)
    return result


@dataclass
class ValidateReport:
    """What `validate` found: the sheets that loaded and the problems of those that did not."""

    valid: list[tuple[Path, FactSheet]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every sheet is valid."""
        return not self.invalid


def summarise(sheet: FactSheet) -> str:
    """Return the one-line summary of a valid sheet that `validate` prints."""
    notices = sorted({a.notice for a in sheet.audiences})
    n = len(sheet.audiences)
    return (f"{sheet.id}: {sheet.incident.kind}, {sheet.incident.status}, "
            f"{n} audience{'s' if n != 1 else ''} ({', '.join(notices)})")


def validate(paths: list[Path]) -> ValidateReport:
    """Load every fact sheet named and collect all problems, without stopping at the first."""
    report = ValidateReport()
    for path in expand_paths(paths):
        try:
            report.valid.append((path, load_sheet(path)))
        except SheetError as exc:
            report.invalid.append(path)
            report.problems.extend(exc.problems)
    return report


def schema() -> str:
    """Return the JSON Schema of the fact-sheet format as text."""
    return schema_text()
