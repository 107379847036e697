"""The preview HTTP server: 127.0.0.1 by default, only in-memory routes, Server-Sent Events."""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from notifier.errors import UsageError
from notifier.preview.pages import EVENTS_ROUTE, Resource, error_resource
from notifier.preview.watch import Site, Watcher
from notifier.recipientview import ROUTE as RECIPIENT_ROUTE

_log = logging.getLogger("notifier.preview")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025
#: An idle event stream sends a comment this often, so a closed tab frees its thread.
KEEPALIVE_S = 15.0


@dataclass(frozen=True)
class PreviewStarted:
    """What the caller of ``serve_preview`` learns once the server listens."""

    url: str
    warnings: list[str] = field(default_factory=list)


def is_loopback(host: str) -> bool:
    """Return True if ``host`` names this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_warnings(host: str) -> list[str]:
    """Return the warnings to show when the preview is bound beyond this machine."""
    if is_loopback(host):
        return []
    return [f"serving on {host}: anyone who can reach this machine can read the incident's "
            f"notices; the default, {DEFAULT_HOST}, keeps them on this machine"]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    site: Site
    loopback: bool
    recipient: tuple[Path, Path, int, Path | None] | None = None  # sheet, list, row, templates

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser closing a connection is routine; anything else is logged, never printed.
        _log.debug("error serving %s", client_address, exc_info=True)


def _recipient_resource(server: _HTTPServer) -> Resource:
    """Merge the chosen row's notice afresh (so an edit of the sheet shows on reload)."""
    from notifier.preview.pages import EMAIL_CSP
    from notifier.recipientview import recipient_page

    assert server.recipient is not None
    return Resource(recipient_page(*server.recipient), "text/html; charset=utf-8", EMAIL_CSP)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """Serve routes from the current build's in-memory map; never a path built from a URL."""

    server: _HTTPServer
    server_version = "notifier-preview"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
        """Answer a GET."""
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - the http.server protocol
        """Answer a HEAD."""
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base signature
        """Log requests at debug level instead of writing them to stderr."""
        _log.debug("%s %s", self.address_string(), format % args)

    def _respond(self, *, send_body: bool) -> None:
        if not self._host_allowed():
            # A page on another site that resolves its name to 127.0.0.1 (DNS rebinding)
            # must not read the notices.
            self._send(HTTPStatus.FORBIDDEN, error_resource(403, "unexpected Host header"),
                       send_body)
            return
        # Exact lookup of the raw path: '..', '%2e%2e', '%2f' and absolute paths match nothing.
        path = self.path.split("?", 1)[0]
        if path == EVENTS_ROUTE and send_body:
            self._events()
            return
        resource = self.server.site.current().routes.get(path)
        if resource is None and path == RECIPIENT_ROUTE and self.server.recipient is not None:
            resource = _recipient_resource(self.server)  # issue 16: the notice as one reader sees it
        if resource is None:
            self._send(HTTPStatus.NOT_FOUND, error_resource(
                404, "not found; the preview serves only its own pages"), send_body)
            return
        self._send(HTTPStatus.OK, resource, send_body)

    def _host_allowed(self) -> bool:
        if not self.server.loopback:
            return True
        host = self.headers.get("Host")
        if not host:
            return True
        name = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
        return is_loopback(name)

    def _send(self, status: HTTPStatus, resource: Resource, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        self.send_header("Content-Security-Policy", resource.csp)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        if resource.filename:
            self.send_header("Content-Disposition", f'attachment; filename="{resource.filename}"')
        self.end_headers()
        if send_body:
            self.wfile.write(resource.body)

    def _events(self) -> None:
        """Stream one ``build`` event per epoch until the client goes or the server stops.

        The page the stream serves (``?page=/n/<id>/<notice>/``) names the notice on screen,
        which a rebuild renders first.
        """
        site = self.server.site
        pages = parse_qs(urlsplit(self.path).query).get("page")
        page = pages[0] if pages else None
        site.open_stream(page)
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")
            token: str | None = None
            while True:
                build = site.wait_newer(token, KEEPALIVE_S)
                if site.stopped:
                    break
                if build is None:
                    self.wfile.write(b": keep-alive\n\n")
                    continue
                token = build.token
                data = json.dumps({"token": build.token, "epoch": build.epoch, "ok": build.ok,
                                   "problems": len(build.snapshot.problems)})
                self.wfile.write(f"event: build\ndata: {data}\n\n".encode())
        except (ConnectionError, TimeoutError):
            pass  # the page was closed or reloaded
        finally:
            self.close_connection = True
            site.close_stream(page)


def _free_port(host: str) -> int | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            return int(probe.getsockname()[1])
    except OSError:
        return None


def _bind(host: str, port: int) -> _HTTPServer:
    cls = _HTTPServer6 if ":" in host else _HTTPServer
    try:
        return cls((host, port), _Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            free = _free_port(host)
            other = f"try --port {free}, or " if free else "try "
            raise UsageError(f"port {port} on {host} is already in use; {other}--port 0 to "
                             "pick a free one") from None
        if exc.errno == errno.EACCES:
            raise UsageError(f"not allowed to listen on port {port}; use a port above 1023, "
                             "or --port 0") from None
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot listen on {host}:{port} ({reason}); check --host") from None


class PreviewServer:
    """A running preview: the HTTP server, its site and its file watcher.

    Binding happens first, so a busy port fails before the first render is paid for.
    Use ``start()`` to serve from a background thread (tests, benchmarks), or
    ``serve_forever()`` to serve from the calling thread; always ``close()``.
    """

    def __init__(self, sheet: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 templates: Path | None = None, recipient: tuple[Path, int] | None = None) -> None:
        if not sheet.is_file():
            raise UsageError(f"{sheet}: no such fact sheet; name a .yaml file, e.g. "
                             "incidents/acme.yaml")
        if templates is not None and not templates.is_dir():
            raise UsageError(f"{templates}: no such templates folder")
        self._httpd = _bind(host, port)
        self._thread: threading.Thread | None = None
        self._closed = False
        try:
            self.site = Site(sheet, templates)
            self._httpd.site = self.site
            self._httpd.loopback = is_loopback(host)
            if recipient is not None:
                self._httpd.recipient = (sheet, recipient[0], recipient[1], templates)
            self.watcher = Watcher(self.site)
            self.watcher.start()
        except BaseException:
            self._httpd.server_close()
            raise
        self.host = host
        self.warnings = host_warnings(host)

    @property
    def port(self) -> int:
        """The port listened on (the one chosen when 0 was asked for)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The address to open, e.g. http://127.0.0.1:8025/."""
        host = self.host
        if host in ("0.0.0.0", "", "::"):
            host = DEFAULT_HOST
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def start(self) -> PreviewServer:
        """Serve from a daemon thread and return at once."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="notifier-preview-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve from the calling thread until interrupted (Ctrl-C raises KeyboardInterrupt)."""
        self._httpd.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        """Stop watching, end the event streams and close the listening socket."""
        if self._closed:
            return
        self._closed = True
        self.watcher.stop()
        self.site.stop()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(5)
        self._httpd.server_close()

    def __enter__(self) -> PreviewServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_preview(sheet: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  templates: Path | None = None, open_browser: bool = False,
                  on_ready: Callable[[PreviewStarted], None] | None = None,
                  recipient: tuple[Path, int] | None = None) -> None:
    """Serve a fact sheet's notices with live reload until interrupted.

    Args:
        sheet: the fact sheet to preview.
        host: the interface to bind; the default keeps the preview on this machine.
        port: the port; 0 picks a free one.
        templates: a folder of template overrides (watched like the built-in templates).
        open_browser: open the preview in the default web browser once it listens.
        on_ready: called once with the URL and any warnings, before serving starts.
        recipient: (list, row): also serve that row's merged notice at /as-recipient/.

    Raises:
        UsageError: the sheet or templates folder does not exist, or the port is taken.
        KeyboardInterrupt: on Ctrl-C, after everything has been closed.
    """
    with PreviewServer(sheet, host=host, port=port, templates=templates,
                       recipient=recipient) as server:
        if on_ready is not None:
            on_ready(PreviewStarted(server.url, list(server.warnings)))
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        server.serve_forever()
