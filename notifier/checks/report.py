"""What `notifier check` found for each sheet: findings, deadlines, sheets that did not load."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notifier.checks.finding import Finding
from notifier.errors import Problem, RenderRefused, SheetError

if TYPE_CHECKING:
    from jinja2 import Environment
    from rich.console import RenderableType
    from rich.text import Text

    from notifier.deadlines import Deadline
    from notifier.model import FactSheet


#: Source keys in a rule's source text: '... 1798.82(a) [ca-sb446, sidley] (confirmed)'.
_CITED = re.compile(r"\[([a-z0-9][a-z0-9, .-]*)\]")


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
        """The errors no waiver covers."""
        return [f for f in self.findings if f.blocking]

    @property
    def waived(self) -> list[Finding]:
        """The errors and warnings a waiver in the sheet covers."""
        return [f for f in self.findings if f.waiver]

    @property
    def problems(self) -> list[Problem]:
        """Problems of sheets that could not be checked (bad input)."""
        return [p for s in self.sheets for p in s.problems]

    def summary(self) -> str:
        """One line: how many errors and warnings in how many notices."""
        n_err = len(self.errors)
        n_waived = len(self.waived)
        n_warn = len(self.findings) - n_err - n_waived
        n_notices = sum(len(s.notices) for s in self.sheets)
        bad = sum(1 for s in self.sheets if s.problems)
        tail = f"; {bad} sheet{'s' if bad != 1 else ''} could not be read" if bad else ""
        waived = f", {n_waived} waived" if n_waived else ""
        return (f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning"
                f"{'s' if n_warn != 1 else ''}{waived} in {n_notices} notice"
                f"{'s' if n_notices != 1 else ''}{tail}")

    def sources(self) -> dict[str, str]:
        """Return the legal reference's sources cited by the findings and deadlines shown,
        key -> address (and note), so that a reader can follow '[ca-sb446]' to its page."""
        from notifier.law import reference

        known = reference().get("sources", {})
        cited = [f.source for f in self.findings] + [d.source for s in self.sheets
                                                     for d in s.deadlines]
        keys = sorted({k.strip() for text in cited for group in _CITED.findall(text)
                       for k in group.split(",")})
        out = {}
        for key in keys:
            entry = known.get(key)
            if isinstance(entry, dict) and entry.get("url"):
                note = f" ({entry['note']})" if entry.get("note") else ""
                out[key] = f"{entry['url']}{note}"
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data for `--json`."""
        return {
            "ok": not self.errors and not self.problems,
            "sources": self.sources(),
            "errors": len(self.errors),
            "warnings": len(self.findings) - len(self.errors) - len(self.waived),
            "waived": len(self.waived),
            "sheets": [{
                "path": str(s.path), "id": s.sheet_id,
                "notices": [{"audience": a, "notice": n} for a, n in s.notices],
                "findings": [f.as_dict() for f in s.findings],
                "deadlines": [d.as_dict() for d in s.deadlines],
                "problems": [p.as_dict() for p in s.problems],
            } for s in self.sheets],
        }

    def renderables(self) -> list[RenderableType]:
        """Return the findings and the deadlines for the terminal, one block per item.

        Each block has a short label (ERROR/WARN; MET/LATE/OVERDUE/OPEN) in a column that never
        wraps and its text, one fact a line, beside it, so that it reads at 80 columns.
        """
        from rich.rule import Rule
        from rich.text import Text

        out: list[RenderableType] = []
        if self.findings:
            out.append(Rule("Findings", align="left"))
            for s in self.sheets:
                if s.findings:
                    out += [Text(s.sheet_id or str(s.path), style="bold"),
                            _blocks(_finding_block(f) for f in s.findings), Text("")]
        if any(s.deadlines for s in self.sheets):
            out.append(Rule("Deadlines", align="left"))
            for s in self.sheets:
                if s.deadlines:
                    out += [Text(s.sheet_id, style="bold"),
                            _blocks(_deadline_block(d) for d in s.deadlines), Text("")]
        sources = self.sources()
        if sources:
            out.append(Rule("Sources cited above", align="left"))
            out.append(_blocks((Text(f"[{k}]", style="dim"), Text(v)) for k, v in sources.items()))
            out.append(Text("docs/checks.md lists every rule with its source and status."))
        return out


