"""Helpers for the merge tests: recipient lists, and what each recipient's notice should say."""

from __future__ import annotations

import csv
import email
import email.policy
from pathlib import Path
from typing import Any

from markupsafe import escape

from notifier.model import FactSheet
from notifier.recipients import Recipient
from notifier.sheet import load_sheet
from notifier.templating import make_environment
from notifier.variants import Variant, VariantKey, render_variant

HOTEL = Path(__file__).resolve().parent / "sheets" / "merge" / "hotel.yaml"
HEADER = ["email", "audience", "name", "categories", "activation_code", "booking_reference"]


def hotel() -> FactSheet:
    """The merge test sheet: a named greeting, a booking reference, per-recipient codes."""
    return load_sheet(HOTEL)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = False) -> Path:
    """Write a recipient list as CSV (UTF-8, optionally with a BOM)."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def many(count: int) -> list[list[str]]:
    """Return ``count`` good rows across both audiences and several category subsets."""
    subsets = ["", "name;email", "name;email;passport", "payment_card_partial;name"]
    rows = []
    for i in range(count):
        if i % 3 == 2:
            rows.append([f"later{i}@example.com", "later-guests", f"Later Guest {i}", "", "", f"L-{i}"])
        else:
            rows.append([f"guest{i}@example.com", "earlier-guests", f"Guest {i}" if i % 2 else "",
                         subsets[i % 4], f"CODE-{i:06d}", f"E-{i}"])
    return rows


def intended(sheet: FactSheet, recipient: Recipient) -> tuple[Variant, str, str]:
    """Return the variant and the (text, html) the recipient should read, rendered directly."""
    variant = render_variant(sheet, VariantKey.of(sheet, recipient), make_environment())
    values: dict[Any, str] = {("name", 0): recipient.name, ("code", 0): recipient.activation_code}
    values.update({("field", i): v for i, v in enumerate(recipient.fields)})
    text = "".join(p if isinstance(p, str) else values[p] for p in variant.text)
    html = "".join(p if isinstance(p, str) else str(escape(values[p])) for p in variant.html)
    return variant, text, html


def parse(data: bytes) -> email.message.EmailMessage:
    """Parse a message strictly (a defect raises)."""
    message = email.message_from_bytes(data, policy=email.policy.strict)
    assert isinstance(message, email.message.EmailMessage)
    return message


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    """Return the decoded (text, html) parts."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def read_mbox(path: Path) -> list[bytes]:
    """Return each message of an mbox file, read with Python's ``mailbox`` module."""
    import mailbox

    box = mailbox.mbox(path, create=False)
    try:
        return [box.get_bytes(key) for key in box.iterkeys()]
    finally:
        box.close()
