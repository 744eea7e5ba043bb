"""The pydantic models of the server's JSON API: what a write takes and what it answers (the OpenAPI document
is made from them). Read answers are the command line's JSON, byte for byte."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from events.source import Source

__all__ = ["Created", "ErrorBody", "RecordRow", "RevisionBody", "RevisionRow"]


class RevisionBody(BaseModel):
    """One revision of one record: the options of ``archive append`` by name, or ``events`` holding a batch."""

    model_config = ConfigDict(extra="forbid")

    section: str | None = Field(None, description="The heading of the section to add to (made if missing).")
    lead: bool = Field(False, description="Add to the lead, before the first heading.")
    text: str | None = Field(None, description="A sentence to add, or with `revise` the fact's new text.")
    when: str | None = Field(None, description="The date the fact is about, EDTF, optionally after a qualifier ('by 2017-09').")
    paragraph: str | None = Field(None, description="Append the sentence to the paragraph that holds this fact.")
    item: str | None = Field(None, description="A list item to add at the end of `section`.")
    infobox: str | None = Field(None, description="KEY=VALUE: set an infobox field.")
    remove_infobox: str | None = Field(None, description="KEY: remove an infobox field.")
    revise: str | None = Field(None, description="A new version of this fact (same id), with `text`.")
    retract: str | None = Field(None, description="This fact leaves the views; its history stays.")
    reason: str | None = Field(None, description="Why, with `retract`, `remove_infobox` or `prefer`.")
    move: str | None = Field(None, description="Move this fact to `section`, `lead`, `paragraph` or `after`.")
    after: str | None = Field(None, description="With `move`: place it right after this fact.")
    alternative: bool = Field(False, description="With `infobox`: another source's value, kept beside the shown one.")
    prefer: str | None = Field(None, description="Show this alternative infobox claim instead.")
    sources: list[str | Source] = Field(default_factory=list, description="URLs, citations or Source objects; required for content.")
    replace_sources: bool = Field(
        False, description="A revised fact cites only `sources` (by default it keeps the sources it had, and gains these)."
    )
    summary: str | None = Field(None, description="The edit summary.")
    expect_rev: int | None = Field(None, ge=0, description="Refuse (409) unless the archive is still at this revision.")
    events: list[dict[str, Any]] | None = Field(None, description="A batch of changes (the lines of `archive append --events`), one revision.")
    by: str | None = Field(None, description="Ignored: a revision written through the server carries the signed-in account's name.")


class Created(BaseModel):
    """What a write became."""

    rev: int = Field(description="The new revision's number.")
    record: str
    facts: list[str] = Field(description="The ids of the facts it added or changed.")
    events: int
    by: str = Field(description="The signed-in account that wrote it.")
    at: str = Field(description="When it was recorded, UTC, ISO 8601.")
    summary: str | None = None


class ErrorBody(BaseModel):
    """Why a request was refused, in the command line's words."""

    error: str
    hint: str | None = None
    field: str | None = Field(None, description="The field of the request to look at (422).")
    head: int | None = Field(None, description="The archive's revision now (409).")


class RecordRow(BaseModel):
    """One record, as `archive records --format json` lists it."""

    record: str
    title: str | None
    facts: int
    rev: int
    created: int


class RevisionRow(BaseModel):
    """One revision, as `archive log --format json` lists it."""

    rev: int
    at: str
    by: str
    summary: str | None
    events: int
    records: list[str]
