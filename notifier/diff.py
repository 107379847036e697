"""What changed between two revisions of a fact sheet: the facts an update notice is built from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from notifier.advice import CATEGORIES
from notifier.model import FactSheet


@dataclass(frozen=True)
class Change:
    """One change of fact between an earlier and a later revision.

    ``kind`` is ``added``, ``removed``, ``changed`` or ``corrected`` (a category the earlier
    revision said was *not* involved and the later one says *was*: the earlier notice was wrong).
    """

    field: str
    kind: str
    old: str | None
    new: str | None

    def __str__(self) -> str:
        sign = {"added": "+", "removed": "-", "changed": "~", "corrected": "!"}[self.kind]
        if self.kind == "changed":
            return f"{sign} {self.field}: {self.old} -> {self.new}"
        if self.kind == "corrected":
            return f"{sign} {self.field}: {self.new} (earlier listed as not involved)"
        return f"{sign} {self.field}: {self.new if self.kind == 'added' else self.old}"


def _list_changes(field: str, old: Sequence[str], new: Sequence[str]) -> list[Change]:
    return ([Change(field, "removed", item, None) for item in old if item not in new]
            + [Change(field, "added", None, item) for item in new if item not in old])


def diff_sheets(old: FactSheet, new: FactSheet) -> list[Change]:
    """Return the fact changes from ``old`` to ``new``, in a stable, reader-relevant order."""
    return incident_changes(old, new) + _other_changes(old, new)


def incident_changes(old: FactSheet, new: FactSheet) -> list[Change]:
    """Return the changes of the incident's facts (``incident.*``): what an update notice
    words. Its cost does not grow with the number of audiences, which an update notice
    computes it for one by one."""
    a, b = old.incident, new.incident
    changes: list[Change] = []
    for name in ("kind", "status", "misuse", "summary"):
        before, after = getattr(a, name), getattr(b, name)
        if before != after:
            changes.append(Change(f"incident.{name}", "changed", before, after))
    for cat in b.data_involved:
        if cat not in a.data_involved:
            kind = "corrected" if cat in a.data_not_involved else "added"
            changes.append(Change("incident.data_involved", kind, None, cat))
    changes += [Change("incident.data_involved", "removed", cat, None)
                for cat in a.data_involved if cat not in b.data_involved]
    changes += [c for c in _list_changes("incident.data_not_involved", a.data_not_involved,
                                         b.data_not_involved)
                if not (c.kind == "removed" and c.old in b.data_involved)]
    changes += _list_changes("incident.safe", a.safe, b.safe)
    changes += _list_changes("incident.actions_taken", a.actions_taken, b.actions_taken)
    changes += _list_changes("incident.authorities", [x.name for x in a.authorities],
                             [x.name for x in b.authorities])
    changes += _list_changes("incident.likely_consequences", a.likely_consequences,
                             b.likely_consequences)
    changes += _list_changes("incident.measures_proposed", a.measures_proposed,
                             b.measures_proposed)
    for name in ("records", "occurred", "password_protection", "how_discovered"):
        before, after = getattr(a, name), getattr(b, name)
        if before != after:
            changes.append(Change(f"incident.{name}", "changed", _show(before), _show(after)))
    before_services = {s.name: s.status for s in a.services}
    for service in b.services:
        if service.name not in before_services:
            changes.append(Change("incident.services", "added", None,
                                  f"{service.name} ({service.status})"))
        elif before_services[service.name] != service.status:
            changes.append(Change(f"incident.services.{service.name}", "changed",
                                  before_services[service.name], service.status))
    return changes


def id_warning(changes: Sequence[Change]) -> str | None:
    """Return a warning when the two sheets compared have different ids (likely not revisions
    of one incident), else None."""
    for change in changes:
        if change.field == "id":
            return (f"the sheets have different ids ({change.old}, {change.new}): are they "
                    "revisions of the same incident?")
    return None


def _show(value: object) -> str | None:
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        return ", ".join(f"{k}: {v}" for k, v in value.model_dump(mode="json", by_alias=True,
                                                                 exclude_none=True).items())
    return str(value)


def _other_changes(old: FactSheet, new: FactSheet) -> list[Change]:
    """Changes outside the incident: who sends, when, and to whom (update wording ignores them)."""
    changes: list[Change] = []
    if old.id != new.id:
        changes.append(Change("id", "changed", old.id, new.id))
    pairs = [("notice_date", old.notice_date, new.notice_date),
             ("organisation.name", old.organisation.name, new.organisation.name),
             ("organisation.contact", _show(old.organisation.contact),
              _show(new.organisation.contact)),
             ("organisation.sender", _show(old.organisation.sender),
              _show(new.organisation.sender))]
    changes += [Change(field, "changed", _show(before), _show(after))
                for field, before, after in pairs if before != after]
    earlier = {x.id: x for x in old.audiences}
    later = {x.id: x for x in new.audiences}
    changes += [Change("audiences", "removed", i, None) for i in earlier if i not in later]
    changes += [Change("audiences", "added", None, i) for i in later if i not in earlier]
    for audience_id, after in later.items():
        before = earlier.get(audience_id)
        if before is None:
            continue
        for name in ("notice", "jurisdictions", "data_involved", "size", "locale"):
            was, now = getattr(before, name), getattr(after, name)
            if was != now:
                changes.append(Change(f"audiences.{audience_id}.{name}", "changed",
                                      _show(was), _show(now)))
    return changes


def category_label(category: str) -> str:
    """Return the reader-facing name of a built-in data category (for update wording)."""
    return CATEGORIES[category].label if category in CATEGORIES else category
