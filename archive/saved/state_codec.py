"""The projection state as plain JSON data, column by column, found by walking dataclass fields: no pickle.

A tree of dataclasses (``ArchiveState`` → ``RecordState`` → ``Fact`` ...) becomes one table per class,
stored as columns, one per field in declaration order; a field that holds another dataclass holds its
row number in that class's table. Frozen pydantic models (``Source``, ``When``) are stored once per
distinct value, in a table per class, and referred to by number. Datetimes become ISO 8601 text,
tuples, lists and sets arrays, ``dict[str, X]`` a pair of arrays (keys, values). Everything is planned
from the type hints, so a field added to a dataclass is saved with no change here; a type the plan
does not know makes ``Codec`` raise ``Unsupported`` when it is built, and the caller saves nothing.

Each column is packed (``archive.saved.columns``): constants, dictionary codes, binary numbers and NUL-joined
text load far faster than a million JSON values. Decoding builds each table with ``map(cls, *columns)``,
and models with ``model_construct``: their
validators ran when the log was read, and parsing a date that is not plain ISO costs milliseconds. Only plain values
(text, numbers, booleans, null) are accepted in a stored model.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import threading
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from operator import attrgetter
from typing import Any, Literal, Union

from pydantic import BaseModel

from archive.saved.columns import Blob, pack, unpack

__all__ = ["Codec", "Unsupported", "construct_model"]

_Fn = Callable[[Any], Any]
_SCALARS = (str, int, float, bool, type(None))


class Unsupported(TypeError):
    """A field's type that the codec cannot store faithfully."""


@dataclasses.dataclass(slots=True)
class _Plan:
    """How values of one type hint are encoded and decoded; ``None``: stored as they are."""

    encode: _Fn | None
    decode: _Fn | None


@dataclasses.dataclass(slots=True)
class _Ref(_Plan):
    """A value stored in a table and referred to by its row number; decoding is a list lookup."""

    immutable: bool = False
    """Shared safely by several owners (frozen models, tuples of them)."""


class _Tuples:
    """The distinct tuples of one kind of model, each stored once as a list of model numbers."""

    def __init__(self, item: _Ref) -> None:
        self.item = item
        self.rows: list[list[int]] = []
        self.seen: dict[tuple[int, ...], int] = {}
        self.decoded: list[Any] = []

    def ref(self, value: tuple[Any, ...]) -> int:
        """The number of ``value``, added on first sight."""
        key = tuple(map(self.item.encode, value))  # type: ignore[arg-type]
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = len(self.rows)
            self.rows.append(list(key))
        return found

    def clear(self) -> None:
        self.rows, self.seen, self.decoded[:] = [], {}, []


class _Table:
    """One dataclass: its fields' plans, and its rows while encoding or decoding."""

    def __init__(self, cls: type, names: tuple[str, ...]) -> None:
        self.cls = cls
        self.names = names
        self.plans: list[_Plan] = []
        self.get = _getter(names)
        self.rows: list[tuple[Any, ...]] = []
        self.index: dict[int, int] = {}
        self.alive: list[Any] = []
        self.decoded: list[Any] = []

    def ref(self, obj: Any) -> int:
        """The row of ``obj``, added on first sight."""
        found = self.index.get(id(obj))
        if found is None:
            found = self.index[id(obj)] = len(self.rows)
            self.rows.append(self.get(obj))
            self.alive.append(obj)  # keeps its id from being reused while encoding
        return found

    def clear(self) -> None:
        self.rows, self.index, self.alive, self.decoded[:] = [], {}, [], []


