"""The preview server without a browser: routes, 404s, event stream, error state, CLI wiring."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from importlib import resources
from pathlib import Path
from unittest import mock

import pytest
from conftest import MINIMAL
from markupsafe import escape
from preview_support import (  # noqa: F401 (the fixtures)
    SHEET,
    SUMMARY,
    server_fixture,
    sheet_fixture,
    sheet_with_override,
    write_atomically,
)

from notifier import cli, commands
from notifier.checks import Finding, Severity, run_checks
from notifier.deadlines import deadlines_for
from notifier.errors import SheetError, UsageError
from notifier.preview import PreviewServer, PreviewStarted
from notifier.preview.pages import Entry, Resource, Snapshot, dark_variant, notice_route, problem_lines
from notifier.preview.server import host_warnings
from notifier.preview.watch import Build
from notifier.render import render_sheet
from notifier.sheet import load_sheet
from notifier.templating import builtin_templates, make_environment

#: MINIMAL with a sized audience, a second rendered one and one that is refused.




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
    sheet, overrides, original = sheet_with_override(tmp_path)
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


# -- check findings -------------------------------------------------------------------------

def esc(value: str) -> str:
    """Return ``value`` as the preview's pages escape it."""
    return str(escape(value))


def expected_findings(sheet: Path) -> dict[str, list[Finding]]:
    """Return what `notifier check` finds for each audience of ``sheet``."""
    loaded = load_sheet(sheet)
    found: dict[str, list[Finding]] = {a.id: [] for a in loaded.audiences}
    for finding in run_checks(loaded, render_sheet(loaded)):
        found[finding.audience].append(finding)
    return found


def finding_items(page: str) -> list[tuple[str, str]]:
    """Return (severity, rule) of every finding in a notice page's findings panel, in order."""
    return re.findall(r'<li class="finding (\w+)" data-rule="([^"]+)"', page)


def checks_cell(page: str, audience: str) -> list[str]:
    """Return the words of the index's Checks cell for ``audience``."""
    row = re.search(rf'<tr class="notice-row" data-audience="{audience}".*?</tr>', page, re.S)
    assert row is not None, audience
    cell = re.search(r'<td class="checks">(.*?)</td>', row.group(0), re.S)
    assert cell is not None
    return re.sub(r"<[^>]+>", " ", cell.group(1)).split()


def test_notice_pages_show_the_findings_check_reports(server: PreviewServer, sheet: Path) -> None:
    expected = expected_findings(sheet)
    assert [f.rule_id for f in expected["resetters"]] == ["consistency.password_reset.no_password_data"]
    for audience, notice in (("customers", "incident"), ("partners", "no_action_needed"),
                             ("resetters", "password_reset")):
        page = text(server, f"/n/{audience}/{notice}/")
        assert '<aside class="findings" data-live="findings"' in page
        wanted = sorted(expected[audience], key=lambda f: f.severity != "error")
        assert finding_items(page) == [(f.severity, f.rule_id) for f in wanted]
        for finding in wanted:
            assert esc(finding.message) in page
            assert esc(finding.fix) in page
        if not wanted:
            assert "No findings: every rule that applies to this notice passes." in page
    refused = text(server, "/n/resetters/password_reset/")
    assert '<span class="severity">error</span> <code class="rule">' \
           "consistency.password_reset.no_password_data</code>" in refused


def test_index_counts_errors_and_warnings_per_notice(server: PreviewServer, sheet: Path) -> None:
    expected = expected_findings(sheet)
    page = text(server, "/")
    for audience, findings in expected.items():
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        assert f'data-audience="{audience}" data-status="' in page
        assert re.search(rf'data-audience="{audience}" data-status="\w+" data-errors="{errors}" '
                         rf'data-warnings="{warnings}"', page)
    assert checks_cell(page, "resetters") == ["1", "error"]
    assert checks_cell(page, "customers") == ["no", "findings"]
    state = json.loads(text(server, "/_preview/state.json"))
    resetters = next(n for n in state["notices"] if n["audience"] == "resetters")
    assert resetters["errors"] == 1 and resetters["warnings"] == 0
    assert resetters["findings"][0]["rule"] == "consistency.password_reset.no_password_data"


