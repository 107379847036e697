"""Real processes killed at random moments, and two renders at once: the outbox stays whole.

kill -9 at ten moments spread over a 200-audience render: the sheet's folder always has a
manifest that lists exactly the files on disk, no worker outlives its parent, and the next
run clears the leftovers. Two renders of different audiences into one outbox, ten times:
nothing listed is lost. SIGTERM and Ctrl-C stop a render cleanly.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fault_support import (
    alive,
    assert_whole,
    child_env,
    descendants,
    leftovers,
    many_audiences,
    notifier_command,
    wait_until_gone,
)

AUDIENCES = 200


def render(sheet: Path, outbox: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(notifier_command("render", str(sheet), "--outbox", str(outbox), "-q",
                                             *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=child_env())


def wait_for_workers(proc: subprocess.Popen[str], timeout: float = 30.0) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        workers = alive(descendants(proc.pid))
        if len(workers) >= 2:
            return workers
        time.sleep(0.01)
    raise AssertionError("the render never started its worker processes")


@pytest.fixture
def sheets(tmp_path: Path) -> list[Path]:
    """Two versions of a 200-audience sheet; every notice differs between them."""
    paths = []
    for version in (0, 1):
        path = tmp_path / f"v{version}" / "sheet.yaml"
        path.parent.mkdir()
        path.write_text(many_audiences(AUDIENCES, version), encoding="utf-8")
        paths.append(path)
    return paths


def test_kill_9_at_random_moments_never_leaves_a_torn_outbox_or_orphans(
        tmp_path: Path, sheets: list[Path]) -> None:
    outbox = tmp_path / "out"
    folder = outbox / "acme-2025"
    started = time.monotonic()
    first = render(sheets[0], outbox, "--jobs", "2")
    wait_for_workers(first)
    workers_at = time.monotonic() - started  # imports and the first notice come before
    assert first.communicate(timeout=120)[1] == "" and first.returncode == 0
    full = time.monotonic() - started  # how long one whole run takes here
    seed = random.randrange(1 << 30)
    chance = random.Random(seed)
    had_workers = 0
    for run in range(10):
        # Ten moments spread from the imports to the end, each at a random point of its tenth.
        start = workers_at / 2
        moment = start + (full - start) * (run + chance.random()) / 10
        proc = render(sheets[(run + 1) % 2], outbox, "--jobs", "2", "--force")
        time.sleep(moment)
        workers = alive(descendants(proc.pid))
        had_workers += bool(workers)
        proc.kill()
        proc.communicate(timeout=30)
        assert wait_until_gone(workers) == set(), f"orphaned workers after run {run} (seed {seed})"
        assert_whole(folder)
        assert len(list(folder.glob("*/incident.html"))) == AUDIENCES, f"seed {seed}"
    assert had_workers >= 3, f"only {had_workers} kills hit a render in its workers (seed {seed})"
    # The next run clears what the killed ones left and finishes the job.
    last = render(sheets[0], outbox, "--jobs", "2")
    assert last.communicate(timeout=120)[1] == "" and last.returncode == 0
    assert leftovers(outbox) == []
    assert_whole(folder)
    texts = {p.read_text(encoding="utf-8").count("booking systems")
             for p in folder.glob("*/incident.txt")}
    assert texts == {0}  # every notice is of the last version


def test_workers_die_with_their_parent(tmp_path: Path, sheets: list[Path]) -> None:
    proc = render(sheets[0], tmp_path / "out", "--jobs", "2")
    workers = wait_for_workers(proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert wait_until_gone(workers, timeout=5) == set()


@pytest.mark.parametrize(("sig", "code", "message"), [
    (signal.SIGTERM, 143, "terminated; the outbox is as it was before this run, or complete\n"),
    (signal.SIGINT, 130, "interrupted\n")])
def test_sigterm_and_ctrl_c_stop_a_render_cleanly(
        tmp_path: Path, sheets: list[Path], sig: signal.Signals, code: int, message: str) -> None:
    outbox = tmp_path / "out"
    proc = render(sheets[0], outbox, "--jobs", "2")
    workers = wait_for_workers(proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 0:  # it had just finished: nothing to stop
        assert_whole(outbox / "acme-2025")
        return
    assert (proc.returncode, err) == (code, message)
    assert wait_until_gone(workers, timeout=5) == set()
    assert leftovers(outbox) == []  # the staging copy was removed on the way out
    assert not (outbox / "acme-2025").exists() or assert_whole(outbox / "acme-2025") is None


def test_two_renders_at_once_lose_nothing(tmp_path: Path) -> None:
    outbox = tmp_path / "out"
    folder = outbox / "acme-2025"
    groups = [f"group-{i:03d}" for i in range(12)]
    for run in range(10):
        sheet = tmp_path / f"sheet-{run}.yaml"
        sheet.write_text(many_audiences(12, run % 2), encoding="utf-8")
        first = render(sheet, outbox, "--jobs", "1", *[f"--audience={g}" for g in groups[:6]])
        second = render(sheet, outbox, "--jobs", "1", *[f"--audience={g}" for g in groups[6:]])
        for proc in (first, second):
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert err in ("", f"waiting for another notifier run to finish writing into {outbox} ...\n")
        assert_whole(folder)
        assert sorted(p.parent.name for p in folder.glob("*/incident.eml")) == groups, f"run {run}"
        assert {("booking systems" in p.read_text(encoding="utf-8"))
                for p in folder.glob("*/incident.txt")} == {run % 2 == 1}, f"run {run}"
