"""Deadlines: by when the authorities, the individuals and others must be told, under each law.

Domain knowledge, below both the notices (the regulator draft states its deadline) and the
checks (a missed duty is an error). Clocks start where the law says: at
``incident.discovered_at`` for discovery and awareness; at ``incident.assessed_at`` (else,
conservatively, at discovery) for a determination or an assessment; at ``notice_date`` for
what the law ties to the individual notices. Counting follows the reference:
``elapsed_hours`` is exact elapsed time; ``calendar_days`` makes day 1 the day after the
anchor and ends at the close of the last day in the recipient's time zone, never extended for
weekends or holidays; ``business_days`` skips weekends only (holidays would only make it
later); ``asap`` has no fixed day and shows the time elapsed.

A deadline whose recipient ``incident.authorities`` lists with ``notified_at`` (at or before
``now``) is shown as met or late; an individuals' deadline is met or late by ``notice_date``.
Thresholds (500 residents, 10,000 persons ...) are counted per jurisdiction from the audiences'
sizes: a deadline applies when they certainly pass it, and *may* apply (``certain`` False)
when an audience spans several places or has no size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifier import law
from notifier.errors import UsageError
from notifier.law import cite, pack_data
from notifier.memo import per_sheet
from notifier.model import READER_NOTICES

if TYPE_CHECKING:
    from notifier.model import Audience, Authority, FactSheet

#: The recipient's time zone, for day-counted deadlines and for showing due times (the
#: earliest close of day where a state spans zones: conservative). None: the EU supervisory
#: authority's zone depends on the country (see ``recipient_zone``).
ZONES: dict[str, str | None] = {
    "gdpr": None, "uk": "Europe/London", "ca": "America/Los_Angeles",
    "ny": "America/New_York", "tx": "America/Chicago", "ma": "America/New_York",
    "fl": "America/New_York", "hipaa": "America/New_York", "sg": "Asia/Singapore",
    "ct": "America/New_York", "de": "America/New_York",
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
           "fl": "Florida", "ct": "Connecticut", "de": "Delaware"}


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
#: The three nationwide US credit reporting agencies: a duty to tell them is met when all are.
_CRAS = tuple(Recipient(name, re.compile(rf"\b{name}\b", re.I))
              for name in ("Equifax", "Experian", "TransUnion"))
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
    "ct.deadline.ag": (_state("ct", "the Attorney General", _AG),),
    "de.deadline.ag": (_state("de", "the Attorney General", _AG),),
    "ny.deadline.dfs": (Recipient("the Department of Financial Services", re.compile(
        r"department of financial services|\bNYDFS\b|\bDFS\b", re.I)),),
    "ny.deadline.ag_hipaa": (_state("ny", "the Attorney General", _AG),),
    "hipaa.deadline.media": (Recipient("prominent media outlets", re.compile(
        r"\bmedia\b|\bpress\b|newspaper|broadcast", re.I)),),
    **{f"{pack}.deadline.cra": _CRAS for pack in ("ny", "tx", "fl")},
}
_SKIP_NOTICES = frozenset({"staff_notice", "service_disruption"})
_AFTER_NOTICES = frozenset({"individual_notice_sent", "hhs_notice_sent"})
#: Anchors at discovery (or awareness, or the first grounds to suspect): discovered_at.
_AT_DISCOVERY = frozenset({"discovery", "awareness", "credible_grounds", "suspicion",
                           "calendar_year_end"})
#: Anchors at a determination or assessment: assessed_at when given, else discovered_at.
_AT_ASSESSMENT = frozenset({"determination", "notifiable_assessment", "belief",
                            "statement_prepared"})
#: Deadlines left out, and why (documented in docs/checks.md).
NOT_COMPUTED = {
    "gdpr.deadline.processor": "a processor's duty to its controller: the sheet does not say "
                               "whether the sender processes the data for someone else",
    "ca.deadline.maintainer": "a service provider's duty to the data owner (same reason)",
    "fl.deadline.third_party_agent": "a third-party agent's duty (same reason)",
    "hipaa.deadline.business_associate": "a business associate's duty (same reason)",
    "sg.deadline.data_intermediary": "a data intermediary's duty (same reason)",
    "ny.deadline.harm_determination": "only when the inadvertent-disclosure exception is "
                                      "relied on, which the sheet does not record",
    "fl.deadline.no_harm_determination": "only when a no-harm determination is relied on, "
                                         "which the sheet does not record",
    "sec.deadline.8k_105": "SEC disclosure is a note only: the sheet does not say whether the "
                           "sender is a registrant or the incident is material",
}
#: The kinds of delay each law accepts for a late notice to individuals.
DELAY_ALLOWED: dict[str, tuple[str, ...]] = {
    "ca.deadline.individuals": ("law_enforcement", "scope_and_integrity"),
    "ny.deadline.individuals": ("law_enforcement",),
    "tx.deadline.individuals": ("law_enforcement",),
    "fl.deadline.individuals": ("law_enforcement", "good_cause_extension"),
    "hipaa.deadline.individuals": ("law_enforcement",),
    "ct.deadline.individuals": ("law_enforcement",),
    "de.deadline.individuals": ("law_enforcement",),
}


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
    #: individuals | authority | internal (an assessment) | record (a record to keep)
    kind: str = "authority"
    #: False when a threshold may or may not be met (sizes unknown, or audiences spanning
    #: several places): the duty may apply.
    certain: bool = True
    #: The kinds of delay the law accepts (``DelayReason.reason``), for individuals' deadlines.
    delay_allowed: tuple[str, ...] = ()
    pack_id: str = ""
    #: What starts the clock, in the reference's words (discovery, determination ...).
    anchor_kind: str = "discovery"

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
        if self.kind == "record":
            return f"keep the record until {self.due_local():%Y-%m-%d}" if self.due else "keep"
        if self.kind == "individuals" and self.told_at is not None:
            day = f"{self.local(self.told_at):%Y-%m-%d}"
            if left is None:
                return f"notices dated {day}"
            return (f"notices dated {day}: {duration(-left)} late" if left.total_seconds() < 0
                    else f"notices dated {day}: in time")
        if self.told_at is not None:
            when = f"told {clock(self.local(self.told_at))}"
            since = {"discovery": "discovery", "awareness": "discovery",
                     "determination": "the determination", "belief": "the assessment",
                     "notifiable_assessment": "the assessment"}.get(self.anchor_kind)
            after = f"{when}, {hours(self.told_at - self.anchor)} after {since}" if since else when
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
                "note": self.note, "notes": list(self.notes), "audiences": list(self.audiences),
                "kind": self.kind, "certain": self.certain}


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


def _count(key: str, pack_id: str, audiences: list[Audience]) -> tuple[int, int | None]:
    """Return (at least, at most) the people a threshold counts, from the audiences' sizes.

    ``residents`` counts the pack's own places: an audience in those places only counts
    whole, one that also covers other places may count anything up to its size. ``persons``
    and ``individuals`` count every audience. At most is None when a size is unknown.
    """
    own = law.codes(pack_id) if pack_id != "hipaa" else frozenset()
    low, high = 0, 0
    unknown = False
    for a in audiences:
        if a.size is None:
            unknown = True
            continue
        places = set(a.jurisdictions)
        if key == "residents" and own and not places <= own:
            high += a.size
            continue
        low += a.size
        high += a.size
    return low, None if unknown else high


def _per_state(audiences: list[Audience]) -> tuple[int, int | None]:
    """Return (at least, at most) the residents of the US state with the most affected.

    An audience of one state counts whole there; one of several states (or the whole US)
    may count up to its size in each of them.
    """
    states = sorted({j for a in audiences for j in a.jurisdictions if j.startswith("US-")})
    if not states:
        return _count("individuals", "hipaa", audiences)
    low_best, high_best = 0, 0
    unknown = False
    for state in states:
        low = high = 0
        for a in audiences:
            places = [j for j in a.jurisdictions if j == "US" or j.startswith("US-")]
            if state not in places and "US" not in places:
                continue
            if a.size is None:
                unknown = True
                continue
            high += a.size
            low += a.size if places == [state] else 0
        low_best, high_best = max(low_best, low), max(high_best, high)
    return low_best, None if unknown else high_best


def _threshold(entry: dict[str, Any], pack_id: str,
               audiences: list[Audience]) -> tuple[str, str]:
    """Return (``yes`` | ``maybe`` | ``no``, note) for an entry's headcount threshold."""
    limit = entry.get("threshold")
    if not limit:
        return "yes", ""
    comparator = limit["comparator"]
    key, count = next((k, v) for k, v in limit.items() if k != "comparator")
    if comparator == "gte" and count <= 1:  # any one person: no threshold to speak of
        return "yes", ""
    words = {"gt": "more than", "gte": "at least", "lt": "fewer than"}[comparator]
    who = {"residents": "residents", "residents_of_one_state": "residents of one state",
           "persons": "people", "individuals": "people"}.get(key, "people")
    note = f"applies when {words} {count:,} {who} are affected"
    if key == "residents_of_one_state":
        low, high = _per_state(audiences)
    else:
        low, high = _count(key, pack_id, audiences)

    def passes(n: int) -> bool:
        return bool({"gt": n > count, "gte": n >= count, "lt": n < count}[comparator])

    if comparator == "lt":
        # fewer than: certain when the most it can be passes, impossible when the least fails
        if high is not None and passes(high):
            return "yes", note
        return ("maybe", note + " (sizes not all known)") if passes(low) else ("no", note)
    if passes(low):
        return "yes", note
    if high is None:
        return "maybe", note + " (audience sizes not all known)"
    if passes(high):
        return "maybe", note + (" (an audience covers several places: give each its own "
                                "audience and size to tell)")
    return "no", note


