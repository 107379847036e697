"""Jurisdiction packs: each element passes on a complete notice and breaks when it is missing.

A complete notice is what the real templates render for a sheet that carries every fact the
pack needs: the templates now carry California's form (title, date, statutory headings),
the Massachusetts omissions and rights, New York's agencies, Canada's complaint right, the
likely consequences and the protection offer. No pack needs text added to the rendered
notice, so no transform is applied to a complete notice.

A missing element is made on top of the pack's complete sheet, either by taking the fact
out of the sheet, or by removing or altering template content in the rendered notice (what
a template regression would do). Every transform asserts that the text it changes is there,
so a break cannot silently do nothing, and a notice-level break is also checked to pass
without the transform.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_helpers import Edit, edits, notice_for, set_in, sheet_from
from conftest import ROOT

from notifier.checks import Finding, check_notice
from notifier.checks.catalog import all_rules
from notifier.checks.jurisdictions import packs, packs_for
from notifier.checks.jurisdictions.cross import NOT_CHECKED as CROSS_NOT_CHECKED
from notifier.law import reference
from notifier.render import RenderedNotice, render_sheet

Transform = Callable[[RenderedNotice], RenderedNotice]

SUMMARY = "Someone got into one of our systems without permission."
CONSEQUENCE = "You may get emails or calls that use your name and pretend to be from us."
FULL = edits(
    set_in("organisation.privacy_contact", {"name": "Data Protection Officer",
                                            "email": "dpo@acme.example"}),
    set_in("organisation.contact.phone", "1-800-555-0100"),
    set_in("incident.occurred", {"from": "2025-04-20T08:00:00+01:00"}),
    set_in("incident.actions_taken", ["We closed the gap the intruder used.",
                                      "We reset every staff password."]),
    set_in("incident.likely_consequences", [CONSEQUENCE]),
    set_in("notice_date", "2025-05-02"),  # shown only in California's form
)
OFFER = set_in("incident.protection_offer", {
    "service": "credit monitoring and identity theft protection", "months": 24,
    "provider": "Example Credit Watch", "covers": ["credit_monitoring", "identity_restoration"],
    "enrol_url": "https://www.acme.example/protect", "enrol_phone": "1-800-555-0199",
    "enrol_by": "2025-08-31"})
HOUSE_HEADINGS = {"What Happened": "What happened", "What Information Was Involved":
                  "Your information", "What We Are Doing": "What we are doing",
                  "What You Can Do": "What you can do", "For More Information": "Where to get help"}

# Template wording the breaks take out of the rendered notice (templates/_copy.j2).
POLICE_REPORT = ("You have the right to obtain a police report about this incident. If you are a "
                 "victim of identity theft, you also have the right to file a police report and "
                 "obtain a copy of it.")
NO_FEE = "There is no fee: placing, lifting or removing a freeze is free of charge."
NY_AGENCIES = ("For advice on protecting yourself from identity theft, you can contact the Federal "
               "Trade Commission (https://www.identitytheft.gov, 1-877-438-4338), the New York "
               "Department of State's Division of Consumer Protection "
               "(https://dos.ny.gov/consumer-protection, 1-800-697-1220) and the New York "
               "Attorney General's Office (https://ag.ny.gov, 1-800-771-7755).")
COMPLAINT = ("If you are not satisfied with how we have handled this, you can complain to us "
             "through the contact details above, and our privacy team will review your complaint.")
CREDIT_AGENCIES = ("The three nationwide credit reporting agencies can be reached here:",
                   "Equifax: 1-888-298-0045, P.O. Box 105788, Atlanta, GA 30348",
                   "Experian: 1-888-397-3742, P.O. Box 9554, Allen, TX 75013",
                   "TransUnion: 1-888-909-8872, P.O. Box 160, Woodlyn, PA 19094")
REUSE = "If you used the same password"


# -- transforms of a rendered notice ---------------------------------------------------------

def _loose(text: str) -> re.Pattern[str]:
    """Match ``text`` however the plain text wrapped it (any whitespace between words)."""
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


def replace(old: str, new: str, *, parts: tuple[str, ...] = ("text", "html")) -> Transform:
    """Return a transform that replaces every ``old`` with ``new`` in ``parts`` (each must have it).

    ``parts`` names fields of the notice: ``text``, ``html``, ``subject``.
    """

    def run(notice: RenderedNotice) -> RenderedNotice:
        changed: dict[str, Any] = {}
        for part in parts:
            html = part == "html"
            pattern = _loose(escape(old, quote=False) if html else old)
            hay = getattr(notice, part)
            assert pattern.search(hay), f"{old!r} is not in the notice's {part}"
            replacement = escape(new, quote=False) if html else new
            changed[part] = pattern.sub(replacement.replace("\\", r"\\"), hay)
        return dataclasses.replace(notice, **changed)

    return run


def remove(*sentences: str) -> Transform:
    """Return a transform that deletes each sentence from both parts."""
    return chain(*(replace(s, "") for s in sentences))


def _heading_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    text = re.compile(rf"^{re.escape(name)}\n([-=])[-=]*$", re.M)
    html = re.compile(rf"(<h([1-3])\b[^>]*>){re.escape(escape(name, quote=False))}(</h\2>)")
    return text, html


def rename_heading(old: str, new: str) -> Transform:
    """Return a transform that renames a heading in both parts (text underline kept in length)."""

    def run(notice: RenderedNotice) -> RenderedNotice:
        text_re, html_re = _heading_patterns(old)
        assert text_re.search(notice.text) and html_re.search(notice.html), old
        text = text_re.sub(lambda m: f"{new}\n{m.group(1) * len(new)}", notice.text)
        html = html_re.sub(lambda m: f"{m.group(1)}{escape(new, quote=False)}{m.group(3)}",
                           notice.html)
        return dataclasses.replace(notice, text=text, html=html)

    return run


def swap(a: str, b: str) -> Transform:
    """Return a transform that swaps two headings in both parts."""
    return chain(rename_heading(a, "\0"), rename_heading(b, a), rename_heading("\0", b))


def after_heading(name: str, paragraph: str, *, parts: tuple[str, ...] = ("text", "html"),
                  ) -> Transform:
    """Return a transform that inserts a paragraph right under a heading in ``parts``."""

    def run(notice: RenderedNotice) -> RenderedNotice:
        text_re, html_re = _heading_patterns(name)
        changed: dict[str, Any] = {}
        if "text" in parts:
            assert text_re.search(notice.text), name
            changed["text"] = text_re.sub(lambda m: f"{m.group(0)}\n\n{paragraph}", notice.text)
        if "html" in parts:
            assert html_re.search(notice.html), name
            changed["html"] = html_re.sub(
                lambda m: f"{m.group(0)}<p>{escape(paragraph, quote=False)}</p>", notice.html)
        return dataclasses.replace(notice, **changed)

    return run


def smaller_headings(notice: RenderedNotice) -> RenderedNotice:
    """Make every h2 body-sized and not bold (the CSS inlined on the rendered HTML)."""
    html, count = re.subn(r'<h2 style="font-size:19px;[^"]*"',
                          '<h2 style="font-size:16px; font-weight:normal"', notice.html)
    assert count, "no inlined h2 style to change"
    return dataclasses.replace(notice, html=html)


def chain(*steps: Transform) -> Transform:
    def run(notice: RenderedNotice) -> RenderedNotice:
        for step in steps:
            notice = step(notice)
        return notice

    return run


# -- sheets ------------------------------------------------------------------------------------

IGNORED = ("consistency.", "links.", "a11y.", "deliverability.", "plain.")


def pack_only(found: list[Finding]) -> list[Finding]:
    """Return the jurisdiction and cross-pack findings."""
    return [f for f in found if not f.rule_id.startswith(IGNORED)]


def pack_findings(tmp_path: Path, edit: Edit, transform: Transform | None = None,
                  ) -> list[Finding]:
    sheet, notice = notice_for(tmp_path, edit)
    return pack_only(check_notice(sheet, transform(notice) if transform else notice))


def where(codes: list[str], *more: Edit) -> Edit:
    return edits(FULL, set_in("audiences.0.jurisdictions", codes), *more)


HIPAA = (set_in("organisation.hipaa_covered", True),
         set_in("incident.data_involved", ["name", "email", "health"]))
PDPC = set_in("incident.authorities", [{"name": "Personal Data Protection Commission",
                                        "notified_at": "2025-04-22T12:00:00+01:00"}])
SG_FOUND = set_in("incident.how_discovered", "Our monitoring flagged unusual downloads.")
CREDS = set_in("incident.data_involved", ["name", "email", "password_hash"])  # notifiable in CA/NY/FL
# California: credentials (change-password advice) and an ID number (credit agencies, and an
# identity-theft protection offer of 12 months or more), so every conditional element applies.
CA_DATA = set_in("incident.data_involved", ["name", "email", "password_hash", "ssn"])
# Massachusetts: card data (security freeze, credit agencies) and an ID number (18 months or
# more of credit monitoring); the audience's size is known but must not be printed.
MA_DATA = set_in("incident.data_involved", ["name", "email", "payment_card_partial", "ssn"])
MA_SIZE = set_in("audiences.0.size", 1234)

# (jurisdictions, extra edits) for a sheet whose rendered notice every pack element passes.
MA_FIRST = "What we know"  # Massachusetts' first section: dates and status, not the story
MA_ACTIONS = set_in("incident.actions_taken", ["We added more checks on who can reach our "
                                                 "systems.", "We reset every staff password."])
PASSING: dict[str, tuple[list[str], tuple[Edit, ...]]] = {
    "gdpr": (["IE"], (set_in("audiences.0.locale", "en-IE"),)),  # render is English only
    "uk": (["GB"], ()),
    "ca": (["US-CA"], (CA_DATA, OFFER)),
    "ny": (["US-NY"], (CREDS,)),
    "tx": (["US-TX"], ()),
    # Massachusetts: what is being done may not say how it happened ("the gap the intruder used").
    "ma": (["US-MA"], (MA_DATA, OFFER, MA_SIZE, MA_ACTIONS)),
    "fl": (["US-FL"], (CREDS,)),
    "hipaa": (["US-FL"], HIPAA),
    "sg": (["SG"], (PDPC, SG_FOUND)),
    "au": (["AU"], ()),
    "pipeda": (["CA"], ()),
}


@pytest.mark.parametrize("pack_id", sorted(PASSING))
def test_a_complete_notice_passes_every_element(tmp_path: Path, pack_id: str) -> None:
    codes, more = PASSING[pack_id]
    sheet, notice = notice_for(tmp_path, where(codes, *more))
    assert pack_id in [p.id for p in packs_for(sheet, sheet.audiences[0])]
    found = pack_only(check_notice(sheet, notice))
    assert [f for f in found if f.rule_id.startswith(pack_id + ".")
            or f.rule_id == "x.ma_variant"] == []


# (pack whose complete sheet is the base, extra edits, transform of the notice, rule, severity)
# A template that drops, empties, negates or strips an element block is the mutation test's
# (tests/test_mutations.py); these are the sheet's breaks and the structural ones (headings,
# type sizes) that the checks read from the finished HTML.
BREAKS: list[tuple[str, Edit, Transform | None, str, str]] = [
    ("uk", set_in("organisation.privacy_contact", None), None, "uk.art34.dpo_contact", "error"),
    ("uk", set_in("incident.actions_taken", []), None, "uk.art34.measures_taken", "error"),
    ("uk", edits(set_in("audiences.0.notice", "no_action_needed"),
                 set_in("incident.likely_consequences", [])), None,
     "uk.art34.likely_consequences", "warning"),  # voluntary: names and emails are low risk
    ("uk", set_in("incident.data_involved", ["membership_number"]), None,
     "uk.art34.advice_to_individuals", "warning"),
    ("uk", set_in("incident.data_involved", ["membership_number"]), None, "uk.ico.advice_and_help",
     "warning"),
    ("uk", edits(set_in("audiences.0.notice", "no_action_needed"),
                 set_in("incident.actions_taken", [])), None, "uk.art34.measures_taken",
     "warning"),  # a no-action notice is voluntary under the UK GDPR: advice
    ("gdpr", set_in("organisation.privacy_contact", None), None, "gdpr.art34.dpo_contact", "error"),
    ("gdpr", set_in("audiences.0.jurisdictions", ["FR"]), None, "gdpr.art34.language", "warning"),
    ("ca", edits(), rename_heading("Notice of Data Breach", "Security notice"),
     "ca.1798_82.title", "error"),
    ("ca", edits(), replace("Notice of Data Breach: Acme Ltd", "Acme Ltd: Notice of Data Breach",
                            parts=("subject",)), "ca.1798_82.title", "error"),
    *(("ca", edits(), rename_heading(statutory, house),
       f"ca.1798_82.heading.{'_'.join(statutory.lower().split())}", "error")
      for statutory, house in HOUSE_HEADINGS.items()),
    ("ca", edits(), swap("What Happened", "What We Are Doing"), "ca.1798_82.heading_order",
     "error"),
    ("ca", edits(), replace("font-size:14px", "font-size:12px", parts=("html",)),
     "ca.1798_82.font_min_10pt", "error"),
    ("ca", edits(), smaller_headings, "ca.1798_82.format_attention", "error"),
    ("ca", set_in("incident.protection_offer", None), None, "ca.1798_82.idtheft_services",
     "error"),
    ("ca", set_in("incident.protection_offer.months", 6), None, "ca.1798_82.idtheft_services",
     "error"),
    ("ca", set_in("incident.protection_offer.covers", ["fraud_alerts"]), None,
     "ca.1798_82.idtheft_services", "error"),
    ("ca", edits(set_in("incident.protection_offer.enrol_url", None),
                 set_in("incident.protection_offer.enrol_phone", None),
                 set_in("incident.protection_offer.how_to_enrol", "Details to follow.")), None,
     "ca.1798_82.idtheft_services", "error"),  # 'Details to follow.' is no way to enrol
    ("ca", set_in("incident.occurred", None), None, "ca.1798_82.breach_date", "warning"),
    ("tx", set_in("incident.occurred", None), None, "tx.521_053.rec.breach_date", "warning"),
    ("ma", set_in("incident.protection_offer.months", 12), None, "ma.93h.credit_monitoring",
     "error"),  # 12 months satisfies California, not Massachusetts
    ("ma", set_in("incident.protection_offer.how_to_enrol", "To join, you must waive your right "
                  "to sue us."), None, "ma.93h.forbid.waiver_condition", "error"),
    ("ma", edits(), after_heading(MA_FIRST, "Criminals broke into our website.",
                                  parts=("text",)), "ma.93h.forbid.nature_of_breach", "warning"),
    ("ma", edits(MA_ACTIONS), replace("Security incident at",
                                      "Cyber attack at", parts=("subject",)),
     "ma.93h.forbid.nature_of_breach", "warning"),
    ("fl", set_in("incident.occurred", None), None, "fl.501_171.breach_date", "error"),
    ("hipaa", edits(*HIPAA, set_in("organisation.contact.phone", "020 7946 0000")), None,
     "hipaa.164_404.contact_procedures", "error"),
    ("hipaa", edits(*HIPAA, set_in("incident.actions_taken", [])), None,
     "hipaa.164_404.entity_actions", "error"),
    ("sg", edits(set_in("incident.authorities", []),
                 set_in("incident.data_involved", ["email", "password_hash"])), None,
     "sg.pdpa.s26d.after_pdpc", "error"),
    ("sg", set_in("incident.authorities", []), None, "sg.pdpa.s26d.after_pdpc",
     "warning"),  # name and email only: not notifiable in Singapore
    ("sg", edits(set_in("incident.how_discovered", None),
                 set_in("incident.data_involved", ["email", "password_hash"])), None,
     "sg.pdpa.reg6.circumstances", "error"),
    ("au", set_in("incident.data_involved", ["membership_number"]), None,
     "au.ndb.s26wk.recommended_steps", "error"),
    ("pipeda", set_in("incident.occurred", None), None, "pipeda.reg3.period", "error"),
]


@pytest.mark.parametrize(("pack_id", "edit", "transform", "rule", "severity"), BREAKS,
                         ids=[f"{b[3]}-{b[4]}-{i}" for i, b in enumerate(BREAKS)])
def test_an_element_that_is_missing_is_found(tmp_path: Path, pack_id: str, edit: Edit,
                                             transform: Transform | None, rule: str,
                                             severity: str) -> None:
    codes, more = PASSING[pack_id]
    sheet, notice = notice_for(tmp_path, where(codes, *more, edit))
    found = pack_only(check_notice(sheet, transform(notice) if transform else notice))
    assert (rule, severity) in {(f.rule_id, f.severity) for f in found}, found
    if transform is not None:
        # The same sheet's untouched notice has the element: the transform is what broke it.
        assert rule not in {f.rule_id for f in pack_only(check_notice(sheet, notice))}


def test_the_shared_evidence_checks_break_when_the_fact_is_missing(tmp_path: Path) -> None:
    found = {f.rule_id for f in pack_findings(
        tmp_path, where(["AU", "CA", "US-FL", "SG"], set_in("incident.data_involved", ["name"]),
                        set_in("audiences.0.notice", "no_action_needed"),
                        set_in("incident.likely_consequences", []),
                        set_in("organisation.privacy_contact", None)))}
    assert {"sg.pdpa.reg6.circumstances", "sg.pdpa.reg6.potential_harm",
            "pipeda.s10_1.significance", "sg.pdpa.reg6.individual_steps"} <= found


def test_packs_are_chosen_by_jurisdiction_and_notice_kind(tmp_path: Path) -> None:
    sheet, _ = notice_for(tmp_path, where(["GB", "US-CA", "US-FL"], *HIPAA))
    assert [p.id for p in packs_for(sheet, sheet.audiences[0])] == ["uk", "ca", "fl", "hipaa"]
    staff = sheet.audiences[0].model_copy(update={"notice": "staff_notice"})
    assert packs_for(sheet, staff) == []


def test_cross_rules(tmp_path: Path) -> None:
    # One audience under both US-MA and US-CA: render refuses it (opposite demands) ...
    both = sheet_from(tmp_path, where(["US-MA", "US-CA"]), name="both.yaml")
    refused = render_sheet(both).refused
    assert any("x.ma_variant" in p.hint for p in refused["customers"].problems)
    # ... and the check flags such an audience on a notice rendered for one of the two states.
    sheet, notice = notice_for(tmp_path, where(["US-CA"]))
    assert "x.ma_variant" not in {f.rule_id for f in check_notice(sheet, notice)}
    found = {(f.rule_id, f.severity) for f in pack_only(check_notice(both, notice))}
    assert {("x.ma_variant", "error"), ("x.channel.email_consent", "warning")} <= found

    sg = where(["SG"], PDPC, set_in("incident.data_involved", ["email", "password_hash"]))
    assert "x.channel.email_consent" not in {f.rule_id for f in pack_findings(tmp_path, sg)}
    assert "x.password.reuse_advice" not in {f.rule_id for f in pack_findings(tmp_path, sg)}
    found = {(f.rule_id, f.severity) for f in pack_findings(
        tmp_path, sg, replace(REUSE, "If you used this"))}
    assert {("x.password.reuse_advice", "error"), ("x.review_flags", "warning")} <= found


def test_email_consent_names_the_laws_in_full(tmp_path: Path) -> None:
    consent = [f.message for f in pack_findings(tmp_path, where(["US-CA"]))
               if f.rule_id == "x.channel.email_consent"]
    assert consent == ["email notice to an audience under California Civ. Code 1798.82: electronic "
                       "notice may need the reader's consent (E-SIGN; express consent in New York; "
                       "agreement under HIPAA)"]
    canada = pack_findings(tmp_path, where(["CA"]))  # Canada (PIPEDA) is not California
    assert "x.channel.email_consent" not in {f.rule_id for f in canada}
    rule = next(r for r in all_rules() if r.id == "x.channel.email_consent")
    assert "California Civ. Code 1798.82" in rule.source and ", ca," not in rule.source


def test_recorded_email_consent_settles_the_warning(tmp_path: Path) -> None:
    """The warning names the sheet field that settles it; set, the warning is gone."""
    found = [f for f in pack_findings(tmp_path, where(["US-CA"]))
             if f.rule_id == "x.channel.email_consent"]
    assert [f.field for f in found] == [("audiences", 0, "email_consent")]
    agreed = pack_findings(tmp_path, where(["US-CA"], set_in("audiences.0.email_consent", True)))
    assert "x.channel.email_consent" not in {f.rule_id for f in agreed}


# -- the packaged copy of the reference ------------------------------------------------------

SHARED = ROOT.parent / "shared" / "law" / "requirements.yaml"


@pytest.mark.skipif(not SHARED.exists(), reason="shared/law/requirements.yaml is not beside the repo")
def test_the_packaged_copy_agrees_with_the_reference() -> None:
    """The project's reference is the compiled one, whole, plus its own additions, each marked."""
    original: dict[str, Any] = yaml.safe_load(SHARED.read_text(encoding="utf-8"))
    ours = {j["id"]: j for j in reference()["jurisdictions"]}
    for source in original["jurisdictions"]:
        entry = ours[source["id"]]
        for key, value in source.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                kept = [item for item in entry[key] if item.get("added") != "notifier"]
                assert kept == value, (source["id"], key)
            else:
                assert entry[key] == value, (source["id"], key)
    for key, value in original["sources"].items():
        assert reference()["sources"][key] == value
    added = [j for j in ours.values() if j["id"] not in {s["id"] for s in original["jurisdictions"]}]
    assert {j["id"] for j in added} == {"ct", "de"}
    assert all(j.get("added") == "notifier" for j in added)
    assert reference()["cross_rules"] == original["cross_rules"]


