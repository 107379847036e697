"""Load a fact sheet: YAML source, then the model, with every problem placed at file:line:col."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from notifier import sheettext
from notifier.errors import Problem, SheetError
from notifier.model import DATA_CATEGORIES, FactSheet, refusal
from notifier.sheetrules import cross_checks, future_times
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


def validate_source(source: Source, *, now: datetime | None = None) -> FactSheet:
    """Validate parsed YAML against the model, then the cross-field rules.

    Unquoted scalars are read as the schema types their field (see ``_typed_scalars``).
    Warnings (a discovery dated in the future) go to ``source.warnings``; ``now`` is the
    moment "the future" starts (default: the current time).
    """
    problems = list(source.problems) + _typed_scalars(source)
    # A field the YAML layer already reported (a duplicate key, a bad tag) is not reported twice.
    reported = {p.field for p in problems}
    own = sheettext.sheet_language(source.data)
    base = sheettext.resolve(source.data, own, own, _text_field)
    sheet = _validated(source, base, own, problems, reported)
    variants: dict[str, FactSheet] = {}
    same: list[str] = []  # the locales that read the sheet as it is
    for locale in sheettext.languages(source.data, _text_field):
        data = sheettext.resolve(source.data, locale, own, _text_field)
        if data == base:
            same.append(locale)
            continue
        variant = _validated(source, data, locale, problems, reported)
        if variant is not None:
            variant._source = source
            variants[locale] = variant
    problems += cross_checks(base, source)
    source.warnings[:] = _sorted(future_times(source, now) + _language_gaps(source))
    if problems or sheet is None:
        raise SheetError(_sorted(problems))
    sheet._source = source
    variants.update(dict.fromkeys([*same, own], sheet))
    sheet._variants = variants
    for variant in variants.values():
        variant._variants = variants
    return sheet


def _validated(source: Source, data: dict[str, Any], locale: str, problems: list[Problem],
               reported: set[str]) -> FactSheet | None:
    """Validate the sheet as resolved for ``locale``; add its problems (once each), placed at
    the map entry of that locale where a map gave the text."""
    try:
        return FactSheet.model_validate(data)
    except ValidationError as exc:
        maps = dict(sheettext.locale_maps(source.data, _text_field))
        for err in exc.errors(include_url=False):
            if err["type"] == "notifier_category":
                continue  # the cross-field rules place each undefined category, with a guess
            loc = tuple(err["loc"])
            if loc in maps:  # the text of one language: point at its entry
                key = sheettext.pick(maps[loc], locale) or next(iter(maps[loc]))
                err = {**err, "loc": (*loc, key)}
            problem = _problem(source, err)
            char = (err.get("ctx") or {}).get("char")
            if char:  # an invisible character: point at it, not at the value's start
                line, col = _char_position(source, tuple(err["loc"]), char) or (problem.line, problem.col)
                problem = dataclasses.replace(problem, line=line, col=col)
            if not any(problem.field == f or problem.field.startswith(f + ".") for f in reported) \
                    and problem not in problems:
                problems.append(problem)
        return None


@cache
def _text_field(loc: FieldPath) -> bool:
    """Whether the field at ``loc`` holds free text (a string the schema does not constrain
    to a list of values, a format, or a pattern other than 'one line')."""
    found = _subschema(tuple(loc))
    return (found.get("type") == "string" and "enum" not in found and "format" not in found
            and found.get("pattern") in _FREE_TEXT)


def _language_gaps(source: Source) -> list[Problem]:
    """A warning for each field a reader sees with no text in the reader's language."""
    out = []
    audiences = source.data.get("audiences") or []
    for gap in sheettext.gaps(source.data, _text_field):
        line, col = source.position(gap.loc)
        who = audiences[gap.audience].get("id", gap.audience)
        out.append(Problem(
            source.path, line, col, _dotted(gap.loc),
            f"audience {who!r} reads {gap.locale}, but this text is only in {gap.written_in}",
            f"map it to locales, e.g. {{{gap.written_in.split(', ')[0]}: ..., {gap.locale}: ...}} "
            "(see docs/fact-sheet.md, 'Text in several languages')"))
    return out


# -- unquoted scalars, typed by the schema --------------------------------------------------

#: The plain scalars YAML reads as null.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
#: Patterns of free-text fields (none, or one line). A field with a pattern of its own (a
#: jurisdiction code: NO is Norway) is left to the model, which judges the value.
_FREE_TEXT = (None, "^[^\\r\\n]+$",
              "\\{name\\}")  # a merge's greeting (recipients.greeting): text with a slot


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
        if written in _NULLS:
            continue  # YAML's null: the field is left out (an optional one) or missing
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


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the fact-sheet format.

    Every free-text field may be a string or a map of locales to strings (sheettext).
    """
    import copy

    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **_with_locale_maps(copy.deepcopy(_schema()))}


def _with_locale_maps(node: Any) -> Any:
    """Let every free-text string of a schema be a locale map too."""
    if isinstance(node, dict):
        for key in ("properties", "$defs"):
            if isinstance(node.get(key), dict):
                node[key] = {k: _localisable(_with_locale_maps(v)) if key == "properties"
                             else _with_locale_maps(v) for k, v in node[key].items()}
        if isinstance(node.get("items"), dict):
            node["items"] = _localisable(_with_locale_maps(node["items"]))
        for key in ("anyOf", "oneOf", "allOf"):
            if isinstance(node.get(key), list):
                node[key] = [_localisable(_with_locale_maps(n)) for n in node[key]]
    return node


def _localisable(node: Any) -> Any:
    if not (isinstance(node, dict) and node.get("type") == "string" and "enum" not in node
            and "format" not in node and node.get("pattern") in _FREE_TEXT):
        return node
    text = {k: v for k, v in node.items() if k not in ("default", "description", "title")}
    kept = {k: v for k, v in node.items() if k in ("default", "description", "title")}
    return {**kept, "anyOf": [text, {
        "type": "object", "minProperties": 1, "additionalProperties": text,
        "propertyNames": {"pattern": "^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
        "description": "the text in several languages: a locale tag (en-GB, fr-FR) to each"}]}


@cache
def _schema() -> dict[str, Any]:
    """The JSON Schema of the model. Making it takes some 20 ms, which every sheet with a
    number or a date in it needs (``_typed_scalars``): kept in the user cache, keyed by the
    sources of the modules it is made from and pydantic's version."""
    import pydantic

    from notifier import advice, cache, model

    try:
        source = b"".join(Path(m.__file__ or "").read_bytes() for m in (model, advice))
        source += f"\0pydantic {pydantic.VERSION}".encode()
    except OSError:
        source = b""
    kept = cache.load_pickle("schema", source) if source else None
    if isinstance(kept, dict) and kept.get("title") == SCHEMA_TITLE:
        return kept
    schema = FactSheet.model_json_schema(by_alias=True)
    schema["title"] = SCHEMA_TITLE
    if source:
        cache.store_pickle("schema", source, schema)
    return schema


SCHEMA_TITLE = "notifier incident fact sheet"


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


def schema_text() -> str:
    """Return the JSON Schema as stable, indented JSON text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def load_previous(sheet: FactSheet) -> FactSheet | None:
    """Load the earlier revision a sheet supersedes, relative to the sheet's own file.

    Raises:
        SheetError: the earlier revision is missing or invalid.
    """
    if sheet.supersedes is None:
        return None
    base = Path(sheet.source.path).parent if sheet.source is not None else Path.cwd()
    return load_sheet(base / sheet.supersedes.sheet)
