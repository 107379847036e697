"""``notifier merge``: every recipient of a list their own notice, streamed, resumable, sharded.

Two passes over the list, each one row at a time:

1. **Survey**: every row of this shard is checked, each new variant is rendered and gated
   once, and duplicates are found by fingerprints spilled to disk in buckets. Nothing is
   written: a problem anywhere stops the run with every problem listed (unless rejects
   are asked for).
2. **Write**: each good row is merged into its variant's pre-encoded bytes and written;
   every ``CHECKPOINT`` rows the output is flushed and a journal line records how far the
   run got, so a run killed at any moment resumes there without writing anyone twice.

A completed run leaves ``OUT`` (renamed from ``OUT.part``) and ``OUT.summary.json``
(counts only); running it again with the same inputs does nothing.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notifier.errors import Problem, RenderRefused, UsageError
from notifier.recipients import ProblemLog, RecipientsError, RowReader, RowRules, address_key, shard_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from notifier.mailmerge import Compiled
    from notifier.model import FactSheet
    from notifier.recipients import RawRow, Recipient
    from notifier.variants import Variant, VariantKey

FORMATS = ("mbox", "maildir", "eml", "ses", "sendgrid", "mailgun")
#: Rows of the shard between two checkpoints of the journal (NOTIFIER_MERGE_CHECKPOINT
#: changes it: part of the run's identity, since export batches end at checkpoints).
CHECKPOINT = 2000


def checkpoint_every() -> int:
    """Return the rows between checkpoints: ``NOTIFIER_MERGE_CHECKPOINT``, else CHECKPOINT."""
    value = os.environ.get("NOTIFIER_MERGE_CHECKPOINT", "").strip()
    if not value:
        return CHECKPOINT
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"NOTIFIER_MERGE_CHECKPOINT={value!r} is not a whole number of rows; "
                         "set it to e.g. 2000, or unset it")
    return int(value)
_BUCKETS = 64


def parse_shard(text: str | None) -> tuple[int, int]:
    """Return (index, count) from 'K/N' (K from 1 to N); (0, 1) for none.

    Raises:
        UsageError: not of the form K/N with 1 <= K <= N.
    """
    if not text:
        return 0, 1
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise UsageError(f"--shard {text!r} is not K/N with 1 <= K <= N; write e.g. --shard 2/4 "
                         "for the second of four shards")
    return int(k) - 1, int(n)


@dataclass
class Counts:
    """How many rows went where: per audience and per variant, counts only."""

    rows: int = 0
    written: int = 0
    rejected: int = 0
    audiences: dict[str, dict[str, int]] = field(default_factory=dict)
    variants: dict[str, int] = field(default_factory=dict)

    def add(self, audience: str | None, variant: str | None) -> None:
        """Count one row: written (with its variant) or, without a variant, rejected."""
        self.rows += 1
        status = "written" if variant else "rejected"
        setattr(self, status, getattr(self, status) + 1)
        if audience is not None:
            per = self.audiences.setdefault(audience, {"written": 0, "rejected": 0})
            per[status] += 1
        if variant:
            self.variants[variant] = self.variants.get(variant, 0) + 1

    def state(self) -> dict[str, Any]:
        """Return the counts as plain data (for the journal)."""
        return {"rows": self.rows, "written": self.written, "rejected": self.rejected,
                "audiences": self.audiences, "variants": self.variants}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Counts:
        """Return counts recorded by ``state``."""
        return cls(state["rows"], state["written"], state["rejected"],
                   {k: dict(v) for k, v in state["audiences"].items()}, dict(state["variants"]))


@dataclass
class Survey:
    """What the first pass found: the variants (or their refusals), duplicates, problems."""

    variants: dict[VariantKey, Variant | RenderRefused] = field(default_factory=dict)
    compiled: dict[VariantKey, Compiled] = field(default_factory=dict)
    keys: list[VariantKey] = field(default_factory=list)  # the compiled ones, by index
    order: dict[VariantKey, int] = field(default_factory=dict)
    duplicates: dict[int, int] = field(default_factory=dict)  # row -> the earlier row
    problems: ProblemLog = field(default_factory=ProblemLog)
    rows: int = 0
    digest: str = ""
    columns: list[str] = field(default_factory=list)


@dataclass
class MergeResult:
    """What a merge did (or found done already): the summary written beside the output."""

    summary: dict[str, Any]
    out: Path
    resumed: bool = False
    already_done: bool = False
    refusals: list[str] = field(default_factory=list)


def _in_shard(raw: RawRow, shard: tuple[int, int]) -> bool:
    if shard[1] == 1:
        return True
    email = raw.values.get("email")
    # A row without an address belongs to the first shard, so that it is reported once.
    return shard_of(email, shard[1]) == shard[0] if isinstance(email, str) else shard[0] == 0


def _fingerprint(recipient: Recipient, sheet: FactSheet) -> int:
    key = f"{address_key(recipient.email)}\0{sheet.audiences[recipient.audience].id}"
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


class Spool:
    """The survey's checked rows, in order, for the write pass, which so parses and checks no
    row twice. It holds recipient data: it lives beside the output (mode 0600) and goes when
    the run is done, not in a shared temporary folder."""

    def __init__(self, path: Path) -> None:
        from notifier.mergeout import open_private

        self.path = path
        self._file = open_private(path)

    def good(self, line: int, variant: int, r: Recipient, raw: Any) -> None:
        """Record a row to merge, with its variant's index (and the row as read, in case it
        turns out to repeat an earlier one and goes to the rejects file)."""
        marshal.dump((line, variant, r.email, r.name, r.activation_code, r.fields, r.audience,
                      r.locale, r.categories, raw), self._file)

    def bad(self, line: int, audience: str | None, raw: Any, problems: list[Problem]) -> None:
        """Record a row left out, with what the rejects file needs."""
        marshal.dump((line, None, audience, raw, [f"{p.field}: {p.message}; {p.hint}"
                                                  for p in problems]), self._file)

    def close(self) -> None:
        """Close the spool for writing."""
        self._file.close()

    @staticmethod
    def read(path: Path) -> Iterator[tuple[Any, ...]]:
        """Yield the records in order."""
        with path.open("rb") as f:
            while True:
                try:
                    yield marshal.load(f)
                except EOFError:
                    return


def survey(sheet: FactSheet, path: Path, *, shard: tuple[int, int] = (0, 1),
           templates: Path | None = None, allow_errors: bool = False,
           spool: Path | None = None) -> Survey:
    """Check every row of the shard, render each variant once, and find duplicates.

    With ``spool``, the checked rows are recorded there for the write pass.

    Raises:
        RecipientsError: the list's header is unusable (raised at once).
    """
    from notifier.render import load_previous
    from notifier.templating import make_environment
    from notifier.variants import VariantKey, render_variant

    rules = RowRules(sheet, path)
    env = make_environment(templates)
    previous = load_previous(sheet)
    found = Survey()
    with tempfile.TemporaryDirectory(prefix="notifier-merge-") as tmp, RowReader(path) as reader:
        spooled = Spool(spool) if spool else None
        buckets = [open(Path(tmp) / f"{i:02d}", "wb") for i in range(_BUCKETS)]  # noqa: SIM115
        try:
            for raw in reader:
                _check_header(found, reader, rules)
                if not _in_shard(raw, shard):
                    continue
                found.rows += 1
                recipient, problems = rules.check(raw, jsonl=reader.kind == "jsonl")
                if recipient is not None:
                    key = VariantKey.of(sheet, recipient)
                    variant = found.variants.get(key)
                    if variant is None:
                        variant = _render(sheet, key, found, lambda k: render_variant(
                            sheet, k, env, previous=previous, allow_errors=allow_errors))
                    if isinstance(variant, RenderRefused):
                        problems = [refused_row(sheet, raw, key, variant, str(path))]
                if problems or recipient is None:
                    _bad_row(found, spooled, rules, raw, problems)
                    continue
                if spooled:
                    spooled.good(raw.line, found.order[key], recipient, raw.raw)
                fp = _fingerprint(recipient, sheet)
                buckets[fp % _BUCKETS].write(array("Q", [fp, raw.line]).tobytes())
            _check_header(found, reader, rules)
        finally:
            for bucket in buckets:
                bucket.close()
            if spooled:
                spooled.close()
        found.digest = reader.digest
        _find_duplicates(Path(tmp), found, str(path))
    return found


def _bad_row(found: Survey, spooled: Spool | None, rules: RowRules, raw: RawRow,
             problems: list[Problem]) -> None:
    """Report a row's problems, and spool it for the rejects file."""
    for problem in problems:
        found.problems.add(problem)
    if spooled:
        audience = raw.values.get("audience")
        spooled.bad(raw.line, audience if audience in rules.audiences else None, raw.raw, problems)


