"""The readers' languages: message catalogs, and dates, numbers and lists in each locale's way.

English (``en-GB``) is the source: every built-in sentence is written in it, in
``templates/_copy.j2`` (``{% trans %}`` blocks) and in ``notifier/advice.py`` and
``notifier/context.py`` (``N_("...")``). ``pybabel extract`` gathers them into
``notifier/locale/notifier.pot``; each language has a gettext catalog,
``notifier/locale/<ll>[_<CC>]/LC_MESSAGES/notifier.po``, read here at run time (parsed once,
then kept in the user cache, so a fresh clone needs no compile step).

A regional catalog (``fr_CA``, ``es_US``, ``en_US``) holds only what differs from its
language's catalog (``fr``, ``es``; English: the source), and a message is looked up along
that chain. A message no catalog of the chain translates is *missing*: the reader would get
the English source, so the notice records it and ``check`` refuses it (except in English,
where the source is the text). Fuzzy entries (``#, fuzzy``: the source changed since the
translation) are never used, so they are missing too, and ``check`` reports them.

Dates, numbers and lists follow the locale's conventions through Babel's CLDR data
("19 April 2025", "April 19, 2025", "19. April 2025"; "6.500.000"; "a, b et c"). English
lists keep the house style ("a, b and c", no serial comma, also in en-US, as AP style has it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

#: The language a fact sheet's plain text is taken to be in, and the built-in wording's.
SOURCE_LOCALE = "en-GB"
#: The locales whose catalogs are complete and reviewed (docs/languages.md).
SHIPPED = ("en-GB", "en-US", "fr-FR", "fr-CA", "de-DE", "es-ES", "es-US", "nl-NL")
DOMAIN = "notifier"
#: Languages written right to left (their notices get dir="rtl").
RTL = frozenset({"ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur", "yi"})


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, known to pybabel extract
    """Mark ``message`` for the catalogs without translating it (it is translated at use)."""
    return message


def catalog_dir() -> Path:
    """Return the folder of the message catalogs."""
    return _CATALOGS


_CATALOGS = Path(__file__).resolve().parent / "locale"


def language(locale: str) -> str:
    """Return a locale's language, lower case ('fr-CA' -> 'fr')."""
    return locale.replace("_", "-").split("-")[0].lower()


def same_language(a: str, b: str) -> bool:
    """True when two locales are in the same language ('fr-CA', 'fr-FR')."""
    return language(a) == language(b)


def is_source(locale: str) -> bool:
    """True for English locales: the built-in wording is written in English."""
    return language(locale) == "en"


def direction(locale: str) -> str:
    """Return 'rtl' for a right-to-left language, else 'ltr'."""
    return "rtl" if language(locale) in RTL else "ltr"


def babel_locale(locale: str) -> str:
    """Return the locale as Babel names it ('fr-CA' -> 'fr_CA'; a bare 'fr' stays 'fr')."""
    parts = locale.replace("_", "-").split("-")
    out = [parts[0].lower()]
    out += [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p for p in parts[1:]]
    return "_".join(out)


@cache
def chain(locale: str) -> tuple[str, ...]:
    """Return the catalogs a locale reads, most specific first ('fr-CA' -> fr_CA, fr)."""
    lang = language(locale)
    names = [babel_locale(locale), lang] if babel_locale(locale) != lang else [lang]
    return tuple(n for n in dict.fromkeys(names) if (catalog_dir() / n).is_dir())


def supported(locale: str) -> bool:
    """True when notices can be written in ``locale``: English, or a language with a catalog."""
    return is_source(locale) or bool(chain(locale))


def available() -> list[str]:
    """Return the catalogs shipped, by name ('de', 'fr', 'fr_CA', ...)."""
    folder = catalog_dir()
    return sorted(p.name for p in folder.iterdir()
                  if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()) if folder.is_dir() else []


