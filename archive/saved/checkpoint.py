"""Checkpoints: the projection state saved in ``.archive/`` at a known place in the log, so reading starts there.

A checkpoint is one file, ``.archive/checkpoint``, written atomically (temporary file, then rename):

- a first line of JSON, the header: ``format``, the ``code`` and ``schema`` fingerprints of the program
  that made it, the ``tail`` it covers (byte ``offset``, ``seq``, ``rev`` and ``hash`` of the last line),
  and the sizes and CRC-32 of the parts that follow;
- the first 8 bytes of the SHA-256 of every line it covers, so that a rewritten log can be told at
  which line it changed;
- the state as JSON (orjson), column by column (``archive.saved.state_codec``), then the bytes its packed
  columns point into: plain data, never pickle, since loading a pickle runs code and archives live on
  shared folders.

A checkpoint is used only if the log still holds the prefix it covers: the file is at least ``offset``
bytes long and the line that ends there hashes to ``hash``. Otherwise it is discarded with a warning and
the whole log is replayed. One made by another version of the program is ignored. Commands write one
after reading at least ``CHECKPOINT_EVERY`` events past the last; ``ARCHIVE_NO_CHECKPOINT=1`` turns
them off (neither read nor written).
"""

from __future__ import annotations

import gc
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson

from archive.saved.fingerprint import fingerprints
from archive.saved.state_codec import Codec, Unsupported
from archive.store.collector import paused_gc
from archive.store.folder import Archive, open_log
from archive.store.log import LogReader, fold
from archive.store.tail import Tail, covers
from projections.state import ArchiveState

__all__ = [
    "CHECKPOINT_EVERY",
    "FORMAT",
    "Loaded",
    "all_keys",
    "checkpoint_path",
    "covers",
    "first_changed_line",
    "line_key",
    "load",
    "load_state",
    "open_reader",
    "save_checkpoint",
]

FORMAT = 2
"""The layout of the checkpoint file; a file of another format is ignored."""
CHECKPOINT_EVERY = 1000
"""Write a checkpoint after reading at least this many events past the last one (or from line 1)."""
KEY_SIZE = 8
"""Bytes of each line's SHA-256 kept to find the first changed line."""
_NAME = "checkpoint"
_OFF = "ARCHIVE_NO_CHECKPOINT"

Warn = Callable[[str], None]


@dataclass(slots=True)
class Loaded:
    """The state read from a checkpoint and the log, and where it stands in the log."""

    state: ArchiveState
    tail: Tail | None
    """Where the whole revisions read end; None when reading stopped at ``until`` before the end."""
    lines: bytearray
    """``line_key`` of lines 1 .. ``state.seq - 1``; the last line's full hash is ``tail.hash``."""
    replayed: int
    """Events read from the log (past the checkpoint, if one was used)."""
    start: Tail | None
    """The tail of the checkpoint it started from; None: from line 1."""


def checkpoint_path(archive: Archive) -> Path:
    """Where the archive's checkpoint lives."""
    return archive.state_dir / _NAME


def line_key(hash_hex: str) -> bytes:
    """The first ``KEY_SIZE`` bytes of a line's SHA-256 (given in hex)."""
    return bytes.fromhex(hash_hex[: KEY_SIZE * 2])


def load_state(
    archive: Archive, *, until: int | None = None, warn: Warn | None = None, progress: Callable[[int], None] | None = None
) -> tuple[ArchiveState, Tail | None]:
    """Like ``archive.store.folder.log.replay``, from the checkpoint when it holds: the state up to ``until`` (all when None),
    and the log's tail when it was read to the end."""
    loaded = load(archive, until=until, warn=warn, progress=progress)
    return loaded.state, loaded.tail


def load(
    archive: Archive,
    *,
    until: int | None = None,
    warn: Warn | None = None,
    progress: Callable[[int], None] | None = None,
    save: bool = True,
    warn_torn: bool = True,
    name_changed_line: bool = True,
) -> Loaded:
    """The state from the checkpoint (when valid and not past ``until``) plus the log after it.

    Saves a new checkpoint when ``save`` and at least ``CHECKPOINT_EVERY`` events were read to the end.
    ``warn_torn=False`` keeps quiet about an unfinished revision at the end (an append being written);
    ``name_changed_line=False`` leaves naming the first rewritten line to the caller. Raises DamagedLog
    as ``replay`` does.
    """
    enabled = not os.environ.get(_OFF)
    saved, stale = _read(archive, warn, until) if enabled else (None, None)
    state, lines, start = (saved.state, saved.lines, saved.tail) if saved is not None else (ArchiveState(), bytearray(), None)
    reader = open_reader(archive, start=start, warn=warn if warn_torn else None)
    replayed = 0
    tail: Tail | None = None
    with paused_gc():
        for events in reader.fields():
            if until is not None and events[0]["rev"] > until:
                break
            fold(state, events, reader.name)
            lines += b"".join(bytes.fromhex(e["prev"][: KEY_SIZE * 2]) for e in events if e["seq"] > 1)
            replayed += len(events)
            if progress is not None:
                progress(len(events))
        else:
            tail = reader.tail
    if stale is not None and tail is not None and warn is not None and name_changed_line:
        changed = first_changed_line(stale, all_keys(lines, tail))
        if changed is not None:
            warn(f"History was rewritten: {archive.log.name}:{changed} is not the line it was when the checkpoint was made.")
    if enabled and save and tail is not None and replayed >= CHECKPOINT_EVERY:
        _save_quietly(archive, state, tail, lines, warn)
    return Loaded(state, tail, lines, replayed, start)


def open_reader(archive: Archive, *, start: Tail | None = None, warn: Warn | None = None) -> LogReader:
    """A reader of the log from ``start``, checking the head witness of the last append when there is one."""
    return LogReader(open_log(archive), warn=warn, start=start)


