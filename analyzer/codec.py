"""Frozen dataclasses <-> JSON, for the store.

Generic over type hints. A dataclass is written as a JSON array of its fields in declaration
order (compact, and about twice as fast to read back as an object keyed by name); ``layout``
describes the field names and types recursively, so a store can tell that what it holds was
written for another shape. Supported: dataclasses, ``float`` (NaN as ``null``, infinities as
the strings ``"Infinity"`` and ``"-Infinity"``), ``int``, ``str``, ``bool``, enums (their
value), ``datetime`` and ``date`` (ISO 8601), ``tuple[X, ...]``, fixed tuples, ``list[X]``,
``dict[str, X]`` / ``Mapping[str, X]``, and ``X | None`` (a NaN in an optional float is written
``"NaN"`` to stay apart from ``None``). Anything else is refused when a codec is built, not
when a value turns up.

Round trips are exact: floats keep ``repr`` precision (and the sign of zero), tuples come back
as tuples. A dataclass's converters are generated once as plain Python functions (one
expression per field) and cached: reading back 10,000 activity summaries takes a fraction of
a second.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

__all__ = ["decoder", "dumps", "encoder", "layout", "loads"]

T = TypeVar("T")
Convert = Callable[[Any], Any]

_SPECIAL = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}


def dumps(value: Any, tp: Any = None) -> str:
    """``value`` (of type ``tp``, by default its own class) as compact JSON text."""
    convert = encoder(tp if tp is not None else type(value))  # type: ignore[arg-type]
    return json.dumps(convert(value), separators=(",", ":"), allow_nan=False)


def loads(tp: type[T], text: str | bytes) -> T:
    convert: Convert = decoder(tp)  # type: ignore[arg-type]
    return convert(json.loads(text))  # type: ignore[no-any-return]


@cache
def encoder(tp: Any) -> Convert:
    """The function that turns a value of type ``tp`` into JSON-ready data."""
    return _build(tp, encode=True)


@cache
def decoder(tp: Any) -> Convert:
    """The function that turns JSON-ready data back into a value of type ``tp``."""
    return _build(tp, encode=False)


@cache
def layout(tp: Any) -> str:
    """A short digest of the shape ``tp`` is written in: changes when a field is added,
    removed, renamed, reordered or retyped anywhere inside, or an enum gains or loses a value."""
    return hashlib.blake2b(_describe(tp).encode(), digest_size=8).hexdigest()


def _describe(tp: Any) -> str:
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        inner = ",".join(f"{f.name}:{_describe(hints[f.name])}" for f in dataclasses.fields(tp))
        return f"{tp.__qualname__}({inner})"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"{tp.__qualname__}[{','.join(str(m.value) for m in tp)}]"
    args = typing.get_args(tp)
    if args:
        origin = typing.get_origin(tp)
        name = "union" if origin in (typing.Union, types.UnionType) else origin.__qualname__
        return f"{name}[{','.join('...' if a is Ellipsis else _describe(a) for a in args)}]"
    return getattr(tp, "__qualname__", repr(tp))


def _identity(value: Any) -> Any:
    return value


def _encode_float(value: float) -> float | str | None:
    if math.isfinite(value):
        return float(value)
    return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _decode_float(value: float | int | str | None) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str):
        return _SPECIAL[value]
    return float(value)


def _encode_optional_float(value: float | None) -> float | str | None:
    if value is None:
        return None
    return "NaN" if math.isnan(value) else _encode_float(value)


def _decode_optional_float(value: float | int | str | None) -> float | None:
    return None if value is None else _decode_float(value)


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _build(tp: Any, *, encode: bool) -> Convert:
    get = encoder if encode else decoder
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is float:
        return _encode_float if encode else _decode_float
    if tp in (int, str, bool, type(None)):
        return _identity
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_value if encode else tp
    if tp is datetime:
        return datetime.isoformat if encode else datetime.fromisoformat
    if tp is date:
        return date.isoformat if encode else date.fromisoformat
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp, encode=encode)
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"codec: only X | None unions are supported, not {tp}")
        if others[0] is float:
            return _encode_optional_float if encode else _decode_optional_float
        inner = get(others[0])
        return lambda v: None if v is None else inner(v)
    if origin is tuple:
        return _tuple(tp, args, encode=encode)
    if origin is list:
        item = get(args[0])
        return lambda v: [item(x) for x in v]
    if isinstance(origin, type) and issubclass(origin, Mapping):
        if args[0] is not str:
            raise TypeError(f"codec: mapping keys must be str, not {args[0]}")
        value = get(args[1])
        return lambda v: {k: value(x) for k, x in v.items()}
    raise TypeError(f"codec: unsupported type {tp!r}")


def _tuple(tp: Any, args: tuple[Any, ...], *, encode: bool) -> Convert:
    get = encoder if encode else decoder
    if len(args) == 2 and args[1] is Ellipsis:
        item = get(args[0])
        if item is _identity:
            return list if encode else tuple
        if encode:
            return lambda v: [item(x) for x in v]
        return lambda v: tuple(item(x) for x in v)
    items = [get(a) for a in args]

    def fixed(v: Any) -> Any:
        if len(v) != len(items):
            raise ValueError(f"codec: {tp} needs {len(items)} items, not {len(v)}")
        out = [f(x) for f, x in zip(items, v, strict=True)]
        return out if encode else tuple(out)

    return fixed


def _dataclass(cls: type, *, encode: bool) -> Convert:
    """A generated function: one expression per field, no loop, no per-field lookups."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"codec: {cls.__qualname__} has fields outside __init__")
    namespace: dict[str, Any] = {"_cls": cls, "_f": _decode_float}
    parts = []
    for i, f in enumerate(fields):
        tp = hints[f.name]
        convert = f"_c{i}"
        if encode:
            value = f"v.{f.name}"
            namespace[convert] = encoder(tp)
            parts.append(value if tp in (int, str, bool) else f"{convert}({value})")
            continue
        value = f"d[{i}]"
        if tp in (int, str, bool):
            parts.append(f"{f.name}={value}")
        elif tp is float:  # the common case, inline: a float stays as it is
            parts.append(f"{f.name}={value} if {value}.__class__ is float else _f({value})")
        else:
            namespace[convert] = decoder(tp)
            parts.append(f"{f.name}={convert}({value})")
    if encode:
        source = f"def convert(v):\n    return [{', '.join(parts)}]\n"
    else:
        source = (
            "def convert(d):\n"
            f"    if len(d) != {len(fields)}:\n"
            f"        raise ValueError('codec: {cls.__qualname__} needs {len(fields)} fields')\n"
            f"    return _cls({', '.join(parts)})\n"
        )
    exec(compile(source, f"<codec {cls.__qualname__}>", "exec"), namespace)
    return namespace["convert"]  # type: ignore[no-any-return]
