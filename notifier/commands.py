"""One function per CLI command; each composes the library and returns a report, never prints."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.errors import Problem, SheetError, UsageError
from notifier.model import FactSheet
from notifier.sheet import load_sheet, schema_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from notifier import batch
    from notifier.batch import Skipped
    from notifier.diff import Change
    from notifier.errors import RenderRefused
    from notifier.outbox import WrittenNotice
    from notifier.preview import PreviewStarted
    from notifier.smtp import SendReport
    from notifier.staging import SheetFolder


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
    #: things worth a second look that do not make a sheet invalid (a date in the future)
    warnings: list[Problem] = field(default_factory=list)

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
            sheet = load_sheet(path)
        except SheetError as exc:
            report.invalid.append(path)
            report.problems.extend(exc.problems)
            continue
        report.valid.append((path, sheet))
        report.warnings.extend(sheet.source.warnings)
    return report


def schema() -> str:
    """Return the JSON Schema of the fact-sheet format as text."""
    return schema_text()


def new_sheet(sheet_id: str, folder: Path = Path("incidents")) -> Path:
    """Write a starter fact sheet ``folder/<sheet_id>.yaml`` whose every fact is a TODO.

    ``validate`` then lists each TODO with its line and what to write, and refuses the
    sheet until none is left, so a half-written sheet cannot be rendered.

    Raises:
        UsageError: the id is not a valid id, or the file already exists (never overwritten).
    """
    import os
    from importlib import resources

    from notifier.model import refusal
    from notifier.outbox import atomic_write

    bad = refusal("id", sheet_id)
    if bad:
        raise UsageError(f"{bad[0]}; {bad[1]}")
    target = folder / f"{sheet_id}.yaml"
    if target.exists():
        raise UsageError(f"{target} already exists; pick another id or edit that sheet")
    text = (resources.files("notifier") / "starter.yaml").read_text(encoding="utf-8")
    schema_file = Path(__file__).resolve().parent.parent / "docs" / "fact-sheet.schema.json"
    line = ""
    if schema_file.is_file():  # a checkout: point editors at the schema, relative to the sheet
        relative = os.path.relpath(schema_file, folder.resolve())
        line = f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"
    atomic_write(target, text.replace("__SCHEMA_LINE__", line).replace("__ID__", sheet_id)
                 .encode("utf-8"))
    return target


def preview(path: Path, *, host: str = "127.0.0.1", port: int = 8025, templates: Path | None = None,
            open_browser: bool = False,
            on_ready: Callable[[PreviewStarted], None] | None = None,
            recipient: tuple[Path, int] | None = None) -> None:
    """Serve ``path``'s notices with live reload until interrupted (``preview.serve_preview``);
    with ``recipient`` (list, row), that row's merged notice too, at /as-recipient/.

    Raises:
        UsageError: the sheet or templates folder does not exist, or the port is taken.
    """
    from notifier.preview import serve_preview

    if recipient is not None and not recipient[0].is_file():
        raise UsageError(f"{recipient[0]}: no such recipient list")
    serve_preview(path, host=host, port=port, templates=templates, open_browser=open_browser,
                  on_ready=on_ready, recipient=recipient)


@dataclass
class SheetOutcome:
    """What `render` did for one fact sheet."""

    path: Path
    sheet_id: str = ""
    notices: list[WrittenNotice] = field(default_factory=list)  # written, then forgotten
    written: dict[str, str] = field(default_factory=dict)  # relpath -> status
    refused: dict[str, RenderRefused] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    folder: Path | None = None
    skipped: list[Skipped] = field(default_factory=list)  # unchanged, not rendered again
    warnings: list[Problem] = field(default_factory=list)  # worth a look, not stopping it


@dataclass
class RenderReport:
    """What `render` did for every sheet named."""

    outcomes: list[SheetOutcome] = field(default_factory=list)
    workers: int = 1  # worker processes used (1: rendered in this process)

    def counts(self) -> dict[str, int]:
        """Return how many variants were rendered, skipped and refused, and files by status."""
        counts = {"sheets": len(self.outcomes), "rendered": 0, "skipped": 0, "refused": 0,
                  "invalid_sheets": 0, "created": 0, "updated": 0, "identical": 0, "removed": 0}
        for o in self.outcomes:
            counts["rendered"] += len(o.notices)
            counts["skipped"] += len(o.skipped)
            counts["refused"] += len(o.refused)
            counts["invalid_sheets"] += bool(o.problems)
            for status in o.written.values():
                counts[status] = counts.get(status, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        """True when every sheet loaded and no audience was refused."""
        return all(not o.problems and not o.refused for o in self.outcomes)

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain data for `--json`."""
        return {
            "ok": self.ok,
            "workers": self.workers,
            "counts": self.counts(),
            "sheets": [{
                "path": str(o.path), "id": o.sheet_id,
                "folder": str(o.folder) if o.folder else None,
                "notices": [{"audience": n.audience_id, "notice": n.notice, "subject": n.subject,
                             "preheader": n.preheader} for n in o.notices],
                "skipped": [{"audience": s.audience, "notice": s.notice, "subject": s.subject,
                             "preheader": s.preheader} for s in o.skipped],
                "files": o.written,
                "refused": {a: [p.as_dict() for p in e.problems] for a, e in o.refused.items()},
                "problems": [p.as_dict() for p in o.problems],
            } for o in self.outcomes],
        }


