"""Jurisdiction packs: which laws an audience's notice answers to, and each law's elements checked.

The element IDs, kinds, citations and statuses come from the legal reference
(``notifier.law``). Each pack module says how each
element is checked, and why an element is not checked where it cannot be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule, Status, severity_for
from notifier.checks.jurisdictions.evidence import Advice, Miss
from notifier.law import (
    PACK_NAMES,
    RISK_BASED,
    applies,
    cite,
    duty_triggered,
    pack_data,
    review_flags,
)
from notifier.law import codes as law_codes
from notifier.model import READER_NOTICES

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView
    from notifier.model import Audience, FactSheet

Check = Callable[["NoticeView"], "Miss | None"]
#: Notice kinds that go to the people whose data was involved; the packs check only these.
INDIVIDUAL_NOTICES = READER_NOTICES


@dataclass(frozen=True)
class Element:
    """One element of the reference that a pack checks."""

    id: str
    kind: str
    text: str
    citation: str
    sources: tuple[str, ...]
    status: Status

    def rule(self, pack_name: str, how: str) -> Rule:
        """Return the element as a rule (severity from its kind)."""
        return Rule(self.id, severity_for(self.kind), f"{self.text} (checked: {how})",
                    f"{pack_name}: {cite(self.citation, list(self.sources))}", self.status)


def element(pack_id: str, element_id: str, *, prefix: str | None = None) -> Element:
    """Return an element of ``pack_id``; ``prefix`` renames it (UK GDPR reuses GDPR's elements)."""
    for entry in pack_data(pack_id)["elements"]:
        if entry["id"] == element_id:
            new_id = element_id if prefix is None else prefix + element_id.split(".", 1)[1]
            return Element(new_id, entry["kind"], entry["text"], entry["citation"],
                           tuple(entry.get("sources", ())), entry["status"])
    raise KeyError(element_id)


@dataclass(frozen=True)
class Pack:
    """A jurisdiction's checks: when it applies, when the notice is mandatory, and each element.

    Which audiences it applies to, and which data brings in its duty, are the legal
    reference's (``notifier.law``): the deadlines follow the same rules.
    """

    id: str
    checks: tuple[tuple[Element, str, Check], ...]  # (element, how it is checked, check)
    not_checked: dict[str, str] = field(default_factory=dict)  # element id -> why

    @property
    def name(self) -> str:
        """The law's short name."""
        return PACK_NAMES[self.id]

    @property
    def codes(self) -> frozenset[str]:
        """The jurisdiction codes it covers."""
        return law_codes(self.id)

    @property
    def review(self) -> frozenset[str]:
        """The categories whose status there a human must judge."""
        return review_flags(self.id)

    def applies(self, sheet: FactSheet, audience: Audience) -> bool:
        """True when the audience's jurisdictions (and the law's own condition) bring it in."""
        return applies(self.id, sheet, audience)

    def mandatory(self, view: NoticeView) -> bool:
        """True when the law requires this notice, so its elements are errors, not advice.

        Risk-based laws (GDPR, UK GDPR, Australia, Canada): the duty follows the risk, not
        the notice the author picked; data that calls for action, health data, data that
        together allow identity fraud, or suspected misuse make it a duty even in a
        no_action_needed notice. The others: the data their statute lists.
        """
        vocab = view.sheet.vocabulary
        if self.id in RISK_BASED:
            risky = vocab.high_risk(view.data, view.sheet.incident.misuse)
            return view.audience.notice != "no_action_needed" or risky
        return duty_triggered(self.id, view.data, vocabulary=vocab)

    def rules(self) -> list[Rule]:
        """Return the pack's checked elements as rules."""
        return list({el.id: el.rule(self.name, how) for el, how, _ in self.checks}.values())

    def check(self, view: NoticeView) -> list[Finding]:
        """Return the findings of every element of this pack against one notice (one per element)."""
        found = []
        mandatory = self.mandatory(view)
        seen: set[str] = set()
        for el, how, run in self.checks:
            if el.id in seen:
                continue
            miss = run(view)
            if miss is None:
                continue
            seen.add(el.id)
            rule = el.rule(self.name, how)
            message, fix = miss
            severity = "warning" if isinstance(miss, Advice) else rule.severity
            if severity == "error" and not mandatory:
                severity = "warning"
                message += (f" ({self.name} does not require this notice for the data involved, "
                            "so this is advice)")
            found.append(view.finding(rule, message, fix, severity=severity))
        return found


def packs() -> tuple[Pack, ...]:
    """Return every jurisdiction pack, in the reference's order."""
    from notifier.checks.jurisdictions import (
        au,
        ca,
        ct,
        de,
        fl,
        gdpr,
        hipaa,
        ma,
        ny,
        pipeda,
        sg,
        tx,
        uk,
    )

    return (gdpr.PACK, uk.PACK, ca.PACK, ny.PACK, tx.PACK, ma.PACK, fl.PACK, hipaa.PACK, sg.PACK,
            au.PACK, pipeda.PACK, ct.PACK, de.PACK)


def packs_for(sheet: FactSheet, audience: Audience) -> list[Pack]:
    """Return the packs that apply to an audience (none for staff, regulator and service notices)."""
    if audience.notice not in INDIVIDUAL_NOTICES:
        return []
    return [p for p in packs() if p.applies(sheet, audience)]


def check(view: NoticeView) -> list[Finding]:
    """Return the findings of every pack that applies to one notice, plus the cross-pack rules."""
    from notifier.checks.jurisdictions import cross

    found: list[Finding] = []
    chosen = packs_for(view.sheet, view.audience)
    for pack in chosen:
        found += pack.check(view)
    return found + cross.check(view, chosen)
