"""The advice table: each data category calls for exactly its advice."""

from __future__ import annotations

import pytest

from notifier.advice import ADVICE, CATEGORIES, advice_for, calls_for_action
from notifier.model import DATA_CATEGORIES


def ids(categories: list[str], **kw: bool) -> list[str]:
    return [a.id for a in advice_for(categories, **kw)]


@pytest.mark.parametrize(("categories", "expected"), [
    (["password_hash"], ["change_password", "no_reuse", "two_step"]),
    (["password_plaintext"], ["change_password", "no_reuse", "two_step"]),
    (["email"], ["phishing"]),
    (["phone"], ["scam_calls"]),
    (["payment_card_partial"], ["phishing"]),  # a scam prop, not a way to pay
    (["payment_card_number"], ["check_statements", "call_bank"]),
    (["cvv"], ["check_statements", "call_bank"]),
    (["bank_account"], ["watch_debits"]),
    (["government_id"], ["replace_document"]),
    (["security_answers"], ["change_security_answers"]),
    (["name", "date_of_birth", "postal_address"], ["scam_letters", "identity_fraud"]),
    (["postal_address"], ["scam_letters"]),  # letters are a scam channel too
    (["email", "postal_address"], ["scam_mail"]),  # one warning, both channels
    (["email", "phone", "postal_address"], ["scam_any"]),
    (["name", "date_of_birth"], []),  # no address: no identity-fraud advice
    (["name", "membership_number", "ip_address"], []),
    (["order_history"], ["phishing"]),  # order details make a fake email look genuine
])
def test_each_category_gets_exactly_its_advice(categories: list[str], expected: list[str]) -> None:
    assert sorted(ids(categories)) == sorted(expected)


def test_advice_is_given_once_in_table_order() -> None:
    got = ids(["cvv", "payment_card_number", "email", "password_hash"])
    assert got == [a for a in ADVICE if a in got]
    assert len(got) == len(set(got))


def test_precautionary_reset_adds_password_advice_without_password_data() -> None:
    assert ids(["email"], precautionary_reset=True) == ["change_password", "no_reuse",
                                                        "two_step", "phishing"]


def test_vocabulary_and_table_agree() -> None:
    assert set(CATEGORIES) == set(DATA_CATEGORIES)
    for category in CATEGORIES.values():
        assert set(category.advice) <= set(ADVICE)


def test_categories_that_call_for_action() -> None:
    assert calls_for_action(DATA_CATEGORIES) == [
        "password_hash", "password_plaintext", "security_answers", "payment_card_number",
        "cvv", "bank_account", "ssn", "drivers_license", "passport", "tax_id", "government_id"]


def test_phishing_advice_says_we_never_ask_for_the_password_by_email() -> None:
    assert "We will never ask you by email for your password" in ADVICE["phishing"].text


def test_docs_advice_table_is_current() -> None:
    from pathlib import Path

    from notifier.advice import advice_table_markdown

    docs = (Path(__file__).resolve().parent.parent / "docs" / "advice.md").read_text(encoding="utf-8")
    assert advice_table_markdown() in docs


def test_a_scam_pretends_to_be_the_organisation_the_readers_know() -> None:
    from notifier.advice import BUILTIN

    (risk,) = BUILTIN.risks(["name", "email"], trusted="Riverside Dental Group")
    assert risk.endswith("could send you scam emails that look as if they come from Riverside "
                         "Dental Group.")
    (theirs,) = BUILTIN.risks(["email"], "your patients")
    assert theirs == ("Someone who has your patients' email addresses could send them scam "
                      "emails that look as if they come from us.")


def test_a_possibly_involved_plural_label_agrees_and_its_pronoun_fits_its_place() -> None:
    from notifier.advice import BUILTIN

    (orders,) = BUILTIN.risks(["order_history"], possible=["order_history"])
    assert orders.startswith("If the orders you placed were involved, someone could quote them")
    (ips,) = BUILTIN.risks(["ip_address"], possible=["ip_address"], third_person=True)
    assert ips.startswith("If IP addresses were involved, they reveal little")
    (email,) = BUILTIN.risks(["email"], possible=["email"])
    assert email.startswith("If your email address was involved, someone who has it")


def test_a_regulators_list_keeps_one_warning_per_channel() -> None:
    from notifier.advice import SCAM_CHANNELS

    assert {"scam_any", "scam_mail", "phishing"} <= set(SCAM_CHANNELS)
    assert SCAM_CHANNELS["phishing"] < SCAM_CHANNELS["scam_mail"] < SCAM_CHANNELS["scam_any"]
