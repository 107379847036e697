"""`notifier merge` on the command line: one library call, exit 2 with every bad row, counts only."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from merge_support import HOTEL, many, write_csv

from notifier import commands
from notifier.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_passes_its_options_to_the_library(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with mock.patch.object(commands, "merge", autospec=True) as merge:
        merge.return_value.summary = {"written": 3, "rejected": 1, "rows": 4, "shard": "2/3"}
        merge.return_value.already_done = merge.return_value.resumed = False
        merge.return_value.refusals = []
        code, out, _ = run(["merge", "s.yaml", "--recipients", "l.csv", "--format", "ses", "--out",
                            "o", "--shard", "2/3", "--rejects", "r.csv"], capsys)
    assert code == 0
    merge.assert_called_once_with(Path("s.yaml"), recipients=Path("l.csv"), fmt="ses", out=Path("o"),
                                  shard="2/3", rejects=Path("r.csv"), templates=None,
                                  allow_errors=False)
    assert out.splitlines() == ["o: 3 written, 1 rejected, of 4 rows in shard 2/3; summary in "
                                "o.summary.json", "rejected rows and their problems: r.csv"]


def test_bad_rows_exit_2_with_every_problem_and_nothing_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = many(5)
    rows[1][0] = "not-an-address"
    rows[3][1] = "guests"
    path = write_csv(tmp_path / "list.csv", rows)
    out = tmp_path / "out.mbox"
    code, stdout, err = run(["merge", str(HOTEL), "--recipients", str(path), "--format", "mbox",
                             "--out", str(out)], capsys)
    assert code == 2 and stdout == ""
    lines = err.splitlines()
    assert [line.split(": ")[0] for line in lines[:2]] == [f"{path}:3:1", f"{path}:5:2"]
    assert lines[2].startswith(f"2 problems in {path}; nothing was written")
    assert "Traceback" not in err and "not-an-address" not in err
    assert list(tmp_path.iterdir()) == [path]


def test_a_finished_run_is_not_written_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "list.csv", many(4))
    argv = ["merge", str(HOTEL), "--recipients", str(path), "--format", "eml", "--out",
            str(tmp_path / "out")]
    assert run(argv, capsys)[0] == 0
    code, out, _ = run(argv, capsys)
    assert code == 0 and "already complete (4 written, 0 rejected); nothing to do" in out
