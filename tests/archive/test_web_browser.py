"""The reader in a real browser: Playwright drives the system's Chromium against `archive serve`.

Skips with a reason where no Chromium is installed (a developer machine without it); under CI
(``$CI`` set) a missing browser fails instead, since ``.ci/run`` installs it from the OS packages.
Screenshots are kept in ``tests/artifacts/``; with ``FACT_ARCHIVE_UPDATE_DOCS=1`` the article's
is also saved as ``docs/screenshot-article.png`` for the README.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "siege-of-derna"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCRIPT = "<script>alert(1)</script>"
WAIT_MS = 30_000
"""The longest any page waits for something to show: a bound, not a sleep."""


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "ARCHIVE_DIR"}, "ARCHIVE_USER": "tester"}


def _archive(*args: str | Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "archive", *map(str, args)], env=_env(), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"archive {' '.join(map(str, args))}: {done.stderr}"
    return done.stdout


def _archive_in(*args: str | Path, stdin: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "archive", *map(str, args)], env=_env(), input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"archive {' '.join(map(str, args))}: {done.stderr}"
    return done.stdout


def _copy(target: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("views", ".archive")))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the operating system's package, driven by Playwright; never a downloaded build."""
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: install the OS package (apt-get install chromium) to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; every dialog it opens is recorded in ``page.dialogs`` and dismissed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", record)
    opened.set_default_timeout(WAIT_MS)
    opened.dialogs = dialogs
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, serving: Callable[..., Any]) -> Iterator[str]:
    """The bundled archive (a copy) under a real ``archive serve``, for tests that only read."""
    root = _copy(tmp_path_factory.mktemp("served") / "derna")
    with serving(root) as url:
        yield url


def _shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_the_article_shows_the_twelve_infobox_fields(page: Any, served: str) -> None:
    page.goto(served + "siege-of-derna/")
    rows = page.locator("aside.infobox tr")
    assert rows.count() == 12
    keys = rows.locator("th").all_inner_texts()
    assert keys == [
        "Conflict",
        "Partof",
        "Date",
        "Place",
        "Result",
        "Combatant1",
        "Combatant2",
        "Combatant3",
        "Commander1",
        "Commander2",
        "Commander3",
        "Casualties4",
    ]
    assert page.locator("aside.infobox caption").inner_text() == "Siege of Derna"
    box = page.locator("aside.infobox").bounding_box()
    assert box is not None
    assert box["x"] > 1280 / 2  # a side box on the right
    path = _shot(page, "article.png")
    if os.environ.get("FACT_ARCHIVE_UPDATE_DOCS"):
        shutil.copyfile(path, REPO / "docs" / "screenshot-article.png")


def test_a_source_marker_leads_to_its_source(page: Any, served: str) -> None:
    page.goto(served + "siege-of-derna/")
    marker = page.locator("#f-s7 + sup.cite a")
    assert marker.inner_text() == "[1]"
    marker.click()
    page.wait_for_url("**/siege-of-derna/#src-1")
    target = page.locator(":target")
    assert target.get_attribute("id") == "src-1"
    assert target.is_visible()
    assert target.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    link = target.locator("a.external")
    assert link.get_attribute("href") == "https://en.wikipedia.org/wiki/Siege_of_Derna"
    assert link.inner_text() == "Siege of Derna"
    _shot(page, "source-followed.png")


def test_the_timeline_lists_its_entries_in_order(page: Any, served: str) -> None:
    page.goto(served + "siege-of-derna/timeline.html")
    entries = page.locator("ol.timeline li.entry")
    assert entries.locator(".when").all_inner_texts() == [
        "Aug 2016",
        "Aug 2017",
        "by Sept 2017",
        "Oct 2017",
        "Dec 2017",
        "7 May 2018",
        "7 May 2018",
    ]
    ids = [entries.nth(i).get_attribute("id") for i in range(entries.count())]
    assert ids == ["f-s4", "f-s5", "f-s7", "f-s9", "f-s10", "f-s2", "f-s11"]
    _shot(page, "timeline.png")


def test_the_script_sentence_stays_inert(page: Any, tmp_path: Path, serving: Callable[..., Any]) -> None:
    root = _copy(tmp_path / "derna")
    _archive(
        "-C", root, "append", "siege-of-derna", "--section", "Timeline", "--text", SCRIPT, "--source", "https://example.org/"
    )
    with serving(root) as url:
        for name in ("", "timeline.html", "sources.html", "history.html"):
            page.goto(url + "siege-of-derna/" + name)
            page.wait_for_load_state("load")
        page.goto(url + "siege-of-derna/")
        shown = page.get_by_text(SCRIPT, exact=True)
        shown.wait_for()
        assert shown.is_visible()
        assert page.evaluate("document.querySelectorAll('main script').length") == 0
        assert page.dialogs == []
        _shot(page, "script-inert.png")


def _settled(page: Any, action: Callable[[], Any]) -> Any:
    """Run ``action`` once the page stands still: a later rebuild may reload it again meanwhile (bounded retries)."""
    from playwright.sync_api import Error as PlaywrightError  # noqa: PLC0415

    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        try:
            page.wait_for_load_state("load", timeout=WAIT_MS)
            return action()
        except PlaywrightError as exc:
            reloaded = "context was destroyed" in str(exc) or "Not attached to an active page" in str(exc)
            if not reloaded or time.monotonic() > deadline:
                raise


