"""Validation in Rust: native schemas that stand in for the Python checks of the models, and the
validator that tries them first.

A Python check (``AfterValidator``) runs once per field of every line read, and at a million lines those
calls cost several times pydantic-core's own work. Each check therefore carries, as ``Native(...)``
metadata, a pydantic-core schema that accepts a *subset* of what the check accepts and returns the same
value. ``fast_validator`` builds a second validator from the models' schema in which every such check
becomes "the native schema, else the Python check" (a left-to-right union): it accepts exactly what the
models accept, runs Python only for rare values (an EDTF interval, say) and gives the same objects.
It is tried first; when it refuses a line, the models' own validator reads it again for the message
(which names the field and says what is wrong), so errors read as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, SchemaValidator, core_schema

__all__ = ["Native", "fast_schema", "fast_validator", "native_str", "one_of"]

T = TypeVar("T")

_KEY = "fact_archive.native"
"""Where ``Native`` puts its schema in a core schema's ``metadata``."""


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: a schema is a dict
class Native:
    """``Annotated`` metadata, placed after a Python check: the native schema that stands in for it.

    ``schema`` must accept only values the check accepts, and return them as the check does.
    """

    schema: CoreSchema

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """The schema of the annotations before it, marked with the native stand-in."""
        schema = handler(source)
        metadata = {**schema.get("metadata", {}), _KEY: self.schema}
        return {**schema, "metadata": metadata}  # type: ignore[return-value]


def one_of(*names: str) -> Callable[[type[T]], type[T]]:
    """Class decorator of a model whose after-validator requires one of the optional fields ``names``
    to be set: in Rust, the model is tried with each of them required (and not null) in turn."""

    def mark(cls: type[T]) -> type[T]:
        cls.__native_one_of__ = names  # type: ignore[attr-defined]
        return cls

    return mark


def native_str(pattern: str, max_length: int | None = None) -> Native:
    """A native stand-in that is a string matching ``pattern`` (in pydantic-core's Rust dialect)."""
    return Native(core_schema.str_schema(pattern=pattern, max_length=max_length))


def fast_schema(schema: CoreSchema) -> CoreSchema:
    """``schema`` with every check marked ``Native`` turned into "its native schema, else the check"."""
    return _swap(schema)  # type: ignore[no-any-return]


def fast_validator(schema: CoreSchema) -> SchemaValidator:
    """The validator of ``fast_schema(schema)``.

    pydantic-core builds a ``model`` schema of a complete model class from that class's own validator
    (its "prebuilt" one, which runs the Python checks): the classes are marked incomplete while the fast
    schema is built, so that their fields are built from it.
    """
    fast = fast_schema(schema)
    classes = _model_classes(fast)
    for cls in classes:
        cls.__pydantic_complete__ = False
    try:
        return SchemaValidator(fast)
    finally:
        for cls in classes:
            cls.__pydantic_complete__ = True


def _swap(node: Any) -> Any:
    if isinstance(node, list):
        return [_swap(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: value if key == "metadata" else _swap(value) for key, value in node.items()}
    metadata = node.get("metadata")
    native = metadata.get(_KEY) if isinstance(metadata, dict) else None
    if native is not None:
        return _first_of([native, copied])
    inner = copied.get("schema")
    names = getattr(inner.get("cls"), "__native_one_of__", None) if isinstance(inner, dict) else None
    if names and copied.get("type") == "function-after" and inner.get("type") == "model":
        return _first_of([*(_required(inner, name) for name in names), copied])
    return copied


def _first_of(choices: list[dict[str, Any]]) -> CoreSchema:
    """The first of ``choices`` that accepts; the union takes the ``ref`` a choice had (a definition)."""
    refs = [choice.pop("ref") for choice in choices if "ref" in choice]
    return core_schema.union_schema(choices, mode="left_to_right", ref=refs[0] if refs else None)  # type: ignore[arg-type]


def _required(model: dict[str, Any], name: str) -> dict[str, Any]:
    """The ``model`` schema with its optional field ``name`` required and not null."""
    fields = model["schema"]["fields"]
    optional = fields[name]["schema"]
    assert optional["type"] == "default" and optional["schema"]["type"] == "nullable", name
    field = {**fields[name], "schema": optional["schema"]["schema"]}
    return {**model, "schema": {**model["schema"], "fields": {**fields, name: field}}}


def _model_classes(node: Any) -> list[type]:
    """The complete classes of the ``model`` schemas in ``node``."""
    found: dict[type, None] = {}
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if item.get("type") == "model" and item["cls"].__dict__.get("__pydantic_complete__"):
                found[item["cls"]] = None
            stack.extend(value for key, value in item.items() if key != "metadata")
    return list(found)
