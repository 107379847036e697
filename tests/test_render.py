"""Rendering: the right notice for the facts, refusals, safety of what is rendered."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Page, edited_yaml, sheet_with

from notifier.errors import RenderRefused, SheetError
from notifier.render import TEXT_WIDTH, render_notice, render_sheet
from notifier.sheet import load_sheet
from notifier.templating import make_environment


def test_incident_notice_answers_the_readers_questions_in_order() -> None:
    notice = render_notice(sheet_with(), 0)
    page = Page(notice.html)
    assert [h for level, h in page.headings if level == "h2"] == [
        "What happened", "Your information", "What you can do", "Where to get help"]
    order = [notice.text.index(h) for h in
             ("We are sorry: you trusted us", "What happened", "Your information",
              "What you can do", "Where to get help")]
    assert order == sorted(order)  # the apology comes with the fact, in the first paragraph
    assert notice.subject == "Security incident at Acme Ltd involving your data"
    assert [h for level, h in page.headings if level == "h1"] == [
        "A security incident involving your information"]
    assert "The Acme Ltd team" in notice.text


def test_signatory_signs_when_given() -> None:
    sheet = sheet_with(**{"organisation.signatory": {"name": "Ann Lee", "title": "Chief Executive"}})
    notice = render_notice(sheet, 0)
    assert "Ann Lee\nChief Executive, Acme Ltd" in notice.text
    assert "Ann Lee" in Page(notice.html).visible


@pytest.mark.parametrize(("data", "present", "absent"), [
    (["name", "email"], ["Watch out for fake emails"], ["Change your password", "Call your bank"]),
    (["name", "phone"], ["Be wary of calls and texts"], ["Watch out for fake emails"]),
    (["name", "payment_card_partial"], ["Watch out for fake emails"],
     ["Call your bank", "Check your card statements"]),  # part of a number pays for nothing
    (["name", "payment_card_number"], ["Call your bank", "Check your card statements"], []),
    (["name", "postal_address", "date_of_birth"], ["Look out for identity fraud"], []),
    (["name", "government_id"], ["Think about replacing the document"], []),
    (["name", "bank_account"], ["Watch for unknown debits"], []),
    (["name", "password_hash"], ["Change your password", "Change it anywhere else you used it",
                                 "Turn on two-step verification"], ["Watch out for fake emails"]),
    (["name", "membership_number"], ["You do not need to do anything because of this incident"],
     ["Watch out for fake emails", "Change your password"]),
    (["name", "order_history"], ["Watch out for fake emails"], ["Change your password"]),
])
def test_advice_follows_the_facts_in_html_and_text(data: list[str], present: list[str],
                                                   absent: list[str]) -> None:
    sheet = sheet_with(**{"incident.data_involved": data, "incident.data_not_involved": []})
    notice = render_notice(sheet, 0)
    visible = Page(notice.html).visible
    for phrase in present:
        assert phrase in visible and phrase in notice.text
    for phrase in absent:
        assert phrase not in visible and phrase not in notice.text


@pytest.mark.parametrize(("misuse", "phrase"), [
    ("none_known", "We have seen no sign that anyone has misused your information. We cannot "
                   "be certain, so please take the steps in this email."),
    ("suspected", "We think some of the information may have been misused"),
    ("confirmed", "We know that some of the information has been misused."),
])
def test_misuse_wording(misuse: str, phrase: str) -> None:
    notice = render_notice(sheet_with(**{"incident.misuse": misuse}), 0)
    assert phrase in " ".join(notice.text.split())
    assert phrase in Page(notice.html).visible
    assert "your information is safe" not in notice.text.lower()


def test_password_reset_leads_with_the_password_and_says_how_it_was_protected() -> None:
    sheet = sheet_with(**{"incident.data_involved": ["email", "password_hash"],
                          "incident.password_protection": "hashed with bcrypt",
                          "audiences.0.notice": "password_reset"})
    notice = render_notice(sheet, 0)
    text = " ".join(notice.text.split())
    assert notice.subject == "Please change your Acme Ltd password"
    assert text.index("How to change your password") < text.index("What happened")
    assert "stored scrambled (hashed with bcrypt), so it is hard to read, but not " \
        "impossible." in text  # involved, but hashed and not misused
    assert "as a precaution" not in text
    assert "Do not use a link in an email to do this" in text
    assert "change it there too" in text and "two-step verification" in text
    # phishing advice moves under "Other steps", not lost
    assert "Other steps you can take" in text and "Watch out for fake emails" in text


def test_password_reset_for_plaintext_passwords_says_they_could_be_read() -> None:
    sheet = sheet_with(**{"incident.data_involved": ["password_plaintext"],
                          "audiences.0.notice": "password_reset"})
    text = " ".join(render_notice(sheet, 0).text.split())
    assert "kept in a form that could be read, and it was among the information involved. " \
        "Please change it now." in text


def test_a_password_that_may_have_been_seen_is_changed_as_a_precaution() -> None:
    """Passwords logged internally, with no sign anyone saw them: a precaution, not 'anyone
    who has it could use it'."""
    sheet = sheet_with(**{"incident.data_involved": ["email"],
                          "incident.data_possibly_involved": ["password_plaintext"],
                          "audiences.0.notice": "password_reset"})
    text = " ".join(render_notice(sheet, 0).text.split())
    assert "Please change your Acme Ltd password as a precaution." in text
    assert "We have no sign that anyone saw it, but we cannot be sure." in text
    assert "change it now" not in text
    assert "May have been involved (we cannot rule it out): - Sign-in details: your password" in text