def render(paths: list[Path], *, outbox: Path = Path("outbox"), templates: Path | None = None,
           audiences: list[str] | None = None, notices: list[str] | None = None,
           jobs: int | None = None, force: bool = False, allow_errors: bool = False,
           progress: Callable[[int, int], None] | None = None,
           on_wait: Callable[[], None] | None = None) -> RenderReport:
    """Render each sheet's notices (HTML, text, .eml) and write them under ``outbox``.

    A sheet that does not load, or an audience that is refused, is reported and the rest
    still render. Nothing is written for a refused audience. A variant whose inputs and
    files are unchanged since the last run is skipped (listed, its files ``identical``).

    Args:
        paths: fact sheets, or folders of them.
        outbox: the folder to write into.
        templates: a folder of template overrides.
        audiences: only these audience ids.
        notices: only these notice kinds.
        jobs: force this many worker processes (1: none); by default workers are used for
            8 variants or more on a machine with more than one CPU.
        force: render every selected variant even if it is unchanged.
        allow_errors: write a variant even when its checks find errors (they are refused
            otherwise, like a notice that contradicts the facts).
        progress: called as ``progress(done, total)`` while variants render.
        on_wait: called once if another run is writing into the outbox; this one then
            waits for it (the outbox is locked for the whole run).

    A sheet whose folder cannot be written (a full or read-only disk, a file in the way)
    is reported with one problem, and its folder is left exactly as it was: each sheet's
    folder is swapped in whole, or not at all.

    Raises:
        UsageError: an unknown notice kind or audience id, or a missing templates folder.
        OutboxError: the outbox folder itself cannot be made or locked.
    """
    from notifier import batch
    from notifier.errors import check_overrides
    from notifier.staging import lock_outbox

    batch.check_notice_filter(notices)
    check_overrides(templates)  # before any work
    digest = batch.templates_digest(templates)
    report = RenderReport()
    loaded: list[tuple[SheetOutcome, FactSheet]] = []
    ids: dict[str, Path] = {}
    for path in expand_paths(paths):
        outcome = SheetOutcome(path=path)
        report.outcomes.append(outcome)
        try:
            sheet = load_sheet(path)
            if sheet.id in ids:
                raise batch.duplicate_id_error(path, sheet, ids[sheet.id])
        except SheetError as exc:
            outcome.problems = exc.problems
            continue
        outcome.sheet_id, outcome.warnings = sheet.id, sheet.source.warnings
        ids[sheet.id] = path
        loaded.append((outcome, sheet))
    batch.check_audience_filter(audiences, [sheet for _, sheet in loaded])
    # The lock covers planning too: what is unchanged is read from the manifests it guards.
    with lock_outbox(outbox, on_wait=on_wait):
        planned: list[tuple[SheetOutcome, batch.SheetPlan]] = []
        for outcome, sheet in loaded:
            try:
                planned.append((outcome, batch.plan_sheet(
                    outcome.path, sheet, outbox=outbox, templates=digest, audiences=audiences,
                    notices=notices, force=force, allow_errors=allow_errors,
                    templates_folder=templates)))
            except SheetError as exc:
                outcome.problems = exc.problems
        report.workers = batch.worker_count(sum(len(plan.todo) for _, plan in planned), jobs)
        with contextlib.ExitStack() as stack:
            # Each sheet's staging copy first: the notices are written into it as they render.
            staged = _open_folders(outbox, planned, stack)
            renderings = batch.render_plans(
                [plan for _, plan in planned], [s[1] if s else None for s in staged],
                templates=templates, templates_digest=digest, jobs=report.workers,
                progress=progress, allow_errors=allow_errors, written=_syncing(staged))
            for (outcome, plan), rendering, folder in zip(planned, renderings, staged, strict=True):
                if plan.settled and folder is None:
                    _settled(outbox, outcome, plan)
                elif folder is not None:  # else its folder could not be opened: reported
                    outcome.notices, outcome.refused = rendering.notices, rendering.refused
                    outcome.skipped = plan.unchanged
                    _write_sheet(outbox, outcome, plan, rendering, folder)
    return report


