"""One function per CLI command; each composes the library and returns a report, never prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from notifier.errors import Problem, SheetError, UsageError
from notifier.model import FactSheet
from notifier.sheet import load_sheet, schema_text

if TYPE_CHECKING:
    from notifier.errors import RenderRefused
    from notifier.render import RenderedNotice


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


@dataclass
class SheetOutcome:
    """What `render` did for one fact sheet."""

    path: Path
    sheet_id: str = ""
    notices: list[RenderedNotice] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)  # relpath -> status
    refused: dict[str, RenderRefused] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    folder: Path | None = None


@dataclass
class RenderReport:
    """What `render` did for every sheet named."""

    outcomes: list[SheetOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every sheet loaded and no audience was refused."""
        return all(not o.problems and not o.refused for o in self.outcomes)

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain data for `--json`."""
        return {
            "ok": self.ok,
            "sheets": [{
                "path": str(o.path), "id": o.sheet_id,
                "folder": str(o.folder) if o.folder else None,
                "notices": [{"audience": n.audience_id, "notice": n.notice, "subject": n.subject,
                             "preheader": n.preheader} for n in o.notices],
                "files": o.written,
                "refused": {a: [p.as_dict() for p in e.problems] for a, e in o.refused.items()},
                "problems": [p.as_dict() for p in o.problems],
            } for o in self.outcomes],
        }


def render(paths: list[Path], *, outbox: Path = Path("outbox"), templates: Path | None = None,
           audiences: list[str] | None = None, notices: list[str] | None = None) -> RenderReport:
    """Render each sheet's notices and write them under ``outbox``.

    A sheet that does not load, or an audience that is refused, is reported and the rest
    still render. Nothing is written for a refused audience.
    """
    from notifier.outbox import write_outbox
    from notifier.render import render_sheet

    report = RenderReport()
    for path in expand_paths(paths):
        outcome = SheetOutcome(path=path)
        report.outcomes.append(outcome)
        try:
            sheet = load_sheet(path)
        except SheetError as exc:
            outcome.problems = exc.problems
            continue
        outcome.sheet_id = sheet.id
        result = render_sheet(sheet, templates=templates, audiences=audiences, notices=notices)
        outcome.notices, outcome.refused = result.notices, result.refused
        written = write_outbox(result, outbox)
        outcome.written, outcome.folder = written.status, written.folder
    return report
