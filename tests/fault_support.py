"""Helpers for the fault tests: big sheets, the outbox checked against its manifest, process trees."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from conftest import MINIMAL

SUMMARIES = ("Someone got into one of our systems without permission.",
             "Someone got into one of our booking systems without permission.")


def many_audiences(count: int, version: int = 0) -> str:
    """MINIMAL with ``count`` incident audiences; ``version`` 0 or 1 changes every notice."""
    head = MINIMAL.split("audiences:")[0].replace(SUMMARIES[0], SUMMARIES[version])
    return head + "audiences:\n" + "".join(
        f"  - id: group-{i:03d}\n    name: Group {i}\n    notice: incident\n" for i in range(count))


def disk_vs_manifest(folder: Path) -> tuple[set[str], set[str], list[str]]:
    """Return (files on disk but not listed, listed but not on disk, listed with other bytes)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = manifest["files"]
    disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and p.name != "manifest.json"}
    wrong = sorted(rel for rel in set(listed) & disk
                   if hashlib.sha256((folder / rel).read_bytes()).hexdigest() != listed[rel]["sha256"])
    return disk - set(listed), set(listed) - disk, wrong


def assert_whole(folder: Path) -> None:
    """Fail unless the manifest lists exactly the files on disk, with their bytes."""
    unlisted, missing, wrong = disk_vs_manifest(folder)
    assert (unlisted, missing, wrong) == (set(), set(), []), (
        f"{folder}: {len(unlisted)} files not in the manifest, {len(missing)} listed but "
        f"missing, {len(wrong)} with other bytes: {sorted(unlisted)[:3]} {sorted(missing)[:3]} "
        f"{wrong[:3]}")


def leftovers(outbox: Path) -> list[str]:
    """Return temporary files and staging folders anywhere in the outbox."""
    return sorted(str(p.relative_to(outbox)) for p in outbox.rglob("*")
                  if p.name.startswith(".") and p.name.endswith(".tmp"))


def descendants(pid: int) -> set[int]:
    """Return every process below ``pid`` (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """Return the pids still running (a zombie has ended; it only waits to be reaped)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            running.add(pid)
    return running


def wait_until_gone(pids: set[int], timeout: float = 10.0) -> set[int]:
    """Wait for ``pids`` to end; return those still running after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


def notifier_command(*args: str) -> list[str]:
    """The command line of the CLI in a fresh interpreter."""
    return [sys.executable, "-m", "notifier", *args]


def child_env() -> dict[str, str]:
    """The environment for CLI subprocesses: no progress bar, no debug."""
    env = dict(os.environ)
    env.pop("NOTIFIER_DEBUG", None)
    env.pop("NOTIFIER_JOBS", None)
    return env
