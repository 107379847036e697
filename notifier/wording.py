"""Data words in languages other than English: data lines, phrases and risks from the catalogs.

English builds its data phrases with its own grammar (``notifier.advice``: "your name and
email address, as well as your phone number"). The other languages inflect possessives and
articles by gender, number and case, so a phrase built by joining labels would often be
wrong. Here every language says data the same safe way: a *group* noun, which is plural in
French, German, Spanish and Dutch alike ("vos coordonnées", "Ihre Kontaktdaten", "sus datos
de contacto", "uw contactgegevens"), with the items as bare nouns after it ("(nom et adresse
e-mail)"). Sentences put the group where a plural noun phrase needs no inflection (subject or
direct object), and translators can reorder every placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from notifier.i18n import N_, join

if TYPE_CHECKING:
    from notifier.advice import Vocabulary

#: One data line: 'Coordonnées : nom et adresse e-mail'.
LINE = N_("%(group)s: %(items)s")
#: Other people's data, in one line: 'Daten über Ihre Patienten: Namen und Geburtsdaten'.
WHOSE_LINE = N_("Information about %(people)s: %(items)s")
#: A group with its items, in a sentence: 'vos coordonnées (nom et adresse e-mail)'.
PHRASE = N_("%(group)s (%(items)s)")
PEOPLE_AFFECTED = N_("the people affected")
#: Each group in a sentence about the reader's own data.
YOUR_GROUP = {
    "contact": N_("your contact details"), "identity": N_("your identity details"),
    "signin": N_("your sign-in details"), "payment": N_("your payment details"),
    "account": N_("your account details"), "health": N_("your health information"),
    "technical": N_("technical details"), "custom": N_("other information about you"),
}
#: How contact data can reach someone, as adverbials ('par e-mail', 'per SMS', 'per Post').
CHANNELS = {"email": (N_("by email"),), "phone": (N_("by text message"), N_("by phone call")),
            "postal_address": (N_("by post"),)}
#: The risk of each group: (about the reader's data, about other people's data). The contact
#: group has a second pair for a scam that would pretend to be another organisation.
RISKS: dict[str, tuple[str, str]] = {
    "contact": (
        N_("Someone who has %(data)s could contact you %(channels)s and pretend to be us."),
        N_("Someone who has the contact details of %(people)s (%(items)s) could contact them "
           "%(channels)s and pretend to be us.")),
    "contact.other": (
        N_("Someone who has %(data)s could contact you %(channels)s and pretend to be "
           "%(trusted)s."),
        N_("Someone who has the contact details of %(people)s (%(items)s) could contact them "
           "%(channels)s and pretend to be %(trusted)s.")),
    "identity": (
        N_("Someone could use %(data)s to pass identity checks, or to try to open accounts or "
           "take out credit in your name."),
        N_("Someone could use the identity details of %(people)s (%(items)s) to pass identity "
           "checks, or to try to open accounts or take out credit in their names.")),
    "signin": (
        N_("Someone could use %(data)s to try to get into your account, and into other accounts "
           "where you use the same details."),
        N_("Someone could use the sign-in details of %(people)s (%(items)s) to try to get into "
           "their accounts, and into other accounts where they use the same details.")),
    "payment": (
        N_("Someone could use %(data)s to try to pay for things or take your money."),
        N_("Someone could use the payment details of %(people)s (%(items)s) to try to pay for "
           "things or take their money.")),
    "account": (
        N_("Someone could quote %(data)s to make a scam message look genuine."),
        N_("Someone could quote the account details of %(people)s (%(items)s) to make scam "
           "messages look genuine.")),
    "health": (
        N_("If %(data)s were shared, it could cause you distress, and it could be used to make "
           "false claims for care."),
        N_("If the health information of %(people)s (%(items)s) were shared, it could cause "
           "them distress, and it could be used to make false claims for care.")),
    "technical": (
        N_("%(data)s reveal little about you on their own."),
        N_("Technical details (%(items)s) reveal little about %(people)s on their own.")),
}

#: The same risks for data that only may have been involved: said as a condition ('If your
#: identity details (passport number) were involved, someone could use them ...').
RISKS_IF: dict[str, tuple[str, str]] = {
    "contact": (
        N_("If %(data)s were involved, someone who has them could contact you %(channels)s and "
           "pretend to be us."),
        N_("If the contact details of %(people)s (%(items)s) were involved, someone who has "
           "them could contact them %(channels)s and pretend to be us.")),
    "contact.other": (
        N_("If %(data)s were involved, someone who has them could contact you %(channels)s and "
           "pretend to be %(trusted)s."),
        N_("If the contact details of %(people)s (%(items)s) were involved, someone who has "
           "them could contact them %(channels)s and pretend to be %(trusted)s.")),
    "identity": (
        N_("If %(data)s were involved, someone could use them to pass identity checks, or to "
           "try to open accounts or take out credit in your name."),
        N_("If the identity details of %(people)s (%(items)s) were involved, someone could use "
           "them to pass identity checks, or to try to open accounts or take out credit in "
           "their names.")),
    "signin": (
        N_("If %(data)s were involved, someone could use them to try to get into your account, "
           "and into other accounts where you use the same details."),
        N_("If the sign-in details of %(people)s (%(items)s) were involved, someone could use "
           "them to try to get into their accounts, and into other accounts where they use the "
           "same details.")),
    "payment": (
        N_("If %(data)s were involved, someone could use them to try to pay for things or take "
           "your money."),
        N_("If the payment details of %(people)s (%(items)s) were involved, someone could use "
           "them to try to pay for things or take their money.")),
    "account": (
        N_("If %(data)s were involved, someone could quote them to make a scam message look "
           "genuine."),
        N_("If the account details of %(people)s (%(items)s) were involved, someone could quote "
           "them to make scam messages look genuine.")),
    "health": (
        N_("If %(data)s were involved and shared, it could cause you distress, and it could be "
           "used to make false claims for care."),
        N_("If the health information of %(people)s (%(items)s) were involved and shared, it "
           "could cause them distress, and it could be used to make false claims for care.")),
    "technical": (
        N_("If %(data)s were involved, they reveal little about you on their own."),
        N_("If technical details (%(items)s) were involved, they reveal little about %(people)s "
           "on their own.")),
}
#: A category's own risk when it is the only one of its group (``advice.SOLE_RISKS``): a date
#: of birth alone opens no credit; a hashed password must be worked out first. ('' keeps
#: the group's risk.) Then the same, as a condition.
SOLE_RISKS: dict[str, tuple[str, str]] = {
    "date_of_birth": (
        N_("Someone could use %(data)s to pretend to be you, for example to answer security "
           "questions."),
        N_("Someone could use the identity details of %(people)s (%(items)s) to pretend to be "
           "them, for example to answer security questions.")),
    "password_hash": (
        N_("Someone who works out your password from the scrambled copy could use it to try to "
           "get into your account, or into other accounts where you use the same password."),
        N_("Someone who cracks the sign-in details of %(people)s (%(items)s) could use them to "
           "try to get into their accounts, or into other accounts where they use the same "
           "password.")),
}
SOLE_RISKS_IF: dict[str, tuple[str, str]] = {
    "date_of_birth": (
        N_("If %(data)s were involved, someone could use them to pretend to be you, for example "
           "to answer security questions."),
        N_("If the identity details of %(people)s (%(items)s) were involved, someone could use "
           "them to pretend to be them, for example to answer security questions.")),
    "password_hash": (
        N_("If %(data)s were involved, someone who works out your password from the scrambled "
           "copy could use it to try to get into your account, or into other accounts where you "
           "use the same password."),
        N_("If the sign-in details of %(people)s (%(items)s) were involved, someone who cracks "
           "them could use them to try to get into their accounts, or into other accounts where "
           "they use the same password.")),
}


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shorts(vocab: Vocabulary, cats: Sequence[str], *, absent: bool = False,
            full: bool = False, risk: bool = False) -> list[str]:
    out = []
    for c in cats:
        category = vocab[c]
        if risk:
            out.append(category.in_risk or category.short)
        elif absent:
            out.append(vocab.absent_short(c, full=full))
        else:
            out.append(category.short)
    return out


def items(vocab: Vocabulary, categories: Iterable[str], whose: str = "", *,
          absent: bool = False, reached: Iterable[str] = (),
          third_person: bool = False) -> list[str]:
    """Return the data as lines, one a group: 'Kontaktdaten: Name und E-Mail-Adresse'."""
    tr, locale = vocab.translate, vocab.locale
    data = list(categories)
    if whose and data:
        ordered = [c for _label, group in vocab.groups(data) for c in group]
        nouns = [(vocab[c].absent_noun if absent else "") or vocab[c].noun for c in ordered]
        return [_upper_first(tr(WHOSE_LINE) % {"people": whose, "items": join(nouns, locale)})]
    full = absent and "payment_card_partial" in set(reached)
    out = []
    for label, cats in vocab.groups(data):
        words = ([vocab[c].noun for c in cats] if third_person
                 else _shorts(vocab, cats, absent=absent, full=full))
        out.append(tr(LINE) % {"group": label, "items": join(words, locale)})
    return out


def phrase(vocab: Vocabulary, categories: Sequence[str]) -> str:
    """Return one group of the reader's data in a sentence: 'vos coordonnées (nom)'."""
    group = vocab.group_of(categories[0])
    words = _shorts(vocab, categories)
    return vocab.translate(PHRASE) % {"group": vocab.translate(YOUR_GROUP.get(group, YOUR_GROUP["custom"])),
                                      "items": join(words, vocab.locale)}