def test_precautionary_reset_renders_and_says_it_is_a_precaution() -> None:
    sheet = sheet_with(**{"audiences.0.notice": "password_reset",
                          "audiences.0.precautionary_reset": True})
    text = " ".join(render_notice(sheet, 0).text.split())
    assert "We have no sign that passwords were involved" in text
    assert "as a precaution" in text


def test_no_action_needed_is_short_and_calm() -> None:
    sheet = sheet_with(**{"audiences.0.notice": "no_action_needed",
                          "incident.data_involved": ["name", "order_history"]})
    notice = render_notice(sheet, 0)
    text = " ".join(notice.text.split())
    assert "You do not need to do anything. If that changes, we will tell you" in text
    assert "There is nothing you need to do now" not in text  # said once, not twice
    assert "What you can do" not in text
    assert len(notice.text) < 2200


def test_no_action_needed_keeps_the_vigilance_the_facts_call_for() -> None:
    sheet = sheet_with(**{"audiences.0.notice": "no_action_needed"})  # email involved
    text = " ".join(render_notice(sheet, 0).text.split())
    assert "Watch out for fake emails" in text
    assert "steps below" not in text  # no contradiction with "nothing to do"


@pytest.mark.parametrize("category", ["password_hash", "password_plaintext", "payment_card_number",
                                      "cvv", "bank_account", "government_id", "security_answers"])
def test_no_action_needed_refused_when_data_calls_for_action(category: str) -> None:
    changes = {"audiences.0.notice": "no_action_needed",
               "incident.data_involved": ["name", category], "incident.data_not_involved": []}
    text = edited_yaml(**changes)
    with pytest.raises(RenderRefused) as info:
        render_notice(sheet_with(**changes), 0)
    problem = info.value.problems[0]
    assert problem.field == "audiences.0.notice"
    expected_line = text.splitlines().index("  notice: no_action_needed") + 1
    assert problem.line == expected_line and problem.path == "test.yaml"
    assert category in problem.message and "use notice: incident" in problem.hint


@pytest.mark.parametrize("misuse", ["suspected", "confirmed"])
def test_no_action_needed_refused_when_misuse_is_suspected_or_confirmed(misuse: str) -> None:
    sheet = sheet_with(**{"audiences.0.notice": "no_action_needed", "incident.misuse": misuse})
    with pytest.raises(RenderRefused, match=f"misuse of the data is {misuse}"):
        render_notice(sheet, 0)


