"""Deadlines as findings: a notice dated past its law's deadline, and duties missed or overdue.

``notice_findings`` judges one reader notice by its date (``notice_date``): render refuses a
notice that is late without a delay the law accepts. ``sheet_findings`` judges the duties to
authorities, credit agencies, the media and the sheet's own assessment at ``now``: `check`
reports them; they never stop the notices to readers, which would only make things worse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule
from notifier.deadlines import Deadline, clock, deadlines_at_discovery, deadlines_for

if TYPE_CHECKING:
    from datetime import datetime

    from notifier.checks.view import NoticeView
    from notifier.model import FactSheet

LATE_NOTICE = Rule(
    "x.notice_late", "error",
    "a notice to individuals is dated (notice_date) on or before every deadline a law of its "
    "audience sets for it, unless incident.delay_reasons records a delay that law accepts "
    "(a law-enforcement request; in California also finding the scope of the breach; in "
    "Florida the 15-day extension); without notice_date it cannot be checked (a warning)",
    "California 1798.82(a); New York GBL 899-aa(2); Texas BCC 521.053(b); Florida 501.171(4)(a); "
    "HIPAA 45 CFR 164.404(b); Connecticut 36a-701b(b)(1); Delaware 12B-102(c)", "confirmed")
DUTY_MISSED = Rule(
    "x.duty_overdue", "error",
    "every duty to tell an authority, the credit agencies or the media that the audiences' "
    "places, data and numbers bring in is met in time: recorded in incident.authorities with "
    "notified_at; a duty with no fixed time is overdue once the notices have gone out (a "
    "warning when a threshold may or may not be met)",
    "each law's deadline, listed under Deadlines below", "confirmed")
ASSESSMENT = Rule(
    "x.assessment_overdue", "error",
    "where a law sets a time for assessing the breach (Australia, Singapore: 30 days), "
    "incident.assessed_at records when the assessment concluded, within that time (late: a "
    "warning, as both laws ask for reasonable steps)",
    "Australia Privacy Act s. 26WH(2)(b); Singapore PDPA s. 26C and the PDPC's guide",
    "confirmed")
LATE_WITHOUT_REASONS = Rule(
    "x.late_without_reasons", "error",
    "a regulator deadline that was missed (told late, or overdue now) comes with "
    "incident.delay_reasons, which the late notification must give",
    "GDPR and UK GDPR Art. 33(1) (gdpr.art33.reg.delay_reasons); PDPA reg. 5 "
    "(sg.pdpa.reg5.late_reasons)", "confirmed")
RULES = {r.id: r for r in (LATE_NOTICE, DUTY_MISSED, ASSESSMENT, LATE_WITHOUT_REASONS)}

_EXTENSION_DAYS = 15  # Florida 501.171(4)(a): good cause given in writing within the 30 days


def notice_findings(view: NoticeView) -> list[Finding]:
    """Return the findings about one reader notice's date against its laws' deadlines."""
    sheet, audience = view.sheet, view.audience
    found: list[Finding] = []
    for d in _individual_deadlines(sheet, audience.id):
        if d.due is None:
            continue
        due = d.due_local()
        assert due is not None
        if sheet.notice_date is None:
            found.append(view.finding(
                LATE_NOTICE, f"{d.pack} requires this notice by {clock(due)} ({d.wording}), "
                "and the sheet has no notice_date, so whether it is in time cannot be checked",
                "add notice_date: the day the notices go out", severity="warning",
                field=("notice_date",)))
            continue
        late = sheet.notice_date > due.date()
        accepted = sorted({r.reason for r in sheet.delay_reasons()} & set(d.delay_allowed))
        if late and accepted == ["good_cause_extension"]:
            late = (sheet.notice_date - due.date()).days > _EXTENSION_DAYS
        if not late:
            continue
        if accepted and accepted != ["good_cause_extension"]:
            found.append(view.finding(
                LATE_NOTICE, f"the notice is dated {sheet.notice_date.isoformat()}, after "
                f"{d.pack}'s deadline of {due:%Y-%m-%d} ({d.source}); the sheet records a "
                f"delay the law accepts ({', '.join(accepted)})",
                "keep the written request for the delay with the incident's records",
                severity="warning", field=("incident", "delay_reasons")))
            continue
        allowed = " or ".join(d.delay_allowed) or "none"
        found.append(view.finding(
            LATE_NOTICE, f"the notice is dated {sheet.notice_date.isoformat()}, "
            f"{(sheet.notice_date - due.date()).days} days after {d.pack}'s deadline of "
            f"{due:%Y-%m-%d} for telling individuals ({d.wording}; {d.source})",
            f"send it by {due:%Y-%m-%d} and correct notice_date; or, if the law allowed the delay, "
            f"record it under incident.delay_reasons (reason: {allowed}); or record a waiver "
            f"for {LATE_NOTICE.id} with counsel's decision", field=("notice_date",)))
    return found


def _individual_deadlines(sheet: FactSheet, audience_id: str) -> list[Deadline]:
    return [d for d in deadlines_at_discovery(sheet) if d.kind == "individuals"
            and audience_id in d.audiences]


def sheet_findings(sheet: FactSheet, deadlines: list[Deadline]) -> list[Finding]:
    """Return the findings about the duties beyond the reader notices, at the deadlines' ``now``."""
    found: list[Finding] = []
    drafts = [a.id for a in sheet.audiences if a.notice == "regulator_report"]
    reasons = bool(sheet.delay_reasons())
    waived = {w.rule for w in sheet.waivers}
    for d in deadlines:
        if d.kind == "internal":
            found += _assessment(sheet, d)
            continue
        if d.kind != "authority":
            continue
        who = _recipient(d)
        audience = ", ".join(drafts if d.late_requires and drafts else d.audiences)
        if d.late_requires and d.missed and not reasons and d.id not in waived:
            # (a deadline waived as a whole, e.g. a breach assessed as unlikely to harm anyone,
            # needs no reasons for lateness either)
            found.append(_finding(
                sheet, LATE_WITHOUT_REASONS, audience,
                f"{who} ({d.id}) was {'told late' if d.told_at else 'not told in time'} "
                f"({d.left_text()}), and the sheet gives no reasons for the delay, which the "
                f"late notification must include ({d.late_requires})",
                "write them under incident.delay_reasons; the regulator draft includes them",
                ("incident", "delay_reasons")))
        overdue = d.told_at is None and (d.missed or _asap_overdue(sheet, d))
        told_late = d.told_at is not None and d.missed and not d.late_requires
        if not (overdue or told_late):
            continue
        if told_late:
            message = (f"{who} had to be told by {clock(d.due_local())} ({d.source}) and was "  # type: ignore[arg-type]
                       f"told late ({d.left_text()})")
            fix = (f"record a waiver for {d.id} with counsel's decision (a late notice cannot be "
                   "undone)")
        elif d.due is not None:
            message = (f"{who} had to be told by {clock(d.due_local())} ({d.wording or d.source}; "  # type: ignore[arg-type]
                       f"{d.source}), and incident.authorities records no notification "
                       f"({d.left_text()})")
            fix = (f"tell {who} now and add them under incident.authorities with notified_at; "
                   f"or record a waiver for {d.id} with counsel's decision")
        else:
            message = (f"{who} must be told {d.wording or 'as soon as practicable'} "
                       f"({d.source}); the notices went out on "
                       f"{sheet.notice_date.isoformat() if sheet.notice_date else '?'} and "
                       "incident.authorities records no notification")
            fix = (f"tell {who} and add them under incident.authorities with notified_at; or "
                   f"record a waiver for {d.id} with counsel's decision")
        if d.note:
            message += f" [{d.note}]"
        found.append(_finding(sheet, DUTY_MISSED, audience, message, fix,
                              ("incident", "authorities"), rule_id=d.id,
                              severity="error" if d.certain else "warning", source=d.source,
                              status=d.status))
    return found


