"""Build a notice's .eml: multipart/alternative (plain text, then HTML), byte-stable across runs.

The message is written by hand rather than with ``email.message.EmailMessage``, for two
reasons: every byte must be the same on every run (no random boundary, no clock), and the
stdlib builder costs about ten times more than the rendering it would package. The pieces
that need care still come from the standard library: RFC 2047 encoded words
(``email.header.Header``), address quoting (``email.utils.formataddr``), RFC 5322 dates
(``email.utils.format_datetime``) and quoted-printable bodies (``binascii.b2a_qp``).

Choices, each made so that the output is deterministic and opens the same everywhere:

- **Drafts and sent messages**: the outbox holds drafts. A draft has no ``Date`` (a fixed
  date would be wrong on the day it is sent: a relay's ``Received`` time far from it scores
  ``DATE_IN_PAST_*`` in SpamAssassin) and says what it is: ``X-Notifier-Draft`` for people
  and tools, ``X-Unsent: 1`` so that Outlook opens it as a message to send. The sending
  system stamps ``Date`` and ``To``, as a submission server does (RFC 6409 8.3).
  ``send-test`` sends with the moment of sending as ``Date``.
- **Auto-replies**: ``Auto-Submitted: auto-generated`` (RFC 3834: no automatic reply to
  it) and ``X-Auto-Response-Suppress: OOF, AutoReply`` (Exchange and Outlook: no
  out-of-office or rule replies). At breach scale, each of those is a flood back to the
  sender. Delivery and non-delivery reports are not suppressed: a notice that could not be
  delivered is one the organisation must know about.
- **Message-ID date**: ``message_date``: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC)
  when it is set, as in reproducible builds; otherwise a moment from the sheet. It only
  feeds the content digest (Message-ID, boundary) of a draft, so the bytes do not change
  between runs or machines.
- **Message-ID**: ``<sha256 of the message content, 40 hex digits>@<sender's domain>``.
  The same content gives the same id; any change of content gives a new one.
- **Boundary**: ``=_`` plus another part of that digest. ``=_`` cannot occur in a
  quoted-printable body, and a 7bit body cannot contain a digest of itself, so the
  boundary never collides with the content.
- **No To** in a draft: the outbox holds one message per audience, not per reader; the
  sending system adds the recipient. ``send-test`` adds ``To``, a fresh Message-ID and the
  current date.
- **Bodies**: UTF-8; 7bit when a part is ASCII with short lines, quoted-printable
  otherwise, so the file is 7-bit clean for any SMTP server (no 8BITMIME needed), and
  each part decodes to exactly the ``.txt`` / ``.html`` file. Lines end in LF, as the other
  outbox files do (mail clients open both); ``smtp.deliver`` sends them as CRLF.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import re
from datetime import UTC, datetime, time
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import TYPE_CHECKING

from notifier.errors import Problem, RenderRefused, UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from notifier.model import FactSheet
    from notifier.render import RenderedNotice

#: Longest header line written before folding (RFC 5322 recommends 78).
MAX_HEADER_LINE = 78
#: Characters that must never reach a header: CR, LF and the other controls (tab allowed),
#: plus the Unicode line and paragraph separators some parsers treat as line breaks.
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")
_ATEXT_LINE = re.compile(r"[\x20-\x7e]*")


def message_date(sheet: FactSheet, environ: Mapping[str, str] | None = None) -> datetime:
    """Return the moment a sheet's drafts are named from (their Message-ID), deterministically.

    In order: ``SOURCE_DATE_EPOCH`` if set; the sheet's ``notice_date`` (09:00 in the time
    zone of ``discovered_at``); never before the latest of ``discovered_at``, the time the
    notices it supersedes went out and the times authorities were told, so that no message
    is dated before a fact it reports. (A sheet that supersedes another must give
    ``notice_date``.)

    Raises:
        UsageError: ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since "
                             "1970-01-01 UTC; set it to e.g. 1745310600 or unset it") from None
    discovered = sheet.incident.discovered_at
    # Never before a fact the notices report: the discovery, the message they correct, an
    # authority being told.
    candidates = [discovered, *(a.notified_at for a in sheet.reported_authorities() if a.notified_at)]
    if sheet.supersedes is not None:
        candidates.append(sheet.supersedes.sent_at)
    if sheet.notice_date is not None:
        send = datetime.combine(sheet.notice_date, time(9, 0), tzinfo=discovered.tzinfo)
        return max(send, *candidates)
    return max(candidates)


def check_header_value(value: str, field: str, where: str) -> None:
    """Refuse a header value with a line break or control character (header injection).

    Args:
        value: the text that would go into a header.
        field: the fact-sheet field (or option) it came from, for the message.
        where: the notice it belongs to, as ``sheet/audience/notice``.

    Raises:
        RenderRefused: the value contains CR, LF or another control character.
    """
    bad = _UNSAFE.search(value)
    if bad:
        raise RenderRefused([Problem(
            where, 0, 0, field,
            f"contains the control character {bad.group()!r}, which would break the email "
            "header (header injection)", "write it on one line without control characters")])


def _needs_encoding(text: str) -> bool:
    # Encoded-word lookalikes are encoded too, so a reader never decodes text we did not encode.
    return not _ATEXT_LINE.fullmatch(text) or "=?" in text