def test_every_individual_element_is_checked_or_excused() -> None:
    for pack in packs():
        data = next(j for j in reference()["jurisdictions"] if j["id"] == pack.id)
        prefix = "uk." if pack.id == "uk" else None
        ids = {e["id"] for e in data["elements"] if e["audience"] == "individual"}
        if pack.id == "uk":
            gdpr = next(j for j in reference()["jurisdictions"] if j["id"] == "gdpr")
            ids |= {"uk." + e["id"].split(".", 1)[1] for e in gdpr["elements"]
                    if e["audience"] == "individual"}
        checked = {rule.id for rule in pack.rules()}
        assert ids - checked - set(pack.not_checked) == set(), (pack.id, prefix)
    cross_ids = {c["id"] for c in reference()["cross_rules"]}
    from notifier.checks.jurisdictions.cross import rules

    assert cross_ids - {r.id for r in rules()} - set(CROSS_NOT_CHECKED) == set()


def test_a_place_without_rules_is_a_warning_not_silence(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path, where(["US-WA", "JP", "GB"]))
    found = [f for f in check_notice(sheet, notice) if f.rule_id == "x.uncovered_jurisdiction"]
    assert [f.severity for f in found] == ["warning"]
    assert "no legal rules for US-WA and JP" in found[0].message


