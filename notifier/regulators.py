"""Supervisory authorities and their notification deadlines, for the regulator_report draft.

Each rule cites its element ID in ../shared/law/requirements.yaml. The anchor is always
``incident.discovered_at`` (the law's anchor_default: conservative, never later than the law).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

EU_CODES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})


@dataclass(frozen=True)
class Regulator:
    """A supervisory authority and the rule for when it must be told."""

    name: str
    rule_id: str
    citation: str
    wording: str
    codes: frozenset[str] = frozenset()  # the jurisdictions whose readers it answers for
    packs: tuple[str, ...] = ()  # element-ID prefixes of ../shared/law that apply to it
    hours: int | None = None  # elapsed hours after discovery
    calendar_days: int | None = None  # due by the end of the Nth day after discovery
    #: What the draft says the deadline is counted from, when the law's own start is later.
    anchor: str = "counted from when we found the breach"

    def deadline(self, discovered: datetime) -> datetime | None:
        """Return when the authority must be told, or None when the law sets no fixed period."""
        if self.hours is not None:
            return discovered + timedelta(hours=self.hours)
        if self.calendar_days is not None:
            last_day = discovered.date() + timedelta(days=self.calendar_days)
            return datetime.combine(last_day, time(23, 59), tzinfo=discovered.tzinfo)
        return None


_ICO = Regulator("Information Commissioner's Office (ICO)", "uk.deadline.ico",
                 "UK GDPR Art. 33(1)", "without undue delay and within 72 hours of discovery",
                 frozenset({"GB"}), ("gdpr", "uk"), hours=72)
_EU = Regulator("the lead supervisory authority", "gdpr.deadline.sa", "GDPR Art. 33(1)",
                "without undue delay and, where feasible, within 72 hours of becoming aware",
                EU_CODES, ("gdpr",), hours=72)
_PDPC = Regulator("Personal Data Protection Commission (PDPC)", "sg.deadline.pdpc",
                  "PDPA s. 26D(1)", "no later than 3 calendar days after the assessment that "
                  "the breach is notifiable", frozenset({"SG"}), ("sg",), calendar_days=3,
                  anchor="counted, to be safe, from when we found the breach (the assessment "
                  "that it is notifiable cannot come earlier)")
_OAIC = Regulator("Office of the Australian Information Commissioner (OAIC)", "au.deadline.oaic",
                  "Privacy Act s. 26WK(2)(b)", "as soon as practicable", frozenset({"AU"}), ("au",))
_OPC = Regulator("Office of the Privacy Commissioner of Canada", "pipeda.deadline.commissioner",
                 "PIPEDA s. 10.1(2)", "as soon as feasible", frozenset({"CA"}), ("pipeda",))


def regulator_for(jurisdiction: str) -> Regulator | None:
    """Return the supervisory authority for a jurisdiction code, if this tool knows one."""
    if jurisdiction == "GB":
        return _ICO
    if jurisdiction in EU_CODES:
        return _EU
    return {"SG": _PDPC, "AU": _OAIC, "CA": _OPC}.get(jurisdiction)


def first_regulator(jurisdictions: list[str]) -> Regulator | None:
    """Return the authority of the first jurisdiction that has one."""
    for code in jurisdictions:
        found = regulator_for(code)
        if found:
            return found
    return None
