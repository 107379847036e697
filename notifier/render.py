"""Render notices: facts to a typed context, then subject, preheader, HTML and text. Pure."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError

from notifier import htmlmail
from notifier.advice import PASSWORD_CATEGORIES
from notifier.blocks import REVIEWED, Block, extract, flatten
from notifier.context import build_context, render_copy
from notifier.errors import Problem, RenderRefused
from notifier.model import Audience, FactSheet
from notifier.regulators import first_regulator
from notifier.sheet import load_previous as load_previous
from notifier.templating import builtin_templates, make_environment

#: Plain-text emails are wrapped to this many columns; URLs are never broken.
TEXT_WIDTH = 78


@dataclass(frozen=True)
class RenderedNotice:
    """One audience's notice, ready to write or send."""

    sheet_id: str
    audience_id: str
    notice: str
    subject: str
    preheader: str
    html: str
    text: str
    locale: str
    templates: tuple[str, str]  # (html template, text template)
    sender: tuple[str, str] = ("", "")  # (name, email)
    reply_to: str | None = None
    #: The element blocks each part emitted, in order (see notifier.blocks).
    blocks: tuple[Block, ...] = ()
    #: The reviewed wording of the sentences the blocks carry, for these facts: the built-in
    #: _copy.j2's, whatever templates rendered the notice (name -> text; empty ones left out).
    wording: dict[str, str] = field(default_factory=dict)
    #: The rules of the error findings a draft was written with (--allow-errors); () when checked.
    draft: tuple[str, ...] = ()
    #: The rules a waiver in the sheet covers for this notice.
    waived: tuple[str, ...] = ()
    #: Built-in sentences the locale's catalogs do not translate (the English source was
    #: used): ``check`` refuses the notice (notifier.checks.language).
    untranslated: tuple[str, ...] = ()


@dataclass
class RenderResult:
    """Everything a sheet rendered, and the audiences refused with the reasons."""

    sheet: FactSheet
    notices: list[RenderedNotice] = field(default_factory=list)
    refused: dict[str, RenderRefused] = field(default_factory=dict)


#: (message, hint, field under the audience) of one reason not to send a notice.
Refusal = tuple[str, str, str]
#: A notice kind's own rule: (sheet, audience, its data, "audience 'id'") -> (message, hint)s.
KindRule = Callable[["FactSheet", "Audience", list[str], str], list[tuple[str, str]]]


def refusals(sheet: FactSheet, index: int) -> list[Problem]:
    """Return why audience ``index``'s notice must not be sent, or nothing if it may be."""
    audience = sheet.audiences[index]
    data = sheet.audience_reached(audience)  # what may have been involved counts too
    who = f"audience {audience.id!r}"
    path, line, col = sheet.where(("audiences", index, "notice"))
    found: list[Refusal] = []
    rule = _KIND_REFUSALS.get(audience.notice)
    if rule is not None:
        found += [(message, hint, "notice") for message, hint in rule(sheet, audience, data, who)]
    if {"US-CA", "US-MA"} <= set(audience.jurisdictions):
        found.append((f"{who} covers both US-CA and US-MA, whose laws ask for opposite things "
                      "(California: describe what happened; Massachusetts: do not)",
                      "split it into one audience for US-CA and one for US-MA (cross rule "
                      "x.ma_variant)", "jurisdictions"))
    return [Problem(path, line, col, f"audiences.{index}.{field}", message, hint)
            for message, hint, field in found]


def _no_action_refusals(sheet: FactSheet, audience: Audience, data: list[str],
                        who: str) -> list[tuple[str, str]]:
    found = []
    vocab = sheet.vocabulary
    needs = vocab.calls_for_action(data) or vocab.combined_action(data)
    if needs:
        found.append((f"{who} cannot be told 'no action needed': its data includes "
                      f"{', '.join(needs)}, which readers must act on",
                      "use notice: incident (or password_reset where passwords are involved)"))
    if sheet.incident.misuse != "none_known":
        found.append((f"{who} cannot be told 'no action needed' when misuse of the data is "
                      f"{sheet.incident.misuse}", "use notice: incident"))
    return found


def _service_refusals(sheet: FactSheet, audience: Audience, data: list[str],
                      who: str) -> list[tuple[str, str]]:
    found = []
    if not sheet.incident.services:
        found.append((f"{who} gets a service_disruption notice but incident.services lists no "
                      "service", "add the affected services under incident.services"))
    if data:
        found.append((f"{who} gets a service_disruption notice but its data is involved "
                      f"({', '.join(data)}); a service notice must not stand in for a breach "
                      "notice", "use notice: incident for this audience, or give it "
                      "`data_involved: []`"))
    return found


def _update_refusals(sheet: FactSheet, audience: Audience, data: list[str],
                     who: str) -> list[tuple[str, str]]:
    if sheet.supersedes is not None:
        return []
    return [(f"{who} gets an update notice but the sheet has no `supersedes`",
             "add `supersedes: {sheet: <earlier revision>.yaml, sent_at: <when it went out>}` "
             "at the top level")]