def test_password_reset_refused_without_password_data() -> None:
    sheet = sheet_with(**{"audiences.0.notice": "password_reset"})
    with pytest.raises(RenderRefused) as info:
        render_notice(sheet, 0)
    assert "precautionary_reset: true" in info.value.problems[0].hint


def test_audience_subset_of_data_is_what_that_audience_is_told() -> None:
    sheet = sheet_with(**{"incident.data_involved": ["name", "email", "password_hash"],
                          "audiences": [
                              {"id": "customers", "name": "Customers", "notice": "password_reset"},
                              {"id": "partners", "name": "Partners", "notice": "no_action_needed",
                               "data_involved": ["name"]}]})
    result = render_sheet(sheet)
    assert not result.refused
    partners = result.notices[1]
    assert "your password" not in partners.text.split("Not involved")[0]


INJECTIONS = ["<script>alert(1)</script>", "Fish & Chips", "\"double\" and 'single'"]
JINJA = ["{{ 7*7 }}", "{% raw %}x{% endraw %}"]


def test_fact_text_renders_literally_never_evaluated() -> None:
    sheet = sheet_with(**{"incident.summary": "We sold " + " ".join(INJECTIONS) + ".",
                          "incident.safe": INJECTIONS, "incident.actions_taken": INJECTIONS,
                          "organisation.name": "Fish & Chips <b>Ltd</b>"})
    notice = render_notice(sheet, 0)
    page = Page(notice.html)
    assert page.scripts == 0
    assert "<b>Ltd</b>" not in notice.html
    for text in INJECTIONS:
        assert text in page.visible
        assert text in notice.text
    assert "Fish & Chips <b>Ltd</b>" in notice.subject


def test_template_syntax_in_a_fact_is_refused_when_the_sheet_is_read() -> None:
    with pytest.raises(SheetError) as caught:
        sheet_with(**{"incident.summary": "We sold {{ 7*7 }} fish."})
    (problem,) = caught.value.problems
    assert problem.field == "incident.summary"
    assert "'{{'" in problem.message and "not templates" in problem.hint


def test_template_syntax_that_gets_past_validation_is_still_never_evaluated() -> None:
    # Defence in depth: a model changed after validation (model_copy skips it) renders literally.
    sheet = sheet_with()
    summary = "We sold " + " ".join(JINJA) + "."
    sheet = sheet.model_copy(update={"incident": sheet.incident.model_copy(
        update={"summary": summary, "safe": JINJA, "actions_taken": JINJA})})
    notice = render_notice(sheet, 0)
    page = Page(notice.html)
    for text in JINJA:
        assert text in page.visible
        assert text in notice.text
    assert "49" not in notice.text and "49" not in page.visible


def test_final_html_properties() -> None:
    sheet = sheet_with(**{"organisation.brand": {"logo": "https://www.acme.example/logo.png",
                                                 "color": "#123456"},
                          "audiences.0.locale": "en-US"})
    notice = render_notice(sheet, 0)
    assert notice.html.startswith("<!doctype html>")
    page = Page(notice.html)
    assert page.html_attrs["lang"] == "en-US" and page.html_attrs["dir"] == "ltr"
    title = re.search(r"<title>(.*?)</title>", notice.html, re.S)
    assert title and title.group(1).strip() == notice.subject
    assert notice.preheader in notice.html
    media = re.findall(r"@media[^{]*\{[^@]*", notice.html)
    assert media and all("!important" in m for m in media if "max-width" in m)
    assert page.images and all((img.get("alt") or "").strip() for img in page.images)
    assert page.links and all(h.startswith(("https://", "mailto:")) for h in page.links)
    assert len(notice.html.encode()) < 102_000
    assert "fonts.googleapis" not in notice.html and "@import" not in notice.html
    assert "April 22, 2025" in " ".join(notice.text.split())  # en-US date order


