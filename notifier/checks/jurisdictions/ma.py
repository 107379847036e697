"""Massachusetts ch. 93H: police report and security freeze rights, and what the notice must NOT say.

What Massachusetts forbids (the nature of the breach, the number of residents) is decided by
provenance: the context of a US-MA reader's notice holds no narrative field and no count
(``notifier.context.massachusetts_incident``), and the check proves that none of the sheet's
narrative fields or counts reached the rendered notice. Reading the words for attack and
cause is kept as a second opinion, a warning.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.blocks import flatten
from notifier.checks.elements import need
from notifier.checks.jurisdictions import Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

#: Words that describe how a breach happened: the attack, the actor, the systems, the cause.
NATURE_WORDS = re.compile(
    r"\b(hack\w*|attack\w*|criminal\w*|ransomware|malware|phishing attack|exploit\w*|"
    r"vulnerabilit\w*|misconfigur\w*|stole|stolen|(?<!identity )(?<!identity-)theft|copied|exfiltrat\w*|"
    r"leak\w*|fault|bug|intru\w*|broke into|break into|gained access|got into|get into|"
    r"(?:used|able) to get in|got in|"
    r"without permission|unauthori[sz]ed)\b", re.I)
_COUNT = re.compile(r"\b\d[\d,.]*\s*(?:million|thousand|m|k)?\s*(?:people|customers|members|"
                    r"residents|individuals|accounts|users|records|of you)\b", re.I)
_SENTENCE = re.compile(r"[^.!?]+[.!?]?")
#: A sentence this long (in characters) from a narrative field is the field's own text.
_MIN_QUOTE = 20
FIX = ("the built-in templates leave it out for US-MA readers: remove it from your template "
       "override, or give these readers an audience whose jurisdictions do not include US-MA")


def narrative_fields(view: NoticeView) -> list[tuple[str, str]]:
    """Return (field, text) for every free-text field of the sheet that could describe the breach."""
    sheet, incident = view.sheet, view.sheet.incident
    out = [("incident.summary", incident.summary)]
    for name in ("safe", "likely_consequences", "actions_taken", "measures_proposed"):
        out += [(f"incident.{name}.{i}", t) for i, t in enumerate(getattr(incident, name))]
    if incident.how_discovered:
        out.append(("incident.how_discovered", incident.how_discovered))
    out += [(f"incident.delay_reasons.{i}.detail", r.detail)
            for i, r in enumerate(sheet.delay_reasons())]
    out += [(f"audiences.{i}.reason", a.reason) for i, a in enumerate(sheet.audiences) if a.reason]
    return out


def _parts(view: NoticeView) -> dict[str, str]:
    return {"subject": flatten(view.notice.subject), "preheader": flatten(view.notice.preheader),
            "plain text": view.text, "HTML": view.html_text}


def nature_of_breach(view: NoticeView) -> evidence.Miss | None:
    """No narrative field of the sheet reaches the notice, in whole or by any of its sentences."""
    parts = _parts(view)
    for field, value in narrative_fields(view):
        pieces = [flatten(value)] + [flatten(s) for s in _SENTENCE.findall(value)]
        for piece in pieces:
            if len(piece) < _MIN_QUOTE and piece != flatten(value):
                continue
            where = [name for name, hay in parts.items() if piece and piece in hay]
            if where:
                return (f"{field} reaches the Massachusetts notice (in the {where[0]}: "
                        f"{piece[:60]!r}); 93H s. 3(b) forbids describing the breach", FIX)
    return None


def nature_words(view: NoticeView) -> evidence.Miss | None:
    """A second opinion: the sections that tell the story, the subject and the preheader name no
    attack, actor or cause (the advice and rights, reviewed wording, are not read)."""
    if not view.notice.locale.lower().startswith("en"):
        return None  # the words are English; provenance (nature_of_breach) proves the rest
    for heading in ("what happened", "what we know", "what is happening", "what we are doing"):
        for part, section in view.sections(heading).items():
            match = NATURE_WORDS.search(section)
            if match:
                return evidence.Advice((f"the {part}'s {heading.capitalize()!r} section reads as if "
                                        f"it describes the breach: {match.group(0)!r}",
                                        "reword it, or confirm with counsel that it does not"))
    for name, line in (("subject", view.notice.subject), ("preheader", view.notice.preheader)):
        match = NATURE_WORDS.search(line)
        if match:
            return evidence.Advice((f"the {name} reads as if it describes the breach: "
                                    f"{match.group(0)!r}", "reword it, or confirm with counsel "
                                    "that it does not"))
    return None


def resident_count(view: NoticeView) -> evidence.Miss | None:
    """No count from the sheet (audience sizes, records) reaches the notice."""
    sheet = view.sheet
    counts = [(f"audiences.{i}.size", a.size) for i, a in enumerate(sheet.audiences)]
    counts.append(("incident.records", sheet.incident.records))
    parts = _parts(view)
    for field, value in counts:
        if value is None or value < 10:
            continue
        from notifier.i18n import format_number

        for shown in dict.fromkeys((f"{value:,}", str(value),
                                    " ".join(format_number(value, view.notice.locale).split()))):
            pattern = re.compile(rf"(?<![\d,.]){re.escape(shown)}(?![\d,])")
            where = [name for name, hay in parts.items() if pattern.search(hay)]
            if where:
                return (f"{field} ({shown}) reaches the Massachusetts notice (in the {where[0]}); "
                        "93H s. 3(b) forbids stating the number of residents affected", FIX)
    if not view.notice.locale.lower().startswith("en"):
        return None  # the words below are English: a count from the sheet is caught above
    return evidence.forbidden(view, _COUNT.pattern, "states a number of people affected",
                              "remove the count from the Massachusetts notice")


def rights(*keys: str, what: str):  # type: ignore[no-untyped-def]
    """Return a check that the 'rights.ma' block carries these reviewed sentences."""
    return lambda v: need(v, "rights.ma", wording=keys, what=what)


def _credit_monitoring(view: NoticeView) -> evidence.Miss | None:
    if "ssn" not in view.data:
        return None
    return evidence.offer(view, minimum=18, covers=frozenset({"credit_monitoring"}),
                          name="credit monitoring")


def _no_waiver(view: NoticeView) -> evidence.Miss | None:
    return evidence.forbidden(view, r"\bwaive\w*|\bwaiver\b|give up (your|the) right|release "
                              r"(of )?(all )?claims|class action", "asks readers to waive a right",
                              "remove any waiver from incident.protection_offer (93H s. 3A(b))")


CHECKS = (
    (element("ma", "ma.93h.police_report"), "by construction: the 'rights.ma' block carries the "
     "reviewed sentence on the right to a police report",
     rights("ma_rights_title", "ma_police_report", what="the right to a police report")),
    (element("ma", "ma.93h.freeze_how"), "by construction: the 'rights.ma' block carries the "
     "reviewed sentence on how to request a security freeze from each agency",
     rights("ma_freeze_how", what="how to request a security freeze")),
    (element("ma", "ma.93h.freeze_info_needed"), "by construction: the 'rights.ma' block carries "
     "the reviewed list of what a freeze request needs",
     rights("ma_freeze_info", what="what a freeze request needs")),
    (element("ma", "ma.93h.freeze_no_fee"), "by construction: the 'rights.ma' block carries the "
     "reviewed sentence that a freeze costs nothing", rights("ma_freeze_fee", what="that a "
                                                            "freeze is free")),
    (element("ma", "ma.93h.credit_monitoring"), "by construction: with a Social Security number, "
     "incident.protection_offer covers credit monitoring for 18 months or more with enrolment "
     "details, and the 'offer' block carries it", _credit_monitoring),
    (element("ma", "ma.93h.forbid.nature_of_breach"), "by provenance: no narrative field of the "
     "sheet (summary, safe, likely_consequences, actions_taken, measures_proposed, "
     "how_discovered, delay details, an audience's reason), nor any sentence of one, is in the "
     "subject, preheader or either part", nature_of_breach),
    (element("ma", "ma.93h.forbid.nature_of_breach"), "by reading the words (a second opinion, "
     "warning): no word names an attack, an actor or a cause", nature_words),
    (element("ma", "ma.93h.forbid.resident_count"), "by provenance: no audience size or record "
     "count of the sheet is in the notice; and, reading the words, no '<number> people/"
     "residents/...'", resident_count),
    (element("ma", "ma.93h.forbid.waiver_condition"), "by reading the words: no waiver or "
     "release of claims is asked for", _no_waiver),
)

PACK = Pack(
    id="ma", checks=CHECKS,
    not_checked={"ma.93h.parent_company": "the sheet has no parent-company field"},
)