def _check_header(found: Survey, reader: RowReader, rules: RowRules) -> None:
    """Refuse a CSV header the sheet cannot use (once, before the first row)."""
    if found.columns or reader.kind != "csv":
        return
    found.columns = reader.columns
    problems = reader.header_problems + rules.check_columns(reader.columns)
    if problems:
        raise RecipientsError.of(problems)


def _render(sheet: FactSheet, key: VariantKey, found: Survey,
            render: Callable[[VariantKey], Variant]) -> Variant | RenderRefused:
    """Render a new variant once and keep it (compiled), or keep its refusal, reported once."""
    from notifier.mailmerge import compile_variant

    variant: Variant | RenderRefused
    try:
        variant = render(key)
        found.compiled[key] = compile_variant(variant)
        found.order[key] = len(found.keys)
        found.keys.append(key)
    except RenderRefused as exc:
        variant = exc
        for problem in exc.problems:
            found.problems.add(f"refused ({key.label(sheet)}): {problem}")
    found.variants[key] = variant
    return variant


def refused_row(sheet: FactSheet, raw: RawRow, key: VariantKey, refusal: RenderRefused,
                path: str) -> Problem:
    """Return the problem of a row whose notice variant is refused."""
    first = refusal.problems[0]
    return Problem(path, raw.line, raw.col_of("audience"), "audience",
                   f"its notice ({key.label(sheet)}) is refused: {first.message}",
                   first.hint or "fix the sheet, or leave the row out")


def _find_duplicates(folder: Path, found: Survey, path: str) -> None:
    """Read each bucket of (fingerprint, row) and note every row that repeats an earlier one.

    A bucket holds about 1/64 of the rows: memory stays small however long the list is.
    """
    pairs: list[tuple[int, int]] = []
    for i in range(_BUCKETS):
        records = array("Q")
        records.frombytes((folder / f"{i:02d}").read_bytes())
        first: dict[int, int] = {}
        for j in range(0, len(records), 2):
            fp, row = records[j], records[j + 1]
            earlier = first.setdefault(fp, row)
            if earlier != row:
                pairs.append((row, earlier))
    for row, earlier in sorted(pairs):
        found.duplicates[row] = earlier
        found.problems.add(duplicate_problem(path, row, earlier))


def duplicate_problem(path: str, row: int, earlier: int) -> Problem:
    """Return the problem of a row that repeats an earlier row's address and audience."""
    return Problem(path, row, 1, "email", f"the same address and audience as row {earlier}",
                   "remove one of the two rows (each person gets one notice an audience)")
