"""UK GDPR Art. 34 (the GDPR elements as uk.*) and the ICO's advice-and-help recommendation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.jurisdictions import Pack, element, evidence, gdpr

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView


def advice_and_help(view: NoticeView) -> evidence.Miss | None:
    """Specific advice, and where to get help, are both in the notice."""
    return evidence.steps(view, "specific advice") or evidence.contact(view, "where to get help")


PACK = Pack(
    id="uk",
    checks=gdpr.art34_checks("uk", "uk.") + (
        (element("uk", "uk.ico.advice_and_help"), "by construction: the 'advice' block carries "
         "the advice the data calls for, and the 'contact' block the contact points",
         advice_and_help),
    ),
    not_checked={"uk." + k.split(".", 1)[1]: v for k, v in gdpr.NOT_CHECKED.items()},
)
