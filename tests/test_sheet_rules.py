"""Cross-field rules and YAML pitfalls beyond the bad-input table."""

from __future__ import annotations

import pytest
from conftest import MINIMAL

from notifier.errors import SheetError
from notifier.sheet import parse_sheet


def problems(text: str) -> list[str]:
    with pytest.raises(SheetError) as info:
        parse_sheet(text, "s.yaml")
    return [str(p) for p in info.value.problems]


def test_unquoted_colour_is_not_silently_dropped() -> None:
    text = MINIMAL.replace("  sender:", "  brand:\n    color: #0b5fff\n  sender:")
    assert problems(text) == [
        "s.yaml:9:5: organisation.brand.color: the value starts with '#', which YAML reads as "
        "a comment, so it is empty; put the value in quotes, e.g. color: '#0b5fff'"]


def test_incident_cannot_start_after_it_was_discovered() -> None:
    text = MINIMAL.replace("  summary:", "  occurred:\n    from: 2025-04-23T09:30:00+01:00\n  summary:")
    (line,) = problems(text)
    assert line.startswith("s.yaml:15:11: incident.occurred.from: is after incident.discovered_at")


def test_password_protection_needs_password_data() -> None:
    text = MINIMAL.replace("  summary:", "  password_protection: hashed with bcrypt\n  summary:")
    (line,) = problems(text)
    assert "incident.password_protection: describes how passwords were protected" in line


def test_from_and_to_are_the_only_names_for_the_period() -> None:
    text = MINIMAL.replace("  summary:", "  occurred:\n    start: 2025-04-20T09:30:00+01:00\n  summary:")
    found = problems(text)
    assert any("incident.occurred.start: unknown field 'start'" in p for p in found)


@pytest.mark.parametrize(("code", "message"), [
    ("UK", "'UK' is not an ISO 3166-1 country code; write GB"),
    ("XX", "'XX' is not an ISO 3166-1 country code; write a two-letter code"),
    ("US-ZZ", "'US-ZZ' is not a US state or territory; write e.g. US-CA"),
])
def test_jurisdiction_codes_are_real(code: str, message: str) -> None:
    (line,) = problems(MINIMAL + f"    jurisdictions: [{code}]\n")
    assert line.startswith("s.yaml:23:21: audiences.0.jurisdictions.0: " + message)


def test_real_codes_pass() -> None:
    parse_sheet("notice_date: 2025-05-02\n" + MINIMAL
                + "    jurisdictions: [GB, IE, NO, SG, US-CA, CA]\n", "s.yaml")


def test_a_california_audience_needs_the_notice_date() -> None:
    (line,) = problems(MINIMAL + "    jurisdictions: [US-CA]\n")
    assert "audiences.0.jurisdictions: California's notice must carry its own date" in line
    assert "add `notice_date: YYYY-MM-DD`" in line


def test_text_cut_by_a_comment_is_reported() -> None:
    text = MINIMAL.replace("  status: contained", "  safe:\n    - Bookings at the front desk #and by "
                                                  "phone are fine.\n  status: contained")
    (line,) = problems(text)
    assert "incident.safe.0: the text goes on after ' #', which YAML reads as a comment" in line


def test_a_list_item_indented_too_far_is_reported() -> None:
    text = MINIMAL.replace("  status: contained", "  actions_taken:\n    - We closed the gap.\n"
                                                  "      - We told the supplier.\n  status: contained")
    (line,) = problems(text)
    assert "incident.actions_taken.0: a line starting with '- ' was joined to this text" in line


def test_attempted_access_with_data_involved_is_a_contradiction() -> None:
    (line,) = problems(MINIMAL.replace("kind: unauthorised_access", "kind: attempted_access"))
    assert "incident.kind: is attempted_access, but data_involved lists data" in line


def test_notice_date_before_discovery() -> None:
    (line,) = problems("notice_date: 2025-04-01\n" + MINIMAL)
    assert line.startswith("s.yaml:1:14: notice_date: is before incident.discovered_at")


def test_adress_suggests_postal_address() -> None:
    found = problems(MINIMAL.replace("data_involved: [name, email]", "data_involved: [name, adress]"))
    assert any("did you mean 'postal_address'?" in p for p in found)


def test_offset_hint_uses_the_t_separator() -> None:
    (line,) = problems(MINIMAL.replace("2025-04-22T09:30:00+01:00", "'2025-04-22 09:30:00'"))
    assert "e.g. 2025-04-22T09:30:00+01:00" in line


def test_text_with_a_colon_read_as_a_field_says_to_quote_it() -> None:
    text = MINIMAL.replace("  status: contained", "  safe:\n    - Note: your card details are safe.\n"
                                                  "  status: contained")
    (line,) = problems(text)
    assert line.endswith("incident.safe.0: expected text, got a mapping; the line has ': ' in it, "
                         "so YAML read it as a field; put the whole text in quotes: "
                         '"Note: your card details are safe."')


def test_a_placeholder_read_as_a_field_is_reported_as_the_placeholder() -> None:
    text = MINIMAL.replace("  status: contained", "  safe:\n    - TODO: confirm with legal\n"
                                                  "  status: contained")
    (line,) = problems(text)
    assert "incident.safe.0: contains the placeholder 'TODO'" in line


@pytest.mark.parametrize(("edit", "expected"), [
    (("data_involved: [name, email]", "data_involved: [name, email addresses]"),
     "unknown value 'email addresses'; did you mean 'email'?"),
    (("  status: contained", "  status: contained\n  affected: 5000"),
     "unknown field 'affected'; did you mean 'records'?"),
    (("    name: Customers\n", ""), "add `name: Customers in the UK` under audiences.0"),
])
def test_hints_point_the_right_way(edit: tuple[str, str], expected: str) -> None:
    (line,) = problems(MINIMAL.replace(*edit))
    assert expected in line


def test_an_audience_cannot_list_a_category_as_both_involved_and_not() -> None:
    text = MINIMAL.replace("    notice: incident\n", "    notice: incident\n"
                           "    data_involved: [name]\n    data_not_involved: [name]\n")
    (line,) = problems(text)
    assert line.startswith("s.yaml:")
    assert ("audiences.0.data_not_involved.0: 'name' is also listed as involved or possibly "
            "involved for this audience; keep it in only one of the audience's data lists") in line


def test_an_audience_not_involved_list_replaces_the_incidents() -> None:
    from notifier.render import render_notice

    mine = MINIMAL.replace("    notice: incident\n", "    notice: incident\n    data_not_involved: []\n")
    text = render_notice(parse_sheet(mine, "s.yaml"), 0).text
    assert "Not involved:" not in text
    assert "Not involved:" in render_notice(parse_sheet(MINIMAL, "s.yaml"), 0).text
