"""Per-recipient messages from a variant's pre-encoded pieces, at the speed of a bytes join.

Each variant is encoded once: headers, the MIME frame and every literal piece of its text
and HTML parts, already quoted-printable. A recipient's message is then their To and
Message-ID header lines, and their values encoded alone, joined between those pieces.

Why this is exact: quoted-printable lets a line break anywhere with a soft break (``=`` at
the end of a line), which decodes to nothing. Each piece is encoded on its own and ends
with a soft break (or its own line break), so the decoded part is exactly the pieces and
the values in order. The HTML part gets each value HTML-escaped; the plain-text part gets
it as it is, and a text line that a value makes longer than 78 columns is wrapped as
``render`` wraps. No line of the encoded message starts with ``From `` (``=46rom``), so mbox
files need no quoting that a reader would have to undo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from email.utils import formataddr
from typing import TYPE_CHECKING

from markupsafe import escape

from notifier.eml import AUTO_HEADERS, _address, _header
from notifier.recipients import address_key
from notifier.render import TEXT_WIDTH, _wrap

if TYPE_CHECKING:
    from notifier.recipients import Recipient
    from notifier.variants import Piece, Variant


def _from_safe(data: bytes) -> bytes:
    """Encode a leading 'F' of 'From ' at each line start (every chunk starts a line)."""
    if data.startswith(b"From "):
        data = b"=46" + data[1:]
    return data.replace(b"\nFrom ", b"\n=46rom ") if b"\nFrom " in data else data


def qp(text: str) -> bytes:
    """Return ``text`` quoted-printable, ending at a line start (a soft break if need be)."""
    data = text.encode("utf-8")
    if not data:
        return b""
    enc = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    if not data.endswith(b"\n"):
        start = enc.rfind(b"\n") + 1
        last = enc[start:]
        if len(last) > 75:  # the soft break's '=' must fit in 76 columns too
            cut = 75
            while b"=" in last[cut - 2:cut]:  # never inside an =XX escape
                cut -= 1
            enc = enc[:start] + last[:cut] + b"=\n" + last[cut:]
        enc += b"=\n"
    return _from_safe(enc)


#: A compiled part: encoded literal bytes, or a (kind, index) slot for a recipient's value.
Slot = bytes | tuple[str, int]


@dataclass
class _TextLine:
    """A plain-text line with values in it: filled, wrapped and encoded per recipient."""

    pieces: list[Piece]


@dataclass
class Compiled:
    """A variant as bytes: the frame, and its parts' pieces, ready for a recipient's values."""

    variant: Variant
    head_from: bytes  # From and Reply-To
    head_rest: bytes  # Subject ... Content-Language, the blank line and the text part's head
    between: bytes  # the boundary and the HTML part's head
    tail: bytes
    text: list[bytes | _TextLine]
    html: list[Slot]
    domain: str


def compile_variant(variant: Variant) -> Compiled:
    """Encode everything a variant's recipients share, once."""
    notice = variant.notice
    name, sender = notice.sender
    head_from = [_header("From", _address(name, sender), encoded=True)]
    if notice.reply_to:
        head_from.append(_header("Reply-To", notice.reply_to))
    boundary = f"=_{variant.digest[:24]}"  # '=_' cannot occur in quoted-printable
    rest = [_header("Subject", notice.subject), *AUTO_HEADERS, "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            _header("Content-Language", notice.locale)]
    part = 'Content-Type: text/{}; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    head_rest = ("\n".join(rest) + f"\n\n--{boundary}\n" + part.format("plain")).encode("ascii")
    between = (f"\n--{boundary}\n" + part.format("html")).encode("ascii")
    tail = f"\n--{boundary}--\n".encode("ascii")
    return Compiled(variant, ("\n".join(head_from) + "\n").encode("ascii"), head_rest, between,
                    tail, _compile_text(variant.text), _compile_html(variant.html),
                    sender.rpartition("@")[2].lower())


def _lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Regroup a part's pieces into lines (each ending with its '\\n', the last maybe not)."""
    lines: list[list[Piece]] = [[]]
    for piece in pieces:
        if not isinstance(piece, str):
            lines[-1].append(piece)
            continue
        for i, chunk in enumerate(piece.split("\n")):
            if i:
                lines[-1].append("\n")
                lines.append([])
            if chunk:
                lines[-1].append(chunk)
    return lines


def _compile_text(pieces: list[Piece]) -> list[bytes | _TextLine]:
    """Group the text into literal runs of whole lines and the lines that hold values."""
    out: list[bytes | _TextLine] = []
    literal: list[str] = []
    for line in _lines(pieces):
        if all(isinstance(p, str) for p in line):
            literal.extend(p for p in line if isinstance(p, str))
            continue
        if literal:
            out.append(qp("".join(literal)))
            literal = []
        out.append(_TextLine(line))
    if literal:
        out.append(qp("".join(literal)))
    return out


def _compile_html(pieces: list[Piece]) -> list[Slot]:
    return [qp(p) if isinstance(p, str) else p for p in pieces if p != ""]


def to_address(name: str, email: str) -> str:
    """Return a recipient's address for the To header, the name exactly as the list gives it.

    A name that is not plain ASCII becomes one RFC 2047 encoded word, however long: split
    into several, its spaces would not decode the same in every reader (Python's parser
    keeps the folding space between encoded words in a display name; RFC 2047 drops it).
    """
    if not name:
        return email
    if name.isascii() and "=?" not in name:
        return formataddr((name, email))
    word = base64.b64encode(name.encode("utf-8")).decode("ascii")
    return f"=?utf-8?b?{word}?= <{email}>"


def values_of(recipient: Recipient) -> dict[tuple[str, int], str]:
    """Return a recipient's values by slot."""
    found = {("name", 0): recipient.name, ("code", 0): recipient.activation_code}
    for i, value in enumerate(recipient.fields):
        found[("field", i)] = value
    return found


def message_id(compiled: Compiled, recipient: Recipient) -> str:
    """Return the recipient's Message-ID: the same for the same notice and address, on every
    run and machine; a new one when the notice's content changes (a new revision)."""
    digest = hashlib.sha256(f"{compiled.variant.digest}\0{address_key(recipient.email)}"
                            .encode()).hexdigest()
    return f"<{digest[:40]}@{compiled.domain}>"


def merge(compiled: Compiled, recipient: Recipient) -> bytes:
    """Return the recipient's whole message (LF line ends, 7-bit clean)."""
    return b"".join(merge_parts(compiled, recipient))


def merge_parts(compiled: Compiled, recipient: Recipient) -> list[bytes]:
    """Return the recipient's message as its pieces, in order: the shared ones are the
    variant's own bytes objects, so a writer can hand them to the kernel without a copy."""
    values = values_of(recipient)
    to = "To: " + to_address(recipient.name, recipient.email)
    if len(to) > 78 and " <" in to:  # fold before the address (RFC 5322)
        name_part, _, address = to.rpartition(" <")
        to = f"{name_part}\n <{address}"
    # the Message-ID is short ASCII: no folding or encoding to decide
    out = [compiled.head_from,
           f"{to}\nMessage-ID: {message_id(compiled, recipient)}\n".encode("ascii"),
           compiled.head_rest]
    for item in compiled.text:
        if isinstance(item, bytes):
            out.append(item)
        else:
            line = "".join(p if isinstance(p, str) else values[p] for p in item.pieces)
            if len(line) > TEXT_WIDTH + 1:
                line = _wrap(line)
            out.append(qp(line))
    out.append(compiled.between)
    escaped: dict[tuple[str, int], bytes] = {}
    for slot in compiled.html:
        if isinstance(slot, bytes):
            out.append(slot)
        else:
            found = escaped.get(slot)
            if found is None:
                found = escaped[slot] = qp(str(escape(values[slot])))
            out.append(found)
    out.append(compiled.tail)
    return out
