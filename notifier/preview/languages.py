"""The preview's language switch: each notice rendered in the other languages its sheet has
text for, so that an author can read every translation before sending.

Only a sheet that maps its text to other locales (notifier.sheettext) gets alternates, and
only in those locales: a one-language sheet costs nothing more per rebuild.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.model import FactSheet
    from notifier.render import RenderedNotice


def sheet_locales(sheet: FactSheet) -> list[str]:
    """Return the locales the sheet's text is mapped to, and that notices can be written in."""
    from notifier import i18n, sheettext
    from notifier.sheet import _text_field

    source = sheet.source
    if source is None:
        return []
    found = [k for _loc, texts in sheettext.locale_maps(source.data, _text_field) for k in texts]
    return [loc for loc in dict.fromkeys(found) if i18n.supported(loc)]


def alternates(sheet: FactSheet, env: Environment | None) -> dict[tuple[str, str], RenderedNotice]:
    """Return (audience id, locale) -> the audience's notice in that locale, for each other
    locale the sheet has text for (one that render refuses is left out)."""
    from notifier.errors import RenderRefused
    from notifier.render import render_notice

    out: dict[tuple[str, str], RenderedNotice] = {}
    for locale in sheet_locales(sheet):
        variant = sheet.in_language(locale)
        for index, audience in enumerate(sheet.audiences):
            if audience.locale == locale:
                continue
            audiences = list(variant.audiences)
            audiences[index] = audiences[index].model_copy(update={"locale": locale})
            copy = variant.model_copy(update={"audiences": audiences})
            copy._variants = None  # its text is in ``locale`` already
            try:
                out[(audience.id, locale)] = render_notice(copy, index, env)
            except RenderRefused:
                continue
    return out
