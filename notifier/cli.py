"""The `notifier` command line: parse options, make one library call, print, map errors to exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from notifier.errors import ExitCode, NotifierError

if TYPE_CHECKING:
    from notifier import commands

app = typer.Typer(
    name="notifier",
    help="Breach and incident notices from one YAML fact sheet.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_debug = bool(os.environ.get("NOTIFIER_DEBUG"))


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False) -> None:
    global _debug
    _debug = _debug or debug


Sheets = Annotated[list[Path], typer.Argument(help="Fact sheets (.yaml), or folders of them.", show_default=False)]


@app.command()
def validate(sheets: Sheets) -> None:
    """Check fact sheets and list every problem as file:line:col: field: what; what to do."""
    from notifier import commands

    report = commands.validate(sheets)
    for path, sheet in report.valid:
        print(f"{path}: ok: {commands.summarise(sheet)}")
    if report.problems:
        for problem in report.problems:
            _err(str(problem))
        n, files = len(report.problems), len(report.invalid)
        _err(f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}")
        raise typer.Exit(ExitCode.CANNOT)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the fact-sheet format (for editor completion and checks)."""
    from notifier import commands

    sys.stdout.write(commands.schema())


@app.command()
def render(
    sheets: Sheets,
    outbox: Annotated[Path, typer.Option(help="Folder to write into.")] = Path("outbox"),
    templates: Annotated[Path | None, typer.Option(help="Folder of template overrides.")] = None,
    audience: Annotated[list[str] | None, typer.Option(help="Only this audience id (repeatable).")] = None,
    notice: Annotated[list[str] | None, typer.Option(help="Only this notice kind (repeatable).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
) -> None:
    """Render every audience's notice as HTML and plain-text email into OUTBOX/<id>/."""
    from notifier import commands

    report = commands.render(sheets, outbox=outbox, templates=templates,
                             audiences=audience or None, notices=notice or None)
    if json_out:
        import json

        print(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    elif not quiet:
        _print_render_table(report)
    for outcome in report.outcomes:
        for problem in outcome.problems:
            _err(str(problem))
        for refusal in outcome.refused.values():
            for problem in refusal.problems:
                _err(f"refused: {problem}")
    if not report.ok:
        raise typer.Exit(ExitCode.CANNOT)


def _print_render_table(report: commands.RenderReport) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=None, show_lines=False)
    for column in ("sheet", "audience", "notice", "subject", "files"):
        table.add_column(column, overflow="fold")
    for outcome in report.outcomes:
        for n in outcome.notices:
            statuses = sorted({v for k, v in outcome.written.items() if k.startswith(n.audience_id + "/")})
            table.add_row(outcome.sheet_id, n.audience_id, n.notice, n.subject, ", ".join(statuses))
        for audience_id in outcome.refused:
            table.add_row(outcome.sheet_id, audience_id, "-", "[red]refused[/red]", "not written")
        removed = [k for k, v in outcome.written.items() if v == "removed"]
        for rel in removed:
            table.add_row(outcome.sheet_id, rel.split("/")[0], "-", "(no longer in the sheet)", "removed")
    Console().print(table)
    for outcome in report.outcomes:
        if outcome.folder:
            print(f"wrote {outcome.folder}/")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; the one place where library errors become messages and exit codes."""
    try:
        app(args=argv, prog_name="notifier")
    except NotifierError as exc:
        _err(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the boundary: a bug, reported in one line
        if _debug:
            raise
        _err(f"internal error: {type(exc).__name__}: {exc}; rerun with --debug for details")
        sys.exit(ExitCode.INTERNAL)
