"""Send test copies of a sheet's notices to a reviewer's inbox over SMTP; every failure is one line."""

from __future__ import annotations

import ipaddress
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from notifier.errors import RenderRefused, SendError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from notifier.render import RenderResult

#: Seconds to wait for the connection and for each SMTP reply.
DEFAULT_TIMEOUT = 30.0
TEST_PREFIX = "[TEST] "
_BARE_LF = re.compile(rb"\r?\n")


@dataclass(frozen=True)
class Sent:
    """One test message handed to the SMTP server."""

    audience: str
    notice: str
    subject: str
    message_id: str


@dataclass
class SendReport:
    """What `send-test` did: the messages sent, and the audiences refused (nothing sent)."""

    server: str
    to: list[str]
    sent: list[Sent] = field(default_factory=list)
    refused: dict[str, RenderRefused] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every chosen notice was rendered and sent."""
        return not self.refused


def parse_server(text: str) -> tuple[str, int]:
    """Return (host, port) from ``HOST:PORT`` (``[::1]:25`` for IPv6).

    Raises:
        UsageError: the text is not HOST:PORT with a port from 1 to 65535.
    """
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^\s:\[\]]+):(\d{1,5})", text.strip())
    port = int(match.group(2) or match.group(4)) if match else 0
    if not match or not 0 < port < 65536:
        raise UsageError(f"--smtp {text!r} is not HOST:PORT; write e.g. --smtp smtp.example.com:587")
    return (match.group(1) or match.group(3), port)


def is_loopback(host: str) -> bool:
    """Return True if ``host`` names this machine (a password sent there stays local)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


def deliver(messages: Sequence[bytes], *, host: str, port: int, sender: str,
            recipients: Sequence[str], starttls: bool = False, user: str | None = None,
            password: str | None = None, timeout: float = DEFAULT_TIMEOUT,
            implicit_tls: bool = False, senders: Sequence[str] | None = None) -> None:
    """Send ready-made messages through one SMTP connection.

    Args:
        messages: the messages (``build_eml`` output).
        host: the SMTP server.
        port: its port.
        sender: the envelope sender (MAIL FROM).
        senders: one envelope sender per message (each notice's From), instead of ``sender``.
        recipients: the envelope recipients (RCPT TO).
        starttls: upgrade the connection with STARTTLS (certificate verified) first.
        user: log in as this user.
        password: the password for ``user``.
        timeout: seconds to wait for the connection and for each reply.
        implicit_tls: speak TLS from the first byte (SMTPS, usually port 465; certificate
            verified) instead of upgrading.

    Raises:
        SendError: the connection, TLS, login, a recipient or the message was refused, or
            the server did not answer in time; the message is one line.
    """
    where = f"the SMTP server at {host}:{port}"
    if starttls and implicit_tls:
        raise UsageError("--starttls and --ssl exclude each other: --ssl for a server that "
                         "speaks TLS from the start (port 465), --starttls for one that upgrades "
                         "(port 587)")
    try:
        client = (smtplib.SMTP_SSL(host, port, timeout=timeout,
                                   context=ssl.create_default_context()) if implicit_tls
                  else smtplib.SMTP(host, port, timeout=timeout))
        with client:
            client.ehlo()
            if starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if user is not None:
                client.login(user, password or "")
            for number, message in enumerate(messages):
                # smtplib sends bytes as given; SMTP needs CRLF line ends (RFC 5321 2.3.8).
                wire = _BARE_LF.sub(b"\r\n", message)
                envelope = senders[number] if senders is not None else sender
                refused = client.sendmail(envelope, list(recipients), wire)
                if refused:
                    address, (code, text) = next(iter(refused.items()))
                    raise SendError(f"{where} refused the recipient {address}: {_reply(code, text)} "
                                    "(the other recipients were sent the message)")
    except SendError:
        raise
    except OSError as exc:  # smtplib's and ssl's errors are OSErrors too
        raise _explain(exc, where=where, host=host, user=user, starttls=starttls,
                       timeout=timeout, implicit_tls=implicit_tls) from None


