"""Hand-off to the sending services: Amazon SES, SendGrid and Mailgun templates and batches.

Nothing is sent. An export is a folder: ``templates/<name>.json`` (one template per notice
variant: an audience, and the categories, locale and greeting its readers differ by) and
``requests/<name>.jsonl`` (one request body a line, each within the service's batch limit),
plus ``manifest.json``. The sending system creates the templates, then sends each line.

Each recipient's values go in as template data under fixed keys: ``name``,
``activation_code`` and each declared field's id, for the plain-text part as they are and
for the HTML part HTML-escaped under ``<key>_html``: SES does not escape template data in
HTML, so the escaping is done here and the templates insert values unescaped (``{{{ }}}``
in the services that escape by default). The HTML and text are the variant's own, checked
by the gate; only the tokens become tags.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from notifier.eml import AUTO_HEADERS, _address
from notifier.errors import Problem, RenderRefused
from notifier.mergeout import make_dir, open_private, write_private

if TYPE_CHECKING:
    from notifier.mailmerge import Compiled
    from notifier.model import FactSheet
    from notifier.recipients import Recipient
    from notifier.variants import Piece

#: Entries per request: SES SendBulkEmail takes 50 destinations, SendGrid 1,000
#: personalizations, Mailgun 1,000 recipients of a batch.
BATCH = {"ses": 50, "sendgrid": 1000, "mailgun": 1000}
_HEADERS = dict(h.split(": ", 1) for h in AUTO_HEADERS)


def _slot_keys(compiled: Compiled, sheet: FactSheet) -> dict[tuple[str, int], str]:
    audience = sheet.audiences[compiled.variant.key.audience]
    declared = sheet.recipients.fields if sheet.recipients else []
    shown = [f for f in declared if f.audiences is None or audience.id in f.audiences]
    found = {("name", 0): "name", ("code", 0): "activation_code"}
    for i, f in enumerate(shown):
        found[("field", i)] = f.id
    return found


def template_name(sheet: FactSheet, compiled: Compiled) -> str:
    """Return the variant's template name: letters, digits and '-', at most 64 characters."""
    return f"{sheet.id[:12].rstrip('-')}-{compiled.variant.id}"


def _fill(pieces: list[Piece], tags: dict[tuple[str, int], str], where: str) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            if "{{" in piece or "%recipient." in piece:
                raise RenderRefused([Problem(where, 0, 0, "", "the notice contains '{{' or "
                                             "'%recipient.', which the service would read as a "
                                             "template tag", "export as mbox, maildir or eml, "
                                             "or reword the fact that holds it")])
            out.append(piece)
        else:
            out.append(tags[piece])
    return "".join(out)


class ExportSink:
    """Templates and batched request bodies for one service."""

    def __init__(self, part: Path, provider: str, sheet: FactSheet) -> None:
        self.part = part
        self.provider = provider
        self.sheet = sheet
        self.batch = BATCH[provider]
        self._buffers: dict[str, tuple[Compiled, list[Recipient]]] = {}
        self._sizes: dict[str, int] = {}
        self._requests: dict[str, int] = {}

    def open(self, state: dict[str, Any] | None) -> None:
        make_dir(self.part / "templates")
        make_dir(self.part / "requests")
        if state is None:
            return
        for path in (self.part / "requests").glob("*.jsonl"):
            if path.stem not in state["files"]:  # begun after the checkpoint: written again
                path.unlink()
        for name, size in state["files"].items():
            path = self.part / "requests" / f"{name}.jsonl"
            with open(path, "r+b") as f:
                f.truncate(int(size))
            self._sizes[name] = int(size)
        self._requests = {k: int(v) for k, v in state["requests"].items()}

    def add(self, compiled: Compiled, recipient: Recipient) -> None:
        name = template_name(self.sheet, compiled)
        entry = self._buffers.setdefault(name, (compiled, []))
        entry[1].append(recipient)
        if len(entry[1]) >= self.batch:
            self._flush(name)

    def _flush(self, name: str) -> None:
        compiled, recipients = self._buffers.pop(name)
        body = request(self.provider, self.sheet, compiled, recipients)
        line = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        with open_private(self.part / "requests" / f"{name}.jsonl", append=True) as f:
            f.write(line)
        self._sizes[name] = self._sizes.get(name, 0) + len(line)
        self._requests[name] = self._requests.get(name, 0) + 1

    def checkpoint(self) -> dict[str, Any]:
        for name in sorted(self._buffers):
            self._flush(name)
        return {"files": dict(self._sizes), "requests": dict(self._requests)}

    def finish(self, compiled: list[Compiled]) -> None:
        self.checkpoint()
        names = []
        for item in compiled:
            name = template_name(self.sheet, item)
            names.append(name)
            data = json.dumps(template(self.provider, self.sheet, item), ensure_ascii=False,
                              indent=2, sort_keys=True) + "\n"
            write_private(self.part / "templates" / f"{name}.json", data.encode("utf-8"))
        manifest = {"provider": self.provider, "batch": self.batch, "templates": sorted(names),
                    "requests": {n: self._requests.get(n, 0) for n in sorted(names)}}
        write_private(self.part / "manifest.json",
                      (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))

    def close(self) -> None:
        return None


