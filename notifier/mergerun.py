"""The write pass of ``notifier merge``: the journal, resuming, rejects, and the summary.

The journal (``OUT.journal``) starts with the run's identity (a hash of the list's bytes,
every variant's content, the format and the shard) and gets one line a checkpoint: how
many rows of the shard are done, the sink's state (the mbox's length, each export file's
length), the rejects file's length and the counts. A run killed with ``kill -9`` resumes
from the last complete line: the output is cut back to that state, the rows after it are
merged again, and maildir and .eml files, named by Message-ID, replace themselves.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notifier.errors import UsageError
from notifier.merge import Counts, MergeResult, Spool, Survey, checkpoint_every, duplicate_problem
from notifier.mergeout import open_private, write_private
from notifier.recipients import Recipient, RecipientsError, list_kind

if TYPE_CHECKING:
    from notifier.mailmerge import Compiled
    from notifier.mergeout import Sink
    from notifier.model import FactSheet


def run_identity(survey: Survey, fmt: str, shard: tuple[int, int], rejects: bool,
                 allow_errors: bool) -> str:
    """Return what identifies a run: the same inputs and options give the same identity."""
    import hashlib

    h = hashlib.sha256()
    parts = [survey.digest, fmt, f"{shard[0] + 1}/{shard[1]}", str(rejects), str(allow_errors),
             str(checkpoint_every())]
    parts += sorted(c.variant.digest for c in survey.compiled.values())
    for part in parts:
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:32]


class Journal:
    """Append-only checkpoints; the last complete line is the state to resume from."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def load(self) -> tuple[str, dict[str, Any] | None] | None:
        """Return (run identity, last state or None), or None without a journal."""
        try:
            lines = self.path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return None
        try:
            run = json.loads(lines[0])["run"]
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        state = None
        for line in lines[1:]:
            try:
                state = json.loads(line)
            except ValueError:
                break  # a line cut short by the kill: the one before it holds
        return str(run), state

    def start(self, run: str, *, resume: bool) -> None:
        """Open the journal: a new one with the run's identity, or the existing one."""
        if resume:
            # keep only complete lines, so a line cut short is not followed by a new one
            data = self.path.read_bytes()
            keep = data[: data.rfind(b"\n") + 1]
            write_private(self.path, keep)
            self._file = open_private(self.path, append=True)
            return
        self._file = open_private(self.path)
        self._file.write(json.dumps({"run": run}).encode() + b"\n")
        self._file.flush()

    def record(self, state: dict[str, Any]) -> None:
        """Append one checkpoint."""
        self._file.write(json.dumps(state, sort_keys=True, separators=(",", ":")).encode() + b"\n")
        self._file.flush()

    def close(self) -> None:
        """Close the journal file."""
        if self._file is not None:
            self._file.close()


