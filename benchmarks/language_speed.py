"""Render speed per variant in each shipped language, as a ratio to English, in one run.

    .venv/bin/python benchmarks/language_speed.py [--rounds N]

The bundled ShopBack sheet (its text mapped to every shipped language) is rendered with all
its readers in one locale at a time: every audience's notice, checked as `render` checks
it, in one process with warm caches (compiled templates, parsed catalogs). Rounds of the
locales are interleaved, so that drift on a noisy machine hits every language alike. The
figure per locale is the best round's time per variant (as timeit takes the minimum: other
work on a shared machine only ever adds time), the ratio is to en-GB's, and the medians are
printed beside them. Absolute times are noisy here (about 30% between runs:
../shared/FACTS.md); the ratios hold.
The target (issue 17): every language within 10% of English.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier.checks import check_notice  # noqa: E402
from notifier.i18n import SHIPPED  # noqa: E402
from notifier.render import render_sheet  # noqa: E402
from notifier.sheet import load_sheet  # noqa: E402
from notifier.templating import make_environment  # noqa: E402

SHEET = ROOT / "incidents" / "shopback-2020.yaml"
TARGET = 1.10


def sheet_in(locale: str, folder: Path) -> Path:
    """Write the sheet with every audience reading ``locale``; return its path."""
    text = SHEET.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^    locale: \S+$", f"    locale: {locale}", text)
    text = text.replace("    notice: regulator_report\n",
                        f"    notice: regulator_report\n    locale: {locale}\n")
    path = folder / f"{locale}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 40
    env = make_environment()
    with tempfile.TemporaryDirectory() as folder:
        sheets = {locale: load_sheet(sheet_in(locale, Path(folder))) for locale in SHIPPED}
        times: dict[str, list[float]] = {locale: [] for locale in SHIPPED}
        for round_ in range(rounds + 3):
            for locale, sheet in sheets.items():
                start = time.perf_counter()
                result = render_sheet(sheet, env=env)
                for notice in result.notices:
                    check_notice(sheet, notice)
                elapsed = (time.perf_counter() - start) / len(result.notices)
                if round_ >= 3:  # the first rounds warm the caches
                    times[locale].append(elapsed)
    base, base_median = min(times["en-GB"]), statistics.median(times["en-GB"])
    worst = 0.0
    print(f"{'locale':8} {'ms / variant':>13} {'ratio to en-GB':>15} {'median ratio':>13}")
    for locale in SHIPPED:
        best = min(times[locale])
        ratio = best / base
        worst = max(worst, ratio)
        print(f"{locale:8} {best * 1000:13.2f} {ratio:15.3f} "
              f"{statistics.median(times[locale]) / base_median:13.3f}")
    verdict = "within" if worst <= TARGET else "NOT within"
    print(f"slowest language: {worst:.3f} of English, {verdict} the {TARGET:.2f} target "
          f"({rounds} rounds, render + checks, 4 variants a locale)")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
