"""`archive build` writes the HTML pages beside the other views; `show --format timelinejs` prints TimelineJS JSON."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "siege-of-derna"
SCRIPT = "<script>alert(1)</script>"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**{k: v for k, v in os.environ.items() if k != "ARCHIVE_DIR"}, "ARCHIVE_USER": "tester"},
        timeout=120,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "derna", ignore=shutil.ignore_patterns("views", ".archive")))


def test_build_writes_the_pages_of_every_record_and_an_index(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    done = _run("-C", root, "build")
    assert done.returncode == 0, done.stderr
    views = root / "views"
    for name in ("index.html", "timeline.html", "sources.html", "history.html"):
        assert (views / "siege-of-derna" / name).is_file(), name
    article = (views / "siege-of-derna" / "index.html").read_text("utf-8")
    assert article.count('<th scope="row">') == 12
    assert "Ahmed Al-Habib (KIA), Moaz Tashani" in article  # revision 2's fix
    assert '<a class="external" href="https://en.wikipedia.org/wiki/Siege_of_Derna"' in article
    index = (views / "index.html").read_text("utf-8")
    assert 'href="siege-of-derna/index.html"' in index
    history = (views / "siege-of-derna" / "history.html").read_text("utf-8")
    assert history.index('id="r2"') < history.index('id="r1"')
    timeline = (views / "siege-of-derna" / "timeline.html").read_text("utf-8")
    assert timeline.index("Aug 2016") < timeline.index("by Sept 2017") < timeline.index("7 May 2018")


def test_a_script_sentence_lands_in_the_page_as_text(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    added = _run(
        "-C", root, "append", "siege-of-derna", "--section", "Timeline", "--text", SCRIPT, "--source", "https://example.org/x"
    )
    assert added.returncode == 0, added.stderr
    assert _run("-C", root, "build").returncode == 0
    for page in (root / "views" / "siege-of-derna").glob("*.html"):
        assert SCRIPT not in page.read_text("utf-8"), page.name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (root / "views" / "siege-of-derna" / "index.html").read_text("utf-8")


def test_show_timeline_as_timelinejs(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    done = _run("-C", root, "show", "siege-of-derna", "--view", "timeline", "--format", "timelinejs")
    assert done.returncode == 0, done.stderr
    data = orjson.loads(done.stdout)
    slides = data["events"]
    assert [s["unique_id"] for s in slides] == ["s4", "s5", "s7", "s9", "s10", "s2", "s11"]
    assert slides[0]["start_date"] == {"year": 2016, "month": 8}
    assert "display_date" not in slides[0]
    assert slides[2]["start_date"] == {"year": 2017, "month": 9}
    assert slides[2]["display_date"] == "by Sept 2017"
    assert slides[5]["start_date"] == {"year": 2018, "month": 5, "day": 7}
    assert data["title"]["text"]["headline"] == "Siege of Derna"


def test_timelinejs_is_refused_for_other_views_without_touching_the_log(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    before = (root / "events.jsonl").read_bytes()
    done = _run("-C", root, "show", "siege-of-derna", "--view", "article", "--format", "timelinejs")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: --view article has no --format timelinejs.")
    assert "Formats of --view article: text, markdown, json." in done.stderr
    assert (root / "events.jsonl").read_bytes() == before


def test_build_writes_a_diff_page_per_revision_and_history_links_them(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert _run("-C", root, "build").returncode == 0
    record = root / "views" / "siege-of-derna"
    diff = (record / "diff-2.html").read_text("utf-8")
    assert "<del>HabibKIA</del><ins>Habib (KIA)</ins>" in diff
    assert "2 changed" in diff
    assert "27 added" in (record / "diff-1.html").read_text("utf-8")
    history = (record / "history.html").read_text("utf-8")
    assert 'href="diff-2.html"' in history
    assert 'href="diff-1.html"' in history
    assert 'data-fact="i10"' in (record / "blame.html").read_text("utf-8")


def test_build_at_a_revision_writes_no_later_diff_page(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert _run("-C", root, "build", "--at", "1").returncode == 0
    record = root / "views" / "siege-of-derna"
    assert (record / "diff-1.html").is_file()
    assert not (record / "diff-2.html").exists()
    assert 'href="diff-2.html"' not in (record / "history.html").read_text("utf-8")


def test_diff_pages_follow_the_log_reading_only_its_new_tail(tmp_path: Path) -> None:
    from archive.store.folder import find_archive  # noqa: PLC0415
    from archive.store.log import replay  # noqa: PLC0415
    from archive.web.diff_pages import DiffPages  # noqa: PLC0415

    root = _copy(tmp_path)
    archive = find_archive(root)
    pages = DiffPages(archive, archive.views)
    assert pages.build(replay(archive)[0]) == 2
    assert pages.update() == 0
    added = _run(
        "-C", root, "append", "siege-of-derna", "--section", "Timeline", "--text", "In 2019, it ended.", "--source", "Notes"
    )
    assert added.returncode == 0, added.stderr
    assert pages.update() == 1
    assert "<ins>In 2019, it ended.</ins>" in (archive.views / "siege-of-derna" / "diff-3.html").read_text("utf-8")
