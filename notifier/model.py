"""The fact-sheet format: typed pydantic models with a closed vocabulary and strict types."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from notifier.advice import Vocabulary, vocabulary_for
from notifier.domains import is_ip
from notifier.errors import describe_char

DataCategory = Literal[
    "name", "email", "phone", "postal_address", "date_of_birth", "username",
    "password_hash", "password_plaintext", "security_answers", "payment_card_partial",
    "payment_card_number", "cvv", "bank_account", "ssn", "drivers_license", "passport", "tax_id",
    "government_id", "health",
    "order_history", "transaction_history", "ip_address", "session_token",
    "membership_number",
]
DATA_CATEGORIES: tuple[str, ...] = get_args(DataCategory)
#: An id for a category the sheet defines under ``categories``: 'x_' and lower case, digits and
#: '_' ('x_appointment_dates'). The prefix keeps a typo of a built-in name ('dob') an error.
_CUSTOM_ID = re.compile(r"x_[a-z0-9_]{1,40}")


def _custom_id(value: str) -> str:
    if not _CUSTOM_ID.fullmatch(value):
        raise PydanticCustomError(
            "notifier", "{value!r} is not a data category",
            {"value": value, "category": value,
                "hint": "use a category from the list in docs/fact-sheet.md, or define your own "
                        "under `categories` with an id that starts with 'x_', e.g. "
                        "x_appointment_dates"})
    return value


def _category(value: str) -> str:
    # A built-in category, or the id of one the sheet defines (checked against the sheet's
    # `categories` once the whole sheet is read).
    return value if value in DATA_CATEGORIES else _custom_id(value)

IncidentKind = Literal[
    "unauthorised_access", "data_theft", "accidental_exposure", "attempted_access",
    "ransomware", "supplier_breach",
]
Status = Literal["investigating", "contained", "resolved"]
Misuse = Literal["none_known", "suspected", "confirmed"]
NoticeKind = Literal[
    "incident", "password_reset", "no_action_needed", "service_disruption", "update",
    "staff_notice", "regulator_report",
]
NOTICE_KINDS: tuple[str, ...] = get_args(NoticeKind)
#: Notices read by the people whose data was involved (not staff, regulators or service notices).
READER_NOTICES = frozenset({"incident", "password_reset", "no_action_needed", "update"})


def refusal(kind: Literal["id", "text"], value: str) -> tuple[str, str] | None:
    """Check one value as the model checks an id or a text field, outside a sheet.

    Returns (what is wrong, what to do) when the model would refuse it, else None.
    """
    try:
        (_slug if kind == "id" else _not_blank)(value)
    except PydanticCustomError as exc:
        return exc.message(), str((exc.context or {}).get("hint", ""))
    return None


def _bad(message: str, hint: str, *, char: str = "") -> PydanticCustomError:
    # The hint travels in the context so that sheet.py can print "message; hint"; an
    # invisible character travels too, so that sheet.py can place it at its own column.
    return PydanticCustomError("notifier", message, {"hint": hint, **({"char": char} if char else {})})


_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value) or len(value) > 64:
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:64].strip("-") or "my-incident"
        raise _bad(
            f"{value!r} is not a valid id: use lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit, at most 64 characters "
            "(it names a folder, so '/', '..' and spaces are not allowed)",
            f"write e.g. {suggestion!r}",
        )
    return value


#: Every line break Python (and so a mail client) knows: LF, CR, VT, FF, FS, GS, RS, NEL,
#: LINE SEPARATOR, PARAGRAPH SEPARATOR.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _single_line(value: str) -> str:
    found = _LINE_BREAKS.search(value)
    if found:
        raise _bad(f"must be a single line (it may end up in an email header), but has the line "
                   f"break {describe_char(found.group())} at character {found.start() + 1}",
                   "remove the line break", char=found.group())
    return _not_blank(value)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _bad("is empty", "write the text, or remove the field if it is optional")
    return _no_placeholder(_visible(value))


#: Years a notice can carry: its Date header, its deadlines and its dates in words.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2099


def _visible(value: str, *, newlines: bool = True) -> str:
    """Refuse control and invisible characters: a reader cannot see what they do.

    Bidi overrides (U+202E) reorder what a reader sees, zero-width characters hide inside
    words, line and paragraph separators and C0/C1 controls (ESC, BEL, VT, FF, NEL) break
    headers and MJML. Only the newline is allowed, in text that may span lines.
    """
    for i, char in enumerate(value):
        if char == "\n" and newlines:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            raise _bad(f"contains the invisible or control character {describe_char(char)} at "
                       f"character {i + 1}", "delete it (retype the text around it if your "
                       "editor does not show it)", char=char)
    return value


#: Marks a draft leaves where a fact is still to come: customers must never read them.
#: The words count only in capitals ('todo' is Spanish for 'all'), or as 'todo:'.
_PLACEHOLDER = re.compile(
    r"\{\{|\{%|\}\}|\b(?:TBD|TBC|TBA|TODO|FIXME)\b|(?i:\btodo:|\blorem ipsum\b)|\?\?\?"
    # XXX, but not a masked number a notice may quote: XXX-XX-1234, XXXX XXXX XXXX 1234
    r"|\bX{3,}\b(?![-\s/]*(?:X+[-\s/]*)*\d)|\bXX/XX/"
    r"|[\[<][\s●•…._-]*[\]>]"  # [●], [...], [ ], <…>
    r"|(?i:[\[<](?:insert|add|enter|your|our|name|date|company|organisation|organization|"
    r"number|link|url|details?|placeholder|tk|to come|to confirm)\b[^\]>]*[\]>])")


def _no_placeholder(value: str) -> str:
    match = _PLACEHOLDER.search(value)
    if match:
        mark = match.group(0)
        raise _bad(f"contains the placeholder {mark!r}; readers would see it as it is",
                   "write the fact in its place (an optional field can be left out until the "
                   "fact is known)"
                   if not mark.startswith(("{", "}")) else
                   "write the fact itself: fact sheets are not templates, so '{{ }}' and '{% %}' "
                   "are never filled in")
    return value


def _https_url(value: str) -> str:
    _visible(value, newlines=False)
    parts = urlsplit(value)
    if any(c.isspace() for c in value) or not parts.netloc or parts.scheme not in ("https", "http"):
        raise _bad(f"{value!r} is not a web address", "write a full address like https://www.example.com/help")
    if parts.scheme != "https":
        raise _bad(f"{value!r} does not use https",
                   f"write {'https://' + value.split('://', 1)[1]!r}; notices link only to https pages")
    if "@" in parts.netloc:
        raise _bad(f"{value!r} has a user name before its host (the part before '@'): a mail "
                   "program shows one site while the link goes to another",
                   "write the address without the part before '@'")
    if is_ip(parts.hostname or ""):
        raise _bad(f"{value!r} goes to an IP address: readers cannot tell whose it is",
                   "write the address with your own domain name, e.g. https://www.example.com/help")
    return value


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value) or ".." in value:
        raise _bad(f"{value!r} is not a valid email address", "write e.g. help@example.com")
    return value


def _color(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise _bad(f"{value!r} is not a colour in #rrggbb form", "write e.g. '#0b5fff' (quoted)")
    return value.lower()


def _locale(value: str) -> str:
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise _bad(f"{value!r} is not a BCP 47 language tag", "write e.g. en-GB, en-US or fr-FR")
    return value


#: ISO 3166-1 alpha-2 country codes (249, from the tz database's iso3166.tab, 2024).
COUNTRIES = frozenset("""
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
#: US states, DC and territories, for US-XX subdivisions.
US_STATES = frozenset("""
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
    NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP UM
""".split())
#: Codes people write that are not ISO 3166-1 country codes, and what they mean.
NOT_COUNTRIES = {"UK": "GB", "EN": "GB", "EL": "GR", "EU": "the member states' codes, e.g. IE, FR, DE"}


