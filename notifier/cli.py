"""The `notifier` command line: parse options, make one library call, print, map errors to exit codes."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from notifier.errors import ExitCode, NotifierError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from notifier import commands
    from notifier.errors import RenderRefused

app = typer.Typer(
    name="notifier",
    help="Breach and incident notices from one YAML fact sheet.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich panels show every flag as '<bool>', as if it took a value.
    rich_markup_mode=None,
)

_debug = bool(os.environ.get("NOTIFIER_DEBUG"))


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug",
                                              help="Show tracebacks of internal errors.")] = False) -> None:
    global _debug
    _debug = _debug or debug


# readable=False: the library says why a sheet cannot be read, in the one-line format.
Sheets = Annotated[list[Path], typer.Argument(help="Fact sheets (.yaml), or folders of them.",
                                               show_default=False, readable=False)]


@app.command()
def validate(sheets: Sheets) -> None:
    """Check fact sheets and list every problem as file:line:col: field: what; what to do."""
    from notifier import commands

    report = commands.validate(sheets)
    for path, sheet in report.valid:
        print(f"{path}: ok: {commands.summarise(sheet)}")
    for warning in report.warnings:
        _err(f"warning: {warning}")
    if report.problems:
        for problem in report.problems:
            _err(str(problem))
        n, files = len(report.problems), len(report.invalid)
        _err(f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}")
        raise typer.Exit(ExitCode.CANNOT)


@app.command()
def new(
    sheet_id: Annotated[str, typer.Argument(metavar="ID", help="The incident's id, e.g. acme-2025-06.",
                                            show_default=False)],
    folder: Annotated[Path, typer.Option(help="Folder to write ID.yaml into.")] = Path("incidents"),
) -> None:
    """Start a fact sheet: write ID.yaml with every fact still to fill marked TODO."""
    from notifier import commands

    path = commands.new_sheet(sheet_id, folder)
    print(f"wrote {path}")
    print(f"next: fill in each TODO; `notifier validate {path}` lists the ones left, with their lines")


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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every notice in the table, "
                                          "unchanged ones and long lists too.")] = False,
    jobs: Annotated[int, typer.Option(min=0, envvar="NOTIFIER_JOBS", help="Worker processes; 0 picks "
                                      "(several for 8+ notices), 1 renders in this process.")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Render every notice, even unchanged ones.")] = False,
    allow_errors: Annotated[bool, typer.Option(
        "--allow-errors", help="Write notices even when `notifier check` finds errors in them, "
        "each marked as a draft (subject, first lines, manifest). For one reviewed exception, "
        "record a waiver in the sheet instead.")] = False,
) -> None:
    """Render every audience's notice as HTML, plain-text and .eml email into OUTBOX/<id>/.

    Notices whose inputs did not change since the last run are skipped (--force renders them).

    Each .eml is dated with the incident's discovered_at, or SOURCE_DATE_EPOCH when set.
    """
    from notifier import commands

    bar = _LazyProgress() if not (quiet or json_out) and sys.stderr.isatty() else None
    try:
        report = commands.render(sheets, outbox=outbox, templates=templates,
                                 audiences=audience or None, notices=notice or None,
                                 jobs=jobs or None, force=force, progress=bar,
                                 allow_errors=allow_errors,
                                 on_wait=lambda: _err(f"waiting for another notifier run to finish "
                                                      f"writing into {outbox} ..."))
    finally:
        if bar:
            bar.close()
    if json_out:
        import json

        print(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    elif not quiet:
        _print_render_table(report, verbose=verbose)
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            _err(f"warning: {warning}")
        for problem in outcome.problems:
            _err(str(problem))
        _print_refusals(outcome.refused)
    if not report.ok:
        raise typer.Exit(ExitCode.CANNOT)


@app.command()
def preview(
    sheet: Annotated[Path, typer.Argument(help="The fact sheet (.yaml) to preview.",
                                          show_default=False, readable=False)],
    port: Annotated[int, typer.Option(min=0, max=65535,
                                      help="Port to listen on; 0 picks a free one.")] = 8025,
    host: Annotated[str, typer.Option(help="Interface to listen on. The default, 127.0.0.1, is this "
                                           "machine only; anything wider shows the notices to the "
                                           "network.")] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open it in the web browser.")] = False,
    templates: Annotated[Path | None, typer.Option(help="Folder of template overrides (watched).")] = None,
    recipients: Annotated[Path | None, typer.Option(help="A recipient list (as for merge): with "
                                                    "--row, show that row's own notice too.")] = None,
    row: Annotated[int | None, typer.Option(min=2, help="The row of --recipients to show, by its "
                                            "first line; served at /as-recipient/.")] = None,
) -> None:
    """Serve SHEET's notices on http://127.0.0.1:PORT/, updated live as you edit (Ctrl-C stops)."""
    from notifier import commands
    from notifier.preview import PreviewStarted

    def announce(started: PreviewStarted) -> None:
        for warning in started.warnings:
            _err(f"warning: {warning}")
        print(f"previewing {sheet} at {started.url} (Ctrl-C to stop)", flush=True)
        if recipient is not None:
            print(f"row {row} of {recipients} as its reader sees it: {started.url}as-recipient/",
                  flush=True)

    if (recipients is None) != (row is None):
        from notifier.errors import UsageError

        raise UsageError("--recipients and --row go together: name the list and the row to show")
    recipient = (recipients, row) if recipients is not None and row is not None else None
    commands.preview(sheet, host=host, port=port, templates=templates, open_browser=open_browser,
                     on_ready=announce, **({"recipient": recipient} if recipient else {}))


