"""The preview's language switch: each notice rendered in the other languages its sheet has
text for, so that an author can read every translation before sending.

Only a sheet that maps its text to other locales (notifier.sheettext) gets alternates, and
only in those locales: a one-language sheet costs nothing more per rebuild. An alternate is
rendered when its page is first asked for, like every other preview route
(``pages.Routes``), so a rebuild still publishes the notice on screen first.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from notifier.memo import audience_index

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.model import Audience, FactSheet
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


class Alternates:
    """One loaded sheet's notices in its other languages, each rendered once, when first asked.

    Args:
        sheet: the sheet as loaded (its text in every language it maps).
        env: the Jinja environment its notices render with (None: the built-in templates').
        earlier: the revision the sheet supersedes, for an update notice.
    """

    def __init__(self, sheet: FactSheet, env: Environment | None,
                 earlier: FactSheet | None = None) -> None:
        self.sheet = sheet
        self.env = env
        self.earlier = earlier
        self.locales = sheet_locales(sheet)
        self._made: dict[tuple[str, str], RenderedNotice | str] = {}
        self._lock = threading.Lock()  # request threads ask at once (a page's light and dark)

    def locales_for(self, audience: Audience) -> list[str]:
        """Return the locales the switch offers for an audience: all but its own."""
        return sorted(loc for loc in self.locales if loc != audience.locale)

    def notice(self, audience_id: str, locale: str) -> RenderedNotice | str:
        """Return the audience's notice in ``locale``, or why render refuses it there."""
        with self._lock:
            key = (audience_id, locale)
            if key not in self._made:
                self._made[key] = self._render(audience_id, locale)
            return self._made[key]

    def _render(self, audience_id: str, locale: str) -> RenderedNotice | str:
        from notifier.errors import RenderRefused
        from notifier.render import render_notice

        index = audience_index(self.sheet, audience_id)
        if index is None or locale not in self.locales:
            return f"the sheet has no audience {audience_id!r} with text in {locale}"
        variant = self.sheet.in_language(locale)
        audiences = list(variant.audiences)
        audiences[index] = audiences[index].model_copy(update={"locale": locale})
        copy = variant.model_copy(update={"audiences": audiences})
        copy._variants = None  # its text is in ``locale`` already
        try:
            return render_notice(copy, index, self.env, self.earlier)
        except RenderRefused as exc:
            return "\n".join(str(p) for p in exc.problems)
