"""Infobox keys compared as people read them: two keys that are the same text in different Unicode normal forms
(NFC and NFD) are one key. The bytes a key was written with are kept for rendering."""

from __future__ import annotations

import unicodedata

from projections.state import Fact, RecordState

__all__ = ["form_of", "key_form", "normal_form_note", "shown_field"]


def key_form(key: str) -> str:
    """The form keys are compared in: NFC."""
    return unicodedata.normalize("NFC", key)


def shown_field(record: RecordState, key: str) -> Fact | None:
    """The shown claim of the field whose key is ``key`` read as text (in NFC), if any: the same bytes first."""
    fields = record.visible_infobox()
    exact = next((f for f in fields if f.key == key), None)
    if exact is not None:
        return exact
    wanted = key_form(key)
    return next((f for f in fields if key_form(f.key) == wanted), None)


def normal_form_note(given: str, held: str) -> str:
    """Words for a key written in another normal form than ``held``: ``''`` when the bytes are the same."""
    if given == held:
        return ""
    return f", there in {form_of(held)}, here in {form_of(given)}: the same text in another Unicode normal form"


def form_of(key: str) -> str:
    """``NFC`` or ``NFD`` (both for text without combining marks: ``NFC``), else ``mixed``."""
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, key):
            return form
    return "mixed"
