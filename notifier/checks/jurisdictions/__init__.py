"""Jurisdiction packs: which laws an audience's notice answers to, and each law's elements checked.

The element IDs, kinds, citations and statuses come from ``requirements.yaml`` beside this
file (a copy of the needed parts of the legal reference). Each pack module says how each
element is checked, and why an element is not checked where it cannot be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from notifier.checks.finding import Finding, Rule, Status, severity_for
from notifier.checks.jurisdictions.evidence import Advice, Miss
from notifier.model import READER_NOTICES

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView
    from notifier.model import Audience, FactSheet

Check = Callable[["NoticeView"], "Miss | None"]
#: Notice kinds that go to the people whose data was involved; the packs check only these.
INDIVIDUAL_NOTICES = READER_NOTICES


@cache
def reference() -> dict[str, Any]:
    """Return the packaged copy of the legal reference (requirements.yaml)."""
    text = resources.files(__package__).joinpath("requirements.yaml").read_text(encoding="utf-8")
    # libyaml when available: the reference is 70 KB, and the pure-Python loader takes
    # about a third of a second over it, on the first check of every process.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    return data


def pack_data(pack_id: str) -> dict[str, Any]:
    """Return one jurisdiction's entry of the reference."""
    for entry in reference()["jurisdictions"]:
        if entry["id"] == pack_id:
            result: dict[str, Any] = entry
            return result
    raise KeyError(pack_id)


def cite(citation: str, sources: list[str]) -> str:
    """Return a citation with its source keys, e.g. ``Art. 34(2) [gdpr-text]``."""
    return f"{citation} [{', '.join(sources)}]" if sources else citation


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
    """A jurisdiction's checks: when it applies, when the notice is mandatory, and each element."""

    id: str
    name: str
    codes: frozenset[str]
    checks: tuple[tuple[Element, str, Check], ...]  # (element, how it is checked, check)
    not_checked: dict[str, str] = field(default_factory=dict)  # element id -> why
    triggers: frozenset[str] = frozenset()  # data categories that make the notice mandatory
    review: frozenset[str] = frozenset()  # categories a human must judge
    high_risk_by_notice: bool = False  # GDPR-style: a no_action_needed notice is voluntary
    applies_extra: Callable[[FactSheet, Audience], bool] | None = None

    def applies(self, sheet: FactSheet, audience: Audience) -> bool:
        """True when the audience's jurisdictions (and the pack's own condition) bring it in."""
        if self.applies_extra is not None:
            return self.applies_extra(sheet, audience)
        return bool(self.codes & set(audience.jurisdictions))

    def mandatory(self, view: NoticeView) -> bool:
        """True when the law requires this notice, so its elements are errors, not advice."""
        if self.high_risk_by_notice:
            # The duty follows the risk, not the notice the author picked: data that calls
            # for action, or health data, makes it high risk even in a no_action_needed one.
            from notifier import advice as advice_table

            risky = advice_table.calls_for_action(view.data) or "health" in view.data
            return view.audience.notice != "no_action_needed" or bool(risky)
        if self.triggers:
            return bool(self.triggers & set(view.data))
        return True

    def rules(self) -> list[Rule]:
        """Return the pack's checked elements as rules."""
        return [el.rule(self.name, how) for el, how, _ in self.checks]

    def check(self, view: NoticeView) -> list[Finding]:
        """Return the findings of every element of this pack against one notice."""
        found = []
        mandatory = self.mandatory(view)
        for el, how, run in self.checks:
            miss = run(view)
            if miss is None:
                continue
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
    from notifier.checks.jurisdictions import au, ca, fl, gdpr, hipaa, ma, ny, pipeda, sg, tx, uk

    return (gdpr.PACK, uk.PACK, ca.PACK, ny.PACK, tx.PACK, ma.PACK, fl.PACK, hipaa.PACK, sg.PACK,
            au.PACK, pipeda.PACK)


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