def risks(vocab: Vocabulary, categories: Iterable[str], whose: str = "", *,
          third_person: bool = False, trusted: str = "",
          possible: Iterable[str] = ()) -> list[str]:
    """Return one sentence a group: what could happen with the data (see ``RISKS``); a
    group whose data only ``possible`` lists is said as a condition (``RISKS_IF``)."""
    tr, locale = vocab.translate, vocab.locale
    cats = list(dict.fromkeys(categories))
    maybe = set(possible)
    combined = bool(vocab.combined_action(cats))
    others = bool(whose) or third_person
    people = whose or tr(PEOPLE_AFFECTED)
    out = []
    for _label, members in vocab.groups(cats, for_risks=True):
        group = vocab.risk_group(members[0])
        if group not in RISKS:  # the sheet's own categories carry their own risk
            out += [vocab[c].risk for c in members if vocab[c].risk]
            continue
        channels = [tr(w) for c in members for w in CHANNELS.get(c, ())]
        if group == "contact" and not channels:
            continue
        if "payment_card_number" in members and "payment_card_partial" in members:
            members = [c for c in members if c != "payment_card_partial"]
        key = "contact.other" if group == "contact" and trusted else group
        conditional = bool(maybe) and set(members) <= maybe
        sole = members[0] if len(members) == 1 else ""
        if sole == "date_of_birth" and combined:
            sole = ""  # with a name and an address, the identity group's risk stands
        own = (SOLE_RISKS_IF if conditional else SOLE_RISKS).get(sole, ("", ""))[1 if others else 0]
        template = tr(own or (RISKS_IF if conditional else RISKS)[key][1 if others else 0])
        words = ([vocab[c].noun for c in members] if others
                 else _shorts(vocab, members, risk=True))
        # the data named by the group its list line gives it (part of a card number carries
        # the account group's risk, but is payment data), else by the risk's group
        listed = {vocab.group_of(c) for c in members}
        shown = listed.pop() if len(listed) == 1 and next(iter(listed)) in YOUR_GROUP else group
        data = tr(PHRASE) % {"group": tr(YOUR_GROUP[shown]), "items": join(words, locale)}
        text = template % {"data": data, "items": join(words, locale), "people": people,
                           "channels": join(channels, locale, "or"), "trusted": trusted}
        out.append(_upper_first(text))
    return out
