"""Deadlines: by when the regulator and the individuals must be told, from discovered_at and each law.

Every clock starts at ``incident.discovered_at`` (the reference's ``anchor_default``:
determination and assessment never come before discovery, so this is never later than the
law allows). Counting follows the reference: ``elapsed_hours`` is exact elapsed time;
``calendar_days`` makes day 1 the day after the anchor and ends at the close of the last
day in the recipient's time zone, never extended for weekends or holidays; ``asap`` has no
fixed day and shows the time elapsed.

A deadline whose recipient ``incident.authorities`` lists with ``notified_at`` (at or before
``now``) is shown as met or late instead of as time left: ``RECIPIENTS`` says which authority
names count as which recipient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifier.checks.finding import Finding, Rule
from notifier.checks.jurisdictions import cite, pack_data, packs, reference
from notifier.errors import UsageError

if TYPE_CHECKING:
    from notifier.model import Audience, Authority, FactSheet

#: The recipient's time zone, for day-counted deadlines and for showing due times (the
#: earliest close of day where a state spans zones: conservative). None: the EU supervisory
#: authority's zone depends on the country (see ``recipient_zone``).
ZONES: dict[str, str | None] = {
    "gdpr": None, "uk": "Europe/London", "ca": "America/Los_Angeles",
    "ny": "America/New_York", "tx": "America/Chicago", "ma": "America/New_York",
    "fl": "America/New_York", "hipaa": "America/New_York", "sg": "Asia/Singapore",
    "au": "Australia/Sydney", "pipeda": "America/Toronto"}
#: Each EU/EEA country's zone (its capital's), and GB's and Singapore's.
COUNTRY_ZONES = {
    "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "HR": "Europe/Zagreb",
    "CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn", "FI": "Europe/Helsinki", "FR": "Europe/Paris", "DE": "Europe/Berlin",
    "GR": "Europe/Athens", "HU": "Europe/Budapest", "IE": "Europe/Dublin", "IT": "Europe/Rome",
    "LV": "Europe/Riga", "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest", "SK": "Europe/Bratislava", "SI": "Europe/Ljubljana",
    "ES": "Europe/Madrid", "SE": "Europe/Stockholm", "IS": "Atlantic/Reykjavik",
    "LI": "Europe/Vaduz", "NO": "Europe/Oslo", "GB": "Europe/London", "SG": "Asia/Singapore",
}
#: EU supervisory authorities whose name says which country's they are (for the zone).
SA_COUNTRIES = (
    (re.compile(r"(?<!personal )data protection commission", re.I), "IE"),
    (re.compile(r"\bCNIL\b|commission nationale de l'informatique", re.I), "FR"),
    (re.compile(r"\bgarante\b", re.I), "IT"),
    (re.compile(r"\bAEPD\b|agencia española de protección de datos", re.I), "ES"),
    (re.compile(r"autoriteit persoonsgegevens", re.I), "NL"),
    (re.compile(r"\bIMY\b|integritetsskyddsmyndigheten", re.I), "SE"),
    (re.compile(r"\bUODO\b", re.I), "PL"),
)
_STATES = {"ca": "California", "ny": "New York", "tx": "Texas", "ma": "Massachusetts",
           "fl": "Florida"}


@dataclass(frozen=True)
class Recipient:
    """Who must be told, as ``incident.authorities`` names it: ``pattern`` and not ``exclude``."""

    label: str
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None = None

    def matches(self, name: str) -> bool:
        """True when an authority of this name is this recipient."""
        return bool(self.pattern.search(name)) and not (self.exclude and self.exclude.search(name))


def _state(pack_id: str, label: str, pattern: str) -> Recipient:
    """A state authority: its name must not name another state."""
    others = "|".join(v for k, v in _STATES.items() if k != pack_id)
    return Recipient(label, re.compile(pattern, re.I),
                     re.compile(rf"\b(?:{others}|U\.?S\.?|United States|federal)\b", re.I))


_AG = r"attorney[ -]general"
#: The authorities each regulator deadline is met by telling (all of them, when several).
RECIPIENTS: dict[str, tuple[Recipient, ...]] = {
    "gdpr.deadline.sa": (Recipient(
        "the supervisory authority", re.compile(
            r"data protection commission|supervisory authority|datenschutz|\bCNIL\b|"
            r"commission nationale de l'informatique|\bgarante\b|\bAEPD\b|"
            r"agencia española de protección de datos|autoriteit persoonsgegevens|"
            r"gegevensbeschermingsautoriteit|autorité de protection des données|"
            r"data protection (?:authority|agency|office|inspectorate|ombudsman)|datatilsynet|"
            r"integritetsskyddsmyndigheten|\bIMY\b|tietosuojavaltuutettu|\bCNPD\b|\bUODO\b",
            re.I), re.compile(r"personal data protection commission|\bPDPC\b", re.I)),),
    "uk.deadline.ico": (Recipient("the ICO", re.compile(r"information commissioner|\bICO\b", re.I),
                                  re.compile(r"australian|\bOAIC\b", re.I)),),
    "sg.deadline.pdpc": (Recipient("the PDPC", re.compile(
        r"personal data protection commission|\bPDPC\b", re.I)),),
    "au.deadline.oaic": (Recipient("the OAIC", re.compile(
        r"australian information commissioner|\bOAIC\b", re.I)),),
    "pipeda.deadline.commissioner": (Recipient("the Privacy Commissioner of Canada", re.compile(
        r"privacy commissioner of canada|commissariat à la protection de la vie privée|\bOPC\b",
        re.I)),),
    "hipaa.deadline.hhs_large": (Recipient("HHS", re.compile(
        r"health and human services|\bHHS\b|office for civil rights", re.I)),),
    "hipaa.deadline.hhs_small": (Recipient("HHS", re.compile(
        r"health and human services|\bHHS\b|office for civil rights", re.I)),),
    "ca.deadline.ag": (_state("ca", "the Attorney General", _AG),),
    "tx.deadline.ag": (_state("tx", "the Attorney General", _AG),),
    "ny.deadline.state_agencies": (
        _state("ny", "the Attorney General", _AG),
        _state("ny", "the Department of State", r"department of state"),
        _state("ny", "the Division of State Police", r"state police")),
    "ma.deadline.ag_ocabr": (
        _state("ma", "the Attorney General", _AG),
        Recipient("the Office of Consumer Affairs and Business Regulation", re.compile(
            r"consumer affairs and business regulation|\bOCABR\b", re.I))),
    "fl.deadline.department": (
        _state("fl", "the Department of Legal Affairs", rf"department of legal affairs|{_AG}"),),
}
_SKIP_NOTICES = frozenset({"staff_notice", "service_disruption"})
_AFTER_NOTICES = frozenset({"individual_notice_sent", "hhs_notice_sent"})


def clock(moment: datetime) -> str:
    """Return '2025-04-25 09:30 BST (UTC+01:00)': the zone's abbreviation alone is ambiguous
    (IST is Irish or Indian time), so the offset goes beside it."""
    offset = f"{moment:%z}"
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = f"{moment:%Z}"
    named = name and not name.startswith(("UTC", "+", "-"))
    return f"{moment:%Y-%m-%d %H:%M} {name} ({offset})" if named \
        else f"{moment:%Y-%m-%d %H:%M} {offset}"


@dataclass(frozen=True)
class Deadline:
    """When one recipient must be told under one law, and how much time is left at ``now``.

    When the sheet records that the recipient was told (``told_at``), the deadline is met or
    late, and ``time_left`` is the time that was left at that moment.
    """

    id: str
    pack: str
    recipient: str
    counting: str  # elapsed_hours | calendar_days | asap | after_notices
    wording: str
    source: str
    status: str
    anchor: datetime
    due: datetime | None  # UTC; None when the law sets no fixed time or counts from the notices
    zone: str  # a tz database name, or the discovery's own offset ("UTC+01:00")
    note: str  # the notes, joined with "; "
    audiences: tuple[str, ...]
    now: datetime
    told_at: datetime | None = None  # when the recipient was told (all of them, when several)
    told: tuple[str, ...] = ()  # the incident.authorities names that were told
    notes: tuple[str, ...] = ()  # the notes, one by one
    #: The element a late notification must add (the reasons for the delay), if any.
    late_requires: str = ""

    @property
    def time_left(self) -> timedelta | None:
        """Time until the deadline (negative when overdue), or None without a fixed one.

        Measured at ``told_at`` once the recipient was told: negative when told late.
        """
        if self.due is None:
            return None
        return self.due - (self.told_at or self.now)

    @property
    def elapsed(self) -> timedelta:
        """Time since the clock started."""
        return self.now - self.anchor

    @property
    def told_after(self) -> timedelta | None:
        """Time from the start of the clock to telling the recipient, or None if not told."""
        return None if self.told_at is None else self.told_at - self.anchor

    @property
    def outcome(self) -> str | None:
        """``in time`` or ``late`` once told (``told`` without a fixed deadline); None before."""
        left = self.time_left
        if self.told_at is None:
            return None
        if left is None:
            return "told"
        return "late" if left.total_seconds() < 0 else "in time"

    @property
    def missed(self) -> bool:
        """Told late, or not told and overdue at ``now``."""
        left = self.time_left
        return left is not None and left.total_seconds() < 0

    def due_local(self) -> datetime | None:
        """The deadline in the recipient's time zone."""
        return None if self.due is None else self.due.astimezone(_zone(self.zone, self.anchor))

    def local(self, moment: datetime) -> datetime:
        """Return ``moment`` in the recipient's time zone."""
        return moment.astimezone(_zone(self.zone, self.anchor))

    def left_text(self) -> str:
        """A short human description: '2 d 4 h left', 'overdue by 3 d', 'ASAP; 5 h elapsed',
        or once told: 'told <time>, 26 h after discovery: in time', 'told <time>: 4 h late'."""
        left = self.time_left
        if self.told_at is not None:
            when = f"told {clock(self.local(self.told_at))}"
            after = f"{when}, {hours(self.told_at - self.anchor)} after discovery"
            if left is None:
                return after
            if left.total_seconds() < 0:
                return f"{when}: {duration(-left)} late"
            return f"{after}: in time"
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
        after = self.told_after
        return {"id": self.id, "pack": self.pack, "recipient": self.recipient,
                "counting": self.counting, "wording": self.wording, "source": self.source,
                "status": self.status, "anchor": self.anchor.isoformat(),
                "due_utc": self.due.isoformat() if self.due else None,
                "due_local": local.isoformat() if local else None, "zone": self.zone,
                "seconds_left": int(left.total_seconds()) if left is not None else None,
                "elapsed_seconds": int(self.elapsed.total_seconds()), "left": self.left_text(),
                "told_at": self.local(self.told_at).isoformat() if self.told_at else None,
                "told": list(self.told), "outcome": self.outcome,
                "told_after_seconds": int(after.total_seconds()) if after is not None else None,
                "note": self.note, "notes": list(self.notes), "audiences": list(self.audiences)}


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


