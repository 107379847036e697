"""Facts to template context: what each notice's templates receive, and the wording macros."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from jinja2 import Environment
from jinja2.runtime import Macro

from notifier import i18n
from notifier.advice import (
    FOR_ANOTHER,
    PASSWORD_ADVICE,
    PASSWORD_CATEGORIES,
    SCAM_CHANNELS,
    Advice,
    Vocabulary,
    as_of,
    fields,
)
from notifier.diff import Change, incident_changes
from notifier.i18n import N_, Translator
from notifier.memo import audience_index, per_sheet
from notifier.model import (
    READER_NOTICES,
    Audience,
    Authority,
    FactSheet,
    Incident,
    ProtectionOffer,
)
from notifier.regulators import LEAD_AUTHORITY, first_regulator
from notifier.senders import sender_for
from notifier.templating import gettext_callables, make_environment

#: Words of a role rather than a person's name: 'our Data Protection Officer', but 'Jane Doe'.
_ROLE = re.compile(r"\b(officer|team|office|department|desk|privacy|protection|dpo|"
                   r"representative|counsel|unit)\b", re.I)


def _contact_phrase(name: str) -> str:
    """Return how a sentence names the privacy contact: 'our Data Protection Officer' for a
    role, the name as it is for a person ('Jane Doe')."""
    return f"our {name}" if _ROLE.search(name) and not name.lower().startswith("our ") else name


#: Context entries that are functions of the render, not inputs (the translator and its gettext).
RUNTIME_KEYS = frozenset({"gettext", "ngettext", "pgettext", "_", "translator"})


def format_date(moment: date, locale: str) -> str:
    """Format a date the way readers of ``locale`` write it, in the timestamp's own zone."""
    return i18n.format_date(moment, locale)


def vocabulary(sheet: FactSheet, index: int, tr: Translator | None = None) -> Vocabulary:
    """Return the sheet's data words in audience ``index``'s language."""
    return sheet.vocabulary.localized(tr or i18n.translator(sheet.audiences[index].locale))


