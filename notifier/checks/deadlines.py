"""Deadlines: by when the regulator and the individuals must be told, from discovered_at and each law.

Every clock starts at ``incident.discovered_at`` (the reference's ``anchor_default``:
determination and assessment never come before discovery, so this is never later than the
law allows). Counting follows the reference: ``elapsed_hours`` is exact elapsed time;
``calendar_days`` makes day 1 the day after the anchor and ends at the close of the last
day in the recipient's time zone, never extended for weekends or holidays; ``asap`` has no
fixed day and shows the time elapsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifier.checks.jurisdictions import cite, packs, reference
from notifier.errors import UsageError

if TYPE_CHECKING:
    from notifier.model import FactSheet

#: The recipient's time zone for day-counted deadlines (the earliest close of day where a
#: state spans zones: conservative).
ZONES = {"gdpr": "UTC", "uk": "Europe/London", "ca": "America/Los_Angeles",
         "ny": "America/New_York", "tx": "America/Chicago", "ma": "America/New_York",
         "fl": "America/New_York", "hipaa": "America/New_York", "sg": "Asia/Singapore",
         "au": "Australia/Sydney", "pipeda": "America/Toronto"}
_SKIP_NOTICES = frozenset({"staff_notice", "service_disruption"})
_AFTER_NOTICES = frozenset({"individual_notice_sent", "hhs_notice_sent"})


@dataclass(frozen=True)
class Deadline:
    """When one recipient must be told under one law, and how much time is left at ``now``."""

    id: str
    pack: str
    recipient: str
    counting: str  # elapsed_hours | calendar_days | asap | after_notices
    wording: str
    source: str
    status: str
    anchor: datetime
    due: datetime | None  # UTC; None when the law sets no fixed time or counts from the notices
    zone: str
    note: str
    audiences: tuple[str, ...]
    now: datetime

    @property
    def time_left(self) -> timedelta | None:
        """Time until the deadline (negative when overdue), or None without a fixed one."""
        return None if self.due is None else self.due - self.now

    @property
    def elapsed(self) -> timedelta:
        """Time since the clock started."""
        return self.now - self.anchor

    def due_local(self) -> datetime | None:
        """The deadline in the recipient's time zone."""
        return None if self.due is None else self.due.astimezone(_zone(self.zone, self.anchor))

    def left_text(self) -> str:
        """A short human description: '2 d 4 h left', 'overdue by 3 d', 'ASAP; 5 h elapsed'."""
        left = self.time_left
        if left is None:
            if self.counting == "after_notices":
                return "counts from the individual notices"
            return f"as soon as practicable; {duration(self.elapsed)} elapsed"
        if left.total_seconds() < 0:
            return f"overdue by {duration(-left)}"
        return f"{duration(left)} left"

    def as_dict(self) -> dict[str, Any]:
        """Return the deadline as plain data for JSON output."""
        local = self.due_local()
        left = self.time_left
        return {"id": self.id, "pack": self.pack, "recipient": self.recipient,
                "counting": self.counting, "wording": self.wording, "source": self.source,
                "status": self.status, "anchor": self.anchor.isoformat(),
                "due_utc": self.due.isoformat() if self.due else None,
                "due_local": local.isoformat() if local else None, "zone": self.zone,
                "seconds_left": int(left.total_seconds()) if left is not None else None,
                "elapsed_seconds": int(self.elapsed.total_seconds()), "left": self.left_text(),
                "note": self.note, "audiences": list(self.audiences)}


def duration(span: timedelta) -> str:
    """Format a duration as days and hours, or hours and minutes, or seconds."""
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest // 60} min"
    return f"{rest // 60} min" if rest >= 60 else f"{rest} s"


def parse_now(value: datetime | str | None) -> datetime:
    """Return ``value`` as an aware datetime (now when None); refuse text without a UTC offset."""
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--now {value!r} is not an ISO timestamp; write e.g. "
                             "2025-05-01T12:00:00+01:00") from None
    if value.tzinfo is None:
        raise UsageError(f"--now {value.isoformat()!r} has no UTC offset; add one, e.g. "
                         f"{value.isoformat()}+00:00")
    return value


