"""A legally complete sheet per jurisdiction pack renders every notice and checks with 0 errors.

The sheets (tests/sheets/legal/) write phone numbers as people write them (``0800 555 0142``,
``1-888-555-0175``, ``(888) 555-0123``, ``+65 6555 0142``, ``1800 555 014``), record every duty
to an authority in time, and carry every fact their law asks for. A false error here is a
correct notice the gate would block.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from notifier.checks import errors, run_checks
from notifier.checks.jurisdictions import packs_for
from notifier.checks.report import check_sheets
from notifier.render import render_sheet
from notifier.sheet import load_sheet

CORPUS = ROOT / "tests" / "sheets" / "legal"
SHEETS = sorted(CORPUS.glob("*.yaml"))
#: After every notice and every duty of the corpus: nothing is still to come.
NOW = "2026-12-01T12:00:00+00:00"


def test_the_corpus_has_a_sheet_per_pack() -> None:
    from notifier.checks.jurisdictions import packs

    assert {p.stem for p in SHEETS} == {p.id for p in packs()}


@pytest.mark.parametrize("path", SHEETS, ids=[p.stem for p in SHEETS])
def test_a_complete_sheet_renders_every_notice_with_no_error(path: Path) -> None:
    sheet = load_sheet(path)
    result = render_sheet(sheet)
    assert result.refused == {}
    assert [n.audience_id for n in result.notices] == [a.id for a in sheet.audiences]
    reader = sheet.audiences[0]
    assert path.stem in [p.id for p in packs_for(sheet, reader)]
    assert errors(run_checks(sheet, result)) == []


@pytest.mark.parametrize("path", SHEETS, ids=[p.stem for p in SHEETS])
def test_a_complete_sheet_meets_every_duty(path: Path) -> None:
    report = check_sheets([path], now=NOW)
    assert report.errors == [], [str(f) for f in report.errors]
    assert report.sheets[0].deadlines  # the law's deadlines are there, and all met


def test_the_corpus_writes_phone_numbers_as_people_do() -> None:
    phones = {load_sheet(p).organisation.contact.phone for p in SHEETS}
    assert {"0800 555 0142", "1-888-555-0175", "(888) 555-0123", "+65 6555 0142",
            "1800 555 014", "1 (800) 555-0100", "888.555.0199"} <= phones


def test_print_the_corpus_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The table a reviewer reads: sheet, notices, errors, warnings, deadlines met."""
    rows = []
    for path in SHEETS:
        report = check_sheets([path], now=NOW)
        deadlines = report.sheets[0].deadlines
        met = sum(1 for d in deadlines if d.outcome in ("in time", "told"))
        rows.append((path.stem, len(report.sheets[0].notices), len(report.errors),
                     len(report.findings) - len(report.errors), f"{met}/{len(deadlines)}"))
    with capsys.disabled():
        print("\nlegal corpus: sheet, notices, errors, warnings, deadlines met or told")
        for row in rows:
            print("  {:<8} {:>2} {:>2} {:>2} {:>6}".format(*row))
    assert all(row[2] == 0 for row in rows)
