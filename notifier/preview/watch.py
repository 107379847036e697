"""Watch the sheet, the revision it supersedes and the templates; rebuild off the request path.

Changes are debounced; each rebuild loads, renders and checks the sheet and measures its
deadlines, then bumps an epoch.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import watchfiles

from notifier.errors import NotifierError, Problem, SheetError
from notifier.preview.pages import Entry, Resource, Snapshot, build_routes
from notifier.templating import builtin_templates, make_environment

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.checks.finding import Finding
    from notifier.deadlines import Deadline
    from notifier.model import FactSheet

_log = logging.getLogger("notifier.preview")

#: watchfiles yields once no change has arrived for STEP_MS, and at most every DEBOUNCE_MS.
STEP_MS = 30
DEBOUNCE_MS = 500
#: How long a request waits for a rebuild in flight before it is served the previous one.
WAIT_FOR_BUILD_S = 10.0
#: How often the deadlines' time left is measured again while nothing is edited.
CLOCK_S = 30.0
#: Editors' temporary and backup files, which never trigger a rebuild.
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".bak")


@dataclass(frozen=True)
class Build:
    """One finished build: its epoch, its token and every route it serves."""

    epoch: int
    token: str
    routes: dict[str, Resource]
    snapshot: Snapshot
    published: float = 0.0  # time.time() when it replaced the previous build

    @property
    def ok(self) -> bool:
        """True when the latest edit built without problems."""
        return not self.snapshot.problems


def take_snapshot(sheet_path: Path, templates: Path | None, previous: Snapshot | None,
                  label: str, *, environment: Callable[[], Environment] | None = None,
                  now: datetime | None = None) -> Snapshot:
    """Load, render and check the sheet; on failure, keep the previous render and record why.

    Args:
        sheet_path: the fact sheet, as the user named it (problems quote this path).
        templates: the folder of template overrides, if any.
        previous: the snapshot shown so far; its renders stand in for ones that now fail.
        label: how pages name the sheet.
        environment: returns the Jinja environment to render with (the preview reuses one
            across rebuilds); by default a new one is made for this render.
        now: the moment the deadlines' time left is measured from (default: now).
    """
    from notifier.checks import run_checks
    from notifier.deadlines import deadlines_for
    from notifier.render import render_sheet
    from notifier.sheet import load_sheet

    started = time.perf_counter()
    previous = previous or Snapshot(label=label)
    reads = previous.reads
    try:
        sheet = load_sheet(sheet_path)
        reads = files_read(sheet)
        env = environment() if environment is not None else None
        result = render_sheet(sheet, templates=templates, env=env)
        findings = run_checks(sheet, result)
        moment = now or datetime.now(UTC)
        deadlines = tuple(deadlines_for(sheet, now=moment))
    except SheetError as exc:
        problems = tuple(exc.problems)
        reads = declared_reads(sheet_path) or reads
    except NotifierError as exc:  # a templates folder gone, a template that does not parse
        problems = tuple(getattr(exc, "problems", ()) or
                         (Problem(str(sheet_path), 0, 0, "", str(exc), ""),))
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the server; show it instead
        _log.exception("preview rebuild failed")
        problems = (Problem(str(sheet_path), 0, 0, "", f"internal error: {type(exc).__name__}: "
                            f"{exc}", "rerun with --debug and report it"),)
    else:
        kept = {(e.audience.id, e.audience.notice): e.rendered
                for e in previous.entries if e.rendered is not None}
        rendered = {n.audience_id: n for n in result.notices}
        found: dict[str, list[Finding]] = {}
        for finding in findings:
            found.setdefault(finding.audience, []).append(finding)
        entries = []
        for audience in sheet.audiences:
            refusal = result.refused.get(audience.id)
            notice = rendered.get(audience.id)
            earlier = kept.get((audience.id, audience.notice)) if notice is None else None
            entries.append(Entry(audience=audience, rendered=notice or earlier,
                                 stale=earlier is not None,
                                 refused=tuple(refusal.problems) if refusal else (),
                                 findings=tuple(found.get(audience.id, ()))))
        from notifier.preview.languages import alternates

        return Snapshot(sheet=sheet, entries=tuple(entries), rendered_at=datetime.now(),
                        build_ms=_ms(started), label=label, deadlines=deadlines,
                        deadlines_at=moment, reads=reads, alternates=alternates(sheet, env))
    return replace(previous, problems=problems, build_ms=_ms(started), label=label, reads=reads)


def files_read(sheet: FactSheet) -> tuple[Path, ...]:
    """Return the other files rendering ``sheet`` reads, resolved: the revision it supersedes.

    The path is found as ``render.load_previous`` finds it: relative to the sheet's own file.
    """
    if sheet.supersedes is None:
        return ()
    base = Path(sheet.source.path).parent if sheet.source is not None else Path.cwd()
    return ((base / sheet.supersedes.sheet).resolve(),)


def declared_reads(sheet_path: Path) -> tuple[Path, ...]:
    """Return the earlier revision an invalid sheet names, read from its raw YAML.

    A sheet whose earlier revision is missing does not load, yet that file must be watched
    so that the page recovers the moment it appears.
    """
    from notifier.yamlsource import read_yaml

    try:
        data = read_yaml(sheet_path).data
    except SheetError:
        return ()
    supersedes = data.get("supersedes")
    earlier = supersedes.get("sheet") if isinstance(supersedes, dict) else None
    if not isinstance(earlier, str):
        return ()
    return ((sheet_path.parent / earlier).resolve(),)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class Site:
    """The current build, shared by the watcher (which rebuilds) and the request handlers.

    Every rebuild bumps the epoch under a Condition; handlers wait while a rebuild is in
    flight, and the event stream waits for the next epoch. A build is published whole, after
    every route of it is made, so no request ever sees half of one.

    One Jinja environment is kept across rebuilds, so templates compile once; it is made
    afresh only when a changed file is not the sheet or a file the sheet reads (that is, a
    template), or when the watcher cannot say what changed.
    """

    def __init__(self, sheet_path: Path, templates: Path | None = None) -> None:
        self.sheet_path = sheet_path
        self.templates = templates
        self._boot = secrets.token_hex(4)  # tells a restarted server's epochs from the old ones
        self._cond = threading.Condition()
        self._work = threading.Lock()  # one rebuild or clock tick at a time
        self._building = False
        self._stopped = False
        self._streams = 0
        self._env: Environment | None = None
        #: How many Jinja environments have been made (one, until a template changes).
        self.environments = 0
        with self._work:
            self._build = self._make(1, None)

    def _environment(self) -> Environment:
        if self._env is None:
            self._env = make_environment(self.templates)
            self.environments += 1
        return self._env

    def _make(self, epoch: int, previous: Snapshot | None) -> Build:
        snapshot = take_snapshot(self.sheet_path, self.templates, previous, str(self.sheet_path),
                                 environment=self._environment)
        return self._assemble(epoch, snapshot)

    def _assemble(self, epoch: int, snapshot: Snapshot) -> Build:
        token = f"{self._boot}-{epoch}"
        return Build(epoch=epoch, token=token, routes=build_routes(snapshot, token),
                     snapshot=snapshot)

    @property
    def stopped(self) -> bool:
        """True once the server is shutting down."""
        return self._stopped

    def reads(self) -> tuple[Path, ...]:
        """Return the files besides the sheet that the latest build read (resolved)."""
        return self._build.snapshot.reads

    def rebuild(self, changed: Iterable[Path] | None = None) -> Build:
        """Rebuild from disk and publish the result as the next epoch.

        Args:
            changed: the files that changed, as the watcher reported them; when one of them
                is a template (or when this is None), the Jinja environment is made afresh.
        """
        with self._work:
            if self._env is not None and self._templates_changed(changed):
                _log.debug("a template changed: making a new Jinja environment")
                self._env = None
            return self._advance(lambda current: self._make(current.epoch + 1, current.snapshot))

    def tick(self, now: datetime | None = None) -> Build | None:
        """Measure the deadlines' time left again; publish a new epoch if its wording changed.

        Returns:
            The new build, or None when the pages would not change.
        """
        from notifier.deadlines import deadlines_for

        with self._work:
            snapshot = self._build.snapshot
            if snapshot.sheet is None:
                return None
            moment = now or datetime.now(UTC)
            try:
                deadlines = tuple(deadlines_for(snapshot.sheet, now=moment))
            except Exception:  # noqa: BLE001 - keep showing the deadlines from the last build
                _log.exception("preview could not measure the deadlines again")
                return None
            if _worded(deadlines) == _worded(snapshot.deadlines):
                return None
            fresh = replace(snapshot, deadlines=deadlines, deadlines_at=moment)
            return self._advance(lambda current: self._assemble(current.epoch + 1, fresh))

    def _templates_changed(self, changed: Iterable[Path] | None) -> bool:
        if changed is None:
            return True
        inputs = {self.sheet_path.resolve(), *self.reads()}
        return any(Path(path).resolve() not in inputs for path in changed)

    def _advance(self, make: Callable[[Build], Build]) -> Build:
        """Build the next epoch from the current build (requests wait), then publish it whole."""
        with self._cond:
            self._building = True
            current = self._build
        try:
            build = make(current)
        except Exception:  # noqa: BLE001 - keep serving the previous build
            _log.exception("preview pages failed to build")
            build = current
        with self._cond:
            self._build = replace(build, published=time.time())
            self._building = False
            self._cond.notify_all()
        return build

    def current(self, timeout: float = WAIT_FOR_BUILD_S) -> Build:
        """Return the current build, waiting (up to ``timeout``) for a rebuild in flight."""
        with self._cond:
            self._cond.wait_for(lambda: not self._building or self._stopped, timeout)
            return self._build

    def wait_newer(self, token: str | None, timeout: float) -> Build | None:
        """Return the current build once its token differs from ``token``; None on timeout or stop."""
        with self._cond:
            ready = self._cond.wait_for(
                lambda: self._stopped or (not self._building and self._build.token != token),
                timeout)
            return self._build if ready and not self._stopped else None

    def open_stream(self) -> None:
        """Count an event stream as open (``close_stream`` when it ends)."""
        with self._cond:
            self._streams += 1

    def close_stream(self) -> None:
        """Count an event stream as closed."""
        with self._cond:
            self._streams -= 1
            self._cond.notify_all()

    def stop(self, timeout: float = 2.0) -> None:
        """Wake every waiting handler so that event streams end, and wait for them to go."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._streams == 0, timeout)