def all_keys(lines: bytes, tail: Tail) -> bytes:
    """The ``line_key`` of every line up to ``tail``, given those of all but the last."""
    return bytes(lines) + line_key(tail.hash) if tail.seq else b""


# --------------------------------------------------------------------- the prefix check


def first_changed_line(old: bytes, new: bytes) -> int | None:
    """The number of the first line whose key differs between two runs of ``line_key``s (lines 1..n each),
    or that ``new`` lacks; None when ``old`` is a prefix of ``new`` (nothing changed, lines were added)."""
    common = min(len(old), len(new)) // KEY_SIZE
    if old[: common * KEY_SIZE] == new[: common * KEY_SIZE]:
        return None if len(old) <= len(new) else common + 1
    low, high = 0, common  # the first low lines are equal; the first high lines are not
    while high - low > 1:
        mid = (low + high) // 2
        if old[: mid * KEY_SIZE] == new[: mid * KEY_SIZE]:
            low = mid
        else:
            high = mid
    return high


# --------------------------------------------------------------------- reading and writing


@dataclass(slots=True)
class _Saved:
    state: ArchiveState
    tail: Tail
    lines: bytearray


@cache
def _codec() -> Codec:
    return Codec(ArchiveState)


def _read(archive: Archive, warn: Warn | None, until: int | None = None) -> tuple[_Saved | None, bytes | None]:
    """The checkpoint when it can be used (for a read up to ``until``); else None, and the line keys it had when
    the log's prefix changed."""
    path = checkpoint_path(archive)
    shown = f"{archive.state_dir.name}/{_NAME}"
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed below, on every path
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        _say(warn, f"Cannot read {shown} ({exc.strerror}); replaying the whole log.")
        return None, None
    with file:
        try:
            header = orjson.loads(file.readline(1 << 16))
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                return None, None  # another layout: written by another version of the program
            code, schema = fingerprints()
            if header.get("code") != code or header.get("schema") != schema:
                return None, None  # made by another version of the program
            tail = Tail(**{key: header["tail"][key] for key in ("offset", "seq", "rev", "hash")})
            if until is not None and until < tail.rev:
                return None, None  # an earlier revision than the checkpoint: only line 1 comes before it
            lines_size, body_size, blob_size = int(header["lines"]), int(header["body"]), int(header["blob"])
            if lines_size != tail.seq * KEY_SIZE:
                raise ValueError("the line keys do not match the tail")
            if not open_log(archive).holds(tail):
                stale = file.read(lines_size)
                _say(
                    warn,
                    f"{shown} no longer matches {archive.log.name}: its line {tail.seq} (ending at byte {tail.offset}) "
                    "changed or is gone. Discarding the checkpoint and replaying the whole log.",
                )
                _discard(path)
                return None, stale if len(stale) == lines_size else None
            lines = bytearray(file.read(lines_size))
            body = file.read(body_size)
            blob = file.read(blob_size + 1)
            if len(lines) != lines_size or len(body) != body_size or len(blob) != blob_size:
                raise ValueError("it is cut short, or longer than it says")
            if zlib.crc32(blob, zlib.crc32(body)) != header["crc"]:
                raise ValueError("its checksum does not match")
            with _collector_paused():
                data = orjson.loads(body)
            state = _codec().decode(data, blob)
            if state.seq != tail.seq or state.head != tail.rev:
                raise ValueError("its state is not at its tail")
        except (ValueError, KeyError, IndexError, TypeError, Unsupported) as exc:
            _say(warn, f"{shown} is damaged ({exc}); discarding it and replaying the whole log.")
            _discard(path)
            return None, None
    del lines[-KEY_SIZE:]  # the last line's key: its full hash is the tail's
    return _Saved(state, tail, lines), None


def save_checkpoint(archive: Archive, state: ArchiveState, tail: Tail, lines: bytes) -> bool:
    """Save ``state``, which covers the log up to ``tail``, atomically; False if the state cannot be stored.

    ``lines`` holds ``line_key`` of lines 1 .. ``tail.seq - 1``. Raises OSError if the file cannot be written.
    """
    if state.seq != tail.seq or state.head != tail.rev or len(lines) != max(tail.seq - 1, 0) * KEY_SIZE:
        raise ValueError("the state, its tail and its line keys do not agree")
    try:
        data, blob = _codec().encode(state)
        body = orjson.dumps(data)
        code, schema = fingerprints()
    except (Unsupported, TypeError):
        return False
    keys = all_keys(lines, tail)
    header = {
        "format": FORMAT,
        "code": code,
        "schema": schema,
        "tail": {"offset": tail.offset, "seq": tail.seq, "rev": tail.rev, "hash": tail.hash},
        "lines": len(keys),
        "body": len(body),
        "blob": len(blob),
        "crc": zlib.crc32(blob, zlib.crc32(body)),
    }
    archive.state_dir.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=archive.state_dir, prefix=f".{_NAME}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps(header) + b"\n")
            out.write(keys)
            out.write(body)
            out.write(blob)
        os.replace(tmp, checkpoint_path(archive))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing makes millions of objects that all live on: the collector would walk them again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _save_quietly(archive: Archive, state: ArchiveState, tail: Tail, lines: bytes, warn: Warn | None) -> None:
    try:
        save_checkpoint(archive, state, tail, lines)
    except OSError as exc:
        _say(
            warn,
            f"Cannot save a checkpoint in {archive.state_dir} ({exc.strerror or exc}); the next command replays the log again.",
        )


def _discard(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def _say(warn: Warn | None, message: str) -> None:
    if warn is not None:
        warn(message)
