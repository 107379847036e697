"""A sheet's own text in several languages: locale maps, the text each reader gets, the gaps.

A sheet's free text is in its ``language`` (default en-GB). Any free-text field may instead
map locales to text::

    summary:
      en-GB: Someone got into one of our systems.
      fr-FR: Quelqu'un s'est introduit dans l'un de nos systèmes.

A reader gets the text of their locale, else of another locale of their language (fr-CA
reads fr-FR), else, for a plain string, the sheet's own text when the sheet is in their
language. Anything else is a *gap*: the reader would see text in another language, and
``validate`` reports it at its position (``gaps``), ``check`` refuses the notice.

The model itself only ever holds strings: the maps are resolved before validation, once for
the sheet's language and once for each other language its readers read
(``FactSheet.in_language``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from notifier.i18n import SOURCE_LOCALE, language

FieldPath = tuple[str | int, ...]
#: Whether the field at a path holds free text (the schema says: a string); only there can a
#: mapping be a locale map (``contact: {url: ...}`` is not one, though 'url' looks like a tag).
TextField = Callable[[FieldPath], bool]
LOCALE = re.compile(r"[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*")


def is_locale_map(value: Any) -> bool:
    """True for a mapping of locale tags to text (``{en-GB: ..., fr-FR: ...}``)."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, str) and LOCALE.fullmatch(k) for k in value)
            and all(isinstance(v, str) for v in value.values()))


