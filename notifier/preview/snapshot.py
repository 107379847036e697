"""Load, render and check a sheet for the preview: the notices on screen first, then the rest.

A ``Rebuild`` loads the sheet once, then renders and checks its notices in whatever order it
is asked: the pages a reader has open first, so that an edit reaches the screen as fast on a
sheet of a hundred audiences as on one of three, then the others. Its ``snapshot`` can be
taken at any point: notices not rendered yet show their previous render, marked pending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.errors import NotifierError, Problem, RenderRefused, SheetError
from notifier.preview.languages import Alternates
from notifier.preview.pages import Entry, Snapshot

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.checks.finding import Finding
    from notifier.model import FactSheet
    from notifier.render import RenderedNotice

_log = logging.getLogger("notifier.preview")


class Rebuild:
    """One rebuild of the preview from the files on disk.

    Args:
        sheet_path: the fact sheet, as the user named it (problems quote this path).
        previous: the snapshot shown so far; its renders stand in for ones not made yet,
            or that now fail.
        label: how pages name the sheet.
        environment: returns the Jinja environment to render with (the preview reuses one
            across rebuilds); by default a new one is made.
        now: the moment the deadlines' time left is measured from (default: now).
    """

    def __init__(self, sheet_path: Path, previous: Snapshot | None, label: str, *,
                 environment: Callable[[], Environment] | None = None,
                 now: datetime | None = None) -> None:
        from notifier.deadlines import deadlines_for
        from notifier.render import load_previous
        from notifier.sheet import load_sheet

        self.started = time.perf_counter()
        self.started_at = time.time()
        self.sheet_path = sheet_path
        self.previous = previous or Snapshot(label=label)
        self.label = label
        self.reads = self.previous.reads
        self.problems: tuple[Problem, ...] = ()
        self.sheet: FactSheet | None = None
        self.results: dict[int, RenderedNotice | RenderRefused] = {}
        self.findings: dict[int, list[Finding]] = {}  # each rendered notice's, as checked
        self.first_ms = 0.0
        self.alternates: Alternates | None = None
        try:
            sheet = load_sheet(sheet_path)
            self.reads = files_read(sheet)
            self.env = environment() if environment is not None else None
            self.earlier = load_previous(sheet)
            self.moment = now or datetime.now(UTC)
            self.deadlines = tuple(deadlines_for(sheet, now=self.moment))
            self.sheet = sheet
            # the language switch: the other languages' notices, rendered when asked for
            self.alternates = Alternates(sheet, self.env, self.earlier)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server (_fail says)
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        """Record why the rebuild cannot go on: the pages keep the last good render."""
        self.sheet = None
        if isinstance(exc, SheetError):
            self.problems = tuple(exc.problems)
            self.reads = declared_reads(self.sheet_path) or self.reads
        elif isinstance(exc, NotifierError):  # a templates folder gone, a template that does not parse
            self.problems = tuple(getattr(exc, "problems", ()) or
                                  (Problem(str(self.sheet_path), 0, 0, "", str(exc), ""),))
        else:
            _log.error("preview rebuild failed", exc_info=exc)
            self.problems = (Problem(str(self.sheet_path), 0, 0, "", f"internal error: "
                                     f"{type(exc).__name__}: {exc}", "rerun with --debug and "
                                     "report it"),)

    def indices(self, audience_ids: Collection[str]) -> list[int]:
        """Return the positions of these audiences in the sheet (those it has)."""
        if self.sheet is None:
            return []
        return [i for i, a in enumerate(self.sheet.audiences) if a.id in audience_ids]

    @property
    def done(self) -> bool:
        """True when every notice is rendered (or the rebuild failed)."""
        return self.sheet is None or len(self.results) == len(self.sheet.audiences)

    def render(self, indices: Iterable[int] | None = None,
               stop: Callable[[], bool] | None = None) -> bool:
        """Render and check these audiences' notices (default: all), those not done yet.

        Returns False when ``stop`` said to stop first (checked before each notice), or when
        the rebuild failed; the snapshot then shows what it has.
        """
        from notifier.checks import check_notice
        from notifier.render import render_notice

        if self.sheet is None:
            return False
        sheet = self.sheet
        for index in range(len(sheet.audiences)) if indices is None else indices:
            if index in self.results:
                continue
            if stop is not None and stop():
                return False
            try:
                try:
                    notice = render_notice(sheet, index, self.env, self.earlier)
                except RenderRefused as exc:
                    self.results[index] = exc
                    continue
                # Checked right away, while the tree the inliner made is at hand.
                self.findings[index] = check_notice(sheet, notice)
                self.results[index] = notice
            except Exception as exc:  # noqa: BLE001 - shown on the pages (see _fail)
                self._fail(exc)
                return False
        return True

    def snapshot(self) -> Snapshot:
        """Return what the pages show now: every notice rendered so far, the others as the
        previous build showed them (pending); with every notice rendered, the findings are
        those `notifier check` reports, sheet-wide ones merged."""
        if self.sheet is None:
            return replace(self.previous, problems=self.problems, build_ms=_ms(self.started),
                           label=self.label, reads=self.reads, first_ms=_ms(self.started),
                           started=self.started_at)
        found = self._findings()
        kept = {(e.audience.id, e.audience.notice): e for e in self.previous.entries}
        entries = []
        for index, audience in enumerate(self.sheet.audiences):
            result = self.results.get(index)
            earlier = kept.get((audience.id, audience.notice))
            if result is None:  # not rendered yet: as it was, marked pending
                entries.append(replace(earlier, audience=audience, pending=True) if earlier
                               else Entry(audience=audience, pending=True))
                continue
            refusal = result if isinstance(result, RenderRefused) else None
            notice = result if not isinstance(result, RenderRefused) else None
            stale = earlier.rendered if notice is None and earlier is not None else None
            entries.append(Entry(audience=audience, rendered=notice or stale,
                                 stale=stale is not None,
                                 refused=tuple(refusal.problems) if refusal else (),
                                 findings=tuple(found.get(audience.id, ()))))
        elapsed = _ms(self.started)
        if not self.first_ms:
            self.first_ms = elapsed
        return Snapshot(sheet=self.sheet, entries=tuple(entries), rendered_at=datetime.now(),
                        build_ms=elapsed, label=self.label, deadlines=self.deadlines,
                        deadlines_at=self.moment, reads=self.reads, first_ms=self.first_ms,
                        started=self.started_at, alternates=self.alternates)

    def _findings(self) -> dict[str, list[Finding]]:
        """The findings of each audience rendered so far, by audience id."""
        from notifier.checks import run_checks, waivers
        from notifier.checks.consistency import refusal_findings
        from notifier.render import RenderResult

        assert self.sheet is not None
        sheet = self.sheet
        notices = {i: r for i, r in self.results.items() if not isinstance(r, RenderRefused)}
        refused = {sheet.audiences[i].id: r for i, r in self.results.items()
                   if isinstance(r, RenderRefused)}
        found: dict[str, list[Finding]] = {}
        if self.done:
            result = RenderResult(sheet=sheet, notices=[notices[i] for i in sorted(notices)],
                                  refused=refused)
            checked = {sheet.audiences[i].id: self.findings[i] for i in notices}
            for finding in run_checks(sheet, result, checked=checked):
                found.setdefault(finding.audience, []).append(finding)
            return found
        for index in self.results:  # the notices on screen, before the rest
            audience_id = sheet.audiences[index].id
            found[audience_id] = (self.findings[index] if index in notices else waivers.apply(
                sheet, refusal_findings(sheet, index, refused[audience_id].problems)))
        return found


def take_snapshot(sheet_path: Path, templates: Path | None, previous: Snapshot | None,
                  label: str, *, environment: Callable[[], Environment] | None = None,
                  now: datetime | None = None) -> Snapshot:
    """Load, render and check the whole sheet; on failure, keep the previous render and say why.

    Args:
        sheet_path: the fact sheet, as the user named it (problems quote this path).
        templates: the folder of template overrides, if any (``environment`` uses it).
        previous: the snapshot shown so far; its renders stand in for ones that now fail.
        label: how pages name the sheet.
        environment: returns the Jinja environment to render with (the preview reuses one
            across rebuilds); by default a new one is made for this render.
        now: the moment the deadlines' time left is measured from (default: now).
    """
    if environment is None:
        from notifier.templating import make_environment

        def environment() -> Environment:
            return make_environment(templates)

    rebuild = Rebuild(sheet_path, previous, label, environment=environment, now=now)
    rebuild.render()
    return rebuild.snapshot()


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
