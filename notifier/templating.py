"""The one Jinja environment: template search path, autoescape by file name, StrictUndefined."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup, escape

from notifier.blocks import element
from notifier.cache import template_cache
from notifier.errors import check_overrides
from notifier.i18n import N_


def builtin_templates() -> Path:
    """Return the folder of built-in templates (in a wheel, or templates/ in a checkout)."""
    packaged = resources.files("notifier") / "_templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "templates"


#: The settings that shape compiled templates; the bytecode cache is kept apart per value.
AUTOESCAPE: dict[str, Any] = {"enabled_extensions": ("html", "mjml.j2", "html.j2"),
                              "disabled_extensions": ("txt.j2",), "default_for_string": True,
                              "default": False}
SETTINGS: dict[str, Any] = {"keep_trailing_newline": True, "trim_blocks": True,
                            "lstrip_blocks": True}
def make_environment(overrides: Path | None = None) -> Environment:
    """Build the Jinja environment every render uses.

    A team's ``overrides`` folder comes first on the search path; any template there may
    extend the original as ``{% extends "!builtin/<name>" %}``. HTML and MJML templates
    (``*.mjml.j2``, ``*.html.j2``) autoescape; plain-text ones do not; every undefined
    name is an error. Compiled templates are kept in the user's cache (``notifier.cache``).
    """
    builtin = FileSystemLoader(str(builtin_templates()))
    loaders: list[BaseLoader] = []
    if overrides is not None:
        check_overrides(overrides)
        loaders.append(FileSystemLoader(str(overrides)))
    loaders += [builtin, PrefixLoader({"!builtin": builtin})]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(**AUTOESCAPE),
        undefined=StrictUndefined,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
        **SETTINGS,
    )
    # Every {% trans %} block is one msgid with its white space collapsed; the wording
    # comes from the `gettext` a render passes in its context (notifier.i18n), English
    # source text when none does.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _source_gettext, _source_ngettext, newstyle=True)
    env.bytecode_cache = template_cache(_fingerprint(env))
    env.filters["join_words"] = join_words
    env.filters["tel"] = tel
    env.filters["elements"] = elements
    env.globals["element"] = element
    env.filters["breakable"] = breakable
    env.filters["link_in"] = link_in
    env.filters["capitalize_first"] = capitalize_first
    env.filters["lower_first"] = lower_first
    env.filters["unbroken"] = unbroken
    env.filters["linkify"] = linkify
    return env


def capitalize_first(text: str) -> str:
    """Upper-case a text's first letter and leave the rest alone (Jinja's ``capitalize``
    lower-cases the rest: 'ShopBack' would become 'Shopback')."""
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower-case a text's first letter and leave the rest alone."""
    return text[:1].lower() + text[1:]


def _fingerprint(env: Environment) -> str:
    """Return a digest of every setting that changes compiled code (Jinja's cache key is only
    the template's name and source): delimiters, whitespace control, extensions, the
    undefined type, autoescape's rule, and notifier's version for anything missed here."""
    import notifier

    settings = (
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
        env.newline_sequence, env.keep_trailing_newline, sorted(env.extensions), env.optimized,
        env.undefined.__qualname__, env.finalize is not None, sorted(AUTOESCAPE.items()),
        env.policies.get("ext.i18n.trimmed"), getattr(env, "newstyle_gettext", False),
        notifier.__version__)
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:12]