def _business_days(start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


#: When a fixed period came into force, where the reference gives none and the statute
#: does: Singapore's mandatory notification (PDPA Part 6A, ss. 26A-26E, added by the Personal
#: Data Protection (Amendment) Act 2020) commenced on 1 February 2021. A breach found before
#: then had no 3-day (or 30-day) clock.
EFFECTIVE_FROM = {"sg.deadline.pdpc": "2021-02-01", "sg.deadline.assessment": "2021-02-01"}


def _due(entry: dict[str, Any], anchor: datetime, zone: tzinfo) -> tuple[str, datetime | None, str]:
    """Return (counting, due, note) for one deadline entry from its anchor moment."""
    counting, offset = entry["counting"], entry.get("offset")
    since = entry.get("effective_from") or EFFECTIVE_FROM.get(entry["id"])
    if since and anchor.date() < date.fromisoformat(since):
        return "asap", None, f"the fixed period applies to breaches found from {since}"
    if counting == "elapsed_hours" and offset:
        return counting, (anchor + timedelta(hours=offset["amount"])).astimezone(UTC), ""
    if counting == "calendar_days" and offset:
        start = anchor.astimezone(zone).date()
        if entry["anchor"] == "calendar_year_end":
            start = date(start.year, 12, 31)
        return counting, _end_of_day(start + timedelta(days=offset["amount"]), zone), ""
    if counting == "business_days" and offset:
        day = _business_days(anchor.astimezone(zone).date(), offset["amount"])
        return counting, _end_of_day(day, zone), "weekends skipped; public holidays not counted out"
    if counting == "keep" and offset:
        day = anchor.astimezone(zone).date()
        months = day.month - 1 + offset["amount"]
        end = date(day.year + months // 12, months % 12 + 1, min(day.day, 28))
        return counting, _end_of_day(end, zone), ""
    return "asap", None, ""


def _anchor(entry: dict[str, Any], sheet: FactSheet, zone: tzinfo) -> datetime | None:
    """Return when an entry's clock starts, or None when it has not started yet."""
    incident = sheet.incident
    kind = entry["anchor"]
    if kind in _AT_DISCOVERY:
        return incident.discovered_at
    if kind in _AT_ASSESSMENT:
        return incident.assessed_at or incident.discovered_at
    if kind == "individual_notice_sent":
        if sheet.notice_date is None:
            return None
        return datetime.combine(sheet.notice_date, time(0, 0), tzinfo=zone)
    if kind == "hhs_notice_sent":
        hhs = [a.notified_at for a in incident.authorities if a.notified_at is not None
               and RECIPIENTS["hipaa.deadline.hhs_large"][0].matches(a.name)]
        return min(hhs) if hhs else None
    return None


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
    pack_codes = set(law.codes(pack_id))
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


def _kind(entry: dict[str, Any]) -> str:
    recipient = str(entry["recipient"])
    if recipient == "individuals":
        return "individuals"
    if recipient == "internal":
        return "internal"
    if recipient == "record":
        return "record"
    return "authority"


def _applicable(entry: dict[str, Any], sheet: FactSheet, audiences: list[Audience]) -> bool:
    """The entry's own condition: who the sender is, what the sheet records."""
    if entry["id"] in NOT_COMPUTED:
        return False
    if entry["id"] == "ny.deadline.dfs":
        return sheet.organisation.ny_dfs_covered
    if entry["id"] == "ny.deadline.ag_hipaa":
        return any(law.applies("hipaa", sheet, a) for a in audiences)
    return True


def _audiences(pack_id: str, sheet: FactSheet) -> list[Audience]:
    """The audiences in a law's places with data involved (staff and service notices aside)."""
    return [a for a in sheet.audiences if a.notice not in _SKIP_NOTICES
            and law.applies(pack_id, sheet, a) and _data(sheet, a)]


def _data(sheet: FactSheet, audience: Audience) -> list[str]:
    if audience.notice in READER_NOTICES:
        return sheet.audience_reached(audience)
    return [*sheet.incident.data_involved, *sheet.incident.data_possibly_involved]


def _triggered(pack_id: str, entry: dict[str, Any], kind: str, sheet: FactSheet,
               audiences: list[Audience]) -> list[Audience]:
    """The audiences whose data brings in this entry's duty."""
    towards = "individuals" if kind == "individuals" else "authority"
    if kind == "individuals":
        audiences = [a for a in audiences if a.notice in READER_NOTICES]
    if kind == "record" or (pack_id == "sg" and kind == "internal"):
        return audiences  # every breach is assessed and recorded
    found = [a for a in audiences if law.duty_triggered(
        pack_id, _data(sheet, a), towards=towards, misuse=sheet.incident.misuse,
        vocabulary=sheet.vocabulary)]
    if pack_id == "sg" and entry["id"] == "sg.deadline.pdpc" and not found:
        # Notifiable by scale too: 500 people or more, whatever the data (s. 26B(1)(b)).
        low, high = _count("individuals", pack_id, audiences)
        if high is None or high >= 500:
            return audiences
    return found


def deadlines_for(sheet: FactSheet, *, now: datetime | str | None = None) -> list[Deadline]:
    """Return every deadline the sheet's audiences bring in, soonest first.

    Only laws whose duty the audiences' data triggers count (a California audience with only
    names and email addresses brings in no California deadline). A regulator deadline whose
    recipient ``incident.authorities`` lists with ``notified_at`` at or before ``now`` is met
    or late (``Deadline.told_at``); an individuals' deadline is met or late by ``notice_date``.

    Args:
        sheet: a validated fact sheet.
        now: the moment time left is measured from (default: the current time); an aware
            datetime or ISO text with a UTC offset.

    Raises:
        UsageError: ``now`` is not an ISO timestamp with a UTC offset.
    """
    moment = parse_now(now)
    found: dict[tuple[str, datetime | None], Deadline] = {}
    for pack_id in law.pack_ids():
        audiences = _audiences(pack_id, sheet)
        if not audiences:
            continue
        data = pack_data(pack_id)
        name = law.PACK_NAMES.get(pack_id, data["name"])
        zone_name = recipient_zone(pack_id, sheet, audiences)
        zone = _zone(zone_name, sheet.incident.discovered_at)
        for entry in data["deadlines"]:
            kind = _kind(entry)
            counted = _triggered(pack_id, entry, kind, sheet, audiences)
            if not counted or not _applicable(entry, sheet, counted):
                continue
            applies, threshold = _threshold(entry, pack_id, counted)
            if pack_id == "sg" and entry["id"] == "sg.deadline.pdpc" and not any(
                    law.duty_triggered("sg", _data(sheet, a), towards="authority",
                                       vocabulary=sheet.vocabulary) for a in counted):
                applies, threshold = _threshold(
                    {"threshold": {"individuals": 500, "comparator": "gte"}}, pack_id, counted)
                threshold += " (no prescribed data: notifiable by scale, s. 26B(1)(b))"
            if applies == "no":
                continue
            anchor = _anchor(entry, sheet, zone)
            if anchor is None:
                counting, due, extra = "after_notices", None, _after_note(entry)
                anchor = sheet.incident.discovered_at
            else:
                counting, due, extra = _due(entry, anchor, zone)
            told_at, told, told_notes = _told_for(kind, entry, sheet, zone, moment)
            notes = tuple(n for n in (threshold, extra, _extension(entry), _not_before(entry),
                                      *told_notes) if n)
            key = (entry["id"], due)
            ids = tuple(a.id for a in counted)
            if key in found:
                ids = tuple(dict.fromkeys(found[key].audiences + ids))
            found[key] = Deadline(
                id=entry["id"], pack=name, recipient=str(entry["recipient"]),
                counting=counting, wording=entry.get("wording", ""),
                source=f"{name}: {cite(entry['citation'], entry.get('sources', []))}",
                status=entry["status"], anchor=anchor, due=due, zone=zone_name,
                note="; ".join(notes), audiences=ids, now=moment, told_at=told_at, told=told,
                notes=notes,
                late_requires=str(entry.get("late_requires") or _LATE_REQUIRES.get(entry["id"], "")),
                kind=kind, certain=applies == "yes",
                delay_allowed=DELAY_ALLOWED.get(entry["id"], ()), pack_id=pack_id,
                anchor_kind=("notices" if counting == "after_notices"
                             else "discovery" if anchor == sheet.incident.discovered_at
                             else entry["anchor"]))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found.values(), key=lambda d: (d.due or far, d.id))


def _told_for(kind: str, entry: dict[str, Any], sheet: FactSheet, zone: tzinfo,
              moment: datetime) -> tuple[datetime | None, tuple[str, ...], list[str]]:
    """Return (when told, who, notes): the notices' date for individuals, the assessment for
    an internal deadline, the authorities recorded for the rest."""
    if kind == "individuals":
        day = sheet.notice_date
        return (datetime.combine(day, time(0, 0), tzinfo=zone) if day else None), (), []
    if kind == "internal":
        assessed = sheet.incident.assessed_at
        return assessed, (("incident.assessed_at",) if assessed else ()), []
    return _told(entry["id"], sheet.incident.authorities, moment)


def _after_note(entry: dict[str, Any]) -> str:
    offset = entry.get("offset")
    days = offset["amount"] if offset else 0
    start = ("HHS is told" if entry["anchor"] == "hhs_notice_sent"
             else "the individual notices are sent")
    if entry["anchor"] == "individual_notice_sent" and not days:
        return "at the same time as the individual notices (the sheet has no notice_date yet)"
    return f"{days} days after {start}" if days else f"when {start}"


def _extension(entry: dict[str, Any]) -> str:
    ext = entry.get("extension")
    return f"+{ext['amount']} days if {ext['condition']}" if ext else ""


def _not_before(entry: dict[str, Any]) -> str:
    return f"not before {entry['not_before']}" if entry.get("not_before") else ""


#: Where the reference gives no late_requires but the law has the same words: UK GDPR
#: Art. 33(1) keeps GDPR's "accompanied by reasons for the delay".
_LATE_REQUIRES = {"uk.deadline.ico": "gdpr.art33.reg.delay_reasons, as UK GDPR Art. 33(1)"}


@per_sheet
def deadlines_at_discovery(sheet: FactSheet) -> list[Deadline]:
    """Return the sheet's deadlines measured at its discovery: what does not depend on the
    moment of asking (due times, the notices' own timeliness), computed once per sheet.

    A batch asks once per audience (a regulator draft states its deadline; the checks judge
    each reader notice's date), and the deadlines look at every audience: computed per
    notice, they would make each notice cost more the more audiences the sheet has.
    """
    return deadlines_for(sheet, now=sheet.incident.discovered_at)
