"""One file per record in ``.archive/records/``: that record's state at a known line of the log, so that
``show`` and ``append`` read one record and the lines after it, never the whole log or the whole state.

- ``.archive/records/<slug>.state``: a header line of JSON (``format``, the program's ``code``
  fingerprint, ``slug``, and the ``seq``, end ``offset`` and ``hash`` of the last log line the state
  covers), then the record's state as compact JSON (``archive.saved.record_codec``).
- ``.archive/records.json``: the ``tail`` (offset, seq, rev, hash of the last line) up to which every
  record's file is complete, and the stamp of the revision that ends there.

Invariant, kept by writing only under the append lock: every event of a record up to the tail is in its
file. An append writes the log (fsynced) first, then the files of the records it touched, then
``records.json``; a crash in between leaves a file ahead of the tail, which its own ``seq`` tells. A
reader checks that the log still holds the tail's line and each file's line (their hashes), then folds
only the wanted records' events after the tail. Anything that does not fit (another program version, a
rewritten log, a damaged file) makes ``load`` return None: the caller falls back to the checkpoint and
the whole log, and rebuilds these files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

from archive.saved.fingerprint import code_fingerprint
from archive.saved.record_codec import decode_record, encode_record
from archive.store import faults
from archive.store.collector import paused_gc
from archive.store.folder import Archive, open_log
from archive.store.tail import Tail
from events.errors import ArchiveError
from projections.fold import apply_fields_of
from projections.state import ArchiveState, RecordState, Revision

__all__ = ["Partial", "complete_at", "load_records", "rebuild_if_free", "write_records"]

FORMAT = 2
_DIR = "records"
_TAIL = "records.json"
_SUFFIX = ".state"
_OFF = "ARCHIVE_NO_CHECKPOINT"

Warn = Callable[[str], None]


@dataclass(slots=True)
class Partial:
    """Some records at the end of the log: ``state`` holds them (those that exist), the last revision's
    stamp, and ``seq``; ``tail`` is where the whole revisions of the log end."""

    state: ArchiveState
    tail: Tail
    base: Tail
    """The tail the files were complete at: the files of records not loaded are valid up to here."""
    refolded: set[str] = field(default_factory=set)
    files: dict[str, int] = field(default_factory=dict)
    """The position of each record's file as ``records.json`` listed it (handed to ``write_records``)."""
    """Records whose state was folded past ``base`` (with ``folding_all``): their files must be written with the new tail."""


def _enabled() -> bool:
    return not os.environ.get(_OFF)


def _folder(archive: Archive) -> Path:
    return archive.state_dir / _DIR


def _tail_of(data: dict[str, object]) -> Tail:
    return Tail(int(data["offset"]), int(data["seq"]), int(data["rev"]), str(data["hash"]))  # type: ignore[arg-type]


def _read_file(path: Path, slug: str) -> tuple[RecordState, Tail] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    end = raw.index(b"\n")
    header = orjson.loads(raw[:end])
    if header["format"] != FORMAT or header["code"] != code_fingerprint() or header["slug"] != slug:
        raise ValueError("made by another version")
    body = raw[end + 1 :]
    if len(body) != header["body"] or zlib.crc32(body) != header["crc"]:
        raise ValueError("cut short or damaged")
    return decode_record(body), _tail_of(header)


def complete_at(archive: Archive) -> Tail | None:
    """The tail up to which the record files are complete, as ``records.json`` says (not checked)."""
    try:
        meta = orjson.loads((archive.state_dir / _TAIL).read_bytes())
        return _tail_of(meta["tail"]) if meta["format"] == FORMAT and meta["code"] == code_fingerprint() else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_records(
    archive: Archive, slugs: Collection[str], *, warn: Warn | None = None, folding_all: bool = False
) -> Partial | None:
    """Records ``slugs`` (those that exist) as they stand at the end of the log, from their files and the
    lines after the tail; None when the files cannot be used (then load the whole state).

    Nothing is taken on trust: ``records.json``'s tail is used only if the log holds that line with that
    hash; each file only if its own position is the one ``records.json`` lists for it (or a later line the
    log holds: a crash between the file and ``records.json``); the head witness is checked on every path.
    With ``folding_all`` (an append, which then moves the tail forward), every record a line after the
    tail touches is loaded and folded too, and named in ``Partial.refolded``, so that no record's file is
    ever moved past a line it has not folded.

    Raises DamagedLog when the lines after the tail are damaged, or the witness disagrees, as any reader does.
    """
    if not _enabled():
        return None
    log = open_log(archive)
    try:
        meta = orjson.loads((archive.state_dir / _TAIL).read_bytes())
        if meta["format"] != FORMAT or meta["code"] != code_fingerprint():
            return None
        base = _tail_of(meta["tail"])
        last = meta["last"]
        files: dict[str, int] = meta["files"]
        if not log.holds(base):
            return None
        records: dict[str, RecordState] = {}
        done: dict[str, int] = {}
        kept = _take_kept(archive, base)

        def take(slug: str) -> bool:
            """Load ``slug``'s state into ``records`` and ``done``; False if its file cannot be trusted."""
            if slug in kept:
                records[slug], done[slug] = kept[slug], base.seq
                return True
            listed = files.get(slug)
            found = _read_file(_folder(archive) / f"{slug}{_SUFFIX}", slug)
            if found is None:
                if listed is not None:
                    return False  # records.json lists a file that is gone
                done[slug] = 0  # no file: the record did not exist at the tail; it may be created after it
                return True
            record, mark = found
            if mark.seq != listed and not (mark.seq > base.seq and log.holds(mark)):
                return False  # an older (or foreign) file put back, or one records.json does not vouch for
            records[slug], done[slug] = record, mark.seq
            return True

        if not all(take(slug) for slug in slugs):
            return None
        stamp = Revision(
            rev=last["rev"],
            at=datetime.fromisoformat(last["at"]),
            by=last["by"],
            summary=last["summary"],
            events=last["events"],
            records=tuple(last["records"]),
            first_seq=last["first_seq"],
        ) if last is not None else None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
    state = ArchiveState(records=records, revisions=[stamp] if stamp is not None and base.seq else [], seq=base.seq)
    head = log.witness()
    try:
        at_end = log.size() == base.offset
    except (OSError, ArchiveError):
        return None
    if at_end and (head is None or head.seq < base.seq or (head.seq == base.seq and head.hash == base.hash)):
        return Partial(state, base, base, files=files)  # nothing after the tail, and the witness agrees: no need to read the log
    from archive.store.log import LogReader  # noqa: PLC0415 - only when there are lines to read (show stays light)

    reader = LogReader(log, start=base, warn=warn, head=head)
    refolded: set[str] = set()
    with paused_gc():
        for events in reader.fields(only=None if folding_all else done):
            if folding_all:
                for slug in {event["record"] for event in events} - done.keys():
                    if not take(slug):
                        return None
                    refolded.add(slug)
            try:
                apply_fields_of(state, events, done)
            except ArchiveError:
                return None  # the full load names the damage
    assert reader.tail is not None
    if folding_all:
        refolded |= {slug for slug in done if slug in state.records}
    return Partial(state, reader.tail, base, refolded, files)