def test_findings_are_computed_once_per_rebuild_and_follow_edits(server: PreviewServer,
                                                                 sheet: Path) -> None:
    from notifier import checks

    with mock.patch.object(checks, "run_checks", wraps=checks.run_checks) as counted:
        for _ in range(3):  # requests read the build; they never check anything
            text(server, "/n/customers/incident/")
            text(server, "/")
        assert counted.call_count == 0
        write_atomically(sheet, SHEET.replace("status: contained", "status: resolved"))
        build = wait_for(server, lambda b: b.snapshot.sheet is not None
                         and b.snapshot.sheet.incident.status == "resolved")
        assert counted.call_count == 1
    customers = next(e for e in build.snapshot.entries if e.audience.id == "customers")
    assert [f.rule_id for f in customers.findings] == ["consistency.resolved_without_actions"]
    page = text(server, "/n/customers/incident/")
    assert ("error", "consistency.resolved_without_actions") in finding_items(page)
    assert "status is resolved but incident.actions_taken is empty" in page
    assert checks_cell(text(server, "/"), "customers") == ["1", "error"]

    fixed = SHEET.replace("status: contained", "status: resolved").replace(
        "  data_not_involved:", "  actions_taken:\n    - We closed the gap the intruder used.\n"
        "  data_not_involved:")
    write_atomically(sheet, fixed)
    wait_for(server, lambda b: b.snapshot.sheet is not None
             and bool(b.snapshot.sheet.incident.actions_taken))
    assert "consistency.resolved_without_actions" not in text(server, "/n/customers/incident/")
    assert checks_cell(text(server, "/"), "customers") == ["no", "findings"]


def test_findings_of_the_last_good_build_stay_while_the_sheet_is_invalid(
        server: PreviewServer, sheet: Path) -> None:
    write_atomically(sheet, SHEET.replace("misuse: none_known", "misuse: nonne_known"))
    wait_for(server, lambda b: not b.ok)
    page = text(server, "/n/resetters/password_reset/")
    assert ("error", "consistency.password_reset.no_password_data") in finding_items(page)


def test_errors_and_warnings_look_different(sheet: Path) -> None:
    """Errors come first and carry the error class; warnings the warning class (see preview.css)."""
    from notifier.preview.pages import Snapshot, build_routes

    loaded = load_sheet(sheet)

    def finding(rule: str, severity: Severity) -> Finding:
        return Finding(rule, severity, loaded.id, "customers", "incident", f"{rule} message",
                       f"{rule} fix", "house rule")

    entry = Entry(audience=loaded.audiences[0],
                  findings=(finding("x.warn", "warning"), finding("x.err", "error"),
                            finding("x.warn2", "warning")))
    routes = build_routes(Snapshot(sheet=loaded, entries=(entry,)), "t-1")
    page = routes["/n/customers/incident/"].body.decode()
    assert finding_items(page) == [("error", "x.err"), ("warning", "x.warn"),
                                   ("warning", "x.warn2")]
    assert '<span class="count error">1 error</span> <span class="count warning">2 warnings</span>' \
        in page
    index = routes["/"].body.decode()
    assert checks_cell(index, "customers") == ["1", "error", "2", "warnings"]
    css = (resources.files("notifier.preview") / "preview.css").read_text(encoding="utf-8")
    assert ".finding.error {" in css and ".finding.warning {" in css


# -- deadlines ------------------------------------------------------------------------------

#: A sheet whose audience is in the UK: the ICO's 72 hours and the individuals' "without undue delay".
UK_SHEET = SHEET.replace("    size: 125000\n", "    size: 125000\n    jurisdictions: [GB]\n").replace(
    "data_involved: [name, email]", "data_involved: [name, email, password_hash]")


@pytest.fixture
def uk_server(tmp_path: Path) -> Iterator[PreviewServer]:
    path = tmp_path / "uk.yaml"
    path.write_text(UK_SHEET, encoding="utf-8")
    with PreviewServer(path, port=0) as running:
        running.start()
        yield running


