"""Rules across the fields of a fact sheet, run on the raw data, and the warnings it deserves.

They run on the data as parsed, not on the model, so that they report even when a type
elsewhere is wrong: every problem comes in one run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from notifier.domains import is_ip, is_public_suffix
from notifier.errors import Problem
from notifier.model import DATA_CATEGORIES, EARLIEST_YEAR, LATEST_YEAR, READER_NOTICES
from notifier.yamlsource import FieldPath, Source


def _dotted(loc: FieldPath) -> str:
    return ".".join(str(p) for p in loc)


_SENTENCE_END = re.compile(r"[.!?]['\")\]]*(?:\s+|$)")


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _when(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is None or not moment.tzinfo or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None  # the model refuses it; comparing it could overflow
    return moment


def cross_checks(data: dict[str, Any], source: Source) -> list[Problem]:
    """Rules across fields, run on the raw data so that they report even when a type is wrong."""
    problems: list[Problem] = []

    def add(loc: FieldPath, message: str, hint: str) -> None:
        line, col = source.position(loc)
        problems.append(Problem(source.path, line, col, _dotted(loc), message, hint))

    incident = _mapping(data.get("incident"))
    _link_domain_rules(_mapping(data.get("organisation")), add)
    _data_rules(incident, add)
    _time_rules(data, incident, add)
    _revision_rules(data, source, add)
    _audience_rules(data, set(_strings(incident.get("data_involved"))),
                    set(_strings(incident.get("data_possibly_involved"))), add)
    _category_rules(data, add)
    _recipient_rules(data, add)
    return problems


Add = Callable[[FieldPath, str, str], None]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _link_domain_rules(organisation: dict[str, Any], add: Add) -> None:
    """Each extra link domain is a host name of the organisation's, never a public suffix."""
    for i, entry in enumerate(_strings(organisation.get("link_domains"))):
        loc = ("organisation", "link_domains", i)
        host = entry.strip().lower().rstrip(".")
        if re.search(r"[/:@?#\s]", host):
            bare = re.sub(r"^[a-z]+://|[/?#].*$", "", host).split("@")[-1]
            add(loc, f"{entry!r} is not a host name", f"write the host name alone, e.g. {bare!r}")
        elif is_ip(host):
            add(loc, f"{entry!r} is an IP address, which readers cannot tell as yours",
                "write a domain name of yours, e.g. support.example.com")
        elif is_public_suffix(host):
            add(loc, f"{entry!r} is a public suffix: anyone can register a domain under it, so "
                "it would let links go to any of them", "write your own domain under it, e.g. "
                f"'example.{host}'")


def _data_rules(incident: dict[str, Any], add: Add) -> None:
    """The summary's length, and what the data lists may say together."""
    summary = incident.get("summary")
    if isinstance(summary, str):
        sentences = len(_SENTENCE_END.findall(summary.strip() + " "))
        if sentences > 3:
            add(("incident", "summary"), f"has {sentences} sentences; the summary is 1 to 3",
                "keep the essentials here; details belong in safe and actions_taken")
    _list_rules(incident, add)
    involved = set(_strings(incident.get("data_involved")))
    if incident.get("password_protection") is not None and not involved & {"password_hash"}:
        add(("incident", "password_protection"),
            "describes how passwords were protected, but password_hash is not in data_involved",
            "add password_hash to incident.data_involved, or remove password_protection")
    if incident.get("kind") == "attempted_access" and involved:
        add(("incident", "kind"), "is attempted_access, but data_involved lists data: an "
            "attempt that reached data is an access", "use unauthorised_access or data_theft, "
            "or empty data_involved if no data was reached")


def _list_rules(incident: dict[str, Any], add: Add) -> None:
    """Each data list names a category once, and no category is in two lists."""
    for name in ("data_involved", "data_possibly_involved", "data_not_involved"):
        seen: set[str] = set()
        for i, cat in enumerate(_strings(incident.get(name))):
            if cat in seen:
                add(("incident", name, i), f"{cat!r} is listed twice", "remove one of them")
            seen.add(cat)
    involved = set(_strings(incident.get("data_involved")))
    possible = set(_strings(incident.get("data_possibly_involved")))
    for i, cat in enumerate(_strings(incident.get("data_possibly_involved"))):
        if cat in involved:
            add(("incident", "data_possibly_involved", i),
                f"{cat!r} is listed both as involved and as possibly involved",
                "keep it in incident.data_involved if it was involved, else in "
                "data_possibly_involved")
    for i, cat in enumerate(_strings(incident.get("data_not_involved"))):
        if cat in involved or cat in possible:
            where = "involved" if cat in involved else "possibly involved"
            add(("incident", "data_not_involved", i),
                f"{cat!r} is listed both as {where} and as not involved",
                "keep it in only one of the data lists")


