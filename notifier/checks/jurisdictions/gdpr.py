"""EU GDPR Art. 34 (notice to data subjects); the Art. 33 regulator deadline is in deadlines.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.jurisdictions import Check, Element, Pack, element, evidence

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

#: Official languages by country, for the recipients'-language recommendation.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "AT": ("de",), "BE": ("nl", "fr", "de"), "BG": ("bg",), "HR": ("hr",), "CY": ("el", "tr"),
    "CZ": ("cs",), "DK": ("da",), "EE": ("et",), "FI": ("fi", "sv"), "FR": ("fr",), "DE": ("de",),
    "GR": ("el",), "HU": ("hu",), "IE": ("en", "ga"), "IT": ("it",), "LV": ("lv",), "LT": ("lt",),
    "LU": ("lb", "fr", "de"), "MT": ("mt", "en"), "NL": ("nl",), "PL": ("pl",), "PT": ("pt",),
    "RO": ("ro",), "SK": ("sk",), "SI": ("sl",), "ES": ("es", "ca", "gl", "eu"), "SE": ("sv",),
    "IS": ("is",), "LI": ("de",), "NO": ("nb", "nn", "no"), "GB": ("en", "cy", "gd"),
}


def language(view: NoticeView) -> evidence.Miss | None:
    """The notice is in a language of the recipients' country."""
    lang = view.notice.locale.split("-")[0].lower()
    wanted = {code for j in view.audience.jurisdictions for code in LANGUAGES.get(j, ())}
    if wanted and lang not in wanted:
        return (f"the notice is in {view.notice.locale!r}, not a language of "
                f"{', '.join(view.audience.jurisdictions)} ({', '.join(sorted(wanted))})",
                "add an audience per language, with its locale (and translated templates)")
    return None


def art34_checks(pack_id: str, prefix: str | None) -> tuple[tuple[Element, str, Check], ...]:
    """Return the Art. 34 element checks, renamed with ``prefix`` (``uk.``) for UK GDPR."""

    def el(element_id: str) -> Element:
        return element("gdpr", element_id, prefix=prefix)

    return (
        (el("gdpr.art34.nature"), "by construction: the 'breach.description' block carries "
         "incident.summary", evidence.summary),
        (el("gdpr.art34.dpo_contact"), "by construction: organisation.privacy_contact is set "
         "and the 'contact.privacy' block carries it", evidence.privacy_contact),
        (el("gdpr.art34.likely_consequences"), "by construction: the 'consequences' block "
         "carries incident.likely_consequences, or else each involved category's risk",
         evidence.consequences),
        (el("gdpr.art34.measures_taken"), "by construction: incident.actions_taken is set and "
         "the 'actions.taken' block carries every action", evidence.actions),
        (el("gdpr.art34.advice_to_individuals"), "by construction: the 'advice' block carries "
         "the advice the data calls for, and there is some", evidence.steps),
        (el("gdpr.art34.language"), "from the sheet: the locale's language is an official "
         "language of the audience's countries", language),
    )


NOT_CHECKED = {
    "gdpr.art34.plain_language": "covered by plain.readability (a warning: a readability "
                                 "score is a proxy, not the legal test)",
    "gdpr.art34.effective_channel": "met by design: every notice is a direct email",
    "gdpr.art34.dedicated_message": "met by design: every notice is its own email",
}

PACK = Pack(id="gdpr", checks=art34_checks("gdpr", None), not_checked=NOT_CHECKED)
