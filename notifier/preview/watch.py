"""Watch the sheet, the revision it supersedes and the templates; rebuild off the request path.

Changes are debounced; each rebuild loads, renders and checks the sheet and measures its
deadlines (``snapshot.Rebuild``), the notices on screen first, then bumps an epoch.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import watchfiles

from notifier.preview.pages import Routes, Snapshot, build_routes
from notifier.preview.snapshot import Rebuild
from notifier.templating import builtin_templates, make_environment

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.deadlines import Deadline

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
    routes: Routes
    snapshot: Snapshot
    published: float = 0.0  # time.time() when it replaced the previous build

    @property
    def ok(self) -> bool:
        """True when the latest edit built without problems."""
        return not self.snapshot.problems


class Site:
    """The current build, shared by the watcher (which rebuilds) and the request handlers.

    Every rebuild bumps the epoch under a Condition; handlers wait while a rebuild is in
    flight, and the event stream waits for the next epoch. A build is published whole, after
    every route of it is known, so no request ever sees half of one.

    The notices on screen come first: when the open pages show some notices and the sheet
    has others, a rebuild publishes as soon as those are rendered and checked (the others
    marked pending, as they were), then a background thread renders the rest and publishes
    again; a newer edit stops it.

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
        self._on_screen: Counter[str] = Counter()  # audience ids of the notice pages open
        self._rest: tuple[threading.Thread, threading.Event] | None = None
        self._pending: Rebuild | None = None  # a rebuild whose other notices are to render
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
        """Rebuild and return the next build: whole, or the notices on screen first (the
        rest then render in the background, see ``_finish``)."""
        rebuild = Rebuild(self.sheet_path, previous, str(self.sheet_path),
                          environment=self._environment)
        first = rebuild.indices(self.on_screen())
        if first and rebuild.sheet is not None and len(first) < len(rebuild.sheet.audiences):
            rebuild.render(first)
            self._pending = rebuild
        else:
            rebuild.render()
        return self._assemble(epoch, rebuild.snapshot())

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
        self._stop_rest()  # an edit makes the notices still rendering out of date
        with self._work:
            if self._env is not None and self._templates_changed(changed):
                _log.debug("a template changed: making a new Jinja environment")
                self._env = None
            self._pending = None
            build = self._advance(lambda current: self._make(current.epoch + 1, current.snapshot))
            pending, self._pending = self._pending, None
        if pending is not None and build.snapshot.sheet is pending.sheet:
            self._start_rest(pending)
        return build

    def _start_rest(self, rebuild: Rebuild) -> None:
        """Render the notices not on screen in a background thread, then publish again."""
        stop = threading.Event()
        thread = threading.Thread(target=self._finish, args=(rebuild, stop), daemon=True,
                                  name="notifier-preview-rest")
        self._rest = (thread, stop)
        thread.start()

    def _stop_rest(self, timeout: float = WAIT_FOR_BUILD_S) -> None:
        """Stop rendering the rest of an earlier rebuild (it stops between two notices)."""
        rest, self._rest = self._rest, None
        if rest is not None:
            rest[1].set()
            if rest[0] is not threading.current_thread():
                rest[0].join(timeout)

    def _finish(self, rebuild: Rebuild, stop: threading.Event) -> None:
        try:
            if not rebuild.render(stop=lambda: stop.is_set() or self._stopped):
                return
            with self._work:
                if stop.is_set() or self._stopped:
                    return
                snapshot = rebuild.snapshot()
                self._advance(lambda current: self._assemble(current.epoch + 1, snapshot))
        except Exception:  # noqa: BLE001 - keep serving what is published
            _log.exception("preview could not render the other notices")

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

    def on_screen(self) -> set[str]:
        """Return the audience ids whose notice pages are open (an event stream each)."""
        with self._cond:
            return {audience for audience, n in self._on_screen.items() if n > 0}

    def open_stream(self, page: str | None = None) -> None:
        """Count an event stream as open (``close_stream`` when it ends); ``page`` is the
        path of the page it serves, whose notice is then rendered first."""
        with self._cond:
            self._streams += 1
            audience = _audience_of(page)
            if audience:
                self._on_screen[audience] += 1

    def close_stream(self, page: str | None = None) -> None:
        """Count an event stream as closed."""
        with self._cond:
            self._streams -= 1
            audience = _audience_of(page)
            if audience:
                self._on_screen[audience] -= 1
            self._cond.notify_all()

    def stop(self, timeout: float = 2.0) -> None:
        """Wake every waiting handler so that event streams end, and wait for them to go."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._stop_rest(timeout)
        with self._cond:
            self._cond.wait_for(lambda: self._streams == 0, timeout)


_NOTICE_PAGE = re.compile(r"/n/([a-z0-9][a-z0-9-]*)/[a-z_]+/")


def _audience_of(page: str | None) -> str | None:
    """Return the audience id of a notice page's path ('/n/<id>/<notice>/'), else None."""
    match = _NOTICE_PAGE.fullmatch(page or "")
    return match.group(1) if match else None


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