def hours(span: timedelta) -> str:
    """Format a duration in hours (as regulators count them), e.g. '26 h 30 min'; days past 99 h."""
    minutes = int(span.total_seconds()) // 60
    if minutes < 0 or minutes >= 100 * 60:
        return duration(span)
    whole, rest = divmod(minutes, 60)
    if not whole:
        return duration(span)
    return f"{whole} h {rest} min" if rest else f"{whole} h"


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


_OFFSET = re.compile(r"UTC([+-])(\d\d):(\d\d)")


def offset_name(moment: datetime) -> str:
    """Return the fixed zone of ``moment``'s UTC offset as ``UTC+01:00`` (``UTC`` for zero)."""
    offset = moment.utcoffset() or timedelta(0)
    return timezone(offset).tzname(None) if offset else "UTC"


def _zone(name: str, anchor: datetime) -> tzinfo:
    fixed = _OFFSET.fullmatch(name)
    if fixed:
        sign = -1 if fixed[1] == "-" else 1
        return timezone(sign * timedelta(hours=int(fixed[2]), minutes=int(fixed[3])))
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


def recipient_zone(pack_id: str, sheet: FactSheet, audiences: list[Audience]) -> str:
    """Return the zone due times are shown (and days counted) in for a pack's recipient.

    The pack's own zone where it has one. For the EU supervisory authority: the country of an
    authority ``incident.authorities`` names (e.g. the Data Protection Commission: IE), else
    the one zone of the audiences' EU/EEA codes, else (several zones) the UTC offset of
    ``discovered_at``.
    """
    fixed = ZONES.get(pack_id)
    if fixed:
        return fixed
    for authority in sheet.incident.authorities:
        for pattern, country in SA_COUNTRIES:
            if pattern.search(authority.name):
                return COUNTRY_ZONES[country]
    pack_codes = set(pack_data(pack_id)["codes"])
    codes = {c for a in audiences for c in a.jurisdictions if c in pack_codes}
    zones = sorted({COUNTRY_ZONES[c] for c in codes if c in COUNTRY_ZONES})
    return zones[0] if len(zones) == 1 else offset_name(sheet.incident.discovered_at)


