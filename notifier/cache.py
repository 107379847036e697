"""A per-user cache of things slow to rebuild at start-up: compiled templates, parsed data files.

It works like Python's ``__pycache__``: each entry is checked against the text it was made
from, so the cache never changes a rendered byte, and deleting it costs only speed. A cold
``notifier render`` would spend most of its start-up compiling the templates (about 0.1 s),
parsing the hyphenation dictionary of the readability check (about 0.04 s), the Public
Suffix List of the link checks (0.04 s) and the legal reference (0.02 s); with the cache
each takes a few milliseconds, in every process (each worker of a batch too).

Where: ``$NOTIFIER_CACHE_DIR``, else ``$XDG_CACHE_HOME/notifier``, else
``~/.cache/notifier``. ``NOTIFIER_CACHE_DIR=off`` turns it off. A cache that cannot be
created, read or written is skipped, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2.bccache import FileSystemBytecodeCache

#: Values of NOTIFIER_CACHE_DIR that turn the cache off.
OFF = frozenset({"off", "0", "no", "false", "none"})


def cache_dir(*parts: str) -> Path | None:
    """Return (creating it, private to the user) a folder of the cache, or None if there is none."""
    configured = os.environ.get("NOTIFIER_CACHE_DIR")
    if configured is not None and configured.strip().lower() in OFF | {""}:
        return None
    try:
        if configured:
            root = Path(configured)
        else:
            xdg = os.environ.get("XDG_CACHE_HOME")
            # Path.home() raises when there is no HOME and no passwd entry (a container
            # running as an arbitrary uid): then there is no cache.
            root = Path(xdg) / "notifier" if xdg else Path.home() / ".cache" / "notifier"
        root.parent.mkdir(parents=True, exist_ok=True)
        folders = [root]
        for part in parts:
            folders.append(folders[-1] / part)
        for folder in folders:  # each level private: a writable one could be swapped
            folder.mkdir(mode=0o700, exist_ok=True)
            if not _private(folder):
                return None
    except (OSError, RuntimeError, KeyError):
        return None
    return folders[-1]


def _private(folder: Path) -> bool:
    """Whether only this user can write in ``folder``: compiled code is run from it."""
    info = folder.lstat()
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & 0o022


def python_tag() -> str:
    """Return e.g. 'py311': compiled code is only valid for the Python that made it."""
    return f"py{sys.version_info[0]}{sys.version_info[1]}"


@cache
def _template_cache_class() -> type[FileSystemBytecodeCache]:
    """The bytecode cache class, made when first needed (jinja2 is not imported before)."""
    from jinja2.bccache import Bucket, FileSystemBytecodeCache

    class TemplateCache(FileSystemBytecodeCache):
        """Jinja's file bytecode cache, made harmless: a damaged or unwritable entry is skipped.

        Jinja keys an entry by the template's name and file and stores the SHA-1 of its
        source beside the code: a changed template is compiled again. The folder must be
        specific to the Jinja version and to the environment's settings
        (``templating._fingerprint``), which change the compiled code but not the key.
        """

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a truncated or foreign file: compile instead
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass  # a full disk or a read-only home: the next run compiles again

    return TemplateCache


def template_cache(fingerprint: str) -> FileSystemBytecodeCache | None:
    """Return the template bytecode cache for environments with these settings, if any."""
    import jinja2

    folder = cache_dir("templates", f"jinja{jinja2.__version__}-{python_tag()}-{fingerprint}")
    return _template_cache_class()(str(folder), "%s.jinja") if folder is not None else None


def load_json(kind: str, source: bytes) -> Any:
    """Return the cached JSON derived from ``source`` under ``kind``, or None."""
    path = _entry(kind, source)
    if path is None:
        return None
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def store_json(kind: str, source: bytes, value: Any) -> None:
    """Keep ``value`` (made from ``source``) for ``load_json``; written whole or not at all."""
    path = _entry(kind, source)
    if path is None:
        return
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, separators=(",", ":"), ensure_ascii=False)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def load_pickle(kind: str, source: bytes) -> Any:
    """Return the cached value made from ``source`` under ``kind``, or None.

    For data that JSON would make slow to rebuild (sets, tuples, dates). The folder is
    private to the user (``cache_dir``), as the compiled templates run from it are; anything
    that does not load is ignored.
    """
    path = _entry(kind, source, ".pickle")
    if path is None:
        return None
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # noqa: S301 - our own file, in a folder only we can write
    except Exception:  # noqa: BLE001 - a damaged or foreign file: made again by the caller
        return None


def store_pickle(kind: str, source: bytes, value: Any) -> None:
    """Keep ``value`` (made from ``source``) for ``load_pickle``; written whole or not at all."""
    path = _entry(kind, source, ".pickle")
    if path is None:
        return
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _entry(kind: str, source: bytes, suffix: str = ".json") -> Path | None:
    folder = cache_dir(kind)
    if folder is None:
        return None
    return folder / f"{hashlib.sha256(source).hexdigest()}{suffix}"


#: How long a file must have stood unchanged before a look at it, for its stat to vouch for
#: its bytes: a write within the clock's granularity after the look could leave the same
#: mtime (git's "racily clean" entries). Linux stamps files at a tick of at most 10 ms.
RACY_NS = 100_000_000


class FileDigests:
    """The SHA-256 of the files of one folder, remembered by their ``stat``, as git's index
    remembers its files: a file whose size, mtime, ctime and inode are those recorded, and
    which had not changed for a while when they were recorded, is not read again.

    ``inputs.unchanged`` checks every file of an unchanged sheet against its manifest: 3,000
    files and 80 MB for 1,000 audiences, most of an unchanged run. Anything that changes a
    file changes its ctime, which no one can set back. Kept in the user cache, per folder;
    without a cache every file is read.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._source = str(folder.resolve()).encode()
        loaded = load_json("file-digests", self._source)
        self._known: dict[str, list[int | str]] = loaded if isinstance(loaded, dict) else {}
        self._changed = False

    def sha256(self, rel: str) -> str:
        """Return the SHA-256 of ``folder/rel``, reading it only when its stat is not known.

        Raises:
            OSError: the file cannot be read.
        """
        path = self.folder / rel
        info = os.stat(path)
        stamp = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        known = self._known.get(rel)
        # The bytes' change shows in mtime, unless it came within a tick of the look (hence
        # the margin); setting mtime back shows in ctime.
        if (isinstance(known, list) and len(known) == 6 and known[:4] == stamp
                and isinstance(known[4], int) and isinstance(known[5], str)
                and known[4] - info.st_mtime_ns > RACY_NS):
            return known[5]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.remember(rel, digest, info)
        return digest

    def remember(self, rel: str, digest: str, info: os.stat_result | None = None) -> None:
        """Record that ``rel`` holds bytes with this SHA-256 (as written or read just now)."""
        try:
            info = info or os.stat(self.folder / rel)
        except OSError:
            return
        self._known[rel] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino,
                            time.time_ns(), digest]
        self._changed = True

    def keep_only(self, rels: Iterable[str]) -> None:
        """Forget every file but these (the folder's files now)."""
        wanted = set(rels)
        gone = [rel for rel in self._known if rel not in wanted]
        for rel in gone:
            del self._known[rel]
        self._changed = self._changed or bool(gone)

    def save(self) -> None:
        """Keep what was learnt for the next run (skipped if the cache cannot be written)."""
        if self._changed:
            store_json("file-digests", self._source, self._known)
            self._changed = False
