"""Render many notices fast: skip unchanged ones by an input hash, render the rest in processes.

Each audience's notice (a *variant*) is rendered again only when its inputs changed
(``notifier.inputs``): a variant whose input hash matches the manifest and whose files on
disk still match it is skipped. When the sheet's own text, its earlier revision's and the
templates are those the manifest records (``inputs.sheet_digest``), no context is built at
all: the manifest's input hashes stand.

The rest are rendered in worker processes when there are enough of them (MJML holds the
GIL, so threads would not help). Each variant is rendered, checked, made into an ``.eml``
and written into the sheet's staging folder where it was rendered, and only a small record
of it (``outbox.WrittenNotice``) comes back: memory stays flat, however many notices, and
the parent does no per-notice work besides the manifest. Workers are forked after the
sheets are loaded and read them from memory; nothing is rendered before they start.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import pickle
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.errors import Problem, RenderRefused, SheetError, UsageError
from notifier.inputs import Skipped as Skipped
from notifier.inputs import templates_digest as templates_digest
from notifier.workers import signals_held, start_method, start_pool, stop

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment

    from notifier.model import FactSheet
    from notifier.outbox import WrittenNotice
    from notifier.render import RenderedNotice

#: Fewest variants worth starting worker processes for (a worker costs about 0.3 s to warm).
PARALLEL_THRESHOLD = 8
#: Most variants sent to a worker in one task: small enough for a smooth progress bar.
MAX_CHUNK = 16

#: (audience index, what became of it): its written record, why it was refused, or the error
#: that stopped its files being written.
Outcome = tuple[int, "WrittenNotice | RenderRefused | OSError"]


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


@dataclass(frozen=True)
class Task:
    """One worker's unit of work; every field pickles cheaply."""

    key: int  # the plan's position in the batch
    models_id: str  # keys the sheet and its earlier revision in the worker's cache
    models: bytes | None  # their pickle; None when the worker was forked with them in memory
    templates: str | None
    templates_digest: str
    date: datetime
    indices: tuple[int, ...]
    folder: str  # the staging folder to write into
    shared: bytes  # the sheet's ``inputs.shared_digest``
    allow_errors: bool = False


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
    from notifier.eml import message_date
    from notifier.inputs import (
        files_by_audience,
        input_hashes,
        shared_digest,
        sheet_digest,
        unchanged,
    )
    from notifier.outbox import read_manifest
    from notifier.render import load_previous

    date = message_date(sheet)
    shared = shared_digest(sheet, templates=templates, date=date, checked=not allow_errors)
    plan = SheetPlan(path=path, sheet=sheet, previous=load_previous(sheet), date=date,
                     shared=shared, digest=sheet_digest(sheet, shared))
    selected = [i for i, a in enumerate(sheet.audiences)
                if (not audiences or a.id in audiences) and (not notices or a.notice in notices)]
    plan.complete = len(selected) == len(sheet.audiences)
    folder = outbox / sheet.id
    manifest = read_manifest(folder)
    recorded = manifest.get("audiences")
    recorded = recorded if isinstance(recorded, dict) else {}
    plan.manifest_audiences = frozenset(files_by_audience(manifest)) | frozenset(recorded)
    if force:
        plan.todo = selected
        return plan
    if plan.digest is not None and manifest.get("inputs") == plan.digest:
        # Nothing any notice is made from has changed: the recorded hashes stand.
        plan.inputs = {aid: str(entry.get("inputs")) for aid, entry in recorded.items()
                       if isinstance(entry, dict) and entry.get("inputs")}
    else:
        # Only a variant the manifest has a record of can be unchanged; the others are
        # rendered, and hashed where they are rendered.
        known = [i for i in selected if sheet.audiences[i].id in recorded]
        env = _environment(str(templates_folder) if templates_folder else None, templates)
        plan.inputs = input_hashes(sheet, known, previous=plan.previous, templates=templates,
                                   date=date, checked=not allow_errors, env=env)
    by_audience = files_by_audience(manifest)
    for index in selected:
        audience = sheet.audiences[index]
        skipped = unchanged(folder, manifest, audience.id, audience.notice,
                            plan.inputs.get(audience.id), by_audience)
        if skipped:
            plan.unchanged.append(skipped)
        else:
            plan.todo.append(index)
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


