"""Plan output paths, write files atomically, keep the manifest; report what changed."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from notifier.errors import UsageError
from notifier.render import RenderedNotice, RenderResult

MANIFEST = "manifest.json"


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

    @property
    def sha256(self) -> str:
        """The SHA-256 of the content, as recorded in the manifest."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class WriteReport:
    """What writing one sheet's outbox did, file by file."""

    folder: Path
    status: dict[str, str] = field(default_factory=dict)  # relpath -> created/updated/identical/removed


def files_for(notice: RenderedNotice) -> list[tuple[str, bytes, str]]:
    """Return (file name, content, template) for each file a rendered notice produces."""
    html_t, text_t = notice.templates
    return [
        (f"{notice.notice}.html", notice.html.encode("utf-8"), html_t),
        (f"{notice.notice}.txt", notice.text.encode("utf-8"), text_t),
    ]


def plan_outbox(result: RenderResult) -> list[OutboxEntry]:
    """Return the files a render result produces, sorted; refuse clashes and escapes."""
    plan: dict[str, OutboxEntry] = {}
    for notice in result.notices:
        for name, content, template in files_for(notice):
            rel = PurePosixPath(notice.audience_id) / name
            if rel.is_absolute() or ".." in rel.parts or len(rel.parts) != 2:
                raise UsageError(f"refusing to write {rel}: it would leave the outbox folder")
            if str(rel) in plan:
                raise UsageError(f"two notices would both write {rel}; give each audience its own id")
            plan[str(rel)] = OutboxEntry(str(rel), content, notice.audience_id, notice.notice,
                                         notice.subject, notice.preheader, template)
    return [plan[k] for k in sorted(plan)]


def atomic_write(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(folder: Path) -> dict[str, Any]:
    """Return a sheet folder's manifest, or an empty one if there is none or it is unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": {}}
    return data if isinstance(data.get("files"), dict) else {"files": {}}


def write_outbox(result: RenderResult, outbox: Path) -> WriteReport:
    """Write a sheet's rendered notices under ``outbox/<sheet id>/`` and update its manifest.

    Files whose bytes are unchanged are left alone (``identical``). Files of audiences that
    are no longer in the sheet are removed. Audiences not rendered this time (filtered out or
    refused) keep their earlier files and manifest entries.
    """
    folder = outbox / result.sheet.id
    report = WriteReport(folder=folder)
    old = read_manifest(folder)["files"]
    rendered = {n.audience_id for n in result.notices}
    in_sheet = {a.id for a in result.sheet.audiences}
    files: dict[str, dict[str, str]] = {
        rel: entry for rel, entry in old.items()
        if entry.get("audience") in in_sheet and entry.get("audience") not in rendered
    }
    for entry in plan_outbox(result):
        target = folder / entry.relpath
        try:
            same = target.read_bytes() == entry.content
        except OSError:
            same = False
        if same:
            report.status[entry.relpath] = "identical"
        else:
            report.status[entry.relpath] = "updated" if target.exists() else "created"
            atomic_write(target, entry.content)
        files[entry.relpath] = {
            "audience": entry.audience, "notice": entry.notice, "sha256": entry.sha256,
            "subject": entry.subject, "preheader": entry.preheader, "template": entry.template,
        }
    for rel in sorted(set(old) - set(files)):
        # An audience gone from the sheet, or a notice kind an audience no longer gets.
        stale = folder / rel
        if ".." in PurePosixPath(rel).parts or PurePosixPath(rel).is_absolute():
            continue  # never follow a tampered manifest out of the folder
        stale.unlink(missing_ok=True)
        report.status[rel] = "removed"
        try:
            stale.parent.rmdir()
        except OSError:
            pass
    manifest = {"sheet": result.sheet.id, "files": files}
    content = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    atomic_write(folder / MANIFEST, content)
    return report