def build_context(sheet: FactSheet, index: int, previous: FactSheet | None = None,
                  env: Environment | None = None) -> dict[str, Any]:
    """Return the template context for audience ``index``: facts plus what follows from them.

    ``previous`` is the earlier revision the sheet supersedes, for ``update`` notices; its
    subject is rendered with ``env`` (the templates the earlier notice went out with, as
    far as this run knows them; the built-in ones when none is given).
    """
    # the sheet's own text in the reader's language (notifier.sheettext)
    sheet = sheet.in_language(sheet.audiences[index].locale)
    if previous is not None:
        previous = previous.in_language(sheet.audiences[index].locale)
    audience = sheet.audiences[index]
    incident = sheet.incident
    org = sheet.organisation
    tr = i18n.translator(audience.locale)
    lists = data_lists(sheet, index, tr)
    data = sheet.audience_reached(audience)
    massachusetts = "US-MA" in audience.jurisdictions
    if massachusetts:
        # Massachusetts forbids the nature of the breach and the number of residents: the
        # templates of its readers never receive a narrative field or a count (93H s. 3(b)).
        incident = massachusetts_incident(incident)
        audience = audience.model_copy(update={"reason": None, "size": None})
    advice = advice_items(sheet, index, tr)
    occurred = incident.occurred
    english = i18n.is_source(audience.locale)
    return {
        **gettext_callables(tr),
        "translator": tr,
        "notice": audience.notice,
        "org": org,
        "incident": incident,
        "audience": audience,
        "locale": audience.locale,
        "lang": audience.locale,
        "dir": i18n.direction(audience.locale),
        # German goes on in lower case after a greeting ending in a comma
        "lower_opening": (i18n.language(audience.locale) == "de"
                          and audience.notice != "regulator_report"
                          and (audience.greeting or tr.gettext(N_("Hello,"))).endswith(",")),
        "english": english,
        "privacy_contact_name": (_contact_phrase(org.privacy_contact.name) if english
                                 else org.privacy_contact.name) if org.privacy_contact else "",
        **lists,
        "advice": advice,
        # What the data could mean for readers: the sheet's own words, else each group's
        # risk (GDPR Art. 34(2) and UK GDPR ask for the likely consequences).
        "consequences": consequences(sheet, index, tr),
        # what was not at risk: the audience's own lines, else the incident's (none for
        # Massachusetts readers: a narrative field)
        "safe": incident.safe if massachusetts or audience.safe is None else audience.safe,
        "other_advice": [a for a in advice if a.id not in PASSWORD_ADVICE],
        "password": password_view(sheet, index),
        "voice": voice(sheet, index),
        "sender": sender_for(sheet, sheet.audiences[index]),
        # where answers come from, when not the sender's address
        "reply_to": sender_for(sheet, audience).reply_to or "",
        "discovered": format_date(incident.discovered_at, audience.locale),
        "assessed": (format_date(incident.assessed_at, audience.locale)
                     if incident.assessed_at else ""),
        "occurred_from": format_date(occurred.start, audience.locale) if occurred else "",
        "occurred_to": format_date(occurred.end, audience.locale) if occurred and occurred.end else "",
        "authorities": [_authority_name(a, audience, tr) for a in sheet.reported_authorities()],
        "signatory": org.signatory,
        "h": headings(audience.notice, "US-CA" in audience.jurisdictions,
                      massachusetts="US-MA" in audience.jurisdictions,
                      others=bool(audience.subjects), tr=tr),
        "law": {
            "us_ma": massachusetts,
            "us_ny": "US-NY" in audience.jurisdictions,
            "canada": "CA" in audience.jurisdictions,
            "sg": "SG" in audience.jurisdictions,
            "credit_agencies": credit_agencies(audience.jurisdictions, data),
        },
        "offer": offer_view(sheet, index, tr),
        "delay": {"law_enforcement": any(d.reason == "law_enforcement"
                                         for d in sheet.delay_reasons())},
        "notice_date": format_date(sheet.notice_date, audience.locale) if sheet.notice_date else "",
        "services": incident.services,
        "staff": sheet.staff,
        # what staff call the readers: the sheet's word, else 'customers' in their language
        "people": (sheet.staff.people if sheet.staff and sheet.staff.people != "customers"
                   else tr.gettext(N_("customers"))),
        "readers_told": readers_told(sheet, audience.locale),
        **_update_context(sheet, index, previous, env),
        **_regulator_context(sheet, index, tr),
        "brand_color": (org.brand.color if org.brand and org.brand.color else "#1f3a5f"),
        "logo": (org.brand.logo if org.brand else None),
    }


def data_lists(sheet: FactSheet, index: int, tr: Translator | None = None) -> dict[str, list[str]]:
    """Return the data lines a notice shows: involved, possibly involved, not involved.

    Each is a list of labelled groups ("Contact details: your name and email address");
    a reader is never told that data was involved which the sheet says only may have been.
    """
    audience = sheet.audiences[index]
    vocab = vocabulary(sheet, index, tr)
    whose = audience.subjects or ""
    involved = sheet.audience_data(audience)
    possible = sheet.audience_possible(audience)
    reached = set(involved) | set(possible)
    listed = (sheet.incident.data_not_involved if audience.data_not_involved is None
              else audience.data_not_involved)
    absent = [c for c in listed if c not in reached]
    return {"involved": vocab.items(involved, whose),
            "possibly_involved": vocab.items(possible, whose),
            "not_involved": vocab.items(absent, whose, absent=True, reached=reached)}


#: A country's own authorities, named with their country for readers elsewhere (a Californian
#: told of "the Personal Data Protection Commission" would take it for an American body).
_NATIONAL_AUTHORITIES = (
    ("SG", N_("Singapore's %(name)s"), re.compile(
        r"(the )?(personal data protection commission( \(PDPC\))?|PDPC)", re.I)),
    ("GB", N_("the UK's %(name)s"), re.compile(
        r"(the )?(information commissioner['\u2019]s office( \(ICO\))?|ICO)", re.I)),
    ("AU", N_("Australia's %(name)s"), re.compile(r"(the )?OAIC", re.I)),
)


def _authority_name(authority: Authority, audience: Audience, tr: Translator) -> str:
    """Return an authority's name as the audience's notice says it: with its country when
    none of the readers' places is in that country (in English with its article, 'the
    Information Commissioner's Office'; in another language as the sheet names it)."""
    english = i18n.is_source(audience.locale)
    countries = {j.split("-", 1)[0] for j in audience.jurisdictions}
    for country, possessive, pattern in _NATIONAL_AUTHORITIES:
        # the whole name (Malaysia's Personal Data Protection Commissioner is another body)
        if countries and country not in countries and pattern.fullmatch(authority.name.strip()):
            name = (re.sub(r"(?i)^the ", "", authority.in_sentence) if english
                    else authority.name)
            return tr.gettext(possessive) % {"name": name}
    return str(authority.in_sentence if english else authority.name)


