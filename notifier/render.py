"""Render notices: facts to a typed context, then subject, preheader, HTML and text. Pure."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError
from jinja2.runtime import Macro

from notifier import advice as advice_table
from notifier.errors import Problem, RenderRefused
from notifier.htmlmail import render_email_html
from notifier.model import FactSheet
from notifier.templating import make_environment

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


@dataclass
class RenderResult:
    """Everything a sheet rendered, and the audiences refused with the reasons."""

    sheet: FactSheet
    notices: list[RenderedNotice] = field(default_factory=list)
    refused: dict[str, RenderRefused] = field(default_factory=dict)


def format_date(moment: datetime, locale: str) -> str:
    """Format a date the way readers of ``locale`` write it, in the timestamp's own zone."""
    if locale.lower().startswith("en-us"):
        return f"{moment:%B} {moment.day}, {moment.year}"
    return f"{moment.day} {moment:%B %Y}"


def _position(sheet: FactSheet, loc: tuple[str | int, ...]) -> tuple[str, int, int]:
    source = sheet.source
    if source is None:
        return ("<sheet>", 0, 0)
    line, col = source.position(loc)
    return (source.path, line, col)


def refusals(sheet: FactSheet, index: int) -> list[Problem]:
    """Return why audience ``index``'s notice must not be sent, or nothing if it may be."""
    audience = sheet.audiences[index]
    data = sheet.audience_data(audience)
    loc = ("audiences", index, "notice")
    path, line, col = _position(sheet, loc)
    field_name = ".".join(str(p) for p in loc)
    problems = []
    if audience.notice == "no_action_needed":
        needs = advice_table.calls_for_action(data)
        if needs:
            problems.append(Problem(
                path, line, col, field_name,
                f"audience {audience.id!r} cannot be told 'no action needed': its data includes "
                f"{', '.join(needs)}, which readers must act on",
                "use notice: incident (or password_reset where passwords are involved)"))
        if sheet.incident.misuse == "confirmed":
            problems.append(Problem(
                path, line, col, field_name,
                f"audience {audience.id!r} cannot be told 'no action needed' when misuse of the "
                "data is confirmed", "use notice: incident"))
    if audience.notice == "password_reset" and not (
            advice_table.PASSWORD_CATEGORIES & set(data)) and not audience.precautionary_reset:
        problems.append(Problem(
            path, line, col, field_name,
            f"audience {audience.id!r} gets a password_reset notice but no password data is "
            "involved for it",
            "use notice: incident, or add `precautionary_reset: true` to the audience if the "
            "reset is a precaution"))
    return problems


def build_context(sheet: FactSheet, index: int) -> dict[str, Any]:
    """Return the template context for audience ``index``: facts plus what follows from them."""
    audience = sheet.audiences[index]
    incident = sheet.incident
    org = sheet.organisation
    data = sheet.audience_data(audience)
    advice = advice_table.advice_for(data, precautionary_reset=audience.precautionary_reset)
    password_data = [c for c in data if c in advice_table.PASSWORD_CATEGORIES]
    occurred = incident.occurred
    return {
        "notice": audience.notice,
        "org": org,
        "incident": incident,
        "audience": audience,
        "locale": audience.locale,
        "lang": audience.locale,
        "involved": advice_table.labels(data),
        "not_involved": advice_table.absent_labels(incident.data_not_involved),
        "advice": advice,
        "other_advice": [a for a in advice if a.id not in advice_table.PASSWORD_ADVICE],
        "password": {
            "involved": bool(password_data),
            "plaintext": "password_plaintext" in password_data,
            "protection": incident.password_protection,
            "precautionary": audience.precautionary_reset and not password_data,
        },
        "discovered": format_date(incident.discovered_at, audience.locale),
        "occurred_from": format_date(occurred.start, audience.locale) if occurred else "",
        "occurred_to": format_date(occurred.end, audience.locale) if occurred and occurred.end else "",
        "authorities": [a.name for a in incident.authorities],
        "signatory": org.signatory,
        "brand_color": (org.brand.color if org.brand and org.brand.color else "#1f3a5f"),
        "logo": (org.brand.logo if org.brand else None),
    }


def render_copy(env: Environment, ctx: dict[str, Any]) -> dict[str, str]:
    """Return every sentence macro of ``_copy.j2`` rendered as plain text, by macro name.

    The wording is rendered here, once, without escaping, and handed to the templates as
    ``copy``. HTML templates then escape it like any other value. Calling the macros from
    an autoescaping template instead would wrap their unescaped output as ``Markup``, so
    fact-sheet text like ``<b>`` would reach the HTML raw (Jinja marks a macro's result
    safe by the caller's autoescape setting, not by whether it escaped).
    """
    module = env.get_template("_copy.j2").make_module(ctx)
    return {name: str(macro()) for name, macro in sorted(vars(module).items())
            if isinstance(macro, Macro)}


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
        out.extend(textwrap.wrap(line, width=width, subsequent_indent=hang,
                                 break_long_words=False, break_on_hyphens=False) or [""])
    # Optional sections leave blank runs behind: one blank line between blocks, one final newline.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n") + "\n"


def render_notice(sheet: FactSheet, index: int, env: Environment | None = None) -> RenderedNotice:
    """Render audience ``index``'s notice.

    Raises:
        RenderRefused: the notice would contradict the facts, or the output is unsafe.
    """
    problems = refusals(sheet, index)
    if problems:
        raise RenderRefused(problems)
    env = env or make_environment()
    audience = sheet.audiences[index]
    ctx = build_context(sheet, index)
    html_name, text_name = f"{audience.notice}.mjml.j2", f"{audience.notice}.txt.j2"
    try:
        ctx["copy"] = render_copy(env, ctx)
        ctx["subject"] = " ".join(ctx["copy"]["subject"].split())
        ctx["preheader"] = " ".join(ctx["copy"]["preheader"].split())
        mjml_source = env.get_template(html_name).render(ctx)
        text = _wrap(env.get_template(text_name).render(ctx))
        css = env.loader.get_source(env, "email.css")[0] if env.loader else ""
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", 0) or 0
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or html_name
        raise RenderRefused([Problem(str(name), lineno, 0, "", f"template error: {exc.message}",
                                     "fix the template (a name the context lacks, or a syntax error)")]) from None
    html = render_email_html(mjml_source, css, name=html_name)
    org = sheet.organisation
    notice = RenderedNotice(
        sheet_id=sheet.id, audience_id=audience.id, notice=audience.notice,
        subject=ctx["subject"], preheader=ctx["preheader"], html=html, text=text,
        locale=audience.locale, templates=(html_name, text_name),
        sender=(org.sender.name, org.sender.email), reply_to=org.reply_to,
    )
    from notifier.safety import check_rendered

    check_rendered(sheet, notice)
    return notice


def render_sheet(sheet: FactSheet, *, templates: Path | None = None,
                 audiences: list[str] | None = None, notices: list[str] | None = None) -> RenderResult:
    """Render every audience's notice of a sheet (optionally only some); refusals are collected.

    Args:
        sheet: a validated fact sheet.
        templates: a folder of template overrides searched before the built-in ones.
        audiences: only these audience ids, if given.
        notices: only these notice kinds, if given.
    """
    env = make_environment(templates)
    result = RenderResult(sheet=sheet)
    for index, audience in enumerate(sheet.audiences):
        if audiences and audience.id not in audiences:
            continue
        if notices and audience.notice not in notices:
            continue
        try:
            result.notices.append(render_notice(sheet, index, env))
        except RenderRefused as exc:
            result.refused[audience.id] = exc
    return result