def _appears_live(page: Any, url: str, root: Path, rebuild: Any = None) -> None:
    """Open the article, append through the command line, and wait (bounded) for the sentence to show."""
    sentence = "In March 2019, the reader saw this sentence arrive on its own."
    page.goto(url + "siege-of-derna/")
    page.evaluate("window.loadedBefore = true")
    assert page.get_by_text(sentence).count() == 0
    _archive(
        "-C", root, "append", "siege-of-derna", "--section", "Timeline", "--text", sentence, "--source", "https://example.org/"
    )
    if rebuild is not None:
        rebuild()
    page.get_by_text(sentence).wait_for(timeout=WAIT_MS)
    assert _settled(page, lambda: page.evaluate("window.loadedBefore === undefined"))  # the page reloaded itself
    _settled(page, lambda: _shot(page, "live-append.png"))


@pytest.mark.skipif(importlib.util.find_spec("archive.web.watch") is None, reason="archive.watch (the watch loop) is not there yet")
def test_an_append_shows_up_in_the_open_page_without_a_reload(page: Any, tmp_path: Path, serving: Callable[..., Any]) -> None:
    root = _copy(tmp_path / "derna")
    with serving(root) as url:
        _appears_live(page, url, root)

        def follow_the_new_revision() -> None:
            page.goto(url + "siege-of-derna/history.html")
            page.locator("#r3 td.rev a").click()  # the new revision's diff page was written too
            page.wait_for_url("**/siege-of-derna/diff-3.html")

        _settled(page, follow_the_new_revision)
        assert "the reader saw this sentence arrive" in page.locator(".change.added ins").inner_text()


def test_an_editor_adds_a_sentence_that_appears_in_another_open_page(
    browser: Any, page: Any, tmp_path: Path, serving: Callable[..., Any]
) -> None:
    root = _copy(tmp_path / "derna")
    _archive_in("-C", root, "users", "add", "alice", "--role", "editor", "--password-stdin", stdin="alice-password\n")
    sentence = "On 3 May 2019, an editor wrote this in the browser."
    with serving(root) as url:
        other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        other.set_default_timeout(WAIT_MS)
        other.goto(url + "siege-of-derna/")
        other.evaluate("window.loadedBefore = true")
        assert other.locator("form").count() == 0  # not signed in: no edit forms
        page.goto(url + "login?next=/siege-of-derna/")
        page.fill("input[name=name]", "alice")
        page.fill("input[name=password]", "alice-password")
        page.click("#form-login button")
        page.wait_for_url("**/siege-of-derna/")
        form = page.locator("#form-sentence")
        form.locator("input[name=section]").fill("Timeline")
        form.locator("textarea[name=text]").fill(sentence)
        form.locator("textarea[name=sources]").fill("https://example.org/browser")
        form.locator("button").click()
        page.wait_for_url("**/siege-of-derna/#f-s12")
        assert page.locator("#f-s12").inner_text() == sentence
        other.get_by_text(sentence).wait_for(timeout=WAIT_MS)
        assert _settled(other, lambda: other.evaluate("window.loadedBefore === undefined"))  # it reloaded by itself
        _settled(page, lambda: _shot(page, "edit-form.png"))
        form = page.locator("#form-sentence")
        form.locator("input[name=section]").fill("Timeline")
        form.locator("textarea[name=text]").fill("A sentence without a source.")
        form.locator("textarea[name=sources]").evaluate("e => e.removeAttribute('required')")
        form.locator("button").click()
        error = page.locator("#error-sentence")
        error.wait_for()
        assert error.inner_text().startswith("No source given: every fact must cite one.")
        other.context.close()
    log = (root / "events.jsonl").read_text("utf-8").splitlines()
    assert '"by":"alice"' in log[-1] and sentence in log[-1]


def test_a_reader_sees_no_edit_forms(page: Any, tmp_path: Path, serving: Callable[..., Any]) -> None:
    root = _copy(tmp_path / "derna")
    _archive_in("-C", root, "users", "add", "rita", "--role", "reader", "--password-stdin", stdin="rita-password\n")
    with serving(root) as url:
        page.goto(url + "login?next=/siege-of-derna/")
        page.fill("input[name=name]", "rita")
        page.fill("input[name=password]", "rita-password")
        page.click("#form-login button")
        page.wait_for_url("**/siege-of-derna/")
        assert page.get_by_text("Signed in as rita (reader).").is_visible()
        assert page.locator("form").count() == 0


def test_the_history_leads_to_a_diff_with_word_marks(page: Any, served: str) -> None:
    page.goto(served + "siege-of-derna/history.html")
    rows = page.locator("table.history tbody tr")
    assert rows.locator("td.rev").all_inner_texts() == ["r2", "r1"]
    rows.first.locator("td.rev a").click()
    page.wait_for_url("**/siege-of-derna/diff-2.html")
    assert page.locator("#c-i10 del").all_inner_texts() == ["HabibKIA"]
    assert page.locator("#c-i10 ins").all_inner_texts() == ["Habib (KIA)"]
    assert page.locator("#c-i7 del").all_inner_texts() == [","]
    _shot(page, "diff.png")


def test_focus_or_hover_a_sentence_in_blame_shows_its_revision_author_time_and_sources(page: Any, served: str) -> None:
    page.goto(served + "siege-of-derna/blame.html")
    sentence = page.locator('[data-fact="s7"]')
    card = sentence.locator(".card")
    assert not card.is_visible()
    sentence.focus()
    assert card.is_visible()
    words = card.inner_text()
    for part in ("s7", "revision 1", "fact-archive editors", "UTC", "[1] Siege of Derna", "Wikipedia"):
        assert part in words, part
    assert card.locator("a.external").get_attribute("href") == "https://en.wikipedia.org/wiki/Siege_of_Derna"
    _shot(page, "blame-focus.png")
    field = page.locator('[data-fact="i10"]')
    field.hover()
    assert field.locator(".card").is_visible()
    assert "revision 2" in field.locator(".card").inner_text()
