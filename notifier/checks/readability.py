"""Plain language: the Flesch-Kincaid US grade of the plain-text body, a warning above grade 9.

The formula is computed here: words and sentences by pattern, syllables with pyphen (the
hyphenation library textstat itself builds on). textstat was tried and dropped: 0.7 imports
NLTK on start (a quarter of a second in every process) and its English syllable counter
downloads NLTK's cmudict at run time, and a check must never reach the network. Without
pyphen, a small vowel-group counter gives close figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from notifier.checks.finding import Finding, Rule

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

MAX_GRADE = 9.0
#: Words a notice of each kind may take in its own prose: the body, less the text a law fixes
#: word for word and less the steps the data calls for (the uncounted blocks below). A step
#: a reader needs is never cut to fit; the narrative around it is what grows long. Measured
#: on the bundled, reader and legal-corpus sheets after the editorial review of issue 12
#: (longest: an update 565, a password reset 409, an incident 383), with room for a longer
#: summary. Longer notices lose readers; benchmarks/notice_length.py prints every count.
BUDGETS = {"incident": 450, "password_reset": 450, "no_action_needed": 300, "update": 600,
           "service_disruption": 200, "staff_notice": 400}
#: The same notices run to more (or fewer) words in other languages than in English: each
#: language's budget is the English one times its ratio, measured on the shopback-2020
#: notices in every shipped language (tests/golden/languages; benchmarks/notice_length.py).
WORD_RATIO = {"en": 1.0, "fr": 1.2, "de": 1.05, "es": 1.15, "nl": 1.05}
#: Blocks that do not count against the budget: the text a law fixes, and the advice list.
LEGAL_BLOCKS = frozenset({"rights.ma", "us.cra", "us.ny_agencies", "ca.complaints", "offer",
                          "delay.law_enforcement", "notice.date"})
UNCOUNTED_BLOCKS = LEGAL_BLOCKS | {"advice"}
RULES = {r.id: r for r in (
    Rule("plain.readability", "warning",
         f"the plain-text body meets its language's readability target: US school grade "
         f"{MAX_GRADE:g} or below (English: Flesch-Kincaid; German: Wiener Sachtextformel), "
         "reading ease 60 or above (French: Kandel-Moles; Dutch: Flesch-Douma), perspicuity 55 "
         "or above (Spanish: Szigriszt-Pazos, INFLESZ scale); docs/languages.md",
         "house rule (issue 6); supports gdpr.art34.plain_language, uk.art34.plain_language, "
         "ca.1798_82.plain_language, hipaa.164_404.plain_language"),
    Rule("plain.length", "warning",
         "the plain-text body, less the text a law fixes word for word (rights, agency contacts, "
         "the offer) and the advice list, is within its notice kind's word budget: "
         + ", ".join(f"{k} {v}" for k, v in BUDGETS.items()),
         "house rule (issue 12): notices longer than the real ones they mirror lose readers"),
)}
_URLISH = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_END = re.compile(r"[.!?:;]['\")]*$")
_VOWELS = re.compile(r"[aeiouy]+")


def prose(text: str) -> str:
    """Return the body as sentences: URLs dropped, wrapped lines joined, list items and headings ended."""
    return " ".join(_blocks(text))


def _blocks(text: str) -> list[str]:
    """The sentences ``prose`` joins, paragraph by paragraph."""
    return [block for paragraph in re.split(r"\n\s*\n", text) for block in _paragraph(paragraph)]


@lru_cache(maxsize=4096)
def _paragraph(paragraph: str) -> tuple[str, ...]:
    """One paragraph's sentences; kept, as notices share most of their paragraphs."""
    items: list[str] = []
    for line in paragraph.split("\n"):
        stripped = line.strip()
        if not stripped or re.fullmatch(r"[-=]{2,}", stripped):
            continue
        if stripped.startswith("- ") or not items:
            items.append(stripped.removeprefix("- "))
        else:
            items[-1] += " " + stripped
    blocks = []
    for item in items:
        item = " ".join(_URLISH.sub("", item).split())
        if item:
            item = item.rstrip(",")
            blocks.append(item if _END.search(item) else item + ".")
    return tuple(blocks)


