"""The benchmark corpus: a deterministic, realistic archive written through the program's own import and append path.

Run ``python benchmarks/corpus.py --events 100000`` to make (or find) the archive of that size under
``benchmarks/.data/`` (``--data DIR`` for another folder). The same seed gives the same log, byte for
byte, whatever the number of worker processes.

What it writes, and how:

- generated article texts (title, an infobox of 10 fields, a lead, sections and sub-sections of
  paragraphs whose sentences state dates, dated lists, some unicode) become records through
  ``archive.ingest.importer.article_changes``, as ``archive import`` does: the sentence splitter and the date
  reader run on every paragraph (in worker processes: they are most of the cost);
- later revisions are made with the program's editing helpers (``archive.ingest.editing``: a revised or added
  sentence, a retraction, a new infobox value, each citing one or two sources), as ``archive append``
  does;
- both go through ``archive.store.folder.log.append_revisions`` with many ``PendingRevision`` objects per call
  (imports and edits of existing records interleaved), so that every event is validated, stamped,
  folded and hash-chained as in real use, while generation stays linear in the log's size.

About 60% of the events come from imports (records of about 200 facts), the rest from revisions of
one to four events each. One record (the first) is revised in every round: the runner uses it for
``show``, ``diff`` and ``blame``. A manifest ``corpus-N.json`` beside the archive describes it; a
corpus whose manifest and log still agree is reused, anything else is made again.
"""



from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.ingest.dates import MONTH_NAMES
from archive.store.folder import Archive

__all__ = [
    "DEFAULT_DATA",
    "SEED",
    "VERSION",
    "Corpus",
    "article_text",
    "ensure_articles",
    "ensure_corpus",
    "generate",
    "main",
]

VERSION = 1
"""Bump when the generator changes what it writes: cached corpora of another version are made again."""
SEED = 20_261_125
DEFAULT_DATA = Path(__file__).resolve().parent / ".data"
_IMPORT_SHARE = 0.6
"""The share of the events that come from imports; revisions make the rest."""
_FACTS_PER_RECORD = 200
_FOCUS = 0
"""The index of the article revised in every round (the runner's record)."""

