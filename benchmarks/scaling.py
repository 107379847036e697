"""Measure every target of issue 15 ("Fast at every size") and print them in one run.

    .venv/bin/python benchmarks/scaling.py                  # everything (about 10 minutes)
    .venv/bin/python benchmarks/scaling.py --only startup,growth --repeats 3

Sections, each a ratio measured in this one run (absolute times are noisy on shared
machines, about +-30%; each figure is the median of ``--repeats`` runs):

startup   ``notifier --help`` against ``python -c pass`` (target: at most 8x); cold
          ``validate``, ``schema`` and ``new``, and which heavy modules each imports (none of
          mjml, premailer, requests, rich); a cold 4-variant ``render`` (target: 0.45 s).
growth    a mixed sheet (every notice kind: updates and regulator reports included, see
          synthetic.py) at 100 and 1,000 audiences: the per-variant cost in one warm process
          (``--jobs 1``, start-up excluded) at 1,000 within 10% of that at 100; the peak
          memory (largest process) at 1,000 within 1.5x that at 100; cold figures beside.
floor     1,000 variants in a cold ``notifier render`` (default workers, every check)
          against the floor measured here: mjml-python plus the inliner in use
          (``htmlmail.inline_css_tree``, premailer) plus writing the three files, in 2
          processes (target: at most 5x); the 2-worker speed-up over ``--jobs 1`` (target:
          at least 1.8).
again     rendering the 1,000-variant sheet again, unchanged (target: at most 5% of the
          full render) and with one audience changed (target: at most 10%), cold processes,
          with the same shares inside a warm process beside them.
preview   edit-to-text median in Chromium (benchmarks/preview_latency.py): on each bundled
          sheet (target: under 150 ms) and on a 100-audience mixed sheet (under 300 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import CYCLE, FIXED, write_mixed  # noqa: E402

PYTHON = sys.executable
NOTIFIER = str(Path(PYTHON).with_name("notifier"))
#: Modules a command that renders nothing must not import.
HEAVY = ("mjml", "premailer", "cssutils", "requests", "rich", "lxml", "jinja2")
SECTIONS = ("startup", "growth", "floor", "again", "preview")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def run(args: Sequence[str], *, cwd: Path | None = None, check: bool = True) -> tuple[float, str]:
    """Run a command; return its wall time and stdout."""
    start = time.perf_counter()
    done = subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, check=False)
    elapsed = time.perf_counter() - start
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def median_of(repeats: int, fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(repeats))


def peak_rss(args: Sequence[str]) -> tuple[float, int]:
    """Run a command in a fresh wrapper; return its wall time and the largest process's peak
    resident memory in bytes (the command or any of its workers)."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
             "print(time.perf_counter() - t, r.returncode, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    _, out = run([PYTHON, "-c", probe, *args])
    elapsed, code, kb = out.split()
    if code != "0":
        raise SystemExit(f"{' '.join(args)} failed ({code})")
    return float(elapsed), int(kb) * 1024


def render_cmd(sheet: Path, outbox: Path, *extra: str) -> list[str]:
    return [NOTIFIER, "render", str(sheet), "--outbox", str(outbox), "--json", *extra]


def cold_render(sheet: Path, outbox: Path, *extra: str, fresh: bool = True) -> tuple[float, dict[str, Any]]:
    if fresh:
        shutil.rmtree(outbox, ignore_errors=True)
    elapsed, out = run(render_cmd(sheet, outbox, *extra))
    return elapsed, json.loads(out)


# --- startup -------------------------------------------------------------------------------

def imported(args: Sequence[str], cwd: Path) -> set[str]:
    """Return the top-level names of the modules a command imports (``-X importtime``)."""
    done = subprocess.run([PYTHON, "-X", "importtime", "-c",
                           "import sys; from notifier.cli import main; sys.argv[0] = 'notifier'; main()",
                           *args], capture_output=True, text=True, cwd=cwd, check=False)
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def startup(work: Path, repeats: int) -> dict[str, Any]:
    n = max(repeats * 3, 11)
    base = median_of(n, lambda: run([PYTHON, "-c", "pass"])[0])
    helped = median_of(n, lambda: run([NOTIFIER, "--help"])[0])
    sheet = ROOT / "incidents" / "co-op-2025.yaml"
    folder = work / "new"
    folder.mkdir(exist_ok=True)

    def new() -> float:
        for f in folder.glob("*.yaml"):
            f.unlink()
        return run([NOTIFIER, "new", "acme-2025-06", "--folder", str(folder)])[0]

    commands = {
        "validate": lambda: run([NOTIFIER, "validate", str(sheet)])[0],
        "schema": lambda: run([NOTIFIER, "schema"])[0],
        "new": new,
    }
    times = {name: median_of(n, fn) for name, fn in commands.items()}
    heavy = {
        "--help": imported(["--help"], work),
        "validate": imported(["validate", str(sheet)], work),
        "schema": imported(["schema"], work),
        "new": imported(["new", "acme-2025-07", "--folder", str(folder)], work),
    }
    render4 = median_of(n, lambda: cold_render(sheet, work / "render4", "-q")[0])
    return {"pass": base, "help": helped, "times": times, "render4": render4,
            "heavy": {k: sorted(v & set(HEAVY)) for k, v in heavy.items()}}