def _zone(name: str, anchor: datetime) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # no tz database: the sender's own offset
        return anchor.tzinfo or UTC


def _end_of_day(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def _threshold_note(entry: dict[str, Any], people: int | None) -> tuple[bool, str]:
    """Return (applies, note) for an entry's headcount threshold given the people notified."""
    limit = entry.get("threshold")
    if not limit:
        return True, ""
    comparator = limit["comparator"]
    count = next(v for k, v in limit.items() if k != "comparator")
    if comparator == "gte" and count <= 1:  # any one person: no threshold to speak of
        return True, ""
    words = {"gt": "more than", "gte": "at least", "lt": "fewer than"}[comparator]
    note = f"applies when {words} {count:,} people are affected"
    if people is None:
        return True, note + " (audience sizes not all known)"
    ok = {"gt": people > count, "gte": people >= count, "lt": people < count}[comparator]
    return ok, note


def _due(entry: dict[str, Any], anchor: datetime, zone: tzinfo) -> tuple[str, datetime | None, str]:
    """Return (counting, due, note) for one deadline entry."""
    counting, offset = entry["counting"], entry.get("offset")
    since = entry.get("effective_from")
    if since and anchor.date() < date.fromisoformat(since):
        return "asap", None, f"the fixed period applies to breaches found from {since}"
    if entry["anchor"] in _AFTER_NOTICES:
        days = offset["amount"] if offset else 0
        return "after_notices", None, (f"{days} calendar days after the individual notices are "
                                       "sent" if days else "at the same time as the individual "
                                       "notices")
    if counting == "elapsed_hours" and offset:
        return counting, (anchor + timedelta(hours=offset["amount"])).astimezone(UTC), ""
    if counting == "calendar_days" and offset:
        start = anchor.astimezone(zone).date()
        if entry["anchor"] == "calendar_year_end":
            start = date(start.year, 12, 31)
        return counting, _end_of_day(start + timedelta(days=offset["amount"]), zone), ""
    return "asap", None, ""


def deadlines_for(sheet: FactSheet, *, now: datetime | str | None = None) -> list[Deadline]:
    """Return every deadline the sheet's audiences bring in, soonest first.

    Args:
        sheet: a validated fact sheet.
        now: the moment time left is measured from (default: the current time); an aware
            datetime or ISO text with a UTC offset.

    Raises:
        UsageError: ``now`` is not an ISO timestamp with a UTC offset.
    """
    moment = parse_now(now)
    anchor = sheet.incident.discovered_at
    found: dict[tuple[str, datetime | None], Deadline] = {}
    for pack in packs():
        audiences = [a for a in sheet.audiences
                     if a.notice not in _SKIP_NOTICES and pack.applies(sheet, a)]
        if not audiences:
            continue
        sizes = [a.size for a in audiences]
        people = sum(s for s in sizes if s is not None) if None not in sizes else None
        data = next(e for e in reference()["jurisdictions"] if e["id"] == pack.id)
        zone_name = ZONES[pack.id]
        zone = _zone(zone_name, anchor)
        for entry in data["deadlines"]:
            applies, note = _threshold_note(entry, people)
            if not applies:
                continue
            counting, due, extra = _due(entry, anchor, zone)
            for more in (extra, _extension(entry), _not_before(entry)):
                note = "; ".join(n for n in (note, more) if n)
            key = (entry["id"], due)
            ids = tuple(a.id for a in audiences)
            if key in found:
                ids = tuple(dict.fromkeys(found[key].audiences + ids))
            found[key] = Deadline(
                id=entry["id"], pack=pack.name, recipient=str(entry["recipient"]),
                counting=counting, wording=entry.get("wording", ""),
                source=f"{pack.name}: {cite(entry['citation'], entry.get('sources', []))}",
                status=entry["status"],
                anchor=anchor, due=due, zone=zone_name, note=note, audiences=ids, now=moment)
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found.values(), key=lambda d: (d.due or far, d.id))


def _extension(entry: dict[str, Any]) -> str:
    ext = entry.get("extension")
    return f"+{ext['amount']} days if {ext['condition']}" if ext else ""


def _not_before(entry: dict[str, Any]) -> str:
    return f"not before {entry['not_before']}" if entry.get("not_before") else ""
