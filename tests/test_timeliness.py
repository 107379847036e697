"""Timeliness and duties from numbers: a late notice is refused, a missed duty is an error.

Each case starts from a legally complete sheet of the corpus (tests/sheets/legal/) and
changes one fact: the notice date, a count of people, the data, what was recorded as told.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from check_helpers import Edit, edits, set_in
from conftest import ROOT

from notifier.checks import check_notice
from notifier.checks.report import check_sheets
from notifier.errors import RenderRefused
from notifier.gate import admit
from notifier.model import FactSheet
from notifier.render import render_notice
from notifier.sheet import load_sheet

CORPUS = ROOT / "tests" / "sheets" / "legal"
NOW = "2026-12-01T12:00:00+00:00"


def corpus(tmp_path: Path, name: str, *steps: Edit) -> tuple[FactSheet, Path]:
    """Load a corpus sheet after ``steps`` changed its data."""
    data: dict[str, Any] = yaml.safe_load((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"))
    _stringify(data)
    edits(*steps)(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return load_sheet(path), path


def _stringify(node: Any) -> None:
    """Keep dates and timestamps as the sheet's text (PyYAML reads them as objects)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in list(items):
        if hasattr(value, "isoformat"):
            node[key] = value.isoformat()
        else:
            _stringify(value)


def late_findings(sheet: FactSheet) -> list[Any]:
    notice = render_notice(sheet, 0)
    return [f for f in check_notice(sheet, notice) if f.rule_id == "x.notice_late"]


@pytest.mark.parametrize(("name", "on_time", "late", "law"), [
    ("ca", "2026-04-01", "2026-04-02", "California"),   # 30 days after 2 March (SB 446)
    ("ny", "2026-02-11", "2026-02-12", "New York"),     # 30 days after 12 January
    ("tx", "2026-06-05", "2026-06-06", "Texas"),        # 60 days after 6 April
    ("fl", "2026-07-31", "2026-08-01", "Florida"),      # 30 days after 1 July
    ("ct", "2026-10-02", "2026-10-03", "Connecticut"),  # 60 days after 3 August
    ("de", "2026-11-06", "2026-11-07", "Delaware"),     # 60 days after 7 September
])
def test_a_notice_dated_after_its_laws_deadline_is_an_error(tmp_path: Path, name: str, on_time: str,
                                                            late: str, law: str) -> None:
    no_delay = set_in("incident.delay_reasons", None)  # California's sheet records one
    sheet, _ = corpus(tmp_path, name, set_in("notice_date", on_time), no_delay)
    assert late_findings(sheet) == []
    sheet, path = corpus(tmp_path, name, set_in("notice_date", late), no_delay)
    (finding,) = late_findings(sheet)
    assert finding.severity == "error" and law in finding.message
    assert finding.field == ("notice_date",)
    assert "incident.delay_reasons" in finding.fix
    with pytest.raises(RenderRefused) as refused:  # render refuses it, at notice_date's line
        admit(sheet, 0, render_notice(sheet, 0))
    problem = refused.value.problems[0]
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1)
                if text.startswith("notice_date:"))
    assert (problem.path, problem.field, problem.line) == (str(path), "notice_date", line)


def test_hipaa_sixty_days_from_discovery(tmp_path: Path) -> None:
    sheet, _ = corpus(tmp_path, "hipaa", set_in("notice_date", "2026-04-12"))
    (finding,) = late_findings(sheet)
    assert "HIPAA" in finding.message and "2026-04-11" in finding.message


def test_a_delay_the_law_accepts_is_a_warning_and_one_it_does_not_an_error(tmp_path: Path) -> None:
    police = set_in("incident.delay_reasons", [{"reason": "law_enforcement", "by": "the FBI",
                                                "detail": "The FBI asked us to wait until 20 April."}])
    sheet, _ = corpus(tmp_path, "ca", set_in("notice_date", "2026-04-21"), police)
    assert [f.severity for f in late_findings(sheet)] == ["warning"]
    # California's notice then says that it was delayed for law enforcement
    notice = render_notice(sheet, 0)
    assert "law enforcement agency asked us to wait" in " ".join(notice.text.split())
    other = set_in("incident.delay_reasons", [{"reason": "other", "detail": "We were busy."}])
    sheet, _ = corpus(tmp_path, "ca", set_in("notice_date", "2026-04-21"), other)
    assert [f.severity for f in late_findings(sheet)] == ["error"]