def _worded(deadlines: Iterable[Deadline]) -> list[tuple[str, str]]:
    return [(d.id, d.left_text()) for d in deadlines]


def template_folders(templates: Path | None) -> list[Path]:
    """Return every folder of the built-in templates and of ``templates``, subfolders included."""
    folders = []
    for root in (builtin_templates(), templates):
        if root is None or not root.is_dir():
            continue
        for here, dirs, _files in os.walk(root.resolve()):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
            folders.append(Path(here))
    return folders


def watched_folders(sheet_path: Path, templates: Path | None,
                    reads: Iterable[Path] = ()) -> list[Path]:
    """Return the folders to watch: the sheet's own, those of the files it reads, and templates'.

    Folders are watched one level deep each (subfolders of template folders are listed
    explicitly), so a sheet in a big project folder does not watch the whole tree. The folder
    of a file the sheet reads is watched only while it exists.
    """
    folders = [sheet_path.resolve().parent]
    folders += [path.parent for path in reads if path.parent.is_dir()]
    folders += template_folders(templates)
    return list(dict.fromkeys(folders))


class ChangeFilter:
    """Accept changes to the sheet, to the files it reads, and to any non-temporary template."""

    def __init__(self, sheet_path: Path, template_folders: Iterable[Path],
                 reads: Iterable[Path] = ()) -> None:
        self.sheet = sheet_path.resolve()
        self.folders = {f.resolve() for f in template_folders}
        self.reads = frozenset(reads)

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        """Return True if ``path`` changing should trigger a rebuild."""
        changed = Path(path)
        if changed == self.sheet or changed in self.reads:
            return True
        if changed.name.startswith(".") or changed.name.endswith(_IGNORED_SUFFIXES):
            return False
        return changed.parent in self.folders


