"""Deadlines from discovered_at and each audience's jurisdictions, with time left at an injected now,
met or late once incident.authorities records the recipient was told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from check_helpers import Edit, edits, set_in, sheet_from

from notifier.deadlines import (
    NOT_COMPUTED,
    RECIPIENTS,
    Deadline,
    deadlines_for,
    duration,
    hours,
    parse_now,
    recipient_zone,
)
from notifier.errors import UsageError
from notifier.law import reference

NOW = "2025-04-23T09:30:00+01:00"  # 24 hours after MINIMAL's discovered_at
#: Data every US state's law and Singapore's name: MINIMAL's names and emails bring in none.
SENSITIVE = set_in("incident.data_involved", ["name", "email", "bank_account"])


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
    # Names and email addresses alone are not a high risk: the ICO is told, the readers need
    # not be (UK GDPR Art. 34(1)); bank details make it one.
    assert "uk.deadline.individuals" not in found
    risky = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["GB"]), SENSITIVE),
                       name="risky.yaml")
    people = by_id(deadlines_for(risky, now=NOW))["uk.deadline.individuals"]
    assert (people.due, people.counting) == (None, "asap")
    assert people.left_text() == "as soon as practicable; 1 d 0 h elapsed"


def test_eu_codes_bring_in_the_gdpr_72_hours(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, set_in("audiences.0.jurisdictions", ["FR", "DE"]))
    assert by_id(deadlines_for(sheet, now=NOW))["gdpr.deadline.sa"].due == datetime(
        2025, 4, 25, 8, 30, tzinfo=UTC)


def test_singapore_pdpc_three_calendar_days_from_the_day_after(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(set_in("incident.discovered_at", "2025-01-01T10:00:00+08:00"),
                                       set_in("audiences.0.jurisdictions", ["SG"]), SENSITIVE))
    found = by_id(deadlines_for(sheet, now="2025-01-05T00:00:00+08:00"))
    pdpc = found["sg.deadline.pdpc"]
    assert pdpc.as_dict()["due_local"] == "2025-01-04T23:59:59+08:00"  # assessed 1 Jan: by 4 Jan
    assert pdpc.left_text() == "overdue by 1 s"
    assert "not before sg.deadline.pdpc" in found["sg.deadline.individuals"].note


def test_california_30_days_applies_from_2026(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(set_in("incident.discovered_at", "2026-02-10T09:00:00-08:00"),
                                       set_in("audiences.0.jurisdictions", ["US-CA"]),
                                       set_in("notice_date", "2026-02-20"), SENSITIVE))
    found = by_id(deadlines_for(sheet, now="2026-02-11T09:00:00-08:00"))
    people = found["ca.deadline.individuals"]
    assert people.as_dict()["due_local"] == "2026-03-12T23:59:59-07:00"
    assert people.left_text() == "notices dated 2026-02-20: in time"
    # The AG's 15 days count from the notices' date: day 1 is the day after.
    assert found["ca.deadline.ag"].as_dict()["due_local"] == "2026-03-07T23:59:59-08:00"
    undated = sheet_from(tmp_path, edits(set_in("incident.discovered_at", "2026-02-10T09:00:00-08:00"),
                                         set_in("audiences.0.jurisdictions", ["US-CA"]),
                                         set_in("audiences.0.notice", "staff_notice"),
                                         SENSITIVE), name="undated.yaml")
    assert "ca.deadline.ag" not in by_id(deadlines_for(undated, now=NOW))
    before = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-CA"]),
                                        set_in("notice_date", "2025-05-02"), SENSITIVE),
                        name="old.yaml")
    old = by_id(deadlines_for(before, now=NOW))["ca.deadline.individuals"]
    assert (old.counting, old.due) == ("asap", None)
    assert old.note.startswith("the fixed period applies to breaches found from 2026-01-01")


def test_thresholds_use_audience_sizes(tmp_path: Path) -> None:
    small = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-TX"]),
                                       set_in("audiences.0.size", 100), SENSITIVE))
    assert set(by_id(deadlines_for(small, now=NOW))) == {"tx.deadline.individuals"}
    unknown = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-TX"]), SENSITIVE),
                         name="u.yaml")
    ag = by_id(deadlines_for(unknown, now=NOW))["tx.deadline.ag"]
    assert ag.note == ("applies when at least 250 residents are affected (audience sizes not all "
                       "known)")
    assert not ag.certain
    assert ag.as_dict()["due_local"] == "2025-05-22T23:59:59-05:00"
    large = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-TX"]),
                                       set_in("audiences.0.size", 20_000), SENSITIVE), name="l.yaml")
    found = by_id(deadlines_for(large, now=NOW))
    assert found["tx.deadline.ag"].certain and found["tx.deadline.cra"].certain


def test_residents_are_counted_per_state(tmp_path: Path) -> None:
    """An audience in Texas and Florida may hold any share of its 2,000 people in either:
    the duties whose threshold only the whole would pass may apply, and say so."""
    sheet = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-TX", "US-FL"]),
                                       set_in("audiences.0.size", 2_000), SENSITIVE))
    found = by_id(deadlines_for(sheet, now=NOW))
    assert not found["tx.deadline.ag"].certain and not found["fl.deadline.cra"].certain
    assert "several places" in found["fl.deadline.department"].note
    split = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-FL"]),
                                       set_in("audiences.0.size", 2_000), SENSITIVE), name="fl.yaml")
    assert by_id(deadlines_for(split, now=NOW))["fl.deadline.cra"].certain


def test_hipaa_media_notice_counts_residents_of_one_state(tmp_path: Path) -> None:
    def audiences(data: dict[str, object]) -> None:
        data["audiences"] = [
            {"id": f"patients-{s.lower()}", "name": f"Patients in {s}", "notice": "incident",
             "jurisdictions": [f"US-{s}"], "size": 400} for s in ("TX", "FL")]

    base = edits(set_in("organisation.hipaa_covered", True),
                 set_in("incident.data_involved", ["name", "health"]), audiences)
    spread = by_id(deadlines_for(sheet_from(tmp_path, base), now=NOW))
    assert "hipaa.deadline.media" not in spread  # 800 in all, but no state over 500
    assert "hipaa.deadline.hhs_large" in spread  # 800 individuals in all
    one = sheet_from(tmp_path, edits(base, set_in("audiences.0.size", 501)), name="one.yaml")
    assert by_id(deadlines_for(one, now=NOW))["hipaa.deadline.media"].certain


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

    found = deadlines_for(sheet_from(tmp_path, edits(two, SENSITIVE)), now=NOW)
    assert [d.id for d in found] == ["uk.deadline.ico", "sg.deadline.pdpc", "sg.deadline.assessment",
                                     "sg.deadline.individuals", "uk.deadline.individuals"]
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


# -- deadlines met or late: incident.authorities with notified_at -----------------------------

ICO = "Information Commissioner's Office"
LATER = "2025-05-01T09:30:00+01:00"


def told(name: str, at: str | None = None) -> dict[str, str]:
    return {"name": name, "notified_at": at} if at else {"name": name}


def uk_told(*authorities: dict[str, str]) -> Edit:
    return edits(set_in("audiences.0.jurisdictions", ["GB"]),
                 set_in("incident.authorities", list(authorities)))


def test_an_ico_told_within_72_hours_is_met_not_overdue(tmp_path: Path) -> None:
    before = by_id(deadlines_for(sheet_from(tmp_path, uk_told()), now=LATER))["uk.deadline.ico"]
    assert (before.left_text(), before.outcome, before.told_at) == ("overdue by 6 d 0 h", None, None)
    sheet = sheet_from(tmp_path, uk_told(told(ICO, "2025-04-23T12:00:00+01:00")), "told.yaml")
    ico = by_id(deadlines_for(sheet, now=LATER))["uk.deadline.ico"]
    assert ico.left_text() == "told 2025-04-23 12:00 BST (UTC+01:00), 26 h 30 min after discovery: in time"
    assert (ico.outcome, ico.told, ico.time_left) == ("in time", (ICO,), timedelta(hours=45, minutes=30))
    data = ico.as_dict()
    assert (data["told_at"], data["outcome"], data["told_after_seconds"]) == (
        "2025-04-23T12:00:00+01:00", "in time", 26 * 3600 + 1800)
    assert data["left"] == ico.left_text() and data["told"] == [ICO]


def test_an_ico_told_after_72_hours_is_late(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, uk_told(told(ICO, "2025-04-26T10:30:00+01:00")))
    ico = by_id(deadlines_for(sheet, now=LATER))["uk.deadline.ico"]
    assert ico.left_text() == "told 2025-04-26 10:30 BST (UTC+01:00): 1 d 1 h late"
    assert ico.outcome == "late" and ico.time_left == -timedelta(days=1, hours=1)


def test_an_authority_without_notified_at_or_told_after_now_does_not_count(tmp_path: Path) -> None:
    listed = by_id(deadlines_for(sheet_from(tmp_path, uk_told(told(ICO))), now=LATER))
    assert listed["uk.deadline.ico"].left_text() == "overdue by 6 d 0 h"
    assert listed["uk.deadline.ico"].notes == (
        f"incident.authorities lists {ICO} without notified_at: add it to show whether this "
        "deadline was met",)
    future = sheet_from(tmp_path, uk_told(told(ICO, "2025-04-24T09:00:00+01:00")), "future.yaml")
    ico = by_id(deadlines_for(future, now=NOW))["uk.deadline.ico"]
    assert (ico.outcome, ico.left_text()) == (None, "2 d 0 h left")
    assert "not counted yet" in ico.note
    assert by_id(deadlines_for(future, now=LATER))["uk.deadline.ico"].outcome == "in time"


@pytest.mark.parametrize(("codes", "deadline", "name", "met"), [
    (["GB"], "uk.deadline.ico", "Information Commissioner's Office", True),
    (["GB"], "uk.deadline.ico", "ICO", True),
    (["GB"], "uk.deadline.ico", "Office of the Australian Information Commissioner", False),
    (["GB"], "uk.deadline.ico", "National Cyber Security Centre", False),
    (["IE"], "gdpr.deadline.sa", "Data Protection Commission", True),
    (["FR"], "gdpr.deadline.sa", "CNIL", True),
    (["DE"], "gdpr.deadline.sa", "Der Hamburgische Beauftragte für Datenschutz", True),
    (["IE"], "gdpr.deadline.sa", "Personal Data Protection Commission", False),
    (["SG"], "sg.deadline.pdpc", "Personal Data Protection Commission", True),
    (["SG"], "sg.deadline.pdpc", "Data Protection Commission", False),
    (["AU"], "au.deadline.oaic", "Office of the Australian Information Commissioner", True),
    (["AU"], "au.deadline.oaic", "Information Commissioner's Office", False),
    (["CA"], "pipeda.deadline.commissioner", "Office of the Privacy Commissioner of Canada", True),
    (["US-TX"], "tx.deadline.ag", "Office of the Texas Attorney General", True),
    (["US-TX"], "tx.deadline.ag", "California Attorney General", False),
    (["US-CA"], "ca.deadline.ag", "Attorney General", True),
    (["US-FL"], "fl.deadline.department", "Florida Department of Legal Affairs", True),
    (["US-CT"], "ct.deadline.ag", "Connecticut Attorney General", True),
    (["US-CT"], "ct.deadline.ag", "Delaware Attorney General", False),
])
def test_authorities_are_matched_to_their_deadline_by_name(tmp_path: Path, codes: list[str],
                                                          deadline: str, name: str, met: bool) -> None:
    sheet = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", codes),
                                       set_in("notice_date", "2025-05-02"), SENSITIVE,
                                       set_in("audiences.0.size", 1_000),
                                       set_in("incident.authorities",
                                              [told(name, "2025-04-22T17:30:00+01:00")])))
    found = by_id(deadlines_for(sheet, now=LATER))[deadline]
    assert (found.told_at is not None) is met
    if met and found.anchor_kind == "individual_notice_sent":  # counted from the notices
        assert found.left_text().endswith(": in time") and "after" not in found.left_text()
    elif met and found.due is not None:
        assert found.left_text().endswith(", 8 h after discovery: in time")
    elif met:  # no fixed deadline (ASAP, or counted from the individual notices)
        assert found.left_text().endswith(", 8 h after discovery")


def test_a_deadline_with_several_recipients_is_met_when_all_are_told(tmp_path: Path) -> None:
    agencies = ["New York Attorney General", "New York Department of State",
                "New York State Police"]
    first = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-NY"]), SENSITIVE,
                                       set_in("incident.authorities", [told(agencies[0], LATER)])))
    ny = by_id(deadlines_for(first, now=LATER))["ny.deadline.state_agencies"]
    assert ny.outcome is None
    assert ny.notes[-1] == ("told so far: New York Attorney General; still to tell: the Department "
                            "of State, the Division of State Police")
    every = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["US-NY"]), SENSITIVE,
                                       set_in("incident.authorities", [told(a, LATER) for a in agencies])),
                       "all.yaml")
    assert by_id(deadlines_for(every, now=LATER))["ny.deadline.state_agencies"].outcome == "told"


def test_every_regulator_deadline_names_the_authorities_that_meet_it() -> None:
    regulator = {d["id"] for e in reference()["jurisdictions"] for d in e["deadlines"]
                 if d["recipient"] not in ("individuals", "internal", "record")
                 and d["id"] not in NOT_COMPUTED}
    assert regulator == set(RECIPIENTS)


def test_singapore_pdpc_told_eight_hours_after_discovery_is_met(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(
        set_in("incident.discovered_at", "2024-09-25T10:00:00+08:00"),
        set_in("notice_date", "2024-09-26"),
        set_in("audiences.0.jurisdictions", ["SG"]), SENSITIVE,
        set_in("incident.authorities", [told("Personal Data Protection Commission",
                                             "2024-09-25T18:00:00+08:00")])))
    pdpc = by_id(deadlines_for(sheet, now=NOW))["sg.deadline.pdpc"]
    assert pdpc.left_text() == "told 2024-09-25 18:00 UTC+08:00, 8 h after discovery: in time"


def test_singapore_had_no_fixed_period_before_2021(tmp_path: Path) -> None:
    """PDPA Part 6A commenced on 1 February 2021: a breach found in 2020 had no 3-day clock."""
    sheet = sheet_from(tmp_path, edits(
        set_in("incident.discovered_at", "2020-09-25T10:00:00+08:00"),
        set_in("audiences.0.jurisdictions", ["SG"]), SENSITIVE))
    pdpc = by_id(deadlines_for(sheet, now=NOW))["sg.deadline.pdpc"]
    assert pdpc.due is None
    assert "the fixed period applies to breaches found from 2021-02-01" in pdpc.notes


# -- the zone due times are shown in ----------------------------------------------------------

@pytest.mark.parametrize(("codes", "authorities", "zone", "due_local"), [
    (["IE"], [], "Europe/Dublin", "2025-04-25T09:30:00+01:00"),
    (["FI"], [], "Europe/Helsinki", "2025-04-25T11:30:00+03:00"),
    (["FR", "DE"], [], "UTC+01:00", "2025-04-25T09:30:00+01:00"),  # two zones: discovery's offset
    (["FR", "DE"], [told("Data Protection Commission")], "Europe/Dublin",
     "2025-04-25T09:30:00+01:00"),
])
def test_the_eu_deadline_is_shown_in_the_supervisory_authoritys_zone(
        tmp_path: Path, codes: list[str], authorities: list[dict[str, str]], zone: str,
        due_local: str) -> None:
    sheet = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", codes),
                                       set_in("incident.authorities", authorities)))
    sa = by_id(deadlines_for(sheet, now=NOW))["gdpr.deadline.sa"]
    assert (sa.zone, sa.as_dict()["due_local"]) == (zone, due_local)
    assert sa.due == datetime(2025, 4, 25, 8, 30, tzinfo=UTC)


def test_the_eu_zone_is_never_utc_unless_discovery_was(tmp_path: Path) -> None:
    sheet = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["IE"]),
                                       set_in("incident.discovered_at", "2025-01-10T09:30:00Z")))
    sa = by_id(deadlines_for(sheet, now=NOW))["gdpr.deadline.sa"]
    assert f"{sa.due_local():%Y-%m-%d %H:%M %Z}" == "2025-01-13 09:30 GMT"
    assert recipient_zone("gdpr", sheet, []) == "UTC"


def test_hours() -> None:
    assert hours(timedelta(hours=8)) == "8 h"
    assert hours(timedelta(hours=26, minutes=30)) == "26 h 30 min"
    assert hours(timedelta(minutes=42)) == "42 min"
    assert hours(timedelta(days=5, hours=2)) == "5 d 2 h"


def test_clock_times_carry_their_offset_beside_an_ambiguous_abbreviation() -> None:
    from zoneinfo import ZoneInfo

    from notifier.deadlines import clock

    dublin = datetime(2025, 9, 18, 17, 40, tzinfo=ZoneInfo("Europe/Dublin"))
    assert clock(dublin) == "2025-09-18 17:40 IST (UTC+01:00)"
    assert clock(datetime(2025, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Singapore"))) == \
        "2025-01-01 09:00 UTC+08:00"


def test_a_missed_regulator_deadline_without_reasons_is_an_error(tmp_path: Path) -> None:
    from notifier.checks.report import check_sheets

    path = tmp_path / "late.yaml"
    write = sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["GB"])), name="late.yaml")
    assert write is not None
    late = check_sheets([path], now="2025-05-30T09:00:00+01:00")  # weeks after discovery
    (finding,) = [f for f in late.findings if f.rule_id == "x.late_without_reasons"]
    assert finding.severity == "error"
    assert "the Information Commissioner's Office (uk.deadline.ico) was not told in time" in \
        finding.message
    assert "gdpr.art33.reg.delay_reasons" in finding.message
    in_time = check_sheets([path], now="2025-04-22T12:00:00+01:00")
    assert "x.late_without_reasons" not in {f.rule_id for f in in_time.findings}
    sheet_from(tmp_path, edits(set_in("audiences.0.jurisdictions", ["GB"]),
                               set_in("incident.delay_reasons", "We needed time to confirm it.")),
               name="late.yaml")
    explained = check_sheets([path], now="2025-05-30T09:00:00+01:00")
    assert "x.late_without_reasons" not in {f.rule_id for f in explained.findings}
