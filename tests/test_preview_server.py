"""The preview server without a browser: routes, 404s, event stream, error state, CLI wiring."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from conftest import MINIMAL

from notifier import cli, commands
from notifier.errors import SheetError, UsageError
from notifier.preview import PreviewServer, PreviewStarted
from notifier.preview.pages import dark_variant, problem_lines
from notifier.preview.server import host_warnings
from notifier.preview.watch import Build
from notifier.sheet import load_sheet
from notifier.templating import builtin_templates

#: MINIMAL with a sized audience, a second rendered one and one that is refused.
SHEET = MINIMAL.replace("    notice: incident\n", """\
    notice: incident
    size: 125000
  - id: partners
    name: Partners
    notice: no_action_needed
  - id: resetters
    name: Resetters
    notice: password_reset
""")
SUMMARY = "Someone got into one of our systems without permission."


def write_atomically(path: Path, text: str) -> None:
    """Save the way most editors do: a temporary file, then a rename over the original."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def fetch(server: PreviewServer, path: str, *, method: str = "GET",
          headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Send ``path`` exactly as given (no normalisation) and return status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        with resp:
            return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def text(server: PreviewServer, path: str) -> str:
    """GET ``path`` and return the body as text, failing unless it is a 200."""
    status, _, body = fetch(server, path)
    assert status == 200, (path, status)
    return body.decode("utf-8")


def wait_for(server: PreviewServer, predicate: Callable[[Build], bool], timeout: float = 10.0) -> Build:
    """Wait for a build that satisfies ``predicate`` (rebuilds happen on the watcher thread)."""
    deadline = time.monotonic() + timeout
    build = server.site.current()
    while not predicate(build):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no matching build within {timeout} s; last: {build.snapshot}")
        build = server.site.wait_newer(build.token, remaining) or server.site.current()
    return build


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.yaml"
    path.write_text(SHEET, encoding="utf-8")
    return path


@pytest.fixture
def server(sheet: Path) -> Iterator[PreviewServer]:
    with PreviewServer(sheet, port=0) as running:
        running.start()
        yield running


# -- routes ---------------------------------------------------------------------------------

def test_binds_loopback_on_the_chosen_port(server: PreviewServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert server.port != 0
    assert server.warnings == []


def test_index_lists_every_audience_with_subject_size_and_status(server: PreviewServer) -> None:
    page = text(server, "/")
    rows = dict(re.findall(r'data-audience="([^"]+)" data-status="([^"]+)"', page))
    assert rows == {"customers": "rendered", "partners": "rendered", "resetters": "refused"}
    assert "125,000" in page
    for notice in load_rendered(server):
        assert notice["subject"] in page
        assert notice["preheader"] in page
    assert "gets a password_reset notice but no password data is involved for it" in page
    assert page.count('<script src="/_preview/client.js"></script>') == 1


def load_rendered(server: PreviewServer) -> list[dict[str, str]]:
    snapshot = server.site.current().snapshot
    return [{"subject": e.rendered.subject, "preheader": e.rendered.preheader}
            for e in snapshot.entries if e.rendered is not None]


def test_notice_page_has_tabs_toggles_headers_and_downloads(server: PreviewServer) -> None:
    page = text(server, "/n/customers/incident/")
    for marker in ('data-tab="text"', 'data-tab="source"', 'data-tab="headers"', 'data-width="375"',
                   'data-width="600"', 'data-scheme="dark"', 'id="email-frame"',
                   'href="download/customers-incident.html"', 'href="download/customers-incident.txt"',
                   "<dt>From</dt><dd>Acme Customer Care &lt;care@acme.example&gt;</dd>"):
        assert marker in page
    assert "&lt;!doctype html&gt;" in page  # the HTML source tab, escaped
    assert page.count('<script src="/_preview/client.js"></script>') == 1


def test_email_is_the_bytes_render_writes_and_carries_no_script(server: PreviewServer, sheet: Path,
                                                                tmp_path: Path) -> None:
    report = commands.render([sheet], outbox=tmp_path / "outbox")
    folder = report.outcomes[0].folder
    assert folder is not None
    on_disk_html = (folder / "customers" / "incident.html").read_bytes()
    on_disk_text = (folder / "customers" / "incident.txt").read_bytes()
    status, headers, body = fetch(server, "/n/customers/incident/email.html?v=anything")
    assert status == 200 and body == on_disk_html
    assert b"client.js" not in body and b"<script" not in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    for name, expected in (("customers-incident.html", on_disk_html),
                           ("customers-incident.txt", on_disk_text)):
        status, headers, body = fetch(server, f"/n/customers/incident/download/{name}")
        assert status == 200 and body == expected
        assert headers["Content-Disposition"] == f'attachment; filename="{name}"'


def test_dark_variant_makes_the_dark_rules_apply(server: PreviewServer) -> None:
    light = text(server, "/n/customers/incident/email.html")
    dark = text(server, "/n/customers/incident/email-dark.html")
    assert "prefers-color-scheme: dark" in light
    assert "prefers-color-scheme" not in dark
    assert dark == dark_variant(light)
    assert dark_variant("@media (prefers-color-scheme: light) {}") == "@media (max-width: 0px) {}"


def test_every_response_forbids_remote_loads(server: PreviewServer) -> None:
    for path in ("/", "/n/customers/incident/", "/n/customers/incident/email.html",
                 "/_preview/client.js"):
        _, headers, _ = fetch(server, path)
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "http" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_refused_audience_page_says_why(server: PreviewServer) -> None:
    page = text(server, "/n/resetters/password_reset/")
    assert "This notice is refused" in page
    assert "audiences.2.notice: audience &#39;resetters&#39; gets a password_reset notice" in page
    assert fetch(server, "/n/resetters/password_reset/email.html")[0] == 404


def test_facts_are_escaped_in_the_preview_pages(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(SHEET.replace("name: Customers", "name: <img src=x onerror=alert(1)>"),
                     encoding="utf-8")
    with PreviewServer(sheet, port=0) as server:
        server.start()
        for path in ("/", "/n/customers/incident/"):
            page = text(server, path)
            assert "<img src=x" not in page
            assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_state_json(server: PreviewServer) -> None:
    state = json.loads(text(server, "/_preview/state.json"))
    assert state["ok"] is True and state["problems"] == []
    assert state["token"] == server.site.current().token


# -- what is never served -------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/../pyproject.toml",
    "/../../../../etc/passwd",
    "/%2e%2e/pyproject.toml",
    "/%2E%2E%2Fpyproject.toml",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/n/customers/incident/../../../sheet.yaml",
    "/n/customers/incident/%2e%2e/%2e%2e/%2e%2e/sheet.yaml",
    "/_preview/..%2fclient.js",
    "//etc/passwd",
    "/etc/passwd",
    "/sheet.yaml",
    "/pyproject.toml",
    "/templates/email.css",
    "/n/customers/incident",
    "/index.html",
    "http://127.0.0.1/etc/passwd",
    "*",
])
def test_anything_but_an_own_route_is_404(server: PreviewServer, sheet: Path, path: str) -> None:
    status, _, body = fetch(server, path)
    assert status == 404
    assert b"root:" not in body and b"[project]" not in body and b"audiences:" not in body