def write_records(
    archive: Archive,
    state: ArchiveState,
    tail: Tail,
    slugs: Iterable[str] | None = None,
    *,
    warn: Warn | None = None,
    listed: dict[str, int] | None = None,
) -> None:
    """Save the files of records ``slugs`` (every record when None, and drop files of records ``state``
    does not hold), then mark them complete up to ``tail``. ``state`` must stand at ``tail``; call under the
    append lock. Failures only warn: the files are a cache."""
    if not _enabled() or state.seq != tail.seq:
        return
    folder = _folder(archive)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        names = state.records if slugs is None else [s for s in slugs if s in state.records]
        for slug in names:
            _write_file(folder, state.records[slug], tail)
        if slugs is None:
            for stale in folder.glob(f"*{_SUFFIX}"):
                if stale.name[: -len(_SUFFIX)] not in state.records:
                    stale.unlink(missing_ok=True)
        last = state.revisions[-1] if state.revisions else None
        listed = (dict(listed) if listed is not None else _listed(archive)) if slugs is not None else {}
        listed.update({slug: tail.seq for slug in names})
        meta = {
            "format": FORMAT,
            "code": code_fingerprint(),
            "tail": {"offset": tail.offset, "seq": tail.seq, "rev": tail.rev, "hash": tail.hash},
            "files": {slug: seq for slug, seq in listed.items() if slug in state.records or slugs is not None},
            "last": None
            if last is None
            else {
                "rev": last.rev,
                "at": last.at.isoformat(),
                "by": last.by,
                "summary": last.summary,
                "events": last.events,
                "records": list(last.records),
                "first_seq": last.first_seq,
            },
        }
        _replace(archive.state_dir / _TAIL, orjson.dumps(meta))
        faults.point("after-saved-write")
        if slugs is not None:
            _KEPT[archive.state_dir] = (tail, {slug: state.records[slug] for slug in names})
    except (OSError, TypeError) as exc:
        if warn is not None:
            warn(f"Could not save the record files in {folder} ({exc}); show and append will read more of the log.")


def _listed(archive: Archive) -> dict[str, int]:
    """The position of each record's file, as ``records.json`` lists it (empty when it cannot be read)."""
    try:
        meta = orjson.loads((archive.state_dir / _TAIL).read_bytes())
        return dict(meta["files"]) if meta.get("format") == FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


_KEPT: dict[Path, tuple[Tail, dict[str, RecordState]]] = {}
"""Per archive, the records this process last wrote files of, as they stood at the tail it wrote: a
process that appends again finds them here instead of reading and decoding their files."""


def _take_kept(archive: Archive, base: Tail) -> dict[str, RecordState]:
    """The records kept for ``archive`` if they stand at ``base`` (records.json has not moved since this
    process wrote it: no other writer has written files since); handed over, not shared."""
    kept = _KEPT.pop(archive.state_dir, None)
    if kept is None:
        return {}
    tail, records = kept
    same = (tail.offset, tail.seq, tail.hash) == (base.offset, base.seq, base.hash)
    return records if same else {}


def _write_file(folder: Path, record: RecordState, tail: Tail) -> None:
    body = encode_record(record)
    header = {
        "format": FORMAT,
        "code": code_fingerprint(),
        "slug": record.slug,
        "offset": tail.offset,
        "seq": tail.seq,
        "rev": tail.rev,
        "hash": tail.hash,
        "body": len(body),
        "crc": zlib.crc32(body),
    }
    _replace(folder / f"{record.slug}{_SUFFIX}", orjson.dumps(header) + b"\n" + body)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a cache: no fsync; a torn or stale file is detected and rebuilt)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        faults.point("saved-write")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a failed write leaves no temporary file behind
        raise


def rebuild_if_free(archive: Archive, state: ArchiveState, tail: Tail, warn: Warn | None = None) -> None:
    """Write every record's file from a full ``state`` standing at ``tail``, if the append lock is free and
    the log has not moved on; skip quietly otherwise (the next reader will). Takes the lock as
    ``archive.store.folder.log.locked`` does, without waiting, and without importing the log's module (``show``)."""
    if not _enabled():
        return
    with contextlib.suppress(OSError, ArchiveError), open(archive.lock_file, "a+b") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        try:
            if open_log(archive).size() == tail.offset:
                write_records(archive, state, tail, warn=warn)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
