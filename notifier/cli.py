"""The `notifier` command line: parse options, make one library call, print, map errors to exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from notifier.errors import ExitCode, NotifierError

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