_MONTHS = MONTH_NAMES
_PLACES = (
    ("Derna", "Libya"),
    ("Benghazi", "Libya"),
    ("Sirte", "Libya"),
    ("Misrata", "Libya"),
    ("Ajdabiya", "Libya"),
    ("Mosul", "Iraq"),
    ("Tikrit", "Iraq"),
    ("Raqqa", "Syria"),
    ("Aleppo", "Syria"),
    ("Qamishli", "Syria"),
    ("Kharkiv", "Ukraine"),
    ("Mariupol", "Ukraine"),
    ("Kherson", "Ukraine"),
    ("Gao", "Mali"),
    ("Ménaka", "Mali"),
    ("Ségou", "Mali"),
    ("Marawi", "the Philippines"),
    ("Goma", "the DR Congo"),
    ("Hodeidah", "Yemen"),
    ("Ta‘izz", "Yemen"),
    ("Łódź", "Poland"),
    ("Kraków", "Poland"),
    ("Ağrı", "Türkiye"),
    ("São Tomé", "São Tomé and Príncipe"),
)
_KINDS = ("Siege", "Battle", "Offensive", "Occupation", "Liberation", "Bombardment", "Evacuation", "Blockade")
_ACTORS = (
    "the Libyan National Army",
    "the Mujahideen Shura Council",
    "local militias",
    "government forces",
    "the 3rd Mechanised Brigade",
    "volunteer battalions",
    "the city council",
    "the Red Crescent",
    "United Nations observers",
    "tribal elders",
    "the coalition air force",
    "rebel units",
    "the civil defence service",
    "Médecins Sans Frontières teams",
    "the Ministry of Health",
)
_VERBS = (
    "captured",
    "shelled",
    "reopened",
    "evacuated",
    "surrounded",
    "occupied",
    "repaired",
    "blockaded",
    "inspected",
    "abandoned",
    "fortified",
    "rebuilt",
)
_OBJECTS = (
    "the harbour",
    "the old town",
    "the main bridge",
    "the power station",
    "the hospital",
    "the airport road",
    "the water plant",
    "the central market",
    "the university campus",
    "the grain silos",
    "the eastern checkpoint",
    "the court house",
    "the radio station",
    "al-Fatayah ridge",
    "the coastal road",
)
_PEOPLE = (
    "Khalifa Ḥaftar",
    "Ayşe Demir",
    "José Núñez",
    "Oleksandr Kovalenko",
    "Nguyễn Văn An",
    "Søren Ødegaard",
    "Fatima al-Zahra",
    "Jean-Luc Ndiaye",
    "Zoë Papadopoulou",
    "Björn Ólafsson",
)
_PUBLISHERS = (
    "Reuters",
    "Agence France-Presse",
    "Al Jazeera",
    "BBC News",
    "Libya Observer",
    "Le Monde",
    "Der Spiegel",
    "El País",
    "Kyiv Independent",
    "Human Rights Watch",
    "Amnesty International",
    "UN OCHA",
)
_ADJECTIVES = ("catastrophic", "stable", "tense", "improving", "dire", "uncertain", "calm", "desperate")
_RESULTS = ("Ceasefire", "Government victory", "Stalemate", "Withdrawal of rebel units", "Negotiated surrender")
_AUTHORS = ("Amira Saleh", "Tomás Herrera", "Ingrid Løvaas", "Kenji Watanabe", "Olamide Adeyemi", "Chloé Martin")
_SUMMARIES = (
    "Copy-edit",
    "Update casualty figures",
    "Add a report from the field",
    "Retract an unsourced claim",
    "Correct a date",
    "Add sources",
    "Mise à jour après vérification",
)


@dataclass(frozen=True, slots=True)
class Corpus:
    """A generated archive and what the runner needs to know of it (the manifest ``corpus-N.json``)."""

    root: str
    """The archive folder."""
    events: int
    revisions: int
    records: int
    bytes: int
    hash: str
    """The SHA-256 of the log's last line: a changed log is made again."""
    seconds: float
    """How long generating it took."""
    record: str
    """The record revised in every round: the one the runner shows, diffs and blames."""
    created: int
    """The revision that created ``record``."""
    middle: int
    """A revision half-way through the log."""
    version: int = VERSION
    seed: int = SEED

    @property
    def archive(self) -> Archive:
        """The archive folder as the program names it."""
        return Archive(Path(self.root))


# ------------------------------------------------------------------ article text


def _date(rng: random.Random, year: int) -> tuple[int, int, int]:
    return year + rng.randrange(0, 3), rng.randrange(1, 13), rng.randrange(1, 29)


def _sentence(rng: random.Random, year: int, place: str, *, dated: bool = True) -> str:
    """One sentence of an article, most stating a date the importer reads."""
    y, m, d = _date(rng, year)
    month = _MONTHS[m - 1]
    actor, verb, obj = rng.choice(_ACTORS), rng.choice(_VERBS), rng.choice(_OBJECTS)
    number = rng.randrange(20, 40_000)
    choice = rng.randrange(10) if dated else 7 + rng.randrange(3)
    match choice:
        case 0 | 1:
            return f"On {d} {month} {y}, {actor} {verb} {obj}."
        case 2 | 3:
            return f"In {month} {y} {actor} {verb} {obj} near {place}."
        case 4:
            return f"By {month} {y}, about {number:,} residents had left {place}."
        case 5:
            return f"{actor[0].upper()}{actor[1:]} {verb} {obj} in {y}."
        case 6:
            return f"On {d} {month} {obj} was {verb} again, according to {rng.choice(_PUBLISHERS)}."
        case 7:
            return f"{actor[0].upper()}{actor[1:]} described the situation in {place} as “{rng.choice(_ADJECTIVES)}”."
        case 8:
            return f"According to {rng.choice(_PUBLISHERS)}, {number:,} people were wounded in the fighting."
        case _:
            return f"The damage to {obj} was estimated at {number % 900 + 10} million dinars."


