"""Pausing Python's cyclic garbage collector while a fold builds many objects that all stay alive."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Keep the cyclic garbage collector still while a fold builds many objects that all stay alive.

    A fold makes millions of objects and frees almost none; every collection would walk all of them
    again (most of a large replay's time). Reference counting still frees what is dropped. Before the
    collector runs again, what was made moves to the oldest generation (``freeze`` then ``unfreeze``:
    two list splices), or the first young collection would walk all of it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()
