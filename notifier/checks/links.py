"""Phishing hygiene: https links and images on the domains the sheet declares, showing where they go."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from notifier.advice import reviewed_domains
from notifier.checks.finding import Finding, Rule
from notifier.domains import is_ip, normalise, registrable_domain, within
from notifier.memo import per_sheet
from notifier.model import READER_NOTICES

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView
    from notifier.model import FactSheet

RULES = {r.id: r for r in (
    Rule("links.https", "error", "every link and image is https (mailto: and tel: are allowed)",
         "house rule (phishing hygiene, issue 6)"),
    Rule("links.domain", "error",
         "every link and image is on a domain the sheet declares as the organisation's: the "
         "website's registrable domain (www.harbourline.com: harbourline.com), the sender's, "
         "or a host in organisation.link_domains, or a subdomain of one; public-authority "
         "sites the jurisdiction packs require are also allowed. Registrable domains come "
         "from the Public Suffix List, so a look-alike (harbourline.com.evil.example) or "
         "another domain given as the contact page is never the organisation's",
         "house rule (phishing hygiene, issues 6 and 14)"),
    Rule("links.userinfo", "error",
         "no link with a user name or password before its host (https://user:pass@host/): "
         "the text before '@' shows one site while the link goes to another",
         "house rule (phishing hygiene, issue 14)"),
    Rule("links.ip_host", "error", "no link or image to an IP address instead of a domain",
         "house rule (phishing hygiene, issue 14)"),
    Rule("links.contact_domain", "error",
         "the contact page and email, the privacy contact and the reply-to address are on the "
         "organisation's declared domains (links.domain), shown or in the headers: "
         "harbourline-support.com is not harbourline.com unless organisation.link_domains says "
         "so. An error in notices to the people affected (incident, password_reset, "
         "no_action_needed, update), a warning in the others",
         "house rule (phishing hygiene, issues 6 and 14)"),
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
    host = normalise(host)
    return host[4:] if host.startswith("www.") else host


@per_sheet
def organisation_domains(sheet: FactSheet) -> frozenset[str]:
    """Return the domains the sheet declares as the organisation's (subdomains count too).

    Only three facts declare them: the website (its registrable domain), the sender's
    address (its registrable domain) and each host in organisation.link_domains (as
    written). A contact page or address elsewhere is checked against these, never added.
    A public suffix (``com``, ``co.uk``, ``github.io``) is never a domain of anyone's.
    """
    org = sheet.organisation
    found = {registrable_domain(urlsplit(org.website).hostname or ""),
             registrable_domain(org.sender.email.rsplit("@", 1)[1])}
    found |= {_bare(d) for d in org.link_domains if registrable_domain(d)}
    return frozenset(d for d in found if d)


@per_sheet
def contact_lookalikes(sheet: FactSheet) -> list[tuple[str, str, str]]:
    """Return (field, address, its registrable domain) for each contact address off the domains.

    The contact page and email, the privacy contact and the reply-to address, each when it is
    not on (or under) a domain ``organisation_domains`` returns.
    """
    org = sheet.organisation
    domains = organisation_domains(sheet)
    privacy = org.privacy_contact.email if org.privacy_contact else None
    found = []
    for name, address in (("organisation.contact.url", org.contact.url),
                          ("organisation.contact.email", org.contact.email),
                          ("organisation.privacy_contact.email", privacy),
                          ("organisation.reply_to", org.reply_to)):
        if not address:
            continue
        host = _host(address if name.endswith(".url") else f"mailto:{address}")
        if host and not within(host, domains):
            found.append((name, address, registrable_domain(host) or _bare(host)))
    return found


@per_sheet
def _fields(sheet: FactSheet) -> dict[str, tuple[str | int, ...]]:
    """Return each link the sheet itself gives (as it appears in a notice) and its field."""
    org = sheet.organisation
    given: list[tuple[str | None, tuple[str | int, ...]]] = [
        (org.website, ("organisation", "website")),
        (org.contact.url, ("organisation", "contact", "url")),
        (org.brand.logo if org.brand else None, ("organisation", "brand", "logo")),
        (sheet.incident.status_page, ("incident", "status_page"))]
    for address, loc in ((org.contact.email, ("organisation", "contact", "email")),
                         (org.privacy_contact.email if org.privacy_contact else None,
                          ("organisation", "privacy_contact", "email")),
                         (org.reply_to, ("organisation", "reply_to"))):
        if address:
            given.append((f"mailto:{address}", loc))
    return {_key(url): loc for url, loc in given if url}


def _key(href: str) -> str:
    return href.strip().rstrip("/").lower()


def _targets(view: NoticeView) -> list[tuple[str, str, str]]:
    """Return (where, href, shown text) for every HTML link and image and every plain-text URL."""
    found = [("HTML", link.href, link.text) for link in view.scan.links]
    found += [("HTML image", str(img.get("src") or ""), "") for img in view.scan.images
              if img.get("src")]
    found += [("plain text", url.rstrip(".,;:"), "") for url in _URL.findall(view.notice.text)]
    return found


def _split(href: str) -> SplitResult:
    return urlsplit(href if "://" in href or ":" in href.split("/")[0] else "https://" + href)


def _host(href: str) -> str:
    """Return the host a link goes to (the domain of a mailto: address)."""
    parts = _split(href)
    if parts.scheme.lower() == "mailto":
        return parts.path.rsplit("@", 1)[-1].split("?")[0]
    return parts.hostname or ""


def _check_target(view: NoticeView, where: str, href: str, shown: str,
                  domains: frozenset[str]) -> list[Finding]:
    parts = _split(href)
    scheme = parts.scheme.lower()
    if scheme == "tel":
        return []
    field = _fields(view.sheet).get(_key(href))
    host = _host(href)
    found = _where_it_goes(view, where, href, parts, host, domains, field)
    if scheme != "mailto" and _LOGIN_PATH.search(parts.path + "?" + parts.query):
        found.append(view.finding(RULES["links.login_link"], f"the {where} links to {href!r}, "
                                  "which looks like a sign-in or password page",
                                  "tell readers to open the site or app themselves instead"))
    elif shown and _LOGIN_TEXT.search(shown):
        found.append(view.finding(RULES["links.login_link"], f"the {where} has a link reading "
                                  f"{shown!r}", "tell readers to open the site or app themselves"))
    shown_host = _SHOWS_ADDRESS.match(shown) or _SHOWS_EMAIL.match(shown)
    if shown_host and host and not within(host, {_bare(shown_host.group(1))}):
        found.append(view.finding(
            RULES["links.text_mismatch"], f"the {where} shows {shown!r} but the link goes to "
            f"{href!r}", "make the text show the address the link really goes to"))
    elif _SHOWS_EMAIL.match(shown) and scheme == "mailto" and shown.lower() != parts.path.lower():
        found.append(view.finding(
            RULES["links.text_mismatch"], f"the {where} shows {shown!r} but the link writes to "
            f"{parts.path!r}", "make the text show the address the link really writes to"))
    return found


def _where_it_goes(view: NoticeView, where: str, href: str, parts: SplitResult, host: str,
                   domains: frozenset[str], field: tuple[str | int, ...] | None) -> list[Finding]:
    """The scheme, user info, IP host, shortener and domain rules for one link or image."""
    found: list[Finding] = []
    scheme = parts.scheme.lower()
    change = f"change {'.'.join(map(str, field))} to" if field else "use"
    if scheme not in ("https", "mailto"):
        found.append(view.finding(RULES["links.https"], f"the {where} links to {href!r}, which is "
                                  "not https", f"{change} an https:// address", field=field))
    if scheme != "mailto" and "@" in parts.netloc:
        return [*found, view.finding(
            RULES["links.userinfo"], f"the {where} links to {href!r}: the part before '@' is a "
            f"user name, so it goes to {host or 'another host'}, not to the site it shows first",
            f"{change} the address itself, with nothing before the host", field=field)]
    if is_ip(host):
        return [*found, view.finding(
            RULES["links.ip_host"], f"the {where} links to {href!r}, an IP address: readers "
            "cannot tell whose it is", f"{change} an address on your own domain "
            f"({', '.join(sorted(domains))})", field=field)]
    if _bare(host) in SHORTENERS:
        found.append(view.finding(RULES["links.shortener"], f"the {where} links to {href!r}, a "
                                  "URL shortener: readers cannot see where it goes",
                                  "link to the full address on your own domain", field=field))
    elif not within(host, domains | AUTHORITY_DOMAINS):
        other = registrable_domain(host) or _bare(host)
        found.append(view.finding(
            RULES["links.domain"], f"the {where} links to {href!r}, which is not on a domain of "
            f"the organisation's ({', '.join(sorted(domains))})",
            f"{change} an address on one of them, or, if {other} really is yours, add it to "
            "organisation.link_domains", field=field))
    return found


def _contact_domain(view: NoticeView, targets: list[tuple[str, str, str]]) -> list[Finding]:
    """Flag a contact address off the declared domains that this notice carries but does not
    link (a linked one is a ``links.domain`` finding already)."""
    found: list[Finding] = []
    domains = organisation_domains(view.sheet)
    linked = {_key(href) for _, href, _ in targets}
    reader = view.audience.notice in READER_NOTICES
    for name, address, domain in contact_lookalikes(view.sheet):
        href = address if name.endswith(".url") else f"mailto:{address}"
        if _key(href) in linked:
            continue
        # The reply-to is in every message's headers, shown or not in the body.
        if name == "organisation.reply_to" or len(view.search(re.compile(re.escape(address), re.I))) < 2:
            found.append(view.finding(
                RULES["links.contact_domain"],
                f"{name} {address!r} is on {domain}, not on a domain the sheet declares as the "
                f"organisation's ({', '.join(sorted(domains))}): readers cannot tell it from a "
                "look-alike phishing address",
                f"change {name} to an address on one of them, or, if {domain} really is yours, "
                "add it to organisation.link_domains",
                severity="error" if reader else "warning",
                field=tuple(int(p) if p.isdigit() else p for p in name.split("."))))
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
        missing = _go_yourself_missing(view)
        if missing:
            found.append(view.finding(
                RULES["links.password.go_yourself"],
                f"the {' and the '.join(missing)} of this password notice never tell readers to go "
                "to the website or app themselves", "keep the change_password advice ('Type our address into "
                "your browser, or open our app ...') in the notice"))
    return found


def _go_yourself_missing(view: NoticeView) -> list[str]:
    """The parts that never tell readers to go to the site or app themselves: read in English;
    in another language, the reviewed change-password advice as its catalog words it."""
    from notifier.i18n import is_source

    if is_source(view.notice.locale):
        return view.search(_GO_YOURSELF)
    from notifier.context import vocabulary

    return view.missing(vocabulary(view.sheet, view.index).advice["change_password"].text)