def print_startup(s: dict[str, Any]) -> None:
    ratio = s["help"] / s["pass"]
    print("startup")
    print(f"  notifier --help {s['help'] * 1e3:6.1f} ms = {ratio:4.1f}x python -c pass "
          f"({s['pass'] * 1e3:.1f} ms): {verdict(ratio <= 8)} (<= 8x)")
    for name, seconds in s["times"].items():
        print(f"  notifier {name:8s} {seconds * 1e3:6.1f} ms = {seconds / s['pass']:4.1f}x")
    for name, mods in s["heavy"].items():
        print(f"  {name:9s} imports {', '.join(mods) if mods else 'none'} of {', '.join(HEAVY)}")
    print(f"  render of a 4-variant sheet (co-op-2025), cold: {s['render4']:.3f} s: "
          f"{verdict(s['render4'] <= 0.45)} (<= 0.45 s)")


# --- growth --------------------------------------------------------------------------------

def warm_per_variant(sheet: Path, outbox: Path, repeats: int) -> float:
    """Render every variant in this (warm) process with --jobs 1; seconds per variant."""
    from notifier import commands

    def once() -> float:
        shutil.rmtree(outbox, ignore_errors=True)
        start = time.perf_counter()
        report = commands.render([sheet], outbox=outbox, jobs=1)
        elapsed = time.perf_counter() - start
        counts = report.counts()
        assert report.ok and counts["refused"] == 0, counts
        return elapsed / counts["rendered"]

    return median_of(repeats, once)


def growth(sheets: dict[int, Path], work: Path, repeats: int) -> dict[str, Any]:
    from notifier import commands

    warm_up = sheets[100]
    commands.render([warm_up], outbox=work / "warm-up", jobs=1)
    out: dict[str, Any] = {"warm": {}, "cold": {}, "rss": {}, "rss1": {}}
    for n, sheet in sorted(sheets.items()):
        out["warm"][n] = warm_per_variant(sheet, work / f"warm-{n}", repeats)
        colds, rss, rss1 = [], [], []
        for _ in range(repeats):
            shutil.rmtree(work / f"cold-{n}", ignore_errors=True)
            elapsed, peak = peak_rss(render_cmd(sheet, work / f"cold-{n}", "--jobs", "1"))
            colds.append(elapsed / n)
            rss1.append(peak)
            shutil.rmtree(work / f"par-{n}", ignore_errors=True)
            rss.append(peak_rss(render_cmd(sheet, work / f"par-{n}"))[1])
        out["cold"][n] = statistics.median(colds)
        out["rss"][n] = statistics.median(rss)
        out["rss1"][n] = statistics.median(rss1)
    return out


def print_growth(g: dict[str, Any]) -> None:
    print("growth (mixed sheet: " + ", ".join(sorted({c[0] for c in CYCLE + FIXED})) + ")")
    w, c = g["warm"], g["cold"]
    ratio = w[1000] / w[100]
    print(f"  per variant, warm process, --jobs 1: {w[100] * 1e3:.2f} ms at 100, {w[1000] * 1e3:.2f} ms "
          f"at 1,000 = {ratio:.3f}x: {verdict(ratio <= 1.10)} (<= 1.10x)")
    print(f"  per variant, cold process, --jobs 1 (start-up included): {c[100] * 1e3:.2f} ms at 100, "
          f"{c[1000] * 1e3:.2f} ms at 1,000 = {c[1000] / c[100]:.3f}x")
    r, r1 = g["rss"], g["rss1"]
    mem = r[1000] / r[100]
    print(f"  peak memory, largest process, default workers: {r[100] / 2**20:.0f} MB at 100, "
          f"{r[1000] / 2**20:.0f} MB at 1,000 = {mem:.2f}x: {verdict(mem <= 1.5)} (<= 1.5x)")
    print(f"  peak memory, --jobs 1 (one process): {r1[100] / 2**20:.0f} MB at 100, "
          f"{r1[1000] / 2**20:.0f} MB at 1,000 = {r1[1000] / r1[100]:.2f}x")


# --- floor ---------------------------------------------------------------------------------