@pytest.mark.parametrize(("codes", "locale", "warned"), [
    (["CA"], "en-US", True), (["CA", "US-NY"], "en-GB", True), (["CA"], "en-CA", False),
    (["US-CA"], "en-US", False),
])
def test_canada_written_for_california_is_questioned(tmp_path: Path, codes: list[str],
                                                     locale: str, warned: bool) -> None:
    sheet, notice = notice_for(tmp_path, where(codes, set_in("audiences.0.locale", locale)))
    ids = {f.rule_id for f in check_notice(sheet, notice)}
    assert ("x.ca_is_canada" in ids) is warned


@pytest.mark.parametrize(("text", "nature"), [
    ("We are offering identity theft protection.", False),
    ("We are offering identity-theft protection.", False),
    ("It was a theft of customer data.", True),
    ("An intruder used a gap in our website.", True),
])
def test_massachusetts_nature_words(text: str, nature: bool) -> None:
    from notifier.checks.jurisdictions.ma import NATURE_WORDS

    assert bool(NATURE_WORDS.search(text)) is nature


@pytest.mark.parametrize(("data", "severity"), [(["name", "email"], "warning"),
                                                (["name", "health"], "error")])
def test_the_art34_duty_follows_the_data_not_the_notice_kind(tmp_path: Path, data: list[str],
                                                             severity: str) -> None:
    # no_action_needed, no privacy contact: the DPO element is missing either way
    sheet, notice = notice_for(tmp_path, edits(set_in("audiences.0.jurisdictions", ["GB"]),
                                               set_in("audiences.0.notice", "no_action_needed"),
                                               set_in("incident.data_involved", data)))
    (dpo,) = [f for f in check_notice(sheet, notice) if f.rule_id == "uk.art34.dpo_contact"]
    assert dpo.severity == severity


