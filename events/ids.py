"""Names: record slugs and fact ids, their patterns and how new fact ids are made."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints

__all__ = ["FACT_ID_PATTERN", "KIND_PREFIX", "SLUG_PATTERN", "FactId", "Slug", "is_slug", "next_fact_id"]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,99}$"
"""A record's name: lower-case letters, digits and hyphens, at most 100 characters."""

FACT_ID_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"
"""A fact's id inside its record; the program makes ``s17``-style ids, a batch may name its own."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
FactId = Annotated[str, StringConstraints(pattern=FACT_ID_PATTERN)]

KIND_PREFIX: dict[str, str] = {
    "title": "t",
    "infobox": "i",
    "heading": "h",
    "sentence": "s",
    "item": "li",
}
"""The letters that begin the ids the program gives to each kind of fact."""

_SLUG = re.compile(SLUG_PATTERN)


def is_slug(value: str) -> bool:
    """Whether ``value`` may name a record."""
    return _SLUG.match(value) is not None


def next_fact_id(kind: str, counter: int) -> str:
    """The id of the ``counter``-th fact of ``kind`` in a record: ``next_fact_id("sentence", 3) == "s3"``."""
    return f"{KIND_PREFIX[kind]}{counter}"