def test_index_shows_the_deadlines_check_computes(uk_server: PreviewServer) -> None:
    snapshot = uk_server.site.current().snapshot
    assert snapshot.sheet is not None and snapshot.deadlines_at is not None
    expected = deadlines_for(snapshot.sheet, now=snapshot.deadlines_at)
    assert [d.id for d in expected] == ["uk.deadline.ico", "uk.deadline.individuals"]
    assert list(snapshot.deadlines) == expected
    page = text(uk_server, "/")
    assert re.findall(r'<tr class="deadline" data-deadline="([^"]+)" data-recipient="([^"]+)"',
                      page) == [("uk.deadline.ico", "ico"), ("uk.deadline.individuals", "individuals")]
    for deadline in expected:
        assert esc(deadline.left_text()) in page
        assert esc(deadline.source) in page
    ico = expected[0]
    local = ico.due_local()
    assert local is not None and f"{local:%Y-%m-%d %H:%M %Z}" in page  # 2025-04-25 09:30 BST
    assert ico.left_text().startswith("overdue by ")  # discovered in April 2025
    assert '<span class="left overdue">overdue by ' in page
    assert "<code>customers</code>" in page
    state = json.loads(text(uk_server, "/_preview/state.json"))
    assert [d["id"] for d in state["deadlines"]] == ["uk.deadline.ico", "uk.deadline.individuals"]


def test_no_jurisdictions_no_deadlines(server: PreviewServer) -> None:
    assert server.site.current().snapshot.deadlines == ()
    assert "No notification deadline applies to these audiences' jurisdictions." in text(server, "/")


def test_time_left_is_measured_again_as_time_passes(uk_server: PreviewServer) -> None:
    site = uk_server.site
    sheet = site.current().snapshot.sheet
    assert sheet is not None
    found = sheet.incident.discovered_at.astimezone(UTC)
    before = site.current()
    build = site.tick(now=found + timedelta(minutes=30))
    assert build is not None and build.epoch == before.epoch + 1
    assert build.snapshot.entries == before.snapshot.entries  # nothing was rendered again
    assert "2 d 23 h left" in text(uk_server, "/")
    assert "as soon as practicable; 30 min elapsed" in text(uk_server, "/")
    # Nothing the page shows changes within the minute: no new epoch.
    assert site.tick(now=found + timedelta(minutes=30, seconds=20)) is None
    assert site.current().token == build.token
    site.tick(now=found + timedelta(hours=80))
    assert '<span class="left overdue">overdue by 8 h 0 min</span>' in text(uk_server, "/")


def test_the_clock_thread_refreshes_the_deadlines(tmp_path: Path) -> None:
    path = tmp_path / "uk.yaml"
    path.write_text(UK_SHEET, encoding="utf-8")
    with mock.patch("notifier.preview.watch.CLOCK_S", 0.05), \
            mock.patch("notifier.preview.watch.Site.tick", autospec=True) as tick, \
            PreviewServer(path, port=0):
        deadline = time.monotonic() + 5
        while tick.call_count < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert tick.call_count >= 2


# -- one Jinja environment, the earlier revision watched -------------------------------------

def page_has(route: str, marker: str) -> Callable[[Build], bool]:
    """Return a test of whether a build's page at ``route`` contains ``marker``."""
    return lambda build: marker.encode() in build.routes[route].body


def test_editing_the_sheet_reuses_the_jinja_environment(server: PreviewServer, sheet: Path) -> None:
    site = server.site
    assert site.environments == 1
    env = site._env
    with mock.patch("notifier.preview.watch.make_environment", autospec=True,
                    side_effect=make_environment) as made:
        for n in range(2):
            marker = f"Edit number {n}."
            write_atomically(sheet, SHEET.replace(SUMMARY, marker))
            wait_for(server, page_has("/n/customers/incident/", marker))
    assert made.call_count == 0
    assert site.environments == 1 and site._env is env


