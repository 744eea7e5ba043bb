"""Renders the forms a server adds to pages: the editing panel of a record (for an editor) and the sign-in page."""

from __future__ import annotations

from collections.abc import Mapping

from projections.render_html import Page, render_page
from projections.state import RecordState

__all__ = ["edit_panel", "login_page"]

_SHORT = 80


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def edit_panel(
    record: RecordState,
    *,
    user: str,
    role: str,
    csrf: str,
    failed: str | None = None,
    error: str | None = None,
    values: Mapping[str, str] | None = None,
) -> str:
    """The editing forms of a record's article page: add a sentence, revise or retract one, set an infobox field.

    ``failed`` names the form whose submission was refused: it shows ``error`` beside it and keeps ``values``.
    """
    sections = [f.text for f in record.visible_body() if f.kind == "heading"]
    facts = [(f.id, _short(f.text)) for f in record.visible_body() if f.kind == "sentence"]
    keys = list(dict.fromkeys(f.key for f in record.visible_infobox() if f.key))
    return render_page(
        "edit.html",
        user=user,
        role=role,
        csrf=csrf,
        sections=sections,
        facts=facts,
        keys=keys,
        failed=failed,
        error=error,
        values=dict(values or {}),
    )


def login_page(*, csrf: str, next_path: str, name: str = "", error: str | None = None, rev: int = 0) -> str:
    """The sign-in page: a name and a password."""
    page = Page(title="Sign in", heading="Sign in", root="/", record=None, tab=None, rev=rev)
    return render_page("login.html", page=page, csrf=csrf, next=next_path, name=name, error=error)
