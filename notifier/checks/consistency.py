"""Facts against words: what a notice says must agree with the fact sheet it was rendered from."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule
from notifier.checks.view import flatten

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView
    from notifier.errors import Problem
    from notifier.model import FactSheet

RULES = {r.id: r for r in (
    Rule("consistency.no_action.calls_for_action", "error",
         "a no_action_needed notice is not sent when the audience's data calls for action "
         "(render refusal, reused)", "notifier/advice.py: categories that call for action"),
    Rule("consistency.no_action.misuse_confirmed", "error",
         "a no_action_needed notice is not sent when misuse is confirmed (render refusal, reused)",
         "house rule"),
    Rule("consistency.password_reset.no_password_data", "error",
         "a password_reset notice needs password data, or precautionary_reset: true "
         "(render refusal, reused)", "house rule"),
    Rule("consistency.refused", "error",
         "any other reason render refused the notice (a template or safety problem)",
         "notifier/safety.py"),
    Rule("consistency.not_involved_contradiction", "error",
         "the 'Not involved' list names no category the sheet lists as involved (by construction: "
         "an error); a sheet sentence (summary, safe, actions) that reads as denying an involved "
         "category is a warning (reading the words: a second opinion; hedges such as 'no "
         "evidence that ... was taken' and denials of misuse are not denials)", "house rule"),
    Rule("consistency.summary_names_uninvolved_data", "error",
         "incident.summary does not say that data was taken or seen which the sheet lists as "
         "not involved (a warning when the sheet lists it nowhere)", "house rule"),
    Rule("consistency.misuse_confirmed_reassuring", "error",
         "when misuse is confirmed, the notice does not use reassuring wording "
         "('no evidence of misuse', 'nothing to worry about', ...)", "house rule"),
    Rule("consistency.resolved_without_actions", "error",
         "status: resolved needs incident.actions_taken, so the notice says what was done",
         "house rule"),
)}

#: Words that name a data category in running text (lower case, matched on word boundaries).
TERMS: dict[str, tuple[str, ...]] = {
    "name": ("your name", "names"),
    "email": ("email address", "email addresses"),
    "phone": ("phone number", "phone numbers", "telephone number"),
    "postal_address": ("postal address", "home address", "addresses"),
    "date_of_birth": ("date of birth", "dates of birth", "birth date"),
    "username": ("username", "usernames", "user name"),
    "password_hash": ("password", "passwords"),
    "password_plaintext": ("password", "passwords"),
    "security_answers": ("security question", "security questions", "security answers"),
    "payment_card_partial": ("partial card", "part of your payment card", "last four digits"),
    "payment_card_number": ("card number", "card numbers", "card details", "payment card"),
    "cvv": ("cvv", "card security code", "card security codes"),
    "bank_account": ("bank account", "bank accounts", "bank details", "account number"),
    "ssn": ("social security number", "social security numbers"),
    "drivers_license": ("driving licence", "driver's license", "driver's licence",
                        "license number", "state id"),
    "passport": ("passport", "passport number", "passport numbers"),
    "tax_id": ("taxpayer identification number", "tax id", "tax identification number"),
    "government_id": ("identity document", "national insurance number", "nric", "id card"),
    "health": ("health", "medical", "care records"),
    "order_history": ("order history", "orders"),
    "transaction_history": ("transaction", "transactions"),
    "ip_address": ("ip address", "ip addresses"),
    "session_token": ("sign-in data", "session"),
    "membership_number": ("membership number", "membership numbers"),
}
_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|without)\b|n['’]t\b|\bsafe\b|\bunaffected\b",
                       re.I)
_SENTENCE = re.compile(r"[^.!?]+[.!?]?")
#: A sentence that denies data was reached: "were not affected", "was never accessed",
#: "are safe", "could not have been taken".
_DENIAL = re.compile(
    r"\b(?:not|never|n['’]t)\b(?:\s+\w+){0,3}?\s+(?:involved|affected|accessed|taken|copied|"
    r"exposed|included|reached|seen|viewed|stolen)\b|\bsafe\b|\bunaffected\b|"
    r"\bno\s+(?:\w+\s+){0,3}(?:was|were)\s+(?:involved|affected|accessed|taken|copied|exposed)\b",
    re.I)
#: A sentence that hedges, or denies something else (misuse, a sign, evidence): not a denial
#: that the data was involved ("no evidence that medical histories were taken").
_HEDGE = re.compile(r"\b(?:no|any)\s+(?:evidence|sign|signs|indication|reason)\b|\bmisus\w*|"
                    r"\bmay\b|\bmight\b|\bcould\b(?!\s+not)", re.I)
_REASSURING = re.compile(
    r"no (evidence|sign|indication)s?\b[^.]*\bmisus|not (been )?misused|nothing to worry|"
    r"no need to worry|rest assured|do not need to do anything|no action is needed|"
    r"no reason to (believe|think)|there is no risk", re.I)
_REFUSAL_RULES = (("misuse", "consistency.no_action.misuse_confirmed"),
                  ("password_reset", "consistency.password_reset.no_password_data"),
                  ("no action needed", "consistency.no_action.calls_for_action"))


def refusal_findings(sheet: FactSheet, index: int, problems: list[Problem]) -> list[Finding]:
    """Turn render's refusals of audience ``index`` into findings, keeping their words."""
    audience = sheet.audiences[index]
    found = []
    for problem in problems:
        rule = RULES["consistency.refused"]
        for needle, rule_id in _REFUSAL_RULES:
            if needle in problem.message:
                rule = RULES[rule_id]
                break
        found.append(Finding(rule.id, rule.severity, sheet.id, audience.id, audience.notice,
                             problem.message, problem.hint or "fix the template", rule.source,
                             rule.status))
    return found