def test_editing_a_template_makes_a_new_environment(tmp_path: Path) -> None:
    sheet, overrides, original = sheet_with_override(tmp_path)
    with PreviewServer(sheet, port=0, templates=overrides) as server:
        server.start()
        site = server.site
        first = site._env
        assert site.environments == 1
        write_atomically(overrides / "incident.txt.j2", original + "\nFirst marker.\n")
        wait_for(server, lambda b: b"First marker." in b.routes["/n/customers/incident/"].body)
        assert site.environments == 2 and site._env is not first
        second = site._env
        write_atomically(sheet, SHEET.replace(SUMMARY, "Sheet edit after the template edit."))
        wait_for(server, lambda b: b"Sheet edit after the template edit."
                 in b.routes["/n/customers/incident/"].body)
        assert site.environments == 2 and site._env is second
        # The template is still the edited one: the reused environment did not go stale.
        assert b"First marker." in site.current().routes["/n/customers/incident/"].body
        write_atomically(overrides / "incident.txt.j2", original + "\nSecond marker.\n")
        wait_for(server, lambda b: b"Second marker." in b.routes["/n/customers/incident/"].body)
        assert site.environments == 3


def test_rebuild_without_knowing_what_changed_makes_a_new_environment(server: PreviewServer,
                                                                     sheet: Path) -> None:
    site = server.site
    site.rebuild([sheet])
    assert site.environments == 1
    site.rebuild()
    assert site.environments == 2
    site.rebuild([builtin_templates() / "incident.mjml.j2"])
    assert site.environments == 3


def test_a_rebuild_is_published_whole(server: PreviewServer, sheet: Path) -> None:
    """While a rebuild (render, checks, deadlines) is in flight, requests wait for all of it."""
    from notifier.preview import pages

    gate = threading.Event()
    real = pages.build_routes

    def slow(snapshot: Snapshot, token: str) -> dict[str, Resource]:
        gate.wait(5)
        return real(snapshot, token)

    sheet.write_text(SHEET.replace("status: contained", "status: resolved"), encoding="utf-8")
    with mock.patch("notifier.preview.watch.build_routes", side_effect=slow):
        rebuilding = threading.Thread(target=server.site.rebuild, args=([sheet],))
        rebuilding.start()
        time.sleep(0.2)
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(text(server, "/n/customers/incident/")))
        reader.start()
        time.sleep(0.2)
        assert not got  # the request waits rather than see the old build or half the new one
        gate.set()
        reader.join(5)
        rebuilding.join(5)
    assert got and "consistency.resolved_without_actions" in got[0]


EARLIER = "history/r1.yaml"
UPDATE_SHEET = (MINIMAL.replace("data_involved: [name, email]", "data_involved: [name, email, phone]")
                .replace("    notice: incident\n", "    notice: update\n")
                + f"notice_date: 2025-04-24\nsupersedes:\n  sheet: {EARLIER}\n"
                "  sent_at: 2025-04-23T10:00:00+01:00\n")
PHONE_NEWS = "We now know that your phone number was also involved."


@pytest.fixture
def update_sheet(tmp_path: Path) -> Path:
    (tmp_path / "history").mkdir()
    (tmp_path / EARLIER).write_text(MINIMAL, encoding="utf-8")
    path = tmp_path / "sheet.yaml"
    path.write_text(UPDATE_SHEET, encoding="utf-8")
    return path


def test_editing_the_earlier_revision_rebuilds(update_sheet: Path) -> None:
    earlier = update_sheet.parent / EARLIER
    with PreviewServer(update_sheet, port=0) as server:
        server.start()
        assert earlier.parent.resolve() in server.watcher.folders
        assert PHONE_NEWS in text(server, "/n/customers/update/")
        # The earlier revision now says the phone number was involved: no longer news.
        write_atomically(earlier, MINIMAL.replace("data_involved: [name, email]",
                                                  "data_involved: [name, email, phone]"))
        wait_for(server, lambda b: PHONE_NEWS.encode() not in b.routes["/n/customers/update/"].body)
        assert server.site.environments == 1  # the revision is a sheet, not a template
        # A broken earlier revision shows its problem like the sheet's own.
        write_atomically(earlier, MINIMAL.replace("kind: unauthorised_access", "kind: hacked"))
        build = wait_for(server, lambda b: not b.ok)
        assert any(str(earlier) in line and "unknown value 'hacked'" in line
                   for line in problem_lines(build.snapshot.problems))
        write_atomically(earlier, MINIMAL)
        wait_for(server, lambda b: b.ok and PHONE_NEWS.encode()
                 in b.routes["/n/customers/update/"].body)


