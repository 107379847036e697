"""Preview pages: the index, one page per notice and the email documents, as an in-memory route map."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FunctionLoader, StrictUndefined

if TYPE_CHECKING:
    from pathlib import Path

    from notifier.checks.finding import Finding
    from notifier.deadlines import Deadline
    from notifier.errors import Problem
    from notifier.model import Audience, FactSheet
    from notifier.preview.languages import Alternates
    from notifier.render import RenderedNotice

CLIENT_ROUTE = "/_preview/client.js"
STYLE_ROUTE = "/_preview/preview.css"
EVENTS_ROUTE = "/_preview/events"
STATE_ROUTE = "/_preview/state.json"

#: Preview pages load only their own script, style sheet, frames and event stream.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")
#: The email documents: their own inline CSS and nothing else. Remote images stay blocked,
#: so a preview never tells a tracking pixel or a CDN that the notice was opened.
EMAIL_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
DOWNLOAD_CSP = "default-src 'none'; sandbox"

_HTML = "text/html; charset=utf-8"
_DARK_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.IGNORECASE)
_LIGHT_QUERY = re.compile(r"\(\s*prefers-color-scheme\s*:\s*light\s*\)", re.IGNORECASE)
_REMOTE_SRC = re.compile(r"""\bsrc\s*=\s*["']?(https?://[^"'\s>]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Resource:
    """One route's response: its bytes, type and Content-Security-Policy."""

    body: bytes
    content_type: str
    csp: str = PAGE_CSP
    filename: str | None = None  # sent as a download under this name


@dataclass(frozen=True)
class Entry:
    """One audience as the preview shows it: its notice, or why it was refused, or both."""

    audience: Audience
    rendered: RenderedNotice | None = None
    stale: bool = False  # ``rendered`` is from an earlier build; this one refused it
    refused: tuple[Problem, ...] = ()
    #: What `notifier check` finds for this audience's notice now (for a refused one, why).
    findings: tuple[Finding, ...] = ()
    #: From the build before: the notice is being rendered again, after the notices on screen.
    pending: bool = False


@dataclass(frozen=True)
class Snapshot:
    """What the pages show: the last good render, and what is wrong with the latest edit."""

    sheet: FactSheet | None = None
    entries: tuple[Entry, ...] = ()
    problems: tuple[Problem, ...] = ()  # why the latest build failed; empty when it worked
    rendered_at: datetime | None = None  # when the shown render was made
    build_ms: float = 0.0
    label: str = ""  # the sheet's path as the user gave it
    deadlines: tuple[Deadline, ...] = ()  # the sheet's deadlines, soonest first
    deadlines_at: datetime | None = None  # the moment their time left is measured from
    #: Other files the latest sheet that loaded reads (the revision it supersedes), resolved.
    reads: tuple[Path, ...] = ()
    #: Milliseconds from the start of the rebuild until the notices on screen were published
    #: (the rest follow); equal to ``build_ms`` when everything was built at once.
    first_ms: float = 0.0
    started: float = 0.0  # time.time() when the rebuild began
    #: The notices in the other languages the sheet has text for, each rendered when its
    #: page is first asked for (notifier.preview.languages: the page's language switch).
    alternates: Alternates | None = None


def notice_route(audience_id: str, notice: str) -> str:
    """Return the route of a notice's page (ids are slugs, so no quoting is needed)."""
    return f"/n/{audience_id}/{notice}/"


def problem_lines(problems: tuple[Problem, ...] | list[Problem]) -> list[str]:
    """Return the lines `notifier validate` prints for these problems, summary last."""
    lines = [str(p) for p in problems]
    n, files = len(problems), len({p.path for p in problems})
    lines.append(f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}")
    return lines


def dark_variant(html: str) -> str:
    """Return the email as a client honouring ``prefers-color-scheme: dark`` would show it.

    The dark media query is made always true (``min-width: 0px``) and any light-only query
    never true, so the email's own dark rules apply whatever the browser's setting is.
    """
    return _LIGHT_QUERY.sub("(max-width: 0px)", _DARK_QUERY.sub("(min-width: 0px)", html))


def inject_client(html: str) -> str:
    """Insert the live-reload script before ``</body>``; only served pages get it."""
    tag = f'<script src="{CLIENT_ROUTE}"></script>\n'
    at = html.rfind("</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def remote_images(html: str) -> list[str]:
    """Return the remote image addresses an email would fetch (the preview blocks them)."""
    return sorted(set(_REMOTE_SRC.findall(html)))


class Routes(Mapping[str, Resource]):
    """A build's routes: every path is known at once, each response is made on first request.

    A sheet of a hundred audiences has some six hundred routes; a rebuild publishes them all,
    but a reader looks at one page: making the rest only when asked keeps a rebuild as quick
    on a big sheet as on a small one. Responses are pure functions of the build, so two
    requests racing to make one get the same bytes.
    """

    def __init__(self, makers: dict[str, Callable[[], Resource]]) -> None:
        self._makers = makers
        self._made: dict[str, Resource] = {}

    def __getitem__(self, path: str) -> Resource:
        made = self._made.get(path)
        if made is None:
            made = self._made[path] = self._makers[path]()
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def __contains__(self, path: object) -> bool:
        return path in self._makers


def build_routes(snapshot: Snapshot, token: str) -> Routes:
    """Return every route the preview serves for ``snapshot``; nothing else is ever served.

    Args:
        snapshot: the render (or last good render) and any problems with the latest edit.
        token: the build's epoch token, embedded in pages so the client can tell it is stale.
    """
    common = {"token": token, "label": snapshot.label, "problems": list(snapshot.problems),
              "problem_lines": problem_lines(snapshot.problems) if snapshot.problems else [],
              "rendered_at": _clock(snapshot.rendered_at), "sheet": snapshot.sheet}
    rows = [_row(e) for e in snapshot.entries]
    makers: dict[str, Callable[[], Resource]] = {
        "/": lambda: _page("index.html.j2", rows=rows,
                           deadlines=[_deadline_row(d) for d in snapshot.deadlines],
                           deadlines_at=_clock(snapshot.deadlines_at), **common),
        CLIENT_ROUTE: lambda: Resource(_asset("client.js"), "text/javascript; charset=utf-8"),
        STYLE_ROUTE: lambda: Resource(_asset("preview.css"), "text/css; charset=utf-8"),
        STATE_ROUTE: lambda: Resource(_state(snapshot, rows, token), "application/json"),
    }
    for row in rows:
        makers.update(_notice_routes(row, common, snapshot.alternates))
    return Routes(makers)


def _notice_routes(row: _Row, common: dict[str, Any],
                   alternates: Alternates | None) -> dict[str, Callable[[], Resource]]:
    """The routes of one notice: its page, the email (light and dark), the downloads, and the
    email in each other language of the sheet (the language switch)."""
    entry, audience = row.entry, row.entry.audience
    base = notice_route(audience.id, audience.notice)
    rendered = entry.rendered
    makers: dict[str, Callable[[], Resource]] = {}
    version = ""
    if rendered is not None:
        # The bytes `render` writes (outbox.files_for); the tests compare them with the outbox.
        version = row.version
        stem = row.stem
        makers[base + "email.html"] = lambda: Resource(rendered.html.encode("utf-8"), _HTML, EMAIL_CSP)
        makers[base + "email-dark.html"] = lambda: Resource(
            dark_variant(rendered.html).encode("utf-8"), _HTML, EMAIL_CSP)
        makers[base + f"download/{stem}.html"] = lambda: Resource(
            rendered.html.encode("utf-8"), _HTML, DOWNLOAD_CSP, filename=f"{stem}.html")
        makers[base + f"download/{stem}.txt"] = lambda: Resource(
            rendered.text.encode("utf-8"), "text/plain; charset=utf-8", DOWNLOAD_CSP,
            filename=f"{stem}.txt")
    languages = (alternates.locales_for(audience)
                 if alternates is not None and rendered is not None else [])
    for locale in languages:
        assert alternates is not None
        makers[base + f"lang/{locale}/email.html"] = functools.partial(
            _alternate, alternates, audience.id, locale, dark=False)
        makers[base + f"lang/{locale}/email-dark.html"] = functools.partial(
            _alternate, alternates, audience.id, locale, dark=True)
    makers[base] = lambda: _page("notice.html.j2", row=row, version=version, languages=languages,
                                 refusal=[str(p) for p in entry.refused], **common)
    return makers


def _alternate(alternates: Alternates, audience_id: str, locale: str, *, dark: bool) -> Resource:
    """The email of one audience in another language, or why it cannot be shown."""
    from markupsafe import escape

    notice = alternates.notice(audience_id, locale)
    if isinstance(notice, str):  # refused in that language: the frame says why
        body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{locale}'
                f"</title></head><body><p>Not shown in {locale}:</p><pre>{escape(notice)}</pre>"
                "</body></html>\n")
        return Resource(body.encode("utf-8"), _HTML, EMAIL_CSP)
    html = dark_variant(notice.html) if dark else notice.html
    return Resource(html.encode("utf-8"), _HTML, EMAIL_CSP)


def error_resource(status: int, message: str) -> Resource:
    """Return the small page sent with an error status (404, 403)."""
    body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}</title>"
            f"</head><body><p>{status}: {message}</p><p><a href=\"/\">All notices</a></p></body></html>\n")
    return Resource(body.encode("utf-8"), _HTML, "default-src 'none'")


