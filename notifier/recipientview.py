"""One recipient's merged notice, as the preview shows it: ``notifier preview --recipients``.

The message is merged exactly as ``notifier merge`` merges it (the same variant, gate and
bytes), for the one row asked for, and rendered afresh on each request, so that an edit of
the sheet shows on reload. It is served by the preview's own server (127.0.0.1 by default)
at ``/as-recipient/`` and written nowhere.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import html
from pathlib import Path

from notifier.errors import NotifierError, UsageError

#: The preview route that shows the chosen recipient's notice.
ROUTE = "/as-recipient/"


def recipient_message(sheet_path: Path, recipients: Path, row: int,
                      templates: Path | None = None) -> bytes:
    """Return the message ``notifier merge`` would write for the list's ``row``.

    Raises:
        SheetError: the sheet is invalid.
        RecipientsError: the row has a problem.
        RenderRefused: its notice variant is refused.
        UsageError: the list has no such row.
    """
    from notifier.mailmerge import compile_variant, merge
    from notifier.recipients import RecipientsError, RowReader, RowRules
    from notifier.render import load_previous
    from notifier.sheet import load_sheet
    from notifier.templating import make_environment
    from notifier.variants import VariantKey, render_variant

    sheet = load_sheet(sheet_path)
    rules = RowRules(sheet, recipients)
    with RowReader(recipients) as reader:
        for raw in reader:
            if raw.line == row:
                recipient, problems = rules.check(raw, jsonl=reader.kind == "jsonl")
                break
        else:
            raise UsageError(f"{recipients}: no row starts on line {row}; rows are named by "
                             "their first line (in a CSV the header is line 1)")
    if recipient is None:
        raise RecipientsError.of(problems)
    variant = render_variant(sheet, VariantKey.of(sheet, recipient), make_environment(templates),
                             previous=load_previous(sheet))
    return merge(compile_variant(variant), recipient)


def recipient_page(sheet_path: Path, recipients: Path, row: int,
                   templates: Path | None = None) -> bytes:
    """Return the HTML part of the row's message, or a page saying why there is none."""
    try:
        data = recipient_message(sheet_path, recipients, row, templates)
    except NotifierError as exc:
        return (f"<!doctype html><meta charset=utf-8><title>No notice for row {row}</title>"
                f"<pre>{html.escape(str(exc))}</pre>").encode()
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content()).encode("utf-8")
