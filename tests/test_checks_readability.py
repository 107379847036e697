"""Plain language: a warning when the plain-text body reads above US grade 9."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from check_helpers import checked, edits, findings_for, notice_for, rule_ids, set_in

from notifier.checks.readability import grade, prose

DENSE = ("Notwithstanding comprehensive organisational cybersecurity countermeasures, "
         "unauthorised exfiltration of personally identifiable information necessitated "
         "immediate investigatory remediation, comprehensive infrastructural reconfiguration "
         "and organisational accountability documentation.")


def test_prose_joins_wrapped_lines_and_ends_items() -> None:
    text = "What happened\n-------------\n\nWe found a\nfault.\n\n- your name\n- your email\n"
    assert prose(text) == "What happened. We found a fault. your name. your email."


def test_grade_of_simple_and_dense_text() -> None:
    assert grade("We found a fault. We fixed it. You do not need to do anything.") < 3
    assert grade(DENSE) > 20


def test_plain_notice_has_no_readability_warning(tmp_path: Path) -> None:
    assert "plain.readability" not in rule_ids(findings_for(tmp_path))


def test_dense_wording_is_a_warning(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(
        set_in("incident.summary", DENSE),
        set_in("incident.safe", [DENSE, DENSE]),
        set_in("incident.actions_taken", [DENSE, DENSE])))
    hit = [f for f in found if f.rule_id == "plain.readability"]
    assert [f.severity for f in hit] == ["warning"]
    assert hit[0].message.startswith("the plain-text body reads at US grade ")


def test_non_english_locales_are_not_scored(tmp_path: Path) -> None:
    # render's built-in wording is English only: a French notice comes from translated
    # templates (--templates), so the English notice is relabelled here.
    sheet, notice = notice_for(tmp_path, edits(
        set_in("incident.summary", DENSE), set_in("incident.safe", [DENSE, DENSE])))
    assert "plain.readability" in checked(sheet, notice)
    assert "plain.readability" not in checked(sheet, dataclasses.replace(notice, locale="fr-FR"))
