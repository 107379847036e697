"""Render many notices fast: skip unchanged ones by an input hash, render the rest in processes.

Each audience's notice (a *variant*) is rendered again only when its inputs changed
(``notifier.inputs``): a variant whose input hash matches the manifest and whose files on
disk still match it is skipped.

The rest are rendered in worker processes when there are enough of them (MJML holds the
GIL, so threads would not help). Workers get picklable inputs only (the pickled sheet
models, the template folder, the message date, audience indices) and send back the
rendered notice and its ``.eml``, or the ``RenderRefused``.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import pickle
from concurrent.futures import as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.errors import Problem, RenderRefused, SheetError, UsageError
from notifier.inputs import Skipped as Skipped
from notifier.inputs import templates_digest as templates_digest
from notifier.workers import signals_held, start_pool, stop

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment

    from notifier.model import FactSheet
    from notifier.render import RenderedNotice

#: Fewest variants worth starting worker processes for (a worker costs about 0.3 s to warm).
PARALLEL_THRESHOLD = 8
#: Most variants sent to a worker in one task: small enough for a smooth progress bar.
MAX_CHUNK = 16

Outcome = tuple[int, "RenderedNotice | RenderRefused", bytes]  # (audience index, result, .eml)


@dataclass
class SheetPlan:
    """What to do for one sheet: which variants to render and which are unchanged."""

    path: Path
    sheet: FactSheet
    previous: FactSheet | None  # the revision it supersedes, for update notices
    date: datetime  # the Date of its .eml files
    todo: list[int] = field(default_factory=list)  # audience indices to render
    inputs: dict[str, str] = field(default_factory=dict)  # audience id -> input hash
    unchanged: list[Skipped] = field(default_factory=list)


@dataclass
class SheetRendering:
    """What rendering one sheet's variants produced."""

    notices: list[RenderedNotice] = field(default_factory=list)
    emls: dict[str, bytes] = field(default_factory=dict)  # audience id -> .eml bytes
    refused: dict[str, RenderRefused] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """One worker's unit of work; every field pickles cheaply."""

    key: int  # the plan's position in the batch
    models: bytes  # pickle of (sheet, previous), made once per sheet
    models_id: str  # its SHA-256, which keys the worker's cache
    templates: str | None
    templates_digest: str
    date: datetime
    indices: tuple[int, ...]
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
    from notifier.inputs import files_by_audience, input_hashes, unchanged
    from notifier.outbox import read_manifest
    from notifier.render import load_previous

    plan = SheetPlan(path=path, sheet=sheet, previous=load_previous(sheet),
                     date=message_date(sheet))
    selected = [i for i, a in enumerate(sheet.audiences)
                if (not audiences or a.id in audiences) and (not notices or a.notice in notices)]
    env = _environment(str(templates_folder) if templates_folder else None, templates)
    plan.inputs = input_hashes(sheet, selected, previous=plan.previous, templates=templates,
                               date=plan.date, checked=not allow_errors, env=env)
    folder = outbox / sheet.id
    manifest = read_manifest(folder)
    by_audience = files_by_audience(manifest)
    for index in selected:
        audience = sheet.audiences[index]
        skipped = None if force else unchanged(folder, manifest, audience.id, audience.notice,
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


def _render_one(sheet: FactSheet, previous: FactSheet | None, index: int, env: Environment,
                date: datetime, allow_errors: bool = False) -> Outcome:
    from notifier.eml import build_eml
    from notifier.gate import admit
    from notifier.render import render_notice

    try:
        notice = admit(sheet, index, render_notice(sheet, index, env, previous),
                       allow_errors=allow_errors)
        return index, notice, build_eml(notice, date=date, draft=True)
    except RenderRefused as exc:
        return index, exc, b""


def refuse_on_check_errors(sheet: FactSheet, index: int, notice: RenderedNotice) -> None:
    """Refuse a rendered notice that has an error finding no waiver covers (``gate.admit``).

    Raises:
        RenderRefused: one problem per error finding, placed at the field that settles it.
    """
    from notifier.gate import admit

    admit(sheet, index, notice)


# Caches keyed by content hashes, so that nothing renders from a stale sheet or template:
# the sheets a worker was sent, and compiled environments (compiling the templates costs
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
    """Render a task's variants in a worker process."""
    if task.models_id not in _MODELS:
        _MODELS[task.models_id] = pickle.loads(task.models)  # noqa: S301 - from our own parent
    sheet, previous = _MODELS[task.models_id]
    env = _environment(task.templates, task.templates_digest)
    return task.key, [_render_one(sheet, previous, i, env, task.date, task.allow_errors)
                      for i in task.indices]


def _tasks(plans: list[SheetPlan], templates: Path | None, digest: str, workers: int,
           allow_errors: bool = False) -> list[Task]:
    total = sum(len(p.todo) for p in plans)
    size = max(1, min(MAX_CHUNK, math.ceil(total / (workers * 4))))
    folder = str(templates) if templates else None
    tasks = []
    for key, plan in enumerate(plans):
        if not plan.todo:
            continue
        models = pickle.dumps((plan.sheet, plan.previous), protocol=pickle.HIGHEST_PROTOCOL)
        models_id = hashlib.sha256(models).hexdigest()
        tasks += [Task(key, models, models_id, folder, digest, plan.date,
                       tuple(plan.todo[i:i + size]), allow_errors)
                  for i in range(0, len(plan.todo), size)]
    return tasks


def render_plans(plans: list[SheetPlan], *, templates: Path | None = None,
                 templates_digest: str = "", jobs: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 on_result: Callable[[int, RenderedNotice, bytes], None] | None = None,
                 allow_errors: bool = False) -> list[SheetRendering]:
    """Render every planned variant, in worker processes when there are enough of them.

    Args:
        plans: one per sheet, from ``plan_sheet``.
        templates: the template overrides folder, if any.
        templates_digest: ``templates_digest(templates)``, which keys the compiled templates.
        jobs: force this many worker processes (1 renders in this process).
        progress: called as ``progress(done, total)`` after each batch of variants.
        on_result: called as ``on_result(plan index, notice, eml)`` as each notice arrives,
            e.g. to start writing it while the others render.
        allow_errors: write notices whose checks find errors instead of refusing them.

    Returns:
        One ``SheetRendering`` per plan, notices in the sheet's audience order.
    """
    total = sum(len(p.todo) for p in plans)
    found: list[dict[int, tuple[RenderedNotice | RenderRefused, bytes]]] = [{} for _ in plans]
    done = 0

    def arrived(key: int, results: list[Outcome]) -> None:
        nonlocal done
        for i, outcome, eml in results:
            found[key][i] = (outcome, eml)
            if on_result and not isinstance(outcome, RenderRefused):
                on_result(key, outcome, eml)
        done += len(results)
        if progress:
            progress(done, total)

    workers = worker_count(total, jobs)
    env = _environment(str(templates) if templates else None, templates_digest)
    if workers == 1:
        for key, plan in enumerate(plans):
            for index in plan.todo:
                arrived(key, [_render_one(plan.sheet, plan.previous, index, env, plan.date,
                                          allow_errors)])
    elif total:
        # Render the first variant here, before forking: it imports premailer and compiles
        # the templates once, and every forked worker inherits them instead of paying again.
        key, plan = next((k, p) for k, p in enumerate(plans) if p.todo)
        # Its result is reported only once the workers exist: reporting starts the writer
        # threads, and forking is safe only while this process has one thread.
        first = plan.todo[0]
        warm = _render_one(plan.sheet, plan.previous, first, env, plan.date, allow_errors)
        rest = [replace(p, todo=[i for i in p.todo if (k, i) != (key, first)])
                for k, p in enumerate(plans)]
        _render_in_workers(_tasks(rest, templates, templates_digest, workers, allow_errors),
                           workers, arrived, done_here=(key, [warm]))
    return [_collect(plan, found[key]) for key, plan in enumerate(plans)]


def _render_in_workers(tasks: list[Task], workers: int,
                       arrived: Callable[[int, list[Outcome]], None],
                       done_here: tuple[int, list[Outcome]] | None = None) -> None:
    pool = start_pool(workers)
    try:
        with signals_held():  # every worker is on the pool's books before Ctrl-C can land
            futures = [pool.submit(_run_task, task) for task in tasks]
        arrived(0, [])  # a first progress report, once the workers have started
        if done_here:
            arrived(*done_here)
        for future in as_completed(futures):
            arrived(*future.result())
    except BaseException:
        stop(pool)  # Ctrl-C, SIGTERM or an error: do not wait for the queued work
        raise
    finally:
        pool.shutdown(wait=True)


def _collect(plan: SheetPlan,
             found: dict[int, tuple[RenderedNotice | RenderRefused, bytes]]) -> SheetRendering:
    rendering = SheetRendering()
    for index in sorted(found):
        outcome, eml = found[index]
        audience_id = plan.sheet.audiences[index].id
        if isinstance(outcome, RenderRefused):
            rendering.refused[audience_id] = outcome
        else:
            rendering.notices.append(outcome)
            rendering.emls[audience_id] = eml
    return rendering


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