def advice_items(sheet: FactSheet, index: int, tr: Translator | None = None) -> list[Advice]:
    """Return the advice a notice gives: what its data calls for (possibly involved data
    included: a precaution is still worth taking), then the readers' countries' own help.

    Help a law's own block gives already (New York's agencies, Massachusetts' freeze) is not
    repeated; readers told about other people's data (``subjects``) get no personal advice.
    """
    audience = sheet.audiences[index]
    if audience.notice == "regulator_report":  # what the readers' notices say, nothing else
        given = [a for i, reader in enumerate(sheet.audiences) if reader.notice in READER_NOTICES
                 for a in advice_items(sheet, i, tr)]
        by_id = {a.id: a for a in given}
        # one warning about fake messages for channels another warning given covers already
        covered = {k for k in by_id if k in SCAM_CHANNELS and any(
            SCAM_CHANNELS[k] < SCAM_CHANNELS[other] for other in by_id if other in SCAM_CHANNELS)}
        return [a for k, a in by_id.items() if k not in covered]
    if audience.subjects:
        return []
    vocab = vocabulary(sheet, index, tr)
    found = vocab.advice_for(sheet.audience_reached(audience),
                             precautionary_reset=audience.precautionary_reset,
                             jurisdictions=audience.jurisdictions)
    acting_for = sheet.organisation.acting_for
    if acting_for:  # the readers have no account with us: they dealt with acting_for
        found = [Advice(a.id, a.title,
                        vocab.translate(FOR_ANOTHER[a.id].text).replace("{org}", acting_for))
                 if a.id in FOR_ANOTHER else a for a in found]
    skip = set()
    if "US-NY" in audience.jurisdictions:
        skip.add("us_ftc")  # in New York's agencies block
    if "US-MA" in audience.jurisdictions:
        skip.add("credit_freeze")  # in Massachusetts' rights block
    offer = offer_for(sheet, index)
    if offer is not None and "credit_monitoring" in offer.covers:
        skip.add("uk_credit_file")  # the monitoring offered watches it for them
    # no notice date: the notices go out now, so the help as it is now
    return as_of((a for a in found if a.id not in skip), sheet.notice_date, vocab.translator)


@per_sheet
def _readers(sheet: FactSheet) -> list[Audience]:
    """The audiences whose notices go to the people affected (once per sheet)."""
    return [a for a in sheet.audiences if a.notice in READER_NOTICES]


@per_sheet
def readers_told(sheet: FactSheet, locale: str = "en-GB") -> dict[str, Any]:
    """Return who else the sheet writes to (for colleagues, who will be asked 'was I told?'):
    whether any readers are, and about how many when every such audience has a size."""
    readers = _readers(sheet)
    sizes = [a.size for a in readers]
    known = bool(readers) and None not in sizes
    total = sum(s or 0 for s in sizes)
    return {"any": bool(readers),
            "size": i18n.format_number(total, locale) if known else "",
            # a thousand or more are counted roughly ('about 1,450,000'); fewer exactly
            "many": known and total >= 1000}


def password_view(sheet: FactSheet, index: int) -> dict[str, Any]:
    """Return what the notice says about passwords: whether, how certain, how urgent.

    Urgent when password data was involved (not only possibly) and it was readable or
    misuse is suspected or known; a precaution otherwise.
    """
    audience = sheet.audiences[index]
    involved = [c for c in sheet.audience_data(audience) if c in PASSWORD_CATEGORIES]
    possible = [c for c in sheet.audience_possible(audience) if c in PASSWORD_CATEGORIES]
    plaintext = "password_plaintext" in involved + possible
    return {
        "involved": bool(involved or possible),
        "certain": bool(involved),
        "plaintext": plaintext,
        "protection": sheet.incident.password_protection,
        "precautionary": audience.precautionary_reset and not (involved or possible),
        "urgent": bool(involved) and ("password_plaintext" in involved
                                      or sheet.incident.misuse != "none_known"),
    }