def _category_rules(data: dict[str, Any], add: Add) -> None:
    """Every data category is a built-in one or one the sheet defines under `categories`."""
    defined = [c.get("id") for c in data.get("categories") or [] if isinstance(c, dict)]
    known = [*DATA_CATEGORIES, *(d for d in defined if isinstance(d, str))]
    incident = _mapping(data.get("incident"))
    places: list[tuple[FieldPath, Any]] = [
        (("incident", name), incident.get(name))
        for name in ("data_involved", "data_possibly_involved", "data_not_involved")]
    audiences = data.get("audiences")
    for a, audience in enumerate(audiences if isinstance(audiences, list) else []):
        for name in ("data_involved", "data_possibly_involved", "data_not_involved"):
            places.append((("audiences", a, name), _mapping(audience).get(name)))
    for loc, value in places:
        for i, cat in enumerate(_strings(value)):
            if cat in known or not re.fullmatch(r"x_[a-z0-9_]+", cat):
                continue  # the model reports a value that is no id at all
            guess = difflib.get_close_matches(cat, known, n=1, cutoff=0.6)
            hint = (f"did you mean {guess[0]!r}?" if guess else
                    "use a category from docs/fact-sheet.md, or define it under `categories`")
            add((*loc, i), f"unknown value {cat!r}", hint)


def _time_rules(data: dict[str, Any], incident: dict[str, Any], add: Add) -> None:
    """Timestamps in order: the incident, its discovery, the authorities told, the notices."""
    discovered = _when(incident.get("discovered_at"))
    occurred = _mapping(incident.get("occurred"))
    start, end = _when(occurred.get("from")), _when(occurred.get("to"))
    if start and end and end < start:
        add(("incident", "occurred", "to"), "is before occurred.from", "swap the two timestamps")
    if start and discovered and start > discovered:
        add(("incident", "occurred", "from"), "is after incident.discovered_at; an incident "
            "cannot start after it was found", "check both timestamps and their UTC offsets")
    notice_date = data.get("notice_date")
    if isinstance(notice_date, str) and discovered and notice_date < discovered.date().isoformat():
        add(("notice_date",), "is before incident.discovered_at",
            "write the date the notices go out")
    authorities = incident.get("authorities")
    for i, authority in enumerate(authorities if isinstance(authorities, list) else []):
        told = _when(_mapping(authority).get("notified_at"))
        if told and discovered and told < discovered:
            add(("incident", "authorities", i, "notified_at"), "is before incident.discovered_at",
                "check the timestamp and its UTC offset")


def _revision_rules(data: dict[str, Any], source: Source, add: Add) -> None:
    """A sheet that supersedes another: the earlier file exists, and a later notice date."""
    supersedes = _mapping(data.get("supersedes"))
    notice_date = data.get("notice_date")
    sent = _when(supersedes.get("sent_at"))
    if supersedes and notice_date is None:
        add(("supersedes",), "a sheet that supersedes an earlier one needs notice_date, the day "
            "this revision's notices go out (it dates them after the earlier message)",
            f"add `notice_date: {sent.date().isoformat() if sent else 'YYYY-MM-DD'}` or later "
            "at the top level")
    if isinstance(notice_date, str) and sent and notice_date < sent.date().isoformat():
        add(("notice_date",), "is before supersedes.sent_at: this revision's notices cannot go "
            "out before the message they correct", "write the date the new notices go out")
    earlier = supersedes.get("sheet")
    if isinstance(earlier, str) and source.path not in ("<string>",):
        target = Path(source.path).parent / earlier
        if not target.is_file():
            add(("supersedes", "sheet"), f"no earlier revision at {target}",
                "write the path of the earlier revision, relative to this sheet's folder")


