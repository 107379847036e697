"""kill -9 in the middle of a merge, then run it again: real processes, no duplicate, no loss.

The resumed output must be byte for byte the output of a run that was never interrupted:
the same messages, each once, in the same order (or the same request lines for an export).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fault_support import child_env, notifier_command
from merge_support import HOTEL, many, parse, read_mbox, write_csv

from notifier.mergerun import merge_recipients
from notifier.sheet import load_sheet

EVERY = 100  # rows between checkpoints, small so that the list (and the test) can be
ROWS = 15 * EVERY


@pytest.fixture(autouse=True)
def _small_checkpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFIER_MERGE_CHECKPOINT", str(EVERY))


def _kill_after_checkpoints(command: list[str], journal: Path, checkpoints: int) -> None:
    """Start the CLI and kill -9 it once the journal has ``checkpoints`` checkpoint lines."""
    process = subprocess.Popen(command, env=child_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the merge ended before it could be killed: {process.stderr.read()!r}")
            try:
                lines = journal.read_bytes().count(b"\n")
            except FileNotFoundError:
                lines = 0
            if lines >= checkpoints + 1:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
        else:
            pytest.fail("the journal never reached the checkpoint")
    finally:
        process.wait(30)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def _resume(command: list[str]) -> str:
    done = subprocess.run(command, env=child_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("fmt", ["mbox", "sendgrid"])
def test_killed_merge_resumes_without_duplicate_or_loss(tmp_path: Path, fmt: str) -> None:
    rows = many(ROWS)
    rows[5][1] = "nobody"  # one bad row, into the rejects file, which resumes too
    path = write_csv(tmp_path / "list.csv", rows)
    reference = tmp_path / f"reference.{fmt}"
    merge_recipients(load_sheet(HOTEL), path, fmt=fmt, out=reference, rejects=tmp_path / "ref.csv")
    out = tmp_path / f"out.{fmt}"
    command = notifier_command("merge", str(HOTEL), "--recipients", str(path), "--format", fmt,
                               "--out", str(out), "--rejects", str(tmp_path / "rejects.csv"))
    journal = out.with_name(out.name + ".journal")
    _kill_after_checkpoints(command, journal, 2)
    assert not out.exists() and out.with_name(out.name + ".part").exists()
    _kill_after_checkpoints(command, journal, 5)  # resumed, and killed again
    assert "(resumed)" in _resume(command)
    assert not journal.exists()
    if fmt == "mbox":
        assert out.read_bytes() == reference.read_bytes()
        ids = [parse(m)["Message-ID"] for m in read_mbox(out)]
        assert len(ids) == len(set(ids)) == ROWS - 1
    else:
        for file in (reference / "requests").glob("*.jsonl"):
            assert (out / "requests" / file.name).read_bytes() == file.read_bytes()
        sent = [p["to"][0]["email"] for f in (out / "requests").glob("*.jsonl")
                for line in f.read_text(encoding="utf-8").splitlines()
                for p in json.loads(line)["personalizations"]]
        assert len(sent) == len(set(sent)) == ROWS - 1
    assert (tmp_path / "rejects.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    summary = json.loads(out.with_name(out.name + ".summary.json").read_text(encoding="utf-8"))
    reference_summary = json.loads(reference.with_name(reference.name + ".summary.json")
                                   .read_text(encoding="utf-8"))
    assert summary == reference_summary
    assert (summary["written"], summary["rejected"]) == (ROWS - 1, 1)


def test_what_a_run_left_before_its_first_checkpoint_is_not_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", many(5))
    part = tmp_path / "out.part"
    (part / "new").mkdir(parents=True)
    (part / "new" / "stranger.notifier").write_bytes(b"From: someone@example.com\n\nnot ours\n")
    merge_recipients(load_sheet(HOTEL), path, fmt="maildir", out=tmp_path / "out")
    assert not (tmp_path / "out" / "new" / "stranger.notifier").exists()
    assert len(list((tmp_path / "out" / "new").iterdir())) == 5


def test_an_unfinished_run_of_other_inputs_is_refused(tmp_path: Path) -> None:
    from notifier.errors import UsageError

    out = tmp_path / "out.mbox"
    (tmp_path / "out.mbox.part").write_bytes(b"half a run")
    (tmp_path / "out.mbox.journal").write_text('{"run": "another"}\n{"done": 1}\n', encoding="utf-8")
    with pytest.raises(UsageError, match="holds an unfinished merge of other inputs"):
        merge_recipients(load_sheet(HOTEL), write_csv(tmp_path / "list.csv", many(3)), fmt="mbox",
                         out=out)
    assert (tmp_path / "out.mbox.part").read_bytes() == b"half a run"