class Rejects:
    """The rows left out and why, in the list's own format plus a 'problems' column."""

    def __init__(self, path: Path, kind: str, columns: list[str]) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.kind = kind
        self.columns = columns
        self._file: Any = None

    def open(self, offset: int | None) -> None:
        """Start a new rejects file, or cut an existing one back to ``offset`` and go on."""
        if offset is None:
            self._file = open_private(self.part)
            if self.kind == "csv":
                self._file.write(self._csv_line(["row", *self.columns, "problems"]))
            return
        with open(self.part, "r+b") as f:
            f.truncate(offset)
        self._file = open_private(self.part, append=True)

    @staticmethod
    def _csv_line(cells: list[str]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        return buffer.getvalue().encode("utf-8")

    def add(self, line: int, raw: Any, problems: list[str]) -> None:
        """Write one rejected row (its cells, or JSON object) with its problems."""
        reasons = "; ".join(problems)
        if self.kind == "csv":
            cells = [str(c) for c in raw] if isinstance(raw, list) else []
            self._file.write(self._csv_line([str(line), *cells, reasons]))
        else:
            entry = {"row": line, "problems": reasons,
                     **({"value": raw} if isinstance(raw, str) else
                        {"fields": raw if isinstance(raw, dict) else {}})}
            self._file.write(json.dumps(entry, ensure_ascii=False, sort_keys=True).encode() + b"\n")

    def offset(self) -> int:
        """Flush and return the file's length."""
        self._file.flush()
        return int(self._file.tell())

    def finish(self) -> None:
        """Close and rename into place."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.part, self.path)


def write_pass(sheet: FactSheet, path: Path, found: Survey, *, fmt: str, out: Path,
               shard: tuple[int, int], rejects: Path | None, allow_errors: bool,
               sink: Sink, spool: Path) -> MergeResult:
    """Merge and write every good row the survey spooled; resume from the journal if any.

    Raises:
        UsageError: ``OUT`` holds another run's output, or its unfinished one.
    """
    run = run_identity(found, fmt, shard, rejects is not None, allow_errors)
    part = out.with_name(out.name + ".part")
    summary_path = out.with_name(out.name + ".summary.json")
    journal = Journal(out.with_name(out.name + ".journal"))
    done_before = _finished(out, summary_path, run)
    if done_before is not None:
        return MergeResult(done_before, out, already_done=True)
    loaded = journal.load()
    state = None
    if loaded is not None and loaded[0] != run and part.exists():
        raise UsageError(f"{part} holds an unfinished merge of other inputs (another list, sheet, "
                         f"format or shard); finish it with those, or delete {part} and "
                         f"{journal.path} to start again")
    if loaded is not None and loaded[0] == run and part.exists():
        state = loaded[1]
    if state is None:
        _remove(part)  # what a run left before its first checkpoint: nothing to resume
    counts = Counts.from_state(state["counts"]) if state else Counts()
    done = int(state["done"]) if state else 0
    rejected = Rejects(rejects, list_kind(path), found.columns) if rejects else None
    sink.open(state["sink"] if state else None)
    if rejected:
        rejected.open(state.get("rejects") if state else None)
    journal.start(run, resume=state is not None)
    every = checkpoint_every()
    compiled = [found.compiled[key] for key in found.keys]
    audiences = [a.id for a in sheet.audiences]
    try:
        for index, record in enumerate(Spool.read(spool), 1):
            if index <= done:
                continue
            _write_record(record, found, compiled, audiences, sink, rejected, counts, str(path))
            if index % every == 0:
                journal.record({"done": index, "sink": sink.checkpoint(), "counts": counts.state(),
                                "rejects": rejected.offset() if rejected else None})
        sink.finish(compiled)
        if rejected:
            rejected.finish()
        summary = _summary(sheet, found, counts, fmt, shard, run)
        write_private(summary_path, (json.dumps(summary, indent=2, sort_keys=True) + "\n").encode())
        os.replace(part, out)
    finally:
        journal.close()
        sink.close()
    journal.path.unlink(missing_ok=True)
    return MergeResult(summary, out, resumed=state is not None)


def _write_record(record: tuple[Any, ...], found: Survey, compiled: list[Compiled],
                  audiences: list[str], sink: Sink, rejected: Rejects | None, counts: Counts,
                  path: str) -> None:
    """Merge one spooled row, or put it in the rejects file with its problems."""
    line, variant = record[0], record[1]
    if variant is not None and line not in found.duplicates:
        _, _, email, name, code, fields, audience, locale, categories, _raw = record
        recipient = Recipient(line, email, audience, name, locale,
                              tuple(categories) if categories is not None else None,
                              code, tuple(fields))
        item = compiled[variant]
        sink.add(item, recipient)
        counts.add(audiences[audience], item.variant.id)
        return
    if variant is None:
        raw, reasons, audience_id = record[3], list(record[4]), record[2]
    else:
        p = duplicate_problem(path, line, found.duplicates[line])
        raw, reasons, audience_id = record[9], [f"{p.field}: {p.message}; {p.hint}"], audiences[record[6]]
    if rejected is None:  # the survey reported every problem and stopped: a bug if reached
        raise UsageError(f"{path}: row {line} has problems the survey did not report; rerun "
                         "with --debug")
    rejected.add(line, raw, reasons)
    counts.add(audience_id, None)


def _remove(path: Path) -> None:
    """Remove a file or a folder, if it is there."""
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _finished(out: Path, summary_path: Path, run: str) -> dict[str, Any] | None:
    """Return the summary of a finished run with this identity; refuse another run's output."""
    if not out.exists():
        return None
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        summary = None
    if isinstance(summary, dict) and summary.get("run") == run:
        return summary
    raise UsageError(f"{out} already exists and holds another run's output; choose another "
                     "--out, or move it away first (nothing is overwritten)")


def _summary(sheet: FactSheet, found: Survey, counts: Counts, fmt: str, shard: tuple[int, int],
             run: str) -> dict[str, Any]:
    variants = []
    for key, variant in sorted(found.variants.items(), key=lambda kv: kv[0].sort_key()):
        entry = key.as_dict(sheet)
        if isinstance(variant, Exception):
            entry.update(id=None, refused=True, written=0)
        else:
            entry.update(id=variant.id, refused=False, written=counts.variants.get(variant.id, 0),
                         draft=bool(variant.notice.draft))
        variants.append(entry)
    return {"format": fmt, "shard": f"{shard[0] + 1}/{shard[1]}", "run": run,
            "rows": counts.rows, "written": counts.written, "rejected": counts.rejected,
            "audiences": counts.audiences, "variants": variants}




def sink_for(fmt: str, part: Path, sheet: FactSheet) -> Sink:
    """Return the sink that writes ``fmt`` into the staging path ``part``."""
    from notifier.eml import message_date
    from notifier.exports import ExportSink
    from notifier.mergeout import FolderSink, MboxSink

    if fmt == "mbox":
        return MboxSink(part, message_date(sheet).strftime("%a %b %d %H:%M:%S %Y"))
    if fmt in ("maildir", "eml"):
        return FolderSink(part, maildir=fmt == "maildir")
    return ExportSink(part, fmt, sheet)


def merge_recipients(sheet: FactSheet, recipients: Path, *, fmt: str, out: Path,
                     shard: tuple[int, int] = (0, 1), rejects: Path | None = None,
                     templates: Path | None = None, allow_errors: bool = False) -> MergeResult:
    """Merge every recipient of a list into their own notice, written as ``fmt`` to ``out``.

    Args:
        sheet: the validated fact sheet.
        recipients: the list (.csv or .jsonl).
        fmt: one of ``merge.FORMATS``.
        out: the file (mbox) or folder written; ``OUT.summary.json`` goes beside it.
        shard: (index, count): only the rows whose address hashes to this shard.
        rejects: write the good rows and put the bad ones, with their reasons, here;
            without it, any bad row stops the run before anything is written.
        templates: a folder of template overrides.
        allow_errors: merge variants whose checks find errors, as drafts.

    Raises:
        RecipientsError: rows with problems (every one), and no ``rejects``.
        UsageError: a bad option, an unreadable list, or ``out`` holding another run.
    """
    from notifier.merge import FORMATS, survey

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if rejects is not None and rejects.resolve() in (recipients.resolve(), out.resolve()):
        raise UsageError(f"--rejects {rejects} would overwrite the list or the output; name "
                         "another file")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist; create it first")
    spool = out.with_name(out.name + ".spool")
    try:
        found = survey(sheet, recipients, shard=shard, templates=templates,
                       allow_errors=allow_errors, spool=spool)
        if found.problems.count and rejects is None:
            raise RecipientsError(found.problems, str(recipients))
        refusals = [line for line in found.problems.lines() if line.startswith("refused")]
        part = out.with_name(out.name + ".part")
        result = write_pass(sheet, recipients, found, fmt=fmt, out=out, shard=shard,
                            rejects=rejects, allow_errors=allow_errors,
                            sink=sink_for(fmt, part, sheet), spool=spool)
    finally:
        spool.unlink(missing_ok=True)
    result.refusals = refusals
    found.problems.close()
    return result
