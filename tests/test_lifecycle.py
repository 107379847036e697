"""The rest of an incident's life: service disruption, updates and diff, staff notice, regulator draft."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import BUNDLED, INCIDENTS
from helpers import Page, edited_yaml, sheet_with

from notifier.diff import Change, diff_sheets
from notifier.errors import RenderRefused
from notifier.render import render_notice, render_sheet
from notifier.sheet import load_sheet, parse_sheet


def flat(text: str) -> str:
    return " ".join(text.split())


# -- diff ---------------------------------------------------------------------------------

def test_diff_added_and_removed_categories_and_status() -> None:
    old = sheet_with(**{"incident.data_involved": ["name", "email"]})
    new = sheet_with(**{"incident.data_involved": ["name", "phone"], "incident.status": "resolved"})
    assert diff_sheets(old, new) == [
        Change("incident.status", "changed", "contained", "resolved"),
        Change("incident.data_involved", "added", None, "phone"),
        Change("incident.data_involved", "removed", "email", None),
    ]


def test_diff_marks_a_corrected_fact() -> None:
    old = sheet_with(**{"incident.data_involved": ["name"],
                        "incident.data_not_involved": ["payment_card_number", "email"]})
    new = sheet_with(**{"incident.data_involved": ["name", "email"],
                        "incident.data_not_involved": ["payment_card_number"]})
    changes = diff_sheets(old, new)
    assert changes == [Change("incident.data_involved", "corrected", None, "email")]
    assert str(changes[0]) == "! incident.data_involved: email (earlier listed as not involved)"


def test_diff_of_identical_sheets_is_empty() -> None:
    assert diff_sheets(sheet_with(), sheet_with()) == []


def test_diff_covers_who_is_told_how_many_and_by_whom() -> None:
    old = sheet_with()
    new = sheet_with(**{"organisation.name": "Acme Group", "incident.records": 65,
                        "incident.measures_proposed": ["Rebuild the server."],
                        "audiences.0.jurisdictions": ["IE"]})
    shown = {str(c) for c in diff_sheets(old, new)}
    assert {"~ organisation.name: Acme Ltd -> Acme Group", "~ incident.records: None -> 65",
            "+ incident.measures_proposed: Rebuild the server.",
            "~ audiences.customers.jurisdictions: [] -> ['IE']"} <= shown


def test_diff_warns_about_sheets_of_different_incidents(capsys: pytest.CaptureFixture[str]) -> None:
    from notifier.cli import main

    with pytest.raises(SystemExit) as info:
        main(["diff", str(INCIDENTS / "shopback-2020.yaml"), str(INCIDENTS / "co-op-2025.yaml")])
    assert info.value.code == 0
    assert "different ids (shopback-2020, co-op-2025)" in capsys.readouterr().err


def test_diff_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from notifier.cli import main

    with pytest.raises(SystemExit) as info:
        main(["diff", str(INCIDENTS / "history" / "co-op-2025-r1.yaml"),
              str(INCIDENTS / "co-op-2025.yaml")])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert "~ incident.kind: attempted_access -> data_theft" in out
    assert "! incident.data_involved: date_of_birth (earlier listed as not involved)" in out
    assert "+ incident.authorities: Information Commissioner's Office" in out


# -- update -------------------------------------------------------------------------------

def test_coop_update_names_the_earlier_notice_and_corrects_it() -> None:
    result = render_sheet(load_sheet(INCIDENTS / "co-op-2025.yaml"))
    assert not result.refused
    (update,) = [n for n in result.notices if n.notice == "update"]
    text = flat(update.text)
    assert ('On 30 April 2025 we wrote to you about a security incident ("Co-op: a security '
            'incident, no action needed")') in text
    assert text.index("What has changed") < text.index("What happened")
    # the correction is said once: what is now known, the earlier words, and that they were wrong
    assert ('Our earlier message said: "We do not believe that any member or customer data has '
            'been affected." That was wrong: "Your information" below lists what was '
            'involved.') in text
    # the news and the apology come first, in the subject and the opening
    assert update.subject == "Co-op: a correction - more of your information was involved"
    assert ("We now know that some of your information was involved, and that our message was "
            "wrong about it. We are sorry") in text
    assert "We can no longer say that" not in text
    assert "What has changed" in [h for _, h in Page(update.html).headings]
    # The first message said there was nothing to do; this one has steps: it says so first.
    changed = text[text.index("What has changed"):text.index("What happened")]
    assert changed.index("Our advice has changed.") < changed.index("We first described")
    # the new steps are listed under "What we are doing"; the change list does not point there
    assert "We have taken more steps since our last message" not in changed
    assert "New since our last message:" not in text


def _update_pair(tmp_path: Path, first_notice: str, first_data: list[str],
                 **first_extra: object) -> Path:
    first = yaml.safe_load(edited_yaml(**{"audiences.0.notice": first_notice,
                                         "incident.data_involved": first_data, **first_extra}))
    (tmp_path / "r1.yaml").write_text(yaml.safe_dump(first), encoding="utf-8")
    second = yaml.safe_load(edited_yaml(**{"audiences.0.notice": "update",
                                          "incident.data_involved": ["name", "email"]}))
    second["supersedes"] = {"sheet": "r1.yaml", "sent_at": "2025-04-22T18:00:00+01:00"}
    second["notice_date"] = "2025-04-25"
    path = tmp_path / "r2.yaml"
    path.write_text(yaml.safe_dump(second), encoding="utf-8")
    return path


@pytest.mark.parametrize(("first_notice", "first_data", "extra", "said"), [
    ("no_action_needed", ["name"], {}, True),
    ("incident", ["name", "email"], {}, False),  # the first message already gave the steps
    # a precautionary password reset asked for action even with no password data
    ("password_reset", ["name"], {"audiences.0.precautionary_reset": True}, False),
])
def test_an_update_says_when_the_advice_changed(tmp_path: Path, first_notice: str,
                                                first_data: list[str], extra: dict[str, object],
                                                said: bool) -> None:
    notice = render_notice(load_sheet(_update_pair(tmp_path, first_notice, first_data, **extra)),
                           0)
    assert ("Our advice has changed." in flat(notice.text)) is said
    assert ("Our advice has changed." in flat(Page(notice.html).visible)) is said


def test_an_update_that_changes_no_incident_fact_does_not_claim_news(tmp_path: Path) -> None:
    # Only the notice date and the notice kind differ from the first revision.
    notice = render_notice(load_sheet(_update_pair(tmp_path, "incident", ["name", "email"])), 0)
    text = flat(notice.text)
    assert "some of it changes what we told you" not in text


def test_an_update_needs_a_notice_date_after_the_message_it_corrects(sheet_file) -> None:  # type: ignore[no-untyped-def]
    from notifier.errors import SheetError

    data = yaml.safe_load(edited_yaml(**{"audiences.0.notice": "update"}))
    (Path(sheet_file("x: 1", "r1.yaml")).parent / "r1.yaml").write_text(
        edited_yaml(), encoding="utf-8")
    data["supersedes"] = {"sheet": "r1.yaml", "sent_at": "2025-04-24T18:00:00+01:00"}
    with pytest.raises(SheetError) as info:
        load_sheet(sheet_file(yaml.safe_dump(data)))
    (problem,) = info.value.problems
    assert problem.field == "supersedes" and "needs notice_date" in problem.message
    assert "notice_date: 2025-04-24" in problem.hint
    data["notice_date"] = "2025-04-23"  # after the discovery, before the first message
    with pytest.raises(SheetError) as info:
        load_sheet(sheet_file(yaml.safe_dump(data)))
    assert [p.field for p in info.value.problems] == ["notice_date"]


def test_the_update_email_is_dated_after_every_fact_it_reports() -> None:
    from notifier.eml import message_date

    sheet = load_sheet(INCIDENTS / "co-op-2025.yaml")
    date = message_date(sheet, environ={})
    assert sheet.supersedes is not None and date > sheet.supersedes.sent_at
    assert all(date >= a.notified_at for a in sheet.incident.authorities if a.notified_at)


def test_update_without_supersedes_is_refused() -> None:
    with pytest.raises(RenderRefused, match="no `supersedes`"):
        render_notice(sheet_with(**{"audiences.0.notice": "update"}), 0)


def test_update_with_a_missing_earlier_revision_is_a_clear_error(sheet_file) -> None:  # type: ignore[no-untyped-def]
    from notifier.errors import SheetError

    data = yaml.safe_load(edited_yaml(**{"audiences.0.notice": "update"}))
    data["supersedes"] = {"sheet": "nope.yaml", "sent_at": "2025-04-22T18:00:00+01:00"}
    data["notice_date"] = "2025-04-23"
    path = sheet_file(yaml.safe_dump(data))
    with pytest.raises(SheetError) as info:
        load_sheet(path)
    (problem,) = info.value.problems
    assert problem.field == "supersedes.sheet" and problem.line > 0
    assert "no earlier revision at" in problem.message and "nope.yaml" in problem.message


# -- service disruption -------------------------------------------------------------------

SERVICES = [{"name": "Online shop", "status": "unavailable",
             "workaround": "You can still order by phone."},
            {"name": "App", "status": "degraded"}]


def test_service_disruption_lists_services_workarounds_and_status_page() -> None:
    sheet = sheet_with(**{"incident.services": SERVICES,
                          "incident.status_page": "https://status.acme.example",
                          "audiences.0.notice": "service_disruption",
                          "audiences.0.data_involved": []})
    notice = render_notice(sheet, 0)
    text = flat(notice.text)
    assert notice.subject == "Service update from Acme Ltd: Online shop and App"
    assert "Online shop: not available at the moment. You can still order by phone." in text
    assert "App: working, but slower than usual or with some features missing." in text
    assert "https://status.acme.example" in text
    assert "We are sorry for the disruption" in text
    # no data claims: nothing about information involved
    assert "Involved:" not in text and "your email address" not in text


def test_service_disruption_refused_for_an_audience_whose_data_is_involved() -> None:
    sheet = sheet_with(**{"incident.services": SERVICES, "audiences.0.notice": "service_disruption"})
    with pytest.raises(RenderRefused, match="must not stand in for a breach notice"):
        render_notice(sheet, 0)


def test_service_disruption_refused_without_services() -> None:
    sheet = sheet_with(**{"audiences.0.notice": "service_disruption", "audiences.0.data_involved": []})
    with pytest.raises(RenderRefused, match="lists no service"):
        render_notice(sheet, 0)


# -- staff notice -------------------------------------------------------------------------

def test_staff_notice_has_what_staff_need() -> None:
    result = render_sheet(load_sheet(INCIDENTS / "co-op-2025.yaml"), audiences=["colleagues"])
    (notice,) = result.notices
    headings = [h for _, h in Page(notice.html).headings]
    assert headings == ["Security incident: what colleagues need to do", "What has happened",
                        "Systems withdrawn or changed", "What you must do",
                        "What you must not do", "If members and customers ask", "If journalists ask",
                        "Where to get help"]
    text = flat(notice.text)
    assert "Send every question from journalists to the Co-op press office" in text
    assert "colleagues only" in text
    assert "opted out of marketing" not in text


def test_staff_notice_refused_without_a_staff_section() -> None:
    with pytest.raises(RenderRefused, match="no `staff` section"):
        render_notice(sheet_with(**{"audiences.0.notice": "staff_notice"}), 0)


# -- regulator report ---------------------------------------------------------------------

def regulator_sheet(**extra: object) -> str:
    return edited_yaml(**{
        "organisation.privacy_contact": {"name": "Data Protection Officer", "email": "dpo@acme.example"},
        "audiences": [{"id": "customers", "name": "Customers", "notice": "incident", "size": 1500},
                      {"id": "ico", "name": "ICO", "notice": "regulator_report",
                       "jurisdictions": ["GB"]}],
        **extra})


def test_regulator_report_carries_every_element_and_the_deadline() -> None:
    sheet = parse_sheet(regulator_sheet(**{"incident.records": 4000}), "r.yaml")
    notice = render_notice(sheet, 1)
    text = flat(notice.text)
    # each element's drafting note says in words what the form asks, with its article
    for asked in ("DPO or other contact point (UK GDPR Art. 33(3)(b))",
                  "nature incl. categories and approx. number of data subjects and records "
                  "(UK GDPR Art. 33(3)(a))", "likely consequences (UK GDPR Art. 33(3)(c))",
                  "measures taken or proposed incl. mitigation (UK GDPR Art. 33(3)(d))"):
        assert text.count(asked) == 1, asked
    assert "gdpr.art33" not in text  # no internal IDs
    assert "People: about 1,500" in text and "Records: about 4,000" in text
    assert "Data Protection Officer: dpo@acme.example" in text
    assert "by 25 April 2025 at 09:30 (UTC+0100)" in text  # 72 hours after discovery
    assert "- Contact details: names and email addresses" in text  # grouped, as readers see it
    assert ("Someone who has the contact details could send the people affected scam "
            "emails") in text
    assert ("[Drafting note: the fact sheet records no proposed measures "
            "(incident.measures_proposed); give them in the authority's form.]") in text
    assert "sg.pdpa" not in text  # an ICO draft cites UK and GDPR elements only


def test_singapore_regulator_deadline_is_three_calendar_days() -> None:
    text = regulator_sheet()
    text = text.replace("- GB", "- SG")
    notice = render_notice(parse_sheet(text, "r.yaml"), 1)
    assert "Personal Data Protection Commission (PDPC)" in notice.subject + notice.text
    assert "by 25 April 2025 at 23:59" in flat(notice.text)


def test_regulator_report_refused_without_a_contact_point_or_a_known_regulator() -> None:
    sheet = sheet_with(**{"audiences.0.notice": "regulator_report",
                          "audiences.0.jurisdictions": ["US-CA"]})
    with pytest.raises(RenderRefused) as info:
        render_notice(sheet, 0)
    messages = " ".join(p.message for p in info.value.problems)
    assert "no supervisory authority" in messages or "has a supervisory authority" in messages
    assert "privacy_contact is missing" in messages


WITH_GB = ["co-op-2025", "marks-and-spencer-2025", "royal-mail-click-and-drop"]


def test_the_bundled_examples_with_a_gb_audience_are_the_ones_named() -> None:
    named = {p.stem for p in BUNDLED if any("GB" in a.jurisdictions for a in load_sheet(p).audiences)}
    assert named == set(WITH_GB)


@pytest.mark.parametrize("name", WITH_GB)
def test_every_bundled_example_with_a_gb_or_eu_audience_has_a_regulator_draft(name: str) -> None:
    loaded = load_sheet(INCIDENTS / f"{name}.yaml")
    result = render_sheet(loaded)
    assert not result.refused
    assert any(n.notice == "regulator_report" for n in result.notices)


def test_update_rendered_alone_still_names_the_earlier_notice() -> None:
    sheet = load_sheet(INCIDENTS / "co-op-2025.yaml")
    index = [a.id for a in sheet.audiences].index("members")
    text = flat(render_notice(sheet, index).text)
    assert "On 30 April 2025 we wrote to you" in text


def test_a_regulator_draft_has_no_empty_section_and_no_risk_of_absent_data() -> None:
    result = render_sheet(load_sheet(INCIDENTS / "marks-and-spencer-2025.yaml"))
    (draft,) = [n for n in result.notices if n.notice == "regulator_report"]
    text = flat(draft.text)
    advice = text[text.index("9. Advice given to the people affected"):]
    assert "do not need to do anything at the moment" in advice  # not an empty section
    assert "date of birth" not in text.lower() and "dates of birth" not in text.lower()
    assert text.count("19 April 2025") == 2  # the deadline sentence and section 2, once each
    # the ICO is not told that it was told: its first report is named as such
    assert ("We first told you about this breach on 21 April 2025; this report adds what we "
            "now know. We have also told the National Cyber Security Centre (20 April 2025).") in text


def test_a_regulator_draft_says_how_the_breach_was_found_when_the_sheet_does() -> None:
    how = "Our security monitoring flagged unusual downloads from a customer database."
    sheet = parse_sheet(regulator_sheet(**{"incident.how_discovered": how}), "r.yaml")
    text = flat(render_notice(sheet, 1).text)
    section = text[text.index("2. When and how we became aware"):text.index("3. Nature")]
    assert how in section and "not in the fact sheet" not in section


@pytest.mark.parametrize("name", ["co-op-2025", "shopback-2020", "royal-mail-click-and-drop"])
def test_the_draft_states_the_deadline_check_computes(name: str) -> None:
    from notifier.context import format_date
    from notifier.deadlines import deadlines_for

    sheet = load_sheet(INCIDENTS / f"{name}.yaml")
    (draft,) = [n for n in render_sheet(sheet).notices if n.notice == "regulator_report"]
    due = {d.id: d.due_local() for d in deadlines_for(sheet, now=sheet.incident.discovered_at)}
    rule = "sg.deadline.pdpc" if name.startswith("shopback") else "uk.deadline.ico"
    local = due[rule]
    if name.startswith("shopback"):  # 2020: before Singapore's duty came into force
        assert local is None
        assert ("no law required us to tell the Personal Data Protection Commission (PDPC) "
                "when we found this breach") in flat(draft.text)
        assert "applies to breaches found from 1 February 2021" in flat(draft.text)
        assert "reg. 5" not in flat(draft.text)  # the regulations' notes: not yet in force
        return
    assert local is not None
    assert f"by {format_date(local, 'en-GB')} at {local:%H:%M}" in flat(draft.text)


def test_an_eu_draft_names_the_lead_authority_once() -> None:
    sheet = parse_sheet(regulator_sheet(**{"audiences.1.jurisdictions": ["FR"]}), "r.yaml")
    text = flat(render_notice(sheet, 1).text)
    assert "[Drafting note: the lead supervisory authority must be told" in text
    assert "the the" not in text.lower()


def test_an_irish_draft_names_the_data_protection_commission() -> None:
    sheet = parse_sheet(regulator_sheet(**{"audiences.1.jurisdictions": ["IE"]}), "r.yaml")
    text = flat(render_notice(sheet, 1).text)
    assert "[Drafting note: the Data Protection Commission (DPC) must be told" in text


def test_the_draft_counts_everyone_affected_and_names_its_own_share() -> None:
    sheet = parse_sheet(regulator_sheet(**{"audiences": [
        {"id": "gb", "name": "UK customers", "notice": "incident", "size": 160000,
         "jurisdictions": ["GB"]},
        {"id": "ie", "name": "Irish customers", "notice": "incident", "size": 24000,
         "jurisdictions": ["IE"]},
        {"id": "ico", "name": "ICO", "notice": "regulator_report", "jurisdictions": ["GB"]}]}),
        "r.yaml")
    text = flat(render_notice(sheet, 2).text)
    assert "People: about 184,000, of whom about 160,000 are in the United Kingdom" in text
    assert "We are telling UK customers and Irish customers by email" in text


def test_an_update_whose_only_new_facts_are_for_the_author_claims_no_news(tmp_path: Path) -> None:
    path = _update_pair(tmp_path, "incident", ["name", "email"])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["incident"]["records"] = 5000  # new, but nothing the update notice words
    data["incident"]["measures_proposed"] = ["Rebuild the server."]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    text = flat(render_notice(load_sheet(path), 0).text)
    assert "some of it changes what we told you" not in text
    assert "This message brings you up to date." in text


def test_a_draft_with_no_reader_notice_asks_for_the_grounds() -> None:
    sheet = parse_sheet(regulator_sheet(**{"audiences": [
        {"id": "ico", "name": "ICO", "notice": "regulator_report", "jurisdictions": ["GB"]}]}),
        "r.yaml")
    text = flat(render_notice(sheet, 0).text)
    assert "If they are not to be told, give the grounds for that" in text


# Found in review of the third and fourth editorial passes: each case below once rendered
# something untrue for its reader.


def _flat_notice(sheet_text: str, index: int) -> str:
    return flat(render_notice(parse_sheet(sheet_text, "r.yaml"), index).text)


def test_a_regulator_is_not_told_first_time_readers_were_written_to_before(tmp_path: Path) -> None:
    earlier = tmp_path / "r1.yaml"
    earlier.write_text(edited_yaml(), encoding="utf-8")
    text = regulator_sheet(supersedes={"sheet": "r1.yaml", "sent_at": "2025-04-23T09:00:00+01:00"},
                           notice_date="2025-04-24")
    sheet = parse_sheet(text, str(tmp_path / "r2.yaml"))
    body = flat(render_notice(sheet, 1).text)
    assert "We are telling Customers by email" in body
    assert "We first wrote to" not in body  # nobody gets an update: all hear it first now


def test_the_sender_line_names_replies_only_where_the_message_sends_them() -> None:
    own_sender = {"name": "Acme Security", "email": "security@acme.example"}
    text = edited_yaml(**{"organisation.reply_to": "help@acme.example",
                          "audiences.0.sender": own_sender})
    body = _flat_notice(text, 0)
    # the audience's own sender takes no organisation Reply-To, so no answers line
    assert "come only from security@acme.example" in body and "Answers" not in body
    body = _flat_notice(edited_yaml(**{"organisation.reply_to": "CARE@acme.example"}), 0)
    assert "Answers" not in body  # the same address, written in capitals


def test_a_no_action_apology_fits_readers_of_other_peoples_or_possibly_involved_data() -> None:
    subjects = edited_yaml(**{"audiences.0.notice": "no_action_needed",
                              "audiences.0.subjects": "your customers"})
    assert "your information was caught up" not in _flat_notice(subjects, 0)
    maybe = edited_yaml(**{"audiences.0.notice": "no_action_needed",
                           "incident.data_involved": [],
                           "incident.data_possibly_involved": ["name", "email"]})
    body = _flat_notice(maybe, 0)
    assert "your information was caught up" not in body
    assert "We are sorry that this has happened" in body


@pytest.mark.parametrize(("name", "expected"), [
    ("Personal Data Protection Commission", "Singapore's Personal Data Protection Commission"),
    ("The Information Commissioner's Office", "the UK's Information Commissioner's Office"),
    ("Information Commissioner\u2019s Office", "the UK's Information Commissioner\u2019s Office"),
    ("Personal Data Protection Commissioner", "the Personal Data Protection Commissioner"),
    ("Office of the Privacy Commissioner of Canada", "the Office of the Privacy Commissioner"),
])
def test_a_foreign_authority_is_named_with_its_country_only_when_it_is_that_one(
        name: str, expected: str) -> None:
    text = edited_yaml(**{"audiences.0.jurisdictions": ["US"],
                          "incident.authorities": [{"name": name,
                                                    "notified_at": "2025-04-22T12:00:00+01:00"}]})
    assert f"We have reported the incident to {expected}" in _flat_notice(text, 0)


def test_without_a_notice_date_the_help_is_given_as_it_is_now() -> None:
    text = edited_yaml(**{"audiences.0.jurisdictions": ["GB"],
                          "incident.data_involved": ["name", "bank_account"]})
    body = _flat_notice(text, 0)
    assert "Report Fraud at https://www.reportfraud.police.uk" in body
    dated = edited_yaml(**{"audiences.0.jurisdictions": ["GB"], "notice_date": "2025-04-25",
                           "incident.data_involved": ["name", "bank_account"]})
    assert "Action Fraud at https://www.actionfraud.police.uk" in _flat_notice(dated, 0)


def test_an_eu_draft_names_the_readers_places_not_every_country_it_covers() -> None:
    text = edited_yaml(**{
        "organisation.privacy_contact": {"name": "Data Protection Officer",
                                         "email": "dpo@acme.example"},
        "audiences": [{"id": "fr", "name": "French customers", "notice": "incident",
                       "jurisdictions": ["FR"], "size": 100},
                      {"id": "us", "name": "US customers", "notice": "incident",
                       "jurisdictions": ["US"], "size": 900},
                      {"id": "dpa", "name": "CNIL", "notice": "regulator_report",
                       "jurisdictions": ["FR"]}]})
    body = _flat_notice(text, 2)
    assert "People: about 1,000, of whom about 100 are in France" in body
    assert "Austria" not in body


def test_the_regulator_gets_third_person_risks_when_the_sheets_speak_to_the_reader() -> None:
    text = regulator_sheet(**{"incident.likely_consequences": [
        "Someone could use your email address to send you fake messages."]})
    body = _flat_notice(text, 1)
    assert "your email address" not in body
    assert "Someone who has the contact details could send the people affected scam" in body
    neutral = regulator_sheet(**{"incident.likely_consequences": [
        "Someone could quote order details in a fake message."]})
    assert "- Someone could quote order details in a fake message." in _flat_notice(neutral, 1)