def test_florida_extension_adds_fifteen_days_only(tmp_path: Path) -> None:
    extension = set_in("incident.delay_reasons", [{"reason": "good_cause_extension",
                                                   "detail": "Requested in writing on 20 July."}])
    sheet, _ = corpus(tmp_path, "fl", set_in("notice_date", "2026-08-15"), extension)
    assert late_findings(sheet) == []
    sheet, _ = corpus(tmp_path, "fl", set_in("notice_date", "2026-08-16"), extension)
    assert [f.severity for f in late_findings(sheet)] == ["error"]


def test_without_a_notice_date_a_deadline_is_a_warning(tmp_path: Path) -> None:
    sheet, _ = corpus(tmp_path, "tx", set_in("notice_date", None))
    assert [f.severity for f in late_findings(sheet)] == ["warning"]


def duty_errors(path: Path, now: str = NOW) -> dict[str, str]:
    report = check_sheets([path], now=now)
    return {f.rule_id: f.severity for f in report.findings if f.notice == "deadline"}


@pytest.mark.parametrize(("name", "step", "rule"), [
    # Texas: the Attorney General within 30 days of the determination, at 250 residents
    ("tx", set_in("incident.authorities", []), "tx.deadline.ag"),
    # ... told, but late
    ("tx", set_in("incident.authorities.0.notified_at", "2026-05-08T09:00:00-05:00"),
     "tx.deadline.ag"),
    # Texas: the three credit agencies over 10,000 persons
    ("tx", set_in("incident.authorities", [{"name": "Texas Attorney General",
                                            "notified_at": "2026-04-27T15:00:00-05:00"}]),
     "tx.deadline.cra"),
    # New York: the credit agencies over 5,000 residents; the state agencies with the notices
    ("ny", set_in("incident.authorities", []), "ny.deadline.cra"),
    ("ny", set_in("incident.authorities", []), "ny.deadline.state_agencies"),
    # Florida: the Department within 30 days at 500; the agencies over 1,000
    ("fl", set_in("incident.authorities", []), "fl.deadline.department"),
    ("fl", set_in("incident.authorities", []), "fl.deadline.cra"),
    # California: the Attorney General within 15 days of the notices, over 500 residents
    ("ca", set_in("incident.authorities", []), "ca.deadline.ag"),
    # Connecticut and Delaware: the Attorney General no later than the notices
    ("ct", set_in("incident.authorities", []), "ct.deadline.ag"),
    ("de", set_in("incident.authorities", []), "de.deadline.ag"),
    # Massachusetts: the Attorney General and OCABR
    ("ma", set_in("incident.authorities", []), "ma.deadline.ag_ocabr"),
    # HIPAA: HHS with the notices at 500 people; the media over 500 residents of one state
    ("hipaa", set_in("incident.authorities", []), "hipaa.deadline.hhs_large"),
    ("hipaa", set_in("incident.authorities", []), "hipaa.deadline.media"),
])
def test_a_missed_duty_is_an_error_naming_it(tmp_path: Path, name: str, step: Edit,
                                             rule: str) -> None:
    _, path = corpus(tmp_path, name)
    assert rule not in duty_errors(path)
    _, path = corpus(tmp_path, name, step)
    assert duty_errors(path).get(rule) == "error"


