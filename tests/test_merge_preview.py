"""The preview shows a chosen recipient's own notice, as `notifier merge` writes it."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from merge_support import HOTEL, parse, parts, read_mbox, write_csv

from notifier.mergerun import merge_recipients
from notifier.preview import PreviewServer
from notifier.sheet import load_sheet

ROWS = [["ann@example.com", "earlier-guests", "Ann <Smith>", "name;email", "C-1", "B-1"],
        ["bob@example.com", "later-guests", "", "", "", "B-2"]]


def test_as_recipient_page_is_the_merged_html_of_that_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    merge_recipients(load_sheet(HOTEL), path, fmt="mbox", out=tmp_path / "out.mbox")
    _, expected = parts(parse(read_mbox(tmp_path / "out.mbox")[0]))
    with PreviewServer(HOTEL, port=0, recipient=(path, 2)) as server:
        server.start()
        with urllib.request.urlopen(server.url + "as-recipient/") as response:
            page = response.read().decode("utf-8")
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page == expected
    assert "Dear Ann &lt;Smith&gt;," in page


def test_a_row_that_is_not_there_says_so(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS)
    with PreviewServer(HOTEL, port=0, recipient=(path, 9)) as server:
        server.start()
        with urllib.request.urlopen(server.url + "as-recipient/") as response:
            page = response.read().decode("utf-8")
    assert "no row starts on line 9" in page
