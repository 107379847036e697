"""Reviewed exceptions: a sheet's waivers mark the findings they cover, and nothing else.

A waiver names one rule (and optionally one audience), with who decided, when and why. A
waived finding keeps its severity and is shown as waived everywhere (``check``, the preview,
the manifest); it no longer stops the notice. A waiver that names no known rule is an error,
and one that covers nothing a warning: both would otherwise hide a mistake.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule

if TYPE_CHECKING:
    from notifier.model import FactSheet, Waiver

UNKNOWN = Rule("x.waiver_unknown_rule", "error",
               "every waiver names a rule `check` knows (docs/checks.md lists them)", "house rule")
UNUSED = Rule("x.waiver_unused", "warning",
              "every waiver covers at least one finding (a stale waiver hides nothing, but says "
              "something that is no longer true)", "house rule")
RULES = {r.id: r for r in (UNKNOWN, UNUSED)}


def describe(waiver: Waiver) -> str:
    """Return 'waived by <who> on <date>: <reason>'."""
    return (f"waived by {waiver.decided_by} on {waiver.decided_at.isoformat()}: "
            f"{' '.join(waiver.reason.split())}")


def covers(waiver: Waiver, finding: Finding) -> bool:
    """True when the waiver is for this finding's rule and (if it names one) its audience."""
    if waiver.rule != finding.rule_id:
        return False
    return waiver.audience is None or waiver.audience in finding.audience.split(", ")


def apply(sheet: FactSheet, findings: list[Finding]) -> list[Finding]:
    """Return the findings with those a waiver covers marked as waived."""
    if not sheet.waivers:
        return findings
    out = []
    for f in findings:
        match = next((w for w in sheet.waivers if covers(w, f)), None)
        out.append(dataclasses.replace(f, waiver=describe(match)) if match else f)
    return out


def problems(sheet: FactSheet, findings: list[Finding]) -> list[Finding]:
    """Return findings about the waivers themselves: unknown rules, and waivers that cover nothing."""
    from notifier.checks.catalog import known_rule_ids

    known = known_rule_ids()
    found = []
    for i, w in enumerate(sheet.waivers):
        where = ("waivers", i, "rule")
        if w.rule not in known:
            import difflib

            close = difflib.get_close_matches(w.rule, sorted(known), n=1)
            found.append(Finding(
                UNKNOWN.id, "error", sheet.id, w.audience or "-", "waiver",
                f"waiver {i + 1} names {w.rule!r}, which is not a rule `check` knows",
                f"write {close[0]!r}" if close else "copy the rule id from the finding you waive",
                UNKNOWN.source, field=where))
        elif not any(covers(w, f) for f in findings):
            found.append(Finding(
                UNUSED.id, "warning", sheet.id, w.audience or "-", "waiver",
                f"waiver {i + 1} for {w.rule!r} covers no finding", "remove it from waivers",
                UNUSED.source, field=where))
    return found
