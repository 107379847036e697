"""Accessibility and deliverability of a rendered email: language, alt text, tables, contrast, size."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule
from notifier.checks.htmlscan import contrast

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView
    from notifier.render import RenderedNotice

WCAG = "WCAG 2.2"
RULES = {r.id: r for r in (
    Rule("a11y.lang", "error", "`<html lang>` is set to the audience's locale",
         f"{WCAG} SC 3.1.1 Language of Page"),
    Rule("a11y.dir", "error", "`<html dir>` is set (rtl for right-to-left languages)",
         f"{WCAG} SC 1.3.2 Meaningful Sequence; HTML dir attribute"),
    Rule("a11y.img_alt", "error", "every image has alt text", f"{WCAG} SC 1.1.1 Non-text Content"),
    Rule("a11y.layout_table_role", "error",
         'layout tables carry `role="presentation"` (tables with `<th>` or `<caption>` are data)',
         f"{WCAG} SC 1.3.1 Info and Relationships; WAI-ARIA presentation role"),
    Rule("a11y.contrast", "error",
         "visible text has a contrast of at least 4.5:1 with its background (3:1 for large "
         "text: 24 px, or 18.67 px bold), computed from inline styles including the brand colour",
         f"{WCAG} SC 1.4.3 Contrast (Minimum)"),
    Rule("a11y.brand_contrast", "warning",
         "the brand colour has 4.5:1 contrast with white, so templates can use it for text",
         f"{WCAG} SC 1.4.3 Contrast (Minimum)"),
    Rule("a11y.font_size", "error", "no visible body text under 14 px",
         "house rule (issue 6); stricter than California's 10 pt"),
    Rule("a11y.heading_order", "error", "headings do not skip a level going down (h2 then h4)",
         f"{WCAG} SC 1.3.1 Info and Relationships"),
    Rule("deliverability.preheader", "warning", "the preheader is 40 to 120 characters",
         "house rule (issue 6): inbox preview length"),
    Rule("deliverability.size", "error",
         "the whole encoded message (text + HTML, as .eml) is under 102 KB",
         "house rule (issue 6): Gmail clips messages above about 102 KB"),
    Rule("deliverability.text_part", "error",
         "a plain-text part is present and carries every link's URL (and every mailto address)",
         "house rule (issue 6); RFC 2046 multipart/alternative"),
)}

#: Gmail clips a message above about 102 KB; measured on the encoded message, conservatively.
MAX_MESSAGE_BYTES = 102_000
MIN_TEXT_PX = 14.0
PREHEADER_RANGE = (40, 120)
_RTL = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"})


def encoded_message(notice: RenderedNotice) -> bytes:
    """Return the notice as the multipart/alternative email it will be sent as (.eml bytes).

    Built by ``notifier.eml.build_eml``, the same code that writes the ``.eml`` files, with a
    recipient added, so the size measured is the size sent.
    """
    from notifier.eml import build_eml

    return build_eml(notice, date=_EPOCH, to=["reader@example.invalid"])


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _large(px: float, bold: bool) -> bool:
    return px >= 24 or (bold and px >= 18.66)


def _language(view: NoticeView) -> list[Finding]:
    found = []
    scan, locale = view.scan, view.notice.locale
    if not scan.lang:
        found.append(view.finding(RULES["a11y.lang"], "<html> has no lang attribute",
                                  f'set <html lang="{locale}"> (mjml: <mjml lang="...">)'))
    elif scan.lang.lower() != locale.lower():
        found.append(view.finding(RULES["a11y.lang"], f"<html lang> is {scan.lang!r}, not the "
                                  f"audience's locale {locale!r}", f'set lang="{locale}"'))
    want = "rtl" if locale.split("-")[0].lower() in _RTL else "ltr"
    if not scan.dir:
        found.append(view.finding(RULES["a11y.dir"], "<html> has no dir attribute",
                                  f'set dir="{want}" (mjml: <mjml dir="...">)'))
    elif want == "rtl" and scan.dir.lower() != "rtl":
        found.append(view.finding(RULES["a11y.dir"], f"locale {locale!r} is right-to-left but "
                                  f"dir is {scan.dir!r}", 'set dir="rtl"'))
    return found


def _structure(view: NoticeView) -> list[Finding]:
    found = []
    for image in view.scan.images:
        if not (image.get("alt") or "").strip():
            found.append(view.finding(RULES["a11y.img_alt"], f"image {image.get('src')!r} has no "
                                      "alt text", "give it alt text (the logo: the organisation's "
                                      "name)"))
    layout = [t for t in view.scan.tables if not t.get("_data")
              and (t.get("role") or "").lower() not in ("presentation", "none")]
    if layout:
        found.append(view.finding(
            RULES["a11y.layout_table_role"], f"{len(layout)} layout table(s) lack "
            'role="presentation", so screen readers announce rows and columns',
            'add role="presentation" to every layout <table> (in the template or after MJML)'))
    level = 1  # the subject is the page's title, so the first heading may be h2
    for i, heading in enumerate(view.scan.headings):
        if heading.level > level + 1:
            after = f"after h{level}" if i else "as the first heading"
            found.append(view.finding(
                RULES["a11y.heading_order"], f"heading {heading.text!r} is h{heading.level} "
                f"{after}: a level is skipped", f"make it h{level + 1}"))
        level = heading.level
    return found


def _visual(view: NoticeView) -> list[Finding]:
    found = []
    worst: dict[tuple[str, str], tuple[float, str, float]] = {}
    small: dict[float, str] = {}
    for run in view.scan.runs:
        style = run.style
        ratio = contrast(style.color, style.background)
        need = 3.0 if _large(style.font_px, style.bold) else 4.5
        if ratio < need:
            worst.setdefault((style.color, style.background), (ratio, run.text.strip(), need))
        if style.font_px < MIN_TEXT_PX:
            small.setdefault(round(style.font_px, 2), run.text.strip())
    for (fg, bg), (ratio, sample, need) in worst.items():
        found.append(view.finding(
            RULES["a11y.contrast"], f"text in {fg} on {bg} has a contrast of {ratio:.2f}:1, below "
            f"{need}:1 (e.g. {sample[:40]!r})", "darken the text or lighten the background in the "
            "template (or choose a darker brand colour)"))
    for px, sample in sorted(small.items()):
        found.append(view.finding(
            RULES["a11y.font_size"], f"text is {px:g} px, under {MIN_TEXT_PX:g} px "
            f"(e.g. {sample[:40]!r})", f"set font-size to at least {MIN_TEXT_PX:g}px in the "
            "template"))
    brand = view.sheet.organisation.brand
    if brand and brand.color and contrast(brand.color, "#ffffff") < 4.5:
        found.append(view.finding(
            RULES["a11y.brand_contrast"], f"brand colour {brand.color} has a contrast of "
            f"{contrast(brand.color, '#ffffff'):.2f}:1 with white: too light for text or links",
            "use a darker shade of the brand colour in organisation.brand.color"))
    return found


def _deliverability(view: NoticeView) -> list[Finding]:
    found = []
    notice = view.notice
    low, high = PREHEADER_RANGE
    if not low <= len(notice.preheader) <= high:
        found.append(view.finding(
            RULES["deliverability.preheader"], f"the preheader is {len(notice.preheader)} "
            f"characters; inboxes show {low} to {high}", "rewrite the preheader in _copy.j2"))
    size = len(encoded_message(notice))
    if size >= MAX_MESSAGE_BYTES:
        found.append(view.finding(
            RULES["deliverability.size"], f"the encoded message is {size:,} bytes; Gmail clips "
            f"above {MAX_MESSAGE_BYTES:,}", "shorten the notice or its markup"))
    if not notice.text.strip():
        found.append(view.finding(RULES["deliverability.text_part"], "the plain-text part is "
                                  "empty", "render the .txt.j2 template for this notice"))
        return found
    phones = _phone_digits(notice.text)
    for link in view.scan.links:
        if link.href.lower().startswith("tel:"):
            # A tel: link holds digits only; the text shows the number as people write it
            # ('0800 555 0142', '1-888-555-0175'), so the digits are compared.
            digits = _digits(link.href[4:])
            if digits and digits not in phones:
                found.append(view.finding(
                    RULES["deliverability.text_part"], f"the plain-text part lacks the phone "
                    f"number {link.text!r}, which the HTML links to", "write the number in the "
                    ".txt.j2 template next to the link text"))
            continue
        target = re.sub(r"^mailto:", "", link.href, flags=re.I).split("?")[0]
        if target and target not in notice.text:
            found.append(view.finding(
                RULES["deliverability.text_part"], f"the plain-text part lacks {target!r}, which "
                f"the HTML links to (as {link.text!r})", "write the full address in the .txt.j2 "
                "template next to the link text"))
    return found


#: A phone number as people write it: digits with spaces, dashes, dots, brackets, a leading +.
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().\-/]{4,}\d")


def _digits(number: str) -> str:
    """Return a number's digits, keeping a leading + (international form)."""
    number = number.strip()
    return ("+" if number.startswith("+") else "") + "".join(c for c in number if c.isdigit())


def _phone_digits(text: str) -> set[str]:
    """Return the digits of every phone-number-like run in ``text``."""
    return {_digits(m.group(0)) for m in _PHONE_RUN.finditer(text)}


def check(view: NoticeView) -> list[Finding]:
    """Return the accessibility and deliverability findings for one rendered notice."""
    return _language(view) + _structure(view) + _visual(view) + _deliverability(view)
