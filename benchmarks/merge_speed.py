"""Measure `notifier merge` against the targets of issue 16; prints every figure in one run.

    .venv/bin/python benchmarks/merge_speed.py [--rows 1000000] [--survey-rows 10000000]

A list of ROWS recipients is generated across three audiences of the hotel merge sheet
(tests/sheets/merge/hotel.yaml, with a third audience added) and five category subsets,
with names, activation codes and booking references, then merged to one mbox file.

(a) personalised messages per second to mbox: the write pass (merge + write), and the whole
    run (the survey pass that checks every row and renders each variant once, then the
    write pass); target: at least 10,000 a second on 2 cores.
(b) the same messages written bare to another mbox in the same run (each variant's bytes,
    pre-merged for one recipient, written in the list's order: no per-row work at all),
    and the ratio of (a) to it.
(c) peak memory (ru_maxrss) of the merge process at ROWS/10 and at ROWS, to show it is flat
    in the number of recipients; and of a survey of SURVEY_ROWS rows (every row checked,
    duplicates found through disk buckets): the part of a run whose state could grow with
    the list. Target: 10 million rows under 300 MB.

Each measurement runs in a fresh process (os.wait4 gives its own peak memory). The mbox of
ROWS messages is large (about 35 KB a message): it is written to a temporary folder and
removed. Absolute times are noisy on shared machines (about +-30%); the ratios hold better.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT / "tests" / "sheets" / "merge" / "hotel.yaml"
SUBSETS = ("", "name;email", "name;email;passport", "payment_card_partial;name;email",
           "name;email;postal_address")


def bench_sheet(folder: Path) -> Path:
    """Write the hotel merge sheet with a third audience; return its path."""
    text = SHEET.read_text(encoding="utf-8")
    text += """  - id: staff-guests
    name: Staff who stayed as guests
    notice: incident
    data_involved: [name, email, postal_address]
    data_possibly_involved: []
    jurisdictions: [GB]
    size: 300
    reason: you stayed with us as a member of staff
"""
    path = folder / "bench.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def write_list(path: Path, rows: int) -> None:
    """Write ``rows`` recipients, streamed, across three audiences and five subsets."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["email", "audience", "name", "categories", "activation_code",
                      "booking_reference"])
        for i in range(rows):
            kind = i % 10
            if kind < 6:
                out.writerow([f"guest{i}@example.com", "earlier-guests",
                              f"Guest Number {i}" if (i // 50) % 2 else "", SUBSETS[(i // 10) % 5],
                              f"HW-{i:08d}", f"HB-{i:09d}"])
            elif kind < 9:
                out.writerow([f"later{i}@example.com", "later-guests", f"Later Guest {i}", "", "",
                              f"HB-{i:09d}"])
            else:
                out.writerow([f"staff{i}@example.com", "staff-guests", "", "", "", f"HB-{i:09d}"])


def child(args: list[str]) -> tuple[dict[str, float], int]:
    """Run this script as a child with ``args``; return its JSON result and peak RSS in MB."""
    process = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"child {args[0]} failed ({status})")
    return json.loads(output), usage.ru_maxrss // 1024


def run_merge(sheet: Path, recipients: Path, out: Path) -> dict[str, float]:
    """Child: survey then write pass; time each."""
    from notifier.merge import survey
    from notifier.mergerun import sink_for, write_pass
    from notifier.sheet import load_sheet

    loaded = load_sheet(sheet)
    start = time.perf_counter()
    spool = out.with_name(out.name + ".spool")
    found = survey(loaded, recipients, spool=spool)
    surveyed = time.perf_counter()
    result = write_pass(loaded, recipients, found, fmt="mbox", out=out, shard=(0, 1), rejects=None,
                        allow_errors=False, sink=sink_for("mbox", out.with_name(out.name + ".part"),
                                                          loaded), spool=spool)
    spool.unlink()
    end = time.perf_counter()
    return {"survey_s": surveyed - start, "write_s": end - surveyed,
            "written": result.summary["written"], "variants": len(found.compiled)}


