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
