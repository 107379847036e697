"""The reader's language: catalogs complete, locale conventions, sheet text per language, and
checks that prove elements (and refuse English) in every shipped language."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import MINIMAL

from notifier import catalogs, i18n
from notifier.checks import check_notice, errors
from notifier.errors import RenderRefused
from notifier.i18n import SHIPPED
from notifier.render import render_notice
from notifier.sheet import parse_sheet
from notifier.templating import make_environment

# --- the catalogs ----------------------------------------------------------------------------

def test_the_pot_holds_every_message_the_sources_use() -> None:
    """A template or table sentence added without `python -m notifier.catalogs extract`
    fails here (and then in the completeness test below, for every language)."""
    assert catalogs.pot_path().read_bytes() == catalogs.pot_text(), (
        "run: python -m notifier.catalogs update, then translate what it adds")


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_shipped_locale_translates_every_message(locale: str) -> None:
    assert catalogs.gaps(locale) == {"missing": [], "fuzzy": []}


def test_every_translation_keeps_the_placeholders_of_its_source() -> None:
    import re

    placeholder = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
    for name in i18n.available():
        catalog = i18n.load_catalog(name)
        assert catalog is not None
        for source, text in catalog.messages.items():
            wanted = {m for m in placeholder.findall(source)}
            # a translation may add a variable the template offers (subjects beside whose)
            assert wanted <= {m for m in placeholder.findall(text)} | {("whose", "")}, (
                name, source)
            offered = wanted | {(extra, "") for extra in catalogs.EXTRA_ARGUMENTS.get(source, ())}
            assert {m for m in placeholder.findall(text)} <= offered, (name, source)


def _po_files() -> list[Path]:
    return sorted(i18n.catalog_dir().glob("*/LC_MESSAGES/*.po"))


@pytest.mark.parametrize("po", _po_files(), ids=lambda p: p.parent.parent.name)
def test_every_catalog_passes_the_gettext_format_check(po: Path) -> None:
    """``msgfmt -c`` (GNU gettext's check: headers, plural forms, python-format placeholders)
    passes on every catalog, so that any gettext tool chain can compile them. Without msgfmt,
    Babel's own checks stand in for it (the format check skipped where msgfmt skips it: a
    ``no-python-format`` entry, whose extra arguments the test above checks)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is not None:
        import subprocess

        done = subprocess.run([msgfmt, "-c", "-o", "/dev/null", str(po)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        return
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name)
    problems = []
    for message in catalog:
        if "no-python-format" in message.flags:
            message.flags.discard("python-format")
        problems += [f"{message.id!r}: {error}" for error in message.check(catalog)]
    assert not problems


def test_the_babel_format_check_catches_what_msgfmt_does(tmp_path: Path) -> None:
    """The fallback above is a real check: an argument the msgid lacks fails it."""
    from babel.messages.pofile import read_po

    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  '#, python-format\nmsgid "To %(org)s"\nmsgstr "An %(subjects)s"\n',
                  encoding="utf-8")
    with po.open("rb") as f:
        catalog = read_po(f, locale="de")
    assert [e for m in catalog for e in m.check(catalog)]


@pytest.fixture
def catalog_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped catalogs, copied where a test may break them."""
    folder = tmp_path / "locale"
    shutil.copytree(i18n.catalog_dir(), folder)
    monkeypatch.setattr(i18n, "catalog_dir", lambda: folder)
    caches = (i18n.load_catalog, i18n.source_messages, i18n.chain, catalogs._gaps)
    for cached in caches:
        cached.cache_clear()
    yield folder
    for cached in caches:
        cached.cache_clear()


def _drop(po: Path, msgid: str) -> None:
    """Remove one entry's translation from a .po file."""
    text = po.read_text(encoding="utf-8")
    start = text.index(f'msgid "{msgid}"')
    end = text.index("\n\n", start)
    entry = text[start:end]
    po.write_text(text.replace(entry, f'msgid "{msgid}"\nmsgstr ""'), encoding="utf-8")


