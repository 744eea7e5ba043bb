"""``archive build`` a second time, through the real command line: only what is not current is rendered again."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import orjson
import pytest

import archive.web.watch as watch_module
from archive.store.folder import Archive
from archive.web.watch import Watcher
from tests.conftest import ARTICLES, Run

SOURCE = "https://example.org/article"


def _make(ok: Run, root: Path, source: str = SOURCE) -> Path:
    ok("init", root)
    for name in ("structure.txt", "unicode.txt"):
        ok("-C", root, "import", ARTICLES / name, "--source", source)
    return root


def _build(ok: Run, root: Path, *args: str) -> tuple[int, int, int]:
    """Run ``archive build``; (records rendered, records unchanged, diff pages) from its last line."""
    out = ok("-C", root, "build", *args).text
    found = re.search(r": (\d+) rendered, (\d+) unchanged, (\d+) diff pages?\.$", out.strip())
    assert found, out
    rendered, unchanged, pages = (int(n) for n in found.groups())
    return rendered, unchanged, pages


def _times(out: Path) -> dict[str, int]:
    """Every file of the views (the manifest too) with its time of change."""
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in sorted(out.rglob("*")) if p.is_file()}


def _append(ok: Run, root: Path, record: str, text: str) -> None:
    ok("-C", root, "append", record, "--section", "Notes", "--text", text, "--source", "https://example.org/note")


def test_a_second_build_with_nothing_new_writes_nothing(ok: Run, tmp_path: Path) -> None:
    root = _make(ok, tmp_path / "a")
    assert _build(ok, root) == (2, 0, 2)
    before = _times(root / "views")
    assert ".watch.json" in before and "structure/diff-1.html" in before and "index.html" in before
    assert _build(ok, root) == (0, 2, 0)
    assert _times(root / "views") == before


def test_an_append_renders_only_its_record_and_its_diff_page(ok: Run, tmp_path: Path) -> None:
    root = _make(ok, tmp_path / "a")
    _build(ok, root)
    out = root / "views"
    before = _times(out)
    index = (out / "index.html").read_bytes()
    _append(ok, root, "unicode", "In 1930 one record changed.")
    assert _build(ok, root) == (1, 1, 1)
    after = _times(out)
    assert {name: t for name, t in after.items() if name.startswith("structure/")} == {
        name: t for name, t in before.items() if name.startswith("structure/")
    }
    assert "unicode/diff-3.html" in after and "unicode/diff-3.html" not in before
    assert after["unicode/diff-2.html"] == before["unicode/diff-2.html"]  # a revision's diff never changes
    assert b"1930" in (out / "unicode" / "article.txt").read_bytes()
    assert b"1930" in (out / "unicode" / "history.html").read_bytes() or (out / "index.html").read_bytes() != index
    assert _build(ok, root) == (0, 2, 0)


@pytest.mark.parametrize("change", ["edit", "same size", "remove"])
def test_a_view_file_changed_by_hand_is_written_again(ok: Run, tmp_path: Path, change: str) -> None:
    root = _make(ok, tmp_path / "a")
    _build(ok, root)
    out = root / "views"
    target = out / "structure" / "article.txt"
    original = target.read_bytes()
    folder_time = (out / "structure").stat().st_mtime_ns
    if change == "edit":
        target.write_bytes(original + b"vandalised\n")
    elif change == "same size":  # in place, same size, times put back: only the bytes tell
        stat = target.stat()
        target.write_bytes(original.replace(b"=", b"#", 1))
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.utime(out / "structure", ns=(folder_time, folder_time))
    else:
        target.unlink()
    assert _build(ok, root) == (1, 1, 0)
    assert target.read_bytes() == original
    assert _build(ok, root) == (0, 2, 0)


def test_an_index_changed_by_hand_is_written_again(ok: Run, tmp_path: Path) -> None:
    root = _make(ok, tmp_path / "a")
    _build(ok, root)
    index = root / "views" / "index.html"
    original = index.read_bytes()
    index.write_bytes(b"<p>gone</p>")
    assert _build(ok, root) == (0, 2, 0)
    assert index.read_bytes() == original


def test_a_removed_diff_page_is_written_again(ok: Run, tmp_path: Path) -> None:
    root = _make(ok, tmp_path / "a")
    _build(ok, root)
    page = root / "views" / "unicode" / "diff-2.html"
    original = page.read_bytes()
    page.unlink()
    rendered, unchanged, pages = _build(ok, root)
    assert pages == 1 and rendered + unchanged == 2
    assert page.read_bytes() == original


def test_a_replaced_log_renders_every_record(ok: Run, tmp_path: Path) -> None:
    root = _make(ok, tmp_path / "a")
    _build(ok, root)
    other = _make(ok, tmp_path / "b", source="https://example.org/another")  # the same records, other lines
    (root / "events.jsonl").write_bytes((other / "events.jsonl").read_bytes())
    shutil.rmtree(root / ".archive")
    shutil.copytree(other / ".archive", root / ".archive")
    assert _build(ok, root) == (2, 0, 2)
    assert b"example.org/another" in (root / "views" / "structure" / "sources.json").read_bytes()
    assert _build(ok, root) == (0, 2, 0)


def test_other_rendering_code_renders_every_record(ok: Run, tmp_path: Path) -> None:
    root = _make(ok, tmp_path / "a")
    _build(ok, root)
    manifest = root / "views" / ".watch.json"
    data = orjson.loads(manifest.read_bytes())
    data["code"] = "0" * 64  # as an older program would have written
    manifest.write_bytes(orjson.dumps(data))
    assert _build(ok, root) == (2, 0, 2)


def test_build_at_and_out_keep_working(ok: Run, tmp_path: Path) -> None:
    root = _make(ok, tmp_path / "a")
    _append(ok, root, "unicode", "In 1930 one record changed.")
    out = tmp_path / "elsewhere"
    assert _build(ok, root, "--out", str(out)) == (2, 0, 3)
    assert _build(ok, root, "--out", str(out), "--at", "2") == (1, 1, 0)  # unicode as it was; structure current
    assert b"1930" not in (out / "unicode" / "article.txt").read_bytes()
    assert _build(ok, root, "--out", str(out), "--at", "2") == (0, 2, 0)
    assert _build(ok, root, "--out", str(out)) == (1, 1, 0)
    assert b"1930" in (out / "unicode" / "article.txt").read_bytes()
    assert _build(ok, root, "--out", str(out)) == (0, 2, 0)
    assert _build(ok, root, "--out", str(out), "--at", "1") == (0, 1, 0)  # unicode does not exist yet
    assert not (root / "views").exists()


def test_a_watcher_renders_nothing_a_build_made_current(ok: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _make(ok, tmp_path / "a")
    _build(ok, root)
    rendered: list[str] = []
    real = watch_module.write_record

    def counting(state: object, slug: str, where: Path) -> int:
        rendered.append(slug)
        return real(state, slug, where)  # type: ignore[arg-type]

    monkeypatch.setattr(watch_module, "write_record", counting)
    watcher = Watcher(Archive(root), root / "views")
    watcher.start()
    watcher.close()
    assert rendered == []
    _append(ok, root, "unicode", "In 1930 one record changed.")
    assert _build(ok, root) == (1, 1, 1)  # the watcher's manifest is the build's: only the new revision
