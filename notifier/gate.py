"""The gate every notice passes before it is written or sent: no unwaived error, or a draft.

``admit`` is the one rule ``render`` and ``send-test`` share: a notice whose checks find an
error that no waiver in the sheet covers is refused; with ``--allow-errors`` it is let
through, but marked as a draft everywhere a reader or a reviewer could meet it (subject,
first lines of both parts, the manifest), so that nothing half-checked is sent by mistake.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from notifier.errors import Problem, RenderRefused

if TYPE_CHECKING:
    from notifier.checks import Finding
    from notifier.model import FactSheet
    from notifier.render import RenderedNotice

DRAFT_PREFIX = "[DRAFT - NOT FOR SENDING] "
_BODY = re.compile(r"<body\b[^>]*>", re.I)


def admit(sheet: FactSheet, index: int, notice: RenderedNotice, *,
          allow_errors: bool = False) -> RenderedNotice:
    """Return the notice as it may be written: checked, with its waivers recorded, or a draft.

    Raises:
        RenderRefused: an error finding no waiver covers, and ``allow_errors`` is False; one
            problem per finding, at the sheet field that settles it (or the audience's notice).
    """
    from notifier.checks import check_notice, errors

    findings = check_notice(sheet, notice)
    waived = tuple(sorted({f.rule_id for f in findings if f.waiver}))
    blocking = errors(findings)
    if blocking and not allow_errors:
        problems = []
        for f in blocking:
            loc = f.field or ("audiences", index, "notice")
            path, line, col = sheet.where(loc)
            problems.append(Problem(path, line, col, ".".join(map(str, loc)),
                                    f"[{f.rule_id}] {f.message}",
                                    f"{f.fix} (or render with --allow-errors to write a draft)"))
        raise RenderRefused(problems)
    if blocking:
        notice = mark_draft(notice, blocking)
    return dataclasses.replace(notice, waived=waived) if waived else notice


def mark_draft(notice: RenderedNotice, blocking: list[Finding]) -> RenderedNotice:
    """Return the notice marked as a draft: its subject, and a first paragraph in both parts
    naming the errors that make it one."""
    import html as html_lib

    rules = sorted({f.rule_id for f in blocking})
    line = (f"DRAFT - NOT FOR SENDING. This notice was written with --allow-errors; its checks "
            f"found {len(blocking)} error{'s' if len(blocking) != 1 else ''} ({', '.join(rules)}).")
    banner = (f'<div role="note" style="background:#fff4e5;color:#7a2e00;border:2px solid #7a2e00;'
              f'padding:12px;margin:0;font:bold 16px Helvetica,Arial,sans-serif">'
              f"{html_lib.escape(line)}</div>")
    match = _BODY.search(notice.html)
    html = (notice.html[:match.end()] + banner + notice.html[match.end():] if match
            else banner + notice.html)
    return dataclasses.replace(notice, subject=DRAFT_PREFIX + notice.subject,
                               text=f"{line}\n\n{notice.text}", html=html, draft=tuple(rules))
