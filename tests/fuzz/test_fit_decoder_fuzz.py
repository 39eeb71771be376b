"""Hypothesis fuzzing of the FIT decoder with structurally plausible streams.

The strategy writes what a FIT file is made of (a header, definition messages with fields of
any number, size and base type, developer fields, normal and compressed-timestamp data
messages, chained files) and fills the data with random bytes, often with plausible times.
``hypothesis.target`` steers the search towards streams that decode many records, where the
numpy gathers and the timestamp expansion do their work.

Asserted: the fast decoder returns or declines (``FitDeclined``), ``read_fit`` returns sound
activities or raises ``ReadError``, and where the fast decoder reads a stream without damage
and fitparse reads it too, both give the same values field for field.

``CALFGUARD_FUZZ_EXAMPLES`` raises the number of examples (and lets Hypothesis pick new ones
each run instead of the fixed default set).
"""

from __future__ import annotations

import os
import struct
import tracemalloc
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st

from analyzer.errors import FitDeclined, ReadError
from analyzer.readers import fit_decoder, fit_fitparse, fit_reader
from analyzer.readers.fit_crc import crc16
from analyzer.readers.fit_decoder import PROFILE, FitFile, decode
from analyzer.readers.fit_fitparse import decode_with_fitparse
from analyzer.readers.fit_reader import read_fit
from tests.fuzz.mutate import assert_sound

