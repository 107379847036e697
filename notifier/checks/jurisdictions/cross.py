"""Rules across packs: email consent, password reuse advice, the Massachusetts variant, review flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule, Status
from notifier.checks.jurisdictions import INDIVIDUAL_NOTICES, packs
from notifier.law import reference

if TYPE_CHECKING:
    from notifier.checks.jurisdictions import Pack
    from notifier.checks.view import NoticeView

_SEVERITY = {"x.channel.email_consent": "warning", "x.password.reuse_advice": "error",
             "x.ma_variant": "error"}
NOT_CHECKED = {
    "x.credentials.not_to_compromised_mailbox": "the sheet does not say which mailbox's "
                                                "credentials were breached",
    "x.no_action.mandated_sections": "covered: the CA, MA, NY and HIPAA elements are checked on "
                                     "no_action_needed notices too",
    "x.availability_only": "unverified per state, and the sheet cannot tell availability-only "
                           "incidents apart",
    "x.sequence.sg_pdpc_first": "covered by sg.pdpa.s26d.after_pdpc",
    "x.law_enforcement_delay_flag": "covered: a law_enforcement entry in incident.delay_reasons "
                                    "excuses a late notice where the law allows it "
                                    "(x.notice_late), and California's notice then says so "
                                    "(ca.1798_82.law_enforcement_delay)",
}
REVIEW = Rule("x.review_flags", "warning",
              "data categories the reference flags for human review in a pack (e.g. whether "
              "password_hash or payment_card_partial count as personal information there)",
              "the legal reference's review flags (trigger.review_flags): each law's definition "
              "of personal information, see docs/checks.md",
              "secondary")


UNCOVERED = Rule("x.uncovered_jurisdiction", "warning",
                 "every jurisdiction of an individuals' notice has a pack of legal rules here; "
                 "for any other, nothing jurisdiction-specific is checked",
                 "house rule: the packs cover the places listed in docs/checks.md")
CANADA_OR_CALIFORNIA = Rule("x.ca_is_canada", "warning",
                            "'CA' (Canada) is not written where 'US-CA' (California) is likely "
                            "meant: a US locale or other US states in the same audience",
                            "house rule")


def rules() -> list[Rule]:
    """Return the cross-pack rules this module checks, with the reference's wording and status."""
    found = [REVIEW, UNCOVERED, CANADA_OR_CALIFORNIA]
    names = {p.id: p.name for p in packs()}
    for entry in reference()["cross_rules"]:
        if entry["id"] in _SEVERITY:
            status: Status = entry["status"]
            found.append(Rule(entry["id"], _SEVERITY[entry["id"]], entry["text"],  # type: ignore[arg-type]
                              "the legal reference's cross-pack rules (packs: "
                              f"{', '.join(names.get(p, p) for p in entry['packs'])})", status))
    return found


def check(view: NoticeView, chosen: list[Pack]) -> list[Finding]:
    """Return the cross-pack findings for one notice, given the packs that apply to it."""
    by_id = {r.id: r for r in rules()}
    ids = {p.id for p in chosen}
    found: list[Finding] = []
    consent = [p.name for p in chosen if p.id in {"ny", "hipaa", "ca", "tx", "ma"}]
    if consent and not view.audience.email_consent:
        found.append(view.finding(
            by_id["x.channel.email_consent"], f"email notice to an audience under "
            f"{', '.join(consent)}: electronic notice may need the reader's consent "
            "(E-SIGN; express consent in New York; agreement under HIPAA)",
            "if these readers agreed to electronic notice, set email_consent: true for the "
            "audience; if not, send the notice by post too",
            field=("audiences", view.index, "email_consent")))
    if ids & {"ca", "gdpr", "uk", "sg", "au", "pipeda"} and view.password_notice:
        from notifier.context import vocabulary

        # the reviewed advice as the notice's language words it
        reuse = vocabulary(view.sheet, view.index).advice["no_reuse"]
        if view.missing(reuse.text):
            found.append(view.finding(
                by_id["x.password.reuse_advice"], "this password notice does not tell readers to "
                "change the password wherever else they used it",
                f"keep the {reuse.title!r} advice in the template"))
    if {"US-MA", "US-CA"} <= set(view.audience.jurisdictions):
        found.append(view.finding(
            by_id["x.ma_variant"], "one audience covers both Massachusetts (must not describe "
            "the breach) and California (must describe it in 'What Happened')",
            "split the audience: one for US-MA, one for US-CA"))
    found += _places(view)
    for pack in chosen:
        flagged = sorted(pack.review & set(view.data))
        if flagged:
            found.append(view.finding(
                REVIEW, f"{', '.join(flagged)}: whether this is personal information under "
                f"{pack.name} needs a human decision (the checks assume it is)",
                "have counsel decide: if it is, record the decision as a waiver of "
                f"{REVIEW.id} for this audience (waivers: in the sheet); if not, remove the "
                "category from this audience's data"))
    return found


def _places(view: NoticeView) -> list[Finding]:
    """Warn about jurisdictions no pack covers, and about 'CA' where California is likely meant."""
    found: list[Finding] = []
    if view.audience.notice not in INDIVIDUAL_NOTICES:
        return found
    codes = view.audience.jurisdictions
    covered = frozenset().union(*(p.codes for p in packs()))
    uncovered = [c for c in codes if c not in covered]
    if uncovered:
        found.append(view.finding(
            UNCOVERED, f"no legal rules for {' and '.join(uncovered)} here: nothing specific to "
            f"{'that place' if len(uncovered) == 1 else 'those places'} was checked, and no "
            "deadline was computed", "have counsel review this notice against the local law, "
            f"then record the review as a waiver of {UNCOVERED.id} for this audience (docs/"
            "checks.md lists the places the checks cover)"))
    us_hint = view.audience.locale.lower() == "en-us" or any(c.startswith("US-") for c in codes)
    if "CA" in codes and us_hint:
        found.append(view.finding(
            CANADA_OR_CALIFORNIA, "'CA' is Canada (PIPEDA rules were applied), but this audience "
            "reads American English or includes US states", "write US-CA for California, or keep "
            "CA if these readers are in Canada"))
    return found