def _explain(exc: OSError, *, where: str, host: str, user: str | None, starttls: bool,
             timeout: float, implicit_tls: bool = False) -> SendError:
    """Return the one-line SendError for what went wrong while talking to the server."""
    if isinstance(exc, smtplib.SMTPException):
        return _explain_smtp(exc, where=where, user=user, starttls=starttls, timeout=timeout,
                             implicit_tls=implicit_tls)
    if isinstance(exc, ConnectionRefusedError):
        return SendError(f"cannot connect to {where}: connection refused; check --smtp and that "
                         "the server is running")
    if isinstance(exc, TimeoutError):
        return SendError(f"{where} did not answer within {timeout:g} s"
                         f"{_port_hint(where, starttls, implicit_tls)}")
    if isinstance(exc, socket.gaierror):
        return SendError(f"cannot find the SMTP server {host!r}: {exc.strerror}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SendError(f"TLS with {where} failed: its certificate is not trusted "
                         f"({exc.verify_message}); check the host name, or the server's "
                         "certificate")
    if isinstance(exc, ssl.SSLError):
        hint = ("; does the server speak TLS from the start? if it upgrades with STARTTLS "
                "(port 587), use --starttls instead of --ssl" if implicit_tls else "")
        return SendError(f"TLS with {where} failed: {exc.reason or exc}{hint}")
    return SendError(f"cannot talk to {where}: {exc.strerror or exc}")


def _port_hint(where: str, starttls: bool, implicit_tls: bool) -> str:
    """On port 465 the server speaks TLS first and a plain client waits for a greeting forever."""
    if where.endswith(":465") and not (starttls or implicit_tls):
        return "; port 465 usually expects TLS from the start: add --ssl"
    return ""


