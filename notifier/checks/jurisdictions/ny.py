"""New York Gen. Bus. Law 899-aa: contact, state and federal agency contacts, categories involved."""

from __future__ import annotations

from notifier.checks.elements import need
from notifier.checks.jurisdictions import Pack, element, evidence

PACK = Pack(
    id="ny",
    checks=(
        (element("ny", "ny.899aa.contact_info"), "by construction: the 'signoff' block names the "
         "organisation and the 'contact' block carries its contact points", evidence.contact),
        (element("ny", "ny.899aa.agency_contacts"), "by construction: the 'us.ny_agencies' block "
         "carries the reviewed wording with the FTC's and New York's websites and numbers",
         lambda v: need(v, "us.ny_agencies", what="the state and federal agencies' contacts")),
        (element("ny", "ny.899aa.info_categories"), "by construction: the 'data.involved' block "
         "names every category involved, each identifier by its own name (Social Security "
         "number, driver's license, passport ...)", evidence.categories),
    ),
    not_checked={"ny.899aa.credentials.online_notice": "the sheet does not say whether the "
                                                       "breached credentials are for an email "
                                                       "account; see x.channel.email_consent"},
)