class _Models:
    """The distinct values of one frozen pydantic model class."""

    def __init__(self, cls: type[BaseModel]) -> None:
        self.cls = cls
        self.rows: list[BaseModel] = []
        self.seen: dict[Any, int] = {}
        self.alive: list[BaseModel] = []
        self.decoded: list[BaseModel] = []

    def ref(self, model: BaseModel) -> int:
        """The number of ``model``'s value, added on first sight."""
        found = self.seen.get(id(model))
        if found is None:
            values = tuple(model.__dict__.values())  # plain values only: checked when the codec was built
            found = self.seen.get(values)
            if found is None:
                found = self.seen[values] = len(self.rows)
                self.rows.append(model)
            self.seen[id(model)] = found
            self.alive.append(model)
        return found

    def clear(self) -> None:
        self.rows, self.seen, self.alive, self.decoded[:] = [], {}, [], []


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class Codec:
    """Encodes and decodes a tree of dataclasses whose root is ``root``; one call at a time (a lock)."""

    def __init__(self, root: type) -> None:
        if not dataclasses.is_dataclass(root):
            raise Unsupported(f"{root!r} is not a dataclass")
        self.root = root
        self._tables: dict[type, _Table] = {}
        self._models: dict[type[BaseModel], _Models] = {}
        self._tuples: dict[Any, _Tuples] = {}
        self._lock = threading.Lock()
        self._plan_class(root)
        self.order = self._parents_first()
        """The dataclasses, each after every class that refers to it."""

    # ----------------------------------------------------------------- planning

    def _plan_class(self, cls: type) -> _Table:
        table = self._tables.get(cls)
        if table is not None:
            return table
        fields = dataclasses.fields(cls)
        for f in fields:
            if not f.init or f.kw_only:
                raise Unsupported(f"{_name(cls)}.{f.name}: fields must be positional __init__ arguments")
        table = self._tables[cls] = _Table(cls, tuple(f.name for f in fields))
        hints = typing.get_type_hints(cls)
        table.plans = [self._plan(hints[f.name], f"{_name(cls)}.{f.name}") for f in fields]
        return table

    def _plan(self, hint: Any, where: str) -> _Plan:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if _plain(hint):
            return _Plan(None, None)
        if origin in (Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            if len(rest) != 1 or len(args) != 2:
                raise Unsupported(f"{where}: a union other than X | None")
            inner = self._plan(rest[0], where)
            enc, dec = inner.encode or _same, inner.decode or _same
            if isinstance(inner, _Ref):  # None is stored as -1, the last item of the decoded list
                return _Plan(lambda v: -1 if v is None else enc(v), inner.decode)
            return _Plan(lambda v: None if v is None else enc(v), lambda v: None if v is None else dec(v))
        if hint is datetime:
            return _Plan(datetime.isoformat, datetime.fromisoformat)
        if origin in (tuple, list, set, frozenset):
            if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
                raise Unsupported(f"{where}: only tuple[X, ...] is supported")
            item = self._plan(args[0], where)
            make: Any = origin
            if origin is tuple and isinstance(item, _Ref) and item.immutable:
                return self._interned_tuple(hint, item)
            if item.encode is None and item.decode is None:
                return _Plan(list if origin in (set, frozenset) else None, None if origin is list else make)
            enc, dec = item.encode or _same, item.decode or _same
            return _Plan(lambda v: list(map(enc, v)), lambda v: make(map(dec, v)))
        if origin is dict:
            if args[0] is not str:
                raise Unsupported(f"{where}: dict keys must be text")
            value = self._plan(args[1], where)
            if value.encode is None and value.decode is None:
                return _Plan(lambda v: [list(v), list(v.values())], lambda v: dict(zip(v[0], v[1], strict=True)))
            enc, dec = value.encode or _same, value.decode or _same
            return _Plan(lambda v: [list(v), list(map(enc, v.values()))], lambda v: dict(zip(v[0], map(dec, v[1]), strict=True)))
        if isinstance(hint, type) and issubclass(hint, BaseModel):
            models = self._models.get(hint)
            if models is None:
                for name, info in hint.model_fields.items():
                    if not _plain(info.annotation):
                        raise Unsupported(f"{where}: {hint.__name__}.{name} does not hold a plain value")
                models = self._models[hint] = _Models(hint)
            return _Ref(models.ref, models.decoded.__getitem__, immutable=True)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            table = self._plan_class(hint)
            return _Ref(table.ref, table.decoded.__getitem__, immutable=False)
        raise Unsupported(f"{where}: type {hint!r} is not supported")

    def _interned_tuple(self, hint: Any, item: _Ref) -> _Ref:
        """A tuple of models is stored once per distinct tuple: facts share a few combinations of sources."""
        store = self._tuples.get(hint)
        if store is None:
            store = self._tuples[hint] = _Tuples(item)
        return _Ref(store.ref, store.decoded.__getitem__, immutable=True)

    def _parents_first(self) -> list[type]:
        parents: dict[type, set[type]] = {cls: set() for cls in self._tables}
        for cls in self._tables:
            for hint in typing.get_type_hints(cls).values():
                for other in self._tables:
                    if _mentions(hint, other):
                        if other is cls:
                            raise Unsupported(f"{_name(cls)} refers to itself")
                        parents[other].add(cls)
        order: list[type] = []
        while parents:
            ready = [cls for cls, of in parents.items() if not (of & parents.keys())]
            if not ready:
                raise Unsupported("the dataclasses refer to each other in a cycle")
            for cls in ready:
                order.append(cls)
                del parents[cls]
        return order

    def schema(self) -> dict[str, list[str]]:
        """Every stored class with its fields and their types: data made with another schema is not read."""
        out: dict[str, list[str]] = {}
        for cls, table in self._tables.items():
            hints = typing.get_type_hints(cls)
            out[_name(cls)] = [f"{name}: {hints[name]!r}" for name in table.names]
        for model in self._models:
            out[_name(model)] = [f"{name}: {_bare(info.annotation)!r}" for name, info in model.model_fields.items()]
        return out

    @contextmanager
    def _session(self) -> Iterator[None]:
        """One call at a time; the collector paused (millions of new objects would trigger it again and again)."""
        with self._lock:
            enabled = gc.isenabled()
            gc.disable()
            try:
                yield
            finally:
                for store in (*self._tables.values(), *self._models.values(), *self._tuples.values()):
                    store.clear()
                if enabled:
                    gc.enable()

    # ----------------------------------------------------------------- encoding

    def encode(self, root: Any) -> tuple[dict[str, Any], bytes]:
        """Plain data (dicts, lists, text, numbers, booleans, null) for ``root``, ready for orjson, and the
        bytes its packed columns point into."""
        if type(root) is not self.root:
            raise TypeError(f"expected a {self.root.__name__}")
        blob = Blob()
        with self._session():
            self._tables[self.root].ref(root)
            tables: dict[str, Any] = {}
            for cls in self.order:
                table = self._tables[cls]
                columns: list[Any] = [list(column) for column in zip(*table.rows, strict=True)] or [[] for _ in table.names]
                for i, plan in enumerate(table.plans):
                    if plan.encode is not None:
                        columns[i] = list(map(plan.encode, columns[i]))
                tables[_name(cls)] = {"rows": len(table.rows), "columns": [pack(column, blob) for column in columns]}
            models = {_name(cls): [m.model_dump(mode="json") for m in store.rows] for cls, store in self._models.items()}
            tuples = {repr(hint): store.rows for hint, store in self._tuples.items()}
        return {"tables": tables, "models": models, "tuples": tuples}, bytes(blob.data)

    # ----------------------------------------------------------------- decoding

    def decode(self, data: dict[str, Any], blob: bytes | memoryview) -> Any:
        """The root back from ``encode``'s data and bytes; raises ValueError, KeyError, IndexError or TypeError
        if they do not fit."""
        view = memoryview(blob)
        with self._session():
            for cls, store in self._models.items():
                store.decoded[:] = [construct_model(cls, item) for item in data["models"].get(_name(cls), [])]
                store.decoded.append(None)  # what -1 means
            for hint, tuples in self._tuples.items():
                decode = tuples.item.decode
                tuples.decoded[:] = [tuple(map(decode, row)) for row in data["tuples"].get(repr(hint), [])]  # type: ignore[arg-type]
                tuples.decoded.append(None)
            for cls in reversed(self.order):
                table = self._tables[cls]
                stored = data["tables"][_name(cls)]
                rows = stored["rows"]
                columns = [unpack(column, view) for column in stored["columns"]]
                if not isinstance(rows, int) or len(columns) != len(table.names) or any(len(c) != rows for c in columns):
                    raise ValueError(f"the stored table of {cls.__name__} does not fit its fields")
                for i, plan in enumerate(table.plans):
                    if plan.decode is not None:
                        columns[i] = list(map(plan.decode, columns[i]))
                table.decoded[:] = map(cls, *columns) if table.names else [cls() for _ in range(rows)]
                table.decoded.append(None)
            roots = self._tables[self.root].decoded
            if len(roots) != 2:
                raise ValueError("the data holds no single root")
            return roots[0]


def _plain(hint: Any) -> bool:
    """Text, a number, a boolean, None, a Literal of those, or a union of them."""
    origin = typing.get_origin(hint)
    if hint in _SCALARS:
        return True
    if origin is Literal:
        return all(isinstance(a, _SCALARS) for a in typing.get_args(hint))
    if origin in (Union, types.UnionType):
        return all(_plain(a) for a in typing.get_args(hint))
    if origin is typing.Annotated:  # a plain value with constraints (validators, patterns)
        return _plain(typing.get_args(hint)[0])
    return False


def _bare(hint: Any) -> Any:
    """``hint`` without ``Annotated`` metadata (validators print with their address, which differs per process)."""
    if typing.get_origin(hint) is typing.Annotated:
        return _bare(typing.get_args(hint)[0])
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (Union, types.UnionType):
        return Union[tuple(_bare(a) for a in args)]  # noqa: UP007 - built from a tuple
    return hint


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    if not names:
        return lambda _obj: ()
    return attrgetter(*names)


def construct_model(model: type[BaseModel], data: Any) -> BaseModel:
    """The model holding ``data`` (plain values written by ``encode``), without validating it again.

    As ``model_construct`` builds it, minus what the stored models never use (aliases, default factories,
    extra or private attributes): a tenth of the time, which counts when a record of 200 facts is read
    for one append.
    """
    defaults, required = _defaults(model)
    if type(data) is not dict or not data.keys() <= model.model_fields.keys() or not required <= data.keys():
        raise ValueError(f"a stored {model.__name__} has unknown fields, or lacks one")
    values = {**defaults, **data}
    for value in data.values():
        if type(value) not in _SCALARS:
            raise ValueError(f"a stored {model.__name__} holds a value that is not plain")
    obj = model.__new__(model)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(data))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


@functools.cache
def _defaults(model: type[BaseModel]) -> tuple[dict[str, Any], frozenset[str]]:
    """A model's default values, in field order, and the names of its required fields."""
    fields = model.model_fields
    if any(info.default_factory is not None for info in fields.values()):
        raise Unsupported(f"{model.__name__}: a stored model's defaults must be plain values")
    required = frozenset(name for name, info in fields.items() if info.is_required())
    return {name: None if name in required else info.default for name, info in fields.items()}, required


def _same(value: Any) -> Any:
    return value


def _mentions(hint: Any, cls: type) -> bool:
    return hint is cls or any(_mentions(a, cls) for a in typing.get_args(hint))