def voice(sheet: FactSheet, index: int) -> dict[str, Any]:
    """Return who the organisation is to the readers: their own, or a service provider to the
    organisation they dealt with (``acting_for``), and whose data the notice is about."""
    audience = sheet.audiences[index]
    acting_for = sheet.organisation.acting_for
    subjects = audience.subjects or ""
    # the people the data is about are written to as well, by another audience of the sheet
    subjects_told = bool(subjects) and any(
        a.notice in READER_NOTICES and not a.subjects for a in sheet.audiences)
    return {"acting_for": acting_for or "", "subjects": subjects, "subjects_told": subjects_told,
            "whose": subjects + ("'" if subjects.endswith("s") else "'s") if subjects else "",
            "possibly_only": not sheet.audience_data(audience)
            and bool(sheet.audience_possible(audience))}


#: Data that makes Massachusetts' security-freeze and credit-agency content mandatory.
MA_CREDIT_DATA = frozenset({"ssn", "drivers_license", "passport", "tax_id", "government_id",
                            "payment_card_number", "payment_card_partial", "bank_account"})
#: California: the agencies' numbers and addresses when a Social Security, driver's license
#: or California ID number is exposed (1798.82(d)(2)).
CA_CREDIT_DATA = frozenset({"ssn", "drivers_license"})
#: The incident's free-text fields: what Massachusetts readers may not be told (they can
#: describe the breach), blanked in their context.
NARRATIVE_FIELDS = ("summary", "safe", "likely_consequences", "actions_taken",
                    "measures_proposed", "how_discovered")


def massachusetts_incident(incident: Incident) -> Incident:
    """Return the incident without its narrative fields and counts, for Massachusetts readers."""
    return incident.model_copy(update={
        "summary": "", "safe": [], "likely_consequences": [], "actions_taken": [],
        "measures_proposed": [], "how_discovered": None, "records": None,
        # the kind of incident is its nature too ("at a supplier of ..." in the subject)
        "kind": "unauthorised_access"})


#: Connecticut and Delaware: how to place a credit freeze, beside the offer their laws require
#: for a Social Security number (and in Connecticut a taxpayer identification number).
FREEZE_DATA = {"US-MA": MA_CREDIT_DATA, "US-CA": CA_CREDIT_DATA,
               "US-CT": frozenset({"ssn", "tax_id"}), "US-DE": frozenset({"ssn"})}


def credit_agencies(jurisdictions: list[str], data: list[str]) -> bool:
    """True when the notice must give the three US credit agencies' contact details."""
    involved = set(data)
    return any(code in jurisdictions and involved & wanted for code, wanted in FREEZE_DATA.items())


def consequences(sheet: FactSheet, index: int, tr: Translator | None = None) -> list[str]:
    """What the data could mean for the readers: the sheet's own words, else each risk.

    GDPR Art. 34(2) and UK GDPR ask for the likely consequences. A no_action_needed notice
    shows only the sheet's own: generic risks beside "you do not need to do anything" read
    as a contradiction. Massachusetts readers get the risks of the data only: the sheet's
    own words may describe the breach.
    """
    audience = sheet.audiences[index]
    stated = [] if "US-MA" in audience.jurisdictions else list(sheet.incident.likely_consequences)
    if stated or audience.notice == "no_action_needed":
        return stated
    return vocabulary(sheet, index, tr).risks(sheet.audience_reached(audience),
                                              audience.subjects or "",
                                              trusted=sheet.organisation.acting_for or "us",
                                              possible=sheet.audience_possible(audience))


_COVERS = {"credit_monitoring": N_("credit monitoring"),
           "identity_monitoring": N_("identity monitoring"),
           "identity_restoration": N_("help to restore your identity if it is misused"),
           "identity_theft_insurance": N_("identity theft insurance"),
           "fraud_alerts": N_("alerts about possible fraud")}


def offer_for(sheet: FactSheet, index: int) -> ProtectionOffer | None:
    """Return the protection offer this audience's readers get, if any."""
    offer = sheet.incident.protection_offer
    audience = sheet.audiences[index]
    if offer is None or audience.notice not in READER_NOTICES:
        return None
    if offer.audiences is not None and audience.id not in offer.audiences:
        return None
    return offer


