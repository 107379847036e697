"""Massachusetts ch. 93H: police report and security freeze rights, and what the notice must NOT say."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.jurisdictions import Pack, element, evidence, pack_data

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


def nature_of_breach(view: NoticeView) -> evidence.Miss | None:
    """The notice does not describe how the breach happened (the summary, the kind, the vector)."""
    fix = ("give Massachusetts residents their own audience whose notice leaves out the nature "
           "of the breach: no summary, no attack or cause (template change)")
    if not view.missing(view.sheet.incident.summary) or not view.missing(
            view.sheet.incident.summary.split(".")[0]):
        return ("the notice describes the nature of the breach (incident.summary is in it)", fix)
    # The sections that tell the story: what happened, and what is being done about it
    # (a fixed "fault" or "vulnerability" is a cause); the subject and preheader too.
    for heading in ("what happened", "what we know", "what is happening", "what we are doing"):
        for part, section in view.sections(heading).items():
            match = NATURE_WORDS.search(section)
            if match:
                return (f"the {part}'s {heading.capitalize()!r} section describes the nature of "
                        f"the breach: {match.group(0)!r}", fix)
    for name, line in (("subject", view.notice.subject), ("preheader", view.notice.preheader)):
        match = NATURE_WORDS.search(line)
        if match:
            return f"the {name} describes the nature of the breach: {match.group(0)!r}", fix
    return None


def resident_count(view: NoticeView) -> evidence.Miss | None:
    """The notice does not state how many people are affected."""
    size = view.audience.size
    if size is not None and size >= 10:
        for shown in (f"{size:,}", str(size)):
            found = evidence.forbidden(view, rf"(?<![\d,.]){re.escape(shown)}(?![\d,])",
                                       "states the number affected", "remove the count from the "
                                       "Massachusetts notice (it goes to the AG and OCABR instead)")
            if found:
                return found
    return evidence.forbidden(view, _COUNT.pattern, "states a number of people affected",
                              "remove the count from the Massachusetts notice")


CHECKS = (
    (element("ma", "ma.93h.police_report"), "'police report' is in both parts",
     lambda v: evidence.pattern(v, r"police report", "tell residents of their right to obtain a "
                                "police report", "add the Massachusetts rights block (template "
                                "change)")),
    (element("ma", "ma.93h.freeze_how"), "'security freeze' and Equifax, Experian and TransUnion "
     "are in both parts",
     lambda v: evidence.pattern(v, r"(?=.*security freeze)(?=.*Equifax)(?=.*Experian)"
                                r"(?=.*TransUnion)", "say how to request a security freeze from "
                                "each credit agency", "add the security-freeze block (template "
                                "change)")),
    (element("ma", "ma.93h.freeze_info_needed"), "'security freeze' with Social Security number, "
     "date of birth and address listed",
     lambda v: evidence.pattern(v, r"(?=.*security freeze)(?=.*social security number)"
                                r"(?=.*date of birth)(?=.*address)", "list the information "
                                "needed to request a freeze", "add it to the security-freeze "
                                "block (template change)")),
    (element("ma", "ma.93h.freeze_no_fee"), "a sentence says a freeze is free / has no fee",
     lambda v: evidence.pattern(v, r"freeze[^.]*\b(free|no (fee|charge|cost))\b|"
                                r"\b(free|no (fee|charge|cost))\b[^.]*freeze", "say a security "
                                "freeze costs nothing to place, lift or remove", "add it to the "
                                "security-freeze block (template change)")),
    (element("ma", "ma.93h.credit_monitoring"), "with government_id: free credit monitoring for "
     "18 months or more",
     lambda v: (evidence.months_offered(v, "credit monitoring", 18, "credit monitoring")
                if "government_id" in v.data else None)),
    (element("ma", "ma.93h.forbid.nature_of_breach"), "incident.summary is absent; the 'What "
     "happened' and 'What we are doing' sections of both parts, the subject and the preheader "
     "name no attack, actor, cause or system", nature_of_breach),
    (element("ma", "ma.93h.forbid.resident_count"), "neither audience.size nor '<number> people/"
     "residents/...' is in the notice", resident_count),
    (element("ma", "ma.93h.forbid.waiver_condition"), "no waiver or release of claims is asked for",
     lambda v: evidence.forbidden(v, r"\bwaive\w*|\bwaiver\b|give up (your|the) right|release "
                                  r"(of )?(all )?claims|class action", "asks readers to waive a "
                                  "right", "remove any waiver from the offer")),
)

PACK = Pack(
    id="ma", name="Massachusetts ch. 93H", codes=frozenset(pack_data("ma")["codes"]),
    checks=CHECKS,
    not_checked={"ma.93h.parent_company": "the sheet has no parent-company field"},
    triggers=frozenset(pack_data("ma")["trigger"]["fact_sheet_triggers"]),
    review=frozenset(pack_data("ma")["trigger"]["review_flags"]),
)
