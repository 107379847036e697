"""Plain language: the Flesch-Kincaid US grade of the plain-text body, a warning above grade 9.

The formula is computed here: words and sentences by pattern, syllables with pyphen (the
hyphenation library textstat itself builds on). textstat was tried and dropped: 0.7 imports
NLTK on start (a quarter of a second in every process) and its English syllable counter
downloads NLTK's cmudict at run time, and a check must never reach the network. Without
pyphen, a small vowel-group counter gives close figures.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

MAX_GRADE = 9.0
RULES = {r.id: r for r in (
    Rule("plain.readability", "warning",
         f"the plain-text body reads at US school grade {MAX_GRADE:g} or below (Flesch-Kincaid; "
         "English locales only)",
         "house rule (issue 6); supports gdpr.art34.plain_language, uk.art34.plain_language, "
         "ca.1798_82.plain_language, hipaa.164_404.plain_language"),
)}
_URLISH = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_END = re.compile(r"[.!?:;]['\")]*$")
_VOWELS = re.compile(r"[aeiouy]+")


def prose(text: str) -> str:
    """Return the body as sentences: URLs dropped, wrapped lines joined, list items and headings ended."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        items: list[str] = []
        for line in paragraph.split("\n"):
            stripped = line.strip()
            if not stripped or re.fullmatch(r"[-=]{2,}", stripped):
                continue
            if stripped.startswith("- ") or not items:
                items.append(stripped.removeprefix("- "))
            else:
                items[-1] += " " + stripped
        for item in items:
            item = " ".join(_URLISH.sub("", item).split())
            if item:
                item = item.rstrip(",")
                blocks.append(item if _END.search(item) else item + ".")
    return " ".join(blocks)


def _syllables(word: str, hyphenator: object | None) -> int:
    if hyphenator is not None:
        return len(hyphenator.positions(word)) + 1  # type: ignore[attr-defined]
    groups = _VOWELS.findall(word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(1, count)


@cache
def _hyphenator() -> object | None:
    try:
        from pyphen import Pyphen

        hyphenator: object = Pyphen(lang="en_US")  # US grade: US syllables
        return hyphenator
    except (ImportError, KeyError):
        return None


def grade(text: str, locale: str = "en-US") -> float:
    """Return the Flesch-Kincaid US grade level of ``text`` (already prose, see ``prose``)."""
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", text)
    n_words = len(words)
    n_sentences = max(1, len(re.findall(r"[.!?]+['\")]*(?:\s|$)", text)))
    hyphenator = _hyphenator()
    if not words:
        return 0.0
    syllables = sum(_syllables(w, hyphenator) for w in words)
    return float(0.39 * (n_words / n_sentences) + 11.8 * (syllables / len(words)) - 15.59)


def check(view: NoticeView) -> list[Finding]:
    """Return a plain-language warning when the plain-text body reads above grade 9."""
    if not view.notice.locale.lower().startswith("en") or view.audience.notice == "regulator_report":
        return []
    body = view.notice.text.split("\n--\n")[0]  # the footer is boilerplate, not the message
    level = grade(prose(body), view.notice.locale)
    if level <= MAX_GRADE:
        return []
    return [view.finding(RULES["plain.readability"],
                         f"the plain-text body reads at US grade {level:.1f}, above {MAX_GRADE:g}",
                         "use shorter sentences and everyday words in the sheet's summary, safe "
                         "lines and actions (and in _copy.j2)")]