def _told(deadline_id: str, authorities: list[Authority],
          moment: datetime) -> tuple[datetime | None, tuple[str, ...], list[str]]:
    """Return (when told, names told, notes) for a deadline from ``incident.authorities``.

    Told means every recipient the deadline names has a matching authority with
    ``notified_at`` at or before ``moment``; the time is the last of them.
    """
    times: list[datetime] = []
    names: list[str] = []
    missing: list[str] = []
    notes: list[str] = []
    for recipient in RECIPIENTS.get(deadline_id, ()):
        matching = [a for a in authorities if recipient.matches(a.name)]
        dated = sorted((a.notified_at, a.name) for a in matching
                       if a.notified_at is not None and a.notified_at <= moment)
        if dated:
            times.append(dated[0][0])
            names.append(dated[0][1])
            continue
        missing.append(recipient.label)
        for a in matching:
            if a.notified_at is None:
                notes.append(f"incident.authorities lists {a.name} without notified_at: add it "
                             "to show whether this deadline was met")
            else:
                notes.append(f"{a.name}'s notified_at {a.notified_at.isoformat()} is later than "
                             f"the time measured from ({moment.isoformat()}): not counted yet")
    if missing:
        if names:
            notes.append(f"told so far: {', '.join(names)}; still to tell: {', '.join(missing)}")
        return None, (), notes
    if not times:
        return None, (), notes
    return max(times), tuple(names), notes


