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
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from notifier.errors import UsageError
from notifier.staging import OutboxError, SheetFolder, failure, lock_outbox

if TYPE_CHECKING:
    from notifier.model import FactSheet
    from notifier.render import RenderedNotice, RenderResult

MANIFEST = "manifest.json"
#: The files each notice produces, by suffix, in the order they are listed.
SUFFIXES = (".html", ".txt", ".eml")


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
    sha256: dict[str, str] = field(default_factory=dict)  # relpath -> SHA-256, of every file listed


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


def write_staged(path: Path, content: bytes) -> None:
    """Write a file into a staging copy (``SheetFolder.open``), where no one reads it until the
    whole copy is swapped in: no temporary file is needed. A file the copy already has is a
    hard link to the live folder's, so it is unlinked first: the live one is never touched.
    A run killed half-way leaves a half-written copy, which is never swapped in; the bytes
    reach the disk before the swap (``SheetFolder.commit`` syncs them all at once)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        try:
            fd = os.open(path, flags, 0o666)  # the umask applies, as for any ordinary file
        except FileExistsError:
            os.unlink(path)
            fd = os.open(path, flags, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)  # a full disk fails in write(), which names no file
        raise


@dataclass(frozen=True)
class WrittenNotice:
    """A notice whose files are on disk: what the manifest and the report keep of it.

    A batch writes each notice as soon as it is rendered and keeps only this, so that its
    memory does not grow with the number of notices.
    """

    audience_id: str
    notice: str
    subject: str
    preheader: str
    templates: tuple[str, str]  # (html template, text template)
    #: (path relative to the sheet's folder, created/updated/identical, SHA-256), per file
    files: tuple[tuple[str, str, str], ...]
    draft: tuple[str, ...] = ()  # the error rules a draft was written with (--allow-errors)
    waived: tuple[str, ...] = ()  # the rules a waiver in the sheet covers
    inputs: str | None = None  # the input hash (``inputs.ContextHasher``), if known


def write_notice(folder: Path, notice: RenderedNotice, eml: bytes, *,
                 inputs: str | None = None) -> WrittenNotice:
    """Write one rendered notice's files under ``folder`` (a staging copy); return the record.

    A file that already holds the bytes is left alone (``identical``); the others are
    written in place (``write_staged``).

    Raises:
        UsageError: a path would leave the folder.
        OSError: a file cannot be written (its ``filename`` names it).
    """
    files = []
    entries = entries_for(notice, eml)
    (folder / notice.audience_id).mkdir(exist_ok=True)
    for entry in entries:
        target = folder / entry.relpath
        if _holds(target, entry.content):
            status = "identical"
        else:
            status = "updated" if target.exists() else "created"
            write_staged(target, entry.content)
        files.append((entry.relpath, status, entry.sha256))
    return WrittenNotice(notice.audience_id, notice.notice, notice.subject, notice.preheader,
                         notice.templates, tuple(files), notice.draft, notice.waived, inputs)


def read_manifest(folder: Path) -> dict[str, Any]:
    """Return a sheet folder's manifest, or an empty one if there is none or it is unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": {}}
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return {"files": {}}  # not a manifest of ours: every file is treated as unknown
    return data


def _gate_record(notice: RenderedNotice | WrittenNotice) -> dict[str, Any]:
    """The manifest's record of an audience: its notice, and what the gate let through."""
    record: dict[str, Any] = {"notice": notice.notice}
    if notice.draft:  # written with --allow-errors: these errors make it a draft
        record["draft"] = list(notice.draft)
    if notice.waived:  # the rules a waiver in the sheet covers
        record["waived"] = list(notice.waived)
    return record