def offer_months(months: int, tr: Translator) -> str:
    """Return how long an offer runs, in words ('24 months', '24 mois', '24 Monate')."""
    return tr.ngettext("%(num)s month", "%(num)s months", months) % {"num": months}


def offer_view(sheet: FactSheet, index: int, tr: Translator | None = None) -> dict[str, Any] | None:
    """Return the offer as the wording uses it: dates formatted, coverage in words."""
    offer = offer_for(sheet, index)
    if offer is None:
        return None
    locale = sheet.audiences[index].locale
    tr = tr or i18n.translator(locale)
    # (what the service's own name says already is left out, in its id's words too)
    covers = [tr.gettext(_COVERS[c]) for c in offer.covers
              if c.replace("_", " ") not in offer.service.lower()]
    return {"service": offer.service, "provider": offer.provider, "months": offer.months,
            "duration": offer_months(offer.months, tr),
            # what the service's own name does not already say ('credit monitoring')
            "covers": [c for c in covers if c not in offer.service.lower()],
            "enrol_url": offer.enrol_url,
            "enrol_phone": offer.enrol_phone,
            "enrol_by": format_date(offer.enrol_by, locale) if offer.enrol_by else "",
            "how_to_enrol": offer.how_to_enrol}

#: California Civ. Code 1798.82(d)(1): the title and the headings of the model form.
CALIFORNIA = {
    "title": N_("Notice of Data Breach"), "what_happened": N_("What Happened"),
    "information": N_("What Information Was Involved"), "doing": N_("What We Are Doing"),
    "can_do": N_("What You Can Do"), "staying_safe": N_("Other Important Information"),
    "help": N_("For More Information"),
}


def headings(notice: str, california: bool, *, massachusetts: bool = False,
             others: bool = False, tr: Translator | None = None) -> dict[str, str]:
    """Return the section headings for a notice; California's statutory ones for US-CA readers.

    Massachusetts' notice may not describe the breach, so its first section holds only dates
    and status, under a heading that does not promise the story. California's statute fixes
    its title and headings in English: a notice in another language keeps them word for word
    and adds its own after a slash ('What Happened / Qué sucedió').
    """
    t = tr.gettext if tr is not None else (lambda m: m)
    h = {
        "title": "", "what_happened": t(N_("What happened")),
        "information": t(N_("Your information")), "doing": t(N_("What we are doing")),
        "can_do": t(N_("What you can do")), "staying_safe": t(N_("Staying safe")),
        "help": t(N_("Where to get help")), "change_password": t(N_("How to change your password")),
        "changed": t(N_("What has changed")),
    }
    if notice == "no_action_needed":
        h.update(what_happened=t(N_("What is happening")), information=t(N_("What is affected")),
                 can_do=t(N_("Do I need to do anything?")))
    if notice == "password_reset":
        h["can_do"] = t(N_("Other steps you can take"))
    if massachusetts:
        h["what_happened"] = t(N_("What we know"))
    if others:  # the readers are told about other people's data
        h["information"] = t(N_("The information involved"))
    if california:
        english = tr is None or i18n.is_source(tr.locale)
        h.update({k: v if english else f"{v} / {t(v)}" for k, v in CALIFORNIA.items()})
    return h


#: The incident fields whose changes an update notice words (see changes_text in _copy.j2).
_WORDED_CHANGES = frozenset({"kind", "status", "misuse", "data_involved", "safe", "actions_taken",
                             "authorities", "services"})


