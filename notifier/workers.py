"""Worker processes for rendering: started safely, dying with their parent, stopped at once.

A worker must never outlive the render that started it: on Linux the kernel kills it when
its parent dies (``prctl(PR_SET_PDEATHSIG)``), even by ``kill -9``; elsewhere it watches
its parent's pid. Ctrl-C and SIGTERM are the parent's: they are held back while workers
are forked, and the parent ends the workers itself instead of waiting for queued work.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor


def start_method() -> str:
    """Return how ``start_pool`` would start workers now: ``fork`` when that is safe."""
    # fork: workers inherit the modules already imported (pydantic, jinja2, yaml) and the
    # sheets already loaded, and start in milliseconds. Forking is safe only while this is
    # the process's one thread (the pool launches every worker on the first submit, before
    # its own manager thread starts); a caller with threads (a server, say) gets forkserver
    # or spawn, slower but always safe.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def start_pool(workers: int, method: str | None = None) -> ProcessPoolExecutor:
    """Return a process pool whose workers die with this process and leave Ctrl-C to it.

    ``method`` is ``start_method()``'s answer, asked by the caller before it relied on it.
    """
    method = method or start_method()
    # A forked worker's parent is this process; a forkserver's or spawned worker's parent
    # is not known here, so it watches whichever parent it starts with.
    parent = os.getpid() if method == "fork" else 0
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=die_with_parent, initargs=(parent,))


#: prctl(2) option: the signal a process gets when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this worker end with its parent, even when the parent is killed with SIGKILL.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
    elsewhere a daemon thread polls the parent's pid. Ctrl-C is left to the parent, which
    stops the workers itself: a worker interrupted mid-task would print a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited by fork
    if hasattr(signal, "pthread_sigmask"):  # forked while the parent held them back
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    expected = parent or os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:
        threading.Thread(target=_watch_parent, args=(expected,), daemon=True).start()
    if os.getppid() != expected:  # the parent died before the signal was armed
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM while the pool forks its workers.

    A Ctrl-C between a worker's fork and its registration would leave a worker nobody
    stops, and the exit would wait for it forever. Held signals arrive right after.
    """
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def stop(pool: ProcessPoolExecutor, timeout: float = 5.0) -> None:
    """Cancel what has not started and end the workers now; return once they are gone.

    Workers write into the sheets' staging copies: the caller removes those next, and no
    worker may still be writing into one then.
    """
    # ProcessPoolExecutor has no public way to end running workers; taken before shutdown(),
    # which forgets them.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(timeout)