def _jurisdiction(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", value):
        hint = (f"write {value.upper()!r}" if re.fullmatch(r"[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?", value)
                else "write an ISO 3166-1 code like GB or SG, or a subdivision like US-CA")
        raise _bad(f"{value!r} is not a country or subdivision code", hint)
    country, _, sub = value.partition("-")
    if country in NOT_COUNTRIES:
        raise _bad(f"{value!r} is not an ISO 3166-1 country code",
                   f"write {NOT_COUNTRIES[country]}")
    if country not in COUNTRIES:
        raise _bad(f"{value!r} is not an ISO 3166-1 country code",
                   "write a two-letter code such as GB, IE, SG or US-CA")
    if country == "US" and sub and sub not in US_STATES:
        raise _bad(f"{value!r} is not a US state or territory", "write e.g. US-CA or US-NY")
    return value


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise _bad("must be a timestamp", "write e.g. 2025-04-22T09:30:00+01:00")
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise _bad(f"{value!r} is a date; a timestamp with a time and a UTC offset is needed",
                   f"write e.g. {text}T09:30:00+01:00")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _bad(f"{value!r} is not a timestamp", "write e.g. 2025-04-22T09:30:00+01:00") from None
    _in_range(value, parsed.year)
    if parsed.tzinfo is None:
        text = parsed.isoformat()  # with a T, as the JSON Schema wants it
        raise _bad(f"{value!r} has no UTC offset, so it is ambiguous",
                   f"add the UTC offset of the clock it was read from, e.g. {text}+01:00 "
                   f"(UK summer time), {text}+08:00 (Singapore) or {text}Z (UTC)")
    return parsed


def _in_range(value: str, year: int, example: str = "2025-04-22T09:30:00+01:00") -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise _bad(f"{value!r} is outside the years a notice can carry ({EARLIEST_YEAR} to "
                   f"{LATEST_YEAR})", f"check the year; write e.g. {example}")


def _date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            _in_range(value, day.year, "2025-05-02")
            return day
    raise _bad(f"{value!r} is not a date", "write e.g. 2025-05-02")


Slug = Annotated[StrictStr, AfterValidator(_slug),
                 WithJsonSchema({"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
                                 "maxLength": 64})]
Text = Annotated[StrictStr, AfterValidator(_not_blank), WithJsonSchema({"type": "string", "minLength": 1})]
Line = Annotated[StrictStr, AfterValidator(_single_line),
                 WithJsonSchema({"type": "string", "minLength": 1, "pattern": "^[^\\r\\n]+$"})]
HttpsUrl = Annotated[StrictStr, AfterValidator(_https_url),
                     WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https://"})]
Email = Annotated[StrictStr, AfterValidator(_email), WithJsonSchema({"type": "string", "format": "email"})]
Color = Annotated[StrictStr, AfterValidator(_color),
                  WithJsonSchema({"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"})]
Locale = Annotated[StrictStr, AfterValidator(_locale),
                   WithJsonSchema({"type": "string", "pattern": "^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$"})]
Jurisdiction = Annotated[StrictStr, AfterValidator(_jurisdiction),
                         WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}(-[A-Z0-9]{1,3})?$"})]
Day = Annotated[date, BeforeValidator(_date),
                WithJsonSchema({"type": "string", "format": "date"})]
Timestamp = Annotated[datetime, BeforeValidator(_timestamp),
                      WithJsonSchema({"type": "string", "format": "date-time",
                                      "pattern": "[T ].*(Z|[+-][0-9]{2}:?[0-9]{2})$"})]


#: A data category: the built-in vocabulary's, or one the sheet defines under ``categories``.
Category = Annotated[StrictStr, AfterValidator(_category),
                     WithJsonSchema({"anyOf": [{"enum": list(DATA_CATEGORIES)},
                                               {"type": "string", "pattern": "^x_[a-z0-9_]+$",
                                                "description": "an id defined under categories"}]})]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Contact(_Model):
    """Where readers get help: at least one of a web page, an email address, a phone number."""

    url: HttpsUrl | None = None
    email: Email | None = None
    phone: Line | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> Contact:
        if not (self.url or self.email or self.phone):
            raise _bad("gives no way to reach you", "add at least one of url, email or phone")
        return self


class Person(_Model):
    """A named mailbox: the sender, or the privacy contact (the DPO where one exists)."""

    name: Line
    email: Email


class Signatory(_Model):
    """The person who signs the notices."""

    name: Line
    title: Line


class Brand(_Model):
    """Optional branding for the email header."""

    logo: HttpsUrl | None = None
    logo_width: StrictInt | None = Field(
        default=None, ge=16, le=544, description="the logo's width in CSS pixels (default 160)")
    logo_height: StrictInt | None = Field(
        default=None, ge=16, le=200, description="the logo's height in CSS pixels, so that the "
        "header keeps its shape before the image loads (and when images are blocked)")
    color: Color | None = None


class Organisation(_Model):
    """Who is writing: name, website, contact points, sender and signatory."""

    name: Line
    website: HttpsUrl
    contact: Contact
    sender: Person
    reply_to: Email | None = None
    signatory: Signatory | None = None
    privacy_contact: Person | None = None
    brand: Brand | None = None
    link_domains: list[Line] = Field(default_factory=list, description="extra domains links may use")
    hipaa_covered: StrictBool = Field(
        default=False, description="a HIPAA covered entity or business associate (US health data)")
    acting_for: Line | None = Field(
        default=None, description="the organisation the readers dealt with, when you hold their "
        "data on its behalf (as its service provider): notices then say so, and never 'you gave "
        "us'")
    ny_dfs_covered: StrictBool = Field(
        default=False, description="regulated by the New York Department of Financial Services "
        "(23 NYCRR 500: a 72-hour notice to DFS)")


class Period(_Model):
    """When the incident happened, as far as is known."""

    start: Timestamp = Field(alias="from")
    end: Timestamp | None = Field(default=None, alias="to")


class Authority(_Model):
    """An authority told about the incident (a regulator, the police, a national cyber centre)."""

    name: Line
    notified_at: Timestamp | None = None
    article: Literal["the", "none"] | None = Field(
        default=None, description="Whether sentences put 'the' before the name; guessed "
        "when not given ('the' for an office, agency, centre, commission and the like).")

    @property
    def in_sentence(self) -> str:
        """The name as a sentence uses it: 'the National Crime Agency', 'Action Fraud'.

        Police forces are left bare ('Thames Valley Police', 'Police Scotland'): the few
        that take 'the' (the Metropolitan Police) set ``article: the``.
        """
        if self.article == "none" or _HAS_ARTICLE.match(self.name):
            return self.name
        if self.article == "the" or _TAKES_THE.search(self.name):
            return f"the {self.name}"
        return self.name


#: Names that already begin with an article ("The Pensions Regulator", "An Garda Síochána").
_HAS_ARTICLE = re.compile(r"(?i)(the|an)\s")
#: Institutional nouns that take "the" in English, and acronyms said as letters (the ICO).
_TAKES_THE = re.compile(
    r"\b(Office|Agency|Centre|Center|Commission|Commissioner|Authority|Bureau|Department|"
    r"Service|Board|Council|Ministry|Inspectorate|Regulator|Ombudsman|Attorney General|"
    r"Constabulary|Directorate|Unit|Team|Institute|Administration|Division|Force)\b"
    r"|^(?!HMRC$)[A-Z]{2,6}$")  # the ICO, the FBI; but HMRC, as British usage has it


class Service(_Model):
    """A service the incident affects, its state, and how readers can work around it."""

    name: Line
    status: Literal["unavailable", "degraded", "restored"]
    workaround: Text | None = None


#: What a protection offer may cover; the laws that require an offer name the first two.
OfferCover = Literal["credit_monitoring", "identity_monitoring", "identity_restoration",
                     "identity_theft_insurance", "fraud_alerts"]


class ProtectionOffer(_Model):
    """A free service offered to the people affected (credit or identity monitoring and the like).

    The laws that require one (California, Massachusetts, Connecticut, Delaware) also require
    everything a reader needs to take it up: so the offer is facts, not a sentence.
    """

    service: Line = Field(description="what readers get, e.g. 'credit monitoring and identity "
                          "theft protection'")
    provider: Line | None = Field(default=None, description="who provides it, e.g. 'Experian "
                                  "IdentityWorks'")
    covers: list[OfferCover] = Field(default_factory=list, description="what the service includes")
    months: StrictInt = Field(ge=1)
    enrol_url: HttpsUrl | None = Field(default=None, description="where readers enrol online")
    enrol_phone: Line | None = Field(default=None, description="a phone line for those who cannot "
                                     "enrol online")
    enrol_by: Day | None = Field(default=None, description="the last day to enrol")
    activation_code: Literal["per_recipient"] | None = Field(
        default=None, description="each reader gets their own code, merged in per recipient")
    how_to_enrol: Text | None = Field(default=None, description="anything else readers need to "
                                      "know to enrol")
    audiences: list[Slug] | None = Field(default=None, description="the audiences it is offered "
                                         "to (default: every audience of people affected)")


DelayKind = Literal["law_enforcement", "scope_and_integrity", "good_cause_extension", "other"]


class DelayReason(_Model):
    """Why a notice went out, or will go out, after the law's deadline."""

    reason: DelayKind = Field(description="law_enforcement: an agency asked for the delay; "
                              "scope_and_integrity: to find the scope and secure the system; "
                              "good_cause_extension: an extension the law grants on written "
                              "request (Florida); other")
    detail: Text = Field(description="what happened, as the authority will read it")
    by: Line | None = Field(default=None, description="who asked for or granted it, e.g. 'the FBI'")
    on: Day | None = Field(default=None, description="when it was asked for or granted")


class Waiver(_Model):
    """A reviewed decision to send despite one check's finding: who decided, when and why."""

    rule: Line = Field(description="the rule id the finding names, e.g. 'gdpr.art34.dpo_contact'")
    audience: Slug | None = Field(default=None, description="the audience it is for (default: "
                                  "every audience the rule fires for)")
    reason: Text = Field(description="why the finding does not stop the notice")
    decided_by: Line = Field(description="who decided, e.g. 'Jane Doe, General Counsel'")
    decided_at: Day


class Incident(_Model):
    """The facts of the incident, in the organisation's voice."""

    kind: IncidentKind
    discovered_at: Timestamp
    occurred: Period | None = None
    summary: Text
    status: Status
    misuse: Misuse
    data_involved: list[Category]
    data_possibly_involved: list[Category] = Field(
        default_factory=list, description="categories that may have been involved: the notices "
        "say 'may have been', never 'was'")
    data_not_involved: list[Category] = Field(default_factory=list)
    password_protection: Line | None = Field(
        default=None, description="how stored passwords were protected, e.g. 'hashed with bcrypt'")
    safe: list[Text] = Field(default_factory=list)
    actions_taken: list[Text] = Field(default_factory=list)
    authorities: list[Authority] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list, description="services affected")
    status_page: HttpsUrl | None = Field(default=None, description="where status updates appear")
    records: StrictInt | None = Field(default=None, ge=0, description="approximate number of records")
    likely_consequences: list[Text] = Field(
        default_factory=list, description="consequences beyond those the data categories imply")
    measures_proposed: list[Text] = Field(default_factory=list, description="what is still to be done")
    delay_reasons: Text | list[DelayReason] | None = Field(
        default=None, description="why an authority or the individuals are told after the law's "
        "deadline: a text, or entries with a reason the law can accept (law_enforcement, ...)")
    assessed_at: Timestamp | None = Field(
        default=None, description="when you concluded that the breach must be notified (the "
        "determination or assessment some laws count from; discovered_at when not given)")
    how_discovered: Text | None = Field(
        default=None, description="how the organisation found out (regulator drafts only), e.g. "
        "'Our security monitoring flagged unusual downloads from a customer database.'")
    protection_offer: ProtectionOffer | None = None


class Audience(_Model):
    """One group of readers and the notice they get."""

    id: Slug
    name: Line
    notice: NoticeKind
    data_involved: list[Category] | None = None
    data_possibly_involved: list[Category] | None = Field(
        default=None, description="the categories that may have been involved for this group "
        "(default: the incident's)")
    data_not_involved: list[Category] | None = Field(
        default=None, description="what these readers might worry about and was not involved "
        "(default: the incident's); e.g. [] for merchants, to whom 'your card number' means "
        "nothing")
    locale: Locale = "en-GB"
    jurisdictions: list[Jurisdiction] = Field(default_factory=list)
    size: StrictInt | None = Field(default=None, ge=0, description="approximate number of people")
    reason: Text | None = Field(default=None, description="why these readers get this email")
    greeting: Line | None = Field(default=None, description="how the email opens, e.g. 'Dear member'")
    precautionary_reset: StrictBool = Field(
        default=False, description="password_reset without password data: a precaution")
    email_consent: StrictBool = Field(
        default=False, description="these readers agreed to receive notices by email (E-SIGN "
        "consent in the US, express consent in New York, agreement under HIPAA); without it, "
        "US audiences are warned that email notice may need that consent")
    subjects: Line | None = Field(
        default=None, description="whose data the notice is about when it is not the readers' "
        "own, as the readers would say it: e.g. 'your patients' for a clinic that gets the "
        "notice about its patients' data")
    safe: list[Text] | None = Field(
        default=None, description="what was not at risk, as these readers would put it "
        "(default: incident.safe); e.g. members' cashback, which means nothing to a merchant")
    sender: Person | None = Field(
        default=None, description="who this audience's notice comes from, instead of "
        "organisation.sender (staff and regulator notices default to privacy_contact)")
    reply_to: Email | None = Field(
        default=None, description="where this audience's replies go, instead of "
        "organisation.reply_to")


class Supersedes(_Model):
    """The earlier revision of this sheet, whose notices an `update` notice corrects."""

    sheet: Line = Field(description="path of the earlier revision, relative to this sheet")
    sent_at: Timestamp = Field(description="when the earlier notices went out")


class PressOffice(_Model):
    """Where staff send media questions."""

    name: Line
    email: Email | None = None
    phone: Line | None = None


class StaffBrief(_Model):
    """What an internal notice to employees needs beyond the incident's facts."""

    systems: list[Text] = Field(default_factory=list, description="systems withdrawn or changed")
    must: list[Text] = Field(default_factory=list, description="what staff must do")
    must_not: list[Text] = Field(default_factory=list, description="what staff must not do")
    customer_line: Text = Field(description="how to answer customers who ask")
    people: Line = Field(default="customers", description="what staff call the people they "
                         "serve, in the plural: customers, patients, members, guests")
    press_office: PressOffice
    help: Text = Field(description="where staff get help, e.g. the IT service desk")


class CustomAdvice(_Model):
    """A step readers can take, for a category the sheet defines."""

    title: Line
    text: Text


class CustomCategory(_Model):
    """A kind of data the built-in vocabulary lacks (appointment dates, vehicle registrations)."""

    id: Annotated[StrictStr, AfterValidator(_custom_id)]
    label: Line = Field(description="as readers see it in 'Involved', e.g. 'the dates of your "
                        "appointments'")
    noun: Line = Field(description="in the third person, for regulators: 'appointment dates'")
    risk: Text = Field(description="what could happen because of it, one sentence")
    advice: list[CustomAdvice] = Field(default_factory=list)
    calls_for_action: StrictBool = Field(default=False, description="readers must act on it, "
                                         "so a no_action_needed notice is refused")


#: The columns a recipient list may carry (``notifier merge``); a field the sheet declares
#: under ``recipients.fields`` takes a name of its own.
RECIPIENT_COLUMNS = ("email", "audience", "name", "locale", "categories", "activation_code")


def _field_id(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", value):
        raise _bad(f"{value!r} is not a field id: use lower-case letters, digits and '_', "
                   "starting with a letter, at most 40 characters (it names a column of the "
                   "recipient list)", "write e.g. booking_reference")
    if value in RECIPIENT_COLUMNS:
        raise _bad(f"{value!r} is a column every recipient list may have already",
                   "pick another id, e.g. " + repr(value + "_ref"))
    return value


def _named_greeting(value: str) -> str:
    value = _single_line(value)
    if value.count("{name}") != 1 or value.replace("{name}", "").count("{") + value.count("}") > 1:
        raise _bad(f"{value!r} must contain '{{name}}' once, where the recipient's name goes, "
                   "and no other braces", "write e.g. 'Dear {name},'")
    return value


class RecipientField(_Model):
    """A value each recipient of the list has of their own, shown in their notice."""

    id: Annotated[StrictStr, AfterValidator(_field_id),
                  WithJsonSchema({"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"})] = Field(
        description="the column of the recipient list that holds it, e.g. booking_reference")
    label: Line = Field(description="what the notice calls it, e.g. 'Your booking reference'")
    audiences: list[Slug] | None = Field(
        default=None, description="the audiences whose recipients have it (default: every one)")


class Recipients(_Model):
    """How notices merged per recipient (``notifier merge``) greet and address each reader."""

    greeting: Annotated[StrictStr, AfterValidator(_named_greeting),
                        WithJsonSchema({"type": "string", "pattern": "\\{name\\}"})] | None = Field(
        default=None, description="how a notice to a recipient whose name the list gives "
        "opens, with {name} where the name goes, e.g. 'Dear {name},' (without it, the "
        "audience's greeting)")
    fields: list[RecipientField] = Field(
        default_factory=list, description="values each recipient has of their own (a booking "
        "reference): the list must give them, and the notice shows them under the opening")


class FactSheet(_Model):
    """One incident's fact sheet: the single source every notice is rendered from."""

    id: Slug
    language: Locale = Field(
        default="en-GB", description="the language the sheet's text is written in; any "
        "free-text field may instead map locales to text ({en-GB: ..., fr-FR: ...})")
    organisation: Organisation
    incident: Incident
    audiences: list[Audience] = Field(min_length=1)
    supersedes: Supersedes | None = None
    staff: StaffBrief | None = None
    notice_date: Day | None = Field(default=None, description="the date the notices go out")
    waivers: list[Waiver] = Field(default_factory=list, description="reviewed decisions to send "
                                  "despite a check's finding")
    categories: list[CustomCategory] = Field(default_factory=list, description="kinds of data "
                                             "the built-in vocabulary lacks")
    recipients: Recipients | None = Field(
        default=None, description="how notices merged per recipient greet each reader, and "
        "the values each one has of their own (notifier merge)")
    _source: Any = PrivateAttr(default=None)
    _vocabulary: Any = PrivateAttr(default=None)
    #: The sheet with its text in each other language its readers read (locale -> sheet).
    _variants: Any = PrivateAttr(default=None)

    def in_language(self, locale: str) -> FactSheet:
        """Return the sheet with its free text in ``locale``'s language (itself when the
        sheet maps no text to that language)."""
        variants: dict[str, FactSheet] = self._variants or {}
        # A copy made after loading (model_copy keeps private attributes) is not one of the
        # loaded sheets: its text is what its maker gave it.
        if not any(v is self for v in variants.values()):
            return self
        if locale in variants:
            return variants[locale]
        lang = locale.split("-")[0].lower()
        for key, variant in variants.items():
            if key.split("-")[0].lower() == lang:
                return variant
        return self

    @property
    def source(self) -> Any:
        """The parsed YAML this sheet came from (a ``yamlsource.Source``), for positions."""
        return self._source

    def where(self, loc: tuple[str | int, ...]) -> tuple[str, int, int]:
        """Return (file, line, col) of a field path, or the sheet's id and 0, 0 without a source."""
        if self._source is None:
            return (self.id, 0, 0)
        line, col = self._source.position(loc)
        return (self._source.path, line, col)

    def reported_authorities(self) -> list[Authority]:
        """Return the authorities the notices can say were told: all of them, but those told
        after the day the notices go out (a state Attorney General told after the notices, as
        the law allows, is not news the notices can carry)."""
        authorities = self.incident.authorities
        if self.notice_date is None:
            return list(authorities)
        day = self.notice_date
        return [a for a in authorities if a.notified_at is None
                or a.notified_at.astimezone(self.incident.discovered_at.tzinfo).date() <= day]

    def delay_reasons(self) -> list[DelayReason]:
        """Return incident.delay_reasons as entries (a plain text is one entry of reason other)."""
        given = self.incident.delay_reasons
        if given is None:
            return []
        if isinstance(given, str):
            return [DelayReason(reason="other", detail=given)]
        return list(given)

    def audience_data(self, audience: Audience) -> list[str]:
        """Return the data categories involved for this audience, as the sheet lists them."""
        if audience.data_involved is None:
            return list(self.incident.data_involved)
        return list(audience.data_involved)

    def audience_possible(self, audience: Audience) -> list[str]:
        """Return the categories that may have been involved for this audience (none that was)."""
        listed = (self.incident.data_possibly_involved if audience.data_possibly_involved is None
                  else audience.data_possibly_involved)
        involved = set(self.audience_data(audience))
        return [c for c in listed if c not in involved]

    def audience_reached(self, audience: Audience) -> list[str]:
        """Return the categories involved or possibly involved for this audience: what the
        laws' 'accessed or reasonably believed to have been accessed' covers."""
        return self.audience_data(audience) + self.audience_possible(audience)

    @property
    def vocabulary(self) -> Vocabulary:
        """The data categories and advice this sheet can use: the built-in ones and its own."""
        found: Vocabulary | None = self._vocabulary
        if found is None:
            found = self._vocabulary = vocabulary_for(self.categories)
        return found

    @model_validator(mode="after")
    def _categories_defined(self) -> FactSheet:
        # sheet.py reports an undefined id at its line with a suggestion; this keeps a sheet
        # built in Python from reaching the notices with one.
        known = set(DATA_CATEGORIES) | {c.id for c in self.categories}
        lists = [self.incident.data_involved, self.incident.data_possibly_involved,
                 self.incident.data_not_involved]
        lists += [a.data_involved or [] for a in self.audiences]
        lists += [a.data_possibly_involved or [] for a in self.audiences]
        unknown = sorted({c for items in lists for c in items if c not in known})
        if unknown:
            raise PydanticCustomError("notifier_category", "undefined data categories: {ids}",
                                      {"ids": ", ".join(unknown)})
        return self
