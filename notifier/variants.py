"""Notice variants for a merge: each (audience, categories, locale, named) rendered and gated once.

A recipient's notice must be exactly as true as their audience's, so each distinct variant
goes through the normal render and the same gate as ``render`` (a refused variant refuses
its rows, with the reason). Per-recipient values are not rendered: the variant is rendered
with tokens where they go, and ``mailmerge`` substitutes each recipient's escaped values
into the pieces between the tokens, never running Jinja, MJML or premailer again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from notifier.errors import Problem, RenderRefused

if TYPE_CHECKING:
    from jinja2 import Environment

    from notifier.model import FactSheet
    from notifier.recipients import Recipient
    from notifier.render import RenderedNotice

#: Stand-ins rendered where per-recipient values go: letters and digits only, so that
#: escaping, MJML, the inliner and the text wrapper keep them whole and unchanged.
NAME = "Qzrcptname0zQ"
CODE = "Qzrcptcode0zQ"


def field_token(i: int) -> str:
    """Return the stand-in of the i-th declared field."""
    return f"Qzrcptfield{i}zQ"


_TOKEN = re.compile(r"Qzrcpt(name|code|field)(\d+)zQ")


@dataclass(frozen=True)
class VariantKey:
    """What makes two recipients' notices differ beyond their own values."""

    audience: int
    categories: tuple[str, ...] | None  # None: the audience's
    locale: str  # '' : the audience's
    named: bool  # opens with the sheet's recipients.greeting and the name

    @classmethod
    def of(cls, sheet: FactSheet, recipient: Recipient) -> VariantKey:
        """Return the variant a recipient's notice is."""
        greeting = sheet.recipients.greeting if sheet.recipients else None
        locale = recipient.locale
        if locale == sheet.audiences[recipient.audience].locale:
            locale = ""
        return cls(recipient.audience, recipient.categories, locale,
                   bool(recipient.name and greeting))

    def sort_key(self) -> tuple[int, bool, tuple[str, ...], str, bool]:
        """Return a key that orders variants the same way on every run."""
        return (self.audience, self.categories is not None, self.categories or (), self.locale,
                self.named)

    def label(self, sheet: FactSheet) -> str:
        """Say which variant this is, without any recipient data."""
        parts = [f"audience {sheet.audiences[self.audience].id!r}"]
        if self.categories is not None:
            parts.append(f"categories {', '.join(self.categories) or 'none'}")
        if self.locale:
            parts.append(f"locale {self.locale}")
        if self.named:
            parts.append("named")
        return ", ".join(parts)

    def as_dict(self, sheet: FactSheet) -> dict[str, Any]:
        """Return the key as plain data for the summary (ids and codes only)."""
        return {"audience": sheet.audiences[self.audience].id,
                "categories": list(self.categories) if self.categories is not None else None,
                "locale": self.locale or sheet.audiences[self.audience].locale,
                "named": self.named}


#: A piece of a part: literal text, or ("name" | "code" | "field", field index).
Piece = str | tuple[str, int]


@dataclass
class Variant:
    """A rendered, gated variant, split at the tokens, ready to merge."""

    key: VariantKey
    id: str  # short and stable: names templates and counts in the summary
    notice: RenderedNotice
    digest: str  # of the rendered content: names each recipient's Message-ID
    text: list[Piece] = field(default_factory=list)
    html: list[Piece] = field(default_factory=list)
    fields: tuple[str, ...] = ()  # labels of the declared fields this audience shows
    wants_code: bool = False


def derive(sheet: FactSheet, key: VariantKey) -> FactSheet:
    """Return the sheet as this variant's readers are told it: the audience's data limited to
    the recipient's categories (each keeping its certainty), its locale and greeting."""
    audience = sheet.audiences[key.audience]
    update: dict[str, Any] = {}
    if key.categories is not None:
        chosen = set(key.categories)
        update["data_involved"] = [c for c in sheet.audience_data(audience) if c in chosen]
        update["data_possibly_involved"] = [c for c in sheet.audience_possible(audience) if c in chosen]
    if key.locale:
        update["locale"] = key.locale
    if key.named and sheet.recipients and sheet.recipients.greeting:
        update["greeting"] = sheet.recipients.greeting.replace("{name}", NAME)
    if not update:
        return sheet
    audiences = list(sheet.audiences)
    audiences[key.audience] = audience.model_copy(update=update)
    return sheet.model_copy(update={"audiences": audiences})


