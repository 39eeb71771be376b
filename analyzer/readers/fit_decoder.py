"""The fast FIT decoder: a Python walk over message headers, then numpy gathers per field.

It decodes only the messages and fields calfguard uses (``PROFILE`` below) into ``FitMessages``:
per message name, per field name, one float64 array of physical values (the profile's scale and
offset applied, NaN for the base type's invalid value, enums as their numbers, date_time fields
as FIT seconds). The fitparse fallback produces the same structure, so one builder
(``fit_reader.py``) turns either into activities, and a differential test compares the two.

What it does not handle it declines with ``FitDeclined`` (a reason, never a guess). A stream
that breaks part way (truncated, an undefined local message) keeps every whole message before
the break, and the break is reported in ``FitFile.damage``.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np

from analyzer.errors import FitDeclined
from analyzer.model import FloatArray

#: FIT date_time counts seconds from 1989-12-31 00:00:00 UTC.
FIT_EPOCH_POSIX_S = 631065600

# Base type number -> (numpy type code, invalid raw value or None for float NaN).
_BASE_TYPES: dict[int, tuple[str, int | None]] = {
    0x00: ("u1", 0xFF),  # enum
    0x01: ("i1", 0x7F),
    0x02: ("u1", 0xFF),
    0x83: ("i2", 0x7FFF),
    0x84: ("u2", 0xFFFF),
    0x85: ("i4", 0x7FFFFFFF),
    0x86: ("u4", 0xFFFFFFFF),
    0x88: ("f4", None),
    0x89: ("f8", None),
    0x0A: ("u1", 0x00),  # uint8z
    0x8B: ("u2", 0x0000),
    0x8C: ("u4", 0x00000000),
    0x0D: ("u1", 0xFF),  # byte
    0x8E: ("i8", 0x7FFFFFFFFFFFFFFF),
    0x8F: ("u8", 0xFFFFFFFFFFFFFFFF),
    0x90: ("u8", 0x0000000000000000),
}
_STRING = 0x07


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    scale: float = 1.0
    offset: float = 0.0


# Global message number -> (message name, {field number: spec}). Numbers, scales and offsets
# are the FIT profile's (fitparse's profile.py carries the same table).
PROFILE: dict[int, tuple[str, dict[int, FieldSpec]]] = {
    0: (
        "file_id",
        {
            0: FieldSpec("type"),
            1: FieldSpec("manufacturer"),
            2: FieldSpec("product"),
            4: FieldSpec("time_created"),
        },
    ),
    12: ("sport", {0: FieldSpec("sport"), 1: FieldSpec("sub_sport")}),
    18: (
        "session",
        {
            253: FieldSpec("timestamp"),
            2: FieldSpec("start_time"),
            5: FieldSpec("sport"),
            6: FieldSpec("sub_sport"),
            7: FieldSpec("total_elapsed_time", 1000),
            8: FieldSpec("total_timer_time", 1000),
            9: FieldSpec("total_distance", 100),
            18: FieldSpec("avg_cadence"),
            22: FieldSpec("total_ascent"),
            23: FieldSpec("total_descent"),
            92: FieldSpec("avg_fractional_cadence", 128),
        },
    ),
    19: (
        "lap",
        {
            253: FieldSpec("timestamp"),
            2: FieldSpec("start_time"),
            7: FieldSpec("total_elapsed_time", 1000),
            8: FieldSpec("total_timer_time", 1000),
            9: FieldSpec("total_distance", 100),
        },
    ),
    20: (
        "record",
        {
            253: FieldSpec("timestamp"),
            0: FieldSpec("position_lat"),
            1: FieldSpec("position_long"),
            2: FieldSpec("altitude", 5, 500),
            3: FieldSpec("heart_rate"),
            4: FieldSpec("cadence"),
            5: FieldSpec("distance", 100),
            6: FieldSpec("speed", 1000),
            7: FieldSpec("power"),
            13: FieldSpec("temperature"),
            39: FieldSpec("vertical_oscillation", 10),
            41: FieldSpec("stance_time", 10),
            53: FieldSpec("fractional_cadence", 128),
            73: FieldSpec("enhanced_speed", 1000),
            78: FieldSpec("enhanced_altitude", 5, 500),
            83: FieldSpec("vertical_ratio", 100),
            84: FieldSpec("stance_time_balance", 100),
            85: FieldSpec("step_length", 10),
        },
    ),
    21: (
        "event",
        {253: FieldSpec("timestamp"), 0: FieldSpec("event"), 1: FieldSpec("event_type")},
    ),
    23: (
        "device_info",
        {
            253: FieldSpec("timestamp"),
            0: FieldSpec("device_index"),
            2: FieldSpec("manufacturer"),
            4: FieldSpec("product"),
        },
    ),
    34: (
        "activity",
        {
            253: FieldSpec("timestamp"),
            0: FieldSpec("total_timer_time", 1000),
            1: FieldSpec("num_sessions"),
            5: FieldSpec("local_timestamp"),
        },
    ),
}

#: record field 8 packs speed (12 bits, 1/100 m/s) and a rolling distance (12 bits, 1/16 m).
_COMPRESSED_SPEED_DISTANCE = 8
_RECORD = 20
_CSD_FIELD = (_RECORD, _COMPRESSED_SPEED_DISTANCE)
_TIMESTAMP = 253

#: More data messages than any recording holds (23 days at one a second): a stream is cut
#: there, as damage, so one of one-byte messages cannot cost minutes and gigabytes.
MAX_MESSAGES = 2_000_000

Columns = dict[str, FloatArray]
FitMessages = dict[str, Columns]


@dataclass(slots=True)
class _Definition:
    global_num: int
    big_endian: bool
    fields: list[tuple[int, int, int, int]]  # (field number, offset in message, size, base type)
    size: int  # bytes of one data message after its header, developer fields included
    # Per data message, kept only for definitions in the list _walk returns (8 bytes each):
    offsets: array[int] = field(default_factory=lambda: array("q"))  # where its content starts
    order: array[int] = field(default_factory=lambda: array("q"))  # its position in the stream
    time_offsets: array[int] = field(default_factory=lambda: array("b"))  # 5-bit, -1 if normal
    timestamps: FloatArray | None = None  # set when compressed timestamps had to be expanded
    tracked: bool = False  # in the list _walk returns


@dataclass(slots=True)
class FitFile:
    """One decoded FIT file; a chained file gives one part per embedded file."""

    parts: list[FitMessages]
    damage: str | None = None  # where and why the stream broke, if it did


def decode(data: bytes) -> FitFile:
    """Decodes every (chained) FIT file in ``data``; declines what it does not handle."""
    buf = np.frombuffer(data, dtype=np.uint8)
    parts: list[FitMessages] = []
    pos = 0
    damage: str | None = None
    while pos < len(data):
        if len(data) - pos < 12 and parts:
            break  # trailing padding after a complete file
        try:
            header_size, data_size = _read_header(data, pos)
        except FitDeclined as exc:
            if not parts:
                raise
            damage = f"damaged at byte {pos}: {exc.reason} where a chained file should start"
            break
        end = pos + header_size + data_size
        short = end > len(data)
        if data_size == 0 or short:
            end = len(data)  # unfinished or truncated: walk what is there
        definitions, damage = _walk(data, pos + header_size, end)
        if short and damage is None:
            damage = f"truncated: the file ends at byte {len(data)}, before its declared end"
        messages = _gather(buf, definitions)
        if messages:
            parts.append(messages)
        if damage is not None:
            break
        pos = end + 2  # skip the file CRC
    return FitFile(parts=parts, damage=damage)


def _read_header(data: bytes, pos: int) -> tuple[int, int]:
    if len(data) - pos < 12:
        raise FitDeclined("file too short for a FIT header", pos)
    header_size = data[pos]
    if header_size not in (12, 14) or data[pos + 8 : pos + 12] != b".FIT":
        raise FitDeclined("not a FIT file header", pos)
    if data[pos + 1] >> 4 > 2:
        raise FitDeclined(f"FIT protocol version {data[pos + 1] >> 4}.x is not supported", pos)
    return header_size, int.from_bytes(data[pos + 4 : pos + 8], "little")


def _walk(data: bytes, pos: int, end: int) -> tuple[list[_Definition], str | None]:
    """Walks message headers, noting where each data message of interest starts.

    Messages outside the profile are stepped over by their declared size, except that their
    timestamps are kept: a compressed timestamp counts from the last full one of any message.
    """
    local: dict[int, _Definition] = {}
    tracked: list[_Definition] = []
    order = 0
    kinds = _HEADER_KIND  # a local: looked up per message
    while pos < end:
        header = data[pos]
        if header & 0x80:  # compressed timestamp header: local type in bits 5-6
            local_type, time_offset = (header >> 5) & 0x03, header & 0x1F
        elif header & 0x40:  # definition message
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
        stride = 1 + defn.size
        if pos + stride > end:
            return tracked, f"truncated at byte {pos}: the last message is incomplete"
        if order >= MAX_MESSAGES:
            return tracked, f"stopped at byte {pos}: more than {MAX_MESSAGES:,} messages"
        if time_offset >= 0 and not defn.tracked:
            # Any message's compressed header moves the clock on, used fields or not.
            tracked.append(defn)
            defn.tracked = True
        # Four headers of a kind in a row start a run, worth the cost of stepping it in bulk.
        last = pos + 3 * stride
        if (
            last < end
            and kinds[data[pos + stride]] == kinds[header]
            and kinds[data[last - stride]] == kinds[header]
            and kinds[data[last]] == kinds[header]
        ):
            # Messages that fit whole before end and the bound, this one included.
            room = min((end - pos) // stride, MAX_MESSAGES - order)
            n = _step_run(data, defn, pos, stride, room, order)
            order += n
            pos += n * stride
            continue
        if defn.tracked:  # the others' messages are stepped over, and cost nothing
            defn.offsets.append(pos + 1)
            defn.order.append(order)
            defn.time_offsets.append(time_offset)
        order += 1
        pos += stride
    return tracked, None


# Per header byte, what makes consecutive data messages one run: the local type and whether
# the header is compressed (0-15 normal, 0x80-0x83 compressed), 0x40 for a definition message.
# Until a definition message, a header of the same kind names the same definition.
_HEADER_KIND = bytes(
    0x80 | (b >> 5) & 0x03 if b & 0x80 else 0x40 if b & 0x40 else b & 0x0F for b in range(256)
)
# Per header byte, the time offset _walk records: 5 bits if compressed, else -1 (as int8).
_TIME_OFFSET = bytes(b & 0x1F if b & 0x80 else 0xFF for b in range(256))
#: The most headers one probe of a run slices out (bounds its memory on a long run).
_MAX_PROBE = 1 << 16


def _step_run(data: bytes, defn: _Definition, pos: int, stride: int, room: int, order: int) -> int:
    """Steps over the run of data messages from ``pos`` whose headers, one every ``stride``
    bytes, are of the kind of the first, at most ``room``; records them in bulk if tracked.

    Probes grow fourfold from 16, so interleaved message types stay linear in the stream.
    Returns how many messages the run holds.
    """
    kind = _HEADER_KIND[data[pos] : data[pos] + 1]
    n = 0
    probe = 16
    while n < room:
        k = min(probe, room - n)
        start = pos + n * stride
        headers = data[start : start + (k - 1) * stride + 1 : stride]
        matched = k - len(headers.translate(_HEADER_KIND).lstrip(kind))
        if defn.tracked:
            first_offset, stop_offset = start + 1, start + 1 + matched * stride
            if matched < 8:  # numpy's call costs more than a few appends
                defn.offsets.extend(range(first_offset, stop_offset, stride))
                defn.order.extend(range(order + n, order + n + matched))
            else:
                offsets = np.arange(first_offset, stop_offset, stride, dtype=np.int64)
                defn.offsets.frombytes(offsets.tobytes())
                defn.order.frombytes(
                    np.arange(order + n, order + n + matched, dtype=np.int64).tobytes()
                )
            defn.time_offsets.frombytes(headers[:matched].translate(_TIME_OFFSET))
        n += matched
        if matched < k:
            break
        probe = min(4 * probe, _MAX_PROBE)
    return n


def _read_definition(data: bytes, pos: int, end: int) -> tuple[_Definition | None, int]:
    """Parses a definition message; keeps only the fields the profile uses (and timestamps)."""
    has_developer_fields = bool(data[pos] & 0x20)
    if pos + 6 > end:
        return None, end
    big_endian = data[pos + 2] == 1
    global_num = int.from_bytes(data[pos + 3 : pos + 5], "big" if big_endian else "little")
    n_fields = data[pos + 5]
    fields_end = pos + 6 + 3 * n_fields
    if fields_end + (1 if has_developer_fields else 0) > end:
        return None, end
    spec = PROFILE.get(global_num, ("", {}))[1]
    kept: list[tuple[int, int, int, int]] = []
    offset = 0
    for i in range(pos + 6, fields_end, 3):
        num, size, base_type = data[i], data[i + 1], data[i + 2]
        if num in spec or num == _TIMESTAMP or (global_num, num) == _CSD_FIELD:
            _check_field(global_num, num, size, base_type, pos)
            kept.append((num, offset, size, base_type))
        offset += size
    size = offset
    next_pos = fields_end
    if has_developer_fields:
        n_dev = data[fields_end]
        next_pos = fields_end + 1 + 3 * n_dev
        if next_pos > end:
            return None, end
        size += sum(data[i + 1] for i in range(fields_end + 1, next_pos, 3))
    return _Definition(global_num, big_endian, kept, size), next_pos


def _check_field(global_num: int, num: int, size: int, base_type: int, pos: int) -> None:
    """Declines a used field whose declared type or size the decoder cannot take as it is."""
    if (global_num, num) == _CSD_FIELD:
        if size != 3:
            raise FitDeclined(f"compressed_speed_distance of {size} bytes, not 3", pos)
        return
    known = _BASE_TYPES.get(base_type)
    if known is None:
        kind = "a string" if base_type == _STRING else f"base type {base_type:#x}"
        raise FitDeclined(f"message {global_num} field {num} is {kind}", pos)
    item_size = np.dtype(known[0]).itemsize
    if size == 0 or size % item_size:
        raise FitDeclined(
            f"message {global_num} field {num} has {size} bytes for {item_size}-byte values", pos
        )


def _gather(buf: np.ndarray, definitions: list[_Definition]) -> FitMessages:
    """Pulls every used field out of the recorded message offsets, one numpy gather per field."""
    # Any time offset other than -1 (0xFF): counted in C, not per message in Python.
    if any(d.time_offsets.tobytes().count(b"\xff") != len(d.time_offsets) for d in definitions):
        _expand_compressed_timestamps(buf, definitions)
    pieces: dict[str, list[tuple[np.ndarray, Columns]]] = {}
    for defn in definitions:
        if defn.global_num not in PROFILE or not defn.offsets:
            continue
        name, spec = PROFILE[defn.global_num]
        offsets = np.asarray(defn.offsets, dtype=np.int64)
        columns: Columns = {}
        for num, field_offset, size, base_type in defn.fields:
            if (defn.global_num, num) == _CSD_FIELD:
                continue  # expanded below, once the messages are in stream order
            if num not in spec:
                continue  # a timestamp the profile does not give this message (file_id)
            raw = _raw_column(buf, offsets + field_offset, size, base_type, defn.big_endian)
            columns[spec[num].name] = raw / spec[num].scale - spec[num].offset
        if defn.timestamps is not None and _TIMESTAMP in spec:
            columns["timestamp"] = defn.timestamps
        if defn.global_num == _RECORD:
            csd = next((f for f in defn.fields if f[0] == _COMPRESSED_SPEED_DISTANCE), None)
            if csd is not None:
                packed = buf[(offsets + csd[1])[:, None] + np.arange(3)].astype(np.int64)
                invalid = (packed == 0xFF).all(axis=1)  # a byte array's invalid value
                speed = (packed[:, 0] | (packed[:, 1] & 0x0F) << 8) / 100.0
                rolling = ((packed[:, 1] >> 4) | packed[:, 2] << 4).astype(float)
                speed[invalid] = rolling[invalid] = np.nan
                columns["_csd_speed"], columns["_csd_distance"] = speed, rolling
        pieces.setdefault(name, []).append((np.asarray(defn.order, dtype=np.int64), columns))
    messages = {name: _merge_in_stream_order(parts) for name, parts in pieces.items()}
    record = messages.get("record")
    if record is not None and "_csd_distance" in record:
        _expand_compressed_speed_distance(record)
    return messages


def _raw_column(
    buf: np.ndarray, starts: np.ndarray, size: int, base_type: int, big_endian: bool
) -> FloatArray:
    """The first value of a field at each start, as float64 with NaN for the invalid value."""
    code, invalid = _BASE_TYPES[base_type]
    dtype = np.dtype(code).newbyteorder(">" if big_endian else "<")
    item = dtype.itemsize
    raw = buf[starts[:, None] + np.arange(item)].view(dtype)[:, 0]
    values = raw.astype(np.float64)
    if invalid is None:
        values[~np.isfinite(values)] = np.nan
    else:
        values[raw == invalid] = np.nan
    return values


def _expand_compressed_timestamps(buf: np.ndarray, definitions: list[_Definition]) -> None:
    """Gives compressed-header messages their timestamp: the last full one, rolled forward."""
    for defn in definitions:
        ts_field = next((f for f in defn.fields if f[0] == _TIMESTAMP), None)
        starts = np.asarray(defn.offsets, dtype=np.int64)
        defn.timestamps = (
            np.full(len(starts), np.nan)
            if ts_field is None
            else _raw_column(buf, starts + ts_field[1], ts_field[2], ts_field[3], defn.big_endian)
        )
    stream = sorted((order, d, i) for d in definitions for i, order in enumerate(d.order))
    last: int | None = None
    for _, defn, i in stream:
        assert defn.timestamps is not None
        time_offset = defn.time_offsets[i]
        if time_offset >= 0 and last is not None:
            rolled = (last & ~0x1F) + time_offset
            last = rolled + 0x20 if time_offset < (last & 0x1F) else rolled
            defn.timestamps[i] = last
        elif np.isfinite(defn.timestamps[i]):
            last = int(defn.timestamps[i])


def _merge_in_stream_order(parts: list[tuple[np.ndarray, Columns]]) -> Columns:
    """One column per field across every definition of a message, in stream order."""
    if len(parts) == 1:
        return parts[0][1]
    names = list(dict.fromkeys(name for _, columns in parts for name in columns))
    order = np.argsort(np.concatenate([o for o, _ in parts]), kind="stable")
    return {
        name: np.concatenate([columns.get(name, np.full(len(o), np.nan)) for o, columns in parts])[
            order
        ]
        for name in names
    }


def _expand_compressed_speed_distance(record: Columns) -> None:
    """Turns the packed 12-bit speed and rolling distance into speed and distance columns.

    The distance counter wraps every 4,096/16 m; accumulating its steps modulo 4,096 from the
    first value matches the FIT SDK (and fitparse).
    """
    speed = record.pop("_csd_speed")
    rolling = record.pop("_csd_distance")
    has = np.isfinite(rolling)
    distance = np.full(len(rolling), np.nan)
    if has.any():
        counts = rolling[has]
        steps = np.diff(counts, prepend=counts[:1]) % 4096
        distance[has] = (counts[0] + np.cumsum(steps)) / 16.0
    for name, values in (("speed", speed), ("distance", distance)):
        known = record.get(name)
        record[name] = values if known is None else np.where(np.isnan(known), values, known)
