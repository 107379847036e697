"""Every notice the bundled, reader and legal-corpus sheets make stays within its kind's word
budget and reads at school grade 9 or below: the warnings `check` gives a long or hard notice
never fire on our own examples, legally complete ones included (benchmarks/notice_length.py
prints the counts)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import BUNDLED, ROOT

from notifier.checks import check_notice, run_checks
from notifier.checks.readability import BUDGETS, body_words
from notifier.render import render_sheet
from notifier.sheet import load_sheet

SHEETS = list(BUNDLED) + sorted((ROOT / "tests" / "sheets" / "readers").glob("*.yaml"))
SHEETS += sorted((ROOT / "tests" / "sheets" / "legal").glob("*.yaml"))  # legally complete


@pytest.mark.parametrize("path", SHEETS, ids=[p.stem for p in SHEETS])
def test_notices_are_within_budget_and_plain(path: Path) -> None:
    sheet = load_sheet(path)
    result = render_sheet(sheet)
    findings = run_checks(sheet, result)
    assert [f for f in findings if f.rule_id in ("plain.length", "plain.readability")] == []
    for notice in result.notices:
        if notice.notice in BUDGETS:
            assert 0 < body_words(notice) <= BUDGETS[notice.notice], notice.audience_id


def test_the_budget_counts_the_words_a_reader_reads() -> None:
    """A notice over its budget is reported, naming the kind and the count."""
    sheet = load_sheet(SHEETS[0])
    result = render_sheet(sheet)
    notice = next(n for n in result.notices if n.notice in BUDGETS)
    padded = notice.text.replace("\n--\n", "\n\n" + "word " * 900 + "\n--\n", 1)
    longer = replace(notice, text=padded)

    found = [f for f in check_notice(sheet, longer) if f.rule_id == "plain.length"]
    assert found and str(BUDGETS[notice.notice]) in found[0].message