def test_a_catalog_missing_an_entry_is_reported_and_the_notice_refused(catalog_copy: Path) -> None:
    _drop(catalog_copy / "de" / "LC_MESSAGES" / "notifier.po", "Not involved:")
    assert catalogs.gaps("de-DE")["missing"] == ["Not involved:"]
    sheet = parse_sheet(MINIMAL.replace("    notice: incident\n",
                                        "    notice: incident\n    locale: de-DE\n"))
    notice = render_notice(sheet, 0, make_environment())
    assert notice.untranslated == ("Not involved:",)
    found = {f.rule_id for f in errors(check_notice(sheet, notice))}
    assert "language.untranslated" in found
    assert "Not involved:" in notice.text  # the English source it would have sent


def test_a_fuzzy_entry_is_not_used(catalog_copy: Path) -> None:
    po = catalog_copy / "nl" / "LC_MESSAGES" / "notifier.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgid "Not involved:"', '#, fuzzy\nmsgid "Not involved:"', 1),
                  encoding="utf-8")
    assert catalogs.gaps("nl-NL") == {"missing": ["Not involved:"], "fuzzy": ["Not involved:"]}


def test_a_regional_catalog_falls_back_to_its_language() -> None:
    assert i18n.chain("fr-CA") == ("fr_CA", "fr")
    assert i18n.chain("fr-BE") == ("fr",)
    assert i18n.chain("es-US") == ("es_US", "es")
    assert i18n.chain("en-GB") == ()
    canada = i18n.translator("fr-CA")
    assert canada.gettext("Email:") == "Courriel\u00a0:"  # its own word
    assert canada.gettext("Online:") == "En ligne\u00a0:"  # France's
    assert i18n.translator("en-US").gettext("your postal address") == "your mailing address"
    assert i18n.translator("en-GB").gettext("your postal address") == "your postal address"
    assert not i18n.supported("it-IT") and i18n.supported("fr-BE") and i18n.supported("en-NZ")


# --- dates, numbers and lists per locale -------------------------------------------------------

CONVENTIONS = {
    "en-GB": ("19 April 2025", "6,500,000", "A, B and C", "A, B or C"),
    "en-US": ("April 19, 2025", "6,500,000", "A, B and C", "A, B or C"),
    "fr-FR": ("19 avril 2025", "6\u202f500\u202f000", "A, B et C", "A, B ou C"),
    "fr-CA": ("19 avril 2025", "6\u00a0500\u00a0000", "A, B et C", "A, B ou C"),
    "de-DE": ("19. April 2025", "6.500.000", "A, B und C", "A, B oder C"),
    "es-ES": ("19 de abril de 2025", "6.500.000", "A, B y C", "A, B o C"),
    "es-US": ("19 de abril de 2025", "6,500,000", "A, B y C", "A, B o C"),
    "nl-NL": ("19 april 2025", "6.500.000", "A, B en C", "A, B of C"),
}


@pytest.mark.parametrize("locale", SHIPPED)
def test_dates_numbers_and_lists_follow_the_locale(locale: str) -> None:
    day, number, both, either = CONVENTIONS[locale]
    assert i18n.format_date(date(2025, 4, 19), locale) == day
    assert i18n.format_number(6_500_000, locale) == number
    assert i18n.join(["A", "B", "C"], locale) == both
    assert i18n.join(["A", "B", "C"], locale, "or") == either
    assert i18n.join(["A", "B"], locale) == both.replace("A, B", "A").replace("C", "B")
    assert i18n.join(["A"], locale) == "A"


def test_a_timestamp_gives_its_own_day_in_its_own_zone() -> None:
    late = datetime(2025, 4, 19, 23, 30, tzinfo=timezone(timedelta(hours=-7)))
    assert i18n.format_date(late, "de-DE") == "19. April 2025"  # not 20 April in UTC


