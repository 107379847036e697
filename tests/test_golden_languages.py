"""Golden files in every shipped language: the bundled ShopBack sheet, whose text is mapped to
each language, rendered with all its readers in one locale at a time.

Each locale's folder is tests/golden/languages/<locale>/. Regenerate after an intended
wording change (in a catalog or a template), then read the diff as a reviewer who knows the
language:

    .venv/bin/python -m pytest tests/test_golden_languages.py --update-golden
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import INCIDENTS
from test_golden import GOLDEN, comparable, tree

from notifier import commands
from notifier.i18n import SHIPPED

SHEET = INCIDENTS / "shopback-2020.yaml"


def in_locale(locale: str) -> str:
    """Return the sheet's text with every audience reading ``locale``."""
    text = SHEET.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^    locale: \S+$", f"    locale: {locale}", text)
    return text.replace("    notice: regulator_report\n",
                        f"    notice: regulator_report\n    locale: {locale}\n")


@pytest.mark.parametrize("locale", SHIPPED)
def test_bundled_sheet_in_every_language_matches_golden_files(locale: str, tmp_path: Path,
                                                              update_golden: bool) -> None:
    sheet = tmp_path / SHEET.name
    sheet.write_text(in_locale(locale), encoding="utf-8")
    outbox = tmp_path / "outbox"
    report = commands.render([sheet], outbox=outbox)
    assert report.ok, report.as_dict()
    assert not report.outcomes[0].warnings, "the sheet has text in every shipped language"
    rendered = tree(outbox / "shopback-2020")
    expected_dir = GOLDEN / "languages" / locale
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(outbox / "shopback-2020", expected_dir)
        return
    expected = tree(expected_dir)
    assert sorted(rendered) == sorted(expected)
    for name, content in rendered.items():
        assert comparable(name, content) == comparable(name, expected[name]), (
            f"languages/{locale}/{name} differs from tests/golden; if the change is intended, "
            "rerun with --update-golden and have the diff read by someone who knows the language")


def test_every_notice_is_in_its_language() -> None:
    """The golden HTML says its language, and the .eml says it too."""
    for locale in SHIPPED:
        for html in (GOLDEN / "languages" / locale).glob("*/*.html"):
            assert f'<html lang="{locale}" dir="ltr"' in html.read_text(encoding="utf-8")
        for eml in (GOLDEN / "languages" / locale).glob("*/*.eml"):
            assert f"Content-Language: {locale}" in eml.read_text(encoding="utf-8")
