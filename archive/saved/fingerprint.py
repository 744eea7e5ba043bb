"""The program's fingerprints, which saved states carry: a state made by other code is not used."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import orjson

__all__ = ["code_fingerprint", "fingerprints"]

_ROOT = Path(__file__).resolve().parents[2]
_STATE_CODE = (
    "projections/state.py",
    "projections/fold.py",
    "archive/saved/state_codec.py",
    "archive/saved/columns.py",
    "archive/saved/record_codec.py",
)
"""Besides every module of ``events/`` (the vocabulary), the code that decides what a saved state holds
and how it is stored."""


@cache
def code_fingerprint() -> str:
    """SHA-256 of the code a saved state depends on: ``events/``, the state classes, the fold and the codec.

    Other code (rendering, the command line) may change without making saved states useless.
    """
    code = hashlib.sha256()
    paths = sorted((_ROOT / "events").glob("*.py")) + [_ROOT / name for name in _STATE_CODE]
    for path in paths:
        code.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return code.hexdigest()


@cache
def fingerprints() -> tuple[str, str]:
    """The code fingerprint, and one of the stored classes' fields as the codec plans them."""
    from archive.saved.state_codec import Codec  # noqa: PLC0415
    from projections.state import ArchiveState  # noqa: PLC0415

    schema = hashlib.sha256(orjson.dumps(Codec(ArchiveState).schema(), option=orjson.OPT_SORT_KEYS)).hexdigest()
    return code_fingerprint(), schema