def _syllables(word: str, hyphenator: object | None) -> int:
    if hyphenator is not None:
        return len(hyphenator.positions(word)) + 1  # type: ignore[attr-defined]
    groups = _VOWELS.findall(word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(1, count)


@cache
def _hyphenator() -> object | None:
    try:
        import pyphen
    except ImportError:
        return None
    return pyphen.Pyphen(lang="en_US") if _load_patterns(pyphen, "en_US") else None  # US syllables


def _load_patterns(pyphen: Any, lang: str) -> bool:
    """Put ``lang``'s parsed patterns in pyphen's own cache, from ours when we have them.

    Parsing the dictionary costs about 50 ms in every new process (each batch worker too);
    the parsed patterns are kept in the user cache (``notifier.cache``), keyed by the
    dictionary's bytes and pyphen's version, and load in a few milliseconds. Returns False
    when the language is missing.
    """
    from notifier import cache as user_cache

    try:
        path = pyphen.LANGUAGES[pyphen.language_fallback(lang)]
        source = path.read_bytes() + f"\0pyphen {pyphen.__version__}".encode()
    except (KeyError, OSError):
        return False
    if path in pyphen.hdcache:
        return True
    hd = _from_cache(pyphen, user_cache.load_pickle("hyphenation", source))
    if hd is not None:
        pyphen.hdcache[path] = hd
        return True
    hd = pyphen.HyphDict(path)
    pyphen.hdcache[path] = hd
    if all(type(v) is int for _, values in hd.patterns.values() for v in values):
        # (a dictionary with non-standard hyphenation would need pyphen's objects: not kept)
        user_cache.store_pickle("hyphenation", source, (hd.patterns, hd.maxlen))
    return True


def _from_cache(pyphen: Any, kept: Any) -> Any:
    """Rebuild a HyphDict from our cached patterns, or return None if they do not look right.

    The entry must hold the parsed patterns as HyphDict.__init__ leaves them (pattern ->
    (start, values)) and maxlen must be their longest key; anything else (a damaged or
    foreign file) is ignored and the dictionary is parsed again.
    """
    try:
        patterns, maxlen = kept
        if (not isinstance(patterns, dict) or not patterns or type(maxlen) is not int
                or maxlen != max(map(len, patterns))):
            return None
        start, values = next(iter(patterns.values()))
        if type(start) is not int or not isinstance(values, tuple):
            return None
    except Exception:  # noqa: BLE001 - any malformed entry: parse the dictionary instead
        return None
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)  # the fields HyphDict.__init__ sets
    hd.patterns, hd.cache, hd.maxlen = patterns, {}, maxlen
    return hd


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?]+['\")]*(?:\s|$)")


def grade(text: str, locale: str = "en-US") -> float:
    """Return the Flesch-Kincaid US grade level of ``text`` (already prose, see ``prose``)."""
    return _grade([_counts.__wrapped__(text)])


def _grade(counts: list[tuple[int, int, int]]) -> float:
    """The grade from (words, sentence ends, syllables) of each piece of one text."""
    n_words = sum(c[0] for c in counts)
    if not n_words:
        return 0.0
    n_sentences = max(1, sum(c[1] for c in counts))
    syllables = sum(c[2] for c in counts)
    return float(0.39 * (n_words / n_sentences) + 11.8 * (syllables / n_words) - 15.59)


@lru_cache(maxsize=8192)
def _counts(text: str) -> tuple[int, int, int]:
    """(words, sentence ends, syllables) of a text; kept per sentence block, as notices
    repeat theirs (the advice, the contact lines). The counts of a body are the sums of its
    blocks': no word or sentence end spans the space that joins two blocks."""
    words = _WORD.findall(text)
    hyphenator = _hyphenator()
    return (len(words), len(_SENTENCE_END.findall(text)),
            sum(_syllables(w, hyphenator) for w in words))


@dataclass(frozen=True)
class Measure:
    """A readability formula fitted to one language, and the target a notice must meet."""

    name: str
    target: float
    higher_is_easier: bool  # a reading ease (Flesch's kind) rather than a school grade
    scale: str  # how the figure is said in a finding

    def meets(self, value: float) -> bool:
        """True when ``value`` is on the easy side of the target."""
        return value >= self.target if self.higher_is_easier else value <= self.target


#: Per language, the measure that fits it (docs/languages.md gives the formulas and sources).
#: English and German are graded by school year, with the same target; French, Spanish and
#: Dutch have reading-ease scales, whose "standard" band matches grade 8-9.
MEASURES = {
    "en": Measure("Flesch-Kincaid grade", MAX_GRADE, False, "US grade"),
    "de": Measure("Wiener Sachtextformel (1st)", MAX_GRADE, False, "school grade (WSTF)"),
    "fr": Measure("Kandel-Moles reading ease", 60.0, True, "reading ease (Kandel-Moles)"),
    "es": Measure("Szigriszt-Pazos perspicuity", 55.0, True, "perspicuity (INFLESZ scale)"),
    "nl": Measure("Flesch-Douma reading ease", 60.0, True, "reading ease (Flesch-Douma)"),
}
_PYPHEN = {"de": "de_DE", "fr": "fr", "es": "es", "nl": "nl_NL"}
_ANY_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ANY_SENTENCE_END = re.compile(r"[.!?]+['\")»“”]*(?:\s|$)")
_VOWEL_GROUPS = re.compile(r"[aeiouyàâäáéèêëíìîïóòôöúùûüýÿæœ]+", re.I)

#: What a measure other than Flesch-Kincaid needs of a text: words, sentence ends,
#: syllables, words of three syllables or more, of more than six letters, of one syllable.
Tally = tuple[int, int, int, int, int, int]


@cache
def _hyphenator_for(lang: str) -> object | None:
    try:
        import pyphen
    except ImportError:
        return None
    name = _PYPHEN.get(lang, "en_US")
    return pyphen.Pyphen(lang=name) if _load_patterns(pyphen, name) else None


@lru_cache(maxsize=8192)
def _tally(text: str, lang: str) -> Tally:
    """Count ``text`` for ``lang``'s measure; kept per sentence block like ``_counts`` (the
    tally of a body is the sum of its blocks')."""
    words = _ANY_WORD.findall(text)
    syllables = [_syllable_count(lang, word) for word in words]
    return (len(words), len(_ANY_SENTENCE_END.findall(text)), sum(syllables),
            sum(1 for s in syllables if s >= 3), sum(1 for w in words if len(w) > 6),
            sum(1 for s in syllables if s == 1))


@lru_cache(maxsize=20_000)
def _syllable_count(lang: str, word: str) -> int:
    """Return a word's syllables in ``lang`` (notices repeat their words: kept)."""
    hyphenator = _hyphenator_for(lang)
    if hyphenator is not None:
        return len(hyphenator.positions(word)) + 1  # type: ignore[attr-defined]
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def readability(text: str, locale: str) -> tuple[Measure, float]:
    """Return the measure for ``locale``'s language and ``text``'s figure on it."""
    return _measured([text], locale)


def _measured(blocks: list[str], locale: str) -> tuple[Measure, float]:
    """The measure for ``locale``'s language and the figure of the text these blocks make."""
    lang = locale.split("-")[0].lower()
    measure = MEASURES.get(lang, MEASURES["en"])
    if lang not in MEASURES or lang == "en":
        return measure, _grade([_counts(block) for block in blocks])
    tallies = [_tally(block, lang) for block in blocks]
    n, ends, total, poly, long, mono = (sum(t[k] for t in tallies) for k in range(6))
    if not n:
        return measure, measure.target
    asl = n / max(1, ends)  # words per sentence
    asw = total / n  # syllables per word
    if lang == "de":  # Bamberger & Vanecek (1984), first Wiener Sachtextformel
        ms, iw, es = 100 * poly / n, 100 * long / n, 100 * mono / n
        value = 0.1935 * ms + 0.1672 * asl + 0.1297 * iw - 0.0327 * es - 0.875
    elif lang == "fr":  # Kandel & Moles (1958), Flesch adapted to French
        value = 207 - 1.015 * asl - 73.6 * asw
    elif lang == "es":  # Szigriszt-Pazos (1993), read on the INFLESZ scale
        value = 206.835 - 62.3 * asw - asl
    else:  # nl: Douma (1960), Flesch adapted to Dutch
        value = 206.835 - 0.93 * asl - 77 * asw
    return measure, float(value)


def body_words(notice: Any) -> int:
    """Return the words of a notice's plain-text body (above the footer), less the words of
    its legal blocks and its advice list."""
    body = notice.text.split("\n--\n")[0]  # the footer is boilerplate, not the message
    fixed = sum(len(b.text.split()) for b in notice.blocks
                if b.part == "text" and b.name in UNCOUNTED_BLOCKS)
    return len(body.split()) - fixed


def check(view: NoticeView) -> list[Finding]:
    """Return plain-language warnings: a body above grade 9, or longer than its kind's budget."""
    if view.audience.notice == "regulator_report":
        return []
    found = []
    body = view.notice.text.split("\n--\n")[0]  # the footer is boilerplate, not the message
    measure, level = _measured(_blocks(body), view.notice.locale)
    if not measure.meets(level):
        side = "below" if measure.higher_is_easier else "above"
        found.append(view.finding(
            RULES["plain.readability"], f"the plain-text body reads at {measure.scale} "
            f"{level:.1f}, {side} {measure.target:g}"
            + ("" if measure is MEASURES["en"] else f" ({measure.name})"),
            "use shorter sentences and everyday words in the sheet's summary, safe lines and "
            "actions (and in _copy.j2)" if measure is MEASURES["en"] else
            "use shorter sentences and everyday words in the sheet's summary, safe lines and "
            "actions (and in the catalogs)"))
    budget = BUDGETS.get(view.audience.notice)
    lang = view.notice.locale.split("-")[0].lower()
    if budget is not None:  # the budgets are English words: other languages run longer
        budget = round(budget * WORD_RATIO.get(lang, 1.0))
    words = body_words(view.notice)
    if budget is not None and words > budget:
        found.append(view.finding(
            RULES["plain.length"], f"the notice's own prose runs to {words} words (besides "
            "its advice and the text a law fixes); "
            f"{'an' if view.audience.notice[0] in 'aeiou' else 'a'} "
            f"{view.audience.notice.replace('_', ' ')} notice reads best within {budget}",
            "shorten the sheet's summary, safe lines and actions; the notices already explain "
            "the status, the data and the advice"))
    return found
