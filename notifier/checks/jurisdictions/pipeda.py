"""Canada PIPEDA s 10.1 and Breach of Security Safeguards Regulations s 3: notice to individuals."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from notifier.checks.elements import need
from notifier.checks.jurisdictions import Element, Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView



def significance(view: NoticeView) -> evidence.Miss | None:
    """Enough to understand the significance: the likely consequences and the steps to take."""
    return evidence.consequences(view) or evidence.steps(view)


#: Words that say an email is about a breach, per language (the subject is read in the
#: reader's language; a language not listed is not read).
SUBJECT_WORDS = {
    "en": r"security|breach|incident|password|your (data|information)",
    "fr": r"sécurité|violation|incident|mot de passe|vos (données|renseignements|informations)",
    "de": r"sicherheit|datenpanne|vorfall|passwort|ihre daten|datenschutz",
    "es": r"seguridad|filtración|brecha|violación|incidente|contraseña|sus datos",
    "nl": r"beveiliging|datalek|inbreuk|incident|wachtwoord|uw gegevens",
}


def conspicuous(view: NoticeView) -> evidence.Miss | None:
    """The subject line says what the email is about."""
    words = SUBJECT_WORDS.get(view.notice.locale.split("-")[0].lower())
    if words is not None and not re.search(words, view.notice.subject, re.I):
        return (f"the subject {view.notice.subject!r} does not say the email is about a breach",
                "name the incident in the subject (_copy.j2)")
    return None


def contact(view: NoticeView) -> evidence.Miss | None:
    """A toll-free number or an email address for questions, in the notice."""
    org = view.sheet.organisation
    emails = [e for e in (org.contact.email, org.privacy_contact.email if org.privacy_contact
                          else None) if e]
    phone = org.contact.phone if evidence.toll_free(org.contact.phone) else None
    if not (emails or phone):
        return ("the sheet gives neither a toll-free number nor an email address for questions",
                "add organisation.contact.email (or a toll-free organisation.contact.phone)")
    if org.contact.email or phone:
        return need(view, "contact", what="the contact for questions")
    return need(view, "contact.privacy", what="the email address for questions")


def _el(element_id: str) -> Element:
    return element("pipeda", element_id)


PACK = Pack(
    id="pipeda",
    checks=(
        (_el("pipeda.s10_1.significance"), "by construction: the 'consequences' and 'advice' "
         "blocks carry the likely consequences and the advice", significance),
        (_el("pipeda.s10_1.conspicuous"), "by reading the words: the subject names the incident",
         conspicuous),
        (_el("pipeda.reg3.circumstances"), "by construction: the 'breach.description' block "
         "carries incident.summary", evidence.summary),
        (_el("pipeda.reg3.period"), "by construction: incident.occurred is set and the "
         "'breach.dates' block carries it", lambda v: evidence.breach_date(v, required=True)),
        (_el("pipeda.reg3.pi_description"), "by construction: the 'data.involved' block names "
         "every category involved", evidence.categories),
        (_el("pipeda.reg3.org_steps"), "by construction: incident.actions_taken is set and the "
         "'actions.taken' block carries every action", evidence.actions),
        (_el("pipeda.reg3.individual_steps"), "by construction: the 'advice' block carries the "
         "advice the data calls for, and there is some", evidence.steps),
        (_el("pipeda.reg3.contact"), "by construction: organisation.contact.email, the privacy "
         "contact's email or a toll-free contact.phone is given, and its block carries it",
         contact),
        (_el("pipeda.reg3.complaints"), "by construction: the 'ca.complaints' block carries the "
         "reviewed wording on the complaint process and the right to complain to the Privacy "
         "Commissioner", lambda v: need(v, "ca.complaints", what="the complaint process")),
    ),
)
