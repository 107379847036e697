"""`notifier send-test` against a real SMTP server on 127.0.0.1 (aiosmtpd), end to end."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, Session
from helpers import edited_yaml, sheet_with

from notifier.cli import main
from notifier.render import render_sheet

PASSWORD_VAR = "NOTIFIER_SMTP_PASSWORD"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps what it receives; can refuse recipients."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse = refuse or set()

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session,  # noqa: N802
                          envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        found = []
        for envelope in self.envelopes:
            message = email.message_from_bytes(envelope.original_content or b"",
                                               policy=policy.default)
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found


def reject_everyone(server: Any, session: Session, envelope: Envelope, mechanism: str,
                    auth_data: Any) -> AuthResult:
    return AuthResult(success=False, handled=False)


def start(handler: Inbox, **options: Any) -> Iterator[tuple[Inbox, int]]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    yield from start(Inbox())


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.yaml"
    path.write_text(edited_yaml(**{"organisation.reply_to": "replies@acme.example"}),
                    encoding="utf-8")
    return path


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def send(sheet: Path, port: int, *extra: str) -> list[str]:
    return ["send-test", str(sheet), "--to", "reviewer@example.com",
            "--smtp", f"127.0.0.1:{port}", *extra]


def test_the_message_arrives_intact(smtp_server: tuple[Inbox, int], sheet: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    inbox, port = smtp_server
    code, out, err = run_cli(send(sheet, port), capsys)
    assert (code, err) == (0, "")
    subject = "[TEST] Security incident at Acme Ltd involving your data"
    assert out == f"sent customers (incident) to reviewer@example.com via 127.0.0.1:{port}: {subject}\n"
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "care@acme.example"
    assert envelope.rcpt_tos == ["reviewer@example.com"]
    (message,) = inbox.messages()
    assert message.defects == []
    assert message["Subject"] == subject
    assert message["To"] == "reviewer@example.com"
    assert message["From"] == "Acme Customer Care <care@acme.example>"
    assert message["Reply-To"] == "replies@acme.example"
    assert message["Message-ID"].endswith("@acme.example>")
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    (rendered,) = render_sheet(sheet_with(**{"organisation.reply_to": "replies@acme.example"})).notices
    # On the wire lines end in CRLF; decoded, each part is exactly what was rendered.
    assert parts[0].get_content().replace("\r\n", "\n") == rendered.text
    assert parts[1].get_content().replace("\r\n", "\n") == rendered.html


def test_a_sent_test_is_dated_when_sent_and_suppresses_auto_replies(
        smtp_server: tuple[Inbox, int], sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime, timedelta

    inbox, port = smtp_server
    before = datetime.now(UTC).replace(microsecond=0)
    assert run_cli(send(sheet, port), capsys)[0] == 0
    after = datetime.now(UTC)
    (message,) = inbox.messages()
    sent = message["Date"].datetime
    assert before <= sent <= after + timedelta(seconds=1)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert message["X-Notifier-Draft"] is None and message["X-Unsent"] is None


def test_no_test_prefix_and_filters(smtp_server: tuple[Inbox, int], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    inbox, port = smtp_server
    path = tmp_path / "two.yaml"
    path.write_text(edited_yaml(**{"audiences": [
        {"id": "customers", "name": "Customers", "notice": "incident"},
        {"id": "partners", "name": "Partners", "notice": "incident"},
    ]}), encoding="utf-8")
    code, _, err = run_cli(send(path, port, "--no-test-prefix", "--audience", "partners"), capsys)
    assert (code, err) == (0, "")
    (message,) = inbox.messages()
    assert message["Subject"] == "Security incident at Acme Ltd involving your data"


def test_connection_refused_is_one_line_and_exit_2(sheet: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there
    code, out, err = run_cli(send(sheet, port), capsys)
    assert (code, out) == (2, "")
    assert err == (f"cannot connect to the SMTP server at 127.0.0.1:{port}: connection refused; "
                   "check --smtp and that the server is running\n")


def test_authentication_failure_is_one_line_and_exit_2(
        sheet: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_VAR, "not-the-password")
    servers = start(Inbox(), authenticator=reject_everyone, auth_require_tls=False)
    inbox, port = next(servers)
    try:
        code, out, err = run_cli(send(sheet, port, "--user", "reviewer"), capsys)
    finally:
        next(servers, None)
    assert (code, out) == (2, "")
    assert err == (f"the SMTP server at 127.0.0.1:{port} refused the login for user 'reviewer': "
                   "535 5.7.8 Authentication credentials invalid\n")
    assert inbox.envelopes == []


def test_rejected_recipient_is_one_line_and_exit_2(sheet: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    servers = start(Inbox(refuse={"reviewer@example.com"}))
    inbox, port = next(servers)
    try:
        code, out, err = run_cli(send(sheet, port), capsys)
    finally:
        next(servers, None)
    assert (code, out) == (2, "")
    assert err == (f"the SMTP server at 127.0.0.1:{port} refused the recipient "
                   "reviewer@example.com: 550 5.1.1 No such user here\n")
    assert inbox.envelopes == []


def test_a_silent_server_times_out(sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as listener:  # accepts connections (backlog) but never says hello
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        code, out, err = run_cli(send(sheet, port, "--timeout", "1"), capsys)
    assert (code, out) == (2, "")
    assert err == f"the SMTP server at 127.0.0.1:{port} did not answer within 1 s\n"


def test_user_without_password_variable_is_a_usage_error(
        sheet: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_VAR, raising=False)
    code, _, err = run_cli(send(sheet, free_port(), "--user", "reviewer"), capsys)
    assert code == 2
    assert err == ("--user needs a password: set it in the NOTIFIER_SMTP_PASSWORD environment "
                   "variable (never on the command line)\n")


def test_password_is_never_sent_unencrypted_to_another_host(
        sheet: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_VAR, "secret")
    code, _, err = run_cli(["send-test", str(sheet), "--to", "reviewer@example.com",
                            "--smtp", "smtp.example.com:587", "--user", "reviewer"], capsys)
    assert code == 2
    assert err == ("refusing to send the password for 'reviewer' unencrypted to smtp.example.com; "
                   "add --starttls (port 587) or --ssl (port 465)\n")


def test_there_is_no_password_option(sheet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(send(sheet, free_port(), "--password", "secret"), capsys)
    assert code == 2
    assert "No such option: --password" in err


@pytest.mark.parametrize(("option", "message"), [
    (["--smtp", "localhost"], "--smtp 'localhost' is not HOST:PORT; write e.g. "
                              "--smtp smtp.example.com:587\n"),
    (["--to", "Bob <bob@example.com>"], "--to 'Bob <bob@example.com>' is not an email address; "
                                        "write e.g. --to reviewer@example.com\n"),
])
def test_bad_options_are_usage_errors(sheet: Path, capsys: pytest.CaptureFixture[str],
                                      option: list[str], message: str) -> None:
    args = ["send-test", str(sheet), "--to", "reviewer@example.com", "--smtp", "127.0.0.1:25"]
    args[args.index(option[0]) + 1] = option[1]
    code, _, err = run_cli(args, capsys)
    assert (code, err) == (2, message)


# -- TLS: STARTTLS (port 587 style) and implicit TLS (SMTPS, port 465 style) ----------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (openssl, as on any Debian)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def trusting(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the client trust the test certificate (and nothing it would not otherwise)."""
    import ssl

    import notifier.smtp

    real = ssl.create_default_context
    monkeypatch.setattr(notifier.smtp.ssl, "create_default_context",
                        lambda *a, **k: real(cafile=str(certificate[0])))


