"""Facts to advice: one table maps each data category to its risk and to what readers should do.

The table is the single source of advice. A notice shows exactly the advice its audience's
data calls for, in the table's order, and nothing else. ``docs/advice.md`` is generated from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """How a data category is named to readers and what risk it carries."""

    id: str
    label: str  # as it appears in "what was involved": "your name"
    risk: str  # one line, for docs and reviewers
    advice: tuple[str, ...] = ()
    calls_for_action: bool = False  # a reader must act: no "no action needed" notice
    absent: str = ""  # as it appears in "what was not involved", when it differs from label
    noun: str = ""  # in the third person, for regulators: "names", "dates of birth"

    @property
    def not_involved_label(self) -> str:
        """The name used when saying this category was not involved."""
        return self.absent or self.label


@dataclass(frozen=True)
class Advice:
    """One piece of advice: a short title and the sentences under it."""

    id: str
    title: str
    text: str


CATEGORIES: dict[str, Category] = {c.id: c for c in (
    Category("name", "your name", "Names make scam messages look genuine.", noun="names"),
    Category("email", "your email address", "Email addresses can be targeted with phishing "
             "emails.", ("phishing",), noun="email addresses"),
    Category("phone", "your phone number", "Phone numbers can be targeted with scam calls and "
             "texts.", ("scam_calls",), noun="phone numbers"),
    Category("postal_address", "your postal address", "Postal addresses can be targeted with "
             "scam letters.", noun="postal addresses"),
    Category("date_of_birth", "your date of birth", "Dates of birth help criminals pass "
             "identity checks.", noun="dates of birth"),
    Category("username", "your username", "Usernames make guessing attacks on accounts easier.",
             noun="usernames"),
    Category("password_hash", "your password, stored in protected form",
             "Protected passwords can sometimes be cracked, giving access to accounts.",
             ("change_password", "no_reuse", "two_step"), True, "your password",
             noun="passwords in protected (hashed) form"),
    Category("password_plaintext", "your password", "Readable passwords give direct access to "
             "accounts, and to others where they were reused.",
             ("change_password", "no_reuse", "two_step"), True, noun="passwords in readable form"),
    Category("security_answers", "the answers to your security questions",
             "Security answers can be used to take over accounts.",
             ("change_security_answers",), True, noun="answers to security questions"),
    Category("payment_card_partial", "part of your payment card details (not the full number)",
             "Partial card details make scams convincing but cannot be used to pay.",
             ("check_statements",), False, "any part of your payment card details",
             noun="partial payment card details"),
    Category("payment_card_number", "your full payment card number",
             "Full card numbers can be used for fraudulent payments.",
             ("call_bank", "check_statements"), True, noun="full payment card numbers"),
    Category("cvv", "your card security code (CVV)", "Card security codes allow fraudulent "
             "payments online.", ("call_bank", "check_statements"), True,
             noun="card security codes (CVV)"),
    Category("bank_account", "your bank account details", "Bank details can be used to set up "
             "unauthorised direct debits.", ("watch_debits",), True, noun="bank account details"),
    Category("ssn", "your Social Security number", "A Social Security number lets someone "
             "open credit or file a tax return in your name.", ("credit_freeze",), True,
             noun="Social Security numbers"),
    Category("drivers_license", "your driver's license or state ID number", "A driver's license "
             "number helps someone pass identity checks in your name.", ("replace_license",),
             True, noun="driver's license or state ID numbers"),
    Category("passport", "your passport number", "A passport number helps someone pass identity "
             "checks in your name.", ("replace_passport",), True, noun="passport numbers"),
    Category("tax_id", "your taxpayer identification number", "A taxpayer identification number "
             "lets someone file a tax return in your name.", ("tax_identity", "credit_freeze"), True,
             noun="taxpayer identification numbers"),
    Category("government_id", "the number of an identity document you gave us",
             "Identity document details allow identity fraud.", ("replace_document",), True,
             noun="other identity document numbers"),
    Category("health", "information about your health or care",
             "Health information can cause distress if disclosed and allows fraudulent claims "
             "for care.", ("check_care_statements",), noun="health information"),
    Category("order_history", "details of orders you placed with us",
             "Order details make scam messages convincing.", noun="order details"),
    Category("transaction_history", "records of your transactions with us",
             "Transaction records make scam messages convincing.", noun="transaction records"),
    Category("ip_address", "IP addresses used to reach our service",
             "IP addresses reveal little on their own.", noun="IP addresses"),
    Category("session_token", "sign-in data that keeps you signed in on a device",
             "Session data could let someone use an account without the password.",
             ("review_activity",), noun="session tokens"),
    Category("membership_number", "your membership number",
             "Membership numbers make scam messages convincing.", noun="membership numbers"),
)}

#: Categories that together call for advice none of them calls for alone.
COMBINATIONS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"name", "date_of_birth", "postal_address"}), "identity_fraud"),
)

#: Risks that only categories together carry (regulator drafts list them after the others).
COMBINED_RISKS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"name", "date_of_birth", "postal_address"}), "Together, names, dates of birth "
     "and postal addresses allow identity fraud."),
)


def risks(categories: Iterable[str]) -> list[str]:
    """Return the risk of each category, in table order, then those of combinations present."""
    involved = set(categories)
    found = [c.risk for c in CATEGORIES.values() if c.id in involved]
    return found + [risk for combo, risk in COMBINED_RISKS if combo <= involved]


PASSWORD_CATEGORIES = frozenset({"password_hash", "password_plaintext"})
PASSWORD_ADVICE = ("change_password", "no_reuse", "two_step")

ADVICE: dict[str, Advice] = {a.id: a for a in (
    Advice("change_password", "Change your password",
           "Go to our website or app yourself, by typing the address or opening the app, and set "
           "a new password. Do not use a link in an email to do this, even one that looks like "
           "ours."),
    Advice("no_reuse", "Change it anywhere else you used it",
           "If you used the same password for any other account, change it there too. Use a "
           "different password for each account so that one leak cannot open the others."),
    Advice("two_step", "Turn on two-step verification",
           "Where a service offers two-step verification, switch it on. It asks for a code as "
           "well as your password, so a password alone is not enough to get in."),
    Advice("change_security_answers", "Change your security questions",
           "Sign in and choose new security questions and answers. If the same answers protect "
           "other accounts, change them there too."),
    Advice("phishing", "Watch out for fake emails",
           "Criminals may send emails that pretend to be from us. We will never ask for your "
           "password, or your full card details, by email. If an email asks for them, or pushes "
           "you to act fast, do not reply and do not click its links."),
    Advice("scam_calls", "Be wary of calls and texts",
           "Unexpected calls or texts that mention us may be scams. We will never call or text "
           "to ask for your password or a one-time code. If in doubt, hang up and call us back on "
           "the number on our website."),
    Advice("check_statements", "Check your card statements",
           "Look through your card statements for payments you do not recognise, and tell your "
           "bank or card provider about any you find."),
    Advice("call_bank", "Call your bank or card provider",
           "Call the number on the back of your card and tell them your card details may have "
           "been exposed. They can block the card and send you a new one."),
    Advice("watch_debits", "Watch for unknown debits",
           "Check your bank account for direct debits or payments you did not set up, and tell "
           "your bank straight away if you see one."),
    Advice("credit_freeze", "Think about a fraud alert or a security freeze",
           "A fraud alert asks lenders to check that it is really you before they open credit. A "
           "security freeze stops anyone opening credit in your name until you lift it. Both are "
           "free."),
    Advice("replace_license", "Ask the office that issued your license",
           "Contact the agency that issued your driver's license or ID card, tell them the number "
           "may have been exposed, and ask whether you should get a new one."),
    Advice("replace_passport", "Ask the passport office",
           "Tell the office that issued your passport that its number may have been exposed, and "
           "ask whether you should replace it."),
    Advice("tax_identity", "Protect your tax account",
           "Ask your tax authority how to stop someone filing a return in your name. In the US, "
           "the IRS gives an Identity Protection PIN at https://www.irs.gov/ippin."),
    Advice("replace_document", "Think about replacing the document",
           "Ask the office that issued your identity document how to report it and get a "
           "replacement, and tell them it may have been exposed."),
    Advice("identity_fraud", "Look out for identity fraud",
           "With your name, address and date of birth, someone could try to open accounts in "
           "your name. Watch for letters about credit or accounts you did not apply for. A "
           "credit reference agency can show you what has been opened in your name."),
    Advice("check_care_statements", "Check statements about your care",
           "Look at statements from your insurer or care provider for treatment you did not "
           "receive, and tell them about anything you do not recognise."),
    Advice("review_activity", "Check your account's recent activity",
           "Sign in and look at your recent activity and saved details. If you see anything you "
           "do not recognise, change your password and sign out of your other devices."),
)}


def labels(categories: Iterable[str]) -> list[str]:
    """Return the reader-facing names of data categories, in the order given."""
    return [CATEGORIES[c].label for c in categories]


def nouns(categories: Iterable[str]) -> list[str]:
    """Return the third-person names of data categories (for reports to regulators)."""
    return [CATEGORIES[c].noun for c in categories]


def absent_labels(categories: Iterable[str]) -> list[str]:
    """Return the reader-facing names of data categories that were not involved."""
    return [CATEGORIES[c].not_involved_label for c in categories]


def combined_action(categories: Iterable[str]) -> list[str]:
    """Return the combinations present ('name + date_of_birth + postal_address') whose advice
    calls for the reader to act, though no category of them does alone."""
    involved = set(categories)
    return [" + ".join(sorted(combo)) for combo, _ in COMBINATIONS if combo <= involved]


def high_risk(categories: Iterable[str], misuse: str = "none_known") -> bool:
    """True when the data (or suspected or confirmed misuse) is likely to harm the readers:
    what the risk-based laws (GDPR, UK GDPR, Australia, Canada) make a duty to tell."""
    data = list(categories)
    return bool(calls_for_action(data) or "health" in data or combined_action(data)
                or misuse != "none_known")


def calls_for_action(categories: Iterable[str]) -> list[str]:
    """Return the categories, in order, that call for the reader to act."""
    return [c for c in categories if CATEGORIES[c].calls_for_action]


def advice_for(categories: Iterable[str], *, precautionary_reset: bool = False) -> list[Advice]:
    """Return the advice the data categories call for, in table order, each piece once.

    Args:
        categories: the data categories involved for the audience.
        precautionary_reset: the sheet asks for a password reset as a precaution, so the
            password advice applies even though no password data was involved.
    """
    involved = set(categories)
    wanted: set[str] = set()
    for cat in involved:
        wanted.update(CATEGORIES[cat].advice)
    for combo, advice_id in COMBINATIONS:
        if combo <= involved:
            wanted.add(advice_id)
    if precautionary_reset:
        wanted.update(PASSWORD_ADVICE)
    return [a for a in ADVICE.values() if a.id in wanted]


def advice_table_markdown() -> str:
    """Return the advice table as Markdown, for docs/advice.md."""
    rows = ["| category | shown as | risk | advice | calls for action |", "| --- | --- | --- | --- | --- |"]
    for c in CATEGORIES.values():
        rows.append(f"| `{c.id}` | {c.label} | {c.risk} | {', '.join(c.advice) or '-'} | "
                    f"{'yes' if c.calls_for_action else 'no'} |")
    rows += ["", "| combination | advice |", "| --- | --- |"]
    rows += [f"| {' + '.join(sorted(combo))} | {a} |" for combo, a in COMBINATIONS]
    rows += ["", "| advice | title | text |", "| --- | --- | --- |"]
    rows += [f"| `{a.id}` | {a.title} | {a.text} |" for a in ADVICE.values()]
    return "\n".join(rows) + "\n"
