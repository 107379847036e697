"""Facts to words: each data category's name, risk and advice, and the advice each country adds.

The tables here are the single source of what a notice says about data. A notice shows
exactly the advice its audience's data calls for, in the table's order, and nothing else.
A sheet may add categories of its own (``categories:``); ``vocabulary_for`` merges them with
the built-in ones. ``docs/advice.md`` is generated from the tables.

The data lists are written as labelled groups ("Contact details: your name, email address
and phone number"), one line a group: a column of bare field names reads like a form to fill
in, to people and to spam filters alike. Each risk is said once, for its group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from notifier.i18n import N_


@dataclass(frozen=True)
class Category:
    """How a data category is named to readers, which group it belongs to, and what it risks."""

    id: str
    label: str  # on its own: "your name"
    short: str  # after others of its group: "name" in "your name and email address"
    noun: str  # in the third person, plural: "names", "dates of birth"
    group: str  # a key of GROUPS
    advice: tuple[str, ...] = ()
    calls_for_action: bool = False  # a reader must act: no "no action needed" notice
    risk: str = ""  # a sheet's own category: its one-sentence risk
    absent: str = ""  # the short name in a 'Not involved' list, when it differs
    #: In the risk sentences, when they differ: the group whose risk it carries, and its name.
    risk_group: str = ""
    in_risk: str = ""
    #: The plural in a 'Not involved' list about other people's data, when it differs.
    absent_noun: str = ""


@dataclass(frozen=True)
class Advice:
    """One piece of advice: a short title and the sentences under it."""

    id: str
    title: str
    text: str


#: Groups, in the order notices list them: the label, and the risk of the group's data
#: ("{items}" is the group's data in words), to the readers and about other people.
#: "{channels}" is how the contact data can reach someone ("emails, texts or calls"): a name
#: alone reaches no one, so it carries no risk. "{trusted}" is who a scam would pretend to be.
GROUPS: dict[str, tuple[str, str, str]] = {
    "contact": (N_("Contact details"),
                "Someone who has {items} could send you scam {channels} that look as if they "
                "come from {trusted}.",
                "Someone who has {items} could send {people} scam {channels} that look as if "
                "they come from {trusted}."),
    "identity": (N_("Identity details"),
                 "Someone could use {items} to pass identity checks, or to try to open accounts "
                 "or credit in your name.",
                 "Someone could use {items} to pass identity checks, or to try to open accounts "
                 "or credit in the names of {people}."),
    "signin": (N_("Sign-in details"),
               "Someone could use {items} to try to get into your account, and other accounts "
               "where you use the same details.",
               "Someone could use {items} to try to get into the accounts of {people}, and "
               "other accounts where they use the same details."),
    "payment": (N_("Payment details"),
                "Someone could use {items} to try to pay for things or take your money.",
                "Someone could use {items} to try to pay for things or take money from "
                "{people}."),
    "account": (N_("Account details"),
                "Someone could quote {items} to make a scam message look genuine.",
                "Someone could quote {items} to make scam messages look genuine."),
    "health": (N_("Health information"),
               "{items} could cause you distress if it were shared, and could be used to make "
               "false claims for care.",
               "{items} could cause distress if shared, and could be used to make false claims "
               "for care."),
    "technical": (N_("Technical details"), "{items} reveal little about you on their own.",
                  "{items} reveal little about {people} on their own."),
}
_CUSTOM_GROUP = (N_("Other information"), "", "")
#: A category's risk when it is the only one of its group: (label, to readers, about others).
#: A date of birth alone opens no account or credit; with a name and an address it may, and
#: the identity group's risk then stands. (Other languages: ``wording.SOLE_RISKS``.)
SOLE_RISKS: dict[str, tuple[str, str, str]] = {
    "date_of_birth": (N_("Identity details"),
                      "Someone could use {items} to pretend to be you, for example to answer "
                      "security questions.",
                      "Someone could use {items} to pretend to be {people}, for example to "
                      "answer security questions."),
    # to a regulator: a hashed password must be cracked before it opens anything
    "password_hash": (N_("Sign-in details"),
                      "Someone who works out your password from the scrambled copy could use "
                      "it to try to get into your account, or into other accounts where you "
                      "use the same password.",
                      "Someone who cracks {items} could use them to try to get into the "
                      "accounts of {people}, or into other accounts where they use the same "
                      "password."),
}
#: Categories whose reader-facing name is plural whatever its last word ('the orders you
#: placed', 'IP addresses used to reach our service').
_PLURAL_LABELS = frozenset({"order_history", "ip_address"})
#: How each kind of contact data can reach its owner, for the contact risk.
CHANNELS = {"email": ("emails",), "phone": ("texts", "calls"), "postal_address": ("letters",)}

CATEGORIES: dict[str, Category] = {c.id: c for c in (
    Category("name", N_("your name"), N_("name"), N_("names"), "contact"),
    Category("email", N_("your email address"), N_("email address"), N_("email addresses"), "contact",
             ("phishing",)),
    Category("phone", N_("your phone number"), N_("phone number"), N_("phone numbers"), "contact",
             ("scam_calls",)),
    Category("postal_address", N_("your postal address"), N_("postal address"), N_("postal addresses"),
             "contact", ("scam_letters",)),
    Category("date_of_birth", N_("your date of birth"), N_("date of birth"), N_("dates of birth"),
             "identity"),
    Category("ssn", N_("your Social Security number"), N_("Social Security number"),
             N_("Social Security numbers"), "identity", ("credit_freeze",), True),
    Category("drivers_license", N_("your driver's license or state ID number"),
             N_("driver's license or state ID number"), N_("driver's license or state ID numbers"),
             "identity", ("replace_license",), True),
    Category("passport", N_("your passport number"), N_("passport number"), N_("passport numbers"),
             "identity", ("replace_passport",), True),
    Category("tax_id", N_("your taxpayer identification number"), N_("taxpayer identification number"),
             N_("taxpayer identification numbers"), "identity", ("tax_identity", "credit_freeze"),
             True),
    Category("government_id", N_("the number of an identity document you gave us"),
             N_("identity document number"), N_("other identity document numbers"), "identity",
             ("replace_document",), True),
    Category("username", N_("your username"), N_("username"), N_("usernames"), "signin"),
    Category("password_hash", N_("your password (stored scrambled)"),
             N_("password (stored scrambled)"), N_("hashed passwords"),
             "signin", ("change_password", "no_reuse", "two_step"), True, absent=N_("password"),
             in_risk=N_("password"), absent_noun=N_("passwords")),
    Category("password_plaintext", N_("your password"), N_("password"), N_("passwords in readable form"),
             "signin", ("change_password", "no_reuse", "two_step"), True),
    Category("security_answers", N_("the answers to your security questions"),
             N_("answers to your security questions"), N_("answers to security questions"), "signin",
             ("change_security_answers",), True),
    Category("session_token", N_("sign-in data that keeps you signed in on a device"),
             N_("sign-in data that keeps you signed in"), N_("session tokens"), "signin",
             ("review_activity",)),
    Category("membership_number", N_("your membership number"), N_("membership number"),
             N_("membership numbers"), "account"),
    Category("payment_card_partial", N_("part of your card number"), N_("part of your card number"),
             N_("partial payment card numbers"), "payment", ("phishing",),
             absent=N_("any part of your card number"), risk_group="account",
             in_risk=N_("part of your card number")),
    Category("payment_card_number", N_("your full payment card number"), N_("full card number"),
             N_("full payment card numbers"), "payment", ("call_bank", "check_statements"), True,
             absent=N_("card number"), absent_noun=N_("card numbers")),
    Category("cvv", N_("your card security code (CVV)"), N_("card security code (CVV)"),
             N_("card security codes (CVV)"), "payment", ("call_bank", "check_statements"), True),
    Category("bank_account", N_("your bank details"), N_("bank details"), N_("bank account details"),
             "payment", ("watch_debits",), True),
    Category("order_history", N_("the orders you placed"), N_("details of your orders"),
             N_("order details"), "account", ("phishing",)),
    Category("transaction_history", N_("your purchase history"), N_("purchase history"),
             N_("purchase histories"), "account", ("phishing",)),
    Category("health", N_("information about your health or care"),
             N_("information about your health or care"), N_("health information"), "health",
             ("check_care_statements",)),
    Category("ip_address", N_("IP addresses used to reach our service"),
             N_("IP addresses used to reach our service"), N_("IP addresses"), "technical"),
)}

#: Categories that together call for advice none of them calls for alone (and so, in a
#: no_action_needed notice, for action).
COMBINATIONS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"name", "date_of_birth", "postal_address"}), "identity_fraud"),
)

#: Data that is part of a card number: beside it, 'Not involved' names the full number.
_PARTIAL = frozenset({"payment_card_partial"})
#: Advice said once for several: fake emails and scam calls are one warning, not two.
MERGED_ADVICE: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"phishing", "scam_calls"}), "scam_messages"),
    (frozenset({"scam_messages", "scam_letters"}), "scam_any"),
    (frozenset({"phishing", "scam_letters"}), "scam_mail"),
    (frozenset({"scam_calls", "scam_letters"}), "scam_calls_letters"),
)
#: The channels each warning about fake messages covers (a regulator's list keeps the widest).
SCAM_CHANNELS = {
    "phishing": frozenset({"email"}), "scam_calls": frozenset({"phone"}),
    "scam_letters": frozenset({"post"}), "scam_messages": frozenset({"email", "phone"}),
    "scam_mail": frozenset({"email", "post"}), "scam_calls_letters": frozenset({"phone", "post"}),
    "scam_any": frozenset({"email", "phone", "post"}),
}
PASSWORD_CATEGORIES = frozenset({"password_hash", "password_plaintext"})
PASSWORD_ADVICE = ("change_password", "no_reuse", "two_step")
#: Data that can be used to steal an identity or money: brings in each country's guidance.
IDENTITY_RISK = frozenset({"ssn", "drivers_license", "passport", "tax_id", "government_id",
                           "bank_account", "payment_card_number", "cvv"})

ADVICE: dict[str, Advice] = {a.id: a for a in (
    Advice("change_password", N_("Change your password"),
           N_("Type our address into your browser, or open our app, and set a new password there. "
           "Do not use a link in an email to do this, even one that looks like ours.")),
    Advice("no_reuse", N_("Change it anywhere else you used it"),
           N_("If you used the same password for any other account, change it there too. Use a "
           "different password for each account so that one leak cannot open the others.")),
    Advice("two_step", N_("Turn on two-step verification"),
           N_("Where a service offers two-step verification, switch it on. It asks for a code as "
           "well as your password, so a password alone is not enough to get in.")),
    Advice("change_security_answers", N_("Change your security questions"),
           N_("Sign in and choose new security questions and answers. If the same answers protect "
           "other accounts, change them there too.")),
    Advice("phishing", N_("Watch out for fake emails"),
           N_("Criminals may send emails that pretend to be from us. We will never ask you by email "
           "for your password or your card details. If an email asks for them, or pushes you to "
           "act fast, do not reply and do not click its links.")),
    Advice("scam_calls", N_("Be wary of calls and texts"),
           N_("Unexpected calls or texts that mention us may be scams. We will never call or text "
           "to ask for your password or a one-time code. If in doubt, hang up and call us back on "
           "the number on our website.")),
    Advice("scam_messages", N_("Watch out for fake emails, texts and calls"),
           N_("Criminals may pretend to be us. We will never ask for your password, your card "
           "details or a one-time code by email, text or phone. If a message asks for them, or "
           "pushes you to act fast, do not reply or click its links; if a caller does, hang up "
           "and call us on the number on our website.")),
    Advice("scam_letters", N_("Be wary of letters"),
           N_("Letters that mention us and ask you to pay, call a number or give personal details "
           "may be scams. If in doubt, contact us using the details on our website.")),
    Advice("scam_mail", N_("Watch out for fake emails and letters"),
           N_("Criminals may send emails or letters that pretend to be from us. We will never ask "
           "you for your password or your card details by email or post. If a message asks for "
           "them, or pushes you to act fast, do not reply and do not click its links.")),
    Advice("scam_calls_letters", N_("Be wary of calls, texts and letters"),
           N_("Unexpected calls, texts or letters that mention us may be scams. We will never ask "
           "for your password or a one-time code by phone, text or post. If in doubt, hang up "
           "and call us back on the number on our website.")),
    Advice("scam_any", N_("Watch out for fake emails, texts, calls and letters"),
           N_("Criminals may pretend to be us. We will never ask for your password, your card "
           "details or a one-time code by email, text, phone or post. If a message asks for "
           "them, or pushes you to act fast, do not reply or click its links; if a caller does, "
           "hang up and call us on the number on our website.")),
    Advice("call_bank", N_("Call your bank or card provider"),
           N_("Call the number on the back of your card and tell them your card details may have "
           "been exposed. They can block the card and send you a new one.")),
    Advice("check_statements", N_("Check your card statements"),
           N_("Look through your card statements for payments you do not recognise, and tell your "
           "bank or card provider about any you find.")),
    Advice("watch_debits", N_("Watch for unknown debits"),
           N_("Check your bank account for direct debits or payments you did not set up, and tell "
           "your bank straight away if you see one.")),
    Advice("credit_freeze", N_("Think about a fraud alert or a security freeze"),
           N_("A fraud alert asks lenders to check that it is really you before they open credit. A "
           "security freeze stops anyone opening credit in your name until you lift it. Both are "
           "free.")),
    Advice("replace_license", N_("Ask the office that issued your license"),
           N_("Contact the agency that issued your driver's license or ID card, tell them the number "
           "may have been exposed, and ask whether you should get a new one.")),
    Advice("replace_passport", N_("Watch for misuse of your passport number"),
           N_("A passport number alone cannot be used to travel, but it can help someone pretend to "
           "be you. Watch for letters or emails about accounts you did not open. If you think "
           "someone is using your passport details, tell the passport office of the country "
           "that issued it.")),
    Advice("tax_identity", N_("Protect your tax account"),
           N_("Ask your tax authority how to stop someone filing a return in your name. In the US, "
           "the IRS gives an Identity Protection PIN at https://www.irs.gov/ippin.")),
    Advice("replace_document", N_("Think about replacing the document"),
           N_("Ask the office that issued your identity document how to report it and get a "
           "replacement, and tell them it may have been exposed.")),
    Advice("identity_fraud", N_("Look out for identity fraud"),
           N_("Watch for letters or emails about credit, loans or accounts you did not apply for, "
           "and tell the lender straight away if one arrives.")),
    Advice("check_care_statements", N_("Check statements about your care"),
           N_("Look at statements from your insurer or care provider for treatment you did not "
           "receive, and tell them about anything you do not recognise.")),
    Advice("review_activity", N_("Check your account's recent activity"),
           N_("Sign in and look at your recent activity and saved details. If you see anything you "
           "do not recognise, change your password and sign out of your other devices.")),
)}

#: What a service provider's readers are told instead (they have no account with it): the
#: organisation they dealt with is the one criminals will pretend to be. "{org}" is it.
FOR_ANOTHER: dict[str, Advice] = {a.id: a for a in (
    Advice("phishing", N_("Watch out for fake emails"),
           N_("Criminals may send emails that pretend to be from {org} or from us. Do not give "
           "personal or payment details in reply to an email about this incident; if in doubt, "
           "contact {org} on the number you already have.")),
    Advice("scam_calls", N_("Be wary of calls and texts"),
           N_("Unexpected calls or texts about this incident may be scams. If in doubt, hang up and "
           "call {org} on the number you already have.")),
    Advice("scam_messages", N_("Watch out for fake emails, texts and calls"),
           N_("Criminals may pretend to be {org} or us. Do not give personal or payment details in "
           "reply to a message or call about this incident; if in doubt, contact {org} on the "
           "number you already have.")),
    Advice("scam_letters", N_("Be wary of letters"),
           N_("Letters about this incident that ask you to pay, call a number or give personal "
           "details may be scams. If in doubt, contact {org} on the number you already have.")),
    Advice("scam_mail", N_("Watch out for fake emails and letters"),
           N_("Criminals may send emails or letters that pretend to be from {org} or from us. Do "
           "not give personal or payment details in reply to one about this incident; if in "
           "doubt, contact {org} on the number you already have.")),
    Advice("scam_calls_letters", N_("Be wary of calls, texts and letters"),
           N_("Unexpected calls, texts or letters about this incident may be scams. If in doubt, "
           "contact {org} on the number you already have.")),
    Advice("scam_any", N_("Watch out for fake emails, texts, calls and letters"),
           N_("Criminals may pretend to be {org} or us. Do not give personal or payment details in "
           "reply to a message, call or letter about this incident; if in doubt, contact {org} "
           "on the number you already have.")),
)}

#: Each country's own help, for readers whose data could be used to steal their identity or
#: money (Singapore's also for scam messages): (advice, which readers).
COUNTRY_ADVICE: dict[str, tuple[Advice, ...]] = {
    "US": (
        Advice("us_credit_reports", N_("Check your credit reports"),
               N_("You can get your credit report free from each of the three credit bureaus at "
               "https://www.annualcreditreport.com or on 1-877-322-8228. Look for accounts you "
               "did not open.")),
        Advice("us_ftc", N_("Report identity theft to the FTC"),
               N_("If someone uses your information, report it to the Federal Trade Commission at "
               "https://www.identitytheft.gov or on 1-877-438-4338. It gives you a recovery "
               "plan.")),
    ),
    "GB": (
        Advice("uk_report_fraud", N_("Report fraud"),
               N_("If someone uses your details to commit fraud, report it to Report Fraud at "
               "https://www.reportfraud.police.uk or on 0300 123 2040. In Scotland, call Police "
               "Scotland on 101.")),
        Advice("uk_credit_file", N_("Check your credit file"),
               N_("Experian, Equifax and TransUnion each let you see your credit file free of "
               "charge. Look for accounts or searches you do not recognise.")),
    ),
    "AU": (
        Advice("au_idcare", N_("Get free help from IDCARE"),
               N_("IDCARE (https://www.idcare.org), Australia and New Zealand's identity and cyber "
               "support service, can help you work out what to do, free of charge.")),
    ),
    "CA": (
        Advice("ca_antifraud", N_("Report fraud"),
               N_("If someone uses your information, report it to the Canadian Anti-Fraud Centre at "
               "https://antifraudcentre-centreantifraude.ca or on 1-888-495-8501, and ask "
               "Equifax Canada and TransUnion Canada to add a fraud alert to your credit file.")),
    ),
    "SG": (
        Advice("sg_scamshield", N_("Check before you act"),
               N_("If a call or message about this incident seems odd, check it with the ScamShield "
               "Helpline on 1799 or at https://www.scamshield.gov.sg before you do anything.")),
    ),
}
#: Countries whose advice also follows contact data (scam calls and messages).
_SCAM_ADVICE = frozenset({"SG"})
#: Help whose service changed: the day its current form began, and what a notice dated
#: before that day gives instead. Action Fraud became Report Fraud on 4 December 2025 (same
#: number); Singapore's ScamShield Helpline 1799 and its website replaced the National Crime
#: Prevention Council's Anti-Scam Helpline and ScamAlert site on 27 September 2024.
EARLIER_ADVICE: dict[str, tuple[date, Advice]] = {
    "uk_report_fraud": (date(2025, 12, 4), Advice(
        "uk_report_fraud", N_("Report fraud"),
        N_("If someone uses your details to commit fraud, report it to Action Fraud at "
           "https://www.actionfraud.police.uk or on 0300 123 2040. In Scotland, call Police "
           "Scotland on 101."))),
    "sg_scamshield": (date(2024, 9, 27), Advice(
        "sg_scamshield", N_("Check before you act"),
        N_("If a call or message about this incident seems odd, check it with the Anti-Scam "
           "Helpline on 1800 722 6688 or at https://www.scamalert.sg before you do anything."))),
}


def as_of(advice: Iterable[Advice], day: date | None, translator: Any = None) -> list[Advice]:
    """Return the advice as it stood on ``day`` (the notice date): a service that did not yet
    exist is given in the form it had then, in the ``translator``'s language (a
    ``notifier.i18n.Translator``; None: the English source)."""
    if day is None:
        return list(advice)
    out = []
    for a in advice:
        since, before = EARLIER_ADVICE.get(a.id, (None, None))
        if since is not None and before is not None and day < since:
            a = before if translator is None else _translated_entry(before, translator)
        out.append(a)
    return out


def reviewed_domains() -> frozenset[str]:
    """Return the host names of the addresses the advice tables give readers (the FTC, the
    credit bureaus' report site, Report Fraud ...): reviewed here, so links may point to them."""
    import re

    texts = [a.text for a in ADVICE.values()]
    texts += [a.text for items in COUNTRY_ADVICE.values() for a in items]
    texts += [a.text for _since, a in EARLIER_ADVICE.values()]
    hosts = re.findall(r"https://([a-z0-9.-]*[a-z0-9])", " ".join(texts))
    return frozenset(h.removeprefix("www.") for h in hosts)


def country_of(code: str) -> str:
    """Return the country of a jurisdiction code ('US-CA' -> 'US')."""
    return code.split("-", 1)[0]


class _Translated(Mapping[str, Any]):
    """A table of categories or advice in a reader's language: each entry translated through
    the catalogs when it is first asked for (a notice uses a few; an unused entry is never
    looked up, so a notice is never blamed for a missing translation it does not show)."""

    def __init__(self, table: Mapping[str, Any], translator: Any) -> None:
        self._table = table
        self._translator = translator
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._done:
            self._done[key] = _translated_entry(self._table[key], self._translator)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


#: Built-in entries already translated, per catalogs read: (catalogs, entry) -> (the entry in
#: that language, the messages its catalogs lacked). A notice asks for the same few entries
#: again and again; the messages a catalog lacks are still recorded on every translator.
_TRANSLATED: dict[tuple[tuple[int, ...], bool, int], tuple[Any, Any, tuple[str, ...]]] = {}


def _translated_entry(entry: Any, translator: Any) -> Any:
    """Return a built-in entry in the translator's language (from the cache when known)."""
    if (entry.group == "custom") if isinstance(entry, Category) else ("." in entry.id):
        return entry  # a sheet's own: in the reader's language already
    key = (tuple(id(c) for c in translator.catalogs), translator.source, id(entry))
    found = _TRANSLATED.get(key)
    if found is None or not all(a is b for a, b in zip(found[0], translator.catalogs,
                                                         strict=True)):
        before = len(translator.missing)
        done = _translated(entry, translator.gettext)
        found = _TRANSLATED[key] = (translator.catalogs, done,
                                    tuple(translator.missing[before:]))
    for message in found[2]:
        if message not in translator.missing:
            translator.missing.append(message)
    return found[1]


def _translated(entry: Any, translate: Any) -> Any:
    """Return a Category or Advice with its words in the translator's language (a sheet's own
    category is already in it: its words come from the sheet)."""
    def t(text: str) -> str:
        return translate(text) if text else text

    if isinstance(entry, Category):
        if entry.group == "custom":
            return entry
        return replace(entry, label=t(entry.label), short=t(entry.short), noun=t(entry.noun),
                       absent=t(entry.absent), in_risk=t(entry.in_risk),
                       absent_noun=t(entry.absent_noun))
    if "." in entry.id:  # a sheet's own advice
        return entry
    return Advice(entry.id, t(entry.title), t(entry.text))


@dataclass(frozen=True)
class Vocabulary:
    """The categories and advice one sheet can use: the built-in ones and the sheet's own,
    in one locale's words (``localized``; the English source by default)."""

    categories: Mapping[str, Category] = field(default_factory=lambda: CATEGORIES)
    advice: Mapping[str, Advice] = field(default_factory=lambda: ADVICE)
    locale: str = "en-GB"
    #: The locale's ``notifier.i18n.Translator`` (None: the English source).
    translator: Any = None

    def __getitem__(self, category: str) -> Category:
        return self.categories[category]

    def translate(self, message: str) -> str:
        """Return a built-in message in this vocabulary's locale."""
        return self.translator.gettext(message) if self.translator is not None else message

    @property
    def english(self) -> bool:
        """True when the words are English (the source, or en-US's spellings)."""
        return self.locale.split("-")[0].lower() == "en"

    def localized(self, translator: Any) -> Vocabulary:
        """Return this vocabulary in a translator's locale (``notifier.i18n.Translator``)."""
        if translator is None:
            return self
        return Vocabulary(_Translated(self.categories, translator),
                          _Translated(self.advice, translator), translator.locale, translator)

    def group_label(self, group: str) -> str:
        """Return a group's label in this locale ('Contact details')."""
        return self.translate(GROUPS.get(group, _CUSTOM_GROUP)[0])

    def group_of(self, category: str) -> str:
        """Return the group a category is listed in."""
        return self.categories[category].group

    def absent_short(self, category: str, *, full: bool = False) -> str:
        """Return a category's name in a 'Not involved' list ('card number'; 'full card
        number' beside part of a card number that was involved)."""
        c = self.categories[category]
        if category == "payment_card_number" and full:
            return c.short
        return c.absent or c.short

    def labels(self, categories: Iterable[str]) -> list[str]:
        """Return the reader-facing names of data categories, in the order given."""
        return [self.categories[c].label for c in categories]

    def nouns(self, categories: Iterable[str]) -> list[str]:
        """Return the third-person names of data categories (for reports to regulators)."""
        return [self.categories[c].noun for c in categories]

    def risk_group(self, category: str) -> str:
        """Return the group whose risk a category carries (partial card details: a scam's)."""
        c = self.categories[category]
        return c.risk_group or c.group

    def groups(self, categories: Iterable[str], *,
               for_risks: bool = False) -> list[tuple[str, list[str]]]:
        """Return (group label, category ids) for each group present, in the groups' order."""
        cats = list(dict.fromkeys(categories))
        found: dict[str, list[str]] = {}
        for c in cats:
            found.setdefault(self.risk_group(c) if for_risks else self.categories[c].group,
                             []).append(c)
        order = [*GROUPS, "custom"]
        return [(self.group_label(g), found[g])
                for g in sorted(found, key=lambda g: order.index(g) if g in order else len(order))]

    def items(self, categories: Iterable[str], whose: str = "", *, absent: bool = False,
              reached: Iterable[str] = (), third_person: bool = False) -> list[str]:
        """Return the data as labelled lines, one a group: 'Contact details: your name and
        email address'. ``whose`` ('your patients') speaks of other people's data, in one
        line: "Your patients' names and dates of birth"; ``absent``
        names data that was not involved, beside the data that was (``reached``): 'your card
        number' when no part of it was involved, 'your full card number' when part was."""
        if not self.english:
            from notifier import wording

            return wording.items(self, categories, whose, absent=absent, reached=reached,
                                 third_person=third_person)
        data = list(categories)
        if whose and data:  # one line: the owner named once, not once a group
            ordered = [c for _label, group in self.groups(data) for c in group]
            phrase = self.phrase(ordered, whose, absent=absent)
            return [phrase[0].upper() + phrase[1:]]
        if third_person:  # for a regulator: 'Contact details: names and email addresses'
            return [f"{label}: {fields(self.nouns(cats), '')}"
                    for label, cats in self.groups(data)]
        full = absent and bool(set(reached) & _PARTIAL)
        out = []
        for label, cats in self.groups(data):
            phrase = self.phrase(cats, absent=absent)
            if full:
                phrase = phrase.replace("card number", "full card number")
            out.append(f"{label}: {phrase}")
        return out

    def phrase(self, categories: Sequence[str], whose: str = "", *, absent: bool = False,
               risk: bool = False) -> str:
        """Return categories as one phrase: 'your name, email address and phone number'."""
        if not self.english:
            from notifier import wording

            return wording.phrase(self, categories)
        cats = [self.categories[c] for c in categories]
        if whose:
            owner = whose + ("'" if whose.endswith("s") else "'s")
            return f"{owner} {fields([(c.absent_noun if absent else '') or c.noun for c in cats], 'their')}"
        if risk:
            items = [c.in_risk or c.short for c in cats]
            if cats[0].label.startswith("your "):
                return "your " + fields(items)
            return join([cats[0].in_risk or cats[0].label, *items[1:]])
        shorts = [(c.absent or c.short) if absent else c.short for c in cats]
        first = cats[0]
        if len(cats) == 1:
            return (f"your {shorts[0]}" if absent and first.absent and not shorts[0].startswith(
                ("your ", "any ")) else (shorts[0] if absent and first.absent else first.label))
        if first.label.startswith("your "):
            return "your " + fields(shorts)
        return join([first.label, *shorts[1:]])

    def risks(self, categories: Iterable[str], whose: str = "", *,
              third_person: bool = False, trusted: str = "us",
              possible: Iterable[str] = ()) -> list[str]:
        """Return one sentence a group of the data involved: what could happen with it.

        ``third_person`` writes for a regulator ('the people affected'); ``whose`` for readers
        told about other people's data ('your patients'); ``trusted`` is who a scam message
        would pretend to be ('us', or the organisation a service provider acts for). Contact
        data risks only the channels it opens: an email address, fake emails; a name alone,
        nothing. A group whose data only ``possible`` lists (may have been involved) is said
        as a condition: 'If your passport number was involved, someone could use it ...'.
        """
        if not self.english:
            from notifier import wording

            return wording.risks(self, categories, whose, third_person=third_person,
                                 trusted="" if trusted == "us" else trusted, possible=possible)
        return self._english_risks(categories, whose, third_person=third_person, trusted=trusted,
                                   possible=possible)

    def _english_risks(self, categories: Iterable[str], whose: str, *, third_person: bool,
                       trusted: str, possible: Iterable[str]) -> list[str]:
        """``risks`` in English, built with English grammar (see ``risks``)."""
        cats = list(dict.fromkeys(categories))
        maybe = set(possible)
        combined = bool(self.combined_action(cats))
        out = []
        for _label, members in self.groups(cats, for_risks=True):
            group = self.risk_group(members[0])
            template = (self.translate(GROUPS[group][2 if third_person or whose else 1])
                        if group in GROUPS else "")
            if not template:  # the sheet's own categories carry their own risk
                out += [self.categories[c].risk for c in members if self.categories[c].risk]
                continue
            channels = [w for c in members for w in CHANNELS.get(c, ())]
            if group == "contact" and not channels:
                continue
            if "payment_card_number" in members and "payment_card_partial" in members:
                members = [c for c in members if c != "payment_card_partial"]  # the full number says it
            sole = members[0] if len(members) == 1 else ""
            if sole in SOLE_RISKS and not (sole == "date_of_birth" and combined):
                # a date of birth alone opens no credit; a hashed password must be cracked
                template = SOLE_RISKS[sole][2 if third_person or whose else 1]
            items = (fields(self.nouns(members), "the") if third_person
                     else self.phrase(members, whose, risk=True))
            if group == "contact" and len(members) > 1:  # the list is just above: name it once
                owner = (whose + ("'" if whose.endswith("s") else "'s")) if whose else "your"
                items = "the contact details" if third_person else f"{owner} contact details"
            conditional = bool(maybe) and set(members) <= maybe
            if conditional:  # 'If your passport number was involved, someone could use it'
                lead, items = _condition(members, items, subject=template.startswith("{items}"))
            if whose:  # 'your patients' names ... could send them scam emails'
                template = (template.replace("the names of {people}", "their names")
                            .replace("the accounts of {people}", "their accounts")
                            .replace("{people}", "them"))
            text = (template.replace("{items}", items)
                    .replace("{people}", "the people affected")
                    .replace("{channels}", join(channels, "or"))
                    .replace("{trusted}", trusted))
            if conditional:
                text = lead + text[0].lower() + text[1:]
            out.append(text[0].upper() + text[1:])
        return out

    def calls_for_action(self, categories: Iterable[str]) -> list[str]:
        """Return the categories, in order, that call for the reader to act."""
        return [c for c in categories if self.categories[c].calls_for_action]

    def combined_action(self, categories: Iterable[str]) -> list[str]:
        """Return the combinations present ('date_of_birth + name + postal_address') whose
        advice calls for the reader to act, though no category of them does alone."""
        involved = set(categories)
        return [" + ".join(sorted(combo)) for combo, _ in COMBINATIONS if combo <= involved]

    def high_risk(self, categories: Iterable[str], misuse: str = "none_known") -> bool:
        """True when the data (or suspected or confirmed misuse) is likely to harm the readers:
        what the risk-based laws (GDPR, UK GDPR, Australia, Canada) make a duty to tell."""
        data = list(categories)
        return bool(self.calls_for_action(data) or "health" in data
                    or self.combined_action(data) or misuse != "none_known")

    def advice_for(self, categories: Iterable[str], *, precautionary_reset: bool = False,
                   jurisdictions: Iterable[str] = ()) -> list[Advice]:
        """Return the advice the data calls for, in table order, each piece once, then each
        country's own help for its readers.

        Args:
            categories: the data categories involved (or possibly involved) for the audience.
            precautionary_reset: the sheet asks for a password reset as a precaution, so the
                password advice applies even though no password data was involved.
            jurisdictions: the audience's places, for each country's own help.
        """
        involved = list(dict.fromkeys(categories))
        wanted: set[str] = set()
        for cat in involved:
            wanted.update(self.categories[cat].advice)
        for combo, advice_id in COMBINATIONS:
            if combo <= set(involved):
                wanted.add(advice_id)
        if precautionary_reset:
            wanted.update(PASSWORD_ADVICE)
        for parts, merged in MERGED_ADVICE:
            if parts <= wanted and merged in self.advice:
                wanted = (wanted - parts) | {merged}
        found = [self.advice[key] for key in self.advice if key in wanted]
        return found + self.country_advice(involved, jurisdictions)

    def country_advice(self, categories: Sequence[str], jurisdictions: Iterable[str]) -> list[Advice]:
        """Return each of the readers' countries' own help, where their data calls for it."""
        data = set(categories)
        identity = bool(data & IDENTITY_RISK) or bool(self.combined_action(data))
        contact = bool(data & {"email", "phone"})
        out: list[Advice] = []
        for country in dict.fromkeys(country_of(j) for j in jurisdictions):
            if identity or (contact and country in _SCAM_ADVICE):
                # The country's help in the reader's language; its bodies keep their names.
                out += [_translated_entry(a, self.translator) if self.translator is not None
                        else a for a in COUNTRY_ADVICE.get(country, ())]
        return out


BUILTIN = Vocabulary()


def vocabulary_for(custom: Iterable[Any]) -> Vocabulary:
    """Return the built-in vocabulary with a sheet's own categories (``CustomCategory``) added."""
    extra = list(custom)
    if not extra:
        return BUILTIN
    categories = dict(CATEGORIES)
    advice = dict(ADVICE)
    for c in extra:
        ids = []
        for i, item in enumerate(c.advice):
            advice_id = f"{c.id}.{i}"
            advice[advice_id] = Advice(advice_id, item.title, item.text)
            ids.append(advice_id)
        categories[c.id] = Category(c.id, c.label, c.label.removeprefix("your "), c.noun,
                                    "custom", tuple(ids), c.calls_for_action, c.risk)
    return Vocabulary(categories, advice)


def _condition(members: Sequence[str], items: str, *, subject: bool) -> tuple[str, str]:
    """Return the 'If ... was involved, ' lead for data that may have been involved, and the
    pronoun that then stands for it ('they' as the subject, else 'them'; 'it' for one)."""
    plural = len(members) > 1 or bool(set(members) & _PLURAL_LABELS) or (
        items.endswith(("details", "s")) and not items.endswith("ss"))  # address
    pronoun = ("they" if subject else "them") if plural else "it"
    return f"If {items} {'were' if plural else 'was'} involved, ", pronoun


def fields(items: Sequence[str], owner: str = "your") -> str:
    """Join data fields as a reader reads them, and as no spam filter reads a form to fill in.

    A run of field names with only commas and 'and' between them ('your name, email address,
    phone number and postal address') is what SpamAssassin's FILL_THIS_FORM_LONG scores as a
    phishing form (measured: 2 points; 'name, email address and postal address' is enough).
    Two fields join as usual; more go in pairs: 'name and email address, as well as your
    phone number and postal address' (a pair never holds more than four field words).
    ``owner`` starts each further pair ('your', or 'their' after "Your patients' ...", or
    none in a regulator's plain list).
    """
    items = list(items)
    if len(items) <= 2:
        return join(items)
    pairs = [join(items[i:i + 2]) for i in range(0, len(items), 2)]
    lead = f"{owner} " if owner else ""
    return f"{pairs[0]}, as well as {lead}" + f", and {lead}".join(pairs[1:])


def join(items: Sequence[str], conjunction: str = "and") -> str:
    """Join ['a', 'b', 'c'] as 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


# The built-in vocabulary, as module functions (the tests and docs use them).
def labels(categories: Iterable[str]) -> list[str]:
    """Return the reader-facing names of built-in data categories."""
    return BUILTIN.labels(categories)


def nouns(categories: Iterable[str]) -> list[str]:
    """Return the third-person names of built-in data categories."""
    return BUILTIN.nouns(categories)


def risks(categories: Iterable[str]) -> list[str]:
    """Return the risks of built-in data categories, one sentence a group."""
    return BUILTIN.risks(categories)


def calls_for_action(categories: Iterable[str]) -> list[str]:
    """Return the built-in categories, in order, that call for the reader to act."""
    return BUILTIN.calls_for_action(categories)


def combined_action(categories: Iterable[str]) -> list[str]:
    """Return the combinations present whose advice calls for action."""
    return BUILTIN.combined_action(categories)


def high_risk(categories: Iterable[str], misuse: str = "none_known") -> bool:
    """True when built-in data (or misuse) makes the breach likely to harm the readers."""
    return BUILTIN.high_risk(categories, misuse)


def advice_for(categories: Iterable[str], *, precautionary_reset: bool = False,
               jurisdictions: Iterable[str] = ()) -> list[Advice]:
    """Return the advice built-in data calls for (see ``Vocabulary.advice_for``)."""
    return BUILTIN.advice_for(categories, precautionary_reset=precautionary_reset,
                              jurisdictions=jurisdictions)


def advice_table_markdown() -> str:
    """Return the advice tables as Markdown, for docs/advice.md."""
    rows = ["| category | shown as | group | advice | calls for action |",
            "| --- | --- | --- | --- | --- |"]
    for c in CATEGORIES.values():
        rows.append(f"| `{c.id}` | {c.label} | {GROUPS[c.group][0]} | {', '.join(c.advice) or '-'} "
                    f"| {'yes' if c.calls_for_action else 'no'} |")
    rows += ["", "| group | risk (said once for the group's data) |", "| --- | --- |"]
    rows += [f"| {label} | {risk} |" for label, risk, _them in GROUPS.values()]
    rows += ["", "| combination | advice |", "| --- | --- |"]
    rows += [f"| {' + '.join(sorted(combo))} | {a} |" for combo, a in COMBINATIONS]
    rows += ["", "| advice due together | said once as |", "| --- | --- |"]
    rows += [f"| {' + '.join(sorted(parts))} | {a} |" for parts, a in MERGED_ADVICE]
    rows += ["", "| advice | title | text |", "| --- | --- | --- |"]
    rows += [f"| `{a.id}` | {a.title} | {a.text} |" for a in ADVICE.values()]
    rows += ["", "| country | advice | title | text |", "| --- | --- | --- | --- |"]
    rows += [f"| {country} | `{a.id}` | {a.title} | {a.text} |"
             for country, items in COUNTRY_ADVICE.items() for a in items]
    rows += ["", "| advice | in notices dated before | text |", "| --- | --- | --- |"]
    rows += [f"| `{a.id}` | {since.isoformat()} | {a.text} |"
             for since, a in EARLIER_ADVICE.values()]
    return "\n".join(rows) + "\n"
