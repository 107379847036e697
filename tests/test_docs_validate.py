"""docs/fact-sheet.md shows `validate` output as it is: each console block is run and compared.

Every block that starts ``$ .venv/bin/notifier validate NAME`` is run on its input (the
bundled sheets for ``incidents/``, else ``tests/docs_examples/NAME``), from a folder where
the names are as the docs print them. After an intended change of wording, rewrite the
blocks with ``pytest tests/test_docs_validate.py --update-golden`` and read the diff.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, copy_bundled

from notifier.cli import main

DOC = ROOT / "docs" / "fact-sheet.md"
EXAMPLES = Path(__file__).resolve().parent / "docs_examples"
BLOCK = re.compile(r"```console\n(\$ \.venv/bin/notifier validate (\S+)\n)(.*?)```", re.S)


def blocks() -> list[re.Match[str]]:
    return list(BLOCK.finditer(DOC.read_text(encoding="utf-8")))


def run_validate(name: str, folder: Path, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    if name == "incidents/":
        copy_bundled(folder / "incidents")
    else:
        shutil.copy(EXAMPLES / name, folder / name)
    monkeypatch.chdir(folder)  # so that paths print as the docs show them
    with pytest.raises(SystemExit) as info:
        main(["validate", name])
    out, err = capsys.readouterr()
    code = info.value.code if isinstance(info.value.code, int) else 0
    return code, out + err


def expected_output(body: str) -> tuple[str, int]:
    """Split a block's body into the printed text and the exit code it shows (0 if none)."""
    text, _, status = body.partition("$ echo $?\n")
    return text, int(status.strip() or 0)


def test_every_example_input_is_used_by_the_docs() -> None:
    used = {match.group(2) for match in blocks()}
    assert "incidents/" in used
    assert {p.name for p in EXAMPLES.iterdir()} == used - {"incidents/"}


@pytest.mark.parametrize("index", range(len(blocks())))
def test_the_docs_show_what_validate_prints(index: int, tmp_path: Path, update_golden: bool,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    match = blocks()[index]
    name = match.group(2)
    code, printed = run_validate(name, tmp_path, monkeypatch, capsys)
    shown, shown_code = expected_output(match.group(3))
    if update_golden:
        status = f"$ echo $?\n{code}\n" if code else ""
        text = DOC.read_text(encoding="utf-8")
        DOC.write_text(text.replace(match.group(0), f"```console\n{match.group(1)}{printed}{status}```"),
                       encoding="utf-8")
        return
    assert printed == shown, (f"docs/fact-sheet.md shows other output for `validate {name}`; "
                              "if the change is intended, rerun with --update-golden")
    assert code == shown_code or (shown_code == 0 and code == 0)