@cache
def catalogs_digest() -> str:
    """Return a hash of every catalog file (a changed translation changes the notices)."""
    import hashlib

    h = hashlib.sha256()
    folder = catalog_dir()
    if folder.is_dir():
        for path in sorted(folder.rglob("*.po")):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Catalog:
    """One parsed .po file: its translations, and the entries it cannot give."""

    name: str
    path: Path
    messages: dict[str, str]
    plurals: dict[str, tuple[str, ...]]
    plural_rule: str
    fuzzy: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()

    def plural_index(self, n: int) -> int:
        """Return which plural form ``n`` takes in this catalog's language."""
        return int(_plural_function(self.plural_rule)(n))


@cache
def _plural_function(rule: str) -> Any:
    import gettext

    return gettext.c2py(rule)


@cache
def load_catalog(name: str) -> Catalog | None:
    """Return the catalog called ``name`` ('fr_CA'), or None if there is none."""
    path = catalog_dir() / name / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        source = path.read_bytes()
    except OSError:
        return None
    from notifier import cache as user_cache

    kept = user_cache.load_json("catalogs", source)
    parsed = _from_kept(kept) if kept is not None else None
    if parsed is None:
        parsed = _parse(source)
        user_cache.store_json("catalogs", source, parsed)
    return Catalog(name, path, parsed["messages"],
                   {k: tuple(v) for k, v in parsed["plurals"].items()}, parsed["rule"],
                   tuple(parsed["fuzzy"]), tuple(parsed["empty"]))


@cache
def source_messages() -> tuple[str, ...]:
    """Return every msgid of the built-in wording, from notifier/locale/notifier.pot (kept
    current by a test; ``python -m notifier.catalogs extract`` writes it)."""
    path = catalog_dir() / f"{DOMAIN}.pot"
    try:
        source = path.read_bytes()
    except OSError:
        return ()
    from notifier import cache as user_cache

    kept = user_cache.load_json("catalogs", source)
    parsed = _from_kept(kept) if kept is not None else None
    if parsed is None:
        parsed = _parse(source)
        user_cache.store_json("catalogs", source, parsed)
    return tuple(parsed["empty"]) + tuple(parsed["messages"]) + tuple(parsed["plurals"])


def _from_kept(kept: Any) -> dict[str, Any] | None:
    try:
        if not (isinstance(kept["messages"], dict) and isinstance(kept["plurals"], dict)
                and isinstance(kept["rule"], str)):
            return None
        return {"messages": {str(k): str(v) for k, v in kept["messages"].items()},
                "plurals": {str(k): [str(x) for x in v] for k, v in kept["plurals"].items()},
                "rule": kept["rule"], "fuzzy": [str(x) for x in kept["fuzzy"]],
                "empty": [str(x) for x in kept["empty"]]}
    except (KeyError, TypeError, AttributeError):
        return None


def _parse(source: bytes) -> dict[str, Any]:
    """Parse .po bytes with Babel: translations (fuzzy ones left out), and what is not usable."""
    from io import BytesIO

    from babel.messages.pofile import read_po

    catalog = read_po(BytesIO(source))
    messages: dict[str, str] = {}
    plurals: dict[str, list[str]] = {}
    fuzzy: list[str] = []
    empty: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if message.context:
            key = f"{message.context}\x04{key}"
        if message.fuzzy:
            fuzzy.append(key)
            continue
        if isinstance(message.string, tuple | list):
            if not all(message.string):
                empty.append(key)
                continue
            plurals[key] = list(message.string)
        elif message.string:
            messages[key] = message.string
        else:
            empty.append(key)
    rule = catalog.plural_expr or "(n != 1)"
    return {"messages": messages, "plurals": plurals, "rule": rule, "fuzzy": fuzzy,
            "empty": empty}


