"""Who a notice comes from and where replies go: no dead-end no-reply sender, the right sender."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifier.checks.finding import Finding, Rule
from notifier.senders import INTERNAL_NOTICES, sender_for

if TYPE_CHECKING:
    from notifier.checks.view import NoticeView

RULES = {r.id: r for r in (
    Rule("deliverability.no_reply_sender", "warning",
         "a notice from a no-reply address (noreply@, do-not-reply@ ...) has a Reply-To that "
         "people read: readers reply to a breach notice, and a reply that bounces or goes "
         "unread leaves them with their question", "house rule (issue 13); RFC 5322 3.6.2"),
    Rule("deliverability.internal_sender", "warning",
         "a staff notice or a regulator draft does not come from the address customers' "
         "notices come from (organisation.sender): the audience's `sender`, else the "
         "privacy contact", "house rule (issue 13)"),
)}


def check(view: NoticeView) -> list[Finding]:
    """Return the sender findings for one rendered notice."""
    sheet, audience = view.sheet, view.audience
    sender = sender_for(sheet, audience)
    found = []
    if sender.no_reply and sender.reply_to is None:
        where = "organisation.reply_to" if audience.sender is None else \
            f"audiences.{view.index}.reply_to"
        found.append(view.finding(
            RULES["deliverability.no_reply_sender"],
            f"the notice comes from {sender.email}, which takes no replies, and gives no Reply-To",
            f"set {where} to a mailbox someone reads (e.g. the help desk), or send from one"))
    if audience.notice in INTERNAL_NOTICES and sender.email == sheet.organisation.sender.email:
        found.append(view.finding(
            RULES["deliverability.internal_sender"],
            f"the {audience.notice.replace('_', ' ')} comes from {sender.email}, the address "
            "of the notices to customers",
            f"give audiences.{view.index}.sender (name and email), or "
            "organisation.privacy_contact"))
    return found
