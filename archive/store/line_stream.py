"""A log port's lines as a binary stream with ``readline``: for the readers written against the file (``verify``)."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType

__all__ = ["LineStream"]


class LineStream:
    """``readline`` over an iterator of whole lines (a line never exceeds what the port allows, so ``limit``
    only matters to the file, whose reader may meet a longer one)."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = lines

    def readline(self, _limit: int = -1) -> bytes:
        """The next line, or b"" at the end."""
        return next(self._lines, b"")

    def __enter__(self) -> LineStream:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        close = getattr(self._lines, "close", None)
        if close is not None:
            close()
