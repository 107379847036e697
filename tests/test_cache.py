"""The user cache (compiled templates, parsed hyphenation patterns) never changes a byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from notifier import cache
from notifier.checks import readability
from notifier.render import render_sheet
from notifier.sheet import load_sheet
from notifier.templating import make_environment
from tests.conftest import INCIDENTS

SHEET = INCIDENTS / "co-op-2025.yaml"


def _render_all(templates: Path | None = None) -> list[tuple[str, str, str]]:
    result = render_sheet(load_sheet(SHEET), templates=templates)
    assert not result.refused
    return [(n.audience_id, n.html, n.text) for n in result.notices]


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("NOTIFIER_CACHE_DIR", str(root))
    return root


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_warm_cache_renders_the_same_bytes_without_compiling(
        cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFIER_CACHE_DIR", "off")
    uncached = _render_all()
    assert not cache_root.exists()

    monkeypatch.setenv("NOTIFIER_CACHE_DIR", str(cache_root))
    cold = _render_all()
    compiled = [p for p in _entries(cache_root) if p.suffix == ".jinja"]
    assert len(compiled) >= 4  # layout, sections, copy and the notice templates

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled although the cache holds it")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    warm = _render_all()
    assert uncached == cold == warm


def test_the_cache_folder_is_private(cache_root: Path) -> None:
    _render_all()
    folders = [cache_root, *[p for p in cache_root.rglob("*") if p.is_dir()]]
    assert all(p.stat().st_mode & 0o077 == 0 for p in folders), "other users could plant code"


def test_a_damaged_entry_is_compiled_again(cache_root: Path) -> None:
    expected = _render_all()
    for path in _entries(cache_root):
        if path.suffix == ".jinja":
            path.write_bytes(path.read_bytes()[:40])  # the header survives, the code is cut
    assert _render_all() == expected


def test_an_unusable_cache_folder_is_skipped(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NOTIFIER_CACHE_DIR", str(blocker / "cache"))
    assert cache.cache_dir("templates") is None
    assert _render_all()  # renders, no error


def test_a_cache_that_cannot_be_written_is_skipped(cache_root: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _render_all()
    for path in _entries(cache_root):
        path.unlink()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", full_disk)
    assert _render_all() == expected
    assert not [p for p in _entries(cache_root) if p.suffix == ".jinja"]


def test_a_changed_template_is_not_served_from_the_cache(cache_root: Path, tmp_path: Path) -> None:
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    probe = overrides / "probe.txt.j2"
    probe.write_text("First wording.\n", encoding="utf-8")
    assert make_environment(overrides).get_template("probe.txt.j2").render() == "First wording.\n"
    assert [p for p in _entries(cache_root) if p.suffix == ".jinja"]
    probe.write_text("Second wording.\n", encoding="utf-8")
    assert make_environment(overrides).get_template("probe.txt.j2").render() == "Second wording.\n"


def test_settings_and_versions_keep_separate_folders(cache_root: Path) -> None:
    _render_all()
    (folder,) = (cache_root / "templates").iterdir()
    assert folder.name.startswith(f"jinja{jinja2.__version__}-{cache.python_tag()}-")


PROSE = "Someone copied information about our members. We are sorry for the worry."


def _fresh_grade() -> float:
    """Grade PROSE in a state like a new process's: no patterns loaded yet."""
    pyphen = pytest.importorskip("pyphen")
    pyphen.hdcache.clear()
    readability._hyphenator.cache_clear()
    return readability.grade(PROSE)