def template(provider: str, sheet: FactSheet, compiled: Compiled) -> dict[str, Any]:
    """Return the service's template (creation request body) for a variant."""
    variant = compiled.variant
    slots = _slot_keys(compiled, sheet)
    name = template_name(sheet, compiled)
    subject = variant.notice.subject
    if provider == "ses":
        text = _fill(variant.text, {s: "{{" + k + "}}" for s, k in slots.items()}, name)
        html = _fill(variant.html, {s: "{{" + k + "_html}}" for s, k in slots.items()}, name)
        return {"TemplateName": name,
                "TemplateContent": {"Subject": subject, "Text": text, "Html": html}}
    if provider == "sendgrid":
        text = _fill(variant.text, {s: "{{{" + k + "}}}" for s, k in slots.items()}, name)
        html = _fill(variant.html, {s: "{{{" + k + "_html}}}" for s, k in slots.items()}, name)
        return {"template": {"name": name, "generation": "dynamic"},
                "version": {"name": name, "subject": subject, "html_content": html,
                            "plain_content": text, "generate_plain_content": False, "active": 1}}
    html = _fill(variant.html, {s: "{{{recipient." + k + "_html}}}" for s, k in slots.items()}, name)
    return {"name": name, "description": variant.key.label(sheet), "template": html,
            "engine": "handlebars", "tag": "v1",
            "headers": json.dumps({"Subject": subject}, separators=(",", ":"))}


def data(compiled: Compiled, sheet: FactSheet, recipient: Recipient) -> dict[str, str]:
    """Return a recipient's template data: each value as it is, and HTML-escaped."""
    from notifier.mailmerge import values_of

    values = values_of(recipient)
    found: dict[str, str] = {}
    for slot, key in _slot_keys(compiled, sheet).items():
        value = values.get(slot, "")
        found[key] = value
        found[key + "_html"] = str(escape(value))
    return found


def request(provider: str, sheet: FactSheet, compiled: Compiled,
            recipients: list[Recipient]) -> dict[str, Any]:
    """Return one request body for a batch of a variant's recipients."""
    from notifier.mailmerge import to_address

    notice = compiled.variant.notice
    sender_name, sender = notice.sender
    name = template_name(sheet, compiled)
    if provider == "ses":
        empty = {k: "" for k in data(compiled, sheet, recipients[0])}
        body: dict[str, Any] = {
            "FromEmailAddress": _address(sender_name, sender),
            "DefaultContent": {"Template": {
                "TemplateName": name, "TemplateData": json.dumps(empty, sort_keys=True),
                "Headers": [{"Name": k, "Value": v} for k, v in _HEADERS.items()]}},
            "BulkEmailEntries": [{
                "Destination": {"ToAddresses": [to_address(r.name, r.email)]},
                "ReplacementEmailContent": {"ReplacementTemplate": {
                    "ReplacementTemplateData": json.dumps(data(compiled, sheet, r),
                                                          ensure_ascii=False, sort_keys=True)}},
            } for r in recipients]}
        if notice.reply_to:
            body["ReplyToAddresses"] = [notice.reply_to]
        return body
    if provider == "sendgrid":
        body = {"from": {"email": sender, **({"name": sender_name} if sender_name else {})},
                "template_id": name, "headers": dict(_HEADERS),
                "personalizations": [{
                    "to": [{"email": r.email, **({"name": r.name} if r.name else {})}],
                    "dynamic_template_data": data(compiled, sheet, r)} for r in recipients]}
        if notice.reply_to:
            body["reply_to"] = {"email": notice.reply_to}
        return body
    slots = _slot_keys(compiled, sheet)
    text = _fill(compiled.variant.text, {s: f"%recipient.{k}%" for s, k in slots.items()}, name)
    body = {"from": _address(sender_name, sender), "to": [to_address(r.name, r.email) for r in recipients],
            "subject": notice.subject, "template": name, "text": text,
            "recipient-variables": json.dumps({r.email: data(compiled, sheet, r) for r in recipients},
                                              ensure_ascii=False, separators=(",", ":"), sort_keys=True),
            **{f"h:{k}": v for k, v in _HEADERS.items()}}
    if notice.reply_to:
        body["h:Reply-To"] = notice.reply_to
    return body