def locale_maps(data: Any, text_field: TextField,
                loc: FieldPath = ()) -> Iterator[tuple[FieldPath, dict[str, str]]]:
    """Yield (field path, map) for every locale map in the raw sheet data."""
    if loc and is_locale_map(data) and text_field(loc):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from locale_maps(value, text_field, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from locale_maps(value, text_field, (*loc, i))


def pick(texts: dict[str, str], locale: str) -> str | None:
    """Return the map's key for ``locale``: the locale itself, else one of its language."""
    for key in texts:
        if key.lower() == locale.lower():
            return key
    for key in texts:
        if language(key) == language(locale):
            return key
    return None


def resolve(data: Any, locale: str, sheet_language: str, text_field: TextField) -> Any:
    """Return the raw data with every locale map replaced by its text for ``locale`` (the
    sheet language's text where the map has none: the gap is reported elsewhere)."""
    maps = dict(locale_maps(data, text_field))

    def walk(value: Any, loc: FieldPath) -> Any:
        if loc in maps:
            key = pick(value, locale) or pick(value, sheet_language) or next(iter(value))
            return value[key]
        if isinstance(value, dict):
            return {k: walk(v, (*loc, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*loc, i)) for i, v in enumerate(value)]
        return value

    return walk(data, ()) if maps else data


def sheet_language(data: Any) -> str:
    """Return the language a sheet's plain text is in (its ``language``, default en-GB)."""
    found = data.get("language") if isinstance(data, dict) else None
    return found if isinstance(found, str) and LOCALE.fullmatch(found) else SOURCE_LOCALE


def languages(data: Any, text_field: TextField) -> list[str]:
    """Return the locales other than the sheet's that its text must be resolved for: each
    audience's, and each a map names."""
    found: list[str] = []
    audiences = data.get("audiences") if isinstance(data, dict) else None
    for audience in audiences if isinstance(audiences, list) else []:
        if isinstance(audience, dict) and isinstance(audience.get("locale"), str):
            found.append(audience["locale"])
        elif isinstance(audience, dict):
            found.append(SOURCE_LOCALE)
    found += [k for _loc, texts in locale_maps(data, text_field) for k in texts]
    return list(dict.fromkeys(found))


# -- what each reader sees ---------------------------------------------------------------------

#: The incident's fields that tell the story: not shown to Massachusetts readers.
_NARRATIVE = ("summary", "safe", "actions_taken", "measures_proposed", "likely_consequences",
              "how_discovered")
#: Per notice kind, the sheet's free-text fields its reader sees (``*``: every item). Names
#: (of the organisation, people, services, authorities, the press office) are names in every
#: language and may be mapped, but are never reported.
SEEN: dict[str, tuple[str, ...]] = {
    "reader": ("incident.summary", "incident.safe.*", "incident.actions_taken.*",
               "incident.measures_proposed.*", "incident.likely_consequences.*",
               "incident.password_protection", "incident.protection_offer.service",
               "incident.protection_offer.how_to_enrol", "organisation.signatory.title",
               "organisation.privacy_contact.name"),
    "service_disruption": ("incident.services.*.workaround", "organisation.signatory.title"),
    "staff_notice": ("incident.summary", "incident.services.*.workaround", "staff.systems.*",
                     "staff.must.*", "staff.must_not.*", "staff.customer_line", "staff.people",
                     "staff.help", "organisation.signatory.title"),
    "regulator_report": ("incident.summary", "incident.how_discovered",
                         "incident.actions_taken.*", "incident.measures_proposed.*",
                         "incident.likely_consequences.*", "incident.delay_reasons",
                         "incident.delay_reasons.*.detail", "organisation.privacy_contact.name",
                         "organisation.signatory.title"),
}
#: An audience's own fields its reader sees (the regulator sees the readers' names instead).
_OWN = ("reason", "greeting", "subjects", "safe.*", "name")


@dataclass(frozen=True)
class Gap:
    """A field a reader sees that has no text in the reader's language."""

    loc: FieldPath
    audience: int
    locale: str
    written_in: str  # the languages it has, as locale tags


def _matches(pattern: str, loc: FieldPath) -> bool:
    parts = pattern.split(".")
    return len(parts) == len(loc) and all(p == "*" or p == str(s) for p, s in zip(parts, loc,
                                                                                 strict=True))


def _seen(data: dict[str, Any], index: int, loc: FieldPath) -> bool:
    """Whether audience ``index``'s reader sees the field at ``loc``."""
    audience = data["audiences"][index]
    notice = audience.get("notice")
    codes = audience.get("jurisdictions") or []
    kind = notice if notice in SEEN else "reader"
    if loc[:2] == ("audiences", index):
        own = loc[2:]
        if own == ("name",):  # shown only where a reader's notice has no reason to give
            return not audience.get("reason") and kind in ("reader", "service_disruption")
        return any(_matches(p, own) for p in _OWN) and not (
            "US-MA" in codes and own[:1] == ("reason",))
    if loc[0] == "audiences" and kind == "regulator_report":
        return len(loc) == 3 and loc[2] == "name"
    if loc[0] == "categories" and kind in ("reader", "regulator_report"):
        return True
    if loc[0] == "incident" and "US-MA" in codes and len(loc) > 1 and loc[1] in _NARRATIVE:
        return False
    if loc[:2] == ("incident", "how_discovered") and kind == "reader":
        return "SG" in codes
    return any(_matches(p, loc) for p in SEEN[kind])


def _free_text(data: Any, text_field: TextField,
               loc: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """Yield (path, value) for every string or locale map in the raw data."""
    if isinstance(data, str) or (is_locale_map(data) and text_field(loc)):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _free_text(value, text_field, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _free_text(value, text_field, (*loc, i))


#: The free texts of the last sheet looked at (``check`` asks once per audience): the data,
#: kept so that no other object takes its id, and its texts (None: one language only).
_last: tuple[Any, list[tuple[FieldPath, Any]] | None] | None = None
#: The gaps of the last sheet looked at, for all its audiences.
_last_gaps: tuple[Any, list[Gap]] | None = None


def _texts(data: dict[str, Any], text_field: TextField) -> list[tuple[FieldPath, Any]] | None:
    global _last
    if _last is not None and _last[0] is data:
        return _last[1]
    own = sheet_language(data)
    audiences = data.get("audiences") or []
    locales = {a.get("locale", SOURCE_LOCALE) if isinstance(a, dict) else SOURCE_LOCALE
               for a in audiences}
    single = all(language(str(x)) == language(own) for x in locales) and not any(
        True for _ in locale_maps(data, text_field))
    texts = None if single else list(_free_text(data, text_field))
    _last = (data, texts)
    return texts


def gaps(data: dict[str, Any], text_field: TextField, only: int | None = None) -> list[Gap]:
    """Return every field an audience's reader sees with no text in the reader's language
    (only audience ``only``'s, when given)."""
    global _last_gaps
    if _last_gaps is None or _last_gaps[0] is not data:
        _last_gaps = (data, _all_gaps(data, text_field))
    return [g for g in _last_gaps[1] if only is None or g.audience == only]


def _all_gaps(data: dict[str, Any], text_field: TextField, only: int | None = None) -> list[Gap]:
    own = sheet_language(data)
    audiences = data.get("audiences")
    if not isinstance(audiences, list):
        return []
    found: list[Gap] = []
    texts = _texts(data, text_field)
    if texts is None:
        return []  # one language throughout: nothing to look for
    for index, audience in enumerate(audiences):
        if not isinstance(audience, dict) or (only is not None and index != only):
            continue
        found_locale = audience.get("locale")
        locale = found_locale if isinstance(found_locale, str) else SOURCE_LOCALE
        for loc, value in texts:
            if not loc or loc[0] in ("id", "language") or not _seen(data, index, loc):
                continue
            if isinstance(value, dict):
                if pick(value, locale) is None:
                    found.append(Gap(loc, index, locale, ", ".join(value)))
            elif language(own) != language(locale):
                found.append(Gap(loc, index, locale, own))
    return found
