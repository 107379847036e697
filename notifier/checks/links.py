"""Phishing hygiene: https links on the organisation's own domains that show where they go, no logins."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from notifier.advice import reviewed_domains
from notifier.checks.finding import Finding, Rule

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView
    from notifier.model import FactSheet

RULES = {r.id: r for r in (
    Rule("links.https", "error", "every link is https (mailto: and tel: are allowed)",
         "house rule (phishing hygiene, issue 6)"),
    Rule("links.domain", "error",
         "every link is on a domain of the organisation's: website, contact and sender domains, "
         "organisation.link_domains, or a subdomain of one; public-authority sites the "
         "jurisdiction packs require are also allowed", "house rule (phishing hygiene, issue 6)"),
    Rule("links.contact_domain", "warning",
         "the contact page and email, the privacy contact, the sender and the reply-to address "
         "are on the website's "
         "registrable domain (e.g. harbourline.com for www.harbourline.com), or on a domain "
         "listed in organisation.link_domains: links.domain allows the contact's domain, so a "
         "look-alike such as harbourline-support.com would otherwise pass unremarked. Checked "
         "on notices that carry the address; the registrable domain is the last two labels, or "
         "three under a country's second-level domain (co.uk, com.sg, com.au, ...)",
         "house rule (phishing hygiene, issue 6)"),
    Rule("links.shortener", "error", "no URL shorteners (bit.ly, t.co, ...), even allow-listed",
         "house rule (phishing hygiene, issue 6)"),
    Rule("links.text_mismatch", "error",
         "a link whose text shows an address goes to that address", "house rule (phishing "
         "hygiene, issue 6)"),
    Rule("links.login_link", "error",
         "no link to a sign-in, login or password-reset page",
         "house rule (phishing hygiene, issue 6)"),
    Rule("links.password.go_yourself", "error",
         "a password notice tells readers to go to the site or app themselves, not to follow a "
         "link", "house rule (phishing hygiene, issue 6)"),
)}

SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "buff.ly",
    "rebrand.ly", "cutt.ly", "lnkd.in", "tiny.cc", "rb.gy", "shorturl.at", "t.ly", "bl.ink",
    "short.io", "s.id", "v.gd", "soo.gd", "clck.ru", "qr.ae", "trib.al", "shorte.st", "adf.ly",
    "tr.im", "x.co", "youtu.be", "aka.ms", "amzn.to", "fb.me", "wp.me", "bit.do", "mcaf.ee",
})
#: Public-authority and credit-agency sites that jurisdiction packs require notices to name.
AUTHORITY_DOMAINS = frozenset({
    "ftc.gov", "identitytheft.gov", "consumer.ftc.gov", "ag.ny.gov", "dos.ny.gov", "oag.ca.gov",
    "mass.gov", "texasattorneygeneral.gov", "myfloridalegal.com", "hhs.gov", "ico.org.uk",
    "ncsc.gov.uk", "pdpc.gov.sg", "oaic.gov.au", "idcare.org", "priv.gc.ca",
    "equifax.com", "experian.com", "transunion.com",
}) | reviewed_domains()
_URL = re.compile(r"https?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.I)
_SHOWS_ADDRESS = re.compile(r"^(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]\S*)?$", re.I)
_SHOWS_EMAIL = re.compile(r"^[^@\s]+@((?:[a-z0-9-]+\.)+[a-z]{2,})$", re.I)
_LOGIN_PATH = re.compile(r"(?:^|[/_.=-])(?:log-?in|sign-?in|sign_in|signon|sso|o?auth|passwords?|"
                         r"reset|verify)(?:$|[/_.?&=-])|account/security", re.I)
_LOGIN_TEXT = re.compile(r"\b(log ?in|sign ?in|reset|change your password|verify your)\b", re.I)
_GO_YOURSELF = re.compile(r"\b(website|site|app)\b[^.]*\byourself\b|\byourself\b[^.]*"
                          r"\b(website|site|app)\b|\btyp(e|ing) (the|our) (web )?address\b", re.I)


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def organisation_domains(sheet: FactSheet) -> set[str]:
    """Return the domains the organisation's links may use (subdomains count too)."""
    org = sheet.organisation
    urls = [org.website, org.contact.url]
    emails = [org.contact.email, org.sender.email, org.reply_to,
              org.privacy_contact.email if org.privacy_contact else None]
    domains = {_bare(urlsplit(u).hostname or "") for u in urls if u}
    domains |= {_bare(e.rsplit("@", 1)[1]) for e in emails if e}
    domains |= {_bare(d.split("://")[-1].split("/")[0]) for d in org.link_domains}
    return {d for d in domains if d}


#: Second-level labels under which a country's domains are registered (co.uk, com.sg, ...).
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "govt", "gen", "ltd", "me", "mil",
                           "net", "nhs", "nic", "org", "plc", "sch", "or", "ne", "go", "gob",
                           "id", "asn"})


def registrable_domain(host: str) -> str:
    """Return the domain a host belongs to: ``coop.co.uk`` for ``email.coop.co.uk``.

    The last two labels, or three under a country code's common second-level domain. An
    approximation of the public suffix list, without a dependency on it.
    """
    labels = _bare(host).split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def contact_lookalikes(sheet: FactSheet) -> list[tuple[str, str, str]]:
    """Return (field, address, its registrable domain) for each contact address off the website.

    A contact URL or email whose registrable domain is not the website's, and that is not on
    (or under) a domain in organisation.link_domains.
    """
    org = sheet.organisation
    website = registrable_domain(urlsplit(org.website).hostname or "")
    listed = {_bare(d.split("://")[-1].split("/")[0]) for d in org.link_domains}
    found = []

    def mailbox(address: str | None) -> str | None:
        return address.rsplit("@", 1)[1] if address else None

    privacy = org.privacy_contact.email if org.privacy_contact else None
    for name, address, host in (
            ("organisation.contact.url", org.contact.url,
             urlsplit(org.contact.url).hostname if org.contact.url else None),
            ("organisation.contact.email", org.contact.email, mailbox(org.contact.email)),
            ("organisation.privacy_contact.email", privacy, mailbox(privacy)),
            ("organisation.sender.email", org.sender.email, mailbox(org.sender.email)),
            ("organisation.reply_to", org.reply_to, mailbox(org.reply_to))):
        if not (address and host):
            continue
        domain = registrable_domain(host)
        if domain != website and not _within(host, listed) and not _within(domain, listed):
            found.append((name, address, domain))
    return found