def deadlines_for(sheet: FactSheet, *, now: datetime | str | None = None) -> list[Deadline]:
    """Return every deadline the sheet's audiences bring in, soonest first.

    A regulator deadline whose recipient ``incident.authorities`` lists with ``notified_at``
    at or before ``now`` is met or late (``Deadline.told_at``).

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
        zone_name = recipient_zone(pack.id, sheet, audiences)
        zone = _zone(zone_name, anchor)
        for entry in data["deadlines"]:
            applies, threshold = _threshold_note(entry, people)
            if not applies:
                continue
            counting, due, extra = _due(entry, anchor, zone)
            told_at, told, told_notes = _told(entry["id"], sheet.incident.authorities, moment)
            notes = tuple(n for n in (threshold, extra, _extension(entry), _not_before(entry),
                                      *told_notes) if n)
            key = (entry["id"], due)
            ids = tuple(a.id for a in audiences)
            if key in found:
                ids = tuple(dict.fromkeys(found[key].audiences + ids))
            found[key] = Deadline(
                id=entry["id"], pack=pack.name, recipient=str(entry["recipient"]),
                counting=counting, wording=entry.get("wording", ""),
                source=f"{pack.name}: {cite(entry['citation'], entry.get('sources', []))}",
                status=entry["status"], anchor=anchor, due=due, zone=zone_name,
                note="; ".join(notes), audiences=ids, now=moment, told_at=told_at, told=told,
                notes=notes,
                late_requires=str(entry.get("late_requires") or _LATE_REQUIRES.get(entry["id"], "")))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found.values(), key=lambda d: (d.due or far, d.id))


def _extension(entry: dict[str, Any]) -> str:
    ext = entry.get("extension")
    return f"+{ext['amount']} days if {ext['condition']}" if ext else ""


def _not_before(entry: dict[str, Any]) -> str:
    return f"not before {entry['not_before']}" if entry.get("not_before") else ""


#: Where the reference gives no late_requires but the law has the same words: UK GDPR
#: Art. 33(1) keeps GDPR's "accompanied by reasons for the delay".
_LATE_REQUIRES = {"uk.deadline.ico": "gdpr.art33.reg.delay_reasons, as UK GDPR Art. 33(1)"}

LATE_WITHOUT_REASONS = Rule(
    "x.late_without_reasons", "error",
    "a regulator deadline that was missed (told late, or overdue now) comes with "
    "incident.delay_reasons, which the late notification must give",
    "GDPR and UK GDPR Art. 33(1) (gdpr.art33.reg.delay_reasons); PDPA reg. 5 "
    "(sg.pdpa.reg5.late_reasons); requirements.yaml late_requires")


def late_findings(sheet: FactSheet, deadlines: list[Deadline]) -> list[Finding]:
    """Return an error for each missed deadline whose law asks for reasons the sheet lacks."""
    if sheet.incident.delay_reasons:
        return []
    drafts = [a for a in sheet.audiences if a.notice == "regulator_report"]
    found = []
    for d in deadlines:
        if d.late_requires and d.missed:
            found.append(Finding(
                LATE_WITHOUT_REASONS.id, "error", sheet.id,
                ", ".join(a.id for a in drafts) or "-", "regulator_report",
                f"{d.id} was missed ({d.left_text()}), and the sheet gives no reasons for the "
                f"delay, which the late notification must include ({d.late_requires})",
                "write them under incident.delay_reasons; the regulator draft includes them",
                LATE_WITHOUT_REASONS.source, "confirmed", field=("incident",)))
    return found
