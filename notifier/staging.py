"""A sheet's outbox folder changed as a whole: the outbox lock, a staging copy, one atomic swap.

``lock_outbox`` holds a ``filelock`` lock on ``outbox/.notifier.lock`` (a kernel ``flock``:
released by the kernel when the holder dies, even by ``kill -9``) and, once it holds it,
removes what a killed run left behind. ``SheetFolder`` builds the next version of
``outbox/<id>/`` in a hidden staging folder beside it and swaps it in with
``renameat2(RENAME_EXCHANGE)``, so that the folder is always the whole old version or the
whole new one. Every ``OSError`` becomes an ``OutboxError`` that says what happened and what
to do, in one line.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType

from notifier.errors import Problem, UsageError

#: The lock file in the outbox folder; it stays there (waiters share its inode).
LOCK_FILE = ".notifier.lock"
#: Staging copies are hidden folders ending in this; a leftover one is removed under the lock.
STAGING_SUFFIX = ".tmp"
#: The old version, when the swap had to be two renames (no RENAME_EXCHANGE).
OLD_SUFFIX = ".old.tmp"
#: How long a second run waits for the first to finish before it gives up, in seconds.
LOCK_WAIT = 600.0


class OutboxError(UsageError):
    """The outbox could not be written; what is already in it was left as it was."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))

    def __reduce__(self) -> tuple[type[OutboxError], tuple[Problem]]:  # type: ignore[override]
        return (type(self), (self.problem,))


_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space and render again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space and render again"),
    errno.EROFS: ("the file system is read-only", "render into a folder you can write to "
                  "(--outbox), or remount it read-write"),
    errno.EACCES: ("permission denied", "render into a folder you may write to (--outbox), or "
                   "fix its permissions"),
    errno.EPERM: ("permission denied", "render into a folder you may write to (--outbox), or "
                  "fix its permissions"),
    errno.EIO: ("the disk reported an input/output error", "check the disk, then render again"),
}


def failure(final: Path, staging: Path | None, exc: OSError) -> Problem:
    """Return one clear line for an error while writing ``final`` (via ``staging``)."""
    where = Path(exc.filename) if isinstance(exc.filename, str) else final
    if staging is not None:
        with contextlib.suppress(ValueError):  # name the file as the user knows it
            where = final / where.relative_to(staging)
    if where.name.startswith(".") and where.name.endswith(STAGING_SUFFIX):
        where = where.with_name(where.name[1:].rsplit(".", 2)[0])  # atomic_write's temp file
    blocker = _blocking_file(where, itself=exc.errno in (errno.EEXIST, errno.ENOTDIR))
    if blocker is not None:
        return Problem(str(blocker), 0, 0, "", "is a file where the outbox needs a folder",
                       "move or rename it, then render again (nothing in the outbox was "
                       "changed)")
    if exc.errno == errno.EISDIR and where.is_dir():
        return Problem(str(where), 0, 0, "", "is a folder where the outbox writes a file",
                       "move or rename it, then render again (nothing in the outbox was "
                       "changed)")
    reason, hint = _REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "render again"))
    return Problem(str(final), 0, 0, "", f"cannot write {where}: {reason}",
                   f"{hint} (the folder was left as it was before this run)")


def _blocking_file(path: Path, *, itself: bool = True) -> Path | None:
    """Return the file that stands where a folder above ``path`` (or ``path``) should be."""
    for parent in [*reversed(path.parents), *([path] if itself else [])]:
        if parent.exists() and not parent.is_dir():
            return parent
    return None