# -- helpers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """An entry with what the templates need precomputed."""

    entry: Entry
    href: str
    status: str  # rendered, stale, refused
    size: str
    sender: str
    stem: str
    findings: list[Finding]  # errors first, then warnings, each in the checks' order
    errors: int
    warnings: int

    @cached_property
    def remote(self) -> list[str]:
        """The remote images the email would fetch (read from the HTML when a page asks)."""
        return remote_images(self.entry.rendered.html) if self.entry.rendered else []

    @cached_property
    def version(self) -> str:
        """A digest of the email's bytes: the page reloads its frame only when it changes."""
        rendered = self.entry.rendered
        return hashlib.sha256(rendered.html.encode("utf-8")).hexdigest()[:12] if rendered else ""


@dataclass(frozen=True)
class _DeadlineRow:
    """A deadline with its due time and time left already worded (by deadlines.py)."""

    deadline: Deadline
    recipient: str
    due: str
    left: str
    overdue: bool


def _deadline_row(deadline: Deadline) -> _DeadlineRow:
    from notifier.deadlines import clock

    local = deadline.due_local()
    left = deadline.time_left
    return _DeadlineRow(deadline=deadline, recipient=deadline.recipient.replace("_", " "),
                        due=clock(local) if local else "",
                        left=deadline.left_text(),
                        overdue=left is not None and left.total_seconds() < 0)


