"""The CLI's own habits: --debug is a flag, shell completion as typer offers it, the README's exit codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL, ROOT

from notifier import cli, commands
from notifier.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_help_shows_debug_as_a_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    [line] = [line for line in out.splitlines() if "--debug" in line]
    assert re.fullmatch(r"\s+--debug\s+Show tracebacks of internal errors\.", line), line
    assert "<bool>" not in out


def test_no_flag_of_render_shows_a_value(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["render", "--help"], capsys)
    assert code == 0
    for flag in ("--json", "--force", "--allow-errors", "--quiet"):
        [line] = [line for line in out.splitlines() if flag in line.split()]
        assert "<" not in line, line


def test_debug_takes_no_value(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                              sheet_file: Callable[..., Path]) -> None:
    monkeypatch.setattr(cli, "_debug", False)
    code, out, err = run(["--debug", "validate", str(sheet_file(MINIMAL))], capsys)
    assert code == 0, err
    assert cli._debug is True
    code, _, err = run(["--debug", "true", "validate", "x.yaml"], capsys)
    assert code == 2 and "No such command 'true'" in err


def test_shell_completion_is_offered(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert "--install-completion" in out and "--show-completion" in out
    code, out, _ = run(["--show-completion", "bash"], capsys)
    assert code == 0
    assert "_NOTIFIER_COMPLETE=complete_bash" in out


# -- the README's exit codes ------------------------------------------------------------------

def readme_exit_codes() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"Exit codes: (.*?)\n\n", text, re.S)
    assert line, "the README no longer lists the exit codes"
    found = dict(re.findall(r"(\d+) ([^,]+(?:\([^)]*\))?)", line.group(1)))
    return {int(code): meaning.strip() for code, meaning in found.items()}


def test_the_readme_lists_the_exit_codes_the_cli_uses() -> None:
    from notifier.errors import ExitCode

    listed = readme_exit_codes()
    assert set(listed) == {ExitCode.OK, ExitCode.FINDINGS, ExitCode.CANNOT, ExitCode.INTERNAL}


def test_exit_0_ok(sheet_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(sheet_file(MINIMAL))], capsys)[0] == 0


def test_exit_1_findings_from_check(sheet_file: Callable[..., Path],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    # resolved, but nothing done: a consistency error (not a deadline, whose exit code the
    # deadlines work decides)
    path = sheet_file(MINIMAL.replace("status: contained", "status: resolved"))
    code, _, _ = run(["check", str(path), "--now", "2025-04-22T10:00:00+01:00", "--json"], capsys)
    assert code == 1


@pytest.mark.parametrize("kind", ["invalid sheet", "refused notice"])
def test_exit_2_could_not_do_it(kind: str, tmp_path: Path, sheet_file: Callable[..., Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    if kind == "invalid sheet":
        argv = ["validate", str(sheet_file(MINIMAL.replace("status: contained", "status: fixed")))]
    else:
        text = MINIMAL.replace("notice: incident", "notice: password_reset")
        argv = ["render", str(sheet_file(text)), "--outbox", str(tmp_path / "o"), "-q"]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "Traceback" not in err


def test_exit_70_an_internal_error_in_one_line_and_a_traceback_with_debug(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def bug(paths: list[Path]) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(commands, "validate", bug)
    monkeypatch.setattr(cli, "_debug", False)
    code, out, err = run(["validate", "x.yaml"], capsys)
    assert (code, out) == (70, "")
    assert err == ("internal error: ZeroDivisionError: division by zero; rerun with --debug for "
                   "details\n")
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "validate", "x.yaml"])