@contextlib.contextmanager
def lock_outbox(outbox: Path, *, wait: float = LOCK_WAIT,
                on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the outbox's lock: a second run waits here until the first is done.

    Args:
        outbox: the outbox folder (made if missing).
        wait: seconds to wait for another run before giving up.
        on_wait: called once if another run holds the lock, before waiting.

    Raises:
        OutboxError: the outbox is a file, or cannot be made or written.
        UsageError: another run held the lock for longer than ``wait``.
    """
    from filelock import FileLock, Timeout

    try:
        outbox.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutboxError(Problem(str(_blocking_file(outbox) or outbox), 0, 0, "",
                                  "is a file where the outbox needs a folder",
                                  "name a folder with --outbox, or move the file away")) from None
    except OSError as exc:
        raise OutboxError(failure(outbox, None, exc)) from None
    lock = FileLock(outbox / LOCK_FILE)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            lock.acquire(timeout=wait)
    except Timeout:
        raise UsageError(f"{outbox}: another notifier run has been writing here for more than "
                         f"{wait:.0f} s; wait for it to finish, or stop it") from None
    except OSError as exc:
        raise OutboxError(failure(outbox, None, exc)) from None
    try:
        recover(outbox)
        yield
    finally:
        lock.release()


def recover(outbox: Path) -> list[Path]:
    """Remove what a killed run left in the outbox; call with the lock held.

    A staging copy is discarded (its run never swapped it in). An old version set aside by
    a two-rename swap goes back in place if the new one never arrived. Returns what was
    removed or put back.
    """
    done = []
    for entry in sorted(outbox.iterdir()):
        name = entry.name
        if not (name.startswith(".") and name.endswith(STAGING_SUFFIX)) or entry.is_symlink():
            continue
        if name.endswith(OLD_SUFFIX):
            final = outbox / name[1:-len(OLD_SUFFIX)]
            if not final.exists():
                entry.rename(final)
                done.append(final)
                continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        done.append(entry)
    return done


class SheetFolder:
    """``outbox/<id>/`` as a whole: ``open()`` a staging copy, write into it, ``commit()``.

    Leaving the ``with`` block without a commit discards the copy: the folder stays as it was.
    """

    def __init__(self, outbox: Path, sheet_id: str) -> None:
        final = outbox / sheet_id
        # A sheet folder that is a link to a folder elsewhere: stage beside the real one.
        self.final = Path(os.path.realpath(final)) if final.is_symlink() else final
        self.name = final
        self.staging: Path | None = None
        self._syncer: _Syncer | None = None

    def written(self, paths: Iterable[Path]) -> None:
        """Start making files written into the copy durable (``fsync``), on a few threads,
        while the rest is still being written: ``commit`` then waits only for the last ones.

        Only for a process with no worker processes left to fork (threads start here).
        """
        if self._syncer is None:
            self._syncer = _Syncer()
        for path in paths:
            self._syncer.add(path)

    def open(self) -> Path:
        """Make the staging copy (hard links of the current files) and return its path.

        Raises:
            OutboxError: the folder is a file, or the copy cannot be made.
        """
        if self.final.exists() and not self.final.is_dir():
            raise OutboxError(Problem(str(self.name), 0, 0, "", "is a file where the outbox "
                                      "needs the sheet's folder", "move or rename it, then "
                                      "render again (nothing in the outbox was changed)"))
        try:
            self.staging = Path(tempfile.mkdtemp(dir=self.final.parent,
                                                 prefix=f".{self.final.name}.",
                                                 suffix=STAGING_SUFFIX))
            mode = (stat.S_IMODE(self.final.stat().st_mode) if self.final.is_dir()
                    else 0o777 & ~_umask())
            os.chmod(self.staging, mode)  # mkdtemp makes it private; the outbox is shared
            if self.final.is_dir():
                _link_tree(self.final, self.staging)
        except OSError as exc:
            self.discard()
            raise OutboxError(failure(self.name, self.staging, exc)) from None
        return self.staging

    def commit(self) -> None:
        """Swap the staging copy in, atomically, and remove the old version.

        Raises:
            OutboxError: the swap failed; the folder is then as it was.
        """
        assert self.staging is not None, "open() first"
        staging, self.staging = self.staging, None
        syncer, self._syncer = self._syncer, None
        try:
            if syncer is not None:
                syncer.wait()  # the files this run wrote, and their folders
            else:
                _sync_files(staging)  # files written without telling us: all of them
            _fsync_dir(staging)
            if not self.final.exists():
                os.rename(staging, self.final)
            elif _exchange(staging, self.final):
                pass  # the old version is now at the staging path
            else:
                old = self.final.parent / f".{self.final.name}{OLD_SUFFIX}"
                os.rename(self.final, old)
                os.rename(staging, self.final)
                os.rename(old, staging)
            _fsync_dir(self.final.parent)
        except OSError as exc:
            self.staging = staging
            self.discard()
            raise OutboxError(failure(self.name, staging, exc)) from None
        shutil.rmtree(staging, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staging copy, if any: the folder stays as it was."""
        syncer, self._syncer = self._syncer, None
        if syncer is not None:
            syncer.close()
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def __enter__(self) -> SheetFolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.discard()


def remove_leftovers(folder: Path) -> None:
    """Remove the temporary files a killed writer left in a sheet's folder (``.name.x.tmp``),
    which a staging copy would not have carried over; call with the lock held."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for name in files:
            if name.startswith(".") and name.endswith(STAGING_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(root, name))


def _umask() -> int:
    from notifier.outbox import _UMASK

    return _UMASK


def _link_tree(source: Path, target: Path) -> None:
    """Copy a folder as hard links (a copy where links are impossible), symlinks as symlinks.

    Temporary files a killed writer left (``.name.xxxx.tmp``) are not carried over.
    """
    for root, dirs, files in os.walk(source):
        here = Path(root)
        there = target / here.relative_to(source)
        for name in dirs:
            src = here / name
            if src.is_symlink():
                os.symlink(os.readlink(src), there / name)
                continue
            (there / name).mkdir()
            os.chmod(there / name, stat.S_IMODE(src.stat().st_mode))
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
        for name in files:
            src = here / name
            if name.startswith(".") and name.endswith(STAGING_SUFFIX):
                continue
            if src.is_symlink():
                os.symlink(os.readlink(src), there / name)
                continue
            try:
                os.link(src, there / name, follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                shutil.copy2(src, there / name)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2`` with RENAME_EXCHANGE).

    Returns False where the call does not exist or the file system does not support it.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


class _Syncer:
    """fsyncs files (and, once each, their folders) on a few threads; ``wait`` for all."""

    THREADS = 4  # fsync waits on the disk, not the CPU

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=self.THREADS,
                                        thread_name_prefix="notifier-fsync")
        self._pending: list[Future[None]] = []
        self._folders: set[Path] = set()

    def add(self, path: Path) -> None:
        """Make ``path`` durable, and its folder's entry for it."""
        self._pending.append(self._pool.submit(_fsync_file, path))
        if path.parent not in self._folders:
            self._folders.add(path.parent)
            self._pending.append(self._pool.submit(_fsync_dir, path.parent))

    def wait(self) -> None:
        """Return once every file added is on disk.

        Raises:
            OSError: the disk could not take one (EIO, ENOSPC): the copy must not be used.
        """
        try:
            for future in self._pending:
                future.result()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the threads (what has not started is dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        exc.filename = exc.filename or str(path)
        raise
    finally:
        os.close(fd)


def _sync_files(folder: Path) -> None:
    """Make the files written into a staging copy durable before the swap publishes them.

    The files are written without an fsync each (``outbox.write_staged``):
    one ``syncfs(2)`` of their file system waits for all of them at once (Linux); elsewhere
    ``sync(2)`` does the same for every file system.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = getattr(libc, "syncfs", None)
        if syncfs is not None:
            fd = os.open(folder, os.O_RDONLY)
            try:
                if syncfs(fd) != 0:  # the disk could not take the files (EIO, ENOSPC)
                    code = ctypes.get_errno()
                    raise OSError(code, os.strerror(code), str(folder))
                return
            finally:
                os.close(fd)
    if hasattr(os, "sync"):
        os.sync()


def _fsync_dir(folder: Path) -> None:
    """Make a folder's entries durable (a rename is only as durable as its folder)."""
    with contextlib.suppress(OSError):  # some file systems cannot open a folder for this
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