def test_hyphenation_patterns_come_back_from_the_cache(cache_root: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _fresh_grade()
    assert len(list((cache_root / "hyphenation").iterdir())) == 1
    pyphen = pytest.importorskip("pyphen")

    def no_parsing(*args: object) -> None:
        raise AssertionError("the dictionary was parsed although the cache holds it")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", no_parsing)
    assert _fresh_grade() == parsed


def test_cli_output_is_identical_with_and_without_the_cache(tmp_path: Path) -> None:
    outputs = []
    for setting in ("off", str(tmp_path / "c"), str(tmp_path / "c")):
        outbox = tmp_path / f"out-{len(outputs)}"
        env = {**os.environ, "NOTIFIER_CACHE_DIR": setting}
        done = subprocess.run([sys.executable, "-m", "notifier", "render", str(SHEET),
                               "--outbox", str(outbox), "--quiet", "--jobs", "1"],
                              env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        outputs.append({p.relative_to(outbox): p.read_bytes()
                        for p in sorted(outbox.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1] == outputs[2]


def test_a_folder_others_can_write_to_is_not_used(cache_root: Path) -> None:
    cache_root.mkdir(mode=0o700)
    cache_root.chmod(0o777)  # someone else could plant compiled code here
    assert cache.cache_dir("templates") is None
    assert _render_all()
    assert not _entries(cache_root)


def test_no_home_folder_means_no_cache_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path as RealPath

    monkeypatch.delenv("NOTIFIER_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> RealPath:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(cache.Path, "home", staticmethod(no_home))
    assert cache.cache_dir("templates") is None
    assert _render_all()


@pytest.mark.parametrize("entry", [
    "{not json", '{"patterns": {}}', '{"patterns": {"ab": [0, [1]]}, "maxlen": 5}',
    '{"maxlen": 2}', '{"patterns": {"ab": [0, ["x"]]}, "maxlen": 2}', "[]",
])
def test_a_foreign_hyphenation_entry_is_ignored(cache_root: Path, entry: str) -> None:
    parsed = _fresh_grade()
    (path,) = (cache_root / "hyphenation").iterdir()
    path.write_text(entry, encoding="utf-8")
    assert _fresh_grade() == parsed


def test_the_compiled_template_folder_follows_the_environment_settings() -> None:
    from notifier.templating import _fingerprint

    env = make_environment()
    before = _fingerprint(env)
    env.trim_blocks = False
    assert _fingerprint(env) != before


def test_public_suffixes_and_the_legal_reference_come_back_from_the_cache(
        cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import publicsuffixlist
    import yaml

    from notifier import domains, law

    hosts = ("email.coop.co.uk", "x.github.io", "github.io", "www.gov.uk", "shop.example")

    def fresh() -> tuple[list[str | None], dict[str, object]]:
        domains._psl.cache_clear()
        law.reference.cache_clear()
        return [domains.registrable_domain(h) for h in hosts], law.reference()

    parsed = fresh()
    assert parsed[0] == ["coop.co.uk", "x.github.io", None, "www.gov.uk", "shop.example"]
    assert len(list((cache_root / "public-suffixes").iterdir())) == 1
    assert len(list((cache_root / "law-reference").iterdir())) == 1

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the cache holds it")

    with monkeypatch.context() as patched:
        patched.setattr(publicsuffixlist.PublicSuffixList, "_parse", no_parsing)
        patched.setattr(yaml, "load", no_parsing)
        assert fresh() == parsed
    for folder in ("public-suffixes", "law-reference"):
        (entry,) = (cache_root / folder).iterdir()
        entry.write_bytes(b"not a pickle")  # damaged: parsed again, same answers
    assert fresh() == parsed


def test_file_digests_trust_a_stat_only_while_nothing_can_have_changed(
        cache_root: Path, tmp_path: Path) -> None:
    import hashlib
    import time as clock

    folder = tmp_path / "sheet"
    folder.mkdir()
    target = folder / "a.html"
    target.write_bytes(b"first version")
    old = clock.time_ns() - 10 * cache.RACY_NS
    os.utime(target, ns=(old, old))  # written a while ago
    digests = cache.FileDigests(folder)
    assert digests.sha256("a.html") == hashlib.sha256(b"first version").hexdigest()
    digests.save()

    reads: list[Path] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return real(self)

    again = cache.FileDigests(folder)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(Path, "read_bytes", counting)
        assert again.sha256("a.html") == hashlib.sha256(b"first version").hexdigest()
        assert reads == []  # known by its stat: not read
        target.write_bytes(b"other version")  # same size, and its mtime put back
        os.utime(target, ns=(old, old))
        assert again.sha256("a.html") == hashlib.sha256(b"other version").hexdigest()
        assert reads == [target]  # the ctime moved: read again

    fresh = folder / "b.html"
    fresh.write_bytes(b"just written")
    digests = cache.FileDigests(folder)
    digests.remember("b.html", hashlib.sha256(b"just written").hexdigest())
    digests.save()
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(Path, "read_bytes", counting)
        cache.FileDigests(folder).sha256("b.html")
    assert reads[-1] == fresh  # changed within the margin of the look: never vouched for