_EXAMPLES = int(os.environ.get("CALFGUARD_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXAMPLES or 100,
    derandomize=not _EXAMPLES,  # the default run is the same every time: no flaky CI
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Base type -> item size; 0x07 is a string, 0x99 and 0xFF are not FIT types at all.
BASE_SIZES = {
    0x00: 1, 0x01: 1, 0x02: 1, 0x07: 1, 0x0A: 1, 0x0D: 1, 0x83: 2, 0x84: 2, 0x8B: 2,
    0x85: 4, 0x86: 4, 0x88: 4, 0x8C: 4, 0x89: 8, 0x8E: 8, 0x8F: 8, 0x90: 8, 0x99: 1, 0xFF: 1,
}  # fmt: skip
FIT_EPOCH = 631_065_600
PLAUSIBLE_START = 1_714_543_200 - FIT_EPOCH  # 2024-05-01 in FIT seconds
FILE_ID, RECORD, TIMESTAMP = 0, 20, 253
MESSAGE_NUMBERS = [*PROFILE, RECORD, RECORD, RECORD, 206, 207, 78, 0xFF00]
#: fitparse splits chained files at each file_id, so the differential writes just the first.
CLEAN_NUMBERS = [n for n in MESSAGE_NUMBERS if n != FILE_ID]


def _profile_types() -> dict[tuple[int, int], tuple[int, int]]:
    """(message, field) -> (base type, size) as the FIT profile (fitparse's copy) declares."""
    from fitparse.profile import MESSAGE_TYPES

    types: dict[tuple[int, int], tuple[int, int]] = {}
    for num, (_, spec) in PROFILE.items():
        for number in [*spec, TIMESTAMP]:
            profile_field = MESSAGE_TYPES[num].fields.get(number)
            if profile_field is None:
                continue
            base = getattr(profile_field.type, "base_type", profile_field.type)
            types[num, number] = (base.identifier, BASE_SIZES[base.identifier])
    types[RECORD, 8] = (0x0D, 3)  # compressed_speed_distance: three bytes
    return types


PROFILE_TYPES = _profile_types()


@dataclass(slots=True)
class _Local:
    global_num: int
    big_endian: bool
    fields: list[tuple[int, int, int]]  # (number, size, base type)
    size: int  # data bytes, developer fields included


@dataclass(slots=True)
class _Stream:
    out: bytearray = field(default_factory=bytearray)
    locals: dict[int, _Local] = field(default_factory=dict)
    time: int = PLAUSIBLE_START
    timed: bool = False  # a full timestamp was written: compressed ones count from it


@st.composite
def field_definitions(draw: st.DrawFn, global_num: int, clean: bool) -> list[tuple[int, int, int]]:
    """Fields of one definition: mostly the profile's fields with the profile's types, some
    with other types, sizes and numbers. ``clean`` keeps to one field per number, as the spec
    says (with repeats the fast decoder keeps the last value, the fallback the last valid one)
    and to sizes that are whole values of the type."""
    known = sorted(PROFILE.get(global_num, ("", {}))[1])
    fields: list[tuple[int, int, int]] = []
    if (global_num, TIMESTAMP) in PROFILE_TYPES and draw(st.integers(0, 4)):
        fields.append((TIMESTAMP, 4, 0x86))
    for _ in range(draw(st.integers(0, 10))):
        if known and draw(st.integers(0, 4)):
            number = draw(st.sampled_from(known))
        else:
            number = draw(st.integers(0, 255))
        typed = PROFILE_TYPES.get((global_num, number))
        if typed is not None and draw(st.integers(0, 5)):
            base, size = typed
            size *= 2 if draw(st.integers(0, 8)) == 0 else 1  # an array: the first value counts
        else:
            base = draw(st.sampled_from(sorted(BASE_SIZES)))
            item = BASE_SIZES[base]
            size = draw(st.sampled_from([item, item, 2 * item]) | st.integers(0, 16))
            if clean and (size == 0 or size % item):
                size = item
        if clean and any(number == seen for seen, _, _ in fields):
            continue
        fields.append((number, size, base))
    return draw(st.permutations(fields))


@st.composite
def fit_files(draw: st.DrawFn, clean: bool = False) -> bytes:
    """One FIT file; ``clean`` keeps to what the FIT spec allows (for the differential)."""
    stream = _Stream()
    if draw(st.integers(0, 4)):  # most start as recordings do: file_id, then records
        _file_id(draw, stream)
        _definition(draw, stream, clean, global_num=RECORD)
    for _ in range(draw(st.integers(1, 80))):
        if not stream.locals or draw(st.integers(0, 7)) == 0:
            _definition(draw, stream, clean)
        else:
            _data(draw, stream, clean)
    return _wrap(draw, bytes(stream.out), clean)


def _file_id(draw: st.DrawFn, stream: _Stream) -> None:
    file_type = draw(st.sampled_from([4, 4, 4, 4, 0xFF, 1, 6]))  # 4: activity
    local = draw(st.integers(0, 3))
    stream.out += bytes([0x40 | local, 0, 0, 0, 0, 4])
    stream.out += bytes([0, 1, 0x00, 1, 2, 0x84, 2, 2, 0x84, 4, 4, 0x86])
    product = draw(st.integers(0, 0xFFFF))
    stream.out += struct.pack("<BBHHI", local, file_type, 1, product, stream.time)


def _definition(
    draw: st.DrawFn, stream: _Stream, clean: bool, global_num: int | None = None
) -> None:
    local = draw(st.integers(0, 3 if clean else 15))
    if global_num is None:
        global_num = draw(st.sampled_from(CLEAN_NUMBERS if clean else MESSAGE_NUMBERS))
    arch = draw(st.sampled_from([0, 1]) if clean else st.sampled_from([0, 1, 1, 2, 255]))
    fields = draw(field_definitions(global_num, clean))
    dev_fields = st.tuples(st.integers(0, 255), st.integers(0, 8), st.integers(0, 3))
    dev = [] if clean else draw(st.lists(dev_fields, max_size=3))
    has_dev = bool(dev) or (not clean and draw(st.integers(0, 7)) == 0)
    endian = ">" if arch == 1 else "<"
    out = stream.out
    out.append(0x40 | (0x20 if has_dev else 0) | local)
    out += bytes([0, arch]) + struct.pack(endian + "H", global_num) + bytes([len(fields)])
    for number, size, base in fields:
        out += bytes([number, size, base])
    size = sum(size for _, size, _ in fields)
    if has_dev:
        out.append(len(dev))
        for number, dev_size, index in dev:
            out += bytes([number, dev_size, index])
        size += sum(dev_size for _, dev_size, _ in dev)
    stream.locals[local] = _Local(global_num, arch == 1, fields, size)


def _data(draw: st.DrawFn, stream: _Stream, clean: bool) -> None:
    records = [n for n, d in stream.locals.items() if d.global_num == RECORD]
    if records and draw(st.integers(0, 4)):
        local = draw(st.sampled_from(records))  # files are mostly records
    else:
        local = draw(st.sampled_from(sorted(stream.locals)))
    if not clean and draw(st.integers(0, 40)) == 0:
        local = draw(st.integers(0, 15))  # perhaps never defined
    definition = stream.locals.get(local)
    # Without a full timestamp before it a compressed one is undefined: fitparse counts from
    # 0 (1989-12-31), the fast decoder leaves it NaN. Only the robustness tests go there.
    # A compressed header on a message that has a timestamp field as well is contradictory:
    # fitparse rolls the field's value forward, the fast decoder the last full timestamp's.
    own_time = definition is not None and any(f[0] == TIMESTAMP for f in definition.fields)
    compressed = (
        local < 4
        and (not clean or (stream.timed and not own_time))
        and draw(st.integers(0, 3)) == 0
    )
    if compressed:
        stream.time += draw(st.integers(0, 40))
        stream.out.append(0x80 | local << 5 | (stream.time & 0x1F))
    else:
        stream.out.append(local)
    if definition is None:
        return
    body = bytearray()
    endian = ">" if definition.big_endian else "<"
    for number, size, base in definition.fields:
        if (
            number == TIMESTAMP
            and size == 4
            and base in (0x86, 0x85, 0x8C)
            and draw(st.integers(0, 6))
        ):
            stream.time += draw(st.integers(-2, 40))
            body += struct.pack(endian + "I", stream.time & 0xFFFFFFFF)
            stream.timed = True
        elif draw(st.integers(0, 4)) == 0:
            body += b"\xff" * size  # the invalid value of most types
        else:
            body += draw(st.binary(min_size=size, max_size=size))
    rest = definition.size - len(body)  # developer fields
    body += draw(st.binary(min_size=rest, max_size=rest))
    stream.out += body


def _wrap(draw: st.DrawFn, messages: bytes, clean: bool) -> bytes:
    header_size = draw(st.sampled_from([12, 14]))
    protocols = [0x10, 0x20] if clean else [0x10, 0x20, 0x30]
    protocol = draw(st.sampled_from(protocols))
    data_size = len(messages)
    if not clean:
        data_size = draw(
            st.sampled_from([data_size] * 6 + [0, data_size + 5, max(0, data_size - 3)])
        )
    header = bytes([header_size, protocol]) + struct.pack("<HI", 2132, data_size) + b".FIT"
    if header_size == 14:
        header += struct.pack("<H", crc16(header))
    body = header + messages
    data = body + struct.pack("<H", crc16(body))
    if not clean and draw(st.integers(0, 6)) == 0:
        data += draw(fit_files(clean=True))  # a chained file
    if not clean and draw(st.integers(0, 6)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def _n_records(decoded: FitFile) -> int:
    return sum(len(next(iter(part.get("record", {"": []}).values()), [])) for part in decoded.parts)


def _assert_well_formed(decoded: FitFile) -> None:
    for part in decoded.parts:
        for message, columns in part.items():
            lengths = {name: values.shape for name, values in columns.items()}
            assert len(set(lengths.values())) <= 1, (message, lengths)
            for name, values in columns.items():
                assert values.dtype == np.float64 and values.ndim == 1, (message, name)


@FUZZ
@given(fit_files())
def test_the_decoder_returns_or_declines(data: bytes) -> None:
    try:
        decoded = decode(data)
    except FitDeclined as exc:
        assert exc.reason
        event("declined")
        target(0.0, label="records decoded")
        return
    event("decoded with damage" if decoded.damage else "decoded")
    _assert_well_formed(decoded)
    target(float(_n_records(decoded)), label="records decoded")


@FUZZ
@given(fit_files())
def test_read_fit_returns_activities_or_a_reason(data: bytes) -> None:
    try:
        activities = read_fit(data, "fuzz.fit")
    except ReadError as exc:
        assert exc.reason
        event("ReadError")
        return
    event("activities")
    assert_sound(activities)
    target(float(sum(len(a.samples) for a in activities)), label="samples read")


def assert_same_fields(ours: FitFile, oracle: FitFile) -> None:
    assert len(ours.parts) == len(oracle.parts)
    for mine, theirs in zip(ours.parts, oracle.parts, strict=True):
        for message in sorted(set(mine) | set(theirs)):
            a_cols, b_cols = mine.get(message, {}), theirs.get(message, {})
            n_a = len(next(iter(a_cols.values()), ()))
            n_b = len(next(iter(b_cols.values()), ()))
            if not a_cols or not b_cols:
                # A message with no field either decoder keeps is absent from one of them.
                assert not any(np.isfinite(v).any() for v in (*a_cols.values(), *b_cols.values()))
                continue
            assert n_a == n_b, message
            for name in sorted(set(a_cols) | set(b_cols)):
                a = a_cols.get(name, np.full(n_a, np.nan))
                b = b_cols.get(name, np.full(n_b, np.nan))
                np.testing.assert_array_equal(a, b, err_msg=f"{message}.{name}")


@FUZZ
@given(fit_files(clean=True))
def test_the_decoder_agrees_with_fitparse(data: bytes) -> None:
    try:
        ours = decode(data)
    except FitDeclined:
        event("skipped: the fast decoder declined")
        return
    if ours.damage is not None:
        event("skipped: the fast decoder found damage")
        return
    try:
        oracle = decode_with_fitparse(data, "fuzz.fit")
    except ReadError:
        event("skipped: fitparse failed")
        return
    if oracle.damage is not None:
        event("skipped: fitparse found damage")
        return
    n_records = _n_records(ours)
    event("compared, with records" if n_records else "compared, no records")
    target(float(n_records), label="records compared")
    assert_same_fields(ours, oracle)


# --- what the fuzzing found, kept as plain regression tests ----------------------------------

T_RAW = 0x40948E60  # 2024-05-01 06:00:00 UTC in FIT seconds; its low five bits are 0


def fit_stream(messages: bytes) -> bytes:
    header = bytes([12, 0x20]) + struct.pack("<HI", 2132, len(messages)) + b".FIT"
    return header + messages + struct.pack("<H", crc16(header + messages))


def definition(local: int, global_num: int, *fields: tuple[int, int, int]) -> bytes:
    out = bytes([0x40 | local, 0, 0]) + struct.pack("<H", global_num) + bytes([len(fields)])
    return out + b"".join(bytes(f) for f in fields)


def test_a_compressed_header_on_an_unused_message_moves_the_clock_on() -> None:
    """developer_data_id (207) at +15 s, then a record at offset 0: the record is at +32 s
    (the SDK's rollover from +15), not at +0 as it was when unused messages were skipped."""
    data = fit_stream(
        definition(0, RECORD, (253, 4, 0x86), (3, 1, 0x02))
        + bytes([0]) + struct.pack("<IB", T_RAW, 100)
        + definition(1, 207, (0, 1, 0x00))
        + bytes([0x80 | 1 << 5 | 15, 0xFF])
        + definition(2, RECORD, (3, 1, 0x02))
        + bytes([0x80 | 2 << 5 | 0, 101])
    )  # fmt: skip
    expected = [T_RAW, T_RAW + 32]
    np.testing.assert_array_equal(decode(data).parts[0]["record"]["timestamp"], expected)
    oracle = decode_with_fitparse(data, "x.fit").parts[0]["record"]["timestamp"]
    np.testing.assert_array_equal(oracle, expected)


def test_an_all_invalid_compressed_speed_distance_is_missing_not_41_m_s() -> None:
    data = fit_stream(
        definition(0, RECORD, (253, 4, 0x86), (8, 3, 0x0D))
        + bytes([0]) + struct.pack("<I", T_RAW) + b"\xff\xff\xff"
        + bytes([0]) + struct.pack("<I", T_RAW + 1) + b"\x2c\x01\x00"
    )  # fmt: skip
    record = decode(data).parts[0]["record"]
    np.testing.assert_array_equal(record["speed"], [np.nan, 3.0])
    assert np.isnan(record["distance"][0])
    assert_same_fields(decode(data), decode_with_fitparse(data, "x.fit"))


def test_a_timestamp_field_on_a_message_without_one_in_the_profile_is_no_error() -> None:
    """file_id has no field 253 in the profile; a stream that gives it one used to KeyError."""
    data = fit_stream(
        definition(0, 0, (253, 4, 0x86), (0, 1, 0x00)) + bytes([0]) + struct.pack("<IB", T_RAW, 4)
    )
    assert "timestamp" not in decode(data).parts[0]["file_id"]


def _one_byte_messages(n: int, global_num: int) -> bytes:
    """A record with a time, then ``n`` data messages of one byte (a definition without fields):
    128 MiB of them unzip from 121 kB."""
    return fit_stream(
        definition(0, RECORD, (253, 4, 0x86))
        + bytes([0]) + struct.pack("<I", T_RAW)
        + definition(1, global_num)
        + bytes([1]) * n
    )  # fmt: skip


def test_unused_messages_cost_no_memory() -> None:
    """Each data message used to cost three Python ints, used or not: ~80 bytes a byte."""
    data = _one_byte_messages(200_000, global_num=999)
    tracemalloc.start()
    try:
        decoded = decode(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert decoded.damage is None
    assert peak < 2_000_000  # 200,000 messages: it was about 15 MB
    np.testing.assert_array_equal(decoded.parts[0]["record"]["timestamp"], [T_RAW])


def test_a_stream_of_endless_messages_is_cut_at_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fit_decoder, "MAX_MESSAGES", 1000)
    monkeypatch.setattr(fit_fitparse, "MAX_MESSAGES", 1000)
    data = _one_byte_messages(5000, global_num=RECORD)
    decoded = decode(data)
    assert decoded.damage is not None and "more than 1,000 messages" in decoded.damage
    (run,) = read_fit(data, "endless.fit")
    assert len(run.samples) == 1
    assert any("more than 1,000 messages" in note for note in run.notes)
    oracle = decode_with_fitparse(data, "endless.fit")
    assert oracle.damage == "stopped after 1,000 messages"


def test_a_big_file_the_fast_decoder_declines_is_not_left_to_fitparse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fitparse takes ~3 s and 17 MB per MB: past MAX_FALLBACK_BYTES the file is refused."""
    declined = fit_stream(
        definition(0, RECORD, (253, 4, 0x86), (3, 4, 0x07))  # heart rate as a string
        + b"".join(bytes([0]) + struct.pack("<I", T_RAW + i) + b"140\x00" for i in range(100))
    )
    with pytest.raises(FitDeclined):
        decode(declined)
    assert len(read_fit(declined, "small.fit")[0].samples) == 100  # fitparse reads it
    monkeypatch.setattr(fit_reader, "MAX_FALLBACK_BYTES", 500)
    with pytest.raises(ReadError, match="too large for the fitparse fallback"):
        read_fit(declined, "big.fit")
