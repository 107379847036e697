"""`notifier check`: arguments reach the library; exit 0 / 1 / 2; JSON for CI; the bundled incidents."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from check_helpers import edits, set_in, sheet_from
from conftest import BUNDLED, INCIDENTS

from notifier import commands
from notifier.checks.finding import Finding
from notifier.checks.report import CheckReport, SheetChecks
from notifier.cli import main
from notifier.errors import Problem

NOW = "2025-04-23T09:30:00+01:00"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def finding(severity: str) -> Finding:
    return Finding("links.https", severity, "acme-2025", "customers", "incident",  # type: ignore[arg-type]
                   "the HTML links to 'http://x'", "link only to https:// pages", "house rule")


@pytest.mark.parametrize(("report", "code"), [
    (CheckReport([SheetChecks(Path("a.yaml"), "a", [("c", "incident")])]), 0),
    (CheckReport([SheetChecks(Path("a.yaml"), "a", findings=[finding("warning")])]), 0),
    (CheckReport([SheetChecks(Path("a.yaml"), "a", findings=[finding("error")])]), 1),
    (CheckReport([SheetChecks(Path("a.yaml"), problems=[Problem("a.yaml", 1, 1, "id", "bad")])]), 2),
])
def test_exit_codes_follow_the_report(report: CheckReport, code: int,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with mock.patch("notifier.commands.check", autospec=True, return_value=report) as check:
        got, out, err = run(["check", "a.yaml", "b.yaml", "--now", NOW], capsys)
    check.assert_called_once_with([Path("a.yaml"), Path("b.yaml")], now=NOW, templates=None,
                                  jobs=None)
    assert got == code, err
    if code == 2:
        assert err == "a.yaml:1:1: id: bad\n"


def test_json_output_is_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    report = CheckReport([SheetChecks(Path("a.yaml"), "a", [("customers", "incident")],
                                      findings=[finding("error")])])
    with mock.patch("notifier.commands.check", autospec=True, return_value=report):
        code, out, _ = run(["check", "a.yaml", "--json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert (data["ok"], data["errors"], data["warnings"]) == (False, 1, 0)
    assert data["sheets"][0]["findings"] == [finding("error").as_dict()]


def test_end_to_end_clean_sheet_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet_from(tmp_path, edits(
        set_in("audiences.0.jurisdictions", ["GB"]),
        set_in("organisation.privacy_contact", {"name": "DPO", "email": "dpo@acme.example"}),
        set_in("incident.actions_taken", ["We locked the account the intruder used."])))
    code, out, err = run(["check", str(tmp_path / "sheet.yaml"), "--json", "--now", NOW], capsys)
    data = json.loads(out)
    assert code == 0, err
    # Names and email addresses are not a high risk: the ICO is told, readers need not be.
    assert [d["id"] for d in data["sheets"][0]["deadlines"]] == ["uk.deadline.ico"]
    assert data["sheets"][0]["deadlines"][0]["left"] == "2 d 0 h left"


def test_end_to_end_error_exits_1_with_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # one row per finding, no folding
    sheet_from(tmp_path, set_in("incident.status", "resolved"))
    code, out, _ = run(["check", str(tmp_path / "sheet.yaml")], capsys)
    assert code == 1
    assert "consistency.resolved_without_actions" in out
    assert out.rstrip().endswith("1 error, 0 warnings in 1 notice")


def test_human_output_reads_at_80_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    sheet_from(tmp_path, edits(set_in("incident.status", "resolved"),
                               set_in("notice_date", "2025-05-02"),
                               set_in("incident.data_involved", ["name", "email", "bank_account"]),
                               set_in("audiences.0.jurisdictions", ["US-CA", "GB"])))
    code, out, _ = run(["check", str(tmp_path / "sheet.yaml"), "--now", NOW], capsys)
    assert code == 1
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    words = set(out.split())
    report = commands.check([tmp_path / "sheet.yaml"], now=NOW)
    assert report.findings and report.sheets[0].deadlines
    for f in report.findings:  # every word whole: nothing folded mid-word
        assert {f.rule_id, f.audience, *f.message.split(), *f.fix.split()} <= words, f.rule_id
    assert "ERROR" in words and "WARN" in words
    for d in report.sheets[0].deadlines:
        assert {d.id, *d.left_text().split(), *(w for n in d.notes for w in n.split())} <= words
    # each note on its own line, never run into the time left or another note
    lines = [line.strip() for line in out.splitlines()]
    assert "note: applies when more than 500 residents are affected (audience sizes" in lines
    assert "not all known)" in lines
    assert "note: the fixed period applies to breaches found from 2026-01-01" in lines
    assert sum(line.startswith("note: applies when more than 500 residents") for line in lines) == 1


def test_a_regulator_told_in_time_is_shown_met(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    royal_mail = INCIDENTS / "royal-mail-click-and-drop.yaml"
    code, out, _ = run(["check", str(royal_mail), "--now", NOW], capsys)
    assert code == 0
    assert ("told 2022-10-05 16:00 BST (UTC+01:00), 26 h 30 min after discovery: in time"
            in " ".join(out.split()))  # the 80-column report may wrap it
    assert "MET" in out.split() and "overdue" not in out
    code, out, _ = run(["check", str(INCIDENTS / "shopback-2020.yaml"), "--json", "--now", NOW], capsys)
    pdpc = next(d for d in json.loads(out)["sheets"][0]["deadlines"] if d["id"] == "sg.deadline.pdpc")
    # found in 2020, before PDPA Part 6A (1 February 2021): told, with no fixed period to meet
    assert (pdpc["left"], pdpc["told_at"]) == (
        "told 2020-09-25 18:00 UTC+08:00, 3 h after the assessment", "2020-09-25T18:00:00+08:00")


def test_end_to_end_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n", encoding="utf-8")
    code, _, err = run(["check", str(bad)], capsys)
    assert code == 2 and err.startswith(f"{bad}:")
    sheet_from(tmp_path)
    code, _, err = run(["check", str(tmp_path / "sheet.yaml"), "--now", "tomorrow"], capsys)
    assert (code, err) == (2, "--now 'tomorrow' is not an ISO timestamp; write e.g. "
                              "2025-05-01T12:00:00+01:00\n")


#: Error findings the bundled incidents still have, and why. The goal is an empty set: remove
#: an entry when the template or sheet change it names lands.
KNOWN_ERRORS: set[tuple[str, str, str]] = set()  # the bundled incidents pass with no errors


def test_bundled_incidents_have_only_the_known_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", *map(str, BUNDLED), "--json", "--now", NOW], capsys)
    data = json.loads(out)
    found = {(f["sheet"], f["audience"], f["rule"]) for s in data["sheets"] for f in s["findings"]
             if f["severity"] == "error"}
    assert found == KNOWN_ERRORS
    assert code == (1 if found else 0)


def test_the_sources_cited_are_listed_with_their_addresses(capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import INCIDENTS

    report = commands.check([INCIDENTS / "shopback-2020.yaml"], now=NOW)
    sources = report.sources()
    cited = " ".join([f.source for f in report.findings]
                     + [d.source for s in report.sheets for d in s.deadlines])
    assert sources and all(f"[{k}" in cited or f", {k}" in cited for k in sources)
    assert sources["ca-sb446"].startswith("https://")
    assert report.as_dict()["sources"] == sources
    code, out, _ = run(["check", str(INCIDENTS / "shopback-2020.yaml"), "--now", NOW], capsys)
    assert "Sources cited above" in out and "[ca-sb446]" in out


def test_check_in_workers_finds_what_one_process_finds(tmp_path: Path) -> None:
    """`check` renders and checks in worker processes, as `render` does: same findings."""
    from fault_support import many_audiences

    from notifier import fanout

    (tmp_path / "sheet.yaml").write_text(many_audiences(10), encoding="utf-8")
    (tmp_path / "other.yaml").write_text((INCIDENTS / "shopback-2020.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    here = commands.check([tmp_path], now=NOW, jobs=1)
    with mock.patch.object(fanout, "run", wraps=fanout.run) as run_fanout:
        workers = commands.check([tmp_path], now=NOW, jobs=2)
    assert run_fanout.call_args.kwargs["workers"] == 2
    assert [s.sheet_id for s in workers.sheets] == ["shopback-2020", "acme-2025"]
    assert len(workers.sheets[1].notices) == 10
    assert here.as_dict() == workers.as_dict()