def _row(entry: Entry) -> _Row:
    audience, rendered = entry.audience, entry.rendered
    if entry.refused:
        status = "stale" if entry.stale else "refused"
    else:
        status = "rendered"
    sender = f"{rendered.sender[0]} <{rendered.sender[1]}>" if rendered else ""
    findings = sorted(entry.findings, key=lambda f: (not f.blocking, bool(f.waiver)))
    errors = sum(1 for f in findings if f.blocking)
    waived = sum(1 for f in findings if f.waiver)
    return _Row(entry=entry, href=notice_route(audience.id, audience.notice), status=status,
                size=f"{audience.size:,}" if audience.size is not None else "",
                sender=sender, stem=f"{audience.id}-{audience.notice}", findings=findings,
                errors=errors, warnings=len(findings) - errors - waived)


def _clock(moment: datetime | None) -> str:
    """Return the local time of day of ``moment`` (aware ones are shown in local time)."""
    if moment is None:
        return ""
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%H:%M:%S")


def _state(snapshot: Snapshot, rows: list[_Row], token: str) -> bytes:
    state = {"token": token, "ok": not snapshot.problems, "build_ms": round(snapshot.build_ms, 1),
             "problems": problem_lines(snapshot.problems) if snapshot.problems else [],
             "notices": [{"audience": row.entry.audience.id, "notice": row.entry.audience.notice,
                          "status": row.status, "errors": row.errors, "warnings": row.warnings,
                          "findings": [f.as_dict() for f in row.findings]} for row in rows],
             "deadlines": [d.as_dict() for d in snapshot.deadlines]}
    return (json.dumps(state, indent=2) + "\n").encode("utf-8")


@cache
def _asset(name: str) -> bytes:
    return (resources.files("notifier.preview") / name).read_bytes()


def _load_template(name: str) -> str:
    return _asset(name).decode("utf-8")


@cache
def _environment() -> Environment:
    # The preview's own pages, not emails: a small fixed environment, escaping everything.
    return Environment(loader=FunctionLoader(_load_template), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def _page(template: str, **context: object) -> Resource:
    html = _environment().get_template(template).render(context)
    return Resource(inject_client(html).encode("utf-8"), _HTML)
