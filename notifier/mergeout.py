"""Where merged messages go: an mbox file, a maildir, a folder of .eml files, or an export.

Every sink writes into a staging path (``OUT.part``) that ``merge`` renames to ``OUT`` when
the run is complete, and reports its state at each checkpoint (the mbox's length, each
export file's length) so that a run killed at any moment resumes from the last checkpoint:
what was written after it is cut off or written again under the same name, never twice.
Files are readable by their owner only (0600, folders 0700): they hold recipient data.
"""

from __future__ import annotations

import os
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


class MboxSink:
    """One mbox file (mboxo, readable by Python's ``mailbox.mbox``); no line needs quoting."""

    def __init__(self, part: Path, date: str) -> None:
        self.part = part
        self.date = date  # asctime of the moment the drafts are named from (eml.message_date)
        self._envelopes: dict[int, bytes] = {}
        self._file: Any = None

    def open(self, state: dict[str, Any] | None) -> None:
        if state is None:
            self._file = open_private(self.part)
            return
        with open(self.part, "r+b") as f:
            f.truncate(int(state["offset"]))
        self._file = open_private(self.part, append=True)

    def add(self, compiled: Compiled, recipient: Recipient) -> None:
        from notifier.mailmerge import merge

        envelope = self._envelopes.get(id(compiled))
        if envelope is None:  # 'From sender date', the line that starts each message
            sender = compiled.variant.notice.sender[1]
            envelope = self._envelopes[id(compiled)] = f"From {sender} {self.date}\n".encode()
        self._file.write(envelope + merge(compiled, recipient) + b"\n")

    def checkpoint(self) -> dict[str, Any]:
        self._file.flush()
        return {"offset": self._file.tell()}

    def finish(self, compiled: list[Compiled]) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


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