@dataclass
class Translator:
    """gettext for one locale: looks each message up along the locale's catalogs, and keeps
    the messages it could not find (the English source was used for them)."""

    locale: str
    catalogs: tuple[Catalog, ...] = ()
    missing: list[str] = field(default_factory=list)

    @property
    def source(self) -> bool:
        """True when the locale is English, whose missing entries are the source text."""
        return is_source(self.locale)

    def gettext(self, message: str) -> str:
        """Return ``message`` in this locale."""
        for catalog in self.catalogs:
            found = catalog.messages.get(message)
            if found is not None:
                return found
        if not self.source and message not in self.missing:
            self.missing.append(message)
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Return the singular or plural of a message for ``n``, in this locale."""
        for catalog in self.catalogs:
            forms = catalog.plurals.get(singular)
            if forms is not None:
                index = catalog.plural_index(n)
                return forms[min(index, len(forms) - 1)]
        if not self.source and singular not in self.missing:
            self.missing.append(singular)
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        """Return ``message`` in this locale, for the given context."""
        found = self.gettext(f"{context}\x04{message}")
        return message if found == f"{context}\x04{message}" else found

    def fresh(self) -> Translator:
        """Return a translator for the same locale with no messages recorded yet."""
        return Translator(self.locale, self.catalogs)


def translator(locale: str) -> Translator:
    """Return a translator for ``locale`` (English: the source text, en-US's spellings)."""
    found = tuple(c for c in (load_catalog(n) for n in chain(locale)) if c is not None)
    return Translator(locale, found)


# --- Dates, numbers, lists -------------------------------------------------------------------

@cache
def _babel(locale: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(babel_locale(locale))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language(locale))
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en_GB")


def format_date(moment: date | datetime, locale: str) -> str:
    """Return a date as readers of ``locale`` write it in full: '19 April 2025' (en-GB),
    'April 19, 2025' (en-US), '19. April 2025' (de), '19 de abril de 2025' (es).

    A timestamp gives its own day, in its own zone (the sheet's offset)."""
    from babel.dates import format_date as babel_date

    day = moment.date() if isinstance(moment, datetime) else moment
    text = str(babel_date(day, "long", locale=_babel(locale)))
    if language(locale) == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]  # French writes the first of the month as an ordinal
    return text


def format_time(moment: datetime, locale: str) -> str:
    """Return the time of day as ``locale`` writes it: on a 24-hour clock ('18:00'), but in
    US English on a 12-hour one ('6:00 PM'), and in Quebec French with 'h' ('18 h 00', CLDR
    fr_CA's ``HH 'h' mm``, with no-break spaces so that a line never ends inside it)."""
    tag = locale.replace("_", "-").lower()
    if tag == "en-us":
        return f"{moment.hour % 12 or 12}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"
    if tag == "fr-ca":
        return f"{moment:%H}\u00a0h\u00a0{moment:%M}"
    return f"{moment:%H:%M}"


def format_offset(moment: datetime, locale: str) -> str:
    """Return a time's UTC offset as the notices write it after 'UTC': '+0800' in English
    (the source's form), '+08:00' in other languages."""
    offset = f"{moment:%z}"
    if is_source(locale) or len(offset) != 5:
        return offset
    return f"{offset[:3]}:{offset[3:]}"


#: Countries whose English name takes 'the' in a sentence.
_NAMED_WITH_THE = frozenset({"GB", "US", "NL"})


def place_name(code: str, locale: str) -> str:
    """Return a jurisdiction as a reader of ``locale`` names it: a country code in the
    locale's words ('SG' -> 'Singapore', 'Singapour'; 'GB' -> 'the United Kingdom'); a state
    or province ('US-CA'), or a code the locale data lacks, as the code itself."""
    if len(code) != 2:
        return code
    from babel import Locale

    country = code.upper()
    name = Locale.parse(_babel(locale)).territories.get(country)
    if name is None:
        return code
    return f"the {name}" if is_source(locale) and country in _NAMED_WITH_THE else str(name)


