"""Load a fact sheet: YAML source, then the model, with every problem placed at file:line:col."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from notifier.domains import is_ip, is_public_suffix
from notifier.errors import Problem, SheetError
from notifier.model import EARLIEST_YEAR, LATEST_YEAR, READER_NOTICES, FactSheet, refusal
from notifier.yamlsource import YES_NO_WORDS, FieldPath, Source, parse_yaml, read_yaml

SCHEMA_ID = "https://notifier.invalid/schema/fact-sheet.json"

#: Words authors reach for, mapped to the vocabulary's name for them.
SYNONYMS = {
    "dob": "date_of_birth", "birthday": "date_of_birth", "birth_date": "date_of_birth",
    "address": "postal_address", "home_address": "postal_address", "adress": "postal_address",
    "addresses": "postal_address", "postal": "postal_address", "addr": "postal_address",
    "email_address": "email", "phone_number": "phone", "mobile": "phone",
    "password": "password_hash", "passwords": "password_hash", "hashed_password": "password_hash",
    "credit_card": "payment_card_number", "card_number": "payment_card_number",
    "card": "payment_card_partial", "last4": "payment_card_partial",
    "passport": "government_id", "national_id": "government_id", "ssn": "government_id",
    "iban": "bank_account", "bank_details": "bank_account", "orders": "order_history",
    "transactions": "transaction_history", "medical": "health", "ip": "ip_address",
    "security_questions": "security_answers", "cookies": "session_token",
    "emails": "email", "email_addresses": "email", "names": "name", "full_name": "name",
    "phone_numbers": "phone", "telephone": "phone", "postal_addresses": "postal_address",
    "dates_of_birth": "date_of_birth", "order_details": "order_history",
    "card_details": "payment_card_number", "bank_account_details": "bank_account",
    "health_data": "health", "usernames": "username", "membership": "membership_number",
    # field names people reach for
    "affected": "records", "number_affected": "records", "count": "records",
    "date": "discovered_at", "discovered": "discovered_at", "detected_at": "discovered_at",
    "description": "summary", "what_happened": "summary", "actions": "actions_taken",
    "next_steps": "measures_proposed", "consequences": "likely_consequences",
}


def load_sheet(path: str | Path) -> FactSheet:
    """Read and validate a fact sheet file.

    Returns:
        The typed fact sheet.

    Raises:
        SheetError: with every problem found, each at file:line:col with a field path.
    """
    return validate_source(read_yaml(Path(path)))


def parse_sheet(text: str | bytes, path: str = "<string>") -> FactSheet:
    """Validate a fact sheet given as text; ``path`` names it in problems."""
    return validate_source(parse_yaml(text, path))


def validate_source(source: Source, *, now: datetime | None = None) -> FactSheet:
    """Validate parsed YAML against the model, then the cross-field rules.

    Unquoted scalars are read as the schema types their field (see ``_typed_scalars``).
    Warnings (a discovery dated in the future) go to ``source.warnings``; ``now`` is the
    moment "the future" starts (default: the current time).
    """
    problems = list(source.problems) + _typed_scalars(source)
    # A field the YAML layer already reported (a duplicate key, a bad tag) is not reported twice.
    reported = {p.field for p in problems}
    sheet: FactSheet | None = None
    try:
        sheet = FactSheet.model_validate(source.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problem = _problem(source, err)
            char = (err.get("ctx") or {}).get("char")
            if char:  # an invisible character: point at it, not at the value's start
                line, col = _char_position(source, tuple(err["loc"]), char) or (problem.line, problem.col)
                problem = dataclasses.replace(problem, line=line, col=col)
            if not any(problem.field == f or problem.field.startswith(f + ".") for f in reported):
                problems.append(problem)
    problems += _cross_checks(source.data, source)
    source.warnings[:] = _sorted(_future_times(source, now))
    if problems or sheet is None:
        raise SheetError(_sorted(problems))
    sheet._source = source
    return sheet


# -- unquoted scalars, typed by the schema --------------------------------------------------

_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
#: Patterns of free-text fields (none, or one line). A field with a pattern of its own (a
#: jurisdiction code: NO is Norway) is left to the model, which judges the value.
_FREE_TEXT = (None, "^[^\\r\\n]+$")


def _typed_scalars(source: Source) -> list[Problem]:
    """Read each unquoted scalar as its field's type says, or say why it cannot be.

    A text field keeps exactly what was written: ``phone: 08005550142`` is the text
    '08005550142', not the number 8005550142, and ``name: 2025`` the text '2025'. A yes/no
    word (``greeting: yes``) in a text field is refused: it is almost always an answer put
    where text belongs; quoted, it is the word. A number field refuses octal and hex forms
    (``010``, ``0o17``, ``0x1F``), which YAML versions read differently.
    """
    problems: list[Problem] = []
    for loc, written in source.plain.items():
        schema = _subschema(loc)
        kind = schema.get("type")
        line, col = source.position(loc)
        field = _dotted(loc)
        if kind == "string" and "enum" not in schema:
            if written.lower() in YES_NO_WORDS and schema.get("pattern") in _FREE_TEXT:
                problems.append(Problem(
                    source.path, line, col, field,
                    f"expected text, got {written!r}, which reads as a yes/no answer",
                    f"write the text itself; if you do mean the word, put it in quotes: "
                    f"{loc[-1]}: '{written}'"))
            else:
                _set(source.data, loc, written)
        elif kind in ("integer", "number"):
            digits = written.lower().lstrip("+-")
            if digits.startswith(("0x", "0o")):
                base = "a hexadecimal" if digits.startswith("0x") else "an octal"
                problems.append(Problem(
                    source.path, line, col, field, f"{written!r} is {base} number",
                    f"write it in decimal digits: {_set_number(written)}"))
            elif _LEADING_ZERO.fullmatch(written):
                octal = f" as the octal number {int(digits, 8)} and others" if "8" not in digits \
                    and "9" not in digits else ""
                problems.append(Problem(
                    source.path, line, col, field,
                    f"{written!r} starts with 0, which some YAML readers read{octal} as "
                    f"{int(digits)}", f"write it without the leading zero: {_set_number(written)}"))
    return problems


def _set(data: Any, loc: FieldPath, value: Any) -> None:
    for step in loc[:-1]:
        data = data[step]
    data[loc[-1]] = value


def _set_number(written: str) -> int:
    digits = written.lower().lstrip("+-")
    sign = -1 if written.startswith("-") else 1
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    return sign * int(digits, 10)


# -- warnings -------------------------------------------------------------------------------

#: How far past the current time a timestamp may be before it is taken as a typo.
_CLOCK_SLACK = timedelta(days=1)


def _future_times(source: Source, now: datetime | None) -> list[Problem]:
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


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the fact-sheet format."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **_schema()}


@cache
def _schema() -> dict[str, Any]:
    schema = FactSheet.model_json_schema(by_alias=True)
    schema["title"] = "notifier incident fact sheet"
    return schema


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.col, p.field))


def _dotted(loc: FieldPath) -> str:
    return ".".join(str(p) for p in loc)


# -- pydantic errors to problems ----------------------------------------------------------

def _subschema(loc: FieldPath) -> dict[str, Any]:
    """Follow a field path through the JSON schema to the schema of that field."""
    root = _schema()
    node: dict[str, Any] = root

    def resolve(n: dict[str, Any]) -> dict[str, Any]:
        while True:
            if "$ref" in n:
                n = root["$defs"][n["$ref"].rsplit("/", 1)[1]]
            elif "anyOf" in n:
                n = next((o for o in n["anyOf"] if o.get("type") != "null"), {})
            else:
                return n

    for step in loc:
        node = resolve(node)
        if isinstance(step, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(step, {})
    return resolve(node)


def _char_position(source: Source, loc: FieldPath, char: str) -> tuple[int, int] | None:
    """Return the (line, col) of ``char`` as written inside the value at ``loc``, if it is."""
    start, end = source.spans.get(loc, (0, 0))
    where = source.text.find(char, start, end)
    if where < 0:
        return None  # written as an escape ("\u202e"): the value's own position will do
    line = source.text.count("\n", 0, where) + 1
    return line, where - (source.text.rfind("\n", 0, where) + 1) + 1


def _allowed_keys(loc: FieldPath) -> list[str]:
    return list(_subschema(loc).get("properties", {}))


def _suggest(value: str, allowed: list[str]) -> str | None:
    lowered = value.lower().strip().replace(" ", "_").replace("-", "_")
    for word in (value, lowered):
        if word in SYNONYMS and SYNONYMS[word] in allowed:
            return SYNONYMS[word]
    if lowered in allowed:
        return lowered
    matches = difflib.get_close_matches(lowered, allowed, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the true/false value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the text {value!r}"


_EXAMPLES = {
    "id": "id: acme-2025-04", "name": "name: Example Ltd", "website": "website: https://www.example.com",
    "discovered_at": "discovered_at: 2025-04-22T09:30:00+01:00", "summary": "summary: On 22 April we found …",
    "email": "email: help@example.com",
    "data_involved": "data_involved: [name, email]", "audiences": "audiences: [ … ]",
    "audiences.name": "name: Customers in the UK", "audiences.id": "id: uk-customers",
}


def _problem(source: Source, err: ErrorDetails) -> Problem:
    loc: FieldPath = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    field = _dotted(loc)
    if kind == "missing":
        line, col = source.position(loc[:-1], key=True)
        name = str(loc[-1])
        under = _dotted(loc[:-1]) or "the top level"
        choices = list(_subschema(loc).get("enum", []))
        if choices:  # a fact to decide (how far misuse is known, say): no value is suggested
            return Problem(source.path, line, col, field, "required field is missing",
                           f"add `{name}:` under {under} with the value that is true: "
                           f"{', '.join(choices[:-1])} or {choices[-1]}")
        example = _EXAMPLES.get(f"{loc[0]}.{name}", _EXAMPLES.get(name, f"{name}: …"))
        return Problem(source.path, line, col, field, "required field is missing",
                       f"add `{example}` under {under}")
    if kind == "extra_forbidden":
        line, col = source.position(loc, key=True)
        allowed = _allowed_keys(loc[:-1])
        guess = _suggest(str(loc[-1]), allowed)
        hint = (f"did you mean {guess!r}?" if guess
                else f"remove it; the fields allowed here are: {', '.join(allowed)}")
        return Problem(source.path, line, col, field, f"unknown field {loc[-1]!r}", hint)
    line, col = source.position(loc)
    if kind == "notifier":
        return Problem(source.path, line, col, field, err["msg"], str(ctx.get("hint", "")))
    if kind in ("literal_error", "enum"):
        allowed = list(_subschema(loc).get("enum", []))
        guess = _suggest(str(value), allowed) if isinstance(value, str) else None
        options = ", ".join(allowed)
        hint = (f"did you mean {guess!r}? (allowed: {options})" if guess
                else f"use one of: {options}")
        return Problem(source.path, line, col, field, f"unknown value {value!r}", hint)
    if kind in ("string_type", "string_too_short"):
        if isinstance(value, bool | int | float):
            hint = "put the value in quotes"
        elif isinstance(value, dict) and len(value) == 1:
            # `- TODO: confirm with legal`: YAML reads 'text: more text' as a field.
            key, rest = next(iter(value.items()))
            whole = f"{key}: {rest}" if rest is not None else f"{key}:"
            mark = refusal("text", whole)
            if mark:  # quoting it would only bring the next error: say that one now
                return Problem(source.path, line, col, field, mark[0], mark[1])
            quoted = f'"{whole}"' if '"' not in whole else "'" + whole.replace("'", "''") + "'"
            hint = ("the line has ': ' in it, so YAML read it as a field; put the whole text in "
                    f"quotes: {quoted}")
        else:
            hint = "write the text"
        return Problem(source.path, line, col, field, f"expected text, got {_describe(value)}", hint)
    if kind in ("list_type", "too_short") and (isinstance(value, list) or kind == "list_type"):
        if kind == "too_short":
            return Problem(source.path, line, col, field, "the list is empty",
                           "add at least one item, each on its own line starting with '- '")
        return Problem(source.path, line, col, field, f"expected a list, got {_describe(value)}",
                       "write each item on its own line starting with '- ', or as [a, b]")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem(source.path, line, col, field, f"expected a mapping of fields, got "
                       f"{_describe(value)}", "indent its fields (name: value) under it")
    if kind in ("bool_type", "bool_parsing"):
        return Problem(source.path, line, col, field, f"expected true or false, got {_describe(value)}",
                       "write true or false")
    if kind in ("int_type", "int_parsing", "greater_than_equal"):
        return Problem(source.path, line, col, field,
                       f"expected a whole number of 0 or more, got {_describe(value)}",
                       "write a number without quotes, e.g. 125000")
    return Problem(source.path, line, col, field, err["msg"].rstrip("."), "see docs/fact-sheet.md")


# -- cross-field rules ----------------------------------------------------------------------

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


def _cross_checks(data: dict[str, Any], source: Source) -> list[Problem]:
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
    _audience_rules(data, set(_strings(incident.get("data_involved"))), add)
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
    for name in ("data_involved", "data_not_involved"):
        seen: set[str] = set()
        for i, cat in enumerate(_strings(incident.get(name))):
            if cat in seen:
                add(("incident", name, i), f"{cat!r} is listed twice", "remove one of them")
            seen.add(cat)
    involved = set(_strings(incident.get("data_involved")))
    for i, cat in enumerate(_strings(incident.get("data_not_involved"))):
        if cat in involved:
            add(("incident", "data_not_involved", i),
                f"{cat!r} is listed both as involved and as not involved",
                "keep it in only one of incident.data_involved and incident.data_not_involved")
    if incident.get("password_protection") is not None and not involved & {"password_hash"}:
        add(("incident", "password_protection"),
            "describes how passwords were protected, but password_hash is not in data_involved",
            "add password_hash to incident.data_involved, or remove password_protection")
    if incident.get("kind") == "attempted_access" and involved:
        add(("incident", "kind"), "is attempted_access, but data_involved lists data: an "
            "attempt that reached data is an access", "use unauthorised_access or data_theft, "
            "or empty data_involved if no data was reached")


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


def _audience_rules(data: dict[str, Any], involved: set[str], add: Add) -> None:
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
        for i, cat in enumerate(_strings(audience.get("data_involved"))):
            if cat not in involved:
                add(("audiences", a, "data_involved", i),
                    f"{cat!r} is not in incident.data_involved",
                    "an audience's data is a subset of the incident's: add it to "
                    "incident.data_involved or remove it here")


def schema_text() -> str:
    """Return the JSON Schema as stable, indented JSON text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