FLOOR = r'''
import os, pickle, sys, time
from multiprocessing import get_context
start = time.perf_counter()
import mjml
from notifier import htmlmail
with open(sys.argv[1], "rb") as f:
    css, variants = pickle.load(f)
out = sys.argv[2]

def one(item):
    name, source, text, eml = item
    html, _tree = htmlmail.inline_css_tree(mjml.mjml2html(source, fonts={}, disable_comments=True), css)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    for suffix, data in ((".html", html.encode()), (".txt", text.encode()), (".eml", eml)):
        with open(os.path.join(folder, "notice" + suffix), "wb") as f:
            f.write(data)
    return len(html)

if __name__ == "__main__":
    with get_context("fork").Pool(2) as pool:
        pool.map(one, variants, chunksize=16)
    print(time.perf_counter() - start)
'''


def floor_inputs(sheet: Path, path: Path) -> None:
    """Keep each variant's MJML source, text and .eml, as the real render makes them."""
    from notifier import htmlmail, render
    from notifier.eml import build_eml, message_date
    from notifier.sheet import load_sheet
    from notifier.templating import make_environment

    loaded = load_sheet(sheet)
    env = make_environment()
    previous = render.load_previous(loaded)
    date = message_date(loaded)
    sources: list[str] = []
    original = htmlmail.mjml_to_html

    def recording(source: str, *, name: str) -> str:
        sources.append(source)
        return original(source, name=name)

    htmlmail.mjml_to_html = recording  # type: ignore[assignment]
    variants = []
    try:
        for index, audience in enumerate(loaded.audiences):
            notice = render.render_notice(loaded, index, env, previous)
            variants.append((audience.id, sources[-1], notice.text,
                             build_eml(notice, date=date, draft=True)))
    finally:
        htmlmail.mjml_to_html = original  # type: ignore[assignment]
    css = env.loader.get_source(env, "email.css")[0] if env.loader else ""
    path.write_bytes(pickle.dumps((css, variants)))


def floor(sheet: Path, work: Path, repeats: int) -> dict[str, Any]:
    inputs = work / "floor.pickle"
    floor_inputs(sheet, inputs)
    script = work / "floor.py"
    script.write_text(FLOOR, encoding="utf-8")
    floors, full, one = [], [], []
    workers = 0
    for _ in range(repeats):
        shutil.rmtree(work / "floor-out", ignore_errors=True)
        floors.append(run([PYTHON, str(script), str(inputs), str(work / "floor-out")])[0])
        elapsed, summary = cold_render(sheet, work / "full")
        assert summary["counts"]["rendered"] == 1000 and summary["ok"], summary["counts"]
        full.append(elapsed)
        workers = summary["workers"]
        one.append(cold_render(sheet, work / "one", "--jobs", "1")[0])
    return {"floor": statistics.median(floors), "full": statistics.median(full),
            "one": statistics.median(one), "workers": workers}


def print_floor(f: dict[str, Any]) -> None:
    ratio = f["full"] / f["floor"]
    speedup = f["one"] / f["full"]
    print("floor (1,000 variants, cold processes)")
    print(f"  render with every check, {f['workers']} workers: {f['full']:.2f} s; floor (mjml-python + "
          f"premailer + writing the files, 2 processes): {f['floor']:.2f} s = {ratio:.2f}x: "
          f"{verdict(ratio <= 5)} (<= 5x)")
    print(f"  --jobs 1: {f['one']:.2f} s; speed-up with {f['workers']} workers {speedup:.2f}: "
          f"{verdict(speedup >= 1.8)} (>= 1.8)")


# --- again ---------------------------------------------------------------------------------

def change_one(sheet: Path, round_: int) -> None:
    """Give the first audience a greeting of its own: only its notice changes."""
    text = sheet.read_text(encoding="utf-8")
    marker = "    notice: incident\n"
    lines = [line for line in text.split("\n") if not line.startswith("    greeting: Dear group")]
    text = "\n".join(lines)
    sheet.write_text(text.replace(marker, marker + f"    greeting: Dear group {round_},\n", 1),
                     encoding="utf-8")