def server_context(certificate: tuple[Path, Path]) -> Any:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


@pytest.mark.parametrize("mode", ["--starttls", "--ssl"])
def test_the_message_arrives_over_tls_with_a_login(
        mode: str, sheet: Path, certificate: tuple[Path, Path], trusting: None,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    logins: list[tuple[bytes, bool]] = []

    def accept(server: Any, session: Session, envelope: Envelope, mechanism: str,
               auth_data: Any) -> AuthResult:
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        logins.append((auth_data.login, encrypted))
        return AuthResult(success=True)

    options: dict[str, Any] = {"authenticator": accept, "auth_require_tls": True}
    if mode == "--ssl":
        # aiosmtpd's auth_require_tls waits for STARTTLS, which a TLS-from-the-start server
        # never sees; the authenticator records whether the login came over TLS.
        options.update(ssl_context=server_context(certificate), auth_require_tls=False)
    else:
        options.update(tls_context=server_context(certificate), require_starttls=True)
    monkeypatch.setenv(PASSWORD_VAR, "s3cret")
    for inbox, port in start(Inbox(), **options):
        code, out, err = run_cli(send(sheet, port, mode, "--user", "reviewer"), capsys)
        assert (code, err) == (0, "")
        (message,) = inbox.messages()
        assert message["Subject"].startswith("[TEST] ")
    assert logins == [(b"reviewer", True)]  # the password only ever went over TLS


def test_an_untrusted_certificate_is_a_clear_error(
        sheet: Path, certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    for inbox, port in start(Inbox(), ssl_context=server_context(certificate)):
        code, _, err = run_cli(send(sheet, port, "--ssl"), capsys)
        assert code == 2
        assert err.startswith(f"TLS with the SMTP server at 127.0.0.1:{port} failed: its "
                              "certificate is not trusted")
        assert not inbox.envelopes


def test_ssl_to_a_server_that_upgrades_instead_says_so(
        smtp_server: tuple[Inbox, int], sheet: Path, trusting: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    inbox, port = smtp_server  # plain SMTP: TLS from the first byte fails
    code, _, err = run_cli(send(sheet, port, "--ssl"), capsys)
    assert code == 2 and "use --starttls instead of --ssl" in err
    assert len(err.strip().splitlines()) == 1


def test_starttls_and_ssl_together_are_a_usage_error(sheet: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(send(sheet, free_port(), "--starttls", "--ssl"), capsys)
    assert code == 2 and "--starttls and --ssl exclude each other" in err


def test_a_plain_client_on_port_465_is_told_to_add_ssl() -> None:
    from notifier.smtp import _explain

    error = _explain(TimeoutError(), where="the SMTP server at mail.example.com:465",
                     host="mail.example.com", user=None, starttls=False, timeout=30)
    assert str(error).endswith("did not answer within 30 s; port 465 usually expects TLS from "
                               "the start: add --ssl")


def test_send_test_refuses_what_render_refuses(smtp_server: tuple[Inbox, int], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A UK notice with no privacy contact has an error: render refuses it, and so does
    send-test; with --allow-errors both let it through as a draft."""
    inbox, port = smtp_server
    path = tmp_path / "uk.yaml"
    path.write_text(edited_yaml(**{"audiences.0.jurisdictions": ["GB"],
                                   "incident.actions_taken": ["We locked the account."]}),
                    encoding="utf-8")
    code, out, err = run_cli(send(path, port), capsys)
    assert code == 2 and inbox.messages() == []
    assert "uk.art34.dpo_contact" in out + err
    code, out, err = run_cli(send(path, port, "--allow-errors"), capsys)
    assert (code, err) == (0, "")
    (message,) = inbox.messages()
    assert message["Subject"].startswith("[TEST] [DRAFT - NOT FOR SENDING] ")
