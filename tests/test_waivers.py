"""Reviewed exceptions instead of a master switch: a waiver covers one rule, and nothing else.

And ``--allow-errors`` writes drafts that say so; ``send-test`` refuses what render refuses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from check_helpers import edits, set_in, sheet_from

from notifier import commands
from notifier.checks.report import check_sheets
from notifier.errors import RenderRefused
from notifier.gate import DRAFT_PREFIX, admit
from notifier.render import render_notice

#: A UK incident notice with no privacy contact: uk.art34.dpo_contact is an error.
NO_DPO = edits(set_in("audiences.0.jurisdictions", ["GB"]),
               set_in("incident.actions_taken", ["We locked the account the intruder used."]))
WAIVER = {"rule": "uk.art34.dpo_contact", "audience": "customers",
          "reason": "We have no DPO; the help desk handles privacy questions (counsel, 2 May).",
          "decided_by": "Jane Doe, General Counsel", "decided_at": "2025-05-02"}


def test_an_error_stops_the_notice_and_a_waiver_lets_it_through(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, NO_DPO)
    with pytest.raises(RenderRefused) as refused:
        admit(sheet, 0, render_notice(sheet, 0))
    assert "[uk.art34.dpo_contact]" in refused.value.problems[0].message
    waived = sheet_from(tmp_path, edits(NO_DPO, set_in("waivers", [WAIVER])), name="w.yaml")
    notice = admit(waived, 0, render_notice(waived, 0))
    assert notice.waived == ("uk.art34.dpo_contact",) and notice.draft == ()


def test_a_waiver_covers_its_rule_only(tmp_path: Path) -> None:
    other = set_in("incident.actions_taken", [])  # uk.art34.measures_taken: not waived
    sheet = sheet_from(tmp_path, edits(NO_DPO, other, set_in("waivers", [WAIVER])))
    with pytest.raises(RenderRefused) as refused:
        admit(sheet, 0, render_notice(sheet, 0))
    assert [p.message.split("]")[0] for p in refused.value.problems] == ["[uk.art34.measures_taken"]


def test_a_waiver_for_another_audience_covers_nothing_here(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(NO_DPO, set_in("waivers", [{**WAIVER, "audience": "staff"}])))
    with pytest.raises(RenderRefused):
        admit(sheet, 0, render_notice(sheet, 0))


def test_check_shows_a_waived_finding_as_waived(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    sheet_from(tmp_path, edits(NO_DPO, set_in("waivers", [WAIVER])))
    report = check_sheets([tmp_path / "sheet.yaml"], now="2025-04-22T12:00:00+01:00")
    (finding,) = [f for f in report.findings if f.rule_id == "uk.art34.dpo_contact"]
    assert finding.severity == "error" and not finding.blocking
    assert finding.waiver == ("waived by Jane Doe, General Counsel on 2025-05-02: We have no DPO; "
                              "the help desk handles privacy questions (counsel, 2 May).")
    assert report.errors == [] and report.waived == [finding]
    assert report.as_dict()["waived"] == 1
    assert finding.as_dict()["waived"].startswith("waived by Jane Doe")
    assert report.summary().startswith("0 errors, ") and ", 1 waived in " in report.summary()


@pytest.mark.parametrize(("rule", "severity", "words"), [
    ("uk.art34.dpo_contactt", "error", "write 'uk.art34.dpo_contact'"),
    ("uk.art34.nature", "warning", "covers no finding"),
])
def test_a_waiver_that_names_no_rule_or_covers_nothing_is_reported(
        tmp_path: Path, rule: str, severity: str, words: str) -> None:
    sheet_from(tmp_path, edits(NO_DPO, set_in("waivers", [{**WAIVER, "rule": rule}])))
    report = check_sheets([tmp_path / "sheet.yaml"], now="2025-04-22T12:00:00+01:00")
    found = [f for f in report.findings if f.notice == "waiver"]
    assert [f.severity for f in found] == [severity]
    assert words in found[0].message + found[0].fix
    assert found[0].field == ("waivers", 0, "rule")


def test_a_deadline_can_be_waived_by_its_id(tmp_path: Path) -> None:
    sheet_from(tmp_path, edits(NO_DPO, set_in("waivers", [{
        **WAIVER, "rule": "x.late_without_reasons", "audience": None}])))
    report = check_sheets([tmp_path / "sheet.yaml"], now="2025-06-30T12:00:00+01:00")
    late = [f for f in report.findings if f.rule_id == "x.late_without_reasons"]
    assert late and all(f.waiver for f in late)


def test_allow_errors_writes_drafts_that_say_so(tmp_path: Path) -> None:
    sheet_from(tmp_path, NO_DPO)
    outbox = tmp_path / "outbox"
    report = commands.render([tmp_path / "sheet.yaml"], outbox=outbox, allow_errors=True, jobs=1)
    assert not report.refused if hasattr(report, "refused") else True
    folder = outbox / "acme-2025" / "customers"
    text = (folder / "incident.txt").read_text(encoding="utf-8")
    html = (folder / "incident.html").read_text(encoding="utf-8")
    eml = (folder / "incident.eml").read_text(encoding="utf-8")
    assert text.startswith("DRAFT - NOT FOR SENDING.") and "uk.art34.dpo_contact" in text.split("\n")[0]
    assert 'role="note"' in html and "DRAFT - NOT FOR SENDING." in html
    assert f"Subject: {DRAFT_PREFIX}" in eml
    manifest = json.loads((outbox / "acme-2025" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audiences"]["customers"]["draft"] == ["uk.art34.dpo_contact"]
    # Rendered again without --allow-errors, the draft is not taken as an unchanged notice.
    again = commands.render([tmp_path / "sheet.yaml"], outbox=outbox, jobs=1)
    assert not (folder / "incident.txt").exists()
    assert again is not None


def test_the_manifest_lists_the_waived_rules(tmp_path: Path) -> None:
    sheet_from(tmp_path, edits(NO_DPO, set_in("waivers", [WAIVER])))
    outbox = tmp_path / "outbox"
    commands.render([tmp_path / "sheet.yaml"], outbox=outbox, jobs=1)
    manifest = json.loads((outbox / "acme-2025" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audiences"]["customers"]["waived"] == ["uk.art34.dpo_contact"]
    assert "draft" not in manifest["audiences"]["customers"]