def test_text_is_wrapped_without_breaking_urls() -> None:
    long_url = "https://www.acme.example/help/" + "a-very-long-path-segment/" * 4
    sheet = sheet_with(**{"organisation.contact.url": long_url})
    text = render_notice(sheet, 0).text
    assert long_url in text.split()
    for line in text.splitlines():
        assert len(line) <= TEXT_WIDTH or long_url in line


def test_rendering_makes_no_network_request(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    sheet = sheet_with(**{"organisation.brand": {"logo": "https://www.acme.example/logo.png"}})
    assert render_notice(sheet, 0).html


def test_same_inputs_give_identical_output() -> None:
    a = render_notice(sheet_with(), 0)
    b = render_notice(sheet_with(), 0)
    assert (a.html, a.text, a.subject) == (b.html, b.text, b.subject)


def test_override_can_extend_the_builtin_template(tmp_path: Path) -> None:
    (tmp_path / "incident.txt.j2").write_text(
        '{% extends "!builtin/incident.txt.j2" %}', encoding="utf-8")
    env = make_environment(tmp_path)
    assert render_notice(sheet_with(), 0, env).text == render_notice(sheet_with(), 0).text


def test_a_template_that_leaves_none_is_refused(tmp_path: Path) -> None:
    (tmp_path / "incident.txt.j2").write_text("Occurred: {{ incident.occurred }}\n", encoding="utf-8")
    with pytest.raises(RenderRefused, match="'None'"):
        render_notice(sheet_with(), 0, make_environment(tmp_path))


def test_a_template_using_an_unknown_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "incident.txt.j2").write_text("Hello {{ customer_name }}\n", encoding="utf-8")
    with pytest.raises(RenderRefused, match="customer_name"):
        render_notice(sheet_with(), 0, make_environment(tmp_path))


def test_a_template_leaving_an_empty_heading_is_refused(tmp_path: Path) -> None:
    (tmp_path / "incident.txt.j2").write_text("Hello\n\nWhat we did\n-----------\n\nBye\n-----\n",
                                              encoding="utf-8")
    with pytest.raises(RenderRefused, match="heading with nothing under it"):
        render_notice(sheet_with(), 0, make_environment(tmp_path))


@pytest.mark.parametrize("line", [
    "word " * 40,
    "- " + "a bullet item that goes on and on " * 5,
    "  " + "indented text " * 12,
    "see https://www.example.com/" + "x" * 90 + " for details, and then more words follow here",
    "short",
    "x" * 120,
])
def test_fill_matches_textwrap(line: str) -> None:
    import textwrap

    from notifier.render import _wrap

    stripped = line.lstrip(" ")
    indent = line[: len(line) - len(stripped)]
    hang = indent + ("  " if stripped.startswith(("- ", "  ")) else "")
    expected = textwrap.wrap(line.rstrip(), width=TEXT_WIDTH, subsequent_indent=hang,
                             break_long_words=False, break_on_hyphens=False)
    assert _wrap(line.rstrip()).rstrip("\n").split("\n") == expected


def test_a_language_without_a_catalog_is_refused(tmp_path: Path) -> None:
    assert render_notice(sheet_with(**{"audiences.0.locale": "fr-FR"}), 0).locale == "fr-FR"
    sheet = sheet_with(**{"audiences.0.locale": "it-IT"})
    with pytest.raises(RenderRefused, match="has no catalog for that language") as info:
        render_notice(sheet, 0)
    assert info.value.problems[0].field == "audiences.0.locale"
    # a team's translated wording lifts the refusal
    from notifier.templating import builtin_templates

    (tmp_path / "_copy.j2").write_text(
        (builtin_templates() / "_copy.j2").read_text(encoding="utf-8"), encoding="utf-8")
    assert render_notice(sheet, 0, make_environment(tmp_path)).locale == "it-IT"