def _open_folders(outbox: Path, planned: list[tuple[SheetOutcome, batch.SheetPlan]],
                  stack: contextlib.ExitStack) -> list[tuple[SheetFolder, Path] | None]:
    """Open each sheet's staging folder; a sheet whose folder cannot be opened is reported.

    A sheet with nothing to change (``SheetPlan.settled``) gets none: its folder stays as it
    is, with no copy made.
    """
    from notifier.staging import OutboxError, SheetFolder

    staged: list[tuple[SheetFolder, Path] | None] = []
    for outcome, plan in planned:
        if plan.settled:
            staged.append(None)
            continue
        sheet_folder = stack.enter_context(SheetFolder(outbox, plan.sheet.id))
        try:
            staged.append((sheet_folder, sheet_folder.open()))
        except OutboxError as exc:
            outcome.problems = [exc.problem]
            staged.append(None)
    return staged


def _syncing(staged: list[tuple[SheetFolder, Path] | None]
             ) -> Callable[[int, WrittenNotice], None]:
    """Return what to do with each notice written: start making its files durable, while
    the others render, so that the swap waits only for the last ones."""
    def written(key: int, notice: WrittenNotice) -> None:
        folder = staged[key]
        if folder is not None:
            folder[0].written(folder[1] / rel for rel, status, _ in notice.files
                              if status != "identical")

    return written


def _settled(outbox: Path, outcome: SheetOutcome, plan: batch.SheetPlan) -> None:
    """Report a sheet whose every notice is unchanged; its folder is left as it is, but for
    the manifest's record of the sheet's inputs (one file, replaced atomically, whose files
    it lists stay the same), so that the next run skips the sheet without a context."""
    from notifier.inputs import files_by_audience
    from notifier.outbox import MANIFEST, atomic_write, read_manifest
    from notifier.staging import remove_leftovers

    folder = outbox / plan.sheet.id
    remove_leftovers(folder)
    manifest = read_manifest(folder)
    outcome.skipped, outcome.folder = plan.unchanged, folder
    outcome.written = {rel: "identical" for rels in files_by_audience(manifest).values()
                       for rel in sorted(rels)}
    if plan.digest is not None and manifest.get("inputs") != plan.digest:
        manifest["inputs"] = plan.digest
        content = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        # Only a shortcut for the next run: if it cannot be recorded, that run hashes again.
        with contextlib.suppress(OSError):
            atomic_write(folder / MANIFEST, content.encode())
    if plan.digests is not None:
        plan.digests.save()


