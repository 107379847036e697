"""Do one thing to many variants (an audience's notice each): here, or in worker processes.

Two kinds of work: ``render`` renders a variant, passes it through the gate, makes its
``.eml`` and writes its files into the sheet's staging folder, and returns a small record
(``outbox.WrittenNotice``); ``check`` renders it and returns its check findings. Either way
the notice itself stays where it was made: memory does not grow with the number of variants.

Workers are forked after the sheets are loaded and read them from memory; where forking is
not safe (a process with threads), the sheets are pickled into the tasks. Nothing is done in
the parent before the workers start.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from notifier.errors import RenderRefused
from notifier.workers import signals_held, start_method, start_pool, stop

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.checks.finding import Finding
    from notifier.model import FactSheet
    from notifier.outbox import WrittenNotice

#: Most variants sent to a worker in one task: small enough for a smooth progress bar.
MAX_CHUNK = 16

Mode = Literal["render", "check"]
#: (audience index, what became of it): its written record or its findings, why it was
#: refused, or the error that stopped its files being written.
Outcome = tuple[int, "WrittenNotice | list[Finding] | RenderRefused | OSError"]


@dataclass
class Job:
    """One sheet's variants to do."""

    key: int  # the sheet's position in the batch, as results are reported
    sheet: FactSheet
    previous: FactSheet | None  # the revision it supersedes, for update notices
    indices: list[int]  # audience positions
    date: datetime | None = None  # render: the Date of its .eml files
    folder: Path | None = None  # render: the staging folder to write into
    shared: bytes = b""  # render: ``inputs.shared_digest`` of the sheet
    errors: list[OSError] = field(default_factory=list)  # render: files not written


@dataclass(frozen=True)
class Task:
    """One worker's unit of work; every field pickles cheaply."""

    mode: Mode
    key: int
    models_id: str  # keys the sheet and its earlier revision in the worker's cache
    models: bytes | None  # their pickle; None when the worker was forked with them in memory
    templates: str | None
    templates_digest: str
    indices: tuple[int, ...]
    date: datetime | None = None
    folder: str | None = None
    shared: bytes = b""
    allow_errors: bool = False


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


def render_and_check(sheet: FactSheet, previous: FactSheet | None, index: int,
                     env: Environment) -> list[Finding]:
    """Render one variant and return what `notifier check` finds in it.

    Raises:
        RenderRefused: the notice contradicts the facts (its findings are the reasons).
    """
    from notifier.checks import check_notice
    from notifier.render import render_notice

    return check_notice(sheet, render_notice(sheet, index, env, previous))


def _one(task: Task | Job, mode: Mode, sheet: FactSheet, previous: FactSheet | None, index: int,
         env: Environment, allow_errors: bool) -> Outcome:
    try:
        if mode == "check":
            return index, render_and_check(sheet, previous, index, env)
        assert task.date is not None and task.folder is not None
        return index, render_and_write(sheet, previous, index, env, task.date, Path(task.folder),
                                       task.shared, allow_errors)
    except (RenderRefused, OSError) as exc:
        return index, exc


# Caches keyed by content hashes, so that nothing renders from a stale sheet or template:
# the sheets a worker was given, and compiled environments (compiling the templates costs
# more than rendering a few notices, and a long-lived process renders again and again).
_MODELS: dict[str, tuple[FactSheet, FactSheet | None]] = {}
_ENVS: dict[tuple[str | None, str], Environment] = {}


def environment(templates: str | None, digest: str) -> Environment:
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
    """Do a task's variants in a worker process."""
    if task.models_id not in _MODELS:
        if task.models is None:  # forked without them: cannot happen, but say so plainly
            raise RuntimeError("a worker was sent a sheet it does not have")
        _MODELS.clear()  # one batch's sheets at a time
        _MODELS[task.models_id] = pickle.loads(task.models)  # noqa: S301 - from our own parent
    sheet, previous = _MODELS[task.models_id]
    env = environment(task.templates, task.templates_digest)
    return task.key, [_one(task, task.mode, sheet, previous, i, env, task.allow_errors)
                      for i in task.indices]


def _tasks(jobs: list[Job], mode: Mode, templates: Path | None, digest: str, workers: int, *,
           forked: bool, allow_errors: bool) -> list[Task]:
    """Split the work into tasks; with ``forked``, the sheets are put where the workers
    about to be forked will find them, instead of being pickled into every task."""
    total = sum(len(job.indices) for job in jobs)
    size = max(1, min(MAX_CHUNK, math.ceil(total / (workers * 4))))
    folder_name = str(templates) if templates else None
    tasks = []
    for job in jobs:
        models_id = f"{os.getpid()}-{id(job.sheet)}-{id(job.previous)}"
        models = None
        if forked:
            _MODELS[models_id] = (job.sheet, job.previous)
        else:
            models = pickle.dumps((job.sheet, job.previous), protocol=pickle.HIGHEST_PROTOCOL)
            models_id = hashlib.sha256(models).hexdigest()
        tasks += [Task(mode, job.key, models_id, models, folder_name, digest,
                       tuple(job.indices[i:i + size]), job.date,
                       str(job.folder) if job.folder else None, job.shared, allow_errors)
                  for i in range(0, len(job.indices), size)]
    return tasks


def run(jobs: list[Job], mode: Mode, *, workers: int, arrived: Callable[[int, list[Outcome]], None],
        templates: Path | None = None, templates_digest: str = "",
        allow_errors: bool = False) -> None:
    """Do every job's variants, in this process (``workers`` 1) or in worker processes.

    Each result is handed to ``arrived(job key, [(index, result), ...])`` as it comes. In
    this process, a job whose files cannot be written (an ``OSError``) stops there: its
    folder will be discarded.
    """
    jobs = [job for job in jobs if job.indices]
    if workers == 1:
        env = environment(str(templates) if templates else None, templates_digest)
        for job in jobs:
            for index in job.indices:
                outcome = _one(job, mode, job.sheet, job.previous, index, env, allow_errors)
                arrived(job.key, [outcome])
                if isinstance(outcome[1], OSError):
                    break  # the disk refused a file
        return
    if not jobs:
        return
    method = start_method()
    tasks = _tasks(jobs, mode, templates, templates_digest, workers, forked=method == "fork",
                   allow_errors=allow_errors)
    try:
        _in_workers(tasks, workers, method, arrived)
    finally:
        for task in tasks:
            _MODELS.pop(task.models_id, None)


def _in_workers(tasks: list[Task], workers: int, method: str,
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
