"""Consistency rules: what a notice says agrees with the facts; render's refusals become findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from check_helpers import edits, findings_for, rule_ids, set_in

from notifier.checks import errors


def test_the_minimal_sheet_has_no_consistency_findings(tmp_path: Path) -> None:
    found = findings_for(tmp_path)
    assert {i for i in rule_ids(found) if i.startswith("consistency.")} == set()


@pytest.mark.parametrize(("edit", "rule"), [
    (edits(set_in("audiences.0.notice", "no_action_needed"),
           set_in("incident.data_involved", ["name", "password_hash"])),
     "consistency.no_action.calls_for_action"),
    (edits(set_in("audiences.0.notice", "no_action_needed"), set_in("incident.misuse", "confirmed")),
     "consistency.no_action.misuse_confirmed"),
    (set_in("audiences.0.notice", "password_reset"), "consistency.password_reset.no_password_data"),
])
def test_render_refusals_are_reported_as_findings(tmp_path: Path, edit: object, rule: str) -> None:
    found = findings_for(tmp_path, edit)  # type: ignore[arg-type]
    assert rule in rule_ids(found, "error")
    refusal = next(f for f in found if f.rule_id == rule)
    assert (refusal.audience, refusal.sheet) == ("customers", "acme-2025")
    assert refusal.fix  # the refusal's own hint, reused


def test_refusal_rules_pass_when_the_notice_fits(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(
        set_in("audiences.0.notice", "password_reset"),
        set_in("incident.data_involved", ["email", "password_hash"])))
    assert not rule_ids(found) & {"consistency.password_reset.no_password_data",
                                  "consistency.refused"}


def test_a_safe_line_that_denies_involved_data_is_a_warning(tmp_path: Path) -> None:
    """Reading the author's sentences is a second opinion: a warning, never a refusal."""
    found = findings_for(tmp_path, set_in("incident.safe", ["Your email address was not affected."]))
    hit = [f for f in found if f.rule_id == "consistency.not_involved_contradiction"]
    assert [f.severity for f in hit] == ["warning"]
    assert hit[0].message == ("the notice says 'Your email address was not affected.', which reads "
                              "as a denial, but the sheet lists email as involved for this audience")


@pytest.mark.parametrize("sentence", [
    "There is no sign that anyone outside the company saw the log or misused any email address.",
    "We have no evidence that email addresses were taken.",
    "Email addresses may have been copied.",
])
def test_true_reassurance_is_no_finding(tmp_path: Path, sentence: str) -> None:
    """Sentences that deny misuse, or hedge, are true beside an involved category."""
    found = findings_for(tmp_path, set_in("incident.safe", [sentence]))
    assert "consistency.not_involved_contradiction" not in rule_ids(found)


def test_a_not_involved_list_naming_involved_data_is_an_error(tmp_path: Path) -> None:
    """The list itself is built from the sheet: a template that lists involved data as not
    involved is caught by construction."""
    import dataclasses

    from check_helpers import checked, notice_for

    from notifier.blocks import Block

    sheet, notice = notice_for(tmp_path)
    blocks = tuple(Block(b.name, b.part, b.text + " Contact details: your email address", b.section)
                   if b.name == "data.not_involved" else b for b in notice.blocks)
    assert "consistency.not_involved_contradiction" not in checked(sheet, notice)
    bad = dataclasses.replace(notice, blocks=blocks)
    assert "consistency.not_involved_contradiction" in checked(sheet, bad)


def test_a_safe_line_about_other_data_passes(tmp_path: Path) -> None:
    found = findings_for(tmp_path, set_in("incident.safe", ["Your password was not affected."]))
    assert "consistency.not_involved_contradiction" not in rule_ids(found)


def test_reassuring_wording_with_confirmed_misuse_is_an_error(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(
        set_in("incident.misuse", "confirmed"),
        set_in("incident.safe", ["There is no evidence that your details have been misused."])))
    assert "consistency.misuse_confirmed_reassuring" in rule_ids(errors(found))


