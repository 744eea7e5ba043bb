"""The program's fingerprints, which saved states carry: a state made by other code is not used."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import orjson

from archive.state_codec import Codec
from projections.state import ArchiveState

__all__ = ["fingerprints"]


@cache
def fingerprints() -> tuple[str, str]:
    """The program's fingerprints: its event and projection code, and the stored classes' fields."""
    import events  # noqa: PLC0415
    import projections  # noqa: PLC0415

    code = hashlib.sha256()
    for package in (events, projections):
        folder = Path(package.__file__).parent  # type: ignore[arg-type]
        for path in sorted(folder.glob("*.py")):
            code.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    schema = hashlib.sha256(orjson.dumps(Codec(ArchiveState).schema(), option=orjson.OPT_SORT_KEYS)).hexdigest()
    return code.hexdigest(), schema
