"""From and Reply-To per audience, and the checks that warn about a dead-end or wrong sender."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import sheet_with

from notifier.checks import check_notice
from notifier.render import render_sheet
from notifier.senders import Sender, is_no_reply, sender_for

DPO = {"name": "Data Protection Officer", "email": "dpo@acme.example"}
STAFF = {"staff": {"customer_line": "Tell customers we are dealing with it.",
                   "press_office": {"name": "the press office", "email": "press@acme.example"},
                   "help": "Call the IT service desk."}}


def _sender(notice: str, **changes: Any) -> Sender:
    sheet = sheet_with(**{"audiences.0.notice": notice, **changes})
    return sender_for(sheet, sheet.audiences[0])


def test_reader_notices_come_from_the_organisation_sender_with_its_reply_to() -> None:
    assert _sender("incident", **{"organisation.reply_to": "help@acme.example"}) == Sender(
        "Acme Customer Care", "care@acme.example", "help@acme.example")
    assert _sender("incident") == Sender("Acme Customer Care", "care@acme.example", None)


def test_a_reply_to_equal_to_the_sender_is_left_out() -> None:
    assert _sender("incident", **{"organisation.reply_to": "Care@acme.example"}).reply_to is None


@pytest.mark.parametrize("notice", ["staff_notice", "regulator_report"])
def test_staff_and_regulator_notices_come_from_the_privacy_contact_by_default(notice: str) -> None:
    sender = _sender(notice, **{"organisation.privacy_contact": DPO,
                                "organisation.reply_to": "help@acme.example"})
    # the customers' help desk is no place for the regulator's or staff's replies
    assert sender == Sender("Data Protection Officer", "dpo@acme.example", None)


def test_an_audience_sender_and_reply_to_win() -> None:
    sender = _sender("staff_notice", **{
        "organisation.privacy_contact": DPO,
        "audiences.0.sender": {"name": "Acme IT Security", "email": "security@acme.example"},
        "audiences.0.reply_to": "servicedesk@acme.example"})
    assert sender == Sender("Acme IT Security", "security@acme.example", "servicedesk@acme.example")


@pytest.mark.parametrize(("address", "expected"), [
    ("no-reply@shop.example", True), ("noreply@shop.example", True),
    ("do-not-reply@shop.example", True), ("DoNotReply+x@shop.example", True),
    ("no_reply.alerts@shop.example", True), ("care@shop.example", False),
    ("replies@shop.example", False), ("nora@shop.example", False),
])
def test_no_reply_addresses(address: str, expected: bool) -> None:
    assert is_no_reply(address) is expected


def _rules(**changes: Any) -> list[str]:
    sheet = sheet_with(**changes)
    result = render_sheet(sheet)
    assert not result.refused, result.refused
    return [f.rule_id for n in result.notices for f in check_notice(sheet, n)
            if f.rule_id.startswith("deliverability.") and "sender" in f.rule_id]


def test_a_no_reply_sender_without_reply_to_is_a_warning() -> None:
    sheet = sheet_with(**{"organisation.sender.email": "no-reply@acme.example"})
    (notice,) = render_sheet(sheet).notices
    (finding,) = [f for f in check_notice(sheet, notice)
                  if f.rule_id == "deliverability.no_reply_sender"]
    assert (finding.severity, finding.message, finding.fix) == (
        "warning", "the notice comes from no-reply@acme.example, which takes no replies, and "
        "gives no Reply-To", "set organisation.reply_to to a mailbox someone reads (e.g. the "
        "help desk), or send from one")


def test_a_no_reply_sender_with_a_reply_to_is_fine() -> None:
    assert _rules(**{"organisation.sender.email": "no-reply@acme.example",
                     "organisation.reply_to": "help@acme.example"}) == []


def test_a_staff_notice_from_the_customer_sender_is_a_warning() -> None:
    assert _rules(**{"audiences.0.notice": "staff_notice", **STAFF}) == [
        "deliverability.internal_sender"]
    assert _rules(**{"audiences.0.notice": "staff_notice", **STAFF,
                     "organisation.privacy_contact": DPO}) == []


def test_the_rendered_notice_carries_the_audience_sender() -> None:
    sheet = sheet_with(**{"audiences.0.notice": "staff_notice", **STAFF,
                          "organisation.privacy_contact": DPO,
                          "organisation.reply_to": "help@acme.example"})
    (notice,) = render_sheet(sheet).notices
    assert (notice.sender, notice.reply_to) == (("Data Protection Officer", "dpo@acme.example"),
                                                None)
