"""The legal reference: which laws an audience answers to, their elements, deadlines and sources.

Domain knowledge that rendering (the regulator draft's deadline) and the checks (the packs,
the deadline findings) both need, so it sits below both. The data is ``requirements.yaml``
beside this file: the project's copy of the compiled reference, with its additions marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from notifier.advice import Vocabulary
    from notifier.model import Audience, FactSheet

#: The government identifiers a law may name one by one; ``government_id`` in the reference
#: means any of them (the reference predates the split of the category).
GOVERNMENT_IDS = frozenset({"ssn", "drivers_license", "passport", "tax_id", "government_id"})
#: The packs whose duty to tell individuals follows the risk rather than a list of data
#: (GDPR and UK GDPR: high risk; Australia: serious harm; Canada: real risk of significant harm).
RISK_BASED = frozenset({"gdpr", "uk", "au", "pipeda"})
#: Short names for findings and deadlines.
PACK_NAMES = {
    "gdpr": "EU GDPR", "uk": "UK GDPR", "ca": "California Civ. Code 1798.82",
    "ny": "New York GBL 899-aa", "tx": "Texas BCC 521.053", "ma": "Massachusetts ch. 93H",
    "fl": "Florida Stat. 501.171", "hipaa": "HIPAA Breach Notification Rule",
    "sg": "Singapore PDPA", "au": "Australia Privacy Act (NDB)", "pipeda": "Canada PIPEDA",
    "ct": "Connecticut Gen. Stat. 36a-701b", "de": "Delaware Code tit. 6, 12B-102",
}


@cache
def reference() -> dict[str, Any]:
    """Return the packaged legal reference (requirements.yaml)."""
    from notifier import cache as user_cache

    raw = resources.files(__package__).joinpath("requirements.yaml").read_bytes()
    # Parsed once per machine: even libyaml takes about 20 ms over its 80 KB, in every
    # process that checks (each batch worker too); the user cache returns it in 1 ms.
    kept = user_cache.load_pickle("law-reference", raw)
    if isinstance(kept, dict) and "jurisdictions" in kept:
        return kept
    import yaml

    # libyaml when available: the pure-Python loader takes about a third of a second.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(raw.decode("utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    user_cache.store_pickle("law-reference", raw, data)
    return data


@cache
def _by_id() -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in reference()["jurisdictions"]}


@cache
def _elements() -> dict[str, dict[str, Any]]:
    return {e["id"]: e for entry in reference()["jurisdictions"] for e in entry.get("elements", ())}


def element(element_id: str) -> dict[str, Any]:
    """Return one element of the reference by its ID (text, citation, status ...).

    Raises:
        KeyError: no element has that ID.
    """
    return _elements()[element_id]


def pack_data(pack_id: str) -> dict[str, Any]:
    """Return one jurisdiction's entry of the reference.

    Raises:
        KeyError: no jurisdiction has that id.
    """
    return _by_id()[pack_id]


def cite(citation: str, sources: Iterable[str]) -> str:
    """Return a citation with its source keys, e.g. ``Art. 34(2) [gdpr-text]``."""
    keys = list(sources)
    return f"{citation} [{', '.join(keys)}]" if keys else citation


def source_url(key: str) -> str:
    """Return the public address of a source key of the reference ('' when it has none)."""
    entry = reference().get("sources", {}).get(key) or {}
    url = str(entry.get("url", ""))
    return url if url.startswith(("http://", "https://")) else ""


def expand(categories: Iterable[str]) -> frozenset[str]:
    """Return the reference's category names in the sheet's terms (``government_id``: every ID)."""
    out: set[str] = set()
    for c in categories:
        out |= GOVERNMENT_IDS if c == "government_id" else {c}
    return frozenset(out)


@cache
def triggers(pack_id: str) -> frozenset[str]:
    """Return the data categories that bring in the pack's duty to tell individuals."""
    trigger = pack_data(pack_id).get("trigger") or {}
    return expand(trigger.get("fact_sheet_triggers") or ())


@cache
def review_flags(pack_id: str) -> frozenset[str]:
    """Return the categories whose status as personal information there needs a human's decision."""
    trigger = pack_data(pack_id).get("trigger") or {}
    return expand(trigger.get("review_flags") or ())


@cache
def codes(pack_id: str) -> frozenset[str]:
    """Return the jurisdiction codes a pack covers (HIPAA: ``US`` and every state)."""
    return frozenset(c for c in pack_data(pack_id)["codes"] if "*" not in c)


def in_us(jurisdictions: Iterable[str]) -> bool:
    """True when any code is the US or a US state."""
    return any(j == "US" or j.startswith("US-") for j in jurisdictions)


def applies(pack_id: str, sheet: FactSheet, audience: Audience) -> bool:
    """True when the audience's jurisdictions (and the pack's own condition) bring the law in.

    HIPAA applies to a covered entity's US audience whose health data is involved; SEC
    disclosure is a note only and never applies to an audience.
    """
    if pack_id == "hipaa":
        return (sheet.organisation.hipaa_covered and in_us(audience.jurisdictions)
                and "health" in sheet.audience_reached(audience))
    if pack_id == "sec":
        return False
    return bool(codes(pack_id) & set(audience.jurisdictions))


def duty_triggered(pack_id: str, data: Iterable[str], *, towards: str = "individuals",
                   misuse: str = "none_known", vocabulary: Vocabulary | None = None) -> bool:
    """True when data of these categories brings in the law's duty towards ``towards``.

    ``towards`` is ``individuals`` or ``authority`` (the authorities, agencies and records).
    GDPR and UK GDPR: the authority for any personal data, individuals when the risk is high.
    Australia and Canada: both when the risk is serious (significant). Singapore: the data its
    regulations prescribe (the PDPC also at 500 people or more, which the deadline's threshold
    decides). The others: the categories their statute lists.
    """
    from notifier.advice import BUILTIN

    vocab = vocabulary or BUILTIN
    involved = list(data)
    if not involved:
        return False
    if pack_id in ("gdpr", "uk"):
        return towards != "individuals" or vocab.high_risk(involved, misuse)
    if pack_id in ("au", "pipeda"):
        return vocab.high_risk(involved, misuse)
    found = triggers(pack_id)
    return bool(found & set(involved)) if found else True


def pack_ids() -> list[str]:
    """Return every jurisdiction's id, in the reference's order."""
    return [entry["id"] for entry in reference()["jurisdictions"]]