@pytest.mark.parametrize(("name", "article", "expected"), [
    ("National Crime Agency", None, "the National Crime Agency"),
    ("Information Commissioner's Office", None, "the Information Commissioner's Office"),
    ("ICO", None, "the ICO"),
    ("Metropolitan Police", "the", "the Metropolitan Police"),
    ("Thames Valley Police", None, "Thames Valley Police"),
    ("HMRC", None, "HMRC"),
    ("Action Fraud", None, "Action Fraud"),
    ("Police Scotland", None, "Police Scotland"),
    ("The Pensions Regulator", None, "The Pensions Regulator"),
    ("Europol", "the", "the Europol"),
    ("Cyber Unit", "none", "Cyber Unit"),
])
def test_authorities_read_as_english_in_sentences(name: str, article: str | None,
                                                  expected: str) -> None:
    from notifier.model import Authority

    assert Authority.model_validate({"name": name, "article": article}).in_sentence == expected


def test_the_notice_names_authorities_with_their_article(sheet_file: Callable[..., Path],
                                                          minimal_yaml: str) -> None:
    text = minimal_yaml.replace(
        "  data_not_involved: [payment_card_number]\n",
        "  data_not_involved: [payment_card_number]\n  authorities:\n"
        "    - name: National Crime Agency\n    - name: Action Fraud\n")
    notice = render_sheet(load_sheet(sheet_file(text))).notices[0]
    sentence = "We have reported the incident to the National Crime Agency and Action Fraud."
    assert sentence in " ".join(notice.text.split())
    assert sentence in " ".join(notice.html.split())


def test_without_likely_consequences_readers_get_each_categorys_risk() -> None:
    text = " ".join(render_notice(sheet_with(), 0).text.split())
    # the list is just above: the risk names the group, not each field again
    assert ("What this could mean for you: - Someone who has your contact details could "
            "send you scam emails that look as if they come from us.") in text
    own = sheet_with(**{"incident.likely_consequences": ["You may get convincing scam calls."]})
    text = " ".join(render_notice(own, 0).text.split())
    assert "You may get convincing scam calls." in text and "Someone who has" not in text


@pytest.mark.parametrize(("data", "risk"), [
    (["name"], None),  # a name alone reaches no one
    (["name", "phone"], "could send you scam texts or calls"),
    (["email", "phone", "postal_address"], "could send you scam emails, texts, calls or letters"),
])
def test_the_contact_risk_names_only_the_channels_the_data_opens(data: list[str],
                                                                 risk: str | None) -> None:
    sheet = sheet_with(**{"incident.data_involved": data})
    text = " ".join(render_notice(sheet, 0).text.split())
    if risk is None:
        assert "scam" not in text.split("What this could mean", 1)[-1].split("What we", 1)[0]
    else:
        assert risk in text


def test_readers_are_told_what_is_still_to_be_done() -> None:
    sheet = sheet_with(**{"incident.measures_proposed": ["Rebuild the affected server."]})
    notice = render_notice(sheet, 0)
    assert "Next, we will: - Rebuild the affected server." in " ".join(notice.text.split())
    assert "Rebuild the affected server." in Page(notice.html).visible


def test_a_supplier_breach_is_not_subjected_as_ours() -> None:
    notice = render_notice(sheet_with(**{"incident.kind": "supplier_breach"}), 0)
    assert notice.subject == "Security incident at a supplier of Acme Ltd"


@pytest.mark.parametrize(("name", "phrase"), [("Data Protection Officer", "our Data Protection Officer"),
                                              ("Jane Doe", "Jane Doe"), ("Privacy Team", "our Privacy Team")])
def test_the_privacy_contact_reads_as_english(name: str, phrase: str) -> None:
    sheet = sheet_with(**{"organisation.privacy_contact": {"name": name, "email": "dpo@acme.example"}})
    text = " ".join(render_notice(sheet, 0).text.split())
    assert f"You can also email {phrase} at dpo@acme.example." in text


def test_the_help_phone_number_is_a_tel_link() -> None:
    from notifier.checks import check_notice

    sheet = sheet_with(**{"organisation.contact.phone": "+44 800 555 0199"})
    notice = render_notice(sheet, 0)
    assert '<a href="tel:+448005550199"' in notice.html
    assert not [f for f in check_notice(sheet, notice) if f.rule_id.startswith("links.")]