def _update_context(sheet: FactSheet, index: int, previous: FactSheet | None,
                    env: Environment | None) -> dict[str, Any]:
    audience = sheet.audiences[index]
    if audience.notice != "update" or previous is None or sheet.supersedes is None:
        return {"changes": [], "corrected": [], "newly_involved": [], "no_longer_involved": [],
                "newly_told": [], "previous_subject": "", "previous_sent": "",
                "advice_changed": False}
    subject = ""
    told_no_action = False
    i = audience_index(previous, audience.id)
    if i is not None:
        earlier = previous.audiences[i]
        ctx = build_context(previous, i)
        subject = " ".join(render_copy(env or make_environment(), ctx)["subject"].split())
        told_no_action = earlier.notice == "no_action_needed" or (
            earlier.notice != "password_reset" and not advice_items(previous, i))
    # Only the facts the update words (_copy.j2: changes_text) are news to readers; a new
    # notice date, sender, record count or audience is for the author (`notifier diff`).
    changes = [c for c in incident_changes(previous, sheet)
               if c.field.split(".")[:2][-1] in _WORDED_CHANGES]
    if "US-MA" in audience.jurisdictions:
        # Quoting an earlier safe line, or the kind of incident, would describe the breach.
        changes = [c for c in changes if c.field.split(".")[1] not in (*NARRATIVE_FIELDS, "kind")]

    def labels(kind: str) -> list[str]:
        found = [c.new or c.old or "" for c in changes
                 if c.field == "incident.data_involved" and c.kind == kind]
        # one phrase a group, as the data lists say it: "your name and email address, as
        # well as your phone number"
        vocab = vocabulary(sheet, index)
        return [vocab.phrase(cats) for _label, cats in vocab.groups(found)]

    return {
        "changes": [_change_view(c) for c in changes
                    if c.field not in ("incident.data_involved", "incident.authorities")],
        "corrected": labels("corrected"),
        "newly_involved": labels("added"),
        "no_longer_involved": labels("removed"),
        "newly_told": [a.in_sentence if i18n.is_source(audience.locale) else a.name
                       for a in sheet.incident.authorities
                       if any(c.field == "incident.authorities" and c.new == a.name
                              for c in changes)],
        "previous_subject": subject,
        # The earlier message said there was nothing to do, and now there is: say so first.
        "advice_changed": told_no_action and bool(advice_items(sheet, index)),
        "previous_sent": format_date(sheet.supersedes.sent_at, audience.locale),
    }


def _change_view(change: Change) -> dict[str, str]:
    """Return a change with reader-facing names, for the update wording in _copy.j2."""
    return {"field": change.field, "kind": change.kind, "old": change.old or "",
            "new": change.new or ""}