def _explain_smtp(exc: smtplib.SMTPException, *, where: str, user: str | None, starttls: bool,
                  timeout: float, implicit_tls: bool = False) -> SendError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"{where} refused the login for user {user!r}: "
                         f"{_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        address, (code, text) = next(iter(exc.recipients.items()))
        return SendError(f"{where} refused the recipient {address}: {_reply(code, text)}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return SendError(f"{where} refused the sender {exc.sender}: "
                         f"{_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        hint = ("drop --starttls" if starttls and "STARTTLS" in str(exc)
                else "use --starttls, or drop --user")
        return SendError(f"{where} does not support what was asked: {exc}; {hint}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a read timeout
            return SendError(f"{where} did not answer within {timeout:g} s"
                             f"{_port_hint(where, starttls, implicit_tls)}")
        return SendError(f"{where} closed the connection unexpectedly")
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendError(f"{where} refused the message: {_reply(exc.smtp_code, exc.smtp_error)}")
    return SendError(f"{where} failed: {' '.join(str(exc).split())}")


def _gate(result: RenderResult, allow_errors: bool) -> None:
    """Pass each notice through render's gate: an unwaived error refuses it, or (with
    ``allow_errors``) makes it a draft."""
    from notifier.gate import admit

    sheet = result.sheet
    admitted = []
    for notice in result.notices:
        index = next(i for i, a in enumerate(sheet.audiences) if a.id == notice.audience_id)
        try:
            admitted.append(admit(sheet, index, notice, allow_errors=allow_errors))
        except RenderRefused as exc:
            result.refused[notice.audience_id] = exc
    result.notices = admitted


def send_test(path: Path, *, to: Sequence[str], smtp: str, audiences: list[str] | None = None,
              notices: list[str] | None = None, starttls: bool = False, user: str | None = None,
              password: str | None = None, test_prefix: bool = True,
              templates: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
              implicit_tls: bool = False, allow_errors: bool = False) -> SendReport:
    """Render a sheet's chosen notices and send each to the reviewers ``to``.

    Each message is the outbox ``.eml`` as sent rather than as a draft: with a To header, a
    fresh Message-ID (so that repeated tests are not merged by the inbox), the moment of
    sending as its Date (no ``X-Notifier-Draft``) and, unless
    ``test_prefix`` is false, ``[TEST] `` before the subject. Refused audiences are
    reported and not sent.

    Args:
        path: the fact sheet.
        to: the reviewers' addresses.
        smtp: the server as ``HOST:PORT``.
        audiences: only these audience ids.
        notices: only these notice kinds.
        starttls: upgrade the connection with STARTTLS.
        user: log in as this user.
        password: the password for ``user`` (the CLI reads NOTIFIER_SMTP_PASSWORD).
        test_prefix: put ``[TEST] `` before each subject.
        templates: a folder of template overrides.
        timeout: seconds to wait for the connection and each SMTP reply.
        implicit_tls: connect with TLS from the start (SMTPS, port 465).
        allow_errors: send a notice whose checks find errors, marked as a draft (render's
            rule: ``gate.admit``); without it such a notice is refused, as render refuses it.

    Raises:
        UsageError: bad ``--smtp``, a missing password, a bad address or filter.
        SheetError: the sheet is invalid.
        SendError: the server refused the connection, the login, a recipient or a message.
    """
    from notifier.batch import check_audience_filter, check_notice_filter
    from notifier.eml import build_eml, check_address
    from notifier.render import render_sheet
    from notifier.sheet import load_sheet

    host, port = parse_server(smtp)
    if not to:
        raise UsageError("name a reviewer with --to, e.g. --to reviewer@example.com")
    for address in to:
        try:
            check_address(address, "to", "--to")
        except RenderRefused:
            raise UsageError(f"--to {address!r} is not an email address; "
                             "write e.g. --to reviewer@example.com") from None
    if user is not None and not password:
        raise UsageError("--user needs a password: set it in the NOTIFIER_SMTP_PASSWORD "
                         "environment variable (never on the command line)")
    if starttls and implicit_tls:
        raise UsageError("--starttls and --ssl exclude each other: --ssl for a server that "
                         "speaks TLS from the start (port 465), --starttls for one that upgrades "
                         "(port 587)")
    if user is not None and not (starttls or implicit_tls) and not is_loopback(host):
        raise UsageError(f"refusing to send the password for {user!r} unencrypted to {host}; "
                         "add --starttls (port 587) or --ssl (port 465)")
    check_notice_filter(notices)
    sheet = load_sheet(path)
    check_audience_filter(audiences, [sheet])
    result = render_sheet(sheet, templates=templates, audiences=audiences, notices=notices)
    if not result.notices and not result.refused:
        raise UsageError(f"{path}: no audience matches --audience/--notice; nothing to send")
    _gate(result, allow_errors)
    report = SendReport(server=f"{host}:{port}", to=list(to), refused=dict(result.refused))
    messages = []
    now = datetime.now(UTC).replace(microsecond=0)
    for notice in result.notices:
        message_id = make_msgid(idstring=notice.audience_id,
                                domain=notice.sender[1].rpartition("@")[2])
        messages.append(build_eml(notice, date=now, to=to, message_id=message_id,
                                  subject_prefix=TEST_PREFIX if test_prefix else ""))
        report.sent.append(Sent(notice.audience_id, notice.notice,
                                (TEST_PREFIX if test_prefix else "") + notice.subject, message_id))
    if messages:
        # Each message leaves from its own From (a staff notice and a regulator draft need
        # not share the customer notices' sender): bounces go back to that mailbox.
        deliver(messages, host=host, port=port, sender=sheet.organisation.sender.email,
                recipients=to, starttls=starttls, user=user, password=password, timeout=timeout,
                implicit_tls=implicit_tls, senders=[n.sender[1] for n in result.notices])
    return report