def _staff_refusals(sheet: FactSheet, audience: Audience, data: list[str],
                    who: str) -> list[tuple[str, str]]:
    if sheet.staff is not None:
        return []
    return [(f"{who} gets a staff_notice but the sheet has no `staff` section",
             "add `staff:` with customer_line, press_office and help (see docs/fact-sheet.md)")]


def _regulator_refusals(sheet: FactSheet, audience: Audience, data: list[str],
                        who: str) -> list[tuple[str, str]]:
    found = []
    if first_regulator(audience.jurisdictions) is None:
        found.append((f"{who} gets a regulator_report but none of its jurisdictions "
                      f"({', '.join(audience.jurisdictions) or 'none'}) has a supervisory "
                      "authority this tool drafts for",
                      "set jurisdictions to GB, an EU/EEA code, SG, AU or CA"))
    if sheet.organisation.privacy_contact is None:
        found.append(("a regulator report needs a contact point, and "
                      "organisation.privacy_contact is missing",
                      "add organisation.privacy_contact (name and email of the DPO)"))
    return found


def _password_refusals(sheet: FactSheet, audience: Audience, data: list[str],
                       who: str) -> list[tuple[str, str]]:
    if PASSWORD_CATEGORIES & set(data) or audience.precautionary_reset:
        return []
    return [(f"{who} gets a password_reset notice but no password data is involved for it",
             "use notice: incident, or add `precautionary_reset: true` to the audience if the "
             "reset is a precaution")]


#: Per notice kind, what the facts must allow for it to be sent.
_KIND_REFUSALS: dict[str, KindRule] = {
    "no_action_needed": _no_action_refusals, "service_disruption": _service_refusals,
    "update": _update_refusals, "staff_notice": _staff_refusals,
    "regulator_report": _regulator_refusals, "password_reset": _password_refusals,
}


def _fill(words_text: str, indent: str, hang: str, width: int) -> list[str]:
    """Greedy fill at word boundaries; a word longer than the line (a URL) gets its own line.

    The same lines as ``textwrap.wrap(..., break_long_words=False, break_on_hyphens=False)``
    for single-spaced text, at a fifth of the cost.
    """
    # Split at ordinary spaces only: a no-break space (French '\u00a0:', a number's
    # '6\u202f500') holds its words together.
    words = [w for w in re.split(r"[ \t]+", words_text) if w]
    lines: list[str] = []
    current = indent + words[0] if words else indent
    for word in words[1:]:
        if len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = hang + word
    lines.append(current)
    return lines


def _wrap(text: str, width: int = TEXT_WIDTH) -> str:
    """Wrap each line to ``width`` columns; list items get a hanging indent; URLs stay whole."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line.rstrip())
            continue
        stripped = line.lstrip(" ")
        indent = line[: len(line) - len(stripped)]
        hang = indent
        for bullet in ("- ", "* ", "  "):
            if stripped.startswith(bullet):
                hang = indent + " " * len(bullet)
                break
        out.extend(_fill(stripped, indent, hang, width))
    # Optional sections leave blank runs behind: one blank line between blocks, one final newline.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n") + "\n"


def _one_line(text: str) -> str:
    """Return text on one line: runs of spaces, tabs and newlines made one space (a no-break
    space, U+00A0 or U+202F, is kept: French typography puts one before ':' and ';')."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def _refuse_untranslated(sheet: FactSheet, index: int, env: Environment) -> None:
    """Refuse an audience whose language no catalog speaks, when the wording would come from
    the built-ins: its ``<html lang>`` would claim a language the text is not in."""
    from notifier import i18n

    audience = sheet.audiences[index]
    if i18n.supported(audience.locale):
        return
    if _copy_is_builtin(env):
        path, line, col = sheet.where(("audiences", index, "locale"))
        languages = ", ".join(i18n.SHIPPED)
        raise RenderRefused([Problem(
            path, line, col, f"audiences.{index}.locale",
            f"audience {audience.id!r} reads {audience.locale}, and the built-in wording has no "
            f"catalog for that language", f"use one of {languages}, add a catalog "
            "(docs/languages.md), or render with --templates pointing at a translated _copy.j2")])


_builtin_env: Environment | None = None
#: Per environment, what every render with it reads the same: whether its _copy.j2 is the
#: built-in one (a path resolved on disk) and the text of email.css (a file read). Kept as
#: long as the environment, whose templates are kept as long (``auto_reload=False``).
_COPY_IS_BUILTIN: weakref.WeakKeyDictionary[Environment, bool] = weakref.WeakKeyDictionary()
_CSS: weakref.WeakKeyDictionary[Environment, str] = weakref.WeakKeyDictionary()


def _copy_is_builtin(env: Environment) -> bool:
    """Whether ``env`` finds the built-in ``_copy.j2`` (no team override of the wording)."""
    found = _COPY_IS_BUILTIN.get(env)
    if found is None:
        source = env.get_template("_copy.j2").filename or ""
        found = _COPY_IS_BUILTIN[env] = Path(source).resolve().is_relative_to(
            builtin_templates().resolve())
    return found


