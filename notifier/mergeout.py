"""Where merged messages go: an mbox file, a maildir, a folder of .eml files, or an export.

Every sink writes into a staging path (``OUT.part``) that ``merge`` renames to ``OUT`` when
the run is complete, and reports its state at each checkpoint (the mbox's length, each
export file's length) so that a run killed at any moment resumes from the last checkpoint:
what was written after it is cut off or written again under the same name, never twice.
Files are readable by their owner only (0600, folders 0700): they hold recipient data.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from notifier.mailmerge import Compiled
    from notifier.recipients import Recipient

FILE_MODE, DIR_MODE = 0o600, 0o700


def make_dir(path: Path) -> None:
    """Create a folder (and its parents) readable by its owner only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)


def open_private(path: Path, *, append: bool = False) -> Any:
    """Open a file for binary writing, created with mode 0600 whatever the umask."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, "ab" if append else "wb")


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file atomically (temp file beside it, then rename), mode 0600."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open_private(tmp) as f:
        f.write(data)
    os.replace(tmp, path)


def _writev(fd: int, parts: list[bytes]) -> None:
    """Write the pieces in order with as few system calls and copies as may be (writev)."""
    while parts:
        batch = parts[:1000]  # IOV_MAX is 1024 on Linux
        written = os.writev(fd, batch)
        total = sum(map(len, batch))
        if written < total:  # a short write: the rest, joined
            rest = b"".join(batch)[written:]
            while rest:
                rest = rest[os.write(fd, rest):]
        parts = parts[1000:]


class Sink(Protocol):
    """What ``merge`` writes through."""

    def open(self, state: dict[str, Any] | None) -> None:
        """Start, or resume from a checkpoint's state (cutting off what came after it)."""

    def add(self, compiled: Compiled, recipient: Recipient) -> None:
        """Write one recipient's message (or export entry)."""

    def checkpoint(self) -> dict[str, Any]:
        """Make everything added so far durable in the staging path; return the state."""

    def finish(self, compiled: list[Compiled]) -> None:
        """Complete the staging path (templates, manifests) and close it."""

    def close(self) -> None:
        """Release what is open, after finish or an error (idempotent)."""


class MboxSink:
    """One mbox file (mboxo, readable by Python's ``mailbox.mbox``); no line needs quoting.

    A thread writes while the main thread merges the next messages: a write of a megabyte
    releases the GIL, so merging and writing overlap on two cores.
    """

    #: Bytes gathered before they are handed to the writing thread (one writev).
    CHUNK = 1 << 20

    def __init__(self, part: Path, date: str) -> None:
        self.part = part
        self.date = date  # asctime of the moment the drafts are named from (eml.message_date)
        self._envelopes: dict[int, bytes] = {}
        self._file: Any = None
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._offset = 0
        self._queue: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=8)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def open(self, state: dict[str, Any] | None) -> None:
        if state is None:
            self._file = open_private(self.part)
        else:
            self._offset = int(state["offset"])
            with open(self.part, "r+b") as f:
                f.truncate(self._offset)
            self._file = open_private(self.part, append=True)
        self._thread = threading.Thread(target=self._write, name="mbox-writer", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        while True:
            parts = self._queue.get()
            try:
                if parts is None:
                    return
                if self._error is None:
                    _writev(self._file.fileno(), parts)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self._error = exc
            finally:
                self._queue.task_done()

    def add(self, compiled: Compiled, recipient: Recipient) -> None:
        from notifier.mailmerge import merge_parts

        envelope = self._envelopes.get(id(compiled))
        if envelope is None:  # 'From sender date', the line that starts each message
            sender = compiled.variant.notice.sender[1]
            envelope = self._envelopes[id(compiled)] = f"From {sender} {self.date}\n".encode()
        parts = merge_parts(compiled, recipient)
        self._pending.append(envelope)
        self._pending.extend(parts)
        self._pending.append(b"\n")
        self._pending_size += len(envelope) + 1 + sum(map(len, parts))
        if self._pending_size >= self.CHUNK or len(self._pending) > 900:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._pending:
            self._queue.put(self._pending)
            self._offset += self._pending_size
            self._pending, self._pending_size = [], 0
        if self._error is not None:
            raise self._error

    def checkpoint(self) -> dict[str, Any]:
        self._hand_over()
        self._queue.join()
        if self._error is not None:
            raise self._error
        self._file.flush()
        return {"offset": self._offset}

    def finish(self, compiled: list[Compiled]) -> None:
        self.checkpoint()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._file is not None:
            self._file.close()
            self._file = None


class FolderSink:
    """A maildir (``new/``), or a folder of ``.eml`` files in 256 subfolders; one file a
    message, named by its Message-ID, so a message written again replaces itself."""

    def __init__(self, part: Path, *, maildir: bool) -> None:
        self.part = part
        self.maildir = maildir

    def open(self, state: dict[str, Any] | None) -> None:
        make_dir(self.part)
        if self.maildir:
            for sub in ("tmp", "new", "cur"):
                make_dir(self.part / sub)

    def add(self, compiled: Compiled, recipient: Recipient) -> None:
        from notifier.mailmerge import merge, message_id

        name = message_id(compiled, recipient)[1:41]
        data = merge(compiled, recipient)
        if self.maildir:
            # maildir delivery: written in tmp/, then renamed into new/
            tmp = self.part / "tmp" / f"{name}.notifier"
            with open_private(tmp) as f:
                f.write(data)
            os.replace(tmp, self.part / "new" / f"{name}.notifier")
            return
        folder = self.part / name[:2]
        if not folder.is_dir():
            make_dir(folder)
        write_private(folder / f"{name}.eml", data)

    def checkpoint(self) -> dict[str, Any]:
        return {}

    def finish(self, compiled: list[Compiled]) -> None:
        return None

    def close(self) -> None:
        return None