def _mentions(sentence: str, category: str) -> bool:
    low = sentence.lower()
    return any(re.search(r"\b" + re.escape(term) + r"\b", low) for term in TERMS[category])


def _named_terms(sentence: str) -> dict[str, set[str]]:
    """Return each data term a sentence uses, with the categories it may mean, not counting a
    term inside a longer one ('addresses' in 'email addresses')."""
    low = sentence.lower()
    spans: list[tuple[int, int, str, str]] = []
    for category, terms in TERMS.items():
        for term in terms:
            spans += [(m.start(), m.end(), term, category)
                      for m in re.finditer(r"\b" + re.escape(term) + r"\b", low)]
    named: dict[str, set[str]] = {}
    for start, end, term, category in spans:
        if _OTHERS.search(low[max(0, start - 30):start]):
            continue  # a staff member's password is not the readers' data
        if not any(s <= start and end <= e and e - s > end - start for s, e, _, _ in spans):
            named.setdefault(term, set()).add(category)
    return named


#: Words right before a data term that make it someone else's than the readers' ("a staff
#: password", "an employee's email address", "the administrator's username").
_OTHERS = re.compile(r"\b(staff|employee|employee's|employees'|colleague|colleague's|admin|"
                     r"administrator|administrator's|contractor|contractor's|supplier|"
                     r"supplier's|internal|service|system|developer|developer's|engineer|"
                     r"engineer's)\s+$")


#: Verbs that say data was reached: a sentence without one only mentions the data ("we reset
#: every password", "we paused card payments"), and is not a claim about what was exposed.
_EXPOSED = re.compile(
    r"\b(cop(y|ied|ies)|stole|stolen|steal\w*|took|taken|tak(e|es|ing)|accessed|access to|"
    r"exposed|expos(e|es|ing)|leak\w*|viewed|seen|saw|visible|downloaded|extracted|"
    r"exfiltrat\w*|obtained|compromised|breached|affected|involved|included|shown|showed|"
    r"published|posted|sold|encrypted by|got hold of|made off with)\b", re.I)


