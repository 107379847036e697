"""MJML to final email HTML: mjml-python renders, premailer inlines the template's own CSS."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import types
from collections.abc import Iterator
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
#: Parsed rule sets kept by ``_premailer``: the template CSS is the same for every notice.
_RULES_CACHE_SIZE = 16


def _premailer() -> Any:
    """Return a Premailer subclass that parses each distinct CSS text once per process.

    Premailer parses and re-serialises the ``css_text`` on every call (a third of its
    time); the result depends only on that text and on the options, which ``inline_css_tree``
    always passes the same, so it is kept and reused. The HTML output is unchanged.

    The parsed rules of a CSS text with no @-rules are plain (specificity, selector,
    declarations) tuples: they are also kept in the user cache (``notifier.cache``), so that
    a new process (each batch worker) does not parse email.css again (some 25 ms).
    """
    with _requests_on_demand():
        import premailer
        from premailer import Premailer  # lazy: the import costs about 0.35 s

    version = getattr(premailer, "__version__", "")

    class CachingPremailer(Premailer):  # type: ignore[misc]
        _rules: dict[tuple[str, int], tuple[list[Any], list[Any]]] = {}

        def _parse_style_rules(self, css_body: str, ruleset_index: int) -> tuple[list[Any], list[Any]]:
            key = (css_body, ruleset_index)
            found = self._rules.get(key)
            if found is None:
                found = _stored_rules(css_body, ruleset_index, version)
            if found is None:
                found = super()._parse_style_rules(css_body, ruleset_index)
                _store_rules(css_body, ruleset_index, version, found)
            if key not in self._rules:
                if len(self._rules) >= _RULES_CACHE_SIZE:
                    self._rules.clear()
                self._rules[key] = found
            # Fresh lists: premailer extends and reads them, never changes the rules inside.
            return list(found[0]), list(found[1])

    return CachingPremailer


def _rules_key(css_body: str, ruleset_index: int, version: str) -> bytes:
    # The options inline_css_tree passes that shape the rules.
    return (f"premailer {version}\0{ruleset_index}\0strip_important=False\0"
            f"disable_validation=True\0{css_body}").encode()


def _stored_rules(css_body: str, ruleset_index: int,
                  version: str) -> tuple[list[Any], list[Any]] | None:
    from notifier import cache as user_cache

    kept = user_cache.load_pickle("premailer-rules", _rules_key(css_body, ruleset_index, version))
    if isinstance(kept, list) and all(isinstance(rule, tuple) for rule in kept):
        return kept, []
    return None


def _store_rules(css_body: str, ruleset_index: int, version: str,
                 found: tuple[list[Any], list[Any]]) -> None:
    rules, leftover = found
    plain = all(isinstance(r, tuple) and all(isinstance(x, str | int | tuple) for x in r)
                for r in rules)
    if not leftover and plain:  # @media and the like are cssutils objects: not kept
        from notifier import cache as user_cache

        user_cache.store_pickle("premailer-rules", _rules_key(css_body, ruleset_index, version),
                                list(rules))


class _OnDemand(types.ModuleType):
    """Stands in for ``requests`` in premailer's globals, importing it on first real use."""

    def __getattr__(self, name: str) -> Any:
        import requests

        return getattr(requests, name)


@contextlib.contextmanager
def _requests_on_demand() -> Iterator[None]:
    """Import premailer without importing requests (and urllib3, chardet ...), a sixth of a
    render's start-up: premailer imports it at its top but only fetches with it, and we
    never let it fetch (``allow_network=False``). While premailer is imported, ``requests``
    in ``sys.modules`` is a stand-in that imports the real one if anything ever uses it;
    afterwards it is gone, so any other ``import requests`` gets the real module."""
    if "requests" in sys.modules:
        yield
        return
    stand_in = _OnDemand("requests")
    sys.modules["requests"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]


