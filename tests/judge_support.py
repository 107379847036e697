"""The outside judges' shared ground: the messages they judge, and how each tool is run.

The bundled notices are judged from the bundled sheets, named one by one (``conftest.BUNDLED``:
a user's own sheet in ``incidents/``, never listed, never changes what the tests judge), and
the reader sheets of ``tests/sheets/readers``, plus synthetic sheets under
``tests/judges/synthetic``: the longest data list beside a one-item "not involved" list, a
brand with no logo, a service notice.

Every tool is the real one, installed by ``scripts/test``: SpamAssassin from Debian (local
rules only, no network tests), html-validate and doiuse-email from npm (pinned in
``tools/package-lock.json``), axe-core in Debian's Chromium.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import conftest

from notifier.eml import build_eml
from notifier.render import RenderedNotice, render_sheet
from notifier.sheet import load_sheet

ROOT = Path(__file__).resolve().parent.parent
JUDGES = Path(__file__).resolve().parent / "judges"
BUNDLED = [*conftest.BUNDLED, *sorted((ROOT / "tests" / "sheets" / "readers").glob("*.yaml"))]
SYNTHETIC = sorted((JUDGES / "synthetic").glob("*.yaml"))
TOOLS = ROOT / "tools"
NODE_MODULES = TOOLS / "node_modules"
#: Where a sender would put the reader: every judged message has a To, as sent.
READER = "reader@example.net"
#: One fixed sending moment, so that the judged bytes do not change from run to run; the
#: Received line a relay adds carries the same moment (SpamAssassin compares the two).
SENT_AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Message:
    """One rendered notice the judges read, named ``sheet/audience/notice``."""

    name: str
    notice: RenderedNotice
    bundled: bool

    @property
    def kind(self) -> str:
        """The notice kind (incident, password_reset, ...)."""
        return self.notice.notice


@functools.cache
def messages() -> tuple[Message, ...]:
    """Render every judged sheet once per test session (bundled copies, then synthetic)."""
    out: list[Message] = []
    for path in [*BUNDLED, *SYNTHETIC]:
        result = render_sheet(load_sheet(path))
        assert not result.refused, (path, result.refused)
        for notice in result.notices:
            out.append(Message(f"{notice.sheet_id}/{notice.audience_id}/{notice.notice}",
                               notice, path in BUNDLED))
    return tuple(out)


def sent_eml(notice: RenderedNotice) -> bytes:
    """Return the message as it arrives: the send path's headers with a To, after one relay."""
    message = build_eml(notice, date=SENT_AT, to=[READER])
    received = (f"Received: from mail.{notice.sender[1].rpartition('@')[2]} "
                f"by mx.example.net with ESMTPS; {format_datetime(SENT_AT)}\n")
    return received.encode("ascii") + message


# --- SpamAssassin ------------------------------------------------------------------------

SPAMASSASSIN = shutil.which("spamassassin")
#: The rules Debian ships (sa-update cannot reach its mirrors here; FACTS.md).
SA_RULES = "/usr/share/spamassassin"
_SA_SCORE = re.compile(r"Content analysis details:\s+\((-?[\d.]+) points")
_SA_RULE = re.compile(r"^\s*(-?\d+\.\d+)\s+([A-Z0-9_]+)\s")


@dataclass(frozen=True)
class SpamReport:
    """SpamAssassin's verdict on one message: its score and every rule that fired, with points."""

    name: str
    score: float
    rules: dict[str, float] = field(default_factory=dict)

    @property
    def positive(self) -> dict[str, float]:
        """The rules that added points."""
        return {rule: pts for rule, pts in self.rules.items() if pts > 0}


def spamassassin(name: str, message: bytes, prefs: Path) -> SpamReport:
    """Score one message with local rules only (-L): no DNS, no network tests, no Bayes."""
    assert SPAMASSASSIN, "spamassassin is not installed (scripts/test installs it)"
    proc = subprocess.run(
        [SPAMASSASSIN, "-L", "-t", "-C", SA_RULES, "-p", str(prefs)],
        input=message, capture_output=True, timeout=120, check=True)
    report = proc.stdout.decode("utf-8", "replace")
    score = _SA_SCORE.search(report)
    assert score, report[:2000]
    # The rule lines follow a "---- ----" ruler and end at the first blank line.
    details = report[score.end():].split("\n---- ", 1)[1].split("\n\n", 1)[0]
    rules = {m.group(2): float(m.group(1)) for m in map(_SA_RULE.match, details.splitlines()) if m}
    return SpamReport(name, float(score.group(1)), rules)


def spam_reports(tmp: Path) -> list[SpamReport]:
    """Score every judged message, two at a time (the machines have two cores)."""
    prefs = tmp / "user_prefs"
    prefs.write_text("use_bayes 0\nuse_auto_whitelist 0\n", encoding="ascii")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda m: spamassassin(m.name, sent_eml(m.notice), prefs), messages()))


def spam_table(reports: list[SpamReport]) -> str:
    """Return a table: score per message and the rules with points that fired."""
    width = max(len(r.name) for r in reports)
    lines = [f"{'message':<{width}}  score  rules with points"]
    for r in reports:
        fired = ", ".join(f"{rule} {pts:+.1f}" for rule, pts in sorted(r.rules.items()) if pts)
        lines.append(f"{r.name:<{width}}  {r.score:5.1f}  {fired or '-'}")
    return "\n".join(lines)


# --- html-validate and doiuse-email (one node process for every message) -----------------

NODE = shutil.which("node")


@functools.cache
def node_judgements(folder: str) -> dict[str, dict[str, object]]:
    """Run tools/judge.mjs over every judged message's HTML; return its JSON by message name."""
    assert NODE, "node is not installed"
    assert (NODE_MODULES / "html-validate").is_dir(), "npm ci --prefix tools (scripts/test does)"
    base = Path(folder)
    files: dict[str, str] = {}
    for m in messages():
        path = base / (m.name.replace("/", "__") + ".html")
        path.write_text(m.notice.html, encoding="utf-8")
        files[str(path)] = m.name
    proc = subprocess.run([NODE, str(TOOLS / "judge.mjs"), *files], capture_output=True,
                          timeout=300, check=True, cwd=TOOLS)
    data: dict[str, dict[str, object]] = json.loads(proc.stdout)
    return {files[path]: result for path, result in data.items()}