def _blocks(rows: Iterable[tuple[Text, Text]]) -> RenderableType:
    """Return (label, text) rows as a grid: the label never wraps, a blank line between rows."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=7)
    grid.add_column(ratio=1, overflow="fold")
    for i, (label, text) in enumerate(rows):
        if i:
            grid.add_row("", "")
        grid.add_row(label, text)
    return grid


def _finding_block(f: Finding) -> tuple[Text, Text]:
    from rich.text import Text

    if f.waiver:
        label = Text("WAIVED", style="cyan")
    else:
        label = Text("ERROR", style="bold red") if f.severity == "error" else Text("WARN", style="yellow")
    text = Text.assemble((f.rule_id, "bold"), f"  {f.audience} / {f.notice}\n", f.message, "\n",
                         ("fix: ", "dim"), f.fix, "\n", ("source: ", "dim"),
                         f"{f.source} ({f.status})")
    if f.waiver:
        text.append("\n")
        text.append(f.waiver, style="cyan")
    return label, text


_DEADLINE_LABELS = {"in time": ("MET", "green"), "told": ("TOLD", "green"), "late": ("LATE", "red")}


def _deadline_block(d: Deadline) -> tuple[Text, Text]:
    from rich.text import Text

    left = d.time_left
    if d.outcome is not None:
        word, style = _DEADLINE_LABELS[d.outcome]
    elif left is not None and left.total_seconds() < 0:
        word, style = "OVERDUE", "bold red"
    else:
        word, style = "OPEN", "yellow"
    local = d.due_local()
    from notifier.deadlines import clock

    due = f"due {clock(local)}" if local else "no fixed time"
    text = Text.assemble((d.id, "bold"), f"  to {d.recipient.replace('_', ' ')}, {due}\n",
                         (d.left_text(), style))
    for note in d.notes or ((d.note,) if d.note else ()):
        text.append("\n")
        text.append("note: ", "dim")
        text.append(note)
    text.append("\n")
    text.append("source: ", "dim")
    text.append(f"{d.source} ({d.status})")
    return Text(word, style=style), text


#: Renders and checks the notices of (sheet, earlier revision) pairs: per sheet, each
#: audience's findings by position, or why it was refused (``batch.check_variants``).
Checker = Callable[[list[tuple["FactSheet", "FactSheet | None"]]],
                   list[dict[int, "list[Finding] | RenderRefused"]]]


def check_sheets(paths: list[Path], *, now: datetime | str | None = None,
                 templates: Path | None = None, checker: Checker | None = None) -> CheckReport:
    """Load, render and check each sheet; a sheet that does not load is reported, not raised.

    ``checker`` renders and checks the notices (``batch.check_variants``, in worker
    processes); by default they are rendered and checked here, one by one.

    Raises:
        UsageError: ``now`` is not an ISO timestamp with a UTC offset, or the templates
            folder does not exist.
    """
    from notifier.checks import merge_findings, waivers
    from notifier.checks.timeliness import sheet_findings
    from notifier.deadlines import deadlines_for, parse_now
    from notifier.render import load_previous
    from notifier.sheet import load_sheet
    from notifier.templating import make_environment

    moment = parse_now(now)
    env = make_environment(templates)  # refuses a missing templates folder before any work
    report = CheckReport()
    loaded: list[tuple[SheetChecks, FactSheet, FactSheet | None]] = []
    for path in paths:
        entry = SheetChecks(path=path)
        report.sheets.append(entry)
        try:
            sheet = load_sheet(path)
            loaded.append((entry, sheet, load_previous(sheet)))
        except SheetError as exc:
            entry.problems = exc.problems
            continue
        entry.sheet_id = sheet.id
    pairs = [(sheet, previous) for _, sheet, previous in loaded]
    results = checker(pairs) if checker is not None else [_check_here(s, p, env) for s, p in pairs]
    for (entry, sheet, _), found in zip(loaded, results, strict=True):
        entry.notices = [(a.id, a.notice) for a in sheet.audiences]
        entry.deadlines = deadlines_for(sheet, now=moment)
        checked = {sheet.audiences[i].id: r for i, r in found.items() if isinstance(r, list)}
        refused = {sheet.audiences[i].id: r for i, r in found.items() if isinstance(r, RenderRefused)}
        found_all = merge_findings(sheet, checked, refused) + waivers.apply(
            sheet, sheet_findings(sheet, entry.deadlines))
        entry.findings = found_all + waivers.problems(sheet, found_all)
    return report


def _check_here(sheet: FactSheet, previous: FactSheet | None,
                env: Environment) -> dict[int, list[Finding] | RenderRefused]:
    """Render and check every notice of a sheet in this process."""
    from notifier.checks import check_notice
    from notifier.render import render_notice

    found: dict[int, list[Finding] | RenderRefused] = {}
    for index in range(len(sheet.audiences)):
        try:
            found[index] = check_notice(sheet, render_notice(sheet, index, env, previous))
        except RenderRefused as exc:
            found[index] = exc
    return found