def _paragraph(rng: random.Random, year: int, place: str, size: tuple[int, int] = (5, 8)) -> str:
    return " ".join(_sentence(rng, year, place, dated=rng.random() < 0.8) for _ in range(rng.randint(*size)))


def _item(rng: random.Random, year: int) -> str:
    y, m, d = _date(rng, year)
    return f"{d} {_MONTHS[m - 1]} {y}: {rng.choice(_ACTORS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}."


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def article_text(index: int, seed: int = SEED) -> tuple[str, str]:
    """The slug and text of the ``index``-th generated article (about 200 facts), the same for the same seed."""
    rng = random.Random(f"{seed}-article-{index}")
    kind, (place, country) = rng.choice(_KINDS), rng.choice(_PLACES)
    year = rng.randrange(1990, 2024)
    slug = f"{kind}-of-{_ascii(place)}-{year}-{index:06d}".lower().replace(" ", "-")
    y1, m1, d1 = _date(rng, year)
    end_year = y1 + rng.randrange(0, 3)
    a, b = rng.sample(_ACTORS, 2)
    lines = [
        f"= {kind} of {place} ({year}) =",
        "",
        "Infobox",
        f"- Date: {d1} {_MONTHS[m1 - 1]} {y1} – {rng.randrange(1, 29)} {_MONTHS[rng.randrange(12)]} {end_year}",
        f"- Location: {place}, {country}",
        f"- Coordinates: {rng.randrange(0, 60)}°{rng.randrange(0, 60)}′N {rng.randrange(0, 60)}°{rng.randrange(0, 60)}′E",
        f"- Result: {rng.choice(_RESULTS)}",
        f"- Belligerents: {a[0].upper()}{a[1:]}; {b}",
        f"- Commanders: {' and '.join(rng.sample(_PEOPLE, 2))}",
        f"- Strength: {rng.randrange(500, 30_000):,} fighters",
        f"- Casualties: {rng.randrange(10, 5000):,} killed, {rng.randrange(10, 9000):,} wounded",
        f"- Displaced: {rng.randrange(1000, 200_000):,}",
        f"- Civilian deaths: {rng.randrange(0, 3000):,}",
        "",
        _paragraph(rng, year, place, (5, 7)),
    ]

    def section(heading: str, paragraphs: int, level: int = 2) -> None:
        marks = "=" * level
        lines.extend(["", f"{marks} {heading} {marks}"])
        for _ in range(paragraphs):
            lines.extend(["", _paragraph(rng, year, place)])

    def bullets(heading: str, items: list[str]) -> None:
        lines.extend(["", f"== {heading} ==", ""])
        lines.extend(f"- {item}" for item in items)

    section("Background", rng.randint(2, 4))
    lines.extend(["", f"== The {kind.lower()} =="])
    for offset in range(rng.randint(3, 4)):
        section(str(year + offset), rng.randint(3, 4), level=3)
    section("Humanitarian situation", rng.randint(2, 3))
    bullets("Timeline", [_item(rng, year) for _ in range(rng.randint(12, 20))])
    section("Aftermath", rng.randint(2, 3))
    section("Reactions", rng.randint(1, 2))
    bullets("See also", [f"{rng.choice(_KINDS)} of {rng.choice(_PLACES)[0]}" for _ in range(rng.randint(3, 5))])
    return slug, "\n".join(lines) + "\n"


