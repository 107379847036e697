"""The reader's language: no built-in sentence left in English, no sheet text in another
language, and the catalogs' own gaps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifier.checks.finding import Finding, Rule

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

UNTRANSLATED = Rule(
    "language.untranslated", "error",
    "every built-in sentence of the notice is in the reader's language: none comes from the "
    "English source because the locale's catalogs lack it (or mark it fuzzy)",
    "GDPR Art. 34(2) and UK GDPR 'clear and plain language'; EDPB 9/2022 s. III.C (the "
    "recipients' language); house rule (issue 17)")
SHEET_TEXT = Rule(
    "language.sheet_text", "error",
    "every text of the sheet the reader sees is in the reader's language: the sheet's "
    "`language`, or a locale map with the reader's language",
    "as language.untranslated; `notifier validate` reports the same fields as warnings")
CATALOG = Rule(
    "language.catalog", "warning",
    "the reader's locale has no fuzzy or missing catalog entries (an entry this notice does "
    "not use today may be used by the next)", "house rule (issue 17); "
    "`python -m notifier.catalogs check` lists them")
RULES = {r.id: r for r in (UNTRANSLATED, SHEET_TEXT, CATALOG)}


def check(view: NoticeView) -> list[Finding]:
    """Return the language findings for one rendered notice."""
    from notifier.i18n import chain

    found: list[Finding] = []
    locale = view.notice.locale
    catalogs = "/".join(chain(locale)) or "the English source"
    missing = list(view.notice.untranslated)
    if missing:
        shown = "; ".join(repr(m[:60]) for m in missing[:3])
        found.append(view.finding(
            UNTRANSLATED, f"{len(missing)} built-in sentence(s) are not translated for {locale} "
            f"and would reach the reader in English: {shown}",
            f"translate them in notifier/locale/{catalogs.split('/')[-1]}/LC_MESSAGES/"
            "notifier.po (then `python -m notifier.catalogs check`), or record a waiver"))
    found += _sheet_text(view)
    found += _catalog(view, catalogs)
    return found


def _sheet_text(view: NoticeView) -> list[Finding]:
    from notifier import sheettext
    from notifier.sheet import _text_field

    source = view.sheet.source
    if source is None:
        return []
    out = []
    for gap in sheettext.gaps(_as_read(source.data, view.index, view.notice.locale), _text_field,
                              only=view.index):
        dotted = ".".join(map(str, gap.loc))
        out.append(view.finding(
            SHEET_TEXT, f"{dotted} is only in {gap.written_in}, and this reader reads "
            f"{gap.locale}", f"give {dotted} a text for {gap.locale} ({{{gap.written_in.split(', ')[0]}: "
            f"..., {gap.locale}: ...}}), or record a waiver", field=gap.loc))
    return out


def _catalog(view: NoticeView, catalogs: str) -> list[Finding]:
    from notifier.catalogs import gaps

    found = gaps(view.notice.locale)
    count = len(found["missing"]) + len(found["fuzzy"])
    if not count:
        return []
    return [view.finding(
        CATALOG, f"the {view.notice.locale} catalogs ({catalogs}) have {len(found['fuzzy'])} "
        f"fuzzy and {len(found['missing'])} missing entries", "update the translations "
        "(`python -m notifier.catalogs check` lists them)")]


def _as_read(data: Any, index: int, locale: str) -> Any:
    """Return the sheet's raw data with audience ``index`` reading ``locale``: a merged
    recipient's own locale (``notifier merge``) is not the one the sheet gives the audience,
    and the reader's gaps are those of the language the notice is in."""
    from notifier.i18n import SOURCE_LOCALE

    audiences = data.get("audiences") if isinstance(data, dict) else None
    if not isinstance(audiences, list) or not 0 <= index < len(audiences) \
            or not isinstance(audiences[index], dict) \
            or audiences[index].get("locale", SOURCE_LOCALE) == locale:
        return data
    changed = list(audiences)
    changed[index] = {**audiences[index], "locale": locale}
    return {**data, "audiences": changed}
