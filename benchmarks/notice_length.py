"""Print every bundled and reader notice's length against its budget, and its reading grade.

    .venv/bin/python benchmarks/notice_length.py

Lengths count the words of the plain-text body (above the footer), less the text a law fixes
word for word (rights, agency contacts, the offer): what the tool and the sheet's author
control. The budgets are notifier.checks.readability.BUDGETS; the grade is Flesch-Kincaid
(US school grade), with a target of 8 or below.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier.checks.readability import BUDGETS, body_words, grade, prose  # noqa: E402
from notifier.render import render_sheet  # noqa: E402
from notifier.sheet import load_sheet  # noqa: E402

TARGET_GRADE = 8.0


def main() -> int:
    sheets = sorted((ROOT / "incidents").glob("*.yaml"))
    sheets += sorted((ROOT / "tests" / "sheets" / "readers").glob("*.yaml"))
    over = 0
    print(f"{'sheet / audience':46} {'notice':18} {'words':>5} {'budget':>6} {'grade':>5}")
    for path in sheets:
        sheet = load_sheet(path)
        for notice in render_sheet(sheet).notices:
            words = body_words(notice)
            budget = BUDGETS.get(notice.notice)
            level = grade(prose(notice.text.split("\n--\n")[0]))
            flag = ""
            if (budget is not None and words > budget) or (
                    notice.notice != "regulator_report" and level > TARGET_GRADE):
                flag, over = " over", over + 1
            print(f"{sheet.id + ' / ' + notice.audience_id:46} {notice.notice:18} {words:5} "
                  f"{budget if budget is not None else '-':>6} {level:5.1f}{flag}")
    print(f"{over} notice(s) over budget or grade {TARGET_GRADE:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
