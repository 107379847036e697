"""What a check reports: a rule (stable ID, severity, source) and a finding against one notice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
#: ``house`` marks the project's own rules; the others are the legal reference's statuses.
Status = Literal["house", "confirmed", "secondary", "unverified"]


@dataclass(frozen=True)
class Rule:
    """One check: its stable ID, how bad a failure is, what it checks and where the rule comes from."""

    id: str
    severity: Severity
    summary: str
    source: str
    status: Status = "house"


@dataclass(frozen=True)
class Finding:
    """One rule failed for one audience's notice: what is wrong and how to fix it."""

    rule_id: str
    severity: Severity
    sheet: str
    audience: str
    notice: str
    message: str
    fix: str
    source: str
    status: Status = "house"
    #: The sheet field the finding is about, when it is a fact rather than the template
    #: (``("incident", "summary")``); render's refusal points there.
    field: tuple[str | int, ...] | None = None
    #: Who waived it, when and why, when a waiver in the sheet covers it ("" when none does).
    waiver: str = ""

    @property
    def blocking(self) -> bool:
        """True for an error no waiver covers: the notice must not be sent as it is."""
        return self.severity == "error" and not self.waiver

    def __str__(self) -> str:
        state = f"{self.severity} (waived)" if self.waiver else self.severity
        return (f"{self.sheet}/{self.audience}/{self.notice}: {state}: {self.rule_id}: "
                f"{self.message}; {self.fix}")

    def as_dict(self) -> dict[str, str]:
        """Return the finding as plain data for JSON output."""
        return {"rule": self.rule_id, "severity": self.severity, "sheet": self.sheet,
                "audience": self.audience, "notice": self.notice, "message": self.message,
                "fix": self.fix, "source": self.source, "status": self.status,
                **({"field": ".".join(map(str, self.field))} if self.field else {}),
                **({"waived": self.waiver} if self.waiver else {})}


def severity_for(kind: str) -> Severity:
    """Return the severity of a legal element of ``kind`` (the reference's ``kind_values``)."""
    return "warning" if kind in ("recommended", "optional") else "error"