def _import_changes(job: tuple[int, int]) -> tuple[str, list[Any]]:
    """Parse the generated article ``index`` and make its import changes, as ``archive import`` does."""
    from archive.ingest.article_text import parse_article  # noqa: PLC0415
    from archive.ingest.importer import article_changes  # noqa: PLC0415

    index, seed = job
    slug, text = article_text(index, seed)
    name = f"{slug}.txt"
    return slug, article_changes(parse_article(text, name), slug, _import_sources(index, seed), name)


def _import_sources(index: int, seed: int) -> tuple[Any, ...]:
    from events.source import Source  # noqa: PLC0415

    rng = random.Random(f"{seed}-import-source-{index}")
    publisher = rng.choice(_PUBLISHERS)
    year = rng.randrange(1995, 2025)
    first = Source(
        title=f"{publisher} archive, dispatch {index}",
        url=f"https://news.example.org/{_ascii(publisher).replace(' ', '-')}/{year}/{index}",
        publisher=publisher,
        published=f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
        accessed="2026-11-25",
    )
    if rng.random() < 0.7:
        return (first,)
    return (first, Source(title=f"Field notes of {rng.choice(_PEOPLE)}", author=rng.choice(_PEOPLE)))


# ------------------------------------------------------------------ revisions


def _revision_sources(seed: int) -> list[tuple[Any, ...]]:
    from events.source import Source  # noqa: PLC0415

    rng = random.Random(f"{seed}-revision-sources")
    pool = []
    for number in range(400):
        publisher = rng.choice(_PUBLISHERS)
        year = rng.randrange(2000, 2026)
        pool.append(
            Source(
                title=f"{publisher}: report {number}",
                url=f"https://reports.example.org/{year}/{number}",
                publisher=publisher,
                author=rng.choice(_PEOPLE) if rng.random() < 0.5 else None,
                published=f"{year}-{rng.randrange(1, 13):02d}",
                quote="“The figures were revised after the count.”" if number % 7 == 0 else None,
            )
        )
    return [(s,) if i % 4 else (s, pool[(i * 13) % len(pool)]) for i, s in enumerate(pool)]