def again(sheet: Path, work: Path, repeats: int) -> dict[str, Any]:
    from notifier import commands

    original = sheet.read_text(encoding="utf-8")
    full, same, one, rendered_same, rendered_one = [], [], [], set(), set()
    warm_full, warm_same, warm_one = [], [], []
    for r in range(repeats):
        sheet.write_text(original, encoding="utf-8")
        elapsed, _ = cold_render(sheet, work / "again")
        full.append(elapsed)
        elapsed, summary = cold_render(sheet, work / "again", fresh=False)
        same.append(elapsed)
        rendered_same.add(summary["counts"]["rendered"])
        change_one(sheet, r)
        elapsed, summary = cold_render(sheet, work / "again", fresh=False)
        one.append(elapsed)
        rendered_one.add(summary["counts"]["rendered"])

        sheet.write_text(original, encoding="utf-8")
        box = work / "again-warm"
        shutil.rmtree(box, ignore_errors=True)
        for times, edit in ((warm_full, None), (warm_same, None), (warm_one, r)):
            if edit is not None:
                change_one(sheet, edit)
            start = time.perf_counter()
            commands.render([sheet], outbox=box)
            times.append(time.perf_counter() - start)
    sheet.write_text(original, encoding="utf-8")
    m = statistics.median
    return {"full": m(full), "same": m(same), "one": m(one), "warm_full": m(warm_full),
            "warm_same": m(warm_same), "warm_one": m(warm_one),
            "rendered_same": sorted(rendered_same), "rendered_one": sorted(rendered_one)}


def print_again(a: dict[str, Any]) -> None:
    print("again (the 1,000-variant sheet rendered again into the same outbox)")
    s, o = a["same"] / a["full"], a["one"] / a["full"]
    print(f"  unchanged, cold: {a['same']:.3f} s of {a['full']:.2f} s = {s:.1%}: {verdict(s <= 0.05)} "
          f"(<= 5%; rendered again: {a['rendered_same']})")
    print(f"  one audience changed, cold: {a['one']:.3f} s = {o:.1%}: {verdict(o <= 0.10)} "
          f"(<= 10%; rendered again: {a['rendered_one']})")
    print(f"  in one warm process: full {a['warm_full']:.2f} s, unchanged {a['warm_same']:.3f} s = "
          f"{a['warm_same'] / a['warm_full']:.1%}, one changed {a['warm_one']:.3f} s = "
          f"{a['warm_one'] / a['warm_full']:.1%}")


# --- preview -------------------------------------------------------------------------------

def preview(work: Path, edits: int) -> dict[str, Any]:
    """Run benchmarks/preview_latency.py on each bundled sheet and on a 100-audience sheet."""
    found: dict[str, Any] = {}
    big = write_mixed(work / "preview-100", 100)
    for sheet in [*sorted((ROOT / "incidents").glob("*.yaml")), big]:
        done = subprocess.run([PYTHON, str(ROOT / "benchmarks" / "preview_latency.py"), "--sheet",
                               str(sheet), "--edits", str(edits), "--json"],
                              capture_output=True, text=True, check=False)
        if not done.stdout.strip():
            raise SystemExit(f"preview_latency.py failed on {sheet}:\n{done.stderr[-3000:]}")
        found[sheet.name if sheet != big else "mixed, 100 audiences"] = json.loads(done.stdout)
    return found


def print_preview(p: dict[str, Any]) -> None:
    print("preview (write -> new text in the page's DOM, Chromium)")
    for name, r in p.items():
        target = 300.0 if "100 audiences" in name else 150.0
        med = r["median_ms"]
        print(f"  {name:34s} {r['audiences']:4d} audiences: median {med:6.1f} ms, p90 {r['p90_ms']:6.1f} ms, "
              f"rebuild (first notice) {r['build_ms']:6.1f} ms: {verdict(med < target)} (< {target:.0f} ms)")


# --- main ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--edits", type=int, default=25, help="preview edits per sheet")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections: {', '.join(unknown)}")

    from notifier.batch import available_cpus

    with tempfile.TemporaryDirectory(prefix="notifier-scaling-") as tmp:
        work = Path(tmp)
        # A private user cache (compiled templates, hyphenation): filled by a first run, as a
        # user's first run fills theirs; every figure below finds it filled.
        os.environ["NOTIFIER_CACHE_DIR"] = str(work / "cache")
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        sheets = {n: write_mixed(work / f"sheet-{n}", n) for n in (100, 1000)}
        run([NOTIFIER, "render", str(sheets[100]), "--outbox", str(work / "first"), "-q"])
        print(f"{available_cpus()} CPUs, Python {sys.version.split()[0]}, median of {args.repeats} "
              f"runs; load average {os.getloadavg()[0]:.2f} at the start\n")
        if "startup" in only:
            print_startup(startup(work, args.repeats))
        if "growth" in only:
            print_growth(growth(sheets, work, args.repeats))
        if "floor" in only:
            print_floor(floor(sheets[1000], work, args.repeats))
        if "again" in only:
            print_again(again(sheets[1000], work, args.repeats))
        if "preview" in only:
            print_preview(preview(work, args.edits))
        print(f"\nload average at the end: {os.getloadavg()[0]:.2f}; peak memory of this "
              f"process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
