"""Render many notices fast: skip unchanged ones by an input hash, render the rest in processes.

Each audience's notice (a *variant*) is rendered again only when its inputs changed
(``notifier.inputs``): a variant whose input hash matches the manifest and whose files on
disk still match it is skipped. When the sheet's own text, its earlier revision's and the
templates are those the manifest records (``inputs.sheet_digest``), no context is built at
all: the manifest's input hashes stand.

The rest are rendered in worker processes when there are enough of them (MJML holds the
GIL, so threads would not help; see ``notifier.fanout``). Each variant is rendered,
checked, made into an ``.eml`` and written into the sheet's staging folder where it was
rendered, and only a small record of it (``outbox.WrittenNotice``) comes back: memory stays
flat, however many notices, and the parent does no per-notice work besides the manifest.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.errors import Problem, RenderRefused, SheetError, UsageError
from notifier.inputs import Skipped as Skipped
from notifier.inputs import templates_digest as templates_digest

if TYPE_CHECKING:
    from collections.abc import Callable

    from notifier.cache import FileDigests
    from notifier.checks.finding import Finding
    from notifier.fanout import Outcome
    from notifier.model import FactSheet
    from notifier.outbox import WrittenNotice
    from notifier.render import RenderedNotice

#: Fewest variants worth starting worker processes for (a worker costs about 0.3 s to warm).
PARALLEL_THRESHOLD = 8


@dataclass
class SheetPlan:
    """What to do for one sheet: which variants to render and which are unchanged."""

    path: Path
    sheet: FactSheet
    previous: FactSheet | None  # the revision it supersedes, for update notices
    date: datetime  # the Date of its .eml files
    todo: list[int] = field(default_factory=list)  # audience indices to render
    inputs: dict[str, str] = field(default_factory=dict)  # audience id -> input hash, if needed
    unchanged: list[Skipped] = field(default_factory=list)
    shared: bytes = b""  # ``inputs.shared_digest``: the part of every input hash they share
    digest: str | None = None  # ``inputs.sheet_digest``, recorded when every audience is done
    complete: bool = True  # every audience of the sheet selected (no filter)
    manifest_audiences: frozenset[str] = frozenset()  # audiences the manifest has entries for
    digests: FileDigests | None = None  # what its folder's files hold (``cache.FileDigests``)

    @property
    def settled(self) -> bool:
        """True when nothing in the sheet's folder would change: every audience unchanged,
        and the manifest lists no other audience (none to remove, nothing to add)."""
        return (self.complete and not self.todo
                and self.manifest_audiences == {a.id for a in self.sheet.audiences})


@dataclass
class SheetRendering:
    """What rendering one sheet's variants produced (their files are on disk)."""

    notices: list[WrittenNotice] = field(default_factory=list)
    refused: dict[str, RenderRefused] = field(default_factory=dict)
    errors: list[OSError] = field(default_factory=list)  # files that could not be written


