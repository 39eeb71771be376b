"""The store's JSON codec: what goes in comes back exactly, for any value of the types."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import codec
from analyzer.metrics.summary import ActivitySummary
from analyzer.pipeline import analyze
from analyzer.rules import Severity
from tests.store.helpers import write_runs


def same(a: Any, b: Any) -> bool:
    """Exact equality: NaN equals NaN, 0.0 differs from -0.0, a tuple is not a list."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, float):
        if math.isnan(a):
            return math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    return bool(a == b)


# Start times are aware (UTC, or the fixed offset a file records); text may be any Unicode.
aware = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
) | st.builds(
    lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(-14 * 60, 14 * 60),
)
st.register_type_strategy(datetime, aware)


@settings(max_examples=150, deadline=None)
@given(st.from_type(ActivitySummary))
def test_any_summary_round_trips_exactly(summary: ActivitySummary) -> None:
    text = codec.dumps(summary)
    json.loads(text)  # strict JSON: no NaN or Infinity tokens
    assert "NaN" not in text.replace('"NaN"', "")
    back = codec.loads(ActivitySummary, text)
    assert same(summary, back)
    assert codec.dumps(back) == text


def test_real_summaries_round_trip(tmp_path: Any) -> None:
    write_runs(tmp_path, 8)
    summaries = analyze([tmp_path]).summaries
    assert len(summaries) == 8
    for summary in summaries:
        assert same(codec.loads(ActivitySummary, codec.dumps(summary)), summary)


class Colour(enum.IntEnum):
    RED = 1
    BLUE = 2


@dataclasses.dataclass(frozen=True)
class Inner:
    when: date
    colour: Colour


@dataclasses.dataclass(frozen=True)
class Outer:
    maybe: float | None
    values: tuple[float, ...]
    pair: tuple[int, str]
    names: list[str]
    table: dict[str, Inner]
    inner: Inner | None


@settings(max_examples=100, deadline=None)
@given(st.from_type(Outer))
def test_optional_floats_keep_nan_apart_from_none(value: Outer) -> None:
    assert same(codec.loads(Outer, codec.dumps(value)), value)


def test_special_floats_are_written_as_json_can_hold_them() -> None:
    value = Outer(math.nan, (math.inf, -math.inf, math.nan, -0.0), (1, "x"), [], {}, None)
    assert json.loads(codec.dumps(value))[:2] == ["NaN", ["Infinity", "-Infinity", None, -0.0]]
    assert same(codec.loads(Outer, codec.dumps(value)), value)
    assert codec.loads(Outer, codec.dumps(replace_maybe(value, None))).maybe is None


def replace_maybe(value: Outer, maybe: float | None) -> Outer:
    return dataclasses.replace(value, maybe=maybe)


def test_unsupported_types_are_refused_when_the_codec_is_built() -> None:
    @dataclasses.dataclass
    class Loose:
        anything: Any

    @dataclasses.dataclass
    class Either:
        value: int | str

    for cls in (Loose, Either):
        with pytest.raises(TypeError, match="codec"):
            codec.encoder(cls)


def test_a_wrong_shape_fails_loudly() -> None:
    text = codec.dumps(Inner(date(2026, 1, 1), Colour.RED))
    with pytest.raises(ValueError):
        codec.loads(Outer, text)


def test_layout_changes_with_the_shape() -> None:
    def shape(*fields: tuple[str, Any]) -> str:
        return codec.layout(dataclasses.make_dataclass("Shape", list(fields), frozen=True))

    base = shape(("x", float), ("y", Colour))
    assert shape(("x", float), ("y", Colour)) == base
    assert shape(("x", int), ("y", Colour)) != base  # retyped
    assert shape(("z", float), ("y", Colour)) != base  # renamed
    assert shape(("y", Colour), ("x", float)) != base  # reordered
    assert shape(("x", float), ("y", Colour), ("w", str)) != base  # grown
    assert shape(("x", float), ("y", Severity)) != base  # another enum
