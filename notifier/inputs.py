"""Input hashes: what reaches a notice, hashed, so that an unchanged notice is not rendered again.

A notice's inputs are hashed as its template context itself (everything from the sheet,
the revision it supersedes and the advice table that reaches the templates), plus the
template sources, the versions of the packages that shape the output, and the message
date. Hashing the context rather than a list of fields keeps the hash right as the context
grows: a regulator report counts every audience's size; an update reads the earlier
revision. The hash is kept per audience in the sheet's manifest.

What the hash leaves out: the safety checks compare a notice with every fact of the sheet,
so a change elsewhere in the sheet could in principle change a check's verdict on an
unchanged notice (not its bytes); ``render --force`` re-checks everything.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.cache import FileDigests
    from notifier.model import FactSheet

#: Packages whose version changes the output, besides notifier itself.
OUTPUT_PACKAGES = ("mjml-python", "premailer", "jinja2", "babel")


@dataclass(frozen=True)
class Skipped:
    """A variant not rendered again because its inputs and files are unchanged."""

    audience: str
    notice: str
    subject: str
    preheader: str


@cache
def output_versions() -> tuple[tuple[str, str], ...]:
    """Return (package, version) of notifier and each package that shapes the output."""
    from importlib.metadata import PackageNotFoundError, version

    import notifier

    found = [("notifier", notifier.__version__)]
    for name in OUTPUT_PACKAGES:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "unknown"))
    return tuple(found)


def templates_digest(templates: Path | None) -> str:
    """Return a hash of every file on the template search path (overrides, then built-ins)."""
    from notifier.templating import builtin_templates

    h = hashlib.sha256()
    for role, folder in (("overrides", templates), ("builtin", builtin_templates())):
        if folder is None or not folder.is_dir():
            continue
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            for part in (role.encode(), file.relative_to(folder).as_posix().encode(),
                         file.read_bytes()):
                h.update(len(part).to_bytes(8, "big"))
                h.update(part)
    return h.hexdigest()


def _plain(value: Any) -> Any:
    """JSON fallback for what a template context holds: models, dataclasses, dates, enums."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, Enum):
        return value.value
    # Anything else by its repr: one that shows a memory address only costs a re-render.
    return f"{type(value).__qualname__}:{value!r}"


def shared_digest(sheet: FactSheet, *, templates: str, date: datetime,
                  checked: bool = True) -> bytes:
    """Return the part of every input hash a sheet's audiences share: the versions of the
    packages that shape the output, the templates, the message catalogs (the wording in every
    language but English), the message date, the sheet's id, whether the checks must pass,
    and the waivers (which decide what the gate lets through, though no template reads them)."""
    from notifier.i18n import catalogs_digest

    waivers = [w.model_dump(mode="json") for w in sheet.waivers]
    return hashlib.sha256(json.dumps(
        [output_versions(), templates, catalogs_digest(), date.isoformat(), sheet.id, checked,
         waivers]).encode()
    ).digest()


class ContextHasher:
    """Hashes template contexts; each object every context shares (the organisation, the
    incident) is dumped once. It keeps each object it dumped alive, so that no other object
    can take its id meanwhile: use one per sheet."""

    def __init__(self, shared: bytes) -> None:
        self.shared = shared
        self._memo: dict[int, tuple[Any, Any]] = {}

    def _plain(self, value: Any) -> Any:
        if id(value) not in self._memo:
            self._memo[id(value)] = (value, _plain(value))
        return self._memo[id(value)][1]

    def __call__(self, context: dict[str, Any]) -> str:
        """Return the input hash of one notice's context.

        The translator and its gettext functions are left out: they are functions of the
        render, and the catalogs they read are in the shared part (``shared_digest``)."""
        from notifier.context import RUNTIME_KEYS

        context = {k: v for k, v in context.items() if k not in RUNTIME_KEYS}
        data = json.dumps(context, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          default=self._plain)
        return hashlib.sha256(self.shared + data.encode()).hexdigest()


