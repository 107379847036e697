"""SpamAssassin (Debian's, local rules only) reads every judged message as it is sent.

Each message is the send path's ``.eml`` with a ``To`` and the ``Received`` line of one
relay, scored by ``spamassassin -L -t`` with the rules Debian ships. The table (score per
message, and every rule with points) is printed on every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from judge_support import SpamReport, messages, spam_reports, spam_table

#: The score every bundled message must stay under (spam is 5.0; issue 13 asks for 2.0).
LIMIT = 2.0

#: Rules that fired because of the wording (templates/_copy.j2, _sections.*.j2, advice.py),
#: each with the change that stopped it (issue 13; measured since: 0 points on every judged
#: message). They are kept apart from the rules the headers and markup decide.
WORDING_RULES = {
    "FILL_THIS_FORM_LONG": (
        "the data list reads as a form: five or more form-field nouns in a row with only "
        "punctuation, line breaks, 'and' or 'or' between them ('your name / your email address "
        "/ your phone number / your postal address / ...', SA body rule __FILL_THIS_FORM_LONG2), "
        "and more than four list items that are nothing but a field (__FILL_THIS_FORM_PARTIAL). "
        "The category phrases (advice.py) and the involved / not involved lists "
        "(_sections.mjml.j2, _sections.txt.j2) must give each item words beyond the field "
        "name and never chain more than three field nouns, e.g. 'Contact details: the name, "
        "email address and phone number on your account' / 'Address: the postal address we "
        "deliver to' / 'Password: stored in protected form, not as you typed it' (measured: "
        "0 points; the bare list scores FILL_THIS_FORM_LONG 2.0 + ADVANCE_FEE_2_NEW_FORM 1.0)"),
    "ADVANCE_FEE_2_NEW_FORM": (
        "needs __FILL_THIS_FORM (the data list, above) plus two advance-fee phrases, here 'your "
        "payment' (__YOUR_FUND, from 'part of your payment card details') and 'scam' "
        "(__SCAM, from 'make scam messages look genuine'); the data-list rewording above stops "
        "it (measured), and 'the card details you paid with' / 'fake messages' keep it stopped"),
    "TVD_PH_REC": (
        "'your ... account ... record' within 40 characters each (a phishing phrase), from the "
        "not-involved list 'your bank account details / your full payment card number / "
        "records of your transactions with us' in both co-op reader notices: the category "
        "phrases (advice.py) must not put 'records' after 'your bank account details', e.g. "
        "'your bank details' or 'the history of your purchases with us'"),
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[SpamReport]:
    return spam_reports(Path(tmp_path_factory.mktemp("spamassassin")))


@pytest.fixture(autouse=True, scope="module")
def _print_table(reports: list[SpamReport], request: pytest.FixtureRequest) -> None:
    capman = request.config.pluginmanager.getplugin("capturemanager")
    with capman.global_and_fixture_disabled():
        print("\nSpamAssassin (local rules, with To and one Received line):")
        print(spam_table(reports))


def test_every_judged_message_was_scored(reports: list[SpamReport]) -> None:
    assert [r.name for r in reports] == [m.name for m in messages()]
    assert len([m for m in messages() if m.bundled]) == 21  # 14 of the bundled sheets, 7 of the reader sheets
    # the report parser found rules: every HTML message fires the informational HTML_MESSAGE
    assert all("HTML_MESSAGE" in r.rules for r in reports)


def test_headers_and_markup_trip_no_rule(reports: list[SpamReport]) -> None:
    """Everything the headers and the HTML frame decide scores nothing: no missing To, no
    Reply-To without To, no low-contrast hidden text, no date far from the relay's."""
    fired = {r.name: sorted(set(r.positive) - set(WORDING_RULES)) for r in reports}
    assert {name: rules for name, rules in fired.items() if rules} == {}


def test_every_message_scores_under_the_limit(reports: list[SpamReport]) -> None:
    over = {r.name: r.score for r in reports if r.score >= LIMIT}
    assert over == {}


def test_no_rule_with_points_fires_on_two_messages(reports: list[SpamReport]) -> None:
    seen: dict[str, list[str]] = {}
    for r in reports:
        for rule in r.positive:
            seen.setdefault(rule, []).append(r.name)
    assert {rule: names for rule, names in seen.items() if len(names) > 1} == {}