def write_outbox(result: RenderResult, outbox: Path, *, emls: Mapping[str, bytes] | None = None,
                 inputs: Mapping[str, str] | None = None, unchanged: Collection[str] = (),
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
        staging: the staging copy (``SheetFolder.open``) to write into; the caller commits
            it. Without one, the outbox is locked and the folder written and swapped in here.

    Raises:
        OutboxError: the outbox cannot be written (a full or read-only disk, a file where
            a folder should be); the sheet's folder is then as it was.
    """
    if staging is None:
        with lock_outbox(outbox), SheetFolder(outbox, result.sheet.id) as sheet_folder:
            folder = sheet_folder.open()
            report = write_outbox(result, outbox, emls=emls, inputs=inputs, unchanged=unchanged,
                                  staging=folder)
            sheet_folder.written(folder / rel for rel, status in report.status.items()
                                 if status in ("created", "updated"))
            sheet_folder.written([folder / MANIFEST])
            sheet_folder.commit()
            return report
    try:
        written = [write_notice(staging, entry_notice, eml,
                                inputs=(inputs or {}).get(entry_notice.audience_id))
                   for entry_notice, eml in _with_emls(result, emls)]
        return finish_folder(result.sheet, outbox, staging, written, refused=result.refused,
                             unchanged=unchanged)
    except OSError as exc:
        raise OutboxError(failure(outbox / result.sheet.id, staging, exc)) from None


def _with_emls(result: RenderResult,
               emls: Mapping[str, bytes] | None) -> list[tuple[RenderedNotice, bytes]]:
    """Pair each notice with its .eml (built here when not given); refuse two notices that
    would write one file."""
    by_audience = {e.audience: e.content for e in plan_outbox(result, emls=emls)
                   if e.relpath.endswith(".eml")}
    return [(notice, by_audience[notice.audience_id]) for notice in result.notices]


def finish_folder(sheet: FactSheet, outbox: Path, folder: Path, written: list[WrittenNotice], *,
                  refused: Collection[str] = (), unchanged: Collection[str] = (),
                  digest: str | None = None) -> WriteReport:
    """Finish a sheet's staging copy once its notices are written: the manifest, stale files.

    The manifest lists the files just written, and keeps the entries of the audiences not
    rendered this time (each checked against the disk, see ``_kept``); files of audiences
    gone from the sheet or refused are removed.

    Args:
        sheet: the fact sheet.
        outbox: the outbox folder.
        folder: the staging copy of ``outbox/<sheet id>/``.
        written: the notices written into it (``write_notice``).
        refused: the audiences refused this time.
        unchanged: the audiences skipped as unchanged: their files were checked against the
            manifest just now, and are reported ``identical``.
        digest: the sheet's ``inputs.sheet_digest``, recorded when every audience's notice
            is on disk and checked, so that the next run can skip the sheet as a whole.

    Raises:
        OSError: the manifest or a removal fails (the caller discards the copy).
    """
    report = WriteReport(folder=outbox / sheet.id)
    manifest_before = read_manifest(folder)
    old = manifest_before["files"]
    old_audiences = manifest_before.get("audiences")
    old_audiences = old_audiences if isinstance(old_audiences, dict) else {}
    rendered = {n.audience_id for n in written}
    in_sheet = {a.id for a in sheet.audiences} - set(refused)
    files, changed = _kept(folder, {
        rel: entry for rel, entry in old.items()
        if isinstance(entry, dict) and entry.get("audience") in in_sheet
        and entry.get("audience") not in rendered}, trusted=set(unchanged))
    audiences: dict[str, Any] = {
        aid: entry if aid not in changed else {k: v for k, v in entry.items() if k != "inputs"}
        for aid, entry in old_audiences.items()
        if aid in in_sheet and aid not in rendered and isinstance(entry, dict)
    }
    for rel, kept in files.items():
        if kept.get("audience") in unchanged:
            report.status[rel] = "identical"
    for notice in written:
        html_t, text_t = notice.templates
        templates = {".html": html_t, ".txt": text_t, ".eml": f"{html_t} + {text_t}"}
        for rel, status, sha in notice.files:
            report.status[rel] = status
            files[rel] = {"audience": notice.audience_id, "notice": notice.notice, "sha256": sha,
                          "subject": notice.subject, "preheader": notice.preheader,
                          "template": templates[rel[rel.rindex("."):]]}
        audiences[notice.audience_id] = _gate_record(notice)
        if notice.inputs:
            audiences[notice.audience_id]["inputs"] = notice.inputs
    # An audience gone from the sheet, or a notice kind an audience no longer gets.
    _remove_stale(folder, sorted(set(old) - set(files)), report)
    report.sha256 = {rel: str(entry.get("sha256")) for rel, entry in files.items()}
    manifest: dict[str, Any] = {"sheet": sheet.id, "files": {k: files[k] for k in sorted(files)},
                                "audiences": {aid: audiences[aid] for aid in sorted(audiences)}}
    # The digest stands for every audience's inputs: only when each was rendered or found
    # unchanged against this very sheet, and none was refused (a refusal must come again).
    complete = (not refused and rendered | set(unchanged) == {a.id for a in sheet.audiences}
                and all("inputs" in entry for entry in audiences.values()))
    if digest and complete:
        manifest["inputs"] = digest
    content = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    if not _holds(folder / MANIFEST, content):
        write_staged(folder / MANIFEST, content)
    return report


def _kept(folder: Path, entries: dict[str, Any],
          trusted: Collection[str] = ()) -> tuple[dict[str, Any], set[str]]:
    """Return the manifest entries of files kept as they are, checked against the disk.

    So that the manifest always lists exactly what is on disk: a file deleted since is
    dropped; a file edited by hand since keeps its place with its real hash, and its
    audience loses its input hash, so that the next run renders it again. The files of the
    ``trusted`` audiences were checked a moment ago (``inputs.unchanged``), under the same
    lock, and are not read again. Returns the entries and the audiences whose files changed.
    """
    kept: dict[str, Any] = {}
    changed: set[str] = set()
    for rel, entry in entries.items():
        if entry.get("audience") in trusted:
            kept[rel] = entry
            continue
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
