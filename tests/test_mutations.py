"""Mutation test of the gate: every legal element, broken through the sheet or the templates,
draws its finding (an error; a warning where the law only recommends).

The base is the legal corpus (tests/sheets/legal/, one complete sheet per pack), whose notices
pass every element. Then, one at a time:

- **through the sheet**: the fact an element needs is removed or changed (the table below);
- **through the templates**: a team's override of the built-in templates deletes an element
  block, empties it, adds words to it (a negation), strips one of its facts or reviewed
  sentences, or moves it under another heading (California, whose law fixes the sections);
  and an override of ``_copy.j2`` empties or negates a reviewed sentence.

Which blocks prove an element is learned by tracing the element's check on the base notice.
A template mutation that does not change the notice (a block this notice kind does not use)
is not counted. A mutation is killed when the element's own rule fires with the expected
severity; anything else survives and fails the test. The score is printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_helpers import Edit, edits, set_in
from conftest import ROOT

from notifier.checks import check_notice
from notifier.checks.elements import traced
from notifier.checks.jurisdictions import Element, Pack, packs_for
from notifier.checks.view import NoticeView
from notifier.errors import RenderRefused, SheetError
from notifier.model import FactSheet
from notifier.render import RenderedNotice, load_previous, render_notice
from notifier.sheet import load_sheet
from notifier.templating import builtin_templates, make_environment

CORPUS = ROOT / "tests" / "sheets" / "legal"
_CALL = re.compile(r'^[ \t]*\{% call element\("([\w.]+)"\) %\}\n(.*?)^[ \t]*\{% endcall %\}\n',
                   re.M | re.S)
_EXPR = re.compile(r"\{\{.*?\}\}")
_MACRO = re.compile(r"(\{% macro (\w+)\(\) -%\}\n)(.*?)(\{%- endmacro %\})", re.S)
_VERB = re.compile(r"\b(is|are|can|have|has|will|was|were|do|does)\b")


@dataclass
class Case:
    """A corpus sheet, its first audience's notice, and each element that applies to it."""

    name: str
    path: Path
    sheet: FactSheet
    notice: RenderedNotice
    #: (pack, element, its check, the blocks it needs, the reviewed sentences it needs)
    elements: list[tuple[Pack, Element, Callable[[NoticeView], Any], set[str], set[str]]]


def _load(path: Path) -> Case:
    sheet = load_sheet(path)
    notice = render_notice(sheet, 0)
    view = NoticeView(sheet, 0, notice)
    found = []
    for pack in packs_for(sheet, sheet.audiences[0]):
        for element, _how, run in pack.checks:
            with traced() as needed:
                assert run(view) is None, (path.stem, element.id)  # the base passes
            found.append((pack, element, run, {b for b, _ in needed},
                          {k for _, keys in needed for k in keys}))
    return Case(path.stem, path, sheet, notice, found)


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return [_load(p) for p in sorted(CORPUS.glob("*.yaml"))]


def _expected(pack: Pack, element: Element, view: NoticeView) -> str:
    rule = element.rule(pack.name, "")
    return rule.severity


def _fires(case: Case, sheet: FactSheet, notice: RenderedNotice, pack: Pack,
           element: Element) -> bool:
    view = NoticeView(sheet, 0, notice)
    want = _expected(pack, element, view)
    found = {(f.rule_id, f.severity) for f in check_notice(sheet, notice)}
    return (element.id, want) in found


# -- through the templates ------------------------------------------------------------------

@dataclass(frozen=True)
class Mutation:
    """One override folder's worth of change: which file, which block or sentence, how."""

    file: str
    target: str  # a block name, or a _copy.j2 macro
    kind: str
    text: str  # the whole mutated file

    @property
    def label(self) -> str:
        return f"{self.file}:{self.target}:{self.kind}"


def _negation(file: str) -> str:
    if file.endswith(".mjml.j2"):
        return "          <p>It is not true that:</p>\n"
    return "It is not true that:\n"


def _heading_anchor(file: str, heading: str) -> str:
    return (f"<h2>{{{{ h.{heading} }}}}</h2>\n" if file.endswith(".mjml.j2")
            else f"{{{{ heading(h.{heading}) }}}}\n")


#: Blocks whose section a law fixes (California 1798.82(d)(1)), and where a move puts them.
MOVES = {"breach.description": "help", "data.involved": "help", "contact": "what_happened"}


