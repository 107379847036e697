"""Who each audience's notice comes from, and where its replies go (From and Reply-To)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifier.model import Audience, FactSheet

#: Notices written to people inside the organisation or to an authority: they must not come
#: from the address customers get their mail from (often a no-reply or marketing domain).
INTERNAL_NOTICES = frozenset({"staff_notice", "regulator_report"})
#: Local parts that say "do not write back": noreply, no-reply, no_reply, donotreply,
#: do-not-reply, do_not_reply (with an optional +tag or .suffix).
_NO_REPLY = re.compile(r"(?i)(?:no[-_.]?reply|do[-_.]?not[-_.]?reply)(?:[+.][^@]*)?@")


@dataclass(frozen=True)
class Sender:
    """A notice's From (name, address) and its Reply-To, if one serves the reader."""

    name: str
    email: str
    reply_to: str | None = None

    @property
    def no_reply(self) -> bool:
        """True when the From address says replies are not read."""
        return is_no_reply(self.email)


def is_no_reply(address: str) -> bool:
    """Return True for a no-reply address (noreply@, do-not-reply@, no_reply+x@ ...)."""
    return bool(_NO_REPLY.match(address))


def sender_for(sheet: FactSheet, audience: Audience) -> Sender:
    """Return the From and Reply-To of ``audience``'s notice.

    - From: the audience's ``sender``; else, for a staff notice or a regulator draft, the
      ``privacy_contact`` (a monitored mailbox inside the organisation, and the contact point
      a regulator asks for); else ``organisation.sender``.
    - Reply-To: the audience's ``reply_to``; else ``organisation.reply_to`` when the notice
      comes from ``organisation.sender`` (it was given for that address). Left out when it
      is the From address itself: a Reply-To that changes nothing only adds a header.
    """
    org = sheet.organisation
    person = audience.sender
    if person is None and audience.notice in INTERNAL_NOTICES:
        person = org.privacy_contact
    if person is None:
        person = org.sender
    reply_to = audience.reply_to
    if reply_to is None and person == org.sender:
        reply_to = org.reply_to
    if reply_to is not None and reply_to.lower() == person.email.lower():
        reply_to = None
    # a role named for running text ('délégué à la protection des données') starts a header
    name = person.name[:1].upper() + person.name[1:]
    return Sender(name, person.email, reply_to)