def _audience_rules(data: dict[str, Any], involved: set[str], possible: set[str],
                    add: Add) -> None:
    """Unique ids, data within the incident's, and a notice date for California."""
    audiences = data.get("audiences")
    seen_ids: dict[str, int] = {}
    for a, audience in enumerate(audiences if isinstance(audiences, list) else []):
        if not isinstance(audience, dict):
            continue
        audience_id = audience.get("id")
        if isinstance(audience_id, str):
            if audience_id in seen_ids:
                add(("audiences", a, "id"),
                    f"audience id {audience_id!r} is already used by audience {seen_ids[audience_id]}",
                    "give each audience its own id")
            seen_ids.setdefault(audience_id, a)
        if ("US-CA" in _strings(audience.get("jurisdictions")) and data.get("notice_date") is None
                and audience.get("notice") in READER_NOTICES):
            add(("audiences", a, "jurisdictions"), "California's notice must carry its own date, "
                "and the sheet has no notice_date", "add `notice_date: YYYY-MM-DD` (the day the "
                "notices go out) at the top level")
        _audience_data_rules(a, audience, involved, possible, add)


def _audience_data_rules(a: int, audience: dict[str, Any], involved: set[str],
                         possible: set[str], add: Add) -> None:
    """An audience's data lists: within the incident's, and no category in two of them."""
    for i, cat in enumerate(_strings(audience.get("data_involved"))):
        if cat not in involved:
            add(("audiences", a, "data_involved", i),
                f"{cat!r} is not in incident.data_involved",
                "an audience's data is a subset of the incident's: add it to "
                "incident.data_involved or remove it here")
    for i, cat in enumerate(_strings(audience.get("data_possibly_involved"))):
        if cat not in involved | possible:
            add(("audiences", a, "data_possibly_involved", i),
                f"{cat!r} is not in incident.data_involved or data_possibly_involved",
                "an audience's data is a subset of the incident's: add it there, or remove "
                "it here")
    own = set(_strings(audience.get("data_involved"))) | set(
        _strings(audience.get("data_possibly_involved")))
    for i, cat in enumerate(_strings(audience.get("data_not_involved"))):
        if cat in own:
            add(("audiences", a, "data_not_involved", i),
                f"{cat!r} is also listed as involved or possibly involved for this audience",
                "keep it in only one of the audience's data lists")


def _recipient_rules(data: dict[str, Any], add: Add) -> None:
    """Declared per-recipient fields: each id once, for audiences the sheet has."""
    audiences = data.get("audiences")
    ids = {a.get("id") for a in (audiences if isinstance(audiences, list) else [])
           if isinstance(a, dict)}
    fields = _mapping(data.get("recipients")).get("fields")
    seen: set[str] = set()
    for f, entry in enumerate(fields if isinstance(fields, list) else []):
        entry = _mapping(entry)
        field_id = entry.get("id")
        if isinstance(field_id, str):
            if field_id in seen:
                add(("recipients", "fields", f, "id"), f"field {field_id!r} is declared twice",
                    "declare each field once")
            seen.add(field_id)
        for i, audience in enumerate(_strings(entry.get("audiences"))):
            if audience not in ids:
                near = difflib.get_close_matches(audience, sorted(i for i in ids if isinstance(i, str)), 1)
                add(("recipients", "fields", f, "audiences", i), f"no audience has the id {audience!r}",
                    f"did you mean {near[0]!r}?" if near else "use an id from audiences")


#: How far past the current time a timestamp may be before it is taken as a typo.
_CLOCK_SLACK = timedelta(days=1)


def future_times(source: Source, now: datetime | None) -> list[Problem]:
    """Warn about moments that have not happened yet: usually a typo in the year."""
    now = now or datetime.now(UTC)
    data = source.data if isinstance(source.data, dict) else {}
    incident = _mapping(data.get("incident"))
    occurred = _mapping(incident.get("occurred"))
    moments: list[tuple[FieldPath, Any]] = [
        (("incident", "discovered_at"), incident.get("discovered_at")),
        (("incident", "occurred", "from"), occurred.get("from")),
        (("incident", "occurred", "to"), occurred.get("to"))]
    authorities = incident.get("authorities")
    for i, authority in enumerate(authorities if isinstance(authorities, list) else []):
        moments.append((("incident", "authorities", i, "notified_at"),
                        _mapping(authority).get("notified_at")))
    warnings = []
    for loc, value in moments:
        moment = _when(value)
        if moment is not None and moment > now + _CLOCK_SLACK:
            line, col = source.position(loc)
            warnings.append(Problem(
                source.path, line, col, _dotted(loc),
                f"{value!r} is in the future; it cannot have happened yet",
                "check the year, the month and the UTC offset"))
    return warnings