def render_and_write(sheet: FactSheet, previous: FactSheet | None, index: int, env: Environment,
                     date: datetime, folder: Path, shared: bytes,
                     allow_errors: bool = False) -> WrittenNotice:
    """Render one variant, pass it through the gate, build its .eml and write its files.

    Its input hash is taken from the context it is rendered with (``inputs.ContextHasher``).

    Raises:
        RenderRefused: the notice contradicts the facts, or its checks find an error.
        OSError: a file cannot be written.
    """
    from notifier.context import build_context
    from notifier.eml import build_eml
    from notifier.gate import admit
    from notifier.inputs import ContextHasher
    from notifier.outbox import write_notice
    from notifier.render import render_notice

    context = digest = None
    try:
        context = build_context(sheet, index, previous, env)
        digest = ContextHasher(shared)(context)
    except Exception:  # noqa: BLE001 - render_notice reports the problem properly
        context = None
    notice = admit(sheet, index, render_notice(sheet, index, env, previous, context=context),
                   allow_errors=allow_errors)
    eml = build_eml(notice, date=date, draft=True)
    return write_notice(folder, notice, eml, inputs=digest)


def _render_one(sheet: FactSheet, previous: FactSheet | None, index: int, env: Environment,
                date: datetime, folder: Path, shared: bytes, allow_errors: bool = False) -> Outcome:
    try:
        return index, render_and_write(sheet, previous, index, env, date, folder, shared,
                                       allow_errors)
    except (RenderRefused, OSError) as exc:
        return index, exc


def refuse_on_check_errors(sheet: FactSheet, index: int, notice: RenderedNotice) -> None:
    """Refuse a rendered notice that has an error finding no waiver covers (``gate.admit``).

    Raises:
        RenderRefused: one problem per error finding, placed at the field that settles it.
    """
    from notifier.gate import admit

    admit(sheet, index, notice)


# Caches keyed by content hashes, so that nothing renders from a stale sheet or template:
# the sheets a worker was given, and compiled environments (compiling the templates costs
# more than rendering a few notices, and a long-lived process renders again and again).
_MODELS: dict[str, tuple[FactSheet, FactSheet | None]] = {}
_ENVS: dict[tuple[str | None, str], Environment] = {}


def _environment(templates: str | None, digest: str) -> Environment:
    """Return the environment for a template folder, compiled once per content digest."""
    from notifier.templating import make_environment

    if not digest:  # unknown content: never reuse
        return make_environment(Path(templates) if templates else None)
    key = (templates, digest)
    if key not in _ENVS:
        _ENVS.clear()  # a new digest means the templates changed: drop the old ones
        _ENVS[key] = make_environment(Path(templates) if templates else None)
    return _ENVS[key]


def _run_task(task: Task) -> tuple[int, list[Outcome]]:
    """Render and write a task's variants in a worker process."""
    if task.models_id not in _MODELS:
        if task.models is None:  # forked without them: cannot happen, but say so plainly
            raise RuntimeError("a worker was sent a sheet it does not have")
        _MODELS.clear()  # one batch's sheets at a time
        _MODELS[task.models_id] = pickle.loads(task.models)  # noqa: S301 - from our own parent
    sheet, previous = _MODELS[task.models_id]
    env = _environment(task.templates, task.templates_digest)
    folder = Path(task.folder)
    return task.key, [_render_one(sheet, previous, i, env, task.date, folder, task.shared,
                                  task.allow_errors) for i in task.indices]


