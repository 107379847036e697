"""Exports for the sending services, judged by the services' own client libraries, offline:
botocore's Stubber validates SES v2 requests against AWS's service model; the SendGrid and
Mailgun libraries' own builders must produce the very request bodies the export holds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from merge_support import hotel, intended, many, write_csv

from notifier.mergerun import merge_recipients
from notifier.recipients import Recipient

HOSTILE = 'Zoë "<b>" & {{x}} O\'Brien'


def _export(tmp_path: Path, fmt: str, count: int) -> tuple[Path, list[list[str]]]:
    rows = many(count)
    rows[0][2] = HOSTILE
    out = tmp_path / fmt
    merge_recipients(hotel(), write_csv(tmp_path / "list.csv", rows), fmt=fmt, out=out)
    return out, rows


def _requests(out: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted((out / "requests").glob("*.jsonl")):
        found += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return found


def _templates(out: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / "templates").glob("*.json")}


def _fill(template: str, data: dict[str, str], pattern: str) -> str:
    """Substitute template tags as the service does (no escaping: the data is escaped)."""
    return re.sub(pattern, lambda m: data[m.group(1)], template)


def test_ses_requests_pass_botocore_validation(tmp_path: Path) -> None:
    botocore_session = pytest.importorskip("botocore.session")
    from botocore.stub import Stubber

    out, rows = _export(tmp_path, "ses", 120)
    client = botocore_session.get_session().create_client(
        "sesv2", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    templates = _templates(out)
    requests = _requests(out)
    with Stubber(client) as stub:
        for template in templates.values():
            stub.add_response("create_email_template", {}, template)
            client.create_email_template(**template)
        for request in requests:
            results = [{"Status": "SUCCESS", "MessageId": str(i)}
                       for i in range(len(request["BulkEmailEntries"]))]
            stub.add_response("send_bulk_email", {"BulkEmailEntryResults": results}, request)
            client.send_bulk_email(**request)
        stub.assert_no_pending_responses()
    assert all(len(r["BulkEmailEntries"]) <= 50 for r in requests)
    assert sum(len(r["BulkEmailEntries"]) for r in requests) == 120
    # the template with the first row's data says exactly what the mbox merge would
    def data_of(entry: dict[str, Any]) -> dict[str, str]:
        return dict(json.loads(entry["ReplacementEmailContent"]["ReplacementTemplate"]
                               ["ReplacementTemplateData"]))

    first = next(r for r in requests for e in r["BulkEmailEntries"] if data_of(e)["name"] == HOSTILE)
    data = next(data_of(e) for e in first["BulkEmailEntries"] if data_of(e)["name"] == HOSTILE)
    content = templates[first["DefaultContent"]["Template"]["TemplateName"]]["TemplateContent"]
    recipient = Recipient(2, rows[0][0], 0, HOSTILE, "", None, rows[0][4], (rows[0][5],))
    _variant, text, html = intended(hotel(), recipient)
    assert _fill(content["Text"], data, r"\{\{(\w+)\}\}") == text
    assert _fill(content["Html"], data, r"\{\{(\w+)\}\}") == html


def test_sendgrid_requests_are_what_its_library_builds(tmp_path: Path) -> None:
    helpers = pytest.importorskip("sendgrid.helpers.mail")
    out, rows = _export(tmp_path, "sendgrid", 1500)
    requests = _requests(out)
    assert sum(len(r["personalizations"]) for r in requests) == 1500
    assert all(len(r["personalizations"]) <= 1000 for r in requests)
    for request in requests:
        mail = helpers.Mail(from_email=helpers.From(request["from"]["email"], request["from"].get("name")))
        mail.template_id = request["template_id"]
        if "reply_to" in request:
            mail.reply_to = helpers.ReplyTo(request["reply_to"]["email"])
        for key, value in request["headers"].items():
            mail.add_header(helpers.Header(key, value))
        for p in request["personalizations"]:
            personalization = helpers.Personalization()
            to = p["to"][0]
            personalization.add_to(helpers.To(to["email"], to.get("name")))
            personalization.dynamic_template_data = p["dynamic_template_data"]
            mail.add_personalization(personalization, index=len(mail.personalizations or []))
        assert mail.get() == request
    templates = _templates(out)
    request = next(r for r in requests if any(p["to"][0].get("name") == HOSTILE
                                              for p in r["personalizations"]))
    data = next(p["dynamic_template_data"] for p in request["personalizations"]
                if p["to"][0].get("name") == HOSTILE)
    version = templates[request["template_id"]]["version"]
    recipient = Recipient(2, rows[0][0], 0, HOSTILE, "", None, rows[0][4], (rows[0][5],))
    _variant, text, html = intended(hotel(), recipient)
    assert _fill(version["plain_content"], data, r"\{\{\{(\w+)\}\}\}") == text
    assert _fill(version["html_content"], data, r"\{\{\{(\w+)\}\}\}") == html


def test_mailgun_requests_are_what_its_builders_build(tmp_path: Path) -> None:
    builders = pytest.importorskip("mailgun.builders")
    out, rows = _export(tmp_path, "mailgun", 1200)
    requests = _requests(out)
    assert sum(len(r["to"]) for r in requests) == 1200
    assert all(len(r["to"]) <= 1000 for r in requests)
    for request in requests:
        builder = builders.MailgunMessageBuilder(request["from"]).set_idempotency_safe(safe=False)
        for address in request["to"]:
            builder.add_recipient(address)
        builder.set_subject(request["subject"]).set_template(request["template"])
        builder.set_text(request["text"])
        builder.set_recipient_variables(json.loads(request["recipient-variables"]))
        for key, value in request.items():
            if key.startswith("h:"):
                builder.add_custom_header(key[2:], value)
        payload, files = builder.build()
        assert files is None
        variables = json.loads(payload.pop("recipient-variables"))
        assert variables == json.loads(request["recipient-variables"])
        assert payload == {**{k: v for k, v in request.items() if k != "recipient-variables"},
                           "to": ",".join(request["to"])}
    for template in _templates(out).values():
        built = (builders.MailgunTemplateBuilder(template["name"])
                 .set_description(template["description"])
                 .set_template_content(template["template"]).set_engine(template["engine"])
                 .set_tag(template["tag"]).set_headers(json.loads(template["headers"])).build())
        assert built == template
    request = next(r for r in requests if rows[0][0] in json.loads(r["recipient-variables"]))
    data = json.loads(request["recipient-variables"])[rows[0][0]]
    recipient = Recipient(2, rows[0][0], 0, HOSTILE, "", None, rows[0][4], (rows[0][5],))
    _variant, text, html = intended(hotel(), recipient)
    assert _fill(request["text"], data, r"%recipient\.(\w+)%") == text
    template = _templates(out)[request["template"]]["template"]
    assert _fill(template, data, r"\{\{\{recipient\.(\w+)\}\}\}") == html


def test_exports_hold_no_recipient_data_in_templates(tmp_path: Path) -> None:
    out, rows = _export(tmp_path, "ses", 10)
    for template in _templates(out).values():
        text = json.dumps(template)
        assert not any(r[0] in text or (r[2] and r[2] in text) for r in rows)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provider"] == "ses" and manifest["batch"] == 50
