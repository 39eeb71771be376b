"""The FIT walk steps over runs of same-header messages in bulk; it must give exactly what the
plain per-message walk gives (kept here as the reference) on every stream: the same definitions,
offsets, stream order, time offsets and damage, and so the same decode."""

from __future__ import annotations

import random
import struct
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import FitDeclined
from analyzer.model import Pause
from analyzer.readers import fit_decoder
from analyzer.readers.fit_decoder import PROFILE, FitFile, _Definition, _read_definition, decode
from analyzer.samplegen.fit_writer import fit_bytes, fit_multisport_bytes
from tests.factories import T0, activity, full_samples
from tests.fuzz.test_fit_decoder_fuzz import FUZZ, T_RAW, definition, fit_files, fit_stream

RECORD, HRV, UNUSED = 20, 78, 999
Walk = Callable[[bytes, int, int], tuple[list[_Definition], str | None]]
TS, HR = (253, 4, 0x86), (3, 1, 0x02)


def reference_walk(data: bytes, pos: int, end: int) -> tuple[list[_Definition], str | None]:
    """The walk as it was before runs: one Python iteration per message."""
    local: dict[int, _Definition] = {}
    tracked: list[_Definition] = []
    order = 0
    while pos < end:
        header = data[pos]
        if header & 0x80:
            local_type, time_offset = (header >> 5) & 0x03, header & 0x1F
        elif header & 0x40:
            defn, next_pos = _read_definition(data, pos, end)
            if defn is None:
                return tracked, f"truncated at byte {pos}: incomplete definition message"
            local[header & 0x0F] = defn
            if defn.fields or defn.global_num in PROFILE:
                tracked.append(defn)
                defn.tracked = True
            pos = next_pos
            continue
        else:
            local_type, time_offset = header & 0x0F, -1
        defn_or_none = local.get(local_type)
        if defn_or_none is None:
            return tracked, f"damaged at byte {pos}: local message {local_type} was never defined"
        defn = defn_or_none
        if pos + 1 + defn.size > end:
            return tracked, f"truncated at byte {pos}: the last message is incomplete"
        max_messages = fit_decoder.MAX_MESSAGES
        if order >= max_messages:
            return tracked, f"stopped at byte {pos}: more than {max_messages:,} messages"
        if time_offset >= 0 and not defn.tracked:
            tracked.append(defn)
            defn.tracked = True
        if defn.tracked:
            defn.offsets.append(pos + 1)
            defn.order.append(order)
            defn.time_offsets.append(time_offset)
        order += 1
        pos += 1 + defn.size
    return tracked, None


def arrays(defn: _Definition) -> tuple[array[int], ...]:
    return defn.offsets, defn.order, defn.time_offsets


def _as_list(values: array[int]) -> tuple[str, list[int]]:
    return values.typecode, values.tolist()


def _walk_summary(result: tuple[list[_Definition], str | None]) -> object:
    tracked, damage = result
    return damage, [
        (d.global_num, d.big_endian, d.fields, d.size, d.tracked, *map(_as_list, arrays(d)))
        for d in tracked
    ]


@contextmanager
def max_messages(n: int | None) -> Iterator[None]:
    if n is None:
        yield
    else:
        with patch.object(fit_decoder, "MAX_MESSAGES", n):
            yield


def _walk_or_reason(walk: Walk, data: bytes, start: int, end: int) -> object:
    try:
        return _walk_summary(walk(data, start, end))
    except FitDeclined as exc:
        return f"declined: {exc.reason}"


def _decode_or_reason(data: bytes) -> FitFile | str:
    try:
        return decode(data)
    except FitDeclined as exc:
        return f"declined: {exc.reason}"


def assert_walks_alike(data: bytes, limit: int | None = None) -> None:
    """Every walk the decoder makes (each chained file) and the whole decode agree."""
    start = data[0] if data and data[0] in (12, 14) else 12
    with max_messages(limit):
        for end in sorted(
            {len(data), *random.Random(len(data)).sample(range(len(data)), min(3, len(data)))}
        ):
            assert _walk_or_reason(fit_decoder._walk, data, start, end) == _walk_or_reason(
                reference_walk, data, start, end
            ), end
        new = _decode_or_reason(data)
        with patch.object(fit_decoder, "_walk", reference_walk):
            old = _decode_or_reason(data)
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return
    assert new.damage == old.damage
    assert len(new.parts) == len(old.parts)
    for new_part, old_part in zip(new.parts, old.parts, strict=True):
        assert list(new_part) == list(old_part)
        for name, columns in new_part.items():
            assert list(columns) == list(old_part[name]), name
            for column, values in columns.items():
                assert values.dtype == old_part[name][column].dtype
                np.testing.assert_array_equal(values, old_part[name][column], err_msg=column)