class _Editor:
    """Makes the revisions of one ``append_revisions`` call from the state it is given."""

    def __init__(self, rng: random.Random, sources: list[tuple[Any, ...]]) -> None:
        self.rng = rng
        self.sources = sources

    def revisions(self, state: Any, budget: int, focus: str | None) -> list[Any]:
        """Revisions of existing records holding ``budget`` events in all (exactly, unless no record has a
        fact left to change); one to four events each, none touching a fact twice."""
        from archive.saved.appending import PendingRevision  # noqa: PLC0415

        rng = self.rng
        slugs = list(state.records)
        touched: dict[str, set[str]] = {}
        candidates: dict[str, list[Any]] = {}
        added: set[str] = set()
        out: list[PendingRevision] = []
        misses = 0
        forced = 3 if focus is not None else 0
        while budget > 0 and slugs and misses < 1000:
            if forced:
                forced -= 1
                slug = focus
            else:
                slug = rng.choice(slugs)
            record = state.records[slug]
            if slug not in candidates:  # the state does not change while the revisions are built
                candidates[slug] = [f for f in record.facts.values() if f.kind == "sentence" and not f.retracted]
            changes = self._one(record, candidates[slug], touched.setdefault(slug, set()), slug in added, budget)
            if not changes:
                misses += 1
                continue
            if any(type(c).__name__ == "SentenceAdded" for c in changes):
                added.add(slug)
            budget -= len(changes)
            out.append(PendingRevision(changes, rng.choice(_SUMMARIES)))
        return out

    def _pick(self, candidates: list[Any], touched: set[str]) -> Any:
        for _ in range(8):
            fact = self.rng.choice(candidates)
            if fact.id not in touched:
                touched.add(fact.id)
                return fact
        return None

    def _one(self, record: Any, candidates: list[Any], touched: set[str], added: bool, budget: int) -> list[Any]:
        """The changes of one revision of ``record``, as ``archive append`` would make them (dates read from the text)."""
        from archive.ingest import editing  # noqa: PLC0415
        from archive.ingest.dates import find_when  # noqa: PLC0415
        from events.errors import ArchiveError  # noqa: PLC0415
        from events.model import FactRetracted, InfoboxRevised, SentenceRevised  # noqa: PLC0415

        rng = self.rng
        if not candidates:
            return []
        cite = rng.choice(self.sources)
        roll = rng.random()
        first = candidates[0].when
        year = first.start_year() if first is not None else 2000
        place = rng.choice(_PLACES)[0]
        slug = record.slug

        def revised(fact: Any) -> Any:
            text = self._edit(fact.text, year, place)
            return SentenceRevised(record=slug, fact=fact.id, text=text, when=find_when(text, year_hint=year), sources=cite)

        try:
            if roll < 0.10 and budget >= 4:
                picked = [f for f in (self._pick(candidates, touched) for _ in range(rng.randint(2, 4))) if f is not None]
                return [revised(f) for f in picked]
            if roll < 0.50:
                fact = self._pick(candidates, touched)
                return [] if fact is None else [revised(fact)]
            if roll < 0.72 and not added:
                holder = rng.choice(candidates)
                text = _sentence(rng, year, place)
                changes = editing.add_sentence(
                    record, section=None, text=text, when=find_when(text, year_hint=year), paragraph=holder.id, sources=cite
                )
                if holder.id in touched or changes[-1].after in touched:
                    return []
                touched.update({holder.id, changes[-1].after})
                return changes
            if roll < 0.86:
                fact = self._pick(candidates, touched)
                reason = rng.choice((None, "Not borne out by later reports", "Source withdrawn", "Doublon supprimé"))
                return [] if fact is None else [FactRetracted(record=slug, fact=fact.id, reason=reason, sources=cite)]
            key, value = rng.choice(
                (
                    ("Casualties", f"{rng.randrange(10, 9000):,} killed, {rng.randrange(10, 9000):,} wounded"),
                    ("Displaced", f"{rng.randrange(1000, 300_000):,}"),
                    ("Civilian deaths", f"{rng.randrange(0, 5000):,}"),
                    ("Result", rng.choice(_RESULTS)),
                )
            )
            field = next((f for f in record.visible_infobox() if f.key == key), None)
            if field is None or field.id in touched:
                return []
            touched.add(field.id)
            return [InfoboxRevised(record=slug, fact=field.id, value=value, sources=cite)]
        except (ArchiveError, ValueError):  # pydantic's ValidationError is a ValueError
            return []

    def _edit(self, text: str, year: int, place: str) -> str:
        """A new version of a sentence: a figure or a date changed, a clause added, or new words."""
        rng = self.rng
        words = text.split(" ")
        if len(text) > 160 or rng.random() < 0.4:
            return _sentence(rng, year, place)
        figures = [i for i, w in enumerate(words) if "," in w.rstrip(",.") and w.rstrip(",.").replace(",", "").isdigit()]
        if figures and rng.random() < 0.5:
            i = rng.choice(figures)
            words[i] = "".join(str(rng.randrange(1, 10)) if ch.isdigit() else ch for ch in words[i])
            return " ".join(words)
        return f"{text.rstrip('.')}, {rng.choice(('according to', 'as reported by', 'confirmed by'))} {rng.choice(_PUBLISHERS)}."


# ------------------------------------------------------------------ generation


