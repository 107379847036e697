"""Supervisory authorities and their notification deadlines, for the regulator_report draft.

Each names the deadline rule of the legal reference (``notifier.law``) that governs it
(``rule_id``); when that is due comes from ``notifier.deadlines``, the one place deadlines
are computed.
"""

from __future__ import annotations

from dataclasses import dataclass

from notifier.i18n import N_

EU_CODES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})


@dataclass(frozen=True)
class Regulator:
    """A supervisory authority and the rule for when it must be told."""

    name: str
    rule_id: str
    citation: str
    wording: str
    codes: frozenset[str] = frozenset()  # the jurisdictions whose readers it answers for
    packs: tuple[str, ...] = ()  # element-ID prefixes of the legal reference that apply to it
    #: What the draft says the deadline is counted from ("... on <date>"), and why, when the
    #: law's own start is later.
    anchor: str = N_("counted from when we found the breach")
    anchor_note: str = ""


_ICO = Regulator("Information Commissioner's Office (ICO)", "uk.deadline.ico",
                 "UK GDPR Art. 33(1)", N_("without undue delay and within 72 hours of discovery"),
                 frozenset({"GB"}), ("gdpr", "uk"))
#: The one authority named by its role rather than its name: the role is said in the reader's
#: language (the others keep their names in every language).
LEAD_AUTHORITY = N_("lead supervisory authority")
_EU = Regulator(LEAD_AUTHORITY, "gdpr.deadline.sa", "GDPR Art. 33(1)",
                N_("without undue delay and, where feasible, within 72 hours of becoming aware"),
                EU_CODES, ("gdpr",))
#: Ireland's authority by name: a controller with no EU establishment has no lead authority
#: and tells the authority of each member state whose residents are affected.
_DPC = Regulator("Data Protection Commission (DPC)", "gdpr.deadline.sa", "GDPR Art. 33(1)",
                 N_("without undue delay and, where feasible, within 72 hours of becoming aware"),
                 frozenset({"IE"}), ("gdpr",))
_PDPC = Regulator("Personal Data Protection Commission (PDPC)", "sg.deadline.pdpc",
                  "PDPA s. 26D(1)", N_("no later than 3 calendar days after the assessment that "
                                        "the breach is notifiable"), frozenset({"SG"}), ("sg",),
                  anchor=N_("counted, to be safe, from when we found the breach"),
                  anchor_note=N_("the assessment that it is notifiable cannot come earlier"))
_OAIC = Regulator("Office of the Australian Information Commissioner (OAIC)", "au.deadline.oaic",
                  "Privacy Act s. 26WK(2)(b)", N_("as soon as practicable"), frozenset({"AU"}), ("au",))
_OPC = Regulator("Office of the Privacy Commissioner of Canada", "pipeda.deadline.commissioner",
                 "PIPEDA s. 10.1(2)", N_("as soon as feasible"), frozenset({"CA"}), ("pipeda",))


def regulator_for(jurisdiction: str) -> Regulator | None:
    """Return the supervisory authority for a jurisdiction code, if this tool knows one."""
    if jurisdiction == "GB":
        return _ICO
    if jurisdiction == "IE":
        return _DPC
    if jurisdiction in EU_CODES:
        return _EU
    return {"SG": _PDPC, "AU": _OAIC, "CA": _OPC}.get(jurisdiction)


def first_regulator(jurisdictions: list[str]) -> Regulator | None:
    """Return the authority of the first jurisdiction that has one."""
    for code in jurisdictions:
        found = regulator_for(code)
        if found:
            return found
    return None