def _regulator_context(sheet: FactSheet, index: int, tr: Translator) -> dict[str, Any]:
    audience = sheet.audiences[index]
    if audience.notice != "regulator_report":
        return {"regulator": None}
    regulator = first_regulator(audience.jurisdictions)
    incident = sheet.incident
    locale = audience.locale
    t = tr.gettext

    def number(n: int) -> str:
        return i18n.format_number(n, locale)

    def moment(when: datetime) -> str:
        return t(N_("%(date)s at %(time)s (UTC%(offset)s)")) % {
            "date": format_date(when, locale), "time": i18n.format_time(when, locale),
            "offset": i18n.format_offset(when, locale)}

    def named(authority: Any) -> str:
        return str(authority.in_sentence if i18n.is_source(locale) else authority.name)

    # Everyone affected counts (a UK controller reports the whole breach); the readers in the
    # authority's own jurisdictions are shown beside the total when they are fewer.
    codes = regulator.codes if regulator else frozenset()
    readers = _readers(sheet)
    quiet = {a.id: _quiet(sheet, a, tr) for a in readers}  # each reader's advice once
    people = _people(sheet, codes, locale)
    deadline = _regulator_deadline(sheet, regulator.rule_id) if regulator else None
    from notifier.deadlines import RECIPIENTS

    # the authority this draft is for is not told that it was told: its earlier report is
    # "our first report to you"
    to_it = RECIPIENTS.get(regulator.rule_id, ()) if regulator else ()
    addressee = [a for a in incident.authorities if any(r.matches(a.name) for r in to_it)]
    told = [a for a in sheet.reported_authorities() if a not in addressee]
    first = min((a.notified_at for a in addressee if a.notified_at), default=None)
    start, end = incident.occurred.start if incident.occurred else None, (
        incident.occurred.end if incident.occurred else None)
    vocab = vocabulary(sheet, index, tr)
    consequences = vocab.risks([*incident.data_involved, *incident.data_possibly_involved],
                               third_person=True, possible=incident.data_possibly_involved)
    not_involved = vocab.nouns(incident.data_not_involved)
    not_in_force = _not_in_force(sheet, regulator.rule_id, locale) if regulator else ""
    return {"regulator": {
        "name": (t(regulator.name) if regulator.name == LEAD_AUTHORITY else regulator.name)
        if regulator else "",
        # a duty not yet in force when the breach was found asks for nothing
        "packs": list(regulator.packs) if regulator and not not_in_force else [],
        "rule_id": regulator.rule_id if regulator else "",
        "citation": i18n.law_citation(regulator.citation, locale) if regulator else "",
        "wording": t(regulator.wording) if regulator else "",
        "deadline": moment(deadline) if deadline else "",
        # a period not yet in force when the breach was found (Singapore before 2021)
        "not_in_force": not_in_force,
        "discovered": moment(incident.discovered_at),
        "people": people,
        "readers": [a.name for a in readers],
        # some readers are told they need do nothing (a no_action_needed notice)
        "no_action": any(a.notice == "no_action_needed" for a in readers),
        # some readers are given no step at all (not those told about other people's data)
        "no_advice": any(quiet.values()),
        # every reader is told so: the advice listed, if any, is what the same notices add
        "all_quiet": all(quiet[a.id] for a in readers if not a.subjects),
        "records": (t(N_("about %(number)s")) % {"number": number(incident.records)}
                    if incident.records is not None else t(N_("not yet known"))),
        # in labelled groups, as the readers' notices list them (a bare column of field
        # names reads as a form to fill in, to spam filters too)
        "categories": vocab.items(incident.data_involved, third_person=True),
        "possibly_involved": vocab.items(incident.data_possibly_involved, third_person=True),
        "not_involved": ([fields(not_involved, "") if vocab.english
                          else i18n.join(not_involved, locale)] if not_involved else []),
        # the sheet's own words when it gives them, as the readers' notices have them
        # the sheet's own words when they are written for anyone (as the readers' notices
        # have them); lines that speak to the reader ('your ...') give way to the built-in
        # risks, in the third person
        "consequences": (list(incident.likely_consequences) if incident.likely_consequences
                         and not any(_SECOND_PERSON.search(c) for c in incident.likely_consequences)
                         else consequences),
        # told by the day the notices go out, and told (or to be told) after it
        "notified": [f"{named(a)} ({format_date(a.notified_at, locale)})"
                     if a.notified_at else named(a) for a in told],
        "to_notify": [f"{named(a)} ({format_date(a.notified_at, locale)})"
                      for a in incident.authorities
                      if a not in told and a not in addressee and a.notified_at],
        "first_report": format_date(first, locale) if first else "",
        "previous_sent": format_date(sheet.supersedes.sent_at, locale) if sheet.supersedes else "",
        # the readers written to before (their notice is an update) and those told now first
        "updated_readers": [a.name for a in readers if a.notice == "update"],
        "first_readers": [a.name for a in readers if a.notice != "update"],
        "subjects_readers": [a.name for a in readers if a.subjects],
        # a breach within one day: the hours, which the authority needs
        "window": ({"start": i18n.format_time(start, locale), "end": i18n.format_time(end, locale),
                    "date": format_date(start, locale)}
                   if start and end and start.date() == end.date() and start != end else None),
        "anchor": t(regulator.anchor) if regulator else "",
        "anchor_note": t(regulator.anchor_note) if regulator and regulator.anchor_note else "",
    }}


#: The US states the law packs name by code (through the catalogs in other languages); a
#: country is named from Babel's locale data (i18n.place_name).
_STATES = {
    "US-CA": N_("California"), "US-NY": N_("New York"), "US-TX": N_("Texas"),
    "US-MA": N_("Massachusetts"), "US-FL": N_("Florida"), "US-CT": N_("Connecticut"),
    "US-DE": N_("Delaware"),
}


def place_name(code: str, locale: str = "en-GB") -> str:
    """Return a jurisdiction code as a sentence in ``locale`` names it: 'SG' -> 'Singapore'
    ('Singapour' in French), 'GB' -> 'the United Kingdom', 'US-CA' -> 'California'
    ('Kalifornien'); the code itself for a place not known."""
    if code in _STATES:
        return _STATES[code] if i18n.is_source(locale) else i18n.translator(locale).gettext(
            _STATES[code])
    return i18n.place_name(code, locale)


#: Words that speak to the reader, in the languages a sheet's text may be in.
_SECOND_PERSON = re.compile(r"(?i)\b(you|your|yours|vous|votre|vos|Sie|Ihre?[nmrs]?|usted|su|sus"
                            r"|u|uw|jij|je)\b")