def inline_css_tree(html: str, css: str) -> tuple[str, Any]:
    """Inline ``css`` into ``html`` with premailer; return the final HTML and its lxml tree.

    MJML's ``<style>`` blocks (resets, responsive media queries with ``!important``, dark
    mode) are marked ``data-premailer="ignore"`` so premailer neither parses nor rewrites
    them, which keeps the mobile layout and costs a third of a full pass. Nothing is fetched.

    The document is parsed here, the way premailer parses it, and premailer works on that
    tree; the tree comes back so that the safety checks read it instead of parsing the
    HTML a third time. The bytes are those premailer's own string path gives.
    """
    from lxml import etree

    global _premailer_cls
    if _premailer_cls is None:
        _premailer_cls = _premailer()
    marked = _STYLE_OPEN.sub('<style data-premailer="ignore"', html).strip()
    page = etree.fromstring(marked, etree.HTMLParser()).getroottree().getroot()
    _premailer_cls(
        page,
        css_text=css,
        allow_network=False,
        strip_important=False,
        keep_style_tags=True,
        # MJML never floats images; skipping premailer's float scan (it parses every
        # image's style with cssutils) halves its cost and changes no byte.
        align_floating_images=False,
        remove_classes=False,
        disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
    ).transform()
    finish_tree(page)
    # Serialised from the root element, as premailer does when the document's doctype is
    # not its upper-case one: premailer drops MJML's lower-case doctype, so it is put back.
    out = etree.tostring(page, method="html", pretty_print=True, encoding="utf-8").decode()
    # libxml2 does not know <wbr> is void, and writes an end tag that HTML forbids.
    out = out.replace("</wbr>", "")
    out = _IGNORE_ATTR.sub("", out)
    if not out.lstrip().lower().startswith("<!doctype"):
        out = _DOCTYPE + "\n" + out
    out = out if out.endswith("\n") else out + "\n"
    # The tree as a reader's parser sees ``out``: libxml2 took each <wbr> for an element
    # holding what follows it; without them, an address is one run of text again.
    etree.strip_tags(page, "wbr")
    global _last
    _last = (out, page)
    return out, page


#: The last HTML made and its tree, for the checks that read it next (``tree_of``).
_last: tuple[str, Any] | None = None


def tree_of(html: str) -> Any | None:
    """Return the parsed document of ``html`` if it is the HTML this process made last.

    A notice is checked right after it is rendered: its checks read the tree the inliner
    worked on instead of parsing the HTML again. Only that very string object qualifies
    (``is``), so an edited or other notice is always parsed afresh. The tree has no
    ``<wbr>`` elements: it reads as ``html`` parsed without them (tests/test_htmlscan_tree.py).
    """
    found = _last
    return found[1] if found is not None and found[0] is html else None


#: Section classes the layout marks, and the landmark role each becomes (MJML cannot set roles).
LANDMARKS = {"nt-banner": "banner", "nt-main": "main", "nt-foot": "contentinfo"}
_WORD_BREAK = re.compile(r"(?:^|(?<=;))\s*word-break\s*:[^;]*;?", re.I)


def finish_tree(page: Any) -> None:
    """Make MJML's output what email clients and validators accept, in place.

    - The layout's marked sections become landmarks (``role="banner"``, ``"main"``,
      ``"contentinfo"``), so that assistive technology can jump to the notice.
    - ``word-break``, which MJML repeats on every cell (163 times in a notice), goes from
      the cells; email.css sets it once on the page wrapper, where it is inherited. Yahoo
      and Windows Mail ignore it (caniemail): there long addresses break at the ``<wbr>``
      that the ``breakable`` filter puts after their punctuation.
    - ``<img height="auto">`` (not valid HTML: height is a number) loses the attribute;
      the inline ``height:auto`` keeps the image's shape.
    - A phone number in a ``tel:`` link keeps its groups on one line (no-break spaces).
    - No ``bgcolor`` on a ``<div>`` (premailer adds it; it is not an attribute of div).
    """
    for link in page.iter("a"):
        if (link.get("href") or "").startswith("tel:") and link.text and len(link) == 0:
            link.text = link.text.replace(" ", "\N{NO-BREAK SPACE}")
    for element in page.iter("div", "td", "img"):
        classes = (element.get("class") or "").split()
        for name, role in LANDMARKS.items():
            if name in classes and element.tag == "div":
                element.set("role", role)
        style = element.get("style")
        if style and element.tag == "td" and "word-break" in style:
            element.set("style", _WORD_BREAK.sub("", style))
        if element.tag == "img" and element.get("height") == "auto":
            del element.attrib["height"]
        if element.tag == "div" and "bgcolor" in element.attrib:
            # premailer copies an inlined background colour into bgcolor, which a div lacks
            del element.attrib["bgcolor"]


def render_email(source: str, css: str, *, name: str) -> tuple[str, Any]:
    """Return the final email HTML and its parsed tree (for checks that read the document)."""
    return inline_css_tree(mjml_to_html(source, name=name), css)