def _within(host: str, domains: set[str] | frozenset[str]) -> bool:
    host = _bare(host)
    return any(host == d or host.endswith("." + d) for d in domains)


def _targets(view: NoticeView) -> list[tuple[str, str, str]]:
    """Return (where, href, shown text) for every HTML link and every URL in the plain text."""
    found = [("HTML", link.href, link.text) for link in view.scan.links]
    found += [("plain text", url.rstrip(".,;:"), "") for url in _URL.findall(view.notice.text)]
    return found


def _host(href: str) -> str:
    """Return the host a link goes to (the domain of a mailto: address)."""
    parts = urlsplit(href if "://" in href or ":" in href.split("/")[0] else "https://" + href)
    if parts.scheme.lower() == "mailto":
        return parts.path.rsplit("@", 1)[-1]
    return parts.hostname or ""


def _check_target(view: NoticeView, where: str, href: str, shown: str,
                  domains: set[str]) -> list[Finding]:
    found: list[Finding] = []
    parts = urlsplit(href if "://" in href or ":" in href.split("/")[0] else "https://" + href)
    scheme = parts.scheme.lower()
    if scheme == "tel":
        return found
    if scheme == "mailto":
        host = parts.path.rsplit("@", 1)[-1]
    elif scheme != "https":
        found.append(view.finding(RULES["links.https"], f"the {where} links to {href!r}, which is "
                                  "not https", "link only to https:// pages"))
        host = parts.hostname or ""
    else:
        host = parts.hostname or ""
    if _bare(host) in SHORTENERS:
        found.append(view.finding(RULES["links.shortener"], f"the {where} links to {href!r}, a "
                                  "URL shortener: readers cannot see where it goes",
                                  "link to the full address on your own domain"))
    elif not _within(host, domains | AUTHORITY_DOMAINS):
        found.append(view.finding(
            RULES["links.domain"], f"the {where} links to {href!r}, which is not on a domain of "
            f"the organisation's ({', '.join(sorted(domains))})",
            "link to your own website, or add the domain to organisation.link_domains"))
    if scheme != "mailto" and _LOGIN_PATH.search(parts.path + "?" + parts.query):
        found.append(view.finding(RULES["links.login_link"], f"the {where} links to {href!r}, "
                                  "which looks like a sign-in or password page",
                                  "tell readers to open the site or app themselves instead"))
    elif shown and _LOGIN_TEXT.search(shown):
        found.append(view.finding(RULES["links.login_link"], f"the {where} has a link reading "
                                  f"{shown!r}", "tell readers to open the site or app themselves"))
    shown_host = _SHOWS_ADDRESS.match(shown) or _SHOWS_EMAIL.match(shown)
    if shown_host and host and not _within(host, {_bare(shown_host.group(1))}):
        found.append(view.finding(
            RULES["links.text_mismatch"], f"the {where} shows {shown!r} but the link goes to "
            f"{href!r}", "make the text show the address the link really goes to"))
    elif _SHOWS_EMAIL.match(shown) and scheme == "mailto" and shown.lower() != parts.path.lower():
        found.append(view.finding(
            RULES["links.text_mismatch"], f"the {where} shows {shown!r} but the link writes to "
            f"{parts.path!r}", "make the text show the address the link really writes to"))
    return found


def _contact_domain(view: NoticeView, targets: list[tuple[str, str, str]]) -> list[Finding]:
    """Flag a contact address off the website's domain, when this notice carries it."""
    found: list[Finding] = []
    website = registrable_domain(urlsplit(view.sheet.organisation.website).hostname or "")
    for name, address, domain in contact_lookalikes(view.sheet):
        linked = any(_within(_host(href), {domain}) for _, href, _ in targets)
        # The sender and reply-to are in every message's headers, shown or not in the body.
        in_headers = name in ("organisation.sender.email", "organisation.reply_to")
        if in_headers or linked or len(view.search(re.compile(re.escape(domain), re.I))) < 2:
            found.append(view.finding(
                RULES["links.contact_domain"],
                f"{name} {address!r} is on {domain}, not on the website's domain {website}: "
                "readers cannot tell it from a look-alike phishing address",
                f"use an address on {website}, or, if {domain} really is yours, add it to "
                "organisation.link_domains"))
    return found


def check(view: NoticeView) -> list[Finding]:
    """Return the phishing-hygiene findings for one rendered notice."""
    domains = organisation_domains(view.sheet)
    found: list[Finding] = []
    targets = _targets(view)
    for where, href, shown in targets:
        found += _check_target(view, where, href, shown, domains)
    found += _contact_domain(view, targets)
    if view.password_notice:
        missing = view.search(_GO_YOURSELF)
        if missing:
            found.append(view.finding(
                RULES["links.password.go_yourself"],
                f"the {' and the '.join(missing)} of this password notice never tell readers to go "
                "to the website or app themselves", "keep the change_password advice ('Type our address into "
                "your browser, or open our app ...') in the notice"))
    return found