class _LazyProgress:
    """A progress bar on stderr that appears only once rendering has taken a moment."""

    delay = 0.5  # seconds before the bar shows; quick batches print no bar at all

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._start = self._clock()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if done >= total or self._clock() - self._start < self.delay:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("rendering", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _print_refusals(refused: Mapping[str, RenderRefused]) -> None:
    # A problem with a shared fact (the summary, say) refuses every audience: say it once.
    audiences: dict[str, list[str]] = {}
    for audience_id, refusal in refused.items():
        for problem in refusal.problems:
            audiences.setdefault(str(problem), []).append(audience_id)
    for line, ids in audiences.items():
        _err(f"refused: {line}" + (f" [audiences: {', '.join(ids)}]" if len(ids) > 1 else ""))


#: Rendered notices listed one per row; a longer list is summed up (``--verbose`` lists all).
TABLE_ROWS = 40


def _print_render_table(report: commands.RenderReport, *, verbose: bool = False) -> None:
    """Print what each sheet's render did: a row per notice rendered, refused or removed
    (unchanged ones only with ``verbose``), then one summary line."""
    for outcome in report.outcomes:
        title = f"{outcome.sheet_id} -> {outcome.folder}/"
        listed = verbose or len(outcome.notices) <= TABLE_ROWS
        if not listed:
            kinds = Counter(n.notice for n in outcome.notices)
            print(f"{title}: {len(outcome.notices)} notices rendered ("
                  + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
                  + "); --verbose lists each one")
        rows = _rows(outcome, listed=listed, verbose=verbose)
        if rows:
            _print_table(title, rows)
    counts = report.counts()
    workers = f" in {report.workers} worker processes" if report.workers > 1 else ""
    print(f"{counts['rendered']} rendered{workers}, {counts['skipped']} unchanged (skipped), "
          f"{counts['refused']} refused, {counts['removed']} files removed")


def _rows(outcome: commands.SheetOutcome, *, listed: bool,
          verbose: bool) -> list[tuple[str, str, str, str]]:
    """Return the table rows of one sheet: (audience, notice, subject, files); the subject
    may carry console markup (escaped otherwise). ``listed``: a row per notice rendered."""
    rows: list[tuple[str, str, str, str]] = []
    if listed:
        statuses: dict[str, set[str]] = {}
        for rel, status in outcome.written.items():
            statuses.setdefault(rel.split("/", 1)[0], set()).add(status)
        rows += [(n.audience_id, n.notice, _escape(n.subject),
                  ", ".join(sorted(statuses.get(n.audience_id, ())))) for n in outcome.notices]
    if verbose:
        rows += [(s.audience, s.notice, _escape(s.subject), "identical") for s in outcome.skipped]
    rows += [(audience_id, "-", "[red]refused[/red]", "not written") for audience_id in outcome.refused]
    rows += [(rel.split("/")[0], "-", "(no longer in the sheet)", "removed")
             for rel, status in outcome.written.items() if status == "removed"]
    return rows


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _print_table(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    # One table per sheet, titled with its id and folder: the subject gets the width.
    table = Table(title=title, title_justify="left")
    for column in ("audience", "notice", "subject", "files"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


@app.command()
def merge(
    sheet: Annotated[Path, typer.Argument(help="The fact sheet (.yaml).", show_default=False,
                                          readable=False)],
    recipients: Annotated[Path, typer.Option(help="The recipient list: .csv (UTF-8) or .jsonl, one "
                                             "row per person with email and audience.",
                                             show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="mbox (one file), maildir or eml (a folder), "
                                     "or ses, sendgrid, mailgun (templates and batched requests "
                                     "for the service to send).", show_default=False)],
    out: Annotated[Path, typer.Option(help="The file or folder to write; OUT.summary.json goes "
                                      "beside it.", show_default=False)],
    shard: Annotated[str | None, typer.Option(help="Only shard K of N (K/N), split by a stable hash "
                                              "of the address, for several machines.")] = None,
    rejects: Annotated[Path | None, typer.Option(help="Write the good rows, and put the bad ones "
                                                 "with their problems in this file (without it, "
                                                 "any bad row stops the run before anything is "
                                                 "written).")] = None,
    templates: Annotated[Path | None, typer.Option(help="Folder of template overrides.")] = None,
    allow_errors: Annotated[bool, typer.Option(
        "--allow-errors", help="Merge notices whose checks find errors, marked as drafts, as "
        "render writes them.")] = False,
) -> None:
    """Give every recipient of a list their own notice, written for review or for a sending service.

    Nothing is sent. An interrupted run resumes where it stopped when run again.
    """
    from notifier import commands

    result = commands.merge(sheet, recipients=recipients, fmt=fmt, out=out, shard=shard,
                            rejects=rejects, templates=templates, allow_errors=allow_errors)
    for line in result.refusals:
        _err(line)
    s = result.summary
    if result.already_done:
        print(f"{out}: already complete ({s['written']} written, {s['rejected']} rejected); "
              "nothing to do")
        return
    resumed = " (resumed)" if result.resumed else ""
    print(f"{out}: {s['written']} written, {s['rejected']} rejected, of {s['rows']} rows in "
          f"shard {s['shard']}{resumed}; summary in {out}.summary.json")
    if s["rejected"] and rejects is not None:
        print(f"rejected rows and their problems: {rejects}")


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier revision of the fact sheet.", readable=False)],
    new: Annotated[Path, typer.Argument(help="The later revision.", readable=False)],
    json_out: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """Show the fact changes between two revisions of a fact sheet (what an update notice says)."""
    from notifier import commands

    changes = commands.diff(old, new)
    if json_out:
        import dataclasses
        import json

        print(json.dumps([dataclasses.asdict(c) for c in changes], indent=2))
        return
    for change in changes:
        print(change)
    if not changes:
        print("no fact changes")
    from notifier.diff import id_warning

    warning = id_warning(changes)
    if warning:
        _err(f"warning: {warning}")


@app.command("send-test")
def send_test(
    sheet: Annotated[Path, typer.Argument(help="The fact sheet (.yaml).", show_default=False,
                                          readable=False)],
    to: Annotated[list[str], typer.Option(help="Reviewer's address (repeatable).", show_default=False)],
    smtp: Annotated[str, typer.Option(help="SMTP server as HOST:PORT, e.g. smtp.example.com:587.",
                                      show_default=False)],
    audience: Annotated[list[str] | None, typer.Option(help="Only this audience id (repeatable).")] = None,
    notice: Annotated[list[str] | None, typer.Option(help="Only this notice kind (repeatable).")] = None,
    starttls: Annotated[bool, typer.Option("--starttls", help="Encrypt by upgrading with STARTTLS "
                                           "(usually port 587; certificate checked).")] = False,
    ssl: Annotated[bool, typer.Option("--ssl", help="Encrypt from the first byte: SMTPS (usually "
                                      "port 465; certificate checked).")] = False,
    user: Annotated[str | None, typer.Option(help="Log in as USER; the password is read from the "
                                             "NOTIFIER_SMTP_PASSWORD environment variable.")] = None,
    no_test_prefix: Annotated[bool, typer.Option("--no-test-prefix",
                                                 help="Do not put [TEST] before subjects.")] = False,
    templates: Annotated[Path | None, typer.Option(help="Folder of template overrides.")] = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for the server.")] = 30.0,
    allow_errors: Annotated[bool, typer.Option(
        "--allow-errors", help="Send notices whose checks find errors, marked as drafts (as "
        "render writes them); without it they are refused, as render refuses them.")] = False,
) -> None:
    """Send test copies of SHEET's notices to a reviewer's inbox (subjects start with [TEST])."""
    from notifier import commands

    report = commands.send_test(sheet, to=to, smtp=smtp, audiences=audience or None,
                                notices=notice or None, starttls=starttls, user=user,
                                password=os.environ.get("NOTIFIER_SMTP_PASSWORD") or None,
                                test_prefix=not no_test_prefix, templates=templates, timeout=timeout,
                                implicit_tls=ssl, allow_errors=allow_errors)
    for sent in report.sent:
        print(f"sent {sent.audience} ({sent.notice}) to {', '.join(report.to)} via {report.server}: "
              f"{sent.subject}")
    _print_refusals(report.refused)
    if not report.ok:
        raise typer.Exit(ExitCode.CANNOT)


@app.command()
def check(
    sheets: Sheets,
    json_out: Annotated[bool, typer.Option("--json", help="Print findings and deadlines as JSON.")] = False,
    now: Annotated[str | None, typer.Option(help="Measure deadlines' time left from this ISO time with "
                                            "a UTC offset, e.g. 2025-05-01T12:00:00+01:00.")] = None,
    templates: Annotated[Path | None, typer.Option(help="Folder of template overrides.")] = None,
    jobs: Annotated[int, typer.Option(min=0, envvar="NOTIFIER_JOBS", help="Worker processes; 0 picks "
                                      "(several for 8+ notices), 1 checks in this process.")] = 0,
) -> None:
    """Check every notice against the house rules and its audience's laws; show the deadlines.

    Exits 0 with no errors, 1 when a notice has an error finding, 2 when a sheet cannot be read.
    """
    from notifier import commands

    report = commands.check(sheets, now=now, templates=templates, jobs=jobs or None)
    if json_out:
        import json

        print(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    else:
        from rich.console import Console

        console = Console()
        for renderable in report.renderables():
            console.print(renderable)
        console.print(report.summary(), markup=False, highlight=False)
    for problem in report.problems:
        _err(str(problem))
    if report.problems:
        raise typer.Exit(ExitCode.CANNOT)
    if report.errors:
        raise typer.Exit(ExitCode.FINDINGS)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` runs (staging copies removed)."""


_terminated = False


def _terminate(signum: int, frame: object) -> None:
    global _terminated
    _terminated = True
    raise _Terminated


def _stopped() -> None:
    """Say why the run stopped, and exit as a shell expects after SIGTERM or Ctrl-C."""
    if _terminated:
        _err("terminated; the outbox is as it was before this run, or complete")
        sys.exit(ExitCode.TERMINATED)
    _err("interrupted")
    sys.exit(ExitCode.INTERRUPTED)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; the one place where library errors become messages and exit codes.

    Run as the program (no ``argv``), the process ends as soon as the command is done and
    its output flushed (``os._exit``): every file is closed, every worker and thread
    stopped by then, and tearing down the interpreter's objects would only add some 10 ms
    to ``--help`` and 0.1 s to a render. Called with ``argv`` (tests), it raises SystemExit.
    """
    if argv is not None:
        _main(argv)
        return
    try:
        _main(None)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int | None):
            _err(str(exc.code))
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe (| head): nothing more to say
                pass
        os._exit(code)


def _main(argv: list[str] | None) -> None:
    import signal
    import threading

    # No third-party pydantic plugin is to see an incident's facts; and looking for plugins
    # (every installed package's entry points) costs some 15 ms of every command's start.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        app(args=argv, prog_name="notifier")
    except NotifierError as exc:
        _err(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _stopped()
    except SystemExit as exc:
        if exc.code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
            _stopped()
        raise
    except Exception as exc:  # noqa: BLE001 - the boundary: a bug, reported in one line
        if _debug:
            raise
        _err(f"internal error: {type(exc).__name__}: {exc}; rerun with --debug for details")
        sys.exit(ExitCode.INTERNAL)