def input_hashes(sheet: FactSheet, indices: list[int], *, previous: FactSheet | None,
                 templates: str, date: datetime, checked: bool = True,
                 env: Environment | None = None) -> dict[str, str]:
    """Return each audience's input hash: its template context, the templates, versions, date.

    An audience whose context cannot be built gets no hash: it is always rendered, and the
    render reports the problem.

    Args:
        sheet: the fact sheet.
        indices: the audiences to hash.
        previous: the revision the sheet supersedes, if any.
        templates: ``templates_digest`` of the template search path.
        date: the Date the ``.eml`` carries.
        checked: the variants must pass the checks (False under ``--allow-errors``): a file
            written without the checks is never taken as an unchanged, checked one.
        env: the Jinja environment the notices render with (an update's context holds the
            subject of the notice it corrects); by default the built-in templates'.
    """
    from notifier.context import build_context

    digest = ContextHasher(shared_digest(sheet, templates=templates, date=date, checked=checked))
    hashes = {}
    for index in indices:
        try:
            context = build_context(sheet, index, previous, env)
        except Exception:  # noqa: BLE001 - rendering it will report the problem properly
            continue
        hashes[sheet.audiences[index].id] = digest(context)
    return hashes


def sheet_digest(sheet: FactSheet, shared: bytes) -> str | None:
    """Return one hash of everything every notice of the sheet is made from: the sheet's text,
    the text of the revision it supersedes, and ``shared`` (``shared_digest``).

    When it equals the one a sheet's manifest records, no context can have changed, and the
    audiences' input hashes are those the manifest records: a sheet that did not change is
    skipped without building a single context. None when the sheet's text is unknown (a
    sheet built in Python) or its earlier revision cannot be read.
    """
    if sheet.source is None or not sheet.source.text:
        return None
    h = hashlib.sha256(shared)
    texts = [sheet.source.text.encode("utf-8")]
    if sheet.supersedes is not None:
        try:
            texts.append((Path(sheet.source.path).parent / sheet.supersedes.sheet).read_bytes())
        except OSError:
            return None
    for text in texts:
        h.update(len(text).to_bytes(8, "big"))
        h.update(text)
    return h.hexdigest()


def files_by_audience(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Return each audience's files in a manifest (computed once per sheet, not per audience)."""
    found: dict[str, set[str]] = {}
    for rel, entry in manifest["files"].items():
        if isinstance(entry, dict):
            found.setdefault(str(entry.get("audience")), set()).add(rel)
    return found


def unchanged(folder: Path, manifest: dict[str, Any], audience_id: str, notice: str,
              digest: str | None, by_audience: dict[str, set[str]] | None = None,
              digests: FileDigests | None = None) -> Skipped | None:
    """Return a Skipped record if the manifest's hash is ``digest`` and the files are intact.

    ``by_audience`` is ``files_by_audience(manifest)``, when the caller has it; ``digests``
    knows the bytes of files unchanged since it last saw them (``cache.FileDigests``).
    """
    from notifier.outbox import file_names

    entry = (manifest.get("audiences") or {}).get(audience_id)
    if digest is None or not isinstance(entry, dict) or entry.get("inputs") != digest \
            or entry.get("notice") != notice:
        return None
    files = manifest["files"]
    names = file_names(audience_id, notice)
    if by_audience is None:
        by_audience = files_by_audience(manifest)
    if by_audience.get(audience_id, set()) != set(names):
        return None
    for rel in names:
        try:
            found = (digests.sha256(rel) if digests is not None
                     else hashlib.sha256((folder / rel).read_bytes()).hexdigest())
        except OSError:
            return None
        if found != files[rel].get("sha256"):
            return None
    first = files[names[0]]
    return Skipped(audience_id, notice, str(first.get("subject", "")),
                   str(first.get("preheader", "")))
