"""A fact sheet's bytes and text, read safely: regular files only, a byte limit, UTF-8.

A FIFO, a device (``/dev/zero``, ``/dev/urandom``) or a socket is refused before any read,
so that nothing hangs or fills memory; at most MAX_BYTES + 1 bytes are read whatever
``stat()`` says (a ``/proc`` file or a growing file reports less than it holds).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from notifier.errors import Problem, SheetError

#: Largest fact sheet accepted, in bytes. A real sheet is a few kilobytes.
MAX_BYTES = 1_000_000


def too_large(path: str, size: int, *, more: bool = False) -> SheetError:
    """Return the error for a file over MAX_BYTES (``more``: its size is not known)."""
    amount = f"more than {MAX_BYTES / 1_000_000:g} MB" if more else f"{size / 1_000_000:.1f} MB"
    return SheetError([Problem(
        path, 0, 0, "",
        f"the file is {amount}; a fact sheet may be at most {MAX_BYTES / 1_000_000:g} MB",
        "check that this is the right file; a fact sheet is a few kilobytes of YAML",
    )])


def decode(raw: bytes, path: str) -> str:
    """Return the text of a UTF-8 file (a UTF-8 byte-order mark is dropped).

    Raises:
        SheetError: UTF-16 or UTF-32 text, or bytes that are not UTF-8, placed at their line.
    """
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if raw.startswith(bom):
            raise SheetError([Problem(path, 1, 1, "", f"the file is saved as {name} text",
                                      "save it as UTF-8 from your editor")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[: exc.start].count(b"\n") + 1
        col = len(raw[start:exc.start].decode("utf-8", "replace")) + 1
        raise SheetError([Problem(
            path, line, col, "", f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} "
            "cannot start a character here)", "save it as UTF-8 from your editor",
        )]) from None


def read_limited(path: Path, name: str) -> bytes:
    """Return a regular file's bytes, refusing special files and files over MAX_BYTES.

    Raises:
        SheetError: a special file, or too large.
        OSError: the file cannot be opened or read (the caller words it).
    """
    # O_NONBLOCK: opening a FIFO with no writer must not wait; regular files ignore it.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise SheetError([Problem(
                name, 0, 0, "", f"this is {_special_kind(info.st_mode)}, not a fact sheet file",
                "name a .yaml file")])
        if info.st_size > MAX_BYTES:
            raise too_large(name, info.st_size)
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_BYTES:  # stat() said less (a file still growing, a /proc file)
            raise too_large(name, total, more=True)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