def _asap_overdue(sheet: FactSheet, d: Deadline) -> bool:
    """A duty with no fixed time is overdue once the notices went out (``notice_date`` passed)."""
    if d.due is not None or sheet.notice_date is None or d.counting == "after_notices":
        return False
    return sheet.notice_date < d.now.date()


def _assessment(sheet: FactSheet, d: Deadline) -> list[Finding]:
    if d.due is None:
        return []
    audience = ", ".join(d.audiences)
    if d.told_at is None and d.missed:
        return [_finding(sheet, ASSESSMENT, audience,
                         f"{d.pack} expects the assessment of the breach within 30 days, by "
                         f"{clock(d.due_local())} ({d.source}); the sheet does not record when it "  # type: ignore[arg-type]
                         "concluded", "record when the assessment concluded under "
                         "incident.assessed_at (it also starts the clocks that count from it)",
                         ("incident", "assessed_at"), rule_id=d.id, source=d.source)]
    if d.told_at is not None and d.missed:
        return [_finding(sheet, ASSESSMENT, audience,
                         f"the assessment concluded {d.left_text()} ({d.source})",
                         "record why it took longer under incident.delay_reasons",
                         ("incident", "assessed_at"), rule_id=d.id, severity="warning",
                         source=d.source)]
    return []


def _recipient(d: Deadline) -> str:
    names = {"attorney_general": "the Attorney General", "cra": "Equifax, Experian and TransUnion",
             "hhs": "the Department of Health and Human Services (HHS)",
             "media": "prominent media outlets", "ico": "the Information Commissioner's Office",
             "supervisory_authority": "the supervisory authority", "pdpc": "the PDPC",
             "oaic": "the OAIC", "opc": "the Privacy Commissioner of Canada"}
    base = names.get(d.recipient, d.recipient.replace("_", " "))
    state = d.pack.split(" ")[0] if d.recipient in ("attorney_general", "cra") else ""
    return f"{base} ({state})" if state and d.recipient == "attorney_general" else base


def _finding(sheet: FactSheet, rule: Rule, audience: str, message: str, fix: str,
             field: tuple[str | int, ...], *, rule_id: str | None = None,
             severity: str = "error", source: str | None = None,
             status: str | None = None) -> Finding:
    return Finding(rule_id or rule.id, severity, sheet.id, audience or "-", "deadline",  # type: ignore[arg-type]
                   message, fix, source or rule.source, status or rule.status,  # type: ignore[arg-type]
                   field=field)


def sheet_deadline_findings(sheet: FactSheet, now: datetime | str | None) -> list[Finding]:
    """Return the deadline findings of a sheet at ``now``."""
    return sheet_findings(sheet, deadlines_for(sheet, now=now))
