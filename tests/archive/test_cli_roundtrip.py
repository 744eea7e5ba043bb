"""Article text round-trips byte for byte through the real command line: init, import, show."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SEED = Path(__file__).parents[2].parent / "shared" / "seed" / "siege-of-derna.txt"
ARTICLES = Path(__file__).parents[1] / "data" / "articles"
ARTICLE_FILES = sorted(ARTICLES.glob("*.txt"))


def test_the_test_articles_cover_the_format() -> None:
    """The hand-written articles hold what the issue asks them to cover (guards against a file losing a case)."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in ARTICLE_FILES}
    every = "\n".join(texts.values())
    assert "\n=== " in every and "\n==== " in every, "subsections"
    assert any("\nInfobox\n" not in t for t in texts.values()), "no infobox"
    assert "\n== Aftermath ==\n\n== See also ==" in texts["structure.txt"], "a heading with nothing under it"
    assert sum(1 for line in every.split("\n") if line.startswith(("- ", "* "))) >= 10, "lists"
    assert any("\u0600" <= c <= "\u06ff" for c in every), "Arabic"
    assert any("\u4e00" <= c <= "\u9fff" for c in every), "CJK"
    assert any(ord(c) >= 0x1F300 for c in every), "emoji"
    assert any("\u0300" <= c <= "\u036f" for c in every), "combining marks"
    assert texts["long-infobox.txt"].count("\n- Field") == 40
    assert not texts["no-infobox-no-final-newline.txt"].endswith("\n")
    assert texts["several-final-newlines.txt"].endswith("\n\n\n\n")
    assert "c. 1200" in every and '"' in every


def test_seed_round_trips_through_the_command_line(tmp_path: Path, ok) -> None:
    if not SEED.is_file():
        pytest.skip(f"the seed article {SEED} is not there (it lives beside the repository, in ../shared/seed/)")
    seed = tmp_path / "siege-of-derna.txt"
    shutil.copyfile(SEED, seed)
    root = tmp_path / "arch"
    ok("init", root)
    imported = ok("-C", root, "import", seed)
    assert "siege-of-derna" in imported.text
    shown = ok("-C", root, "show", "siege-of-derna")
    assert shown.out == SEED.read_bytes()


def test_seed_round_trips_with_archive_dir_instead_of_C(tmp_path: Path, ok, archive) -> None:
    """``$ARCHIVE_DIR`` names the archive when -C is not given; init with no DIR uses it too."""
    if not SEED.is_file():
        pytest.skip(f"the seed article {SEED} is not there")
    root = tmp_path / "by-env"
    env = {"ARCHIVE_DIR": str(root)}
    ok("init", env=env, cwd=tmp_path)
    assert (root / "events.jsonl").is_file()
    ok("import", SEED, env=env, cwd=tmp_path)
    assert ok("show", "siege-of-derna", env=env, cwd=tmp_path).out == SEED.read_bytes()
    # -C wins over $ARCHIVE_DIR
    other = tmp_path / "other"
    ok("init", other)
    shown = archive("-C", other, "show", "siege-of-derna", env=env)
    assert shown.code == 1 and "Record 'siege-of-derna' does not exist" in shown.err


@pytest.fixture(scope="module")
def imported_articles(tmp_path_factory: pytest.TempPathFactory, ok) -> Path:
    """One archive into which every test article was imported by a single ``import`` of several files."""
    root = tmp_path_factory.mktemp("articles") / "arch"
    ok("init", root)
    ok("-C", root, "import", *ARTICLE_FILES)
    return root


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=[p.stem for p in ARTICLE_FILES])
def test_article_round_trips(path: Path, imported_articles: Path, ok) -> None:
    shown = ok("-C", imported_articles, "show", path.stem)
    assert shown.out == path.read_bytes()


@pytest.mark.parametrize("name", ["structure", "no-infobox-no-final-newline"])
def test_article_round_trips_alone_into_a_fresh_archive(name: str, tmp_path: Path, ok) -> None:
    """The whole walk for one article at a time: init, import with --record, show."""
    root = tmp_path / "arch"
    ok("init", root)
    ok("-C", root, "import", ARTICLES / f"{name}.txt", "--record", "mine")
    assert ok("-C", root, "show", "mine").out == (ARTICLES / f"{name}.txt").read_bytes()


def test_abbreviations_quotes_and_circa_do_not_cut_sentences(imported_articles: Path, ok) -> None:
    """Each sentence of the abbreviations article is one fact: no cut after "Dr.", "U.S.", "c.", "vol.", "Tue."."""
    import json  # noqa: PLC0415

    rows = json.loads(ok("-C", imported_articles, "show", "abbreviations", "--view", "facts", "--format", "json").out)
    sentences = [(row["text"], row["date"]) for row in rows if row["kind"] == "sentence"]
    assert [text for text, _ in sentences] == [
        "The town was founded c. 1200 by settlers from the coast.",
        "Dr. Smith et al. wrote about it in 1901, i.e. long after.",
        "St. Mary's church (est. ca. 1250) stands on Main St. near the U.S. consulate.",
        'He said: "The town is old. It is very old."',
        "Then he left.",
        "Mr. and Mrs. Jones arrived at 5 p.m. on Tue. the 4th.",
        "The walls were built in the mid-1300s.",
        "In the late 15th century a fire broke out; see e.g. the chronicle, vol. 2, pp. 10–12.",  # noqa: RUF001
        "By 1600 the town had grown to approx. 3,000 people.",
        "On 22 September, the council met again.",
        "The meeting lasted for 21 months, no. 3 of its kind!?",
        "Yes... it did.",
    ]
    dates = dict(sentences)
    assert dates["The town was founded c. 1200 by settlers from the coast."] == "1200~"
    assert dates["On 22 September, the council met again."] == "1600-09-22"
    assert dates["The meeting lasted for 21 months, no. 3 of its kind!?"] is None