def plan_sheet(path: Path, sheet: FactSheet, *, outbox: Path, templates: str,
               audiences: list[str] | None = None, notices: list[str] | None = None,
               force: bool = False, allow_errors: bool = False,
               templates_folder: Path | None = None) -> SheetPlan:
    """Decide which of a sheet's variants to render and which are unchanged on disk.

    Args:
        path: the sheet file.
        sheet: the loaded sheet.
        outbox: the outbox folder.
        templates: ``templates_digest`` of the template search path.
        audiences: only these audience ids, if given.
        notices: only these notice kinds, if given.
        force: render every selected variant even if unchanged.
        allow_errors: the variants will be written even with check errors; their input
            hashes differ from checked ones, so a later checked run renders them again.
        templates_folder: the template overrides folder, if any (``templates`` is its digest).

    Raises:
        SheetError: the revision the sheet supersedes is missing or invalid.
    """
    from notifier.cache import FileDigests
    from notifier.eml import message_date
    from notifier.inputs import (
        files_by_audience,
        input_hashes,
        shared_digest,
        sheet_digest,
        unchanged,
    )
    from notifier.outbox import read_manifest
    from notifier.sheet import load_previous

    date = message_date(sheet)
    shared = shared_digest(sheet, templates=templates, date=date, checked=not allow_errors)
    plan = SheetPlan(path=path, sheet=sheet, previous=None, date=date, shared=shared,
                     digest=sheet_digest(sheet, shared))
    selected = [i for i, a in enumerate(sheet.audiences)
                if (not audiences or a.id in audiences) and (not notices or a.notice in notices)]
    plan.complete = len(selected) == len(sheet.audiences)
    folder = outbox / sheet.id
    manifest = read_manifest(folder)
    recorded = manifest.get("audiences")
    recorded = recorded if isinstance(recorded, dict) else {}
    plan.manifest_audiences = frozenset(files_by_audience(manifest)) | frozenset(recorded)
    plan.digests = FileDigests(folder)
    settled = not force and plan.digest is not None and manifest.get("inputs") == plan.digest
    if not settled:
        # The earlier revision is read for the contexts of update notices; a sheet whose
        # digest (which covers that revision's text) is recorded needs no context.
        plan.previous = load_previous(sheet)
    if force:
        plan.todo = selected
        return plan
    if settled:
        # Nothing any notice is made from has changed: the recorded hashes stand.
        plan.inputs = {aid: str(entry.get("inputs")) for aid, entry in recorded.items()
                       if isinstance(entry, dict) and entry.get("inputs")}
    else:
        # Only a variant the manifest has a record of can be unchanged; the others are
        # rendered, and hashed where they are rendered.
        from notifier.fanout import environment

        known = [i for i in selected if sheet.audiences[i].id in recorded]
        env = environment(str(templates_folder) if templates_folder else None, templates)
        plan.inputs = input_hashes(sheet, known, previous=plan.previous, templates=templates,
                                   date=date, checked=not allow_errors, env=env)
    by_audience = files_by_audience(manifest)
    for index in selected:
        audience = sheet.audiences[index]
        skipped = unchanged(folder, manifest, audience.id, audience.notice,
                            plan.inputs.get(audience.id), by_audience, plan.digests)
        if skipped:
            plan.unchanged.append(skipped)
        else:
            plan.todo.append(index)
    if plan.todo and plan.previous is None:  # a file of an unchanged sheet changed by hand
        plan.previous = load_previous(sheet)
    return plan


# --- rendering -----------------------------------------------------------------------------

def available_cpus() -> int:
    """Return how many CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(variants: int, jobs: int | None = None) -> int:
    """Return how many worker processes to use; 1 means render in this process.

    ``jobs`` forces a number (1 = no workers); by default workers are used when there are at
    least PARALLEL_THRESHOLD variants and more than one CPU.
    """
    if jobs is not None and jobs > 0:
        return max(1, min(jobs, variants))
    cpus = available_cpus()
    if variants < PARALLEL_THRESHOLD or cpus < 2:
        return 1
    return max(1, min(cpus, variants // (PARALLEL_THRESHOLD // 2)))


def refuse_on_check_errors(sheet: FactSheet, index: int, notice: RenderedNotice) -> None:
    """Refuse a rendered notice that has an error finding no waiver covers (``gate.admit``).

    Raises:
        RenderRefused: one problem per error finding, placed at the field that settles it.
    """
    from notifier.gate import admit

    admit(sheet, index, notice)


def render_plans(plans: list[SheetPlan], folders: list[Path | None], *,
                 templates: Path | None = None, templates_digest: str = "",
                 jobs: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 allow_errors: bool = False,
                 written: Callable[[int, WrittenNotice], None] | None = None
                 ) -> list[SheetRendering]:
    """Render every planned variant into its sheet's staging folder, in worker processes
    when there are enough of them (``fanout.run``).

    Args:
        plans: one per sheet, from ``plan_sheet``.
        folders: each plan's staging folder (None: not rendered, its folder could not be
            opened).
        templates: the template overrides folder, if any.
        templates_digest: ``templates_digest(templates)``, which keys the compiled templates.
        jobs: force this many worker processes (1 renders in this process).
        progress: called as ``progress(done, total)`` after each batch of variants.
        allow_errors: write notices whose checks find errors instead of refusing them.
        written: called as ``written(plan index, notice)`` as each notice's files are
            written (once the workers, if any, have started), e.g. to make them durable.

    Returns:
        One ``SheetRendering`` per plan, notices in the sheet's audience order. After a
        sheet's first write error its other variants are not rendered (in this process) or
        not kept (from workers): the caller discards its folder.
    """
    from notifier import fanout

    work = [fanout.Job(key, plan.sheet, plan.previous, plan.todo, plan.date, folder, plan.shared)
            for key, (plan, folder) in enumerate(zip(plans, folders, strict=True))
            if folder is not None and plan.todo]
    collector = _Collector(len(plans), sum(len(job.indices) for job in work), progress, written)
    fanout.run(work, "render", workers=worker_count(collector.total, jobs),
                 arrived=collector.arrived, templates=templates, templates_digest=templates_digest,
                 allow_errors=allow_errors)
    return collector.sorted_out(plans)


class _Collector:
    """Gathers what comes back, per sheet, and reports progress."""

    def __init__(self, sheets: int, total: int, progress: Callable[[int, int], None] | None,
                 written: Callable[[int, WrittenNotice], None] | None = None) -> None:
        self.renderings = [SheetRendering() for _ in range(sheets)]
        self.found: list[dict[int, WrittenNotice | RenderRefused]] = [{} for _ in range(sheets)]
        self.total = total
        self.done = 0
        self.progress = progress
        self.written = written

    def arrived(self, key: int, results: list[Outcome]) -> None:
        """Take a sheet's results (``key``: its position)."""
        for index, outcome in results:
            if isinstance(outcome, OSError):
                self.renderings[key].errors.append(outcome)
            elif isinstance(outcome, list):  # findings: not what a render returns
                raise TypeError("a render returned findings")
            else:
                self.found[key][index] = outcome
                if self.written is not None and not isinstance(outcome, RenderRefused):
                    self.written(key, outcome)
        self.done += len(results)
        if self.progress:
            self.progress(self.done, self.total)

    def sorted_out(self, plans: list[SheetPlan]) -> list[SheetRendering]:
        """Return each sheet's rendering, in the sheet's audience order."""
        for rendering, plan, results in zip(self.renderings, plans, self.found, strict=True):
            for index in sorted(results):
                outcome = results[index]
                if isinstance(outcome, RenderRefused):
                    rendering.refused[plan.sheet.audiences[index].id] = outcome
                else:
                    rendering.notices.append(outcome)
        return self.renderings