def test_confirmed_misuse_with_plain_wording_passes(tmp_path: Path) -> None:
    found = findings_for(tmp_path, set_in("incident.misuse", "confirmed"))
    assert "consistency.misuse_confirmed_reassuring" not in rule_ids(found)


def test_resolved_without_actions_is_an_error(tmp_path: Path) -> None:
    found = findings_for(tmp_path, set_in("incident.status", "resolved"))
    hit = [f for f in found if f.rule_id == "consistency.resolved_without_actions"]
    assert [f.severity for f in hit] == ["error"]
    assert hit[0].fix == "list what you did under incident.actions_taken"


def test_resolved_with_actions_passes(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(set_in("incident.status", "resolved"),
                                         set_in("incident.actions_taken", ["We fixed the fault."])))
    assert "consistency.resolved_without_actions" not in rule_ids(found)


SUMMARY_RULE = "consistency.summary_names_uninvolved_data"


def test_a_summary_that_names_data_listed_as_not_involved_is_an_error(tmp_path: Path) -> None:
    # The minimal sheet lists payment_card_number as not involved.
    found = findings_for(tmp_path, set_in(
        "incident.summary", "Criminals copied customer card numbers from our website."))
    hit = [f for f in found if f.rule_id == SUMMARY_RULE]
    assert [(f.severity, f.field) for f in hit] == [("error", ("incident", "summary"))]
    assert "payment_card_number as not involved" in hit[0].message


def test_a_summary_that_names_data_listed_nowhere_is_a_warning(tmp_path: Path) -> None:
    found = findings_for(tmp_path, set_in(
        "incident.summary", "Someone copied our customers' passwords."))
    hit = [f for f in found if f.rule_id == SUMMARY_RULE]
    assert [f.severity for f in hit] == ["warning"]
    assert "password_hash or password_plaintext" in hit[0].message


@pytest.mark.parametrize("summary", [
    "Someone copied names and email addresses from one of our systems.",  # involved
    "Card numbers were not affected.",  # a denial, not a claim
    "Card numbers weren't affected.",
    "Card numbers weren’t affected.",
    "We reset every colleague's password and paused card transactions.",  # no data reached
    "Someone got into one of our systems without permission.",
])
def test_a_summary_that_agrees_with_the_data_passes(tmp_path: Path, summary: str) -> None:
    found = findings_for(tmp_path, set_in("incident.summary", summary))
    assert SUMMARY_RULE not in rule_ids(found)


def test_render_refuses_at_the_summary_line(tmp_path: Path) -> None:
    from notifier.commands import render
    from tests.conftest import MINIMAL

    sheet = tmp_path / "s.yaml"
    sheet.write_text(MINIMAL.replace("Someone got into one of our systems without permission.",
                                     "Criminals copied card numbers."), encoding="utf-8")
    report = render([sheet], outbox=tmp_path / "out")
    (outcome,) = report.outcomes
    (problem,) = outcome.refused["customers"].problems
    assert (problem.line, problem.field) == (14, "incident.summary")
    assert not (tmp_path / "out" / "acme-2025" / "customers").exists()


def test_a_summary_finding_is_reported_once_for_all_audiences(tmp_path: Path) -> None:
    from check_helpers import sheet_from

    from notifier.checks import run_checks
    from notifier.render import render_sheet

    sheet = sheet_from(tmp_path, edits(
        set_in("incident.summary", "Criminals copied card numbers."),
        set_in("audiences", [{"id": "customers", "name": "Customers", "notice": "incident"},
                             {"id": "partners", "name": "Partners", "notice": "incident"}])))
    found = [f for f in run_checks(sheet, render_sheet(sheet)) if f.rule_id == SUMMARY_RULE]
    assert [(f.audience, f.notice) for f in found] == [("customers, partners", "incident")]