def render_variant(sheet: FactSheet, key: VariantKey, env: Environment, *,
                   previous: FactSheet | None = None, allow_errors: bool = False) -> Variant:
    """Render and gate one variant, with tokens where each recipient's values go.

    Raises:
        RenderRefused: the notice is refused (it would contradict the facts, or its checks
            find an unwaived error), or its templates do not show a value the merge must.
    """
    from notifier.context import offer_for
    from notifier.gate import admit
    from notifier.render import render_notice

    # the sheet's text in the variant's language: a recipient's own locale reads the sheet's
    # text (its greeting and field labels too) in that language, where the sheet gives it
    sheet = sheet.in_language(key.locale or sheet.audiences[key.audience].locale)
    audience = sheet.audiences[key.audience]
    declared = sheet.recipients.fields if sheet.recipients else []
    shown = [(i, f) for i, f in enumerate(declared) if f.audiences is None or audience.id in f.audiences]
    offer = offer_for(sheet, key.audience)
    wants_code = offer is not None and offer.activation_code == "per_recipient"
    _check_language(sheet, key, [i for i, _f in shown])
    derived = derive(sheet, key)
    env.globals["recipient"] = {
        "activation_code": CODE if wants_code else "",
        "fields": [{"label": f.label, "value": field_token(n)} for n, (_i, f) in enumerate(shown)]}
    try:
        notice = render_notice(derived, key.audience, env, previous)
        notice = admit(derived, key.audience, notice, allow_errors=allow_errors)
    finally:
        del env.globals["recipient"]
    expected = {("code", 0)} if wants_code else set()
    expected |= {("field", n) for n in range(len(shown))}
    if key.named:
        expected.add(("name", 0))
    _check_tokens(sheet, key, notice, expected)
    digest = hashlib.sha256(b"\0".join(s.encode() for s in (
        notice.sheet_id, notice.audience_id, notice.subject, notice.text, notice.html,
        notice.sender[0], notice.sender[1], notice.reply_to or ""))).hexdigest()
    variant_id = f"{audience.id[:40]}-{digest[:10]}"
    return Variant(key, variant_id, notice, digest, split(notice.text), split(notice.html),
                   tuple(f.label for _i, f in shown), wants_code)


def split(text: str) -> list[Piece]:
    """Split a rendered part at the tokens: literal text and (kind, index) pieces."""
    pieces: list[Piece] = []
    last = 0
    for match in _TOKEN.finditer(text):
        pieces.append(text[last:match.start()])
        pieces.append((match.group(1), int(match.group(2))))
        last = match.end()
    pieces.append(text[last:])
    return pieces


def _check_language(sheet: FactSheet, key: VariantKey, shown: list[int]) -> None:
    """Refuse a variant whose greeting or field labels (recipients) have no text in its
    reader's language: the checks' language.sheet_text, for the text only a merge shows."""
    from notifier import sheettext
    from notifier.i18n import language

    source = sheet.source
    declared = source.data.get("recipients") if source is not None else None
    if not isinstance(declared, dict):
        return
    locale = key.locale or sheet.audiences[key.audience].locale
    own = sheettext.sheet_language(source.data)
    texts: list[tuple[tuple[str | int, ...], Any]] = []
    if key.named:
        texts.append((("recipients", "greeting"), declared.get("greeting")))
    found_items = declared.get("fields")
    items: list[Any] = found_items if isinstance(found_items, list) else []
    texts += [(("recipients", "fields", i, "label"), items[i].get("label")) for i in shown
              if i < len(items) and isinstance(items[i], dict)]
    found = []
    for loc, value in texts:
        if isinstance(value, dict):
            gap = sheettext.pick(value, locale) is None
            written = ", ".join(value)
        else:
            gap = isinstance(value, str) and language(own) != language(locale)
            written = own
        if gap:
            where = sheet.where(loc)
            dotted = ".".join(map(str, loc))
            found.append(Problem(where[0], where[1], where[2], dotted,
                                 f"[language.sheet_text] {dotted} is only in {written}, and this "
                                 f"reader reads {locale}",
                                 f"give {dotted} a text for {locale} ({{{written.split(', ')[0]}: "
                                 f"..., {locale}: ...}})"))
    if found:
        raise RenderRefused(found)


def _check_tokens(sheet: FactSheet, key: VariantKey, notice: RenderedNotice,
                  expected: set[tuple[str, int]]) -> None:
    """Refuse a variant whose templates drop a value the merge must show, or put one where it
    cannot go (the subject is the same for every recipient of a variant)."""
    where = sheet.where(("audiences", key.audience, "notice"))
    found = []
    for part, text in (("plain-text", notice.text), ("HTML", notice.html)):
        tokens = {(m.group(1), int(m.group(2))) for m in _TOKEN.finditer(text)}
        for kind, n in sorted(expected - tokens):
            what = {"code": "the activation code", "name": "the recipient's name (recipients."
                    "greeting)"}.get(kind, f"the per-recipient field {n + 1}")
            found.append(f"the {part} part does not show {what}: the templates in use drop it")
    if _TOKEN.search(notice.subject) or _TOKEN.search(notice.preheader):
        found.append("a per-recipient value reached the subject or preheader, which are the same "
                     "for every recipient of a variant")
    if found:
        raise RenderRefused([Problem(where[0], where[1], where[2],
                                     f"audiences.{key.audience}.notice", message,
                                     "use the built-in templates, or templates that show it as "
                                     "they do (_sections: recipient.fields, offer_code_sentence)")
                             for message in found])
