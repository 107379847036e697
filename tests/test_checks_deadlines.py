"""Deadlines from discovered_at and each audience's jurisdictions, with time left at an injected now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from check_helpers import edits, set_in, sheet_from

from notifier.checks.deadlines import Deadline, deadlines_for, duration, parse_now
from notifier.errors import UsageError

NOW = "2025-04-23T09:30:00+01:00"  # 24 hours after MINIMAL's discovered_at


def by_id(found: list[Deadline]) -> dict[str, Deadline]:
    return {d.id: d for d in found}


def test_no_jurisdictions_no_deadlines(tmp_path: Path) -> None:
    assert deadlines_for(sheet_from(tmp_path), now=NOW) == []


def test_uk_ico_is_72_elapsed_hours_and_individuals_asap(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, set_in("audiences.0.jurisdictions", ["GB"]))
    found = by_id(deadlines_for(sheet, now=NOW))
    ico = found["uk.deadline.ico"]
    assert ico.due == datetime(2025, 4, 25, 8, 30, tzinfo=UTC)
    assert ico.time_left == timedelta(hours=48)
    assert ico.left_text() == "2 d 0 h left"
    assert ico.as_dict()["due_local"] == "2025-04-25T09:30:00+01:00"
    people = found["uk.deadline.individuals"]
    assert (people.due, people.counting) == (None, "asap")
    assert people.left_text() == "as soon as practicable; 1 d 0 h elapsed"


def test_eu_codes_bring_in_the_gdpr_72_hours(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, set_in("audiences.0.jurisdictions", ["FR", "DE"]))
    assert by_id(deadlines_for(sheet, now=NOW))["gdpr.deadline.sa"].due == datetime(
        2025, 4, 25, 8, 30, tzinfo=UTC)


def test_singapore_pdpc_three_calendar_days_from_the_day_after(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(set_in("incident.discovered_at", "2025-01-01T10:00:00+08:00"),
                                       set_in("audiences.0.jurisdictions", ["SG"])))
    found = by_id(deadlines_for(sheet, now="2025-01-05T00:00:00+08:00"))
    pdpc = found["sg.deadline.pdpc"]
    assert pdpc.as_dict()["due_local"] == "2025-01-04T23:59:59+08:00"  # assessed 1 Jan: by 4 Jan
    assert pdpc.left_text() == "overdue by 1 s"
    assert "not before sg.deadline.pdpc" in found["sg.deadline.individuals"].note


def test_california_30_days_applies_from_2026(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(set_in("incident.discovered_at", "2026-02-10T09:00:00-08:00"),
                                       set_in("audiences.0.jurisdictions", ["US-CA"])))
    found = by_id(deadlines_for(sheet, now="2026-02-11T09:00:00-08:00"))
    assert found["ca.deadline.individuals"].as_dict()["due_local"] == "2026-03-12T23:59:59-07:00"
    assert found["ca.deadline.ag"].counting == "after_notices"
    assert "15 calendar days after the individual notices are sent" in found["ca.deadline.ag"].note
    before = sheet_from(tmp_path, set_in("audiences.0.jurisdictions", ["US-CA"]), name="old.yaml")
    old = by_id(deadlines_for(before, now=NOW))["ca.deadline.individuals"]
    assert (old.counting, old.due) == ("asap", None)
    assert old.note.startswith("the fixed period applies to breaches found from 2026-01-01")


def test_thresholds_use_audience_sizes(tmp_path: Path) -> None:
    small = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-TX"]),
                                       set_in("audiences.0.size", 100)))
    assert set(by_id(deadlines_for(small, now=NOW))) == {"tx.deadline.individuals"}
    unknown = sheet_from(tmp_path, set_in("audiences.0.jurisdictions", ["US-TX"]), name="u.yaml")
    ag = by_id(deadlines_for(unknown, now=NOW))["tx.deadline.ag"]
    assert ag.note == "applies when at least 250 people are affected (audience sizes not all known)"
    assert ag.as_dict()["due_local"] == "2025-05-22T23:59:59-05:00"


def test_hipaa_deadlines_for_a_covered_entity_with_health_data(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(
        set_in("organisation.hipaa_covered", True),
        set_in("incident.data_involved", ["name", "health"]),
        set_in("audiences.0.jurisdictions", ["US-FL"]), set_in("audiences.0.size", 40)))
    found = by_id(deadlines_for(sheet, now=NOW))
    assert found["hipaa.deadline.individuals"].as_dict()["due_local"] == "2025-06-21T23:59:59-04:00"
    assert found["hipaa.deadline.hhs_small"].as_dict()["due_local"] == "2026-03-01T23:59:59-05:00"
    assert "hipaa.deadline.hhs_large" not in found
    not_covered = sheet_from(tmp_path, edits(set_in("incident.data_involved", ["name", "health"]),
                                             set_in("audiences.0.jurisdictions", ["US-FL"])), "n.yaml")
    assert not any(d.id.startswith("hipaa.") for d in deadlines_for(not_covered, now=NOW))


def test_deadlines_merge_audiences_and_sort_soonest_first(tmp_path: Path) -> None:
    def two(data: dict[str, object]) -> None:
        audiences = data["audiences"]
        assert isinstance(audiences, list)
        audiences[0]["jurisdictions"] = ["GB", "SG"]
        audiences.append({"id": "staff", "name": "Staff", "notice": "incident", "jurisdictions": ["GB"]})

    found = deadlines_for(sheet_from(tmp_path, two), now=NOW)
    assert [d.id for d in found] == ["uk.deadline.ico", "sg.deadline.pdpc", "sg.deadline.individuals",
                                     "uk.deadline.individuals"]
    assert found[0].audiences == ("customers", "staff")


@pytest.mark.parametrize(("text", "message"), [
    ("yesterday", "--now 'yesterday' is not an ISO timestamp; write e.g. 2025-05-01T12:00:00+01:00"),
    ("2025-05-01T12:00:00", "--now '2025-05-01T12:00:00' has no UTC offset; add one, e.g. "
                            "2025-05-01T12:00:00+00:00"),
])
def test_bad_now_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_now(text)
    assert str(info.value) == message


def test_parse_now_and_duration() -> None:
    assert parse_now("2025-05-01T12:00:00Z") == datetime(2025, 5, 1, 12, tzinfo=UTC)
    assert parse_now(None).tzinfo is not None
    assert duration(timedelta(days=3, hours=5, minutes=7)) == "3 d 5 h"
    assert duration(timedelta(hours=2, minutes=42)) == "2 h 42 min"
    assert duration(timedelta(minutes=42)) == "42 min"
