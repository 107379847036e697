"""Hosts and registrable domains, judged with the Public Suffix List that ships with the package.

``publicsuffixlist`` carries a snapshot of the list in its wheel and never fetches one: the
judgement works offline and is the same on every machine with the same pinned version.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


@cache
def _psl() -> PublicSuffixList:
    """The list, parsed once per process; the parsed suffixes are kept in the user cache
    (``notifier.cache``), as parsing costs about 40 ms in every process."""
    import publicsuffixlist
    from publicsuffixlist import PublicSuffixList

    from notifier import cache as user_cache

    try:
        with open(publicsuffixlist.PSLFILE, "rb") as f:
            source = f.read() + f"\0publicsuffixlist {publicsuffixlist.__version__}".encode()
    except (AttributeError, OSError):
        source = b""
    kept = user_cache.load_pickle("public-suffixes", source) if source else None
    if (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], frozenset)
            and type(kept[1]) is int):
        found = PublicSuffixList.__new__(PublicSuffixList)  # the fields __init__ sets
        found.accept_unknown, found._publicsuffix, found._maxlabel = True, kept[0], kept[1]
        return found
    # The bundled snapshot (no source given); ICANN and private suffixes both count, so that
    # a shared host such as github.io is never taken for one organisation's domain.
    found = PublicSuffixList()
    suffixes, maxlabel = getattr(found, "_publicsuffix", None), getattr(found, "_maxlabel", None)
    if source and isinstance(suffixes, frozenset) and type(maxlabel) is int:
        user_cache.store_pickle("public-suffixes", source, (suffixes, maxlabel))
    return found


def normalise(host: str) -> str:
    """Return a host as DNS compares it: lower case, no trailing dot, IDNA (xn--) labels."""
    host = host.strip().lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def is_ip(host: str) -> bool:
    """True for an IP address in any form a browser accepts (127.0.0.1, [::1], 2130706433)."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        # A last label of digits or hex is an IPv4 address to a browser (0x7f.1, 2130706433).
        last = host.rstrip(".").rsplit(".", 1)[-1].lower()
        return bool(last) and (last.isdigit() or last.startswith("0x"))
    return True


def registrable_domain(host: str) -> str | None:
    """Return the domain a host belongs to (``coop.co.uk`` for ``email.coop.co.uk``).

    None for a public suffix itself (``com``, ``co.uk``, ``github.io``), a single label, or
    an IP address: none of these is anyone's own domain.
    """
    host = normalise(host)
    if not host or is_ip(host):
        return None
    found = _psl().privatesuffix(host)
    return str(found) if found else None


def is_public_suffix(host: str) -> bool:
    """True when ``host`` is a suffix under which anyone may register (``com``, ``co.uk``)."""
    host = normalise(host)
    return bool(host) and not is_ip(host) and registrable_domain(host) is None


def within(host: str, domains: set[str] | frozenset[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one (label by label)."""
    host = normalise(host)
    return any(host == d or host.endswith("." + d) for d in domains)