def test_absolute_path_of_the_sheet_is_404(server: PreviewServer, sheet: Path) -> None:
    assert fetch(server, str(sheet))[0] == 404
    assert fetch(server, "/" + str(sheet))[0] == 404


def test_only_get_and_head(server: PreviewServer) -> None:
    status, headers, body = fetch(server, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert fetch(server, "/", method="POST")[0] == 501
    assert fetch(server, "/", method="PUT")[0] == 501


def test_foreign_host_header_is_refused(server: PreviewServer) -> None:
    """A DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot read the notices."""
    assert fetch(server, "/", headers={"Host": f"evil.example:{server.port}"})[0] == 403
    assert fetch(server, "/", headers={"Host": f"localhost:{server.port}"})[0] == 200


# -- live updates ---------------------------------------------------------------------------

def read_event(resp: http.client.HTTPResponse) -> dict[str, object]:
    """Read the next ``build`` event from an event stream."""
    event, data = "", ""
    while True:
        line = resp.readline().decode("utf-8")
        if not line:
            raise AssertionError("the event stream ended")
        line = line.rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and event == "build":
            parsed: dict[str, object] = json.loads(data)
            return parsed


def test_event_stream_announces_each_rebuild(server: PreviewServer, sheet: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/_preview/events")
        with conn.getresponse() as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            first = read_event(resp)
            assert first["token"] == server.site.current().token and first["ok"] is True
            write_atomically(sheet, SHEET.replace(SUMMARY, "Edited summary for the stream test."))
            second = read_event(resp)
    finally:
        conn.close()
    assert second["token"] != first["token"] and second["ok"] is True
    assert "Edited summary for the stream test." in text(server, "/n/customers/incident/")


def test_saving_in_place_rebuilds_too(server: PreviewServer, sheet: Path) -> None:
    sheet.write_text(SHEET.replace(SUMMARY, "Saved in place."), encoding="utf-8")
    wait_for(server, lambda b: b"Saved in place." in b.routes["/n/customers/incident/"].body)


def test_other_files_beside_the_sheet_do_not_rebuild(server: PreviewServer, sheet: Path) -> None:
    before = server.site.current().token
    (sheet.parent / "other.yaml").write_text("id: x\n", encoding="utf-8")
    assert server.site.wait_newer(before, 0.5) is None


def test_invalid_edit_shows_validate_lines_keeps_last_good_and_recovers(
        server: PreviewServer, sheet: Path) -> None:
    bad = SHEET.replace("misuse: none_known", "misuse: nonne_known")
    write_atomically(sheet, bad)
    build = wait_for(server, lambda b: not b.ok)
    with pytest.raises(SheetError) as caught:
        load_sheet(sheet)
    expected = [str(p) for p in caught.value.problems] + ["1 problem in 1 file"]
    line = bad.splitlines().index("  misuse: nonne_known") + 1
    assert expected[0].startswith(f"{sheet}:{line}:11: incident.misuse: unknown value 'nonne_known'")
    assert problem_lines(build.snapshot.problems) == expected
    index = text(server, "/")
    assert "\n".join(expected).replace("'", "&#39;") in index
    assert "Showing the last good render" in index
    # The last good render stays up, on every route.
    assert 'data-status="rendered"' in index
    assert SUMMARY in text(server, "/n/customers/incident/")
    assert fetch(server, "/n/customers/incident/email.html")[0] == 200
    state = json.loads(text(server, "/_preview/state.json"))
    assert state["ok"] is False and state["problems"] == expected

    write_atomically(sheet, SHEET.replace(SUMMARY, "Fixed again."))
    wait_for(server, lambda b: b.ok)
    page = text(server, "/n/customers/incident/")
    assert "Fixed again." in page
    assert '<section class="problems" data-live="problems" aria-live="polite"></section>' in page


def test_sheet_invalid_at_start_is_served_and_recovers(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(SHEET.replace("kind: unauthorised_access", "kind: hacked"), encoding="utf-8")
    with PreviewServer(sheet, port=0) as server:
        server.start()
        index = text(server, "/")
        assert "incident.kind: unknown value &#39;hacked&#39;" in index
        assert "Nothing has rendered yet" in index
        assert fetch(server, "/n/customers/incident/")[0] == 404
        write_atomically(sheet, SHEET)
        wait_for(server, lambda b: b.ok)
        assert 'data-status="rendered"' in text(server, "/")


def test_template_edit_rebuilds(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(SHEET, encoding="utf-8")
    overrides = tmp_path / "templates"
    overrides.mkdir()
    original = (builtin_templates() / "incident.txt.j2").read_text(encoding="utf-8")
    (overrides / "incident.txt.j2").write_text(original, encoding="utf-8")
    with PreviewServer(sheet, port=0, templates=overrides) as server:
        server.start()
        write_atomically(overrides / "incident.txt.j2", original + "\nOverride marker line.\n")
        wait_for(server, lambda b: b"Override marker line." in b.routes["/n/customers/incident/"].body)


def test_close_ends_open_event_streams(sheet: Path) -> None:
    server = PreviewServer(sheet, port=0).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/_preview/events")
        with conn.getresponse() as resp:
            read_event(resp)
            started = time.monotonic()
            server.close()
            assert resp.read() == b""  # the stream ended, it did not wait for a keep-alive
            assert time.monotonic() - started < 3
    finally:
        conn.close()
        server.close()


# -- errors, CLI and process ----------------------------------------------------------------

def test_busy_port_is_a_usage_error_naming_a_free_port(sheet: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exited:
            cli.main(["preview", str(sheet), "--port", str(port)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert re.fullmatch(rf"port {port} on 127\.0\.0\.1 is already in use; try --port \d+, or "
                        r"--port 0 to pick a free one\n", err), err


def test_missing_sheet_and_templates_are_usage_errors(tmp_path: Path, sheet: Path) -> None:
    with pytest.raises(UsageError, match="no such fact sheet"):
        PreviewServer(tmp_path / "nope.yaml", port=0)
    with pytest.raises(UsageError, match="no such templates folder"):
        PreviewServer(sheet, port=0, templates=tmp_path / "nope")


def test_wider_host_warns() -> None:
    assert host_warnings("127.0.0.1") == [] and host_warnings("localhost") == []
    assert host_warnings("::1") == []
    (warning,) = host_warnings("0.0.0.0")
    assert warning.startswith("serving on 0.0.0.0: anyone who can reach this machine")


def test_cli_makes_one_library_call_and_prints_the_url(sheet: Path) -> None:
    from typer.testing import CliRunner

    def fake(path: Path, **kwargs: object) -> None:
        on_ready = kwargs["on_ready"]
        assert callable(on_ready)
        on_ready(PreviewStarted("http://127.0.0.1:4321/", ["serving on 0.0.0.0: careful"]))

    with mock.patch("notifier.commands.preview", autospec=True, side_effect=fake) as called:
        result = CliRunner().invoke(cli.app, ["preview", str(sheet), "--port", "0",
                                              "--host", "0.0.0.0", "--open"])
    assert result.exit_code == 0, result.output
    called.assert_called_once_with(sheet, host="0.0.0.0", port=0, templates=None,
                                   open_browser=True, on_ready=mock.ANY)
    assert f"previewing {sheet} at http://127.0.0.1:4321/ (Ctrl-C to stop)" in result.stdout
    assert "warning: serving on 0.0.0.0: careful" in result.stderr


def test_ctrl_c_stops_cleanly(sheet: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "notifier", "preview", str(sheet), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.fullmatch(r"previewing .* at http://127\.0\.0\.1:\d+/ \(Ctrl-C to stop\)\n", line)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode in (0, 130)
    assert "Traceback" not in err
