"""Writing the outbox: layout, manifest, determinism, atomicity, refusals."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from helpers import edited_yaml, sheet_with

from notifier import commands
from notifier.cli import main
from notifier.outbox import atomic_write, write_outbox
from notifier.render import render_sheet


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_render_writes_html_text_and_manifest(tmp_path: Path) -> None:
    sheet = sheet_with()
    report = write_outbox(render_sheet(sheet), tmp_path)
    folder = tmp_path / "acme-2025"
    assert report.folder == folder
    html = folder / "customers" / "incident.html"
    text = folder / "customers" / "incident.txt"
    assert html.read_text().startswith("<!doctype html>")
    assert text.read_text().startswith("A security incident involving your information\n")
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["files"]["customers/incident.html"]
    assert entry["sha256"] == hashlib.sha256(html.read_bytes()).hexdigest()
    assert entry["audience"] == "customers" and entry["notice"] == "incident"
    assert entry["template"] == "incident.mjml.j2"
    assert entry["subject"].startswith("Security incident at Acme Ltd")
    assert entry["preheader"]
    assert manifest["files"]["customers/incident.txt"]["template"] == "incident.txt.j2"


def test_second_run_is_byte_identical_and_leaves_files_alone(tmp_path: Path) -> None:
    write_outbox(render_sheet(sheet_with()), tmp_path)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    report = write_outbox(render_sheet(sheet_with()), tmp_path)
    assert set(report.status.values()) == {"identical"}
    for p in files:
        if p.name != "manifest.json":
            assert (p.read_bytes(), p.stat().st_mtime_ns) == before[p]
    assert (tmp_path / "acme-2025" / "manifest.json").read_bytes() == before[
        tmp_path / "acme-2025" / "manifest.json"][0]


def test_an_interrupted_write_leaves_the_old_file_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a" / "notice.html"
    atomic_write(target, b"old")

    def boom(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["notice.html"]


def test_refused_audience_writes_nothing_and_others_still_render(
        tmp_path: Path, sheet_file, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    text = edited_yaml(**{"audiences": [
        {"id": "customers", "name": "Customers", "notice": "incident"},
        {"id": "staff", "name": "Staff", "notice": "password_reset"}]})
    path = sheet_file(text)
    code, out, err = run_cli(["render", str(path), "--outbox", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "Traceback" not in err
    line = text.splitlines().index("  notice: password_reset") + 1
    assert f"refused: {path}:{line}:11: audiences.1.notice: audience 'staff' gets a " \
           "password_reset notice but no password data is involved for it" in err
    folder = tmp_path / "out" / "acme-2025"
    assert (folder / "customers" / "incident.html").is_file()
    assert not (folder / "staff").exists()


def test_refusal_removes_the_refused_audiences_old_notice_and_keeps_the_others(
        tmp_path: Path) -> None:
    good = sheet_with(**{"audiences": [
        {"id": "customers", "name": "Customers", "notice": "incident"},
        {"id": "partners", "name": "Partners", "notice": "incident"}]})
    write_outbox(render_sheet(good), tmp_path)
    before = (tmp_path / "acme-2025" / "partners" / "incident.html").read_bytes()
    bad = sheet_with(**{"audiences": [
        {"id": "customers", "name": "Customers", "notice": "password_reset"},
        {"id": "partners", "name": "Partners", "notice": "incident"}]})
    result = render_sheet(bad)
    assert list(result.refused) == ["customers"]
    report = write_outbox(result, tmp_path)
    assert (tmp_path / "acme-2025" / "partners" / "incident.html").read_bytes() == before
    # The earlier notice no longer fits the facts: it must not stay where it could be sent.
    assert not (tmp_path / "acme-2025" / "customers").exists()
    assert report.status["customers/incident.html"] == "removed"
    manifest = json.loads((tmp_path / "acme-2025" / "manifest.json").read_text())
    assert not any(k.startswith("customers/") for k in manifest["files"])


def test_invalid_sheet_renders_nothing_and_others_still_do(
        tmp_path: Path, sheet_file, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    good = sheet_file(edited_yaml(), "good.yaml")
    text = edited_yaml(**{"incident.status": "fixed"})
    bad = sheet_file(text, "bad.yaml")
    code, out, err = run_cli(["render", str(bad), str(good), "--outbox", str(tmp_path / "o")], capsys)
    assert code == 2
    line = text.splitlines().index("  status: fixed") + 1
    assert f"{bad}:{line}:11: incident.status: unknown value 'fixed'" in err
    assert (tmp_path / "o" / "acme-2025" / "customers" / "incident.txt").is_file()


def test_render_library_call_returns_notices_without_writing(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    result = render_sheet(sheet_with())
    assert [n.audience_id for n in result.notices] == ["customers"]
    assert list(tmp_path.iterdir()) == []


def test_render_cli_prints_a_table_of_what_it_wrote(
        tmp_path: Path, sheet_file, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = sheet_file(edited_yaml())
    code, out, err = run_cli(["render", str(path), "--outbox", str(tmp_path / "o")], capsys)
    assert code == 0, err
    assert "customers" in out and "incident" in out and "created" in out
    code, out, err = run_cli(["render", str(path), "--outbox", str(tmp_path / "o")], capsys)
    assert out == "0 rendered, 1 unchanged (skipped), 0 refused, 0 files removed\n"


def test_commands_render_is_the_library_behind_the_cli(tmp_path: Path, sheet_file) -> None:  # type: ignore[no-untyped-def]
    report = commands.render([sheet_file(edited_yaml())], outbox=tmp_path)
    assert report.ok
    assert report.as_dict()["sheets"][0]["files"] == {
        "customers/incident.eml": "created", "customers/incident.html": "created",
        "customers/incident.txt": "created"}


def test_render_refuses_a_notice_with_check_errors_unless_allowed(
        tmp_path: Path, sheet_file, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    text = edited_yaml(**{"incident.status": "resolved"})  # resolved, but no actions_taken
    path = sheet_file(text)
    out_dir = tmp_path / "o"
    code, out, err = run_cli(["render", str(path), "--outbox", str(out_dir), "-q"], capsys)
    assert code == 2
    line = text.splitlines().index("  notice: incident") + 1
    assert (f"refused: {path}:{line}:11: audiences.0.notice: [consistency.resolved_without_actions]"
            in err)
    assert "--allow-errors" in err
    assert not (out_dir / "acme-2025" / "customers").exists()
    code, out, err = run_cli(["render", str(path), "--outbox", str(out_dir), "-q",
                              "--allow-errors"], capsys)
    assert code == 0, err
    assert (out_dir / "acme-2025" / "customers" / "incident.html").is_file()
    # A later checked run does not take the unchecked files as unchanged: it refuses again
    # and takes them out of the outbox.
    code, out, err = run_cli(["render", str(path), "--outbox", str(out_dir), "-q"], capsys)
    assert code == 2 and "[consistency.resolved_without_actions]" in err
    assert not (out_dir / "acme-2025" / "customers").exists()


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    from notifier.outbox import _UMASK

    target = tmp_path / "a" / "notice.html"
    atomic_write(target, b"x")
    assert target.stat().st_mode & 0o777 == 0o666 & ~_UMASK


@pytest.mark.parametrize("text", ["[]", '"x"', '{"files": []}', "{not json"])
def test_a_manifest_that_is_not_ours_counts_as_none(tmp_path: Path, text: str) -> None:
    from notifier.outbox import MANIFEST, read_manifest

    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    assert read_manifest(tmp_path) == {"files": {}}