def _tasks(work: list[tuple[int, SheetPlan, Path]], templates: Path | None, digest: str,
           workers: int, *, forked: bool, allow_errors: bool = False) -> list[Task]:
    """Split the work into tasks; with ``forked``, the sheets are put where the workers
    about to be forked will find them, instead of being pickled into every task."""
    total = sum(len(plan.todo) for _, plan, _ in work)
    size = max(1, min(MAX_CHUNK, math.ceil(total / (workers * 4))))
    folder_name = str(templates) if templates else None
    tasks = []
    for key, plan, folder in work:
        models_id = f"{os.getpid()}-{id(plan.sheet)}-{id(plan.previous)}"
        models = None
        if forked:
            _MODELS[models_id] = (plan.sheet, plan.previous)
        else:
            models = pickle.dumps((plan.sheet, plan.previous), protocol=pickle.HIGHEST_PROTOCOL)
            models_id = hashlib.sha256(models).hexdigest()
        tasks += [Task(key, models_id, models, folder_name, digest, plan.date,
                       tuple(plan.todo[i:i + size]), str(folder), plan.shared, allow_errors)
                  for i in range(0, len(plan.todo), size)]
    return tasks


def render_plans(plans: list[SheetPlan], folders: list[Path | None], *,
                 templates: Path | None = None, templates_digest: str = "",
                 jobs: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 allow_errors: bool = False) -> list[SheetRendering]:
    """Render every planned variant into its sheet's staging folder, in worker processes
    when there are enough of them.

    Args:
        plans: one per sheet, from ``plan_sheet``.
        folders: each plan's staging folder (None: not rendered, its folder could not be
            opened).
        templates: the template overrides folder, if any.
        templates_digest: ``templates_digest(templates)``, which keys the compiled templates.
        jobs: force this many worker processes (1 renders in this process).
        progress: called as ``progress(done, total)`` after each batch of variants.
        allow_errors: write notices whose checks find errors instead of refusing them.

    Returns:
        One ``SheetRendering`` per plan, notices in the sheet's audience order. After a
        sheet's first write error its other variants are not rendered (in this process) or
        not kept (from workers): the caller discards its folder.
    """
    work = [(key, plan, folder) for key, (plan, folder) in enumerate(zip(plans, folders, strict=True))
            if folder is not None and plan.todo]
    collector = _Collector(len(plans), sum(len(plan.todo) for _, plan, _ in work), progress)
    workers = worker_count(collector.total, jobs)
    if workers == 1:
        env = _environment(str(templates) if templates else None, templates_digest)
        for key, plan, folder in work:
            for index in plan.todo:
                if collector.renderings[key].errors:
                    break  # the disk refused a file: the folder will be discarded
                collector.arrived(key, [_render_one(plan.sheet, plan.previous, index, env,
                                                    plan.date, folder, plan.shared, allow_errors)])
    elif work:
        method = start_method()
        tasks = _tasks(work, templates, templates_digest, workers, forked=method == "fork",
                       allow_errors=allow_errors)
        try:
            _render_in_workers(tasks, workers, method, collector.arrived)
        finally:
            for task in tasks:
                _MODELS.pop(task.models_id, None)
    return collector.sorted_out(plans)


class _Collector:
    """Gathers what comes back, per sheet, and reports progress."""

    def __init__(self, sheets: int, total: int,
                 progress: Callable[[int, int], None] | None) -> None:
        self.renderings = [SheetRendering() for _ in range(sheets)]
        self.found: list[dict[int, WrittenNotice | RenderRefused]] = [{} for _ in range(sheets)]
        self.total = total
        self.done = 0
        self.progress = progress

    def arrived(self, key: int, results: list[Outcome]) -> None:
        """Take a sheet's results (``key``: its position)."""
        for index, outcome in results:
            if isinstance(outcome, OSError):
                self.renderings[key].errors.append(outcome)
            else:
                self.found[key][index] = outcome
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


def _render_in_workers(tasks: list[Task], workers: int, method: str,
                       arrived: Callable[[int, list[Outcome]], None]) -> None:
    pool = start_pool(workers, method)
    try:
        with signals_held():  # every worker is on the pool's books before Ctrl-C can land
            futures = [pool.submit(_run_task, task) for task in tasks]
        arrived(0, [])  # a first progress report, once the workers have started
        for future in as_completed(futures):
            arrived(*future.result())
    except BaseException:
        stop(pool)  # Ctrl-C, SIGTERM or an error: do not wait for the queued work
        raise
    finally:
        pool.shutdown(wait=True)


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