class Watcher:
    """Daemon threads that rebuild a ``Site`` on file changes and refresh its deadlines.

    One thread turns file changes into debounced rebuilds; the other measures the deadlines'
    time left again every ``CLOCK_S``. When a rebuild changes which folders must be watched
    (the sheet now supersedes a revision in another folder), watching restarts on the new set.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.folders, self._filter = self._targets()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notifier-preview-watch", daemon=True)
        self._clock = threading.Thread(target=self._tick, name="notifier-preview-clock", daemon=True)

    def _targets(self) -> tuple[list[Path], ChangeFilter]:
        reads = self.site.reads()
        folders = watched_folders(self.site.sheet_path, self.site.templates, reads)
        return folders, ChangeFilter(self.site.sheet_path, template_folders(self.site.templates),
                                     reads)

    def start(self) -> None:
        """Start watching."""
        self._thread.start()
        self._clock.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching and wait (up to ``timeout``) for the threads to end."""
        self._stop.set()
        for thread in (self._thread, self._clock):
            if thread.is_alive():
                thread.join(timeout)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._watch():
                    return
        except Exception:  # noqa: BLE001 - e.g. a watched folder deleted; the server keeps going
            _log.exception("preview stopped watching for changes")

    def _watch(self) -> bool:
        """Watch ``self.folders`` until stopped (False) or until they must change (True)."""
        changes_seen = watchfiles.watch(
            *self.folders, watch_filter=self._filter, debounce=DEBOUNCE_MS, step=STEP_MS,
            stop_event=self._stop, recursive=False, raise_interrupt=False)
        try:
            for changes in changes_seen:
                self.site.rebuild({Path(path) for _change, path in changes})
                folders, change_filter = self._targets()
                if folders != self.folders:
                    # Changes seen while that rebuild ran are dropped with this watch; one more
                    # rebuild (templates included) picks them up before the new watch starts.
                    self.site.rebuild()
                    folders, change_filter = self._targets()
                    _log.debug("now watching %s", ", ".join(map(str, folders)))
                    self.folders, self._filter = folders, change_filter
                    return True
                self._filter.reads = change_filter.reads
        finally:
            changes_seen.close()
        return False

    def _tick(self) -> None:
        while not self._stop.wait(CLOCK_S):
            try:
                self.site.tick()
            except Exception:  # noqa: BLE001 - the clock must not stop; the next tick retries
                _log.exception("preview could not update the deadlines")
