"""The checks engine: every rule that applies to every audience's notice, as findings with stable IDs.

``check_notice`` checks one rendered notice (``render`` calls it per variant);
``run_checks`` checks everything a sheet rendered, refused audiences included;
``deadlines.deadlines_for`` gives the notification deadlines. ``catalog.all_rules`` lists
every rule for docs/checks.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule, Severity
from notifier.memo import audience_index
from notifier.model import READER_NOTICES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from notifier.errors import RenderRefused
    from notifier.model import FactSheet
    from notifier.render import RenderedNotice, RenderResult

__all__ = ["Finding", "Rule", "Severity", "check_notice", "errors", "run_checks"]


def check_notice(sheet: FactSheet, notice: RenderedNotice) -> list[Finding]:
    """Return the findings of every rule that applies to one rendered notice.

    Args:
        sheet: the fact sheet the notice was rendered from.
        notice: one audience's rendered notice.

    Raises:
        KeyError: the notice's audience is not in the sheet.
    """
    from notifier.checks import (
        accessibility,
        consistency,
        elements,
        headers,
        jurisdictions,
        language,
        links,
        readability,
        timeliness,
        waivers,
    )
    from notifier.checks.view import NoticeView

    index = audience_index(sheet, notice.audience_id)
    if index is None:
        raise KeyError(notice.audience_id)
    # the facts as the reader got them: the sheet's text in the reader's language
    view = NoticeView(sheet.in_language(notice.locale), index, notice)
    found: list[Finding] = []
    for module in (consistency, links, accessibility, headers, readability, elements,
                   jurisdictions, language):
        found += module.check(view)
    if view.audience.notice in READER_NOTICES:
        found += timeliness.notice_findings(view)
    return waivers.apply(sheet, found)


def run_checks(sheet: FactSheet, result: RenderResult, *,
               checked: Mapping[str, list[Finding]] | None = None) -> list[Finding]:
    """Return the findings for everything a sheet rendered, in audience order.

    A refused audience has no notice to read, so its findings are the reasons it was
    refused (the consistency rules, or ``consistency.refused``). ``checked`` holds the
    ``check_notice`` findings of notices checked already, by audience id (each checked as it
    was rendered); the others are checked here.
    """
    found: dict[str, list[Finding]] = {}
    for notice in result.notices:
        done = checked.get(notice.audience_id) if checked is not None else None
        found.setdefault(notice.audience_id, []).extend(
            done if done is not None else check_notice(sheet, notice))
    return merge_findings(sheet, found, result.refused)


def merge_findings(sheet: FactSheet, checked: Mapping[str, list[Finding]],
                   refused: Mapping[str, RenderRefused]) -> list[Finding]:
    """Return a sheet's findings from its notices' (``check_notice``, by audience id) and
    its refusals', in audience order, a sheet field's finding shared by audiences once."""
    from notifier.checks import waivers
    from notifier.checks.consistency import refusal_findings

    by_audience: dict[str, list[Finding]] = {aid: list(found) for aid, found in checked.items()}
    for index, audience in enumerate(sheet.audiences):
        refusal = refused.get(audience.id)
        if refusal is not None:
            by_audience.setdefault(audience.id, []).extend(
                refusal_findings(sheet, index, refusal.problems))
    return waivers.apply(sheet, _once([f for a in sheet.audiences
                                       for f in by_audience.get(a.id, [])]))


def _once(findings: list[Finding]) -> list[Finding]:
    """Merge a finding about a sheet field (the summary, say) that every audience repeats into
    one, naming the audiences; findings about the notices themselves stay one per notice."""
    import dataclasses

    merged: dict[tuple[object, ...], Finding] = {}
    out: list[Finding] = []
    for f in findings:
        if f.field is None:
            out.append(f)
            continue
        key = (f.rule_id, f.severity, f.message, f.field)
        if key in merged:
            first = merged[key]
            joined = dataclasses.replace(first, audience=f"{first.audience}, {f.audience}",
                                         notice=first.notice if first.notice == f.notice
                                         else f"{first.notice}, {f.notice}")
            out[out.index(first)] = merged[key] = joined
        else:
            merged[key] = f
            out.append(f)
    return out


def errors(findings: list[Finding]) -> list[Finding]:
    """Return the errors no waiver covers (the findings that stop a notice being written)."""
    return [f for f in findings if f.blocking]
