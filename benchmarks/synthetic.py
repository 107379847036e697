"""Synthetic fact sheets of any size with every notice kind, for the scaling benchmarks.

``mixed_sheet(n)`` returns a sheet with ``n`` audiences of every notice kind: a regulator
report for each of three authorities (the ICO, the Irish DPC, the PDPC), a staff notice and a
service notice, then groups of readers in turn (incidents in four jurisdictions, password
resets, no-action notices, updates), each group with its own size and data; and the earlier
revision its updates correct. Every variant renders and passes its checks.
"""

from __future__ import annotations

from pathlib import Path

_HEAD = """\
id: synthetic-mixed
notice_date: 2025-05-02
organisation:
  name: Example Shop Ltd
  website: https://www.shop.example
  contact:
    url: https://www.shop.example/help
    email: help@shop.example
    phone: "0800 555 0199"
  sender:
    name: Example Shop Customer Care
    email: care@shop.example
  reply_to: replies@shop.example
  signatory:
    name: Sam Example
    title: Chief Executive
  privacy_contact:
    name: Data Protection Officer
    email: dpo@shop.example
  brand:
    color: "#1f3a5f"
incident:
  kind: {kind}
  discovered_at: 2025-04-30T09:00:00+01:00
  assessed_at: 2025-05-01T17:00:00+01:00
  summary: >-
    {summary}
  status: investigating
  misuse: none_known
  records: 250000
  data_involved: {involved}
  data_not_involved: {not_involved}
  password_protection: hashed with bcrypt
  safe:
    - Our shops and our website are open and trading normally.
  actions_taken:
    - We closed the gap the intruder used and reset the keys of the affected system.
    - We started a forensic investigation with an outside firm.
  measures_proposed:
    - Check every system that shares the same keys before it is switched back on.
  services:
    - name: Online orders
      status: degraded
      workaround: Order by phone on 0800 555 0199 while online orders are slow.
  authorities:
    - name: Information Commissioner's Office
      notified_at: 2025-05-01T10:00:00+01:00
    - name: Data Protection Commission
      notified_at: 2025-05-01T10:00:00+01:00
    - name: Personal Data Protection Commission
      notified_at: 2025-05-01T10:00:00+01:00
"""

_PREVIOUS = dict(
    kind="unauthorised_access", involved="[name, email]",
    not_involved="[phone, postal_address, password_hash, order_history]",
    summary="Someone tried to break into one of our systems. We switched parts of it off "
            "to keep them out.")
_CURRENT = dict(
    kind="data_theft", involved="[name, email, phone, postal_address, password_hash, order_history]",
    not_involved="[payment_card_number, bank_account]",
    summary="Someone copied customer records from one of our systems. We found out when our "
            "monitoring flagged an unusual download, and we closed the gap the same day.")
_SUPERSEDES = """\
supersedes:
  sheet: {previous}
  sent_at: 2025-04-30T18:00:00+01:00
"""
_STAFF = """\
staff:
  must:
    - Report any unexpected call or email that asks for your password to the IT service desk.
  must_not:
    - Do not reset anyone's password over the phone, even for a colleague.
  customer_line: >-
    Tell customers that we are dealing with a cyber incident and that they will hear from
    us directly. Point them to shop.example for updates.
  press_office:
    name: the press office
    email: press@shop.example
  help: For IT problems call the IT service desk on 0800 555 0100.
"""

#: The audiences a sheet has once, whatever its size: a report to each authority (the ICO,
#: the Irish DPC, the PDPC), the staff and the customers of a disrupted service. A regulator
#: report names every group of readers, so its length grows with the sheet, as a real one
#: would; a real sheet has one per authority, not one per ten audiences.
FIXED: tuple[tuple[str, str, str | None], ...] = (
    ("regulator_report", "[GB]", None),
    ("regulator_report", "[IE]", None),
    ("regulator_report", "[SG]", None),
    ("staff_notice", "[GB]", "[]"),
    ("service_disruption", "[GB]", "[]"),
)
#: The groups of readers, in turn: (notice, jurisdictions, data_involved or None).
CYCLE: tuple[tuple[str, str, str | None], ...] = (
    ("incident", "[GB]", "[name, email, phone, order_history]"),
    ("incident", "[US-CA]", "[name, email, postal_address]"),
    ("password_reset", "[IE]", "[email, password_hash]"),
    ("no_action_needed", "[GB]", "[name, email]"),
    ("update", "[GB]", None),
    ("incident", "[SG]", "[name, email, order_history]"),
    ("update", "[IE]", "[name, email, password_hash]"),
    ("incident", "[US-NY]", "[name, email, order_history]"),
    ("password_reset", "[GB]", "[name, email, password_hash]"),
)


READER_KINDS = frozenset({"incident", "password_reset", "no_action_needed", "update"})


def _audience(i: int, *, previous: bool) -> list[str]:
    if i < len(FIXED):
        notice, places, data = FIXED[i]
    else:
        notice, places, data = CYCLE[(i - len(FIXED)) % len(CYCLE)]
    lines = [f"  - id: group-{i:04d}-{notice.replace('_', '-')}",
             f"    name: Group {i}"]  # short: a regulator report names every group
    if previous and notice in READER_KINDS:
        # what the earlier revision told these readers (the updates correct it)
        notice, data = "no_action_needed", None
    lines += [f"    notice: {notice}", f"    jurisdictions: {places}"]
    if notice in READER_KINDS:
        lines.append(f"    size: {100 + (i * 37) % 900}")
    if data is not None:
        lines.append(f"    data_involved: {data}")
    return lines


def mixed_sheet(audiences: int, *, previous_name: str = "synthetic-r1.yaml") -> tuple[str, str]:
    """Return (sheet, earlier revision) as YAML texts, with ``audiences`` audiences each."""
    current = [_HEAD.format(**_CURRENT), _SUPERSEDES.format(previous=previous_name), _STAFF,
               "audiences:"]
    earlier = [_HEAD.format(**_PREVIOUS).replace("  records: 250000\n", "")
               .replace("  password_protection: hashed with bcrypt\n", ""), "audiences:"]
    for i in range(audiences):
        current += _audience(i, previous=False)
        earlier += _audience(i, previous=True)
    return "\n".join(current) + "\n", "\n".join(earlier) + "\n"


def write_mixed(folder: Path, audiences: int, name: str = "synthetic.yaml") -> Path:
    """Write a mixed sheet and its earlier revision into ``folder``; return the sheet's path."""
    folder.mkdir(parents=True, exist_ok=True)
    previous_name = name.replace(".yaml", "-r1.yaml")
    sheet, earlier = mixed_sheet(audiences, previous_name=previous_name)
    (folder / previous_name).write_text(earlier, encoding="utf-8")
    path = folder / name
    path.write_text(sheet, encoding="utf-8")
    return path