@lru_cache(maxsize=4096)
def _header(name: str, value: str, *, encoded: bool = False) -> str:
    """Return ``Name: value`` folded to MAX_HEADER_LINE, non-ASCII as RFC 2047 encoded words.

    Kept per value: a notice's .eml is built twice (the size check, then the outbox), and
    encoding words (any subject outside ASCII, as most in French, German or Spanish are) is
    slow in the standard library.

    ``encoded`` marks a value that is already in header form (an address list made by
    ``formataddr``), written as it is.
    """
    line = f"{name}: {value}"
    if encoded:
        return line
    if not _needs_encoding(value):
        if len(line) <= MAX_HEADER_LINE:
            return line
        charset = "us-ascii"
    else:
        charset = "utf-8"
    folded = Header(value, charset, maxlinelen=MAX_HEADER_LINE, header_name=name)
    return f"{name}: {folded.encode(linesep=chr(10))}"


def _address(name: str, email: str) -> str:
    if name and _needs_encoding(name):
        # Encoded even when ASCII ("=?" in it), so that readers show it as written.
        words = Header(name, "utf-8", maxlinelen=MAX_HEADER_LINE, header_name="From")
        return f"{words.encode(linesep=chr(10))} <{email}>"
    return formataddr((name, email))


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower() or "localhost"


@lru_cache(maxsize=8)
def _body(text: str) -> tuple[str, bytes]:
    """Return (Content-Transfer-Encoding, body): 7bit when it is short-lined ASCII, else QP.

    Kept for the last few texts: a notice's message is built for the size check and again
    for the outbox, with other headers around the same encoded parts.
    """
    data = text.encode("utf-8")
    if data.isascii() and "\r" not in text and max(map(len, text.split("\n"))) <= 998:
        return "7bit", data
    return "quoted-printable", binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def content_digest(notice: RenderedNotice, date: datetime) -> str:
    """Return the SHA-256 of everything the message says, which names it (Message-ID)."""
    h = hashlib.sha256()
    for part in (notice.sheet_id, notice.audience_id, notice.notice, notice.subject,
                 notice.sender[0], notice.sender[1], notice.reply_to or "",
                 date.isoformat(), notice.locale, notice.text, notice.html):
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def check_address(address: str, field: str, where: str) -> None:
    """Refuse an address that is not a plain ``local@domain`` on one line.

    Raises:
        RenderRefused: the address has control characters or is not an address.
    """
    check_header_value(address, field, where)
    name, addr = parseaddr(address)
    if name or addr != address or "@" not in addr or " " in addr:
        raise RenderRefused([Problem(where, 0, 0, field, f"{address!r} is not an email address",
                                     "write e.g. reviewer@example.com")])


#: Headers every notice carries: no automatic replies to it (see the module docstring).
AUTO_HEADERS = ("Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: OOF, AutoReply")
#: What a draft says about itself.
DRAFT_HEADERS = ("X-Notifier-Draft: yes; the sending system adds To and Date", "X-Unsent: 1")


def build_eml(notice: RenderedNotice, *, date: datetime, to: Sequence[str] = (),
              subject_prefix: str = "", message_id: str | None = None,
              draft: bool = False) -> bytes:
    """Return the notice as a MIME message: multipart/alternative, text/plain then text/html.

    Args:
        notice: the rendered notice (its sender, reply-to, subject, text and HTML).
        date: the Date header: the moment of sending. For a draft it is not written; it
            only feeds the content digest (see ``message_date``).
        to: recipients for the To header; the outbox leaves it out.
        subject_prefix: text put before the subject, e.g. ``"[TEST] "``.
        message_id: a Message-ID to use instead of the content-derived one.
        draft: write an outbox draft: no Date, marked ``X-Notifier-Draft`` and ``X-Unsent``.

    Raises:
        RenderRefused: a header value contains a line break or control character, or the
            sender or recipient is not an email address.
    """
    where = f"{notice.sheet_id}/{notice.audience_id}/{notice.notice}"
    name, sender = notice.sender
    subject = subject_prefix + notice.subject
    check_header_value(subject, "subject", where)
    check_header_value(name, "organisation.sender.name", where)
    check_address(sender, "organisation.sender.email", where)
    if notice.reply_to:
        check_address(notice.reply_to, "organisation.reply_to", where)
    for address in to:
        check_address(address, "to", where)
    digest = content_digest(notice, date)
    if message_id is None:
        message_id = f"<{digest[:40]}@{_domain(sender)}>"
    check_header_value(message_id, "message_id", where)
    boundary = f"=_{digest[40:64]}"
    headers = [] if draft else [_header("Date", format_datetime(date))]
    headers.append(_header("From", _address(name, sender), encoded=True))
    if notice.reply_to:
        headers.append(_header("Reply-To", notice.reply_to))
    if to:
        headers.append(_header("To", ", ".join(to)))
    headers += [
        _header("Subject", subject),
        _header("Message-ID", message_id),
        *AUTO_HEADERS,
        *(DRAFT_HEADERS if draft else ()),
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        _header("Content-Language", notice.locale),
    ]
    head = "\n".join(headers).encode("ascii")
    delimiter = f"\n--{boundary}\n".encode("ascii")
    parts = []
    for subtype, content in (("plain", notice.text), ("html", notice.html)):
        cte, body = _body(content)
        parts.append(f'Content-Type: text/{subtype}; charset="utf-8"\n'
                     f"Content-Transfer-Encoding: {cte}\n\n".encode("ascii") + body)
    # The line break before each delimiter belongs to the delimiter (RFC 2046 5.1.1), so each
    # part decodes to exactly its text, final newline included.
    return b"".join([
        head, b"\n\n", delimiter[1:], parts[0], delimiter, parts[1],
        f"\n--{boundary}--\n".encode("ascii"),
    ])