def test_french_writes_the_first_of_the_month_as_an_ordinal() -> None:
    assert i18n.format_date(date(2025, 5, 1), "fr-FR") == "1er mai 2025"
    assert i18n.format_date(date(2025, 5, 10), "fr-FR") == "10 mai 2025"


def test_quebec_writes_the_hour_with_h_as_cldr_fr_ca_does() -> None:
    from babel.dates import format_time

    moment = datetime(2020, 9, 25, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert i18n.format_time(moment, "fr-CA") == "10\u00a0h\u00a000"
    # CLDR's fr_CA short pattern (HH 'h' mm), with no-break spaces
    assert format_time(moment.time(), "short", locale="fr_CA") == "10 h 00"
    assert i18n.format_time(moment, "fr-FR") == "10:00"
    assert i18n.format_time(moment, "en-US") == "10:00 AM"


@pytest.mark.parametrize(("locale", "cited"), [
    ("en-GB", "PDPA s. 26D(1)"),
    ("de-DE", "Art. 26D Abs. 1 PDPA"),
    ("nl-NL", "artikel 26D lid 1 PDPA"),
    ("fr-FR", "article 26D(1) du PDPA"),
    ("fr-CA", "article 26D(1) du PDPA"),
    ("es-ES", "art. 26D(1) de la PDPA"),
])
def test_a_law_is_cited_as_the_readers_lawyers_cite_it(locale: str, cited: str) -> None:
    assert i18n.law_citation("PDPA s. 26D(1)", locale) == cited


def test_every_regulator_citation_has_a_form_in_every_language() -> None:
    from notifier import regulators

    for regulator in {regulators.regulator_for(c) for c in ("GB", "FR", "IE", "SG", "AU", "CA")}:
        assert regulator is not None
        for locale in SHIPPED:
            cited = i18n.law_citation(regulator.citation, locale)
            assert (cited == regulator.citation) == i18n.is_source(locale), (locale, cited)
    assert i18n.law_citation("Privacy Act s. 26WK(2)(b)", "de-DE") == (
        "Art. 26WK Abs. 2 Buchst. b Privacy Act")
    assert i18n.law_citation("GDPR Art. 33(1)", "nl-NL") == "artikel 33 lid 1 AVG"


def test_quotes_and_direction() -> None:
    assert i18n.quote("x", "de-DE") == "„x“"
    assert i18n.quote("x", "fr-FR") == "«\u00a0x\u00a0»"
    assert i18n.direction("he-IL") == "rtl" and i18n.direction("fr-FR") == "ltr"


# --- the notice in the reader's language -------------------------------------------------------

def _sheet(locale: str, extra: str = "") -> str:
    return MINIMAL.replace("    notice: incident\n", f"    notice: incident\n    locale: {locale}\n") + extra


def _line(text: str, needle: str) -> int:
    return text.split("\n").index(needle) + 1


#: A sheet that passes every check in English for an Irish audience (GDPR), its text mapped
#: to LOCALE ('(fr-FR) ...' stands in for a translation).
FULL = """\
id: acme-2025
notice_date: 2025-04-24
organisation:
  name: Acme Ltd
  website: https://www.acme.example
  contact:
    url: https://www.acme.example/help
    email: help@acme.example
  sender: {name: Acme Customer Care, email: care@acme.example}
  privacy_contact:
    name: {en-GB: Data Protection Officer, LOCALE: (LOCALE) DPO}
    email: dpo@acme.example
incident:
  kind: unauthorised_access
  discovered_at: 2025-04-22T09:30:00+01:00
  occurred: {from: 2025-04-21T22:00:00+01:00, to: 2025-04-22T02:00:00+01:00}
  summary: {en-GB: Someone got into one of our systems without permission., LOCALE: (LOCALE) summary.}
  status: contained
  misuse: none_known
  data_involved: [name, email, password_hash]
  data_not_involved: [payment_card_number]
  actions_taken:
    - {en-GB: We closed the way in., LOCALE: (LOCALE) action.}
audiences:
  - id: customers
    name: {en-GB: Customers, LOCALE: (LOCALE) customers}
    notice: incident
    locale: LOCALE
    jurisdictions: [IE]
"""


def test_html_lang_dir_and_content_language(tmp_path: Path) -> None:
    from notifier.eml import build_eml

    notice = render_notice(parse_sheet(_sheet("nl-NL")), 0, make_environment())
    assert '<html lang="nl-NL" dir="ltr"' in notice.html
    assert b"Content-Language: nl-NL" in build_eml(notice, date=datetime(2025, 5, 2, tzinfo=UTC))
    # a right-to-left language, with a team's own wording (no shipped catalog reads it)
    (tmp_path / "_copy.j2").write_text(
        (make_environment().loader.get_source(make_environment(), "_copy.j2")[0]),  # type: ignore[union-attr]
        encoding="utf-8")
    hebrew = render_notice(parse_sheet(_sheet("he-IL")), 0, make_environment(tmp_path))
    assert '<html lang="he-IL" dir="rtl"' in hebrew.html


@pytest.mark.parametrize("locale", [loc for loc in SHIPPED if not loc.startswith("en")])
def test_a_notice_in_another_language_passes_the_gate_by_its_blocks(locale: str) -> None:
    """The legal elements are proved from the element blocks and the catalog's wording, so a
    notice in any shipped language draws the same errors as in English: none."""
    english = parse_sheet(FULL.replace("LOCALE", "en-IE"))
    assert not errors(check_notice(english, render_notice(english, 0, make_environment())))
    sheet = parse_sheet(FULL.replace("LOCALE", locale))
    assert not sheet.source.warnings
    notice = render_notice(sheet, 0, make_environment())
    assert f"({locale}) summary." in notice.text
    found = check_notice(sheet, notice)
    assert not errors(found), [(f.rule_id, f.message) for f in errors(found)]
    # the English word-reading second opinions stay silent
    assert not [f for f in found if f.rule_id.startswith("consistency.")]


def test_sheet_text_without_the_readers_language_is_a_warning_in_validate_and_an_error_in_check(
        ) -> None:
    text = _sheet("fr-FR").replace("    name: Customers\n", "    name: {en-GB: Customers, fr-FR: Clients}\n")
    sheet = parse_sheet(text)
    warnings = sheet.source.warnings
    line = _line(text, "  summary: Someone got into one of our systems without permission.")
    assert [(w.field, w.line) for w in warnings] == [("incident.summary", line)]
    assert "audience 'customers' reads fr-FR, but this text is only in en-GB" in warnings[0].message
    notice = render_notice(sheet, 0, make_environment())
    found = [f for f in check_notice(sheet, notice) if f.rule_id == "language.sheet_text"]
    assert [f.field for f in found] == [("incident", "summary")]


def test_a_locale_map_gives_each_reader_their_language() -> None:
    text = MINIMAL.replace(
        "  summary: Someone got into one of our systems without permission.\n",
        "  summary:\n    en-GB: Someone got in.\n    fr-FR: Quelqu'un est entré.\n"
        "    de-DE: Jemand ist eingedrungen.\n")
    text = text.replace("    notice: incident\n", "    notice: incident\n    locale: fr-CA\n")
    text = text.replace("    name: Customers\n", "    name: {en-GB: Customers, fr-FR: Clients}\n")
    text += ("  - id: de\n    name: Kunden\n    notice: incident\n    locale: de-AT\n"
             "    reason: {de-AT: Sie Kunde bei uns sind}\n"
             "  - id: gb\n    name: Customers\n    notice: incident\n")
    sheet = parse_sheet(text)
    assert sheet.incident.summary == "Someone got in."  # the sheet's own language
    assert sheet.in_language("fr-CA").incident.summary == "Quelqu'un est entré."
    assert sheet.in_language("de-AT").incident.summary == "Jemand ist eingedrungen."
    assert not sheet.source.warnings
    texts = [render_notice(sheet, i, make_environment()).text for i in range(3)]
    assert "Quelqu'un est entré." in texts[0] and "Jemand ist eingedrungen." in texts[1]
    assert "Someone got in." in texts[2]


def test_a_bad_translation_is_reported_at_its_own_line() -> None:
    from notifier.errors import SheetError

    text = MINIMAL.replace(
        "  summary: Someone got into one of our systems without permission.\n",
        "  summary:\n    en-GB: Someone got in.\n    fr-FR: 'TODO'\n")
    text = text.replace("    notice: incident\n", "    notice: incident\n    locale: fr-FR\n")
    with pytest.raises(SheetError) as info:
        parse_sheet(text)
    (problem,) = info.value.problems
    assert (problem.field, problem.line) == ("incident.summary.fr-FR", _line(text, "    fr-FR: 'TODO'"))


def test_a_mapping_that_is_not_free_text_is_not_a_locale_map() -> None:
    """'url' looks like a language tag; contact is a mapping of fields all the same."""
    sheet = parse_sheet(MINIMAL)
    assert sheet.organisation.contact.url == "https://www.acme.example/help"


def test_california_keeps_its_statutory_headings_in_another_language() -> None:
    text = "notice_date: 2025-04-24\n" + _sheet("es-US").replace(
        "  - id: customers\n", "  - id: customers\n    jurisdictions: [US-CA]\n")
    notice = render_notice(parse_sheet(text), 0, make_environment())
    assert notice.subject.startswith(
        "Notice of Data Breach / Aviso de violación de la seguridad de los datos")
    assert "What Happened / Qué pasó\n" in notice.text


def test_a_language_without_a_catalog_is_refused() -> None:
    with pytest.raises(RenderRefused, match="no catalog for that language"):
        render_notice(parse_sheet(_sheet("it-IT")), 0, make_environment())


def test_the_preview_switches_a_notice_between_the_sheets_languages() -> None:
    from conftest import INCIDENTS

    from notifier.preview.pages import build_routes
    from notifier.preview.snapshot import take_snapshot

    snapshot = take_snapshot(INCIDENTS / "shopback-2020.yaml", None, None, "shopback")
    routes = build_routes(snapshot, "t")
    base = "/n/merchant-partners/incident/"
    # the other languages are rendered when asked for, not with the rebuild (issue 15)
    assert snapshot.alternates is not None and not snapshot.alternates._made
    french = routes[base + "lang/fr-FR/email.html"].body.decode("utf-8")
    assert '<html lang="fr-FR"' in french and "Quelqu'un s'est introduit" in french
    assert base + "lang/nl-NL/email-dark.html" in routes
    page = routes[base].body.decode("utf-8")
    assert 'data-lang="de-DE"' in page and 'data-lang=""' in page
    # a sheet in one language has no switch, and costs nothing more
    one = take_snapshot(INCIDENTS / "co-op-2025.yaml", None, None, "co-op")
    assert one.alternates is not None and not one.alternates.locales
    assert "data-lang" not in build_routes(one, "t")["/n/members/update/"].body.decode("utf-8")


def test_the_drafting_notes_name_what_the_legal_reference_says_in_every_language() -> None:
    """templating.ELEMENT_TEXTS marks the reference's element texts for the catalogs: each
    must be the reference's own words, and every element a regulator draft names is there."""
    from conftest import ROOT

    from notifier.law import element
    from notifier.templating import ELEMENT_TEXTS

    for element_id, text in ELEMENT_TEXTS.items():
        assert element(element_id)["text"] == text, element_id
    named = set()
    for template in ("regulator_report.txt.j2", "regulator_report.mjml.j2"):
        source = (ROOT / "templates" / template).read_text(encoding="utf-8")
        for ids in re.findall(r'\("([^"]*)" \| elements', source):
            named.update(ids.split())
    assert named and named <= set(ELEMENT_TEXTS)