def test_a_missing_earlier_revision_is_watched_for(update_sheet: Path) -> None:
    earlier = update_sheet.parent / EARLIER
    earlier.unlink()
    with PreviewServer(update_sheet, port=0) as server:
        server.start()
        assert not server.site.current().ok
        earlier.write_text(MINIMAL, encoding="utf-8")
        wait_for(server, lambda b: b.ok)
        assert PHONE_NEWS in text(server, "/n/customers/update/")


def test_pointing_supersedes_elsewhere_watches_the_new_folder(update_sheet: Path) -> None:
    root = update_sheet.parent
    (root / "older").mkdir()
    moved = root / "older" / "r0.yaml"
    moved.write_text(MINIMAL, encoding="utf-8")
    with PreviewServer(update_sheet, port=0) as server:
        server.start()
        assert (root / "older").resolve() not in server.watcher.folders
        write_atomically(update_sheet, UPDATE_SHEET.replace(EARLIER, "older/r0.yaml"))
        wait_for(server, lambda b: b.snapshot.reads == (moved.resolve(),))
        deadline = time.monotonic() + 5
        while (root / "older").resolve() not in server.watcher.folders:
            assert time.monotonic() < deadline, server.watcher.folders
            time.sleep(0.02)
        time.sleep(0.2)  # let the watcher settle on its new folders
        write_atomically(moved, MINIMAL.replace("data_involved: [name, email]",
                                                "data_involved: [name, email, phone]"))
        wait_for(server, lambda b: PHONE_NEWS.encode() not in b.routes["/n/customers/update/"].body)


def test_a_waived_finding_is_shown_as_waived(tmp_path: Path) -> None:
    sheet = SHEET.replace("    size: 125000\n", "    size: 125000\n    jurisdictions: [GB]\n") + (
        "waivers:\n  - rule: uk.art34.dpo_contact\n    reason: Counsel approved the help desk as "
        "the contact point.\n    decided_by: Jane Doe, General Counsel\n    decided_at: 2025-05-02\n")
    path = tmp_path / "w.yaml"
    path.write_text(sheet, encoding="utf-8")
    with PreviewServer(path, port=0) as running:
        running.start()
        page = text(running, notice_route("customers", "incident"))
    assert 'data-rule="uk.art34.dpo_contact" data-severity="error" data-waived="true"' in page
    assert "error (waived)" in page and "waived by Jane Doe, General Counsel on 2025-05-02" in page


def test_the_notice_on_screen_is_rendered_and_published_first(server: PreviewServer,
                                                               sheet: Path) -> None:
    """An edit reaches the open notice page before the other notices are rendered again."""
    published: list[dict[str, tuple[bool, bool]]] = []
    assemble = server.site._assemble

    def recording(epoch: int, snapshot: Snapshot) -> Build:
        published.append({e.audience.id: (e.pending, e.rendered is not None and
                                           "Edited for the focus test." in e.rendered.text)
                          for e in snapshot.entries})
        return assemble(epoch, snapshot)

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/_preview/events?page=/n/customers/incident/")
        with conn.getresponse() as resp, mock.patch.object(server.site, "_assemble", recording):
            read_event(resp)
            assert server.site.on_screen() == {"customers"}
            write_atomically(sheet, SHEET.replace(SUMMARY, "Edited for the focus test."))
            read_event(resp)  # the edit published: the notice on screen, maybe the rest too
            # the rest follows in the background; it may already be done (then that event was
            # the last build), so wait for a build with nothing pending, not for a newer one
            wait_for(server, lambda b: not any(e.pending for e in b.snapshot.entries))
    finally:
        conn.close()
    assert published[0]["customers"] == (False, True)  # on screen: rendered, edited
    assert {pending for aid, (pending, _) in published[0].items() if aid != "customers"} == {True}
    assert published[-1]["customers"] == (False, True)
    assert not any(pending for pending, _ in published[-1].values())
    assert "Edited for the focus test." in text(server, "/n/partners/no_action_needed/")
    assert 'data-pending' not in text(server, "/")
