"""Helpers for the checks tests: sheets from MINIMAL with YAML edits, rendered and checked."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL

from notifier.checks import Finding, check_notice, run_checks
from notifier.model import FactSheet
from notifier.render import RenderedNotice, render_sheet
from notifier.sheet import load_sheet

Edit = Callable[[dict[str, Any]], None]


def sheet_from(tmp_path: Path, edit: Edit | None = None, name: str = "sheet.yaml") -> FactSheet:
    """Load MINIMAL after ``edit`` changed its data, written as YAML under tmp_path."""
    data = yaml.safe_load(MINIMAL)
    # PyYAML reads the timestamp as a datetime; keep it as the sheet's own text.
    data["incident"]["discovered_at"] = "2025-04-22T09:30:00+01:00"
    if edit:
        edit(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return load_sheet(path)


def findings_for(tmp_path: Path, edit: Edit | None = None) -> list[Finding]:
    """Render and check a sheet made from MINIMAL with ``edit``."""
    sheet = sheet_from(tmp_path, edit)
    return run_checks(sheet, render_sheet(sheet))


def notice_for(tmp_path: Path, edit: Edit | None = None) -> tuple[FactSheet, RenderedNotice]:
    """Return the sheet and its first audience's rendered notice."""
    sheet = sheet_from(tmp_path, edit)
    result = render_sheet(sheet)
    assert not result.refused, result.refused
    return sheet, result.notices[0]


def with_html(notice: RenderedNotice, old: str, new: str, count: int = -1) -> RenderedNotice:
    """Return the notice with ``old`` replaced by ``new`` in its HTML (which must contain it)."""
    assert old in notice.html, old
    return dataclasses.replace(notice, html=notice.html.replace(old, new, count))


def rule_ids(found: list[Finding], severity: str | None = None) -> set[str]:
    """Return the rule IDs found, optionally of one severity."""
    return {f.rule_id for f in found if severity is None or f.severity == severity}


def checked(sheet: FactSheet, notice: RenderedNotice) -> set[str]:
    """Return the rule IDs check_notice reports for a (possibly altered) notice."""
    return rule_ids(check_notice(sheet, notice))


def set_in(path: str, value: Any) -> Edit:
    """Return an edit that sets a dotted path (list indexes as numbers) to ``value``."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        # A copy: a later edit of a path inside it must not change this edit for other tests.
        if last.isdigit():
            node[int(last)] = copy.deepcopy(value)
        else:
            node[last] = copy.deepcopy(value)

    return edit


def edits(*steps: Edit) -> Edit:
    """Return one edit that applies ``steps`` in order."""

    def edit(data: dict[str, Any]) -> None:
        for step in steps:
            step(data)

    return edit
