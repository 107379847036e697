"""Plan output paths, write files atomically, keep the manifest; report what changed.

A sheet's folder changes as a whole. Its files are written into a staging copy next to it
(hard links of the current files, so unchanged ones keep their inode and mtime), the
manifest last, and the copy is then swapped in with one atomic ``renameat2(RENAME_EXCHANGE)``.
Whenever a run is killed, by ``kill -9``, a full disk or a power cut, the folder on disk
is the one before the run or the one after it, each with a manifest that lists exactly its
files; the next run removes the leftover staging copy. A lock on the outbox makes a second
run wait until the first is done.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from notifier.errors import UsageError
from notifier.render import RenderedNotice, RenderResult
from notifier.staging import OutboxError, SheetFolder, failure, lock_outbox

MANIFEST = "manifest.json"
#: The files each notice produces, by suffix, in the order they are listed.
SUFFIXES = (".html", ".txt", ".eml")
#: Threads that write (and fsync) files at once: fsync waits on the disk, not the CPU.
WRITE_THREADS = 8


@dataclass(frozen=True)
class OutboxEntry:
    """One file to write: where (relative to the sheet's folder), its bytes, and what it is."""

    relpath: str
    content: bytes
    audience: str
    notice: str
    subject: str
    preheader: str
    template: str

    @cached_property
    def sha256(self) -> str:
        """The SHA-256 of the content, as recorded in the manifest (computed once)."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class WriteReport:
    """What writing one sheet's outbox did, file by file."""

    folder: Path
    status: dict[str, str] = field(default_factory=dict)  # relpath -> created/updated/identical/removed


def file_names(audience_id: str, notice: str) -> list[str]:
    """Return the outbox paths (relative to the sheet's folder) of one audience's notice."""
    return [f"{audience_id}/{notice}{suffix}" for suffix in SUFFIXES]


def files_for(notice: RenderedNotice, eml: bytes) -> list[tuple[str, bytes, str]]:
    """Return (file name, content, template) for each file a rendered notice produces."""
    html_t, text_t = notice.templates
    return [
        (f"{notice.notice}.html", notice.html.encode("utf-8"), html_t),
        (f"{notice.notice}.txt", notice.text.encode("utf-8"), text_t),
        (f"{notice.notice}.eml", eml, f"{html_t} + {text_t}"),
    ]


def plan_outbox(result: RenderResult, *, emls: Mapping[str, bytes] | None = None) -> list[OutboxEntry]:
    """Return the files a render result produces, sorted; refuse clashes and escapes.

    Args:
        result: what a sheet rendered.
        emls: the ``.eml`` of each audience, when already built (batch workers build them);
            any missing one is built here.
    """
    from notifier.eml import build_eml, message_date

    emls = emls or {}
    date = message_date(result.sheet) if len(emls) < len(result.notices) else None
    plan: dict[str, OutboxEntry] = {}
    for notice in result.notices:
        eml = emls.get(notice.audience_id)
        if eml is None:
            assert date is not None
            eml = build_eml(notice, date=date, draft=True)
        for entry in entries_for(notice, eml):
            if entry.relpath in plan:
                raise UsageError(f"two notices would both write {entry.relpath}; "
                                 "give each audience its own id")
            plan[entry.relpath] = entry
    return [plan[k] for k in sorted(plan)]


def entries_for(notice: RenderedNotice, eml: bytes) -> list[OutboxEntry]:
    """Return the files of one rendered notice; refuse a path that would leave the folder."""
    entries = []
    for name, content, template in files_for(notice, eml):
        rel = PurePosixPath(notice.audience_id) / name
        if rel.is_absolute() or ".." in rel.parts or len(rel.parts) != 2:
            raise UsageError(f"refusing to write {rel}: it would leave the outbox folder")
        entries.append(OutboxEntry(str(rel), content, notice.audience_id, notice.notice,
                                   notice.subject, notice.preheader, template))
    return entries


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once at import, before any writer thread exists (reading it means setting it).
_UMASK = _current_umask()


def atomic_write(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            # mkstemp makes the file private (0600); the outbox is shared with the team, so
            # give it the permissions an ordinary file gets under the process umask.
            os.fchmod(handle.fileno(), 0o666 & ~_UMASK)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a full disk fails in write(), which names no file
        raise


def _write_all(writes: list[tuple[Path, bytes]]) -> None:
    """Write each (path, content) atomically; several at once, as each waits on its fsync."""
    if len(writes) < 2:
        for path, content in writes:
            atomic_write(path, content)
        return
    with ThreadPoolExecutor(max_workers=min(WRITE_THREADS, len(writes))) as pool:
        # list() re-raises the first error; the others have finished or failed cleanly.
        list(pool.map(lambda item: atomic_write(*item), writes))


def _write_changed(path: Path, content: bytes) -> str:
    """Write ``content`` to ``path`` unless it already holds it; return the status."""
    if _holds(path, content):
        return "identical"
    status = "updated" if path.exists() else "created"
    atomic_write(path, content)
    return status


class Writer:
    """Writes notices' files on a few threads while the caller goes on rendering.

    Each file is written as ``write_outbox`` would write it (left alone when identical,
    else atomically); ``write_outbox(..., written=writer.wait())`` then reports those
    statuses and only writes the manifest and removes stale files. Use it as a context
    manager, so that the threads are always shut down.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=WRITE_THREADS)
        self._pending: dict[Path, tuple[str, Future[str]]] = {}

    def write(self, folder: Path, entries: list[OutboxEntry]) -> None:
        """Start writing ``entries`` under ``folder`` (a sheet's outbox folder)."""
        for entry in entries:
            target = folder / entry.relpath
            if target in self._pending:
                raise UsageError(f"two notices would both write {target}")
            self._pending[target] = (entry.sha256,
                                     self._pool.submit(_write_changed, target, entry.content))

    def wait(self) -> dict[Path, tuple[str, str] | OSError]:
        """Wait for every write; return {path: (status, sha256)}, or the error writing it."""
        done: dict[Path, tuple[str, str] | OSError] = {}
        for path, (sha, future) in self._pending.items():
            try:
                done[path] = (future.result(), sha)
            except OSError as exc:
                done[path] = exc
        return done

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def read_manifest(folder: Path) -> dict[str, Any]:
    """Return a sheet folder's manifest, or an empty one if there is none or it is unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": {}}
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return {"files": {}}  # not a manifest of ours: every file is treated as unknown
    return data


def _gate_record(notice: RenderedNotice) -> dict[str, Any]:
    """The manifest's record of an audience: its notice, and what the gate let through."""
    record: dict[str, Any] = {"notice": notice.notice}
    if notice.draft:  # written with --allow-errors: these errors make it a draft
        record["draft"] = list(notice.draft)
    if notice.waived:  # the rules a waiver in the sheet covers
        record["waived"] = list(notice.waived)
    return record


def write_outbox(result: RenderResult, outbox: Path, *, emls: Mapping[str, bytes] | None = None,
                 inputs: Mapping[str, str] | None = None, unchanged: Collection[str] = (),
                 written: Mapping[Path, tuple[str, str]] | None = None,
                 staging: Path | None = None) -> WriteReport:
    """Write a sheet's rendered notices under ``outbox/<sheet id>/`` and update its manifest.

    Files whose bytes are unchanged are left alone (``identical``). Files of audiences that
    are no longer in the sheet are removed, and so are those of a refused audience: its
    earlier notice no longer fits the facts and must not be sent by mistake. Audiences not
    rendered this time because of a filter or because nothing changed keep their files.

    Args:
        result: what the sheet rendered.
        outbox: the outbox folder; the sheet's files go into ``outbox/<sheet id>/``.
        emls: each audience's ``.eml``, when already built; missing ones are built here.
        inputs: each rendered audience's input hash, recorded in the manifest so that a
            later run can skip the audience while its inputs and files stay the same.
        unchanged: audiences skipped because their inputs and files are unchanged: their
            files are reported ``identical`` and their manifest entries kept.
        written: files a ``Writer`` already wrote, as {path: (status, sha256)}; they are
            reported, not written again.
        staging: the staging copy (``SheetFolder.open``) to write into; the caller commits
            it. Without one, the outbox is locked and the folder written and swapped in here.

    Raises:
        OutboxError: the outbox cannot be written (a full or read-only disk, a file where
            a folder should be); the sheet's folder is then as it was.
    """
    if staging is None:
        with lock_outbox(outbox), SheetFolder(outbox, result.sheet.id) as sheet_folder:
            report = write_outbox(result, outbox, emls=emls, inputs=inputs, unchanged=unchanged,
                                  written=written, staging=sheet_folder.open())
            sheet_folder.commit()
            return report
    try:
        return _write_folder(result, outbox, staging, emls=emls, inputs=inputs,
                             unchanged=unchanged, written=written)
    except OSError as exc:
        raise OutboxError(failure(outbox / result.sheet.id, staging, exc)) from None


def _write_folder(result: RenderResult, outbox: Path, folder: Path, *,
                  emls: Mapping[str, bytes] | None, inputs: Mapping[str, str] | None,
                  unchanged: Collection[str],
                  written: Mapping[Path, tuple[str, str]] | None) -> WriteReport:
    """``write_outbox`` into ``folder`` (a staging copy); OSErrors pass through."""
    report = WriteReport(folder=outbox / result.sheet.id)
    manifest_before = read_manifest(folder)
    old = manifest_before["files"]
    old_audiences = manifest_before.get("audiences")
    old_audiences = old_audiences if isinstance(old_audiences, dict) else {}
    rendered = {n.audience_id for n in result.notices}
    in_sheet = {a.id for a in result.sheet.audiences} - set(result.refused)
    files, changed = _kept(folder, {
        rel: entry for rel, entry in old.items()
        if isinstance(entry, dict) and entry.get("audience") in in_sheet
        and entry.get("audience") not in rendered})
    audiences: dict[str, Any] = {
        aid: entry if aid not in changed else {k: v for k, v in entry.items() if k != "inputs"}
        for aid, entry in old_audiences.items()
        if aid in in_sheet and aid not in rendered and isinstance(entry, dict)
    }
    for rel, kept in files.items():
        if kept.get("audience") in unchanged:
            report.status[rel] = "identical"
    _write_all(_writes(result, folder, emls, written, report, files))
    for notice in result.notices:
        audiences[notice.audience_id] = _gate_record(notice)
        if inputs and notice.audience_id in inputs:
            audiences[notice.audience_id]["inputs"] = inputs[notice.audience_id]
    # An audience gone from the sheet, or a notice kind an audience no longer gets.
    _remove_stale(folder, sorted(set(old) - set(files)), report)
    manifest = {"sheet": result.sheet.id, "files": files,
                "audiences": {aid: audiences[aid] for aid in sorted(audiences)}}
    content = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    if not _holds(folder / MANIFEST, content):
        atomic_write(folder / MANIFEST, content)
    return report


def _writes(result: RenderResult, folder: Path, emls: Mapping[str, bytes] | None,
            written: Mapping[Path, tuple[str, str]] | None, report: WriteReport,
            files: dict[str, Any]) -> list[tuple[Path, bytes]]:
    """Return the files still to write; record each file's status and manifest entry."""
    writes: list[tuple[Path, bytes]] = []
    for entry in plan_outbox(result, emls=emls):
        target = folder / entry.relpath
        done = written.get(target) if written else None
        if done is not None and done[1] == entry.sha256:
            report.status[entry.relpath] = done[0]
        elif _holds(target, entry.content):
            report.status[entry.relpath] = "identical"
        else:
            report.status[entry.relpath] = "updated" if target.exists() else "created"
            writes.append((target, entry.content))
        files[entry.relpath] = {
            "audience": entry.audience, "notice": entry.notice, "sha256": entry.sha256,
            "subject": entry.subject, "preheader": entry.preheader, "template": entry.template,
        }
    return writes


def _kept(folder: Path, entries: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Return the manifest entries of files kept as they are, checked against the disk.

    So that the manifest always lists exactly what is on disk: a file deleted since is
    dropped; a file edited by hand since keeps its place with its real hash, and its
    audience loses its input hash, so that the next run renders it again. Returns the
    entries and the audiences whose files changed.
    """
    kept: dict[str, Any] = {}
    changed: set[str] = set()
    for rel, entry in entries.items():
        try:
            digest = hashlib.sha256((folder / rel).read_bytes()).hexdigest()
        except OSError:
            changed.add(str(entry.get("audience")))
            continue
        if digest != entry.get("sha256"):
            entry = {**entry, "sha256": digest}
            changed.add(str(entry.get("audience")))
        kept[rel] = entry
    return kept, changed


def _holds(path: Path, content: bytes) -> bool:
    """Return True if ``path`` exists and holds exactly ``content``."""
    try:
        return path.read_bytes() == content
    except OSError:
        return False


def _remove_stale(folder: Path, rels: list[str], report: WriteReport) -> None:
    """Remove files the manifest lists but this run no longer produces; report them."""
    for rel in rels:
        if ".." in PurePosixPath(rel).parts or PurePosixPath(rel).is_absolute():
            continue  # never follow a tampered manifest out of the folder
        stale = folder / rel
        try:
            stale.unlink(missing_ok=True)
        except IsADirectoryError:
            continue  # not the file the manifest listed: leave it
        report.status[rel] = "removed"
        try:
            stale.parent.rmdir()
        except OSError:
            pass
