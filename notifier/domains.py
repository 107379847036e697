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
    from publicsuffixlist import PublicSuffixList

    # The bundled snapshot (no source given); ICANN and private suffixes both count, so that
    # a shared host such as github.io is never taken for one organisation's domain.
    return PublicSuffixList()


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
