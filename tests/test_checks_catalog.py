"""docs/checks.md lists every rule with its severity, source and status, and is current."""

from __future__ import annotations

from conftest import ROOT

from notifier.checks.catalog import all_rules, rules_markdown


def test_rule_ids_are_unique_and_sourced() -> None:
    rules = all_rules()
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids))
    assert all(r.source and r.summary and r.severity in ("error", "warning") for r in rules)
    assert {r.status for r in rules} <= {"house", "confirmed", "secondary", "unverified"}


def test_docs_checks_md_is_current() -> None:
    docs = ROOT / "docs" / "checks.md"
    assert docs.read_text(encoding="utf-8") == rules_markdown(), (
        "regenerate with: python -m notifier.checks.catalog > docs/checks.md")


def test_every_rule_is_in_the_docs() -> None:
    text = rules_markdown()
    assert all(f"`{r.id}`" in text for r in all_rules())