def _summary_claims(view: NoticeView) -> list[Finding]:
    """Affirmative sentences of the summary that say data was reached which the sheet says was
    not involved (an error), or does not list at all (a warning)."""
    rule = RULES["consistency.summary_names_uninvolved_data"]
    incident = view.sheet.incident
    where = ("incident", "summary")
    found = []
    for sentence in _SENTENCE.findall(flatten(incident.summary)):
        if _NEGATION.search(sentence) or not _EXPOSED.search(sentence):
            continue
        quoted = sentence.strip()
        for term, categories in sorted(_named_terms(sentence).items()):
            if categories & (set(incident.data_involved) | set(incident.data_possibly_involved)):
                continue
            denied = sorted(categories & set(incident.data_not_involved))
            if denied:
                found.append(view.finding(
                    rule, f"the summary says {quoted!r}, but the sheet lists "
                    f"{' and '.join(denied)} as not involved",
                    "correct incident.data_involved and data_not_involved, or reword the summary",
                    field=where))
            else:
                found.append(view.finding(
                    rule, f"the summary says {quoted!r} ({term!r}), but incident.data_involved "
                    f"has no {' or '.join(sorted(categories))}, so the notice neither lists it nor "
                    "advises on it",
                    "add the category to incident.data_involved if it was involved, or reword "
                    "the summary", severity="warning", field=where))
    return found


def _contradictions(view: NoticeView, *, read_words: bool = True) -> list[Finding]:
    rule = RULES["consistency.not_involved_contradiction"]
    found = []
    # By construction: the 'Not involved' blocks carry the sheet's data_not_involved (less what
    # was or may have been involved for this audience) and nothing else.
    from notifier.checks.elements import blocks_named, facts, residue

    expected = facts(view, "data.not_involved")
    for part, blocks in blocks_named(view, "data.not_involved").items():
        text = " ".join(b.text for b in blocks)
        extra = residue(view, "data.not_involved", text, expected)
        if extra:
            found.append(view.finding(
                rule, f"the {'HTML' if part == 'html' else 'plain text'}'s 'Not involved' list "
                f"says more than the sheet's data_not_involved: {extra[:80]!r}",
                "list only incident.data_not_involved there (template change), or correct the "
                "data lists"))
            break
    if not read_words:
        return found
    incident = view.sheet.incident
    safe = incident.safe if view.audience.safe is None else view.audience.safe
    authored = [incident.summary, *safe, *incident.actions_taken]
    for text in authored:
        if flatten(text) not in view.text:
            continue
        for sentence in _SENTENCE.findall(flatten(text)):
            if not _DENIAL.search(sentence) or _HEDGE.search(sentence):
                continue
            for category in view.data:
                if category in TERMS and _mentions(sentence, category):
                    # Reading the words is a second opinion: a warning, never a refusal.
                    found.append(view.finding(
                        rule, f"the notice says {sentence.strip()!r}, which reads as a denial, "
                        f"but the sheet lists {category} as involved for this audience",
                        "if the sentence denies that the data was involved, reword it; if it "
                        "says something else (no misuse, no sign it was seen), leave it",
                        severity="warning"))
                    break
    return found


def check(view: NoticeView) -> list[Finding]:
    """Return the consistency findings for one rendered notice.

    The rules that read words (denials, claims in the summary, reassurance) know English
    only: in another language they stay silent rather than guess (docs/languages.md); the
    'Not involved' list is still proved by construction.
    """
    from notifier.render import refusals

    english = view.notice.locale.lower().startswith("en")
    found = refusal_findings(view.sheet, view.index, refusals(view.sheet, view.index))
    found += _contradictions(view, read_words=english)
    found += _summary_claims(view) if english else []
    incident = view.sheet.incident
    if incident.misuse == "confirmed" and english:
        for name, hay in (("plain text", view.notice.text), ("HTML", view.html_text)):
            match = _REASSURING.search(flatten(hay))
            if match:
                found.append(view.finding(
                    RULES["consistency.misuse_confirmed_reassuring"],
                    f"misuse is confirmed, but the {name} reassures readers: {match.group(0)!r}",
                    "remove the reassuring sentence from the sheet (or the template); say what "
                    "is known about the misuse and what readers should do"))
                break
    if incident.status == "resolved" and not incident.actions_taken:
        found.append(view.finding(
            RULES["consistency.resolved_without_actions"],
            "status is resolved but incident.actions_taken is empty, so the notice cannot say "
            "what was done", "list what you did under incident.actions_taken"))
    return found