def check_variants(sheets: list[tuple[FactSheet, FactSheet | None]], *,
                   templates: Path | None = None, jobs: int | None = None
                   ) -> list[dict[int, list[Finding] | RenderRefused]]:
    """Render and check every audience's notice of each (sheet, earlier revision), in worker
    processes when there are enough of them, as ``render`` does; nothing is written.

    Returns:
        Per sheet, each audience's findings (``check_notice``), or why it was refused.
    """
    from notifier import fanout

    digest = templates_digest(templates)
    work = [fanout.Job(key, sheet, previous, list(range(len(sheet.audiences))))
            for key, (sheet, previous) in enumerate(sheets)]
    found: list[dict[int, list[Finding] | RenderRefused]] = [{} for _ in sheets]

    def arrived(key: int, results: list[Outcome]) -> None:
        for index, outcome in results:
            if isinstance(outcome, list | RenderRefused):
                found[key][index] = outcome

    fanout.run(work, "check", workers=worker_count(sum(len(j.indices) for j in work), jobs),
                 arrived=arrived, templates=templates, templates_digest=digest)
    return found


# --- checks on the request -----------------------------------------------------------------

def duplicate_id_error(path: Path, sheet: FactSheet, first: Path) -> SheetError:
    """Return the error for a sheet whose id another sheet in the same run already uses."""
    line, col = sheet.source.position(("id",)) if sheet.source is not None else (0, 0)
    return SheetError([Problem(
        str(path), line, col, "id",
        f"{sheet.id!r} is also the id of {first}; both would write to the same outbox folder",
        "give each sheet its own id")])


def check_notice_filter(notices: list[str] | None) -> None:
    """Refuse a ``--notice`` value that is not a notice kind.

    Raises:
        UsageError: with a did-you-mean.
    """
    from notifier.model import NOTICE_KINDS

    for kind in notices or ():
        if kind not in NOTICE_KINDS:
            close = difflib.get_close_matches(kind, NOTICE_KINDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(NOTICE_KINDS)}"
            raise UsageError(f"--notice {kind!r} is not a notice kind; {hint}")


def check_audience_filter(audiences: list[str] | None, sheets: list[FactSheet]) -> None:
    """Refuse an ``--audience`` id that no loaded sheet has (a typo would render nothing).

    Raises:
        UsageError: with a did-you-mean or the list of audience ids.
    """
    if not audiences or not sheets:
        return
    known = sorted({a.id for sheet in sheets for a in sheet.audiences})
    for audience_id in audiences:
        if audience_id not in known:
            close = difflib.get_close_matches(audience_id, known, n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"the audiences are: {', '.join(known)}")
            raise UsageError(f"--audience {audience_id!r} matches no audience in the sheets "
                             f"named; {hint}")
