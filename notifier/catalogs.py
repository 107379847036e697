"""The message catalogs' upkeep: extract the built-in wording, update each .po, report gaps.

    python -m notifier.catalogs extract   # notifier/locale/notifier.pot from the sources
    python -m notifier.catalogs update    # extract, then merge the .pot into every .po
    python -m notifier.catalogs check     # what each shipped locale lacks (exit 1 if anything)

The same as ``pybabel extract -F babel.cfg`` and ``pybabel update``, through Babel's API so
that the output is deterministic (no creation date, sorted by source position) and a test
can tell when the .pot is stale. No compile step: ``notifier.i18n`` reads the .po files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from notifier.i18n import DOMAIN, SHIPPED, catalog_dir, chain, is_source, load_catalog

#: The msgids' comments for translators start with this.
COMMENT_TAGS = ("Translators:",)
_FIXED_DATE = datetime(2026, 12, 1)


def _sources() -> Iterator[tuple[str, int, Any, list[str], str | None]]:
    """Yield (file, line, message, comments, context) for every translatable message."""
    from babel.messages.extract import extract_from_dir

    from notifier.templating import builtin_templates

    root = Path(__file__).resolve().parent
    jinja_options = {"extensions": "jinja2.ext.i18n", "trimmed": "true",
                     "newstyle_gettext": "true"}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(builtin_templates()), method_map=[("**.j2", "jinja2")],
            options_map={"**.j2": jinja_options}, keywords={"_": None, "gettext": None,
                                                            "ngettext": (1, 2)},
            comment_tags=COMMENT_TAGS, strip_comment_tags=True):
        yield f"templates/{filename}", lineno, message, comments, context
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map=[("**.py", "python")],
            keywords={"N_": None, "ngettext": (1, 2)},
            comment_tags=COMMENT_TAGS, strip_comment_tags=True):
        yield f"notifier/{filename}", lineno, message, comments, context


#: Messages whose template passes an argument the English does not use, for other languages:
#: ``whose`` is the English possessive ("your patients'"), ``subjects`` the plain noun phrase
#: ("your patients") that French, German, Spanish and Dutch say in their own way. gettext's
#: format check (``msgfmt -c``) allows a translation only the msgid's own arguments, so these
#: are marked ``no-python-format``; tests/test_i18n.py checks their placeholders against the
#: msgid's and these.
EXTRA_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "Security incident at %(org)s involving %(whose)s data": ("subjects",),
    "We have no sign that anyone copied or kept %(whose)s information.": ("subjects",),
}


def _format_flags(catalog: Any) -> Any:
    """Mark the messages of ``EXTRA_ARGUMENTS`` ``no-python-format`` (and not
    ``python-format``, which Babel sets by itself on any msgid with a ``%(name)s``)."""
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if key in EXTRA_ARGUMENTS:
            message.flags.discard("python-format")
            message.flags.add("no-python-format")
    return catalog


def template_catalog() -> Any:
    """Return the .pot as a Babel catalog: every message the templates and code use."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(project="notifier", version="", copyright_holder="the notifier authors",
                      msgid_bugs_address="", creation_date=_FIXED_DATE,
                      revision_date=_FIXED_DATE, fuzzy=False, charset="utf-8")
    for filename, lineno, message, comments, context in _sources():
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context, flags=("python-format",) if "%(" in str(message) else ())
    return _format_flags(catalog)


def _write(catalog: Any, path: Path, **options: Any) -> bool:
    """Write a catalog as .po text; return True when the file changed."""
    from babel.messages.pofile import write_po

    out = BytesIO()
    # no line numbers: an edit elsewhere in a source file leaves the catalogs alone
    write_po(out, catalog, width=100, sort_by_file=True, include_lineno=False, **options)
    data = out.getvalue()
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def pot_path() -> Path:
    """Return where the .pot is kept."""
    return catalog_dir() / f"{DOMAIN}.pot"


def pot_text() -> bytes:
    """Return the .pot as it should be now (for the staleness test)."""
    from babel.messages.pofile import write_po

    out = BytesIO()
    write_po(out, template_catalog(), width=100, sort_by_file=True, include_lineno=False)
    return out.getvalue()


def extract() -> bool:
    """Write notifier/locale/notifier.pot; return True when it changed."""
    return _write(template_catalog(), pot_path())


def update() -> list[str]:
    """Extract, then merge the .pot into every catalog; return the files that changed."""
    from babel.messages.pofile import read_po

    extract()
    template = template_catalog()
    changed = []
    for po in sorted(catalog_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        _format_flags(catalog)
        catalog.revision_date = _FIXED_DATE
        if _write(catalog, po, ignore_obsolete=True, include_previous=True):
            changed.append(str(po))
    return changed


def messages() -> list[str]:
    """Return every msgid of the sources (a plural by its singular)."""
    out = []
    for message in template_catalog():
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple | list) else message.id
            out.append(f"{message.context}\x04{key}" if message.context else key)
    return out


def gaps(locale: str) -> dict[str, list[str]]:
    """Return what ``locale``'s catalogs cannot give (see ``_gaps``; kept per process: the
    catalogs do not change while it runs)."""
    found = _gaps(locale)
    return {"missing": list(found[0]), "fuzzy": list(found[1])}


@cache
def _gaps(locale: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = _find_gaps(locale)
    return tuple(found["missing"]), tuple(found["fuzzy"])


def _find_gaps(locale: str) -> dict[str, list[str]]:
    """Return what ``locale``'s catalogs cannot give: 'missing' msgids (no catalog of its chain
    translates them), and 'fuzzy' ones (marked fuzzy somewhere on the chain, so unused)."""
    if is_source(locale) and not chain(locale):
        return {"missing": [], "fuzzy": []}
    catalogs = [c for c in (load_catalog(n) for n in chain(locale)) if c is not None]
    fuzzy = sorted({m for c in catalogs for m in c.fuzzy})
    if is_source(locale):
        return {"missing": [], "fuzzy": fuzzy}
    from notifier.i18n import source_messages

    missing = [m for m in source_messages()
               if not any(m in c.messages or m in c.plurals for c in catalogs)]
    return {"missing": missing, "fuzzy": fuzzy}


def main(argv: list[str]) -> int:
    """Run the command named in ``argv`` (extract, update, check)."""
    command = argv[0] if argv else "check"
    if command == "extract":
        print(f"{pot_path()}: {'written' if extract() else 'unchanged'}")
        return 0
    if command == "update":
        for path in update():
            print(f"{path}: updated")
        return 0
    if command == "check":
        bad = 0
        for locale in SHIPPED:
            found = gaps(locale)
            for kind in ("missing", "fuzzy"):
                for message in found[kind]:
                    bad += 1
                    print(f"{locale}: {kind}: {message!r}")
        print(f"{bad} gaps" if bad else "every shipped locale is complete")
        return 1 if bad else 0
    print("usage: python -m notifier.catalogs extract|update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