def _payload(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def records(n: int, local: int = 0, header: int | None = None, t0: int = T_RAW) -> bytes:
    """``n`` record messages of a timestamp and a heart rate, one second apart."""
    byte = bytes([local if header is None else header])
    return b"".join(byte + struct.pack("<IB", t0 + i, 60 + i % 100) for i in range(n))


def compressed(n: int, local: int, size: int, t0: int = T_RAW) -> bytes:
    """``n`` compressed-timestamp messages of ``size`` bytes, one second apart."""
    body = _payload(n * size, n)
    return b"".join(
        bytes([0x80 | local << 5 | (t0 + i) & 0x1F]) + body[i * size : (i + 1) * size]
        for i in range(n)
    )


def hrv(n: int, local: int = 1) -> bytes:
    """``n`` messages of a type outside the profile (hrv, 2 bytes): only stepped over."""
    return (bytes([local]) + b"\x20\x03") * n


REC_DEF = definition(0, RECORD, TS, HR)
HRV_DEF = definition(1, HRV, (0, 2, 0x84))


def test_a_long_run_of_records_is_walked_as_one_by_one() -> None:
    data = fit_stream(REC_DEF + records(5000))
    assert_walks_alike(data)
    timestamps = decode(data).parts[0]["record"]["timestamp"]
    np.testing.assert_array_equal(timestamps, T_RAW + np.arange(5000))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 80, 81, 336, 337, 4000])
def test_runs_of_every_length_around_the_probe_sizes(n: int) -> None:
    assert_walks_alike(fit_stream(REC_DEF + HRV_DEF + records(n) + hrv(n) + records(n)))


def test_interleaved_types_of_every_run_length() -> None:
    stream = REC_DEF + HRV_DEF
    for n in [*range(1, 40), *range(1, 300, 17)]:
        stream += records(n) + hrv(1 + n % 3)
    stream += (records(1) + hrv(1)) * 500  # strictly alternating
    assert_walks_alike(fit_stream(stream))


def test_untracked_runs_are_stepped_over_in_bulk() -> None:
    data = fit_stream(
        REC_DEF + records(3) + definition(1, UNUSED, (0, 5, 0x0D)) + bytes([1] + [0] * 5) * 90_000
        + records(4)
    )  # fmt: skip
    assert_walks_alike(data)
    assert len(decode(data).parts[0]["record"]["timestamp"]) == 7


@pytest.mark.parametrize("cut", [1, 2, 5, 6, 7])
def test_a_run_cut_by_a_truncated_final_message(cut: int) -> None:
    """The last record is 6 bytes: cut inside it, the walk stops there, as damage."""
    messages = REC_DEF + records(1000)
    data = fit_stream(messages)
    whole = data[: len(data) - 2]  # without the CRC
    truncated = whole[: len(whole) - 6 + cut - 1] if cut < 7 else whole
    assert_walks_alike(truncated)
    assert_walks_alike(data[: len(data) - 3])  # the CRC and one byte gone
    # The declared size ends the walk inside the run (the data goes on).
    short = bytearray(data)
    short[4:8] = struct.pack("<I", len(messages) - cut)
    assert_walks_alike(bytes(short))


@pytest.mark.parametrize("limit", [1, 2, 3, 15, 16, 17, 100, 999, 1000, 1001, 1003, 5000])
def test_a_run_crossing_max_messages(limit: int) -> None:
    data = fit_stream(REC_DEF + records(1000) + HRV_DEF + hrv(2) + compressed(3000, 0, 5))
    assert_walks_alike(data, limit=limit)
    with max_messages(limit):
        damage = decode(data).damage
    assert (damage is not None) == (limit < 4002)


def test_definitions_redefined_mid_run() -> None:
    """A redefinition of the same local type (another size, another message) ends a run."""
    stream = REC_DEF + records(50)
    stream += definition(0, RECORD, HR, TS) + b"".join(
        bytes([0, 70]) + struct.pack("<I", T_RAW + 50 + i) for i in range(50)
    )
    stream += definition(0, UNUSED, (0, 1, 0x02)) + bytes([0, 9]) * 40
    stream += definition(0, RECORD, TS) + b"".join(
        bytes([0]) + struct.pack("<I", T_RAW + 100 + i) for i in range(30)
    )
    stream += REC_DEF + records(20, t0=T_RAW + 130)
    data = fit_stream(stream)
    assert_walks_alike(data)
    timestamps = decode(data).parts[0]["record"]["timestamp"]
    np.testing.assert_array_equal(timestamps, T_RAW + np.arange(150))