def _email_css(env: Environment) -> str:
    """The CSS the inliner puts into every notice's HTML (``email.css`` on the search path)."""
    found = _CSS.get(env)
    if found is None:
        found = _CSS[env] = env.loader.get_source(env, "email.css")[0] if env.loader else ""
    return found


def _reviewed_wording(env: Environment, ctx: dict[str, Any]) -> dict[str, str]:
    """Return the built-in wording of every reviewed sentence for this context.

    With the built-in ``_copy.j2`` this is the wording the templates used; with a team's
    override, the built-in file is rendered beside it, so that the checks can tell a reviewed
    sentence from one a team rewrote.
    """
    global _builtin_env
    copy = ctx["copy"]
    if not _copy_is_builtin(env):
        if _builtin_env is None:
            _builtin_env = make_environment()
        copy = render_copy(_builtin_env, ctx)
    return {key: flatten(text) for key in REVIEWED
            if key in copy and (text := copy[key]).strip()}


def render_notice(sheet: FactSheet, index: int, env: Environment | None = None,
                  previous: FactSheet | None = None, *,
                  context: dict[str, Any] | None = None) -> RenderedNotice:
    """Render audience ``index``'s notice.

    ``context`` is ``build_context(sheet, index, previous, env)`` when the caller has built
    it already (a batch hashes it first, to know whether the notice changed).

    Raises:
        RenderRefused: the notice would contradict the facts, or the output is unsafe.
    """
    # the sheet's own text in the reader's language, where it gives one (notifier.sheettext)
    sheet = sheet.in_language(sheet.audiences[index].locale)
    problems = refusals(sheet, index)
    if problems:
        raise RenderRefused(problems)
    env = env or make_environment()
    audience = sheet.audiences[index]
    _refuse_untranslated(sheet, index, env)
    if audience.notice == "update" and previous is None:
        # Never render an update without the revision it corrects: it would name no date.
        previous = load_previous(sheet)
    ctx = build_context(sheet, index, previous, env) if context is None else dict(context)
    html_name, text_name = f"{audience.notice}.mjml.j2", f"{audience.notice}.txt.j2"
    try:
        ctx["copy"] = render_copy(env, ctx)
        # runs of ordinary white space only: a French no-break space before ':' stays
        ctx["subject"] = _one_line(ctx["copy"]["subject"])
        ctx["preheader"] = _one_line(ctx["copy"]["preheader"])
        mjml_source = env.get_template(html_name).render(ctx)
        raw_text = env.get_template(text_name).render(ctx)
        css = _email_css(env)
        wording = _reviewed_wording(env, ctx)
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", 0) or 0
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or html_name
        raise RenderRefused([Problem(
            str(name), lineno, 0, "", f"template error: {exc.message}",
            "fix the template (a name the context lacks, or a syntax error)")]) from None
    try:
        # The blocks come out between MJML and the inliner, which then sees the same HTML
        # as without them.
        raw_html, html_blocks = extract(htmlmail.mjml_to_html(mjml_source, name=html_name), "html")
        raw_text, text_blocks = extract(raw_text, "text")
    except ValueError as exc:
        raise RenderRefused([Problem(html_name, 0, 0, "", f"template error: {exc}",
                                     "close every {% call element(...) %} with {% endcall %}")]
                            ) from None
    html, tree = htmlmail.inline_css_tree(raw_html, css)
    text = _wrap(raw_text)
    sender = ctx["sender"]
    notice = RenderedNotice(
        sheet_id=sheet.id, audience_id=audience.id, notice=audience.notice,
        subject=ctx["subject"], preheader=ctx["preheader"], html=html, text=text,
        locale=audience.locale, templates=(html_name, text_name),
        sender=(sender.name, sender.email), reply_to=sender.reply_to,
        blocks=html_blocks + text_blocks, wording=wording,
        untranslated=tuple(ctx["translator"].missing),
    )
    from notifier.safety import check_rendered

    check_rendered(sheet, notice, tree)
    return notice


def render_sheet(sheet: FactSheet, *, templates: Path | None = None,
                 audiences: list[str] | None = None, notices: list[str] | None = None,
                 env: Environment | None = None) -> RenderResult:
    """Render every audience's notice of a sheet (optionally only some); refusals are collected.

    Args:
        sheet: a validated fact sheet.
        templates: a folder of template overrides searched before the built-in ones.
        audiences: only these audience ids, if given.
        notices: only these notice kinds, if given.
        env: a Jinja environment to reuse (from ``make_environment(templates)``), so that a
            caller rendering again and again (the preview) compiles the templates once.
    """
    env = env or make_environment(templates)
    result = RenderResult(sheet=sheet)
    previous = load_previous(sheet)
    for index, audience in enumerate(sheet.audiences):
        if audiences and audience.id not in audiences:
            continue
        if notices and audience.notice not in notices:
            continue
        try:
            result.notices.append(render_notice(sheet, index, env, previous))
        except RenderRefused as exc:
            result.refused[audience.id] = exc
    return result