def _plan(events: int) -> tuple[int, int]:
    """How many ``append_revisions`` calls, and how many articles in all."""
    calls = max(3, min(24, events // 25_000))
    articles = max(1, round(events * _IMPORT_SHARE / _FACTS_PER_RECORD))
    return calls, articles


def generate(
    root: Path,
    events: int,
    *,
    seed: int = SEED,
    jobs: int | None = None,
    say: Callable[[str], None] = print,
) -> Corpus:
    """Make an archive of ``events`` events in ``root`` (which must not exist) and return its manifest."""
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415
    from archive.store.folder import init_archive  # noqa: PLC0415

    if events < 1000:
        raise SystemExit("--events must be at least 1000 (records of about 200 facts, then revisions)")
    started = time.perf_counter()
    calls, articles = _plan(events)
    per_call = [articles // calls + (1 if i < articles % calls else 0) for i in range(calls)]
    archive = init_archive(root)
    jobs = jobs or os.cpu_count() or 1
    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None
    editor = _Editor(random.Random(f"{seed}-revisions"), _revision_sources(seed))
    focus = article_text(_FOCUS, seed)[0]
    written = 0
    made: list[Any] = []
    next_index = 0
    base = datetime(2024, 1, 1, tzinfo=UTC)

    def batch(call: int) -> Any:
        jobs_ = [(next_index + i, seed) for i in range(per_call[call])] if call < calls else []
        if pool is None:
            return _Ready([_import_changes(job) for job in jobs_])
        return pool.map_async(_import_changes, jobs_, chunksize=2)

    try:
        pending = batch(0)
        call = 0
        while written < events and call < calls + 5:
            imports = pending.get() if pending is not None else []
            next_index += len(imports)
            pending = batch(call + 1) if call + 1 < calls else None
            left = events - written - sum(len(changes) for _, changes in imports)
            later = sum(per_call[call + 1 :]) * _FACTS_PER_RECORD
            if call == 0:
                budget = 0
            elif call >= calls - 1:
                budget = left
            else:
                budget = max(0, left - later) // (calls - call)
            order = random.Random(f"{seed}-call-{call}")

            def build(state: Any, imports: list[Any] = imports, budget: int = budget, order: random.Random = order) -> list[Any]:
                out: list[Any] = editor.revisions(state, budget, focus if focus in state.records else None)
                for slug, changes in imports:  # spread among the edits of existing records
                    out.insert(order.randrange(len(out) + 1), PendingRevision(changes, f"Import {slug}.txt"))
                return out

            at = base + timedelta(hours=6 * call)
            revisions = append_revisions(archive, build, by=_AUTHORS[call % len(_AUTHORS)], clock=lambda at=at: at)
            written += sum(r.events for r in revisions)
            made.extend(revisions)
            call += 1
            rate = written / (time.perf_counter() - started)
            say(
                f"  {written:,} / {events:,} events ({written / events:.0%}), call {call}/{calls}: "
                f"{len(revisions):,} revisions; {time.perf_counter() - started:.0f} s, ~{(events - written) / rate:.0f} s left"
            )
    finally:
        if pool is not None:
            pool.terminate()
    return _manifest(archive, time.perf_counter() - started, focus, seed, made)


class _Ready:
    """A finished batch, shaped like ``AsyncResult`` for the single-process path."""

    def __init__(self, value: list[Any]) -> None:
        self.value = value

    def get(self) -> list[Any]:
        return self.value


def _manifest(archive: Archive, seconds: float, focus: str, seed: int, made: list[Any]) -> Corpus:
    """The manifest of the corpus ``made`` (every revision written, in order), without reading the log again."""
    created = next(r.rev for r in made if focus in r.records)
    revisions = made[-1].rev
    return Corpus(
        root=str(archive.root),
        events=sum(r.events for r in made),
        revisions=revisions,
        records=sum(1 for r in made if r.first_seq and r.records and _is_import(r)),
        bytes=archive.log.stat().st_size,
        hash=_last_line_hash(archive.log) or "",
        seconds=round(seconds, 1),
        record=focus,
        created=created,
        middle=max(created + 1, revisions // 2),
        seed=seed,
    )


def _is_import(revision: Any) -> bool:
    return revision.summary is not None and revision.summary.startswith("Import ")


def _last_line_hash(log: Path) -> str | None:
    import hashlib  # noqa: PLC0415

    with open(log, "rb") as file:
        size = file.seek(0, os.SEEK_END)
        step = min(size, 1 << 16)
        while True:
            file.seek(size - step)
            chunk = file.read(step)
            start = chunk.rfind(b"\n", 0, len(chunk) - 1)
            if start >= 0 or step == size:
                return hashlib.sha256(chunk[start + 1 :]).hexdigest() if chunk else None
            step = min(size, step * 2)


def _manifest_path(data: Path, events: int) -> Path:
    return data / f"corpus-{events}.json"


def load_corpus(data: Path, events: int, seed: int = SEED) -> Corpus | None:
    """The cached corpus of ``events`` events in ``data``, if its manifest is of this version and its log unchanged."""
    path = _manifest_path(data, events)
    try:
        corpus = Corpus(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    log = corpus.archive.log
    if corpus.version != VERSION or corpus.seed != seed or not log.is_file() or log.stat().st_size != corpus.bytes:
        return None
    return corpus if _last_line_hash(log) == corpus.hash else None


def ensure_corpus(
    data: Path, events: int, *, seed: int = SEED, jobs: int | None = None, say: Callable[[str], None] = print
) -> Corpus:
    """The corpus of ``events`` events in ``data``: the cached one if still valid, else made now (minutes at 1,000,000)."""
    found = load_corpus(data, events, seed)
    if found is not None:
        say(f"corpus of {found.events:,} events: {found.root} (cached; made in {found.seconds:.0f} s)")
        return found
    root = data / f"corpus-{events}"
    if root.exists():
        shutil.rmtree(root)
    data.mkdir(parents=True, exist_ok=True)
    say(f"making a corpus of {events:,} events in {root} ...")
    corpus = generate(root, events, seed=seed, jobs=jobs, say=say)
    _manifest_path(data, events).write_text(json.dumps(asdict(corpus), indent=2) + "\n")
    say(
        f"corpus of {corpus.events:,} events, {corpus.revisions:,} revisions, {corpus.records:,} records, "
        f"{corpus.bytes / 1e6:,.1f} MB made in {corpus.seconds:.0f} s"
    )
    return corpus


def ensure_articles(data: Path, count: int = 1000, *, seed: int = SEED) -> list[Path]:
    """``count`` generated article files (for the import benchmark) in ``data/articles-COUNT/``, made once."""
    folder = data / f"articles-{count}"
    marker = folder / ".complete"
    if marker.is_file() and marker.read_text().strip() == f"{VERSION} {seed}":
        return sorted(folder.glob("*.txt"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for index in range(count):
        slug, text = article_text(1_000_000 + index, seed)
        (folder / f"{slug}.txt").write_text(text, encoding="utf-8")
    marker.write_text(f"{VERSION} {seed}\n")
    return sorted(folder.glob("*.txt"))


def _iter_sizes(text: str) -> Iterator[int]:
    for part in text.split(","):
        yield int(part.replace("_", "").strip())


def main(argv: list[str] | None = None) -> int:
    """Make (or find) the corpora of the sizes asked for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default="10000", help="Events in the archive; several sizes separated by commas.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Where corpora are kept (default: benchmarks/.data/).")
    parser.add_argument("--jobs", type=int, default=None, help="Worker processes for parsing articles (default: all cores).")
    parser.add_argument("--fresh", action="store_true", help="Make the corpus again even if a valid one is cached.")
    parser.add_argument("--articles", type=int, default=0, help="Also write this many article files (the import benchmark's).")
    args = parser.parse_args(argv)
    for events in _iter_sizes(args.events):
        if args.fresh:
            _manifest_path(args.data, events).unlink(missing_ok=True)
        ensure_corpus(args.data, events, jobs=args.jobs)
    if args.articles:
        files = ensure_articles(args.data, args.articles)
        print(f"{len(files):,} article files in {files[0].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