#: How each language cites a provision of a law the regulator drafts name: the article word,
#: then the law's name ("du PDPA", "de la PDPA"). English keeps the law's own form ("PDPA s.
#: 26D(1)"), whose "s." a German reader takes for "siehe" and a Dutch one does not know.
_CITATION_STYLE = {
    "de": "Art. {number}{parts} {law}",
    "nl": "artikel {number}{parts} {law}",
    "fr": "article {number}{parts} {law}",
    "es": "art. {number}{parts} {law}",
}
#: A law's name in each language, with the preposition and article it takes after the article
#: number (German and Dutch put the bare name after it).
_LAW_NAMES: dict[str, dict[str, str]] = {
    "PDPA": {"fr": "du PDPA", "es": "de la PDPA"},
    "GDPR": {"de": "DSGVO", "nl": "AVG", "fr": "du RGPD", "es": "del RGPD"},
    "UK GDPR": {"fr": "du UK GDPR", "es": "del UK GDPR"},
    "Privacy Act": {"fr": "du Privacy Act", "es": "de la Privacy Act"},
    "PIPEDA": {"fr": "de la LPRPDE", "es": "de la PIPEDA"},
}
#: 'PDPA s. 26D(1)', 'GDPR Art. 33(1)', 'Privacy Act s. 26WK(2)(b)'.
_CITATION = re.compile(r"^(?P<law>.+?) (?:s\.|Art\.) (?P<number>[0-9][0-9A-Z.]*)"
                       r"(?P<parts>(?:\([0-9a-z]+\))*)$")


def law_citation(citation: str, locale: str) -> str:
    """Return a provision of a law as a lawyer of ``locale``'s language cites it: 'PDPA s.
    26D(1)' is 'Art. 26D Abs. 1 PDPA', 'artikel 26D lid 1 PDPA', 'article 26D(1) du PDPA',
    'art. 26D(1) de la PDPA'; English, and a citation of another form, as it is."""
    style = _CITATION_STYLE.get(language(locale))
    found = _CITATION.match(citation)
    if is_source(locale) or style is None or found is None:
        return citation
    law = found["law"]
    parts = re.findall(r"\(([0-9a-z]+)\)", found["parts"])
    if language(locale) == "de":  # Absatz, then Buchstabe: 'Abs. 2 Buchst. b'
        words = [f" Abs. {p}" if p.isdigit() else f" Buchst. {p}" for p in parts]
    elif language(locale) == "nl":  # lid, then onder: 'lid 2 onder b'
        words = [f" lid {p}" if p.isdigit() else f" onder {p}" for p in parts]
    else:  # French and Spanish keep the brackets: 'article 26D(1)'
        words = [f"({p})" for p in parts]
    return style.format(number=found["number"], parts="".join(words),
                          law=_LAW_NAMES.get(law, {}).get(language(locale), law))


def format_number(number: int | float, locale: str) -> str:
    """Return a number with the locale's grouping: '6,500,000', '6 500 000', '6.500.000'."""
    from babel.numbers import format_decimal

    return str(format_decimal(number, locale=_babel(locale)))


def join(items: Sequence[str] | Iterable[str], locale: str, conjunction: str = "and") -> str:
    """Join items as a list in running text: 'a, b and c' (English, no serial comma), 'a, b et
    c', 'a, b und c'; ``conjunction`` 'or' for alternatives ('a, b ou c')."""
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    if is_source(locale):
        return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
    patterns = _list_patterns(locale, "or" if conjunction == "or" else "standard")
    if len(words) == 2:
        return patterns["2"].format(*words)
    text = patterns["end"].format(words[-2], words[-1])
    for word in reversed(words[1:-2]):
        text = patterns["middle"].format(word, text)
    return patterns["start"].format(words[0], text)


@cache
def _list_patterns(locale: str, style: str) -> dict[str, str]:
    """Return CLDR's list patterns for a locale (what Babel's format_list uses), kept: a
    notice joins dozens of lists."""
    return dict(_babel(locale).list_patterns[style])


_QUOTES = {"fr": ("« ", " »"), "de": ("„", "“"), "es": ("«", "»"), "nl": ("‘", "’")}


def quote(text: str, locale: str) -> str:
    """Return ``text`` in the locale's quotation marks ('"x"', '« x »', '„x“')."""
    opening, closing = _QUOTES.get(language(locale), ('"', '"'))
    if language(locale) == "fr":
        opening, closing = "«\u00a0", "\u00a0»"
    return f"{opening}{text}{closing}"


def locale_label(locale: str) -> str:
    """Return a locale's name in its own language, for the preview's language switch."""
    found = _babel(locale)
    return str(found.get_display_name(found) or locale)
