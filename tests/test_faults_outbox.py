"""The outbox stays whole: read-only or full disks, files in the way, stale leftovers.

Each fault ends in one line and exit 2, and the sheet's folder is exactly as before the run,
its manifest listing exactly what is on disk. The process-level faults (kill -9, SIGTERM,
two runs at once) are in test_faults_processes.py.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from fault_support import assert_whole, leftovers, many_audiences

from notifier import outbox as outbox_module
from notifier import staging
from notifier.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def rendered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    """A sheet of 12 audiences rendered once (version 0); returns (sheet, its version 1, outbox)."""
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(many_audiences(12, 0), encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(many_audiences(12, 1), encoding="utf-8")
    outbox = tmp_path / "out"
    code, _, err = run(["render", str(sheet), "--outbox", str(outbox), "-q", "--jobs", "1"], capsys)
    assert code == 0, err
    return sheet, changed, outbox


def test_an_outbox_path_that_is_a_file_is_refused_and_the_file_kept(
        tmp_path: Path, sheet_file, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "outbox"
    target.write_bytes(b"my notes")
    code, out, err = run(["render", str(sheet_file(many_audiences(1))), "--outbox", str(target),
                          "-q"], capsys)
    assert (code, out) == (2, "")
    assert err == (f"{target}: is a file where the outbox needs a folder; name a folder with "
                   "--outbox, or move the file away\n")
    assert target.read_bytes() == b"my notes"


def test_an_audience_folder_that_is_a_file_is_named_and_nothing_is_lost(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, changed, outbox = rendered
    folder = outbox / "acme-2025"
    for name in ("incident.html", "incident.txt", "incident.eml"):
        (folder / "group-004" / name).unlink()
    (folder / "group-004").rmdir()
    (folder / "group-004").write_bytes(b"in the way")
    before = snapshot(folder)
    code, _, err = run(["render", str(changed), "--outbox", str(outbox), "-q", "--jobs", "1"], capsys)
    assert code == 2
    assert err == (f"{folder / 'group-004'}: is a file where the outbox needs a folder; move or "
                   "rename it, then render again (nothing in the outbox was changed)\n")
    assert snapshot(folder) == before
    assert leftovers(outbox) == []


@pytest.mark.parametrize(("code", "reason", "hint"), [
    (errno.ENOSPC, "the disk is full", "free some space and render again"),
    (errno.EROFS, "the file system is read-only",
     "render into a folder you can write to (--outbox), or remount it read-write"),
    (errno.EACCES, "permission denied",
     "render into a folder you may write to (--outbox), or fix its permissions"),
])
def test_a_write_failing_half_way_leaves_the_folder_as_it_was(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, code: int, reason: str, hint: str) -> None:
    _, changed, outbox = rendered
    folder = outbox / "acme-2025"
    before = snapshot(folder)
    real = outbox_module.write_staged
    calls: list[Path] = []

    def failing(path: Path, content: bytes) -> None:
        calls.append(path)
        if len(calls) == 7:  # two audiences written, the third fails
            raise OSError(code, os.strerror(code), str(path))
        real(path, content)

    monkeypatch.setattr(outbox_module, "write_staged", failing)
    exit_code, _, err = run(["render", str(changed), "--outbox", str(outbox), "-q", "--jobs", "1"],
                            capsys)
    assert exit_code == 2
    [line] = err.splitlines()
    failed = folder / calls[6].relative_to(calls[6].parents[1])  # from the staging copy
    assert line == (f"{folder}: cannot write {failed}: {reason}; {hint} (the folder was left as "
                    "it was before this run)")
    assert snapshot(folder) == before  # same bytes, same inodes: not one file touched
    assert_whole(folder)
    assert leftovers(outbox) == []


def test_a_read_only_outbox_is_refused_before_anything_is_written(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import filelock

    _, changed, outbox = rendered
    before = snapshot(outbox / "acme-2025")

    def read_only(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(outbox / staging.LOCK_FILE))

    # The tests run as root, for whom chmod changes nothing: the file system's answer is faked.
    monkeypatch.setattr(filelock.FileLock, "acquire", read_only)
    code, _, err = run(["render", str(changed), "--outbox", str(outbox), "-q"], capsys)
    assert code == 2
    assert err == (f"{outbox}: cannot write {outbox / staging.LOCK_FILE}: the file system is "
                   "read-only; render into a folder you can write to (--outbox), or remount it "
                   "read-write (the folder was left as it was before this run)\n")
    assert snapshot(outbox / "acme-2025") == before


def test_a_staging_copy_that_cannot_be_made_leaves_the_folder(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, changed, outbox = rendered
    before = snapshot(outbox / "acme-2025")

    def full(*args: object, **kwargs: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", str(outbox / ".acme-2025.x.tmp"))

    monkeypatch.setattr(staging.tempfile, "mkdtemp", full)
    code, _, err = run(["render", str(changed), "--outbox", str(outbox), "-q"], capsys)
    assert code == 2
    assert "cannot write" in err and "the disk is full; free some space and render again" in err
    assert snapshot(outbox / "acme-2025") == before


def test_the_next_run_removes_what_a_killed_run_left(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sheet, _, outbox = rendered
    stale_copy = outbox / ".acme-2025.k1ll3d.tmp"
    (stale_copy / "group-000").mkdir(parents=True)
    (stale_copy / "group-000" / "incident.html").write_bytes(b"half")
    stale_file = outbox / "acme-2025" / "group-001" / ".incident.html.abc123.tmp"
    stale_file.write_bytes(b"half a notice")
    code, _, err = run(["render", str(sheet), "--outbox", str(outbox), "-q"], capsys)
    assert code == 0, err
    assert leftovers(outbox) == []
    assert_whole(outbox / "acme-2025")


def test_an_old_version_set_aside_by_a_two_step_swap_is_put_back(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sheet, _, outbox = rendered
    folder = outbox / "acme-2025"
    folder.rename(outbox / f".acme-2025{staging.OLD_SUFFIX}")  # killed between the two renames
    code, out, err = run(["render", str(sheet), "--outbox", str(outbox), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["counts"]["skipped"] == 12  # found again, unchanged
    assert_whole(folder)
    assert leftovers(outbox) == []


def test_the_swap_works_without_renameat2(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, changed, outbox = rendered
    monkeypatch.setattr(staging, "_exchange", lambda first, second: False)
    code, _, err = run(["render", str(changed), "--outbox", str(outbox), "-q"], capsys)
    assert code == 0, err
    assert_whole(outbox / "acme-2025")
    assert leftovers(outbox) == []
    assert "booking systems" in (outbox / "acme-2025" / "group-000" / "incident.txt").read_text()


def test_the_manifest_drops_a_file_deleted_by_hand_and_keeps_one_edited(
        rendered: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sheet, _, outbox = rendered
    folder = outbox / "acme-2025"
    (folder / "group-002" / "incident.eml").unlink()
    (folder / "group-003" / "incident.txt").write_text("edited by hand", encoding="utf-8")
    code, _, err = run(["render", str(sheet), "--outbox", str(outbox), "-q",
                        "--audience", "group-000"], capsys)
    assert code == 0, err
    assert_whole(folder)  # repaired: it lists what is on disk
    assert (folder / "group-003" / "incident.txt").read_text() == "edited by hand"
    code, out, err = run(["render", str(sheet), "--outbox", str(outbox), "--json"], capsys)
    files = json.loads(out)["sheets"][0]["files"]
    assert files["group-002/incident.eml"] == "created"  # rendered again, no longer skipped
    assert files["group-003/incident.txt"] == "updated"
    assert_whole(folder)


def test_a_sheet_folder_that_is_a_link_is_updated_where_it_points(
        tmp_path: Path, sheet_file, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    real = tmp_path / "elsewhere" / "acme-2025"
    real.mkdir(parents=True)
    outbox = tmp_path / "out"
    outbox.mkdir()
    (outbox / "acme-2025").symlink_to(real)
    code, _, err = run(["render", str(sheet_file(many_audiences(2))), "--outbox", str(outbox),
                        "-q"], capsys)
    assert code == 0, err
    assert (outbox / "acme-2025").is_symlink()
    assert_whole(real)
    assert leftovers(tmp_path) == []


def test_write_outbox_alone_locks_and_swaps_too(tmp_path: Path) -> None:
    from helpers import sheet_with

    from notifier.render import render_sheet

    report = outbox_module.write_outbox(render_sheet(sheet_with()), tmp_path)
    assert report.folder == tmp_path / "acme-2025"
    assert (tmp_path / staging.LOCK_FILE).is_file()
    assert_whole(tmp_path / "acme-2025")