def _write_sheet(outbox: Path, outcome: SheetOutcome, plan: batch.SheetPlan,
                 rendering: batch.SheetRendering, staged: tuple[SheetFolder, Path]) -> None:
    """Finish one sheet's staging folder (manifest, stale files) and swap it in."""
    from notifier.outbox import MANIFEST, finish_folder
    from notifier.staging import OutboxError, failure

    sheet_folder, folder = staged
    try:
        if rendering.errors:
            raise OutboxError(failure(outbox / plan.sheet.id, folder, rendering.errors[0]))
        try:
            report = finish_folder(plan.sheet, outbox, folder, rendering.notices,
                                   refused=rendering.refused,
                                   unchanged={s.audience for s in plan.unchanged},
                                   digest=plan.digest if plan.complete else None)
        except OSError as exc:
            raise OutboxError(failure(outbox / plan.sheet.id, folder, exc)) from None
        sheet_folder.written([folder / MANIFEST])
        sheet_folder.commit()
    except OutboxError as exc:
        sheet_folder.discard()
        outcome.problems = [exc.problem]
        outcome.notices, outcome.skipped = [], []
        return
    outcome.written, outcome.folder = report.status, report.folder
    if plan.digests is not None:  # the next run need not read them again
        plan.digests.keep_only(report.sha256)
        for rel, sha in report.sha256.items():
            plan.digests.remember(rel, sha)
        plan.digests.save()


def send_test(path: Path, *, to: list[str], smtp: str, audiences: list[str] | None = None,
              notices: list[str] | None = None, starttls: bool = False, user: str | None = None,
              password: str | None = None, test_prefix: bool = True,
              templates: Path | None = None, timeout: float = 30.0,
              implicit_tls: bool = False, allow_errors: bool = False) -> SendReport:
    """Send test copies of a sheet's chosen notices to reviewers (``smtp.send_test``).

    Raises:
        UsageError: bad options or a missing password.
        SendError: the SMTP server refused the connection, login, a recipient or a message.
    """
    from notifier.smtp import send_test as send

    return send(path, to=to, smtp=smtp, audiences=audiences, notices=notices, starttls=starttls,
                user=user, password=password, test_prefix=test_prefix, templates=templates,
                timeout=timeout, implicit_tls=implicit_tls, allow_errors=allow_errors)


def diff(old: Path, new: Path) -> list[Change]:
    """Return the fact changes between two revisions of a fact sheet."""
    from notifier.diff import diff_sheets

    return diff_sheets(load_sheet(old), load_sheet(new))


if TYPE_CHECKING:
    from datetime import datetime

    from notifier.checks.finding import Finding
    from notifier.checks.report import CheckReport


def check(paths: list[Path], now: datetime | str | None = None, *,
          templates: Path | None = None, jobs: int | None = None) -> CheckReport:
    """Check every audience's notice of each sheet, and compute its notification deadlines.

    Args:
        paths: fact sheets, or folders of them.
        now: the moment deadlines' time left is measured from (default: the current time);
            an aware datetime, or ISO text with a UTC offset.
        templates: a folder of template overrides, as for ``render``.
        jobs: force this many worker processes (1: none); by default workers are used as
            ``render`` uses them.

    Raises:
        UsageError: no sheet named, ``now`` is not an ISO timestamp with an offset, or the
            templates folder does not exist. Sheets that do not load are reported, not raised.
    """
    from notifier.batch import check_variants
    from notifier.checks.report import check_sheets

    def checker(sheets: list[tuple[FactSheet, FactSheet | None]]
                ) -> list[dict[int, list[Finding] | RenderRefused]]:
        return check_variants(sheets, templates=templates, jobs=jobs)

    return check_sheets(expand_paths(paths), now=now, templates=templates, checker=checker)


if TYPE_CHECKING:
    from notifier.merge import MergeResult


def merge(path: Path, *, recipients: Path, fmt: str, out: Path, shard: str | None = None,
          rejects: Path | None = None, templates: Path | None = None,
          allow_errors: bool = False) -> MergeResult:
    """Merge every recipient of a list into their own notice (``mergerun.merge_recipients``).

    Raises:
        SheetError: the sheet is invalid.
        RecipientsError: rows with problems (every one), and no ``rejects``.
        UsageError: a bad option, or ``out`` holding another run's output.
    """
    from notifier.merge import parse_shard
    from notifier.mergerun import merge_recipients
    from notifier.templating import make_environment

    index = parse_shard(shard)
    make_environment(templates)  # refuses a missing overrides folder before any work
    return merge_recipients(load_sheet(path), recipients, fmt=fmt, out=out, shard=index,
                            rejects=rejects, templates=templates, allow_errors=allow_errors)
