"""A proof bundle (``archive prove``): log lines, their inclusion proofs and the signed checkpoint they are proven
against; and its check, which needs nothing but the bundle and the archive's public key."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from archive.store.merkle import ProofError, leaf_hash, verify_inclusion
from archive.store.notes import Checkpoint, NoteError, Verifier, open_checkpoint
from events.errors import InvalidInput

__all__ = ["BUNDLE_FORMAT", "Bundle", "ProvenLine", "check_bundle", "describe"]

BUNDLE_FORMAT = "fact-archive proof v1"

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ProvenLine(BaseModel):
    """One log line and the path from its leaf to the checkpoint's root."""

    model_config = _FROZEN

    seq: int = Field(ge=1)
    """Its line number (its leaf is number ``seq - 1``)."""
    line: str
    """The line's exact text, without its newline."""
    proof: tuple[str, ...]
    """The RFC 9162 inclusion path, base64 hashes, nearest the leaf first."""


class Bundle(BaseModel):
    """What ``archive prove`` writes."""

    model_config = _FROZEN

    format: str
    """``fact-archive proof v1``."""
    record: str
    """The record the lines are of."""
    fact: str | None = None
    """The fact they are of, when one was asked for."""
    rev: int
    """The revision of the view: every line is of this revision or an earlier one."""
    checkpoint: str
    """The signed checkpoint note the proofs lead to."""
    lines: tuple[ProvenLine, ...]


def _refuse(name: str, message: str) -> InvalidInput:
    return InvalidInput(f"{name}: {message}", hint="The bundle was changed, or is of another log: it proves nothing.")


def check_bundle(raw: bytes, verifier: Verifier, name: str) -> tuple[Bundle, Checkpoint, list[dict[str, object]]]:
    """Check every part of a bundle: the checkpoint's signature, each line's inclusion proof, and that each line is of
    the record (and fact) and revision it claims. Returns the bundle, its checkpoint and the decoded lines."""
    try:
        bundle = Bundle.model_validate_json(raw)
    except ValidationError as exc:
        raise _refuse(name, f"not a proof bundle ({exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}).") from exc
    if bundle.format != BUNDLE_FORMAT:
        raise _refuse(name, f"format {bundle.format!r}, expected {BUNDLE_FORMAT!r}.")
    try:
        checkpoint = open_checkpoint(bundle.checkpoint, verifier)
    except NoteError as exc:
        raise _refuse(name, f"its checkpoint: {exc}") from exc
    if not bundle.lines:
        raise _refuse(name, "it holds no line.")
    decoded: list[dict[str, object]] = []
    for proven in bundle.lines:
        data = proven.line.encode() + b"\n"
        try:
            path = [base64.b64decode(step, validate=True) for step in proven.proof]
            verify_inclusion(leaf_hash(data), proven.seq - 1, checkpoint.size, path, checkpoint.root)
        except (ProofError, binascii.Error) as exc:
            raise _refuse(name, f"line {proven.seq} is not in the log the checkpoint signs ({exc}).") from exc
        try:
            event = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise _refuse(name, f"line {proven.seq} is not JSON.") from exc
        if not isinstance(event, dict) or event.get("seq") != proven.seq:
            raise _refuse(name, f"line {proven.seq} does not carry seq {proven.seq}.")
        if event.get("record") != bundle.record or not isinstance(event.get("rev"), int) or event["rev"] > bundle.rev:
            raise _refuse(name, f"line {proven.seq} is not of record {bundle.record} at or before revision {bundle.rev}.")
        if bundle.fact is not None and event.get("fact") != bundle.fact:
            raise _refuse(name, f"line {proven.seq} is not of fact {bundle.fact}.")
        decoded.append(event)
    return bundle, checkpoint, decoded


def _quote(text: str, limit: int = 120) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def describe(bundle: Bundle, checkpoint: Checkpoint, events: list[dict[str, object]]) -> str:
    """What a checked bundle proves, in one sentence."""
    signed = checkpoint.extension("time")
    when = ""
    if signed is not None:
        try:
            when = " on " + datetime.fromisoformat(signed.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")
        except ValueError:
            when = ""
    log = f"in the log of {checkpoint.size:,} lines signed by {checkpoint.origin}{when}"
    if bundle.fact is not None:
        last = events[-1]
        text = last.get("text", last.get("value"))
        if str(last.get("type", "")).endswith("retracted"):
            said = f"was retracted at revision {last['rev']}"
        elif isinstance(text, str):
            said = f"read {_quote(text)} at revision {bundle.rev} (as of revision {last['rev']}, by {last.get('by')})"
        else:
            said = f"was last changed at revision {last['rev']} ({last.get('type')})"
        return f"{bundle.fact} of {bundle.record} {said}, {log}.\n"
    revs = sorted({int(str(e["rev"])) for e in events})
    return (
        f"The {len(events):,} lines of record {bundle.record} up to revision {bundle.rev} "
        f"(revisions {revs[0]}-{revs[-1]}) are {log}.\n"
    )