def test_a_threshold_duty_follows_the_count(tmp_path: Path) -> None:
    _, path = corpus(tmp_path, "tx", set_in("incident.authorities", []),
                     set_in("audiences.0.size", 200))
    found = duty_errors(path)
    assert "tx.deadline.ag" not in found and "tx.deadline.cra" not in found
    _, path = corpus(tmp_path, "tx", set_in("incident.authorities", []),
                     set_in("audiences.0.size", None))
    assert duty_errors(path).get("tx.deadline.ag") == "warning"  # may apply: say so, no error


def test_the_hipaa_media_duty_counts_each_state(tmp_path: Path) -> None:
    two_states = set_in("audiences", [
        {"id": f"patients-{s.lower()}", "name": f"Patients in {s}", "notice": "incident",
         "jurisdictions": [f"US-{s}"], "size": 400, "locale": "en-US"} for s in ("OH", "PA")])
    _, path = corpus(tmp_path, "hipaa", set_in("incident.authorities", []), two_states)
    found = duty_errors(path)
    assert "hipaa.deadline.media" not in found  # 800 people, but no state over 500
    assert found.get("hipaa.deadline.hhs_large") == "error"


@pytest.mark.parametrize("name", ["au", "sg"])
def test_the_thirty_day_assessment_is_recorded(tmp_path: Path, name: str) -> None:
    _, path = corpus(tmp_path, name, set_in("incident.assessed_at", None))
    assert duty_errors(path).get(f"{name}.deadline.assessment") == "error"
    late = {"au": "2025-12-20T09:00:00+11:00", "sg": "2025-10-20T09:00:00+08:00"}[name]
    _, path = corpus(tmp_path, name, set_in("incident.assessed_at", late))
    assert duty_errors(path).get(f"{name}.deadline.assessment") == "warning"


def test_the_singapore_pdpc_clock_runs_from_the_assessment(tmp_path: Path) -> None:
    sheet, _ = corpus(tmp_path, "sg")
    from notifier.deadlines import deadlines_for

    pdpc = next(d for d in deadlines_for(sheet, now=NOW) if d.id == "sg.deadline.pdpc")
    assert f"{pdpc.due_local():%Y-%m-%d}" == "2025-09-12"  # assessed 9 Sept: by 12 Sept


def test_new_york_dfs_72_hours_for_a_covered_entity(tmp_path: Path) -> None:
    _, path = corpus(tmp_path, "ny", set_in("organisation.ny_dfs_covered", True))
    assert duty_errors(path).get("ny.deadline.dfs") == "error"
    told = {"name": "New York Department of Financial Services",
            "notified_at": "2026-01-13T09:00:00-05:00"}

    def add(data: dict[str, Any]) -> None:
        data["incident"]["authorities"].append(told)

    _, path = corpus(tmp_path, "ny", set_in("organisation.ny_dfs_covered", True), add)
    assert "ny.deadline.dfs" not in duty_errors(path)


def test_pipeda_keeps_a_record_for_24_months(tmp_path: Path) -> None:
    sheet, _ = corpus(tmp_path, "pipeda")
    from notifier.deadlines import deadlines_for

    record = next(d for d in deadlines_for(sheet, now=NOW) if d.id == "pipeda.record.breach")
    assert record.kind == "record" and record.left_text() == "keep the record until 2027-10-06"


def test_duties_apply_only_where_the_data_triggers_the_law(tmp_path: Path) -> None:
    """California with names and email addresses only: no California duty, no deadline."""
    sheet, path = corpus(tmp_path, "ca", set_in("incident.data_involved", ["name", "email"]),
                         set_in("incident.protection_offer", None))
    report = check_sheets([path], now=NOW)
    assert not [d for d in report.sheets[0].deadlines if d.id.startswith("ca.")]


def test_a_finding_about_a_regulator_names_it(tmp_path: Path) -> None:
    _, path = corpus(tmp_path, "tx", set_in("incident.authorities", []))
    report = check_sheets([path], now=NOW)
    ag = next(f for f in report.findings if f.rule_id == "tx.deadline.ag")
    assert ag.audience == "customers" and "the Attorney General (Texas)" in ag.message
    assert "incident.authorities" in ag.fix