def test_singapore_notices_may_not_be_dated_before_the_pdpc_was_told(tmp_path: Path) -> None:
    late_pdpc = set_in("incident.authorities", [{"name": "Personal Data Protection Commission",
                                                  "notified_at": "2025-04-25T12:00:00+08:00"}])
    sheet, notice = notice_for(tmp_path, where(["SG"], late_pdpc, set_in("notice_date", "2025-04-23")))
    found = {f.rule_id: f for f in check_notice(sheet, notice)}
    assert "before the PDPC was notified" in found["sg.pdpa.s26d.after_pdpc"].message
    sheet, notice = notice_for(tmp_path, where(["SG"], late_pdpc, set_in("notice_date", "2025-04-25")))
    assert "sg.pdpa.s26d.after_pdpc" not in {f.rule_id for f in check_notice(sheet, notice)}


def test_hipaa_with_massachusetts_points_at_the_exemption(tmp_path: Path) -> None:
    health = set_in("incident.data_involved", ["name", "email", "health", "government_id"])
    sheet, notice = notice_for(tmp_path, where(["US-MA"], *HIPAA, health, OFFER))
    found = [f for f in check_notice(sheet, notice) if f.rule_id == "hipaa.164_404.what_happened"]
    assert found and "ma.93h.exempt.primary_regulator" in found[0].fix