#: A web or email address in running text: the words a narrow screen may need to break.
_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Where an address may break: after a run of slashes, before other punctuation (so that
#: the next line starts with '.', '-', '?' ... and reads as a continuation).
_BREAK = re.compile(r"(?<=/)(?=[^/])|(?<=[^/])(?=[.\-_?#&=@%~])")


def breakable(text: str) -> Markup:
    """Return ``text``, escaped, with ``<wbr>`` break opportunities inside its web and email
    addresses ('https://<wbr>status<wbr>.example/<wbr>incidents'), so that a long address
    wraps at its punctuation on a narrow screen instead of widening the email. Clients that
    ignore ``word-break`` (Yahoo, Windows Mail) honour ``<wbr>``; copying or following the
    link is unchanged, as ``<wbr>`` is no character."""
    out: list[str] = []
    last = 0
    for match in _ADDRESS.finditer(text):
        out.append(str(escape(text[last:match.start()])))
        pieces = _BREAK.split(match.group())
        out.append("<wbr>".join(str(escape(p)) for p in pieces))
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


#: A web or email address in running text, less the punctuation that ends its sentence.
_LINKABLE = re.compile(r"https://[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))|[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def linkify(text: str) -> Markup:
    """Return ``text``, escaped, with each https address and email address in it made a link
    (``mailto:`` for an email address) whose shown text can break (``breakable``): a reader
    taps the Report Fraud address in the advice, or the enrolment page in the sheet's own
    words, instead of copying it. The link checks judge these links like any other."""
    out: list[str] = []
    last = 0
    for match in _LINKABLE.finditer(text):
        address = match.group()
        href = address if address.startswith("https://") else f"mailto:{address}"
        out.append(str(breakable(text[last:match.start()])))
        out.append(f'<a href="{escape(href)}">{breakable(address)}</a>')
        last = match.end()
    out.append(str(breakable(text[last:])))
    return Markup("".join(out))


def link_in(text: str, target: str | None, href: str | None = None) -> Markup:
    """Return ``text``, escaped, with ``target`` (an address in it) made a link to ``href``
    (``mailto:`` for an email address, the address itself for a web page), so that a
    sentence from ``_copy.j2`` keeps its words and still gives the reader something to tap."""
    if not target or target not in text:
        return Markup(escape(text))
    if href is None:
        href = target if target.startswith("https://") else f"mailto:{target}"
    before, _, after = text.partition(target)
    return Markup(f'{escape(before)}<a href="{escape(href)}">{breakable(target)}</a>'
                  f"{escape(after)}")


@pass_context
def elements(context: Context, ids: str, packs: list[str]) -> str:
    """Return a drafting note saying, in words, what the authority's form asks for at this
    point of the draft (the law elements ``ids`` of the given packs, with their citations),
    for whoever copies the draft into the form, in the notice's language; '' when none of
    them applies."""
    from notifier.law import PACK_NAMES, element

    kept = [i for i in ids.split() if i.split(".", 1)[0] in packs]
    if not kept:
        return ""
    translate = context.get("translator")

    def t(message: str) -> str:
        return str(translate.gettext(message)) if translate is not None else message

    law = {**PACK_NAMES, "gdpr": "UK GDPR" if "uk" in packs else "GDPR"}
    asked = [t(N_("%(asked)s (%(law)s %(citation)s)")) % {
        "asked": t(element(i)["text"]), "law": law[i.split(".", 1)[0]],
        "citation": element(i)["citation"]} for i in kept]
    listed = asked[0]
    for item in asked[1:]:  # a list of phrases, each with its commas: semicolons between
        listed = t(N_("%(list)s; %(item)s")) % {"list": listed, "item": item}
    return t(N_("[Drafting note: the authority asks here for: %(asked)s.]")) % {"asked": listed}


#: What the authority's form asks for, as the legal reference words it (law/requirements.yaml;
#: tests/test_i18n.py keeps the two the same): the element texts the regulator drafts name
#: (``elements``), marked here so that the catalogs translate them.
ELEMENT_TEXTS = {
    "gdpr.art33.reg.dpo_contact": N_("DPO or other contact point"),
    "gdpr.art33.reg.nature": N_("nature incl. categories and approx. number of data subjects "
                                "and records"),
    "gdpr.art33.reg.likely_consequences": N_("likely consequences"),
    "gdpr.art33.reg.measures": N_("measures taken or proposed incl. mitigation"),
    "gdpr.art33.reg.delay_reasons": N_("reasons for the delay"),
    "sg.pdpa.reg5.authorised_rep_contact": N_("contact details of at least one authorised "
                                              "representative"),
    "sg.pdpa.reg5.aware_date_circumstances": N_("date and circumstances in which the "
                                                "organisation first became aware"),
    "sg.pdpa.reg5.how_occurred": N_("how the breach occurred"),
    "sg.pdpa.reg5.number_affected": N_("number of affected individuals (estimate allowed, "
                                       "update later)"),
    "sg.pdpa.reg5.pd_classes": N_("personal data or classes of personal data affected"),
    "sg.pdpa.reg5.potential_harm": N_("potential harm to affected individuals"),
    "sg.pdpa.reg5.chronology": N_("chronological account of steps taken after becoming aware, "
                                  "incl. the s. 26C assessment"),
    "sg.pdpa.reg5.remedial_and_steps": N_("remedial actions and steps individuals may take"),
}


def tel(number: str) -> str:
    """Return a tel: link for a phone number as written ('0800 555 0199' -> 'tel:08005550199'),
    so that a reader on a phone can tap it."""
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


def unbroken(number: str) -> str:
    """Return a phone number as shown in HTML, kept on one line: its spaces non-breaking and
    its hyphens non-breaking hyphens (U+2011), which read and copy as the number does
    ('1-888-555-0142' must not break after '1-')."""
    return number.replace(" ", "\u00a0").replace("-", "\u2011")


@pass_context
def join_words(context: Context, items: list[str], conjunction: str = "and") -> str:
    """Join ['a', 'b', 'c'] as the notice's locale lists them: 'a, b and c' (English, no
    serial comma), 'a, b et c', 'a, b und c' (``conjunction`` 'or': 'a, b ou c')."""
    from notifier.i18n import join

    return join(list(items), str(context.get("locale") or "en-GB"), conjunction)


def _source_gettext(message: str) -> str:
    return message


def _source_ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def gettext_callables(translate: Any) -> dict[str, Any]:
    """Return the context entries a render passes so that ``{% trans %}`` blocks and ``_()``
    speak the translator's locale (``translate``: a ``notifier.i18n.Translator``).

    Jinja's "new style" gettext: the message is looked up, then formatted with its named
    variables (``%(name)s``); in an autoescaping template the translation is trusted like
    the template and the variables are escaped.
    """

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        found: str = translate.gettext(message)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        return found % variables

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int,
                 **variables: Any) -> str:
        variables.setdefault("num", num)
        found: str = translate.ngettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        return found % variables

    @pass_context
    def pgettext(context: Context, ctx_name: str, message: str, **variables: Any) -> str:
        found: str = translate.pgettext(ctx_name, message)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        return found % variables

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "_": gettext}