def block_mutations() -> list[Mutation]:
    out: list[Mutation] = []
    root = builtin_templates()
    for path in sorted(root.glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        for match in _CALL.finditer(source):
            name, body = match.group(1), match.group(2)
            start, end = match.span()
            head = match.group(0)[: match.start(2) - start]
            tail = match.group(0)[match.end(2) - start:]

            def put(new: str) -> str:
                return source[:start] + new + source[end:]  # noqa: B023

            out.append(Mutation(path.name, name, "delete", put("")))
            out.append(Mutation(path.name, name, "empty", put(head + tail)))
            out.append(Mutation(path.name, name, "negate", put(head + _negation(path.name) + body + tail)))
            for i, expr in enumerate(_EXPR.finditer(body)):
                stripped = body[:expr.start()] + body[expr.end():]
                out.append(Mutation(path.name, name, f"strip {expr.group(0)}#{i}",
                                    put(head + stripped + tail)))
            if name in MOVES:
                anchor = _heading_anchor(path.name, MOVES[name])
                moved = put("")
                if anchor in moved:
                    at = moved.index(anchor) + len(anchor)
                    out.append(Mutation(path.name, name, "move",
                                        moved[:at] + match.group(0) + moved[at:]))
    copy_path = root / "_copy.j2"
    source = copy_path.read_text(encoding="utf-8")
    for match in _MACRO.finditer(source):
        macro, body = match.group(2), match.group(3)
        start, end = match.span(3)
        out.append(Mutation("_copy.j2", macro, "empty sentence", source[:start] + source[end:]))
        verb = _VERB.search(body)
        negated = (body[:verb.end()] + " not" + body[verb.end():] if verb
                   else "Not so: " + body)
        out.append(Mutation("_copy.j2", macro, "negate sentence",
                            source[:start] + negated + source[end:]))
    return out


def _breaks(mutation: Mutation, pack: Pack, blocks: set[str], wording: set[str]) -> bool:
    """True when the mutation breaks what this element needs.

    A reviewed sentence (stripped from a block, or emptied or negated in _copy.j2) breaks
    the elements that need that sentence; a move breaks California's, whose law fixes the
    section; anything else done to a block breaks every element proved from the block.
    """
    copy = re.fullmatch(r"strip \{\{ copy\.(\w+) \}\}#\d+", mutation.kind)
    if mutation.file == "_copy.j2":
        return mutation.target in wording
    if mutation.target not in blocks:
        return False
    if copy:
        from notifier.blocks import BLOCKS

        return copy.group(1) in wording or copy.group(1) not in BLOCKS.get(mutation.target, ())
    if mutation.kind == "move":
        return pack.id == "ca"
    return True


def test_every_element_block_mutation_is_caught(cases: list[Case], tmp_path_factory: Any) -> None:
    total = killed = skipped = 0
    survivors: list[str] = []
    for n, mutation in enumerate(block_mutations()):
        relevant = [(c, p, e) for c in cases for p, e, _run, blocks, wording in c.elements
                    if _breaks(mutation, p, blocks, wording)]
        if not relevant:
            continue
        folder = tmp_path_factory.mktemp(f"m{n}")
        (folder / mutation.file).write_text(mutation.text, encoding="utf-8")
        env = make_environment(folder)
        rendered: dict[str, RenderedNotice | None] = {}
        for case, pack, element in relevant:
            if case.name not in rendered:
                try:
                    rendered[case.name] = render_notice(case.sheet, 0, env, load_previous(case.sheet))
                except RenderRefused:
                    rendered[case.name] = None  # the template no longer renders: refused
            notice = rendered[case.name]
            if notice is not None and notice.blocks == case.notice.blocks:
                skipped += 1  # no block a reader sees changed (unused here, or only markup)
                continue
            total += 1
            if notice is None or _fires(case, case.sheet, notice, pack, element):
                killed += 1
            else:
                survivors.append(f"{case.name}: {element.id} <- {mutation.label}")
    print(f"\ntemplate mutations: {killed}/{total} caught ({skipped} left the notice unchanged)")
    assert total > 300
    assert survivors == [], "\n".join(survivors[:40])


# -- through the sheet ----------------------------------------------------------------------

NO_OFFER = set_in("incident.protection_offer", None)
NO_ACTIONS = set_in("incident.actions_taken", [])
NO_DATES = set_in("incident.occurred", None)
NO_DPO = set_in("organisation.privacy_contact", None)
#: (element, corpus sheet, edit): each must draw the element's finding, of the severity of
#: the element's kind; the few where the law makes it advice say so in WARNINGS. An edit the
#: model refuses (validate) counts as caught.
SHEET_MUTATIONS: list[tuple[str, str, Edit]] = [
    ("gdpr.art34.dpo_contact", "gdpr", NO_DPO),
    ("gdpr.art34.measures_taken", "gdpr", NO_ACTIONS),
    ("gdpr.art34.advice_to_individuals", "gdpr",
     set_in("incident.data_involved", ["name", "membership_number"])),
    ("gdpr.art34.language", "gdpr", set_in("audiences.0.jurisdictions", ["FR"])),
    ("uk.art34.dpo_contact", "uk", NO_DPO),
    ("uk.art34.measures_taken", "uk", NO_ACTIONS),
    ("ca.1798_82.notice_date", "ca", set_in("notice_date", None)),
    ("ca.1798_82.breach_date", "ca", NO_DATES),
    ("ca.1798_82.pi_types", "ca", set_in("audiences.0.data_involved", [])),
    ("ca.1798_82.idtheft_services", "ca", NO_OFFER),
    ("ca.1798_82.idtheft_services", "ca", set_in("incident.protection_offer.months", 6)),
    ("ca.1798_82.idtheft_services", "ca", set_in("incident.protection_offer.covers",
                                                 ["fraud_alerts"])),
    ("ca.1798_82.idtheft_services", "ca", edits(
        set_in("incident.protection_offer.enrol_url", None),
        set_in("incident.protection_offer.enrol_phone", None),
        set_in("incident.protection_offer.how_to_enrol", "Details to follow."))),
    ("ca.1798_82.idtheft_services", "ca", set_in("incident.protection_offer.audiences",
                                                 ["somebody-else"])),
    ("ny.899aa.info_categories", "ny", set_in("audiences.0.data_involved", [])),
    ("tx.521_053.rec.breach_date", "tx", NO_DATES),
    ("ma.93h.credit_monitoring", "ma", NO_OFFER),
    ("ma.93h.credit_monitoring", "ma", set_in("incident.protection_offer.months", 12)),
    ("ma.93h.credit_monitoring", "ma", set_in("incident.protection_offer.covers",
                                              ["identity_monitoring"])),
    ("ma.93h.forbid.waiver_condition", "ma", set_in("incident.protection_offer.how_to_enrol",
                                                    "To join, you must waive your right to sue.")),
    ("fl.501_171.breach_date", "fl", NO_DATES),
    ("hipaa.164_404.entity_actions", "hipaa", NO_ACTIONS),
    ("hipaa.164_404.contact_procedures", "hipaa", set_in("organisation.contact.phone",
                                                         "0800 555 0142")),
    ("hipaa.164_404.contact_procedures", "hipaa", set_in("organisation.contact.phone", None)),
    ("sg.pdpa.s26d.after_pdpc", "sg", set_in("incident.authorities", [])),
    ("sg.pdpa.s26d.after_pdpc", "sg", set_in("notice_date", "2025-09-10")),
    ("sg.pdpa.reg6.circumstances", "sg", set_in("incident.how_discovered", None)),
    ("sg.pdpa.reg6.org_actions", "sg", NO_ACTIONS),
    ("sg.pdpa.reg6.authorised_rep_contact", "sg", edits(NO_DPO,
                                                       set_in("organisation.signatory", None))),
    ("au.ndb.s26wk.recommended_steps", "au", set_in("incident.data_involved",
                                                    ["name", "membership_number"])),
    ("pipeda.reg3.period", "pipeda", NO_DATES),
    ("pipeda.reg3.org_steps", "pipeda", NO_ACTIONS),
    ("pipeda.reg3.contact", "pipeda", edits(NO_DPO, set_in("organisation.contact.email", None),
                                            set_in("organisation.contact.phone", "0800 555 0142"))),
    ("ct.701b.idtheft_services", "ct", NO_OFFER),
    ("ct.701b.idtheft_services", "ct", set_in("incident.protection_offer.months", 12)),
    ("de.12b_102.credit_monitoring", "de", NO_OFFER),
    ("de.12b_102.credit_monitoring", "de", set_in("incident.protection_offer.covers",
                                                  ["identity_restoration"])),
    # A notice dated past its law's deadline (x.notice_late), each law with a fixed period.
    # (California's corpus sheet records a law-enforcement delay, which excuses lateness)
    ("x.notice_late", "ca", edits(set_in("notice_date", "2026-04-02"),
                                  set_in("incident.delay_reasons", None))),
    *((("x.notice_late", name, set_in("notice_date", late)) for name, late in (
        ("ny", "2026-02-12"), ("tx", "2026-06-06"), ("fl", "2026-08-01"),
        ("hipaa", "2026-04-12"), ("ct", "2026-10-03"), ("de", "2026-11-07")))),
]
#: Sheet mutations whose finding is a warning, and why.
WARNINGS = {
    # California asks for the date of the breach "if determinable": without it, a warning
    ("ca.1798_82.breach_date", "ca"),
    # with no data listed for the audience, the state's duty is not brought in: advice
    ("ca.1798_82.pi_types", "ca"), ("ny.899aa.info_categories", "ny"),
}
#: What Massachusetts forbids, written into the sheet's narrative fields and counts: it must
#: not reach the reader (proved by the element's finding, or by its absence from the notice).
MA_LEAKS: list[tuple[str, Edit, str]] = [
    ("ma.93h.forbid.nature_of_breach", set_in("incident.safe", ["The attackers used a phishing "
                                                                "email to reach our servers."]),
     "phishing email"),
    ("ma.93h.forbid.nature_of_breach", set_in("incident.likely_consequences", [
        "Because the hackers stole the database, you may get scam calls."]), "stole the database"),
    ("ma.93h.forbid.nature_of_breach", set_in("incident.actions_taken", [
        "We patched the hole in our login page that let them in."]), "hole in our login page"),
    ("ma.93h.forbid.nature_of_breach", set_in("audiences.0.reason", "your record was in the table "
                                              "the intruders copied"), "intruders copied"),
    ("ma.93h.forbid.nature_of_breach", set_in("incident.kind", "supplier_breach"), "supplier"),
    ("ma.93h.forbid.resident_count", set_in("incident.safe", ["We are writing to all 900 "
                                                              "affected residents."]), "900"),
]


def _mutated(tmp_path: Path, name: str, edit: Edit) -> FactSheet:
    data: dict[str, Any] = yaml.safe_load((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"))
    _stringify(data)
    edit(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return load_sheet(path)


def _stringify(node: Any) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in list(items):
        if hasattr(value, "isoformat"):
            node[key] = value.isoformat()
        else:
            _stringify(value)


def _rule_severity(rule_id: str, cases: list[Case], name: str) -> str:
    case = next(c for c in cases if c.name == name)
    for pack, element, _run, _blocks, _wording in case.elements:
        if element.id == rule_id:
            return element.rule(pack.name, "").severity
    return "error"


def test_every_sheet_mutation_is_caught(cases: list[Case], tmp_path_factory: Any) -> None:
    survivors = []
    for i, (rule_id, name, edit) in enumerate(SHEET_MUTATIONS):
        folder = tmp_path_factory.mktemp(f"s{i}")
        try:
            sheet = _mutated(folder, name, edit)
            notice = render_notice(sheet, 0)
        except (SheetError, RenderRefused):
            continue  # refused before a notice exists: caught
        want = "warning" if (rule_id, name) in WARNINGS else _rule_severity(rule_id, cases, name)
        found = {(f.rule_id, f.severity) for f in check_notice(sheet, notice)}
        if (rule_id, want) not in found:
            survivors.append(f"{name}: {rule_id} ({want}) <- sheet edit {i}: {sorted(found)}")
    for i, (rule_id, edit, words) in enumerate(MA_LEAKS):
        sheet = _mutated(tmp_path_factory.mktemp(f"ma{i}"), "ma", edit)
        notice = render_notice(sheet, 0)
        shown = " ".join((notice.subject + " " + notice.text + " " + notice.html).split())
        fired = rule_id in {f.rule_id for f in check_notice(sheet, notice) if f.severity == "error"}
        if words in shown and not fired:
            survivors.append(f"ma: {rule_id} <- leak {i}: {words!r} reached the notice")
    total = len(SHEET_MUTATIONS) + len(MA_LEAKS)
    print(f"\nsheet mutations: {total - len(survivors)}/{total} caught")
    assert survivors == [], "\n".join(survivors)


def test_every_checked_element_is_mutated(cases: list[Case]) -> None:
    """No element escapes the mutation test: each is proven from a block some template
    mutation breaks, or has a sheet mutation, or is structural (tested in
    test_checks_jurisdictions.py with the finished HTML)."""
    structural = {"ca.1798_82.title", "ca.1798_82.heading_order", "ca.1798_82.format_attention",
                  "ca.1798_82.font_min_10pt", "pipeda.s10_1.conspicuous",
                  # English is an official language of GB: the built-in wording always meets it
                  "uk.art34.language"}
    by_sheet = {rule for rule, _name, _edit in SHEET_MUTATIONS} | {r for r, _e, _w in MA_LEAKS}
    by_block = {e.id for c in cases for _p, e, _r, blocks, _w in c.elements if blocks}
    every = {e.id for c in cases for _p, e, _r, _b, _w in c.elements}
    headings = {e for e in every if e.startswith("ca.1798_82.heading.")}
    assert every - by_sheet - by_block - structural - headings == set()
