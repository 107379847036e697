"""Watch the fact sheet and templates: debounce changes, rebuild off the request path, bump an epoch."""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import watchfiles

from notifier.errors import NotifierError, Problem, SheetError
from notifier.preview.pages import Entry, Resource, Snapshot, build_routes
from notifier.templating import builtin_templates

_log = logging.getLogger("notifier.preview")

#: watchfiles yields once no change has arrived for STEP_MS, and at most every DEBOUNCE_MS.
STEP_MS = 30
DEBOUNCE_MS = 500
#: How long a request waits for a rebuild in flight before it is served the previous one.
WAIT_FOR_BUILD_S = 10.0
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
                  label: str) -> Snapshot:
    """Load and render the sheet; on failure, keep the previous render and record why.

    Args:
        sheet_path: the fact sheet, as the user named it (problems quote this path).
        templates: the folder of template overrides, if any.
        previous: the snapshot shown so far; its renders stand in for ones that now fail.
        label: how pages name the sheet.
    """
    from notifier.render import render_sheet
    from notifier.sheet import load_sheet

    started = time.perf_counter()
    previous = previous or Snapshot(label=label)
    try:
        sheet = load_sheet(sheet_path)
        result = render_sheet(sheet, templates=templates)
    except SheetError as exc:
        problems = tuple(exc.problems)
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
        entries = []
        for audience in sheet.audiences:
            refusal = result.refused.get(audience.id)
            notice = rendered.get(audience.id)
            earlier = kept.get((audience.id, audience.notice)) if notice is None else None
            entries.append(Entry(audience=audience, rendered=notice or earlier,
                                 stale=earlier is not None,
                                 refused=tuple(refusal.problems) if refusal else ()))
        return Snapshot(sheet=sheet, entries=tuple(entries), rendered_at=datetime.now(),
                        build_ms=_ms(started), label=label)
    return replace(previous, problems=problems, build_ms=_ms(started), label=label)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class Site:
    """The current build, shared by the watcher (which rebuilds) and the request handlers.

    Every rebuild bumps the epoch under a Condition; handlers wait while a rebuild is in
    flight, and the event stream waits for the next epoch.
    """

    def __init__(self, sheet_path: Path, templates: Path | None = None) -> None:
        self.sheet_path = sheet_path
        self.templates = templates
        self._boot = secrets.token_hex(4)  # tells a restarted server's epochs from the old ones
        self._cond = threading.Condition()
        self._building = False
        self._stopped = False
        self._streams = 0
        self._build = self._make(1, None)

    def _make(self, epoch: int, previous: Snapshot | None) -> Build:
        snapshot = take_snapshot(self.sheet_path, self.templates, previous, str(self.sheet_path))
        token = f"{self._boot}-{epoch}"
        return Build(epoch=epoch, token=token, routes=build_routes(snapshot, token),
                     snapshot=snapshot)

    @property
    def stopped(self) -> bool:
        """True once the server is shutting down."""
        return self._stopped

    def rebuild(self) -> Build:
        """Rebuild from disk and publish the result as the next epoch."""
        with self._cond:
            self._building = True
            current = self._build
        try:
            build = self._make(current.epoch + 1, current.snapshot)
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


def watched_folders(sheet_path: Path, templates: Path | None) -> list[Path]:
    """Return the folders to watch: the sheet's own folder and every template folder.

    Folders are watched one level deep each (subfolders of template folders are listed
    explicitly), so a sheet in a big project folder does not watch the whole tree.
    """
    folders = [sheet_path.resolve().parent]
    for root in (builtin_templates(), templates):
        if root is None or not root.is_dir():
            continue
        for here, dirs, _files in os.walk(root.resolve()):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
            folders.append(Path(here))
    return list(dict.fromkeys(folders))


class ChangeFilter:
    """Accept changes to the sheet itself and to any non-temporary file in a template folder."""

    def __init__(self, sheet_path: Path, template_folders: Iterable[Path]) -> None:
        self.sheet = sheet_path.resolve()
        self.folders = {f.resolve() for f in template_folders}

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        """Return True if ``path`` changing should trigger a rebuild."""
        changed = Path(path)
        if changed == self.sheet:
            return True
        if changed.name.startswith(".") or changed.name.endswith(_IGNORED_SUFFIXES):
            return False
        return changed.parent in self.folders


class Watcher:
    """A daemon thread that turns file changes into debounced rebuilds of a ``Site``."""

    def __init__(self, site: Site) -> None:
        self.site = site
        folders = watched_folders(site.sheet_path, site.templates)
        self.folders = folders
        self._filter = ChangeFilter(site.sheet_path, folders[1:])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notifier-preview-watch", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching and wait (up to ``timeout``) for the thread to end."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            for _changes in watchfiles.watch(
                    *self.folders, watch_filter=self._filter, debounce=DEBOUNCE_MS, step=STEP_MS,
                    stop_event=self._stop, recursive=False, raise_interrupt=False):
                self.site.rebuild()
        except Exception:  # noqa: BLE001 - e.g. a watched folder deleted; the server keeps going
            _log.exception("preview stopped watching for changes")
