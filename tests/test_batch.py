"""Batch rendering: filters, JSON summary, incremental re-rendering, stale files, parallel workers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_bundled
from helpers import edited_yaml

from notifier import batch, commands
from notifier.cli import main
from notifier.errors import UsageError

AUDIENCES = [
    {"id": "customers", "name": "Customers", "notice": "incident"},
    {"id": "partners", "name": "Partners", "notice": "incident"},
    {"id": "newsletter", "name": "Newsletter readers", "notice": "no_action_needed",
     "data_involved": ["email"]},
    {"id": "shoppers", "name": "Shoppers", "notice": "incident", "data_involved": ["name"]},
]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def write_sheet(path: Path, audiences: list[dict[str, Any]] | None = None, **changes: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(edited_yaml(audiences=audiences or AUDIENCES, **changes), encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def render_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_cli(["render", "--json", *args], capsys)
    return code, json.loads(out)


# --- filters -----------------------------------------------------------------------------

def test_audience_and_notice_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    outbox = tmp_path / "outbox"
    code, data = render_json([str(sheet), "--outbox", str(outbox), "--audience", "partners",
                              "--audience", "newsletter"], capsys)
    assert code == 0
    assert sorted(n["audience"] for n in data["sheets"][0]["notices"]) == ["newsletter", "partners"]
    code, data = render_json([str(sheet), "--outbox", str(outbox), "--notice", "incident"], capsys)
    assert code == 0
    rendered = sorted(n["audience"] for n in data["sheets"][0]["notices"])
    skipped = sorted(s["audience"] for s in data["sheets"][0]["skipped"])
    assert (rendered, skipped) == (["customers", "shoppers"], ["partners"])
    assert sorted(p.name for p in (outbox / "acme-2025").iterdir()) == [
        "customers", "manifest.json", "newsletter", "partners", "shoppers"]


def test_unknown_filter_values_are_usage_errors(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    code, out, err = run_cli(["render", str(sheet), "--outbox", str(tmp_path / "o"),
                              "--audience", "partner"], capsys)
    assert (code, out) == (2, "")
    assert err == ("--audience 'partner' matches no audience in the sheets named; "
                   "did you mean 'partners'?\n")
    code, out, err = run_cli(["render", str(sheet), "--outbox", str(tmp_path / "o"),
                              "--notice", "incidnet"], capsys)
    assert (code, err) == (2, "--notice 'incidnet' is not a notice kind; did you mean 'incident'?\n")
    assert not (tmp_path / "o").exists()


# --- JSON summary and exit codes ---------------------------------------------------------

def test_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    code, data = render_json([str(sheet), "--outbox", str(tmp_path / "outbox"), "--jobs", "1"],
                             capsys)
    assert code == 0
    assert data["ok"] is True and data["workers"] == 1
    assert data["counts"] == {"sheets": 1, "rendered": 4, "skipped": 0, "refused": 0,
                              "invalid_sheets": 0, "created": 12, "updated": 0, "identical": 0,
                              "removed": 0}
    (entry,) = data["sheets"]
    assert entry["id"] == "acme-2025" and entry["path"] == str(sheet)
    assert entry["folder"] == str(tmp_path / "outbox" / "acme-2025")
    assert entry["notices"][0] == {
        "audience": "customers", "notice": "incident",
        "subject": "Security incident at Acme Ltd involving your data",
        "preheader": entry["notices"][0]["preheader"]}
    assert entry["files"]["customers/incident.eml"] == "created"
    assert (entry["skipped"], entry["refused"], entry["problems"]) == ([], {}, [])


def test_bad_input_exits_2_and_the_others_still_render(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_sheet(tmp_path / "sheets" / "a-good.yaml")
    (tmp_path / "sheets" / "b-bad.yaml").write_text("id: [oops\n", encoding="utf-8")
    refused = write_sheet(tmp_path / "sheets" / "c-refused.yaml", audiences=[
        {"id": "everyone", "name": "Everyone", "notice": "no_action_needed"},
        {"id": "fine", "name": "Fine", "notice": "incident"}],
        **{"id": "other-2025", "incident.data_involved": ["name", "password_plaintext"]})
    code, out, err = run_cli(["render", "--json", str(tmp_path / "sheets"),
                              "--outbox", str(tmp_path / "outbox")], capsys)
    assert code == 2
    data = json.loads(out)
    assert data["ok"] is False
    by_path = {Path(s["path"]).name: s for s in data["sheets"]}
    assert len(by_path["a-good.yaml"]["notices"]) == 4
    assert by_path["b-bad.yaml"]["problems"] and by_path["b-bad.yaml"]["id"] == ""
    assert list(by_path["c-refused.yaml"]["refused"]) == ["everyone"]
    assert [n["audience"] for n in by_path["c-refused.yaml"]["notices"]] == ["fine"]
    assert data["counts"]["invalid_sheets"] == 1 and data["counts"]["refused"] == 1
    assert str(tmp_path / "sheets" / "b-bad.yaml") in err
    assert "refused: " in err
    assert (tmp_path / "outbox" / "acme-2025" / "customers" / "incident.eml").is_file()
    assert good.exists() and refused.exists()


def test_two_sheets_with_one_id_are_refused(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    write_sheet(tmp_path / "sheets" / "a.yaml")
    write_sheet(tmp_path / "sheets" / "b.yaml")
    code, _, err = run_cli(["render", "-q", str(tmp_path / "sheets"),
                            "--outbox", str(tmp_path / "outbox")], capsys)
    assert code == 2
    assert err == (f"{tmp_path / 'sheets' / 'b.yaml'}:1:5: id: 'acme-2025' is also the id of "
                   f"{tmp_path / 'sheets' / 'a.yaml'}; both would write to the same outbox "
                   "folder; give each sheet its own id\n")


# --- incremental re-rendering --------------------------------------------------------------

def test_second_run_renders_nothing_and_reports_identical(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    outbox = tmp_path / "outbox"
    commands.render([sheet], outbox=outbox)
    before = {p: p.stat().st_mtime_ns for p in outbox.rglob("*") if p.is_file()}
    report = commands.render([sheet], outbox=outbox)
    (outcome,) = report.outcomes
    assert outcome.notices == []
    assert [s.audience for s in outcome.skipped] == ["customers", "partners", "newsletter",
                                                      "shoppers"]
    assert outcome.skipped[0].subject.startswith("Security incident at Acme Ltd")
    assert set(outcome.written.values()) == {"identical"} and len(outcome.written) == 12
    assert report.counts()["rendered"] == 0 and report.counts()["skipped"] == 4
    assert {p: p.stat().st_mtime_ns for p in outbox.rglob("*") if p.is_file()} == before


def test_changing_one_audience_re_renders_only_it(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    outbox = tmp_path / "outbox"
    commands.render([sheet], outbox=outbox)
    changed = [dict(a) for a in AUDIENCES]
    changed[1]["greeting"] = "Dear partner,"
    write_sheet(sheet, audiences=changed)
    report = commands.render([sheet], outbox=outbox)
    (outcome,) = report.outcomes
    assert [n.audience_id for n in outcome.notices] == ["partners"]
    assert [s.audience for s in outcome.skipped] == ["customers", "newsletter", "shoppers"]
    assert outcome.written["partners/incident.html"] == "updated"
    assert outcome.written["customers/incident.html"] == "identical"
    assert "Dear partner," in (outbox / "acme-2025" / "partners" / "incident.txt").read_text()


def test_a_shared_fact_re_renders_every_audience(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    commands.render([sheet], outbox=tmp_path / "outbox")
    write_sheet(sheet, **{"organisation.name": "Acme Group"})
    report = commands.render([sheet], outbox=tmp_path / "outbox")
    assert len(report.outcomes[0].notices) == 4 and report.outcomes[0].skipped == []


def test_a_template_change_re_renders(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    overrides = tmp_path / "templates"
    overrides.mkdir()
    commands.render([sheet], outbox=tmp_path / "outbox", templates=overrides)
    (overrides / "unused.txt").write_text("a change on the template search path\n")
    report = commands.render([sheet], outbox=tmp_path / "outbox", templates=overrides)
    assert len(report.outcomes[0].notices) == 4


def test_a_file_changed_on_disk_is_rendered_again(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    outbox = tmp_path / "outbox"
    commands.render([sheet], outbox=outbox)
    html = outbox / "acme-2025" / "shoppers" / "incident.html"
    original = html.read_bytes()
    html.write_text("edited by hand")
    (outbox / "acme-2025" / "partners" / "incident.eml").unlink()
    report = commands.render([sheet], outbox=outbox)
    assert sorted(n.audience_id for n in report.outcomes[0].notices) == ["partners", "shoppers"]
    assert html.read_bytes() == original
    assert report.outcomes[0].written["partners/incident.eml"] == "created"


def test_force_renders_everything(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    commands.render([sheet], outbox=tmp_path / "outbox")
    report = commands.render([sheet], outbox=tmp_path / "outbox", force=True)
    assert len(report.outcomes[0].notices) == 4
    assert set(report.outcomes[0].written.values()) == {"identical"}


def test_context_hash_follows_what_each_notice_reads(tmp_path: Path) -> None:
    """A regulator report counts every audience; an update reads the revision it corrects."""
    copy_bundled(tmp_path)
    sheet, outbox = tmp_path / "co-op-2025.yaml", tmp_path / "outbox"
    first = commands.render([sheet], outbox=outbox)
    assert first.ok, first.as_dict()
    text = sheet.read_text(encoding="utf-8")
    assert text.count("size: 6500000") == 1
    sheet.write_text(text.replace("size: 6500000", "size: 6600000"), encoding="utf-8")
    report = commands.render([sheet], outbox=outbox)
    assert sorted(n.audience_id for n in report.outcomes[0].notices) == ["ico-report", "members"]
    previous = tmp_path / "history" / "co-op-2025-r1.yaml"
    previous.write_text(previous.read_text(encoding="utf-8").replace(
        "sent_at", "sent_at").replace("name: Co-op\n", "name: The Co-op\n", 1), encoding="utf-8")
    report = commands.render([sheet], outbox=outbox)
    assert [n.audience_id for n in report.outcomes[0].notices] == ["members"]


# --- stale files ---------------------------------------------------------------------------

def test_files_of_a_removed_audience_are_removed_and_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    outbox = tmp_path / "outbox"
    commands.render([sheet], outbox=outbox)
    write_sheet(sheet, audiences=[a for a in AUDIENCES if a["id"] != "partners"])
    code, data = render_json([str(sheet), "--outbox", str(outbox)], capsys)
    assert code == 0
    files = data["sheets"][0]["files"]
    assert {k: v for k, v in files.items() if v == "removed"} == {
        "partners/incident.eml": "removed", "partners/incident.html": "removed",
        "partners/incident.txt": "removed"}
    assert data["counts"]["removed"] == 3 and data["counts"]["rendered"] == 0
    assert not (outbox / "acme-2025" / "partners").exists()
    manifest = json.loads((outbox / "acme-2025" / "manifest.json").read_text())
    assert "partners" not in manifest["audiences"]
    assert not any(k.startswith("partners/") for k in manifest["files"])


def test_the_table_reports_skipped_and_removed(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    outbox = tmp_path / "outbox"
    commands.render([sheet], outbox=outbox)
    write_sheet(sheet, audiences=AUDIENCES[:3])
    code, out, err = run_cli(["render", str(sheet), "--outbox", str(outbox)], capsys)
    assert (code, err) == (0, "")
    assert out.count("identical") == 0  # unchanged audiences are counted, not listed
    assert "removed" in out
    assert out.endswith("0 rendered, 3 unchanged (skipped), 0 refused, 3 files removed\n")
    code, out, err = run_cli(["render", str(sheet), "--outbox", str(outbox), "--verbose"], capsys)
    assert (code, err) == (0, "")
    assert out.count("identical") == 3  # asked for: one row per unchanged audience
    assert out.endswith("0 rendered, 3 unchanged (skipped), 0 refused, 0 files removed\n")


def test_an_unchanged_sheet_prints_one_line_and_a_long_list_is_summed_up(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from notifier import cli

    sheet = write_sheet(tmp_path / "sheet.yaml")
    outbox = tmp_path / "outbox"
    monkeypatch.setattr(cli, "TABLE_ROWS", 3)
    code, out, _ = run_cli(["render", str(sheet), "--outbox", str(outbox), "--jobs", "1"], capsys)
    assert code == 0
    assert "4 notices rendered (incident 3, no_action_needed 1); --verbose lists each one" in out
    assert "customers" not in out  # more rows than TABLE_ROWS: summed up, not listed
    code, out, _ = run_cli(["render", str(sheet), "--outbox", str(outbox)], capsys)
    assert (code, out) == (0, "0 rendered, 4 unchanged (skipped), 0 refused, 0 files removed\n")


# --- parallel workers ----------------------------------------------------------------------

def test_workers_give_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    serial = commands.render([sheet], outbox=tmp_path / "one", jobs=1)
    seen: list[tuple[int, int]] = []
    parallel = commands.render([sheet], outbox=tmp_path / "two", jobs=2,
                               progress=lambda done, total: seen.append((done, total)))
    assert (serial.workers, parallel.workers) == (1, 2)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)


def test_a_refusal_in_a_worker_comes_back(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml", audiences=[
        *AUDIENCES, {"id": "wrong", "name": "Wrong", "notice": "password_reset"}])
    report = commands.render([sheet], outbox=tmp_path / "outbox", jobs=2)
    (outcome,) = report.outcomes
    assert list(outcome.refused) == ["wrong"]
    assert outcome.refused["wrong"].problems[0].path == str(sheet)
    assert len(outcome.notices) == 4 and not report.ok


def test_worker_count() -> None:
    cpus = batch.available_cpus()
    assert batch.worker_count(7) == 1
    assert batch.worker_count(150) == min(cpus, 150 // 4) if cpus > 1 else 1
    assert batch.worker_count(150, jobs=1) == 1
    assert batch.worker_count(3, jobs=8) == 3


def test_a_missing_templates_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "sheet.yaml")
    with pytest.raises(UsageError):
        commands.render([sheet], outbox=tmp_path / "outbox", templates=tmp_path / "nope")
    assert not (tmp_path / "outbox").exists()


# --- the CLI shell -------------------------------------------------------------------------

def test_cli_passes_jobs_force_and_no_progress_bar_off_a_tty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[dict[str, Any]] = []

    def fake_render(paths: list[Path], **kwargs: Any) -> commands.RenderReport:
        called.append({"paths": paths, **kwargs})
        return commands.RenderReport()

    monkeypatch.setattr(commands, "render", fake_render)
    monkeypatch.setenv("NOTIFIER_JOBS", "3")
    code, _, _ = run_cli(["render", "x.yaml", "--outbox", str(tmp_path), "--force", "-q"], capsys)
    assert code == 0
    on_wait = called[0].pop("on_wait")
    assert called == [{"paths": [Path("x.yaml")], "outbox": tmp_path, "templates": None,
                       "audiences": None, "notices": None, "jobs": 3, "force": True,
                       "progress": None, "allow_errors": False}]
    on_wait()  # what the CLI says while another run holds the outbox
    assert capsys.readouterr().err == (f"waiting for another notifier run to finish writing "
                                       f"into {tmp_path} ...\n")
    monkeypatch.delenv("NOTIFIER_JOBS")
    run_cli(["render", "x.yaml", "--jobs", "1", "--json", "--allow-errors"], capsys)
    assert called[-1]["jobs"] == 1 and called[-1]["force"] is False
    assert called[-1]["allow_errors"] is True


def test_the_progress_bar_appears_only_after_a_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    from notifier import cli

    now = [100.0]
    monkeypatch.setattr("time.monotonic", lambda: now[0])
    quick = cli._LazyProgress()
    quick(0, 10)
    quick(10, 10)
    assert quick._bar is None  # done within the moment: no bar at all
    slow = cli._LazyProgress()
    slow(0, 10)
    now[0] += 1.0
    slow(4, 10)
    assert slow._bar is not None
    slow(10, 10)
    slow.close()