def test_normal_headers_with_reserved_bits_name_the_same_local_type() -> None:
    stream = REC_DEF + records(20) + records(20, header=0x10) + records(20, header=0x20)
    stream += records(20, header=0x30) + records(20)
    assert_walks_alike(fit_stream(stream))


def test_compressed_timestamps_mixed_in() -> None:
    stream = REC_DEF + records(10) + definition(1, RECORD, HR) + compressed(200, 1, 1)
    stream += records(5) + compressed(1, 1, 1) + records(1) + compressed(70, 1, 1)
    # An unused message turns tracked at its first compressed header, mid-stream.
    stream += definition(2, UNUSED, (0, 2, 0x84)) + bytes([2, 1, 1]) * 30 + compressed(40, 2, 2)
    stream += bytes([2, 1, 1]) * 30
    stream += definition(3, UNUSED) + compressed(100, 3, 0)  # zero-byte messages
    stream += compressed(20, 1, 1, t0=T_RAW + 400)
    data = fit_stream(stream)
    assert_walks_alike(data)
    assert_walks_alike(data, limit=250)


def test_generated_files_decode_alike() -> None:
    run = activity(full_samples(3600), pauses=(Pause(T0 + 50, T0 + 80),))
    legs = [activity(full_samples(400, T0)), activity(full_samples(300, T0 + 500))]
    for data in (
        fit_bytes(run),
        fit_bytes(run, big_endian=True),
        fit_bytes(run, compressed_timestamps=True),
        fit_bytes(run, developer_fields=True),
        fit_bytes(run, legacy_speed_altitude=True),
        fit_multisport_bytes(legs, compressed_timestamps=True),
        fit_bytes(run) + fit_bytes(run, compressed_timestamps=True),
    ):
        assert_walks_alike(data)
        assert_walks_alike(data[: len(data) * 2 // 3])
        assert_walks_alike(data, limit=2500)


# --- Hypothesis: streams built of runs ------------------------------------------------------

_GLOBALS = [RECORD, RECORD, HRV, UNUSED, 0, 18, 19, 21]


@st.composite
def run_streams(draw: st.DrawFn) -> bytes:
    """Definitions (with fields of any size, some outside the profile) and runs of their
    messages, normal or compressed, long or short, then perhaps cut or given a wrong size."""
    out = bytearray(REC_DEF)
    sizes = {0: 5}
    for _ in range(draw(st.integers(1, 12))):
        local = draw(st.integers(0, 3))
        if local not in sizes or draw(st.integers(0, 3)) == 0:
            global_num = draw(st.sampled_from(_GLOBALS))
            fields = draw(
                st.lists(
                    st.sampled_from([TS, HR, (2, 2, 0x84), (0, 1, 0x00), (200, 3, 0x0D)]),
                    max_size=3,
                    unique=True,
                )
            )
            out += definition(local, global_num, *fields)
            sizes[local] = sum(size for _, size, _ in fields)
        size = sizes[local]
        n = draw(st.sampled_from([1, 1, 2, 3, 16, 17, 64, 81]) | st.integers(1, 400))
        kind = draw(st.sampled_from(["normal", "normal", "compressed", "mixed", "reserved"]))
        body = _payload(n * size, n)
        for i in range(n):
            if kind == "compressed" or (kind == "mixed" and i % 3 == 2):
                out.append(0x80 | local << 5 | (T_RAW + i) & 0x1F)
            else:
                out.append(local | (0x10 * (i % 4) if kind == "reserved" else 0))
            out += body[i * size : (i + 1) * size]
    data = fit_stream(bytes(out))
    if draw(st.integers(0, 3)) == 0:
        data = data[: draw(st.integers(12, len(data)))]
    return data


@settings(FUZZ, max_examples=150)
@given(run_streams(), st.sampled_from([None, None, 1, 5, 16, 17, 100, 333]))
def test_run_streams_walk_alike(data: bytes, limit: int | None) -> None:
    assert_walks_alike(data, limit=limit)


@FUZZ
@given(fit_files())
def test_fuzz_streams_walk_alike(data: bytes) -> None:
    assert_walks_alike(data)


def test_the_reference_keeps_arrays_of_the_walks_types() -> None:
    """The comparison above would miss an int list passed off as an array."""
    data = fit_stream(REC_DEF + records(100))
    (defn,), _ = fit_decoder._walk(data, 12, len(data) - 2)
    assert isinstance(defn.offsets, array) and defn.offsets.typecode == "q"
    assert defn.time_offsets.typecode == "b" and set(defn.time_offsets) == {-1}
