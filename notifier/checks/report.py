"""What `notifier check` found for each sheet: findings, deadlines, sheets that did not load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notifier.checks.finding import Finding
from notifier.errors import Problem, SheetError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from notifier.checks.deadlines import Deadline


@dataclass
class SheetChecks:
    """One sheet's findings and deadlines, or the problems that stopped it loading."""

    path: Path
    sheet_id: str = ""
    notices: list[tuple[str, str]] = field(default_factory=list)  # (audience, notice kind)
    findings: list[Finding] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class CheckReport:
    """Everything `check` found, for every sheet named."""

    sheets: list[SheetChecks] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every finding, sheet by sheet."""
        return [f for s in self.sheets for f in s.findings]

    @property
    def errors(self) -> list[Finding]:
        """The findings of severity error."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def problems(self) -> list[Problem]:
        """Problems of sheets that could not be checked (bad input)."""
        return [p for s in self.sheets for p in s.problems]

    def summary(self) -> str:
        """One line: how many errors and warnings in how many notices."""
        n_err = len(self.errors)
        n_warn = len(self.findings) - n_err
        n_notices = sum(len(s.notices) for s in self.sheets)
        bad = sum(1 for s in self.sheets if s.problems)
        tail = f"; {bad} sheet{'s' if bad != 1 else ''} could not be read" if bad else ""
        return (f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning"
                f"{'s' if n_warn != 1 else ''} in {n_notices} notice{'s' if n_notices != 1 else ''}"
                f"{tail}")

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data for `--json`."""
        return {
            "ok": not self.errors and not self.problems,
            "errors": len(self.errors),
            "warnings": len(self.findings) - len(self.errors),
            "sheets": [{
                "path": str(s.path), "id": s.sheet_id,
                "notices": [{"audience": a, "notice": n} for a, n in s.notices],
                "findings": [f.as_dict() for f in s.findings],
                "deadlines": [d.as_dict() for d in s.deadlines],
                "problems": [p.as_dict() for p in s.problems],
            } for s in self.sheets],
        }

    def renderables(self) -> list[RenderableType]:
        """Return rich tables of the findings and the deadlines, for the terminal."""
        from rich.markup import escape
        from rich.table import Table

        findings = Table(title="Findings", show_lines=True, expand=True)
        for column, ratio in (("sheet / audience / notice", 2), ("severity", 1), ("rule", 2),
                              ("what is wrong; how to fix it", 5), ("source", 2)):
            findings.add_column(column, ratio=ratio, overflow="fold")
        for f in self.findings:
            colour = "red" if f.severity == "error" else "yellow"
            findings.add_row(escape(f"{f.sheet} / {f.audience} / {f.notice}"),
                             f"[{colour}]{f.severity}[/{colour}]", f.rule_id,
                             escape(f"{f.message}; {f.fix}"), escape(f"{f.source} ({f.status})"))
        deadlines = Table(title="Deadlines", show_lines=False, expand=True)
        for column in ("sheet", "deadline", "recipient", "due (recipient's time)", "time left",
                       "source"):
            deadlines.add_column(column, overflow="fold")
        for s in self.sheets:
            for d in s.deadlines:
                local = d.due_local()
                due = f"{local:%Y-%m-%d %H:%M %Z}" if local else "-"
                note = f"\n{d.note}" if d.note else ""
                deadlines.add_row(s.sheet_id, d.id, escape(d.recipient), due,
                                  escape(d.left_text() + note), escape(f"{d.source} ({d.status})"))
        out: list[RenderableType] = []
        if self.findings:
            out.append(findings)
        if any(s.deadlines for s in self.sheets):
            out.append(deadlines)
        return out


def check_sheets(paths: list[Path], *, now: datetime | str | None = None,
                 templates: Path | None = None) -> CheckReport:
    """Load, render and check each sheet; a sheet that does not load is reported, not raised.

    Raises:
        UsageError: ``now`` is not an ISO timestamp with a UTC offset, or the templates
            folder does not exist.
    """
    from notifier.checks import run_checks
    from notifier.checks.deadlines import deadlines_for, parse_now
    from notifier.render import render_sheet
    from notifier.sheet import load_sheet

    moment = parse_now(now)
    report = CheckReport()
    for path in paths:
        entry = SheetChecks(path=path)
        report.sheets.append(entry)
        try:
            sheet = load_sheet(path)
        except SheetError as exc:
            entry.problems = exc.problems
            continue
        entry.sheet_id = sheet.id
        result = render_sheet(sheet, templates=templates)
        entry.notices = [(a.id, a.notice) for a in sheet.audiences]
        entry.findings = run_checks(sheet, result)
        entry.deadlines = deadlines_for(sheet, now=moment)
    return report