def run_bare(sheet: Path, recipients: Path, out: Path, rows: int) -> dict[str, float]:
    """Child: the same messages' bytes, one pre-merged message a variant, written bare."""
    from notifier.mailmerge import merge
    from notifier.merge import survey
    from notifier.sheet import load_sheet

    loaded = load_sheet(sheet)
    # the variants of the first rows, in the list's repeating order (every 100 rows)
    sample = recipients.with_name("sample.csv")
    with recipients.open(encoding="utf-8") as f, sample.open("w", encoding="utf-8") as s:
        for _ in range(101):
            s.write(f.readline())
    found = survey(loaded, sample)
    # the list repeats every 100 rows: the variant of each of those rows, merged once
    from notifier.recipients import RowReader, RowRules
    from notifier.variants import VariantKey

    rules = RowRules(loaded, sample)
    pattern: list[bytes] = []
    with RowReader(sample) as reader:
        for raw in reader:
            recipient, _ = rules.check(raw)
            assert recipient is not None
            pattern.append(merge(found.compiled[VariantKey.of(loaded, recipient)], recipient))
    messages = pattern
    envelope = b"From guests@harbourline.example Fri Mar 20 09:00:00 2026\n"
    start = time.perf_counter()
    with out.open("wb") as f:
        for i in range(rows):
            f.write(envelope + messages[i % len(messages)] + b"\n")
        f.flush()
        os.fsync(f.fileno())
    return {"write_s": time.perf_counter() - start, "bytes": out.stat().st_size}


def run_survey(sheet: Path, recipients: Path) -> dict[str, float]:
    """Child: the survey pass alone."""
    from notifier.merge import survey
    from notifier.sheet import load_sheet

    start = time.perf_counter()
    found = survey(load_sheet(sheet), recipients)
    return {"survey_s": time.perf_counter() - start, "rows": found.rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--survey-rows", type=int, default=10_000_000)
    parser.add_argument("--folder", type=Path, default=None,
                        help="where the lists and mbox files go (default: a temporary folder; "
                        "/dev/shm takes the disk out of the measurement)")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        if what == "merge":
            result = run_merge(Path(rest[0]), Path(rest[1]), Path(rest[2]))
        elif what == "bare":
            result = run_bare(Path(rest[0]), Path(rest[1]), Path(rest[2]), int(rest[3]))
        else:
            result = run_survey(Path(rest[0]), Path(rest[1]))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="merge-bench-", dir=args.folder) as tmp:
        folder = Path(tmp)
        sheet = bench_sheet(folder)
        small, big = folder / "small.csv", folder / "big.csv"
        write_list(small, args.rows // 10)
        write_list(big, args.rows)
        small_result, small_rss = child(["merge", str(sheet), str(small), str(folder / "s.mbox")])
        (folder / "s.mbox").unlink()
        merged, big_rss = child(["merge", str(sheet), str(big), str(folder / "m.mbox")])
        size = (folder / "m.mbox").stat().st_size
        (folder / "m.mbox").unlink()
        bare, _ = child(["bare", str(sheet), str(big), str(folder / "b.mbox"), str(args.rows)])
        (folder / "b.mbox").unlink()
        write_rate = merged["written"] / merged["write_s"]
        whole_rate = merged["written"] / (merged["write_s"] + merged["survey_s"])
        bare_rate = args.rows / bare["write_s"]
        print(f"recipients: {args.rows:,} in {merged['variants']} variants (3 audiences, 5 category "
              f"subsets, named or not); mbox {size / 1e9:.1f} GB, {size / args.rows / 1e3:.1f} KB a "
              "message")
        print(f"(a) merge to mbox, write pass: {write_rate:,.0f} messages/s; whole run with the "
              f"survey ({merged['survey_s']:.1f} s): {whole_rate:,.0f} messages/s (target 10,000)")
        print(f"(b) bare mbox write of the same messages: {bare_rate:,.0f} messages/s; merge/bare: "
              f"write pass {write_rate / bare_rate:.2f}, whole run {whole_rate / bare_rate:.2f}")
        print(f"(c) peak memory of the merge: {small_rss} MB at {args.rows // 10:,} rows, "
              f"{big_rss} MB at {args.rows:,} rows")
        if args.survey_rows:
            huge = folder / "huge.csv"
            write_list(huge, args.survey_rows)
            surveyed, huge_rss = child(["survey", str(sheet), str(huge)])
            print(f"    survey of {args.survey_rows:,} rows: {huge_rss} MB peak, "
                  f"{surveyed['survey_s']:.0f} s (target: 10 million rows under 300 MB)")
        del small_result


if __name__ == "__main__":
    main()
