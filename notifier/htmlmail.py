"""MJML to final email HTML: mjml-python renders, premailer inlines the template's own CSS."""

from __future__ import annotations

import logging
import re
from typing import Any

import mjml

from notifier.errors import Problem, RenderRefused

_STYLE_OPEN = re.compile(r"<style(?=[\s>])")
_IGNORE_ATTR = re.compile(r' data-premailer="ignore"')
_DOCTYPE = "<!doctype html>"


def mjml_to_html(source: str, *, name: str) -> str:
    """Render MJML to HTML with no web fonts (nothing is fetched); refuse unparsable MJML."""
    try:
        return str(mjml.mjml2html(source, fonts={}, disable_comments=True))
    except ValueError as exc:
        # mjml-python reports a byte span; turn it into a line so the template author can look.
        message = str(exc)
        line = 0
        match = re.search(r"at position (\d+)", message)
        if match:
            line = source.encode()[: int(match.group(1))].count(b"\n") + 1
        raise RenderRefused([Problem(name, line, 0, "", f"the rendered MJML does not parse "
                                     f"({message})", "check the template near this line")]) from None


_premailer_cls: Any = None


def inline_css(html: str, css: str) -> str:
    """Inline ``css`` into ``html`` with premailer, keeping MJML's own style blocks as they are.

    MJML's ``<style>`` blocks (resets, responsive media queries with ``!important``, dark
    mode) are marked ``data-premailer="ignore"`` so premailer neither parses nor rewrites
    them, which keeps the mobile layout and costs a third of a full pass. Nothing is fetched.
    """
    global _premailer_cls
    if _premailer_cls is None:
        from premailer import Premailer  # lazy: the import costs about 0.35 s

        _premailer_cls = Premailer
    marked = _STYLE_OPEN.sub('<style data-premailer="ignore"', html)
    out = _premailer_cls(
        marked,
        css_text=css,
        allow_network=False,
        strip_important=False,
        keep_style_tags=True,
        remove_classes=False,
        disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
    ).transform()
    out = _IGNORE_ATTR.sub("", out)
    # premailer drops MJML's lower-case doctype (its check is case-sensitive): put it back.
    if not out.lstrip().lower().startswith("<!doctype"):
        out = _DOCTYPE + "\n" + out
    return out if out.endswith("\n") else out + "\n"


def render_email_html(source: str, css: str, *, name: str) -> str:
    """Return the final email HTML for an MJML document and the CSS to inline into it."""
    return inline_css(mjml_to_html(source, name=name), css)
