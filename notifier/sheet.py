"""Load a fact sheet: YAML source, then the model, with every problem placed at file:line:col."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from notifier.errors import Problem, SheetError
from notifier.model import DATA_CATEGORIES, READER_NOTICES, FactSheet, refusal
from notifier.yamlsource import FieldPath, Source, parse_yaml, read_yaml

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
    "passport_number": "passport", "national_id": "government_id", "id_card": "government_id",
    "social_security_number": "ssn", "social_security": "ssn", "nric": "government_id",
    "driving_licence": "drivers_license", "drivers_licence": "drivers_license",
    "driver_license": "drivers_license", "state_id": "drivers_license", "tin": "tax_id",
    "itin": "tax_id", "taxpayer_id": "tax_id",
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


def validate_source(source: Source) -> FactSheet:
    """Validate parsed YAML against the model, then the cross-field rules."""
    problems = list(source.problems)
    # A field the YAML layer already reported (a duplicate key, a bad tag) is not reported twice.
    reported = {p.field for p in problems}
    sheet: FactSheet | None = None
    try:
        sheet = FactSheet.model_validate(source.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if err["type"] == "notifier_category":
                continue  # the cross-field rules place each undefined category, with a guess
            problem = _problem(source, err)
            if not any(problem.field == f or problem.field.startswith(f + ".") for f in reported):
                problems.append(problem)
    problems += _cross_checks(source.data, source)
    if problems or sheet is None:
        raise SheetError(_sorted(problems))
    sheet._source = source
    return sheet


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
    if kind == "notifier" and "category" in ctx:
        value = str(ctx["category"])
        guess = _suggest(value, list(DATA_CATEGORIES))
        return Problem(source.path, line, col, field, f"unknown value {value!r}",
                       f"did you mean {guess!r}?" if guess else str(ctx.get("hint", "")))
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
    return moment if moment is not None and moment.tzinfo else None


def _cross_checks(data: dict[str, Any], source: Source) -> list[Problem]:
    """Rules across fields, run on the raw data so that they report even when a type is wrong."""
    problems: list[Problem] = []

    def add(loc: FieldPath, message: str, hint: str) -> None:
        line, col = source.position(loc)
        problems.append(Problem(source.path, line, col, _dotted(loc), message, hint))

    incident = _mapping(data.get("incident"))
    _data_rules(incident, add)
    _time_rules(data, incident, add)
    _revision_rules(data, source, add)
    _audience_rules(data, set(_strings(incident.get("data_involved"))),
                    set(_strings(incident.get("data_possibly_involved"))), add)
    _category_rules(data, add)
    return problems


Add = Callable[[FieldPath, str, str], None]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _data_rules(incident: dict[str, Any], add: Add) -> None:
    """The summary's length, and what the data lists may say together."""
    summary = incident.get("summary")
    if isinstance(summary, str):
        sentences = len(_SENTENCE_END.findall(summary.strip() + " "))
        if sentences > 3:
            add(("incident", "summary"), f"has {sentences} sentences; the summary is 1 to 3",
                "keep the essentials here; details belong in safe and actions_taken")
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
        for name in ("data_involved", "data_possibly_involved"):
            places.append((("audiences", a, name), _mapping(audience).get(name)))
    for loc, value in places:
        for i, cat in enumerate(_strings(value)):
            if cat in known or not re.fullmatch(r"x_[a-z0-9_]+", cat):
                continue  # the model reports a value that is no id at all
            guess = _suggest(cat, known)
            hint = (f"did you mean {guess!r}?" if guess else
                    "use a category from docs/fact-sheet.md, or define it under `categories`")
            add((*loc, i), f"unknown value {cat!r}", hint)


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


def schema_text() -> str:
    """Return the JSON Schema as stable, indented JSON text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