def _quiet(sheet: FactSheet, audience: Audience, tr: Translator) -> bool:
    """Whether a reader is told there is nothing they need to do (a no_action_needed notice,
    or one that gives no step; not one about other people's data)."""
    return audience.notice == "no_action_needed" or not (
        audience.subjects or advice_items(sheet, audience_index(sheet, audience.id) or 0, tr))


def _not_in_force(sheet: FactSheet, rule_id: str, locale: str) -> str:
    """The date the authority's fixed period came into force, when the breach was found
    before it ('' otherwise)."""
    from notifier.deadlines import deadlines_at_discovery

    for found in deadlines_at_discovery(sheet):
        if found.id == rule_id and found.due is None:
            for note in found.notes:
                if note.startswith("the fixed period applies to breaches found from "):
                    day = date.fromisoformat(note.rsplit(" ", 1)[-1])
                    return format_date(day, locale)
    return ""


@per_sheet
def _people(sheet: FactSheet, codes: frozenset[str], locale: str) -> str:
    """How many people a regulator report says are affected, in ``locale``'s words and
    numbers (once per sheet, authority and language).

    An audience told about other people's data (subjects) counts organisations, not the
    people affected: their number is not known from it."""
    t = i18n.translator(locale).gettext

    def number(n: int) -> str:
        return i18n.format_number(n, locale)

    readers = _readers(sheet)
    people_readers = [a for a in readers if not a.subjects]
    sized = [a for a in people_readers if a.size is not None]
    local = [a.size or 0 for a in sized if not a.jurisdictions or codes & set(a.jurisdictions)]
    unsized = [a.name for a in people_readers if a.size is None] + [
        t(N_("people whose data the %(name)s hold")) % {"name": a.name}
        for a in readers if a.subjects]
    total = number(sum(a.size or 0 for a in sized))
    people = ((t(N_("at least %(number)s")) if unsized else t(N_("about %(number)s")))
              % {"number": total} if sized else t(N_("not yet known")))
    # the places named: where the readers are, within the authority's area (not every
    # country of the EEA); 'none of them in' only names a small area
    where = codes & {j for a in sized for j in a.jurisdictions}
    places = i18n.join(sorted((place_name(c, locale) for c in (where or codes)),
                              key=lambda name: name.removeprefix("the ")), locale)
    if sized and len(local) < len(sized) and (local or len(codes) <= 3):
        people += (t(N_(", of whom about %(number)s are in %(places)s")) % {
            "number": number(sum(local)), "places": places} if local
            else t(N_(", none of them in %(places)s")) % {"places": places})
    if sized and unsized:
        people += t(N_("; the number of %(names)s is not yet known")) % {
            "names": i18n.join(unsized, locale)}
    elif unsized:
        people = t(N_("not yet known (%(names)s)")) % {"names": i18n.join(unsized, locale)}
    return people


def _regulator_deadline(sheet: FactSheet, rule_id: str) -> datetime | None:
    """When the authority must be told, in its own time zone (None: no fixed period)."""
    from notifier.deadlines import deadlines_at_discovery

    for found in deadlines_at_discovery(sheet):
        if found.id == rule_id and found.due is not None:
            return found.due_local()
    return None


class Copy(Mapping[str, str]):
    """The sentence macros of ``_copy.j2``, each rendered to plain text on first use.

    The wording is rendered here, without escaping, and handed to the templates as
    ``copy``. HTML templates then escape it like any other value. Calling the macros from
    an autoescaping template instead would wrap their unescaped output as ``Markup``, so
    fact-sheet text like ``<b>`` would reach the HTML raw (Jinja marks a macro's result
    safe by the caller's autoescape setting, not by whether it escaped). A notice uses
    about half of the macros, so each is rendered only when asked for, then kept.
    """

    def __init__(self, env: Environment, ctx: dict[str, Any]) -> None:
        module = env.get_template("_copy.j2").make_module(ctx)
        self._macros = {name: macro for name, macro in vars(module).items()
                        if isinstance(macro, Macro) and not macro.arguments}
        self._done: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        if name not in self._done:
            self._done[name] = str(self._macros[name]())
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._macros))

    def __len__(self) -> int:
        return len(self._macros)


def render_copy(env: Environment, ctx: dict[str, Any]) -> Copy:
    """Return the wording of ``_copy.j2`` for a context, as a mapping of macro name to text."""
    return Copy(env, ctx)
