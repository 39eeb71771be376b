"""Writes activities as FIT files (protocol 2.0), for sample data and for testing the FIT readers.

Message and field numbers, base types and scales follow the FIT SDK profile (as in fitparse's
``profile.py``). One local message type per global message, redefined whenever the field set
changes. Records carry only the channels an activity has; missing samples get the base type's
invalid value.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from analyzer.model import Activity, FloatArray, Samples, Sport
from analyzer.readers.fit_crc import crc16

IntArray = npt.NDArray[np.int64]

FIT_EPOCH_POSIX = 631_065_600  # 1989-12-31 00:00:00 UTC, FIT's time zero
PROTOCOL_VERSION = 0x20  # 2.0: developer fields allowed
PROFILE_VERSION = 2132
SEMICIRCLES_PER_DEG = 2**31 / 180
MAX_COMPRESSED_GAP_S = 32  # a compressed header holds a 5-bit time offset

FILE_ID, SPORT, SESSION, LAP, RECORD, EVENT, DEVICE_INFO, ACTIVITY = 0, 12, 18, 19, 20, 21, 23, 34
FIELD_DESCRIPTION, DEVELOPER_DATA_ID = 206, 207


@dataclass(frozen=True, slots=True)
class BaseType:
    type_id: int
    dtype: str  # numpy type code without byte order
    invalid: int


ENUM = BaseType(0x00, "u1", 0xFF)
SINT8 = BaseType(0x01, "i1", 0x7F)
UINT8 = BaseType(0x02, "u1", 0xFF)
STRING = BaseType(0x07, "u1", 0x00)  # null-terminated UTF-8
BYTE = BaseType(0x0D, "u1", 0xFF)  # an array of bytes
UINT16 = BaseType(0x84, "u2", 0xFFFF)
SINT32 = BaseType(0x85, "i4", 0x7FFF_FFFF)
UINT32 = BaseType(0x86, "u4", 0xFFFF_FFFF)
UINT32Z = BaseType(0x8C, "u4", 0x0000_0000)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A FIT field: ``raw = round((value + offset) * scale)`` for a value in the model's SI unit.

    ``scale`` folds in unit changes (metres to the profile's 0.1 mm is 10 000); ``offset`` is the
    profile's offset (which decoders subtract), also in SI units. Times use ``offset = -epoch``.
    """

    name: str
    number: int
    base: BaseType
    scale: float = 1.0
    offset: float = 0.0

    def encode(self, values: npt.ArrayLike) -> IntArray:
        """Raw values; NaN and values the type cannot hold become the invalid value."""
        with np.errstate(over="ignore", invalid="ignore"):
            raw = np.round((np.asarray(values, dtype=np.float64) + self.offset) * self.scale)
        # A value that lands on the invalid value itself reads back as missing, as on devices.
        limits = np.iinfo(self.base.dtype)
        valid = np.isfinite(raw) & (raw >= limits.min) & (raw <= limits.max)
        return np.where(valid, raw, self.base.invalid).astype(np.int64)


def _time(name: str, number: int) -> FieldSpec:
    return FieldSpec(name, number, UINT32, offset=-FIT_EPOCH_POSIX)


TIMESTAMP = _time("timestamp", 253)
MESSAGE_INDEX = FieldSpec("message_index", 254, UINT16)


def _seconds(name: str, number: int) -> FieldSpec:
    return FieldSpec(name, number, UINT32, 1000)


_MESSAGE_FIELDS: dict[int, tuple[FieldSpec, ...]] = {
    FILE_ID: (
        FieldSpec("type", 0, ENUM),
        FieldSpec("manufacturer", 1, UINT16),
        FieldSpec("product", 2, UINT16),
        FieldSpec("serial_number", 3, UINT32Z),
        _time("time_created", 4),
    ),
    DEVELOPER_DATA_ID: (
        FieldSpec("application_id", 1, BYTE),
        FieldSpec("developer_data_index", 3, UINT8),
    ),
    FIELD_DESCRIPTION: (
        FieldSpec("developer_data_index", 0, UINT8),
        FieldSpec("field_definition_number", 1, UINT8),
        FieldSpec("fit_base_type_id", 2, UINT8),
        FieldSpec("field_name", 3, STRING),
        FieldSpec("units", 8, STRING),
    ),
    DEVICE_INFO: (
        TIMESTAMP,
        FieldSpec("device_index", 0, UINT8),
        FieldSpec("manufacturer", 2, UINT16),
        FieldSpec("product", 4, UINT16),
        FieldSpec("product_name", 27, STRING),
    ),
    SPORT: (FieldSpec("sport", 0, ENUM), FieldSpec("sub_sport", 1, ENUM)),
    EVENT: (TIMESTAMP, FieldSpec("event", 0, ENUM), FieldSpec("event_type", 1, ENUM)),
    LAP: (
        TIMESTAMP,
        MESSAGE_INDEX,
        _time("start_time", 2),
        _seconds("total_elapsed_time", 7),
        _seconds("total_timer_time", 8),
        FieldSpec("total_distance", 9, UINT32, 100),
        FieldSpec("sport", 25, ENUM),
    ),
    SESSION: (
        TIMESTAMP,
        MESSAGE_INDEX,
        _time("start_time", 2),
        FieldSpec("sport", 5, ENUM),
        FieldSpec("sub_sport", 6, ENUM),
        _seconds("total_elapsed_time", 7),
        _seconds("total_timer_time", 8),
        FieldSpec("total_distance", 9, UINT32, 100),
        FieldSpec("avg_cadence", 18, UINT8),
        FieldSpec("total_ascent", 22, UINT16),
        FieldSpec("total_descent", 23, UINT16),
        FieldSpec("first_lap_index", 25, UINT16),
        FieldSpec("num_laps", 26, UINT16),
        FieldSpec("avg_fractional_cadence", 92, UINT8, 128),
    ),
    ACTIVITY: (
        TIMESTAMP,
        _seconds("total_timer_time", 0),
        FieldSpec("num_sessions", 1, UINT16),
        FieldSpec("type", 2, ENUM),
        FieldSpec("event", 3, ENUM),
        FieldSpec("event_type", 4, ENUM),
        _time("local_timestamp", 5),
    ),
}

# (channel of Samples or of _record_columns, field). Cadence is per-foot rpm split into a whole
# part and 1/128ths; the running dynamics are stored in tenths of mm and ms.
_RECORD_FIELDS: tuple[tuple[str, FieldSpec], ...] = (
    ("latitude_deg", FieldSpec("position_lat", 0, SINT32, SEMICIRCLES_PER_DEG)),
    ("longitude_deg", FieldSpec("position_long", 1, SINT32, SEMICIRCLES_PER_DEG)),
    ("distance_m", FieldSpec("distance", 5, UINT32, 100)),
    ("speed_m_s", FieldSpec("enhanced_speed", 73, UINT32, 1000)),
    ("altitude_m", FieldSpec("enhanced_altitude", 78, UINT32, 5, 500)),
    ("heart_rate_bpm", FieldSpec("heart_rate", 3, UINT8)),
    ("cadence_whole_rpm", FieldSpec("cadence", 4, UINT8)),
    ("cadence_fraction_rpm", FieldSpec("fractional_cadence", 53, UINT8, 128)),
    ("temperature_c", FieldSpec("temperature", 13, SINT8)),
    ("power_w", FieldSpec("power", 7, UINT16)),
    ("vertical_oscillation_m", FieldSpec("vertical_oscillation", 39, UINT16, 10_000)),
    ("ground_contact_time_s", FieldSpec("stance_time", 41, UINT16, 10_000)),
    ("contact_balance_left_pct", FieldSpec("stance_time_balance", 84, UINT16, 100)),
    ("vertical_ratio_pct", FieldSpec("vertical_ratio", 83, UINT16, 100)),
    ("step_length_m", FieldSpec("step_length", 85, UINT16, 10_000)),
)
# Older devices write 16-bit speed and altitude instead of the enhanced 32-bit fields.
_LEGACY_FIELDS = {
    "speed_m_s": FieldSpec("speed", 6, UINT16, 1000),
    "altitude_m": FieldSpec("altitude", 2, UINT16, 5, 500),
}
_LEGACY_RECORD_FIELDS = tuple((ch, _LEGACY_FIELDS.get(ch, spec)) for ch, spec in _RECORD_FIELDS)

# A Stryd-like app's power, as a developer field on every record.
_DEV_POWER = FieldSpec("Power", 0, UINT16)
_DEV_APPLICATION_ID = bytes(range(0xA0, 0xB0))

# Sport -> (FIT sport, FIT sub_sport).
_SPORT_CODES: dict[Sport, tuple[int, int]] = {
    Sport.RUNNING: (1, 0),
    Sport.TRAIL_RUNNING: (1, 3),
    Sport.TREADMILL: (1, 1),
    Sport.TRACK: (1, 4),
    Sport.WALKING: (11, 0),
    Sport.HIKING: (17, 0),
    Sport.CYCLING: (2, 0),
    Sport.SWIMMING: (5, 0),
    Sport.OTHER: (0, 0),
}
# Sub-sports an Activity may name that its Sport alone does not imply (street runs, road rides).
_SUB_SPORT_CODES = {
    "street": 2,
    "indoor_cycling": 6,
    "road": 7,
    "mountain": 8,
    "lap_swimming": 17,
    "open_water": 18,
    "indoor_walking": 27,
    "gravel_cycling": 46,
}

MANUFACTURER_GARMIN, MANUFACTURER_DEVELOPMENT = 1, 255
TIMER, ACTIVITY_EVENT = 0, 26  # event
START, STOP, STOP_ALL = 0, 1, 4  # event_type

Value = float | int | str | bytes | None


@dataclass(frozen=True, slots=True)
class _Column:
    spec: FieldSpec
    raw: npt.NDArray[Any]  # one row per message; bytes columns are 2-D (row, byte)
    developer_index: int | None = None


class _Stream:
    """A FIT file's messages, with a definition emitted only when a layout changes."""

    def __init__(self, big_endian: bool) -> None:
        self.big_endian = big_endian
        self.parts: list[bytes] = []
        self._definitions: dict[int, bytes] = {}
        # Records on local type 0: compressed-timestamp headers can only name local types 0-3.
        self._local_types: dict[int, int] = {RECORD: 0}

    def table(self, columns: Sequence[_Column], rows: int) -> npt.NDArray[np.void]:
        """A packed array of messages: a header byte, then each column in its byte order."""
        order = ">" if self.big_endian else "<"
        layout: list[tuple[Any, ...]] = [("header", "u1")]
        for i, col in enumerate(columns):
            layout.append((f"f{i}", order + col.spec.base.dtype, col.raw.shape[1:]))
        table = np.empty(rows, dtype=np.dtype(layout))
        for i, col in enumerate(columns):
            table[f"f{i}"] = col.raw
        return table

    def emit(
        self,
        mesg_num: int,
        columns: Sequence[_Column],
        table: npt.NDArray[np.void],
        time_offsets: IntArray | None = None,
    ) -> None:
        """Appends the messages; ``time_offsets`` gives them compressed-timestamp headers."""
        local = self._define(mesg_num, columns, table)
        table["header"] = local if time_offsets is None else 0x80 | local << 5 | time_offsets
        self.parts.append(table.tobytes())

    def _define(
        self, mesg_num: int, columns: Sequence[_Column], table: npt.NDArray[np.void]
    ) -> int:
        local = self._local_types.setdefault(mesg_num, len(self._local_types))
        order = ">" if self.big_endian else "<"
        sizes = [table.dtype[f"f{i}"].itemsize for i in range(len(columns))]
        pairs = list(zip(columns, sizes, strict=True))
        native = [(c, s) for c, s in pairs if c.developer_index is None]
        developer = [(c, s) for c, s in pairs if c.developer_index is not None]
        header = 0x40 | local | (0x20 if developer else 0)
        parts = [struct.pack(order + "BBBHB", header, 0, self.big_endian, mesg_num, len(native))]
        parts += [struct.pack("3B", c.spec.number, s, c.spec.base.type_id) for c, s in native]
        if developer:
            parts.append(bytes([len(developer)]))
            parts += [struct.pack("3B", c.spec.number, s, c.developer_index) for c, s in developer]
        definition = b"".join(parts)
        if self._definitions.get(local) != definition:
            self._definitions[local] = definition
            self.parts.append(definition)
        return local


def _message(stream: _Stream, mesg_num: int, **values: Value) -> None:
    """Writes one message with the given fields; None and NaN fields are left out."""
    specs = {spec.name: spec for spec in _MESSAGE_FIELDS[mesg_num]}
    columns = []
    for name, value in values.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        spec = specs[name]
        if isinstance(value, str):
            raw: npt.NDArray[Any] = np.frombuffer(value.encode() + b"\0", np.uint8)[None, :]
        elif isinstance(value, bytes):
            raw = np.frombuffer(value, np.uint8)[None, :]
        else:
            raw = spec.encode([value])
        columns.append(_Column(spec, raw))
    stream.emit(mesg_num, columns, stream.table(columns, 1))


@dataclass(frozen=True, slots=True)
class _Options:
    big_endian: bool
    compressed_timestamps: bool
    developer_fields: bool
    legacy_speed_altitude: bool


#: The FIT profile's file types (``file`` enum) the writer is asked for.
FILE_TYPE_ACTIVITY = 4
FILE_TYPE_COURSE = 6


def fit_bytes(
    activity: Activity,
    *,
    big_endian: bool = False,
    compressed_timestamps: bool = False,
    developer_fields: bool = False,
    corrupt_crc: bool = False,
    legacy_speed_altitude: bool = False,
    file_type: int = FILE_TYPE_ACTIVITY,
) -> bytes:
    """The activity as a FIT file (one session)."""
    return fit_multisport_bytes(
        [activity],
        big_endian=big_endian,
        compressed_timestamps=compressed_timestamps,
        developer_fields=developer_fields,
        corrupt_crc=corrupt_crc,
        legacy_speed_altitude=legacy_speed_altitude,
        file_type=file_type,
    )


def device_codes(device: str | None) -> tuple[int, int]:
    """FIT manufacturer and product numbers for "maker/model" (the reader's device naming),
    from the FIT profile's own tables; unknown names become development / product 1."""
    from fitparse.profile import FIELD_TYPES

    maker, _, model = (device or "").lower().partition("/")
    makers = {name: code for code, name in FIELD_TYPES["manufacturer"].values.items()}
    manufacturer = makers.get(maker, MANUFACTURER_DEVELOPMENT)
    products = FIELD_TYPES["garmin_product"].values if manufacturer == MANUFACTURER_GARMIN else {}
    product = next((code for code, name in products.items() if name == model), 1)
    return manufacturer, product


def fit_multisport_bytes(
    legs: Sequence[Activity],
    *,
    big_endian: bool = False,
    compressed_timestamps: bool = False,
    developer_fields: bool = False,
    corrupt_crc: bool = False,
    legacy_speed_altitude: bool = False,
    file_type: int = FILE_TYPE_ACTIVITY,
) -> bytes:
    """One FIT file with a session per leg, in the given order (legs should follow in time).

    ``corrupt_crc`` writes a wrong file CRC; ``file_type`` FILE_TYPE_COURSE labels the file a
    planned route; the other options change the encoding, not the data.
    """
    if not legs:
        raise ValueError("a FIT activity needs at least one leg")
    options = _Options(big_endian, compressed_timestamps, developer_fields, legacy_speed_altitude)
    stream = _Stream(big_endian)
    first = legs[0]
    start_s = first.start_time.timestamp()
    device = first.device
    manufacturer, product = device_codes(device)
    _message(
        stream,
        FILE_ID,
        type=file_type,
        manufacturer=manufacturer,
        product=product,
        serial_number=1_234_567_890,
        time_created=start_s,
    )
    if developer_fields:
        _message(
            stream, DEVELOPER_DATA_ID, application_id=_DEV_APPLICATION_ID, developer_data_index=0
        )
        _message(
            stream,
            FIELD_DESCRIPTION,
            developer_data_index=0,
            field_definition_number=_DEV_POWER.number,
            fit_base_type_id=_DEV_POWER.base.type_id,
            field_name=_DEV_POWER.name,
            units="watts",
        )
    _message(
        stream,
        DEVICE_INFO,
        timestamp=start_s,
        device_index=0,  # the creator
        manufacturer=manufacturer,
        product=product,
        product_name=device,
    )
    timer_total_s, lap_count, end_s = 0.0, 0, start_s
    for index, leg in enumerate(legs):
        timer_s, laps, end_s = _write_leg(
            stream,
            leg,
            options,
            first=index == 0,
            last=index == len(legs) - 1,
            first_lap_index=lap_count,
            session_index=index,
        )
        timer_total_s += timer_s
        lap_count += laps
    offset_s = first.utc_offset_s
    _message(
        stream,
        ACTIVITY,
        timestamp=end_s,
        total_timer_time=timer_total_s,
        num_sessions=len(legs),
        type=0,  # manual
        event=ACTIVITY_EVENT,
        event_type=STOP,
        local_timestamp=None if offset_s is None else end_s + offset_s,
    )
    return _file(b"".join(stream.parts), corrupt_crc)


def _file(data: bytes, corrupt_crc: bool) -> bytes:
    header = struct.pack("<BBHI4s", 14, PROTOCOL_VERSION, PROFILE_VERSION, len(data), b".FIT")
    header += struct.pack("<H", crc16(header))
    crc = crc16(data, crc16(header))
    if corrupt_crc:
        crc ^= 0x5A5A
    return header + data + struct.pack("<H", crc)


def _write_leg(
    stream: _Stream,
    leg: Activity,
    options: _Options,
    *,
    first: bool,
    last: bool,
    first_lap_index: int,
    session_index: int,
) -> tuple[float, int, float]:
    """Writes a leg's sport, records, events, laps and session: (timer s, laps, end POSIX s)."""
    samples = leg.samples.select(np.isfinite(leg.samples.time_s))
    totals = leg.device_totals
    sport, sub_sport = _sport_codes(leg)
    start_s = leg.start_time.timestamp()
    _message(stream, SPORT, sport=sport, sub_sport=sub_sport)
    if first:
        _message(stream, EVENT, timestamp=start_s, event=TIMER, event_type=START)
    _write_records(stream, samples, leg, options)
    end_s = float(samples.time_s.max()) if len(samples) else start_s
    elapsed_s = _first_finite(totals.elapsed_time_s, end_s - start_s)
    paused_s = sum(max(0.0, min(p.end_s, end_s) - max(p.start_s, start_s)) for p in leg.pauses)
    timer_s = _first_finite(totals.timer_time_s, elapsed_s - paused_s)
    distances = samples.distance_m[np.isfinite(samples.distance_m)]
    distance_m = _first_finite(
        totals.distance_m, float(distances[-1] - distances[0]) if len(distances) else math.nan
    )
    if last:
        _message(stream, EVENT, timestamp=end_s, event=TIMER, event_type=STOP_ALL)

    laps = [
        (lap.start_time.timestamp(), lap.elapsed_time_s, lap.timer_time_s, lap.distance_m)
        for lap in leg.laps
    ] or [(start_s, elapsed_s, timer_s, distance_m)]
    for i, (lap_start_s, lap_elapsed_s, lap_timer_s, lap_distance_m) in enumerate(laps):
        _message(
            stream,
            LAP,
            timestamp=lap_start_s + lap_elapsed_s,
            message_index=first_lap_index + i,
            start_time=lap_start_s,
            total_elapsed_time=lap_elapsed_s,
            total_timer_time=lap_timer_s,
            total_distance=lap_distance_m,
            sport=sport,
        )

    moving = samples.cadence_spm[np.isfinite(samples.cadence_spm) & (samples.cadence_spm > 0)]
    mean_spm = _first_finite(totals.avg_cadence_spm, moving.mean() if len(moving) else math.nan)
    whole_rpm, fraction_rpm = (float(x[0]) for x in _split_cadence(np.array([mean_spm / 2])))
    _message(
        stream,
        SESSION,
        timestamp=end_s,
        message_index=session_index,
        start_time=start_s,
        sport=sport,
        sub_sport=sub_sport,
        total_elapsed_time=elapsed_s,
        total_timer_time=timer_s,
        total_distance=distance_m,
        avg_cadence=whole_rpm,
        total_ascent=totals.ascent_m,
        total_descent=totals.descent_m,
        first_lap_index=first_lap_index,
        num_laps=len(laps),
        avg_fractional_cadence=fraction_rpm,
    )
    return timer_s, len(laps), end_s


def _write_records(stream: _Stream, samples: Samples, leg: Activity, options: _Options) -> None:
    """Writes the records in time order, with each pause's stop and start events among them."""
    timestamps = TIMESTAMP.encode(samples.time_s)
    events = _pause_events(timestamps, leg)
    columns = _record_columns(samples, options)
    timestamp_column = _Column(TIMESTAMP, timestamps)
    full = stream.table([timestamp_column, *columns], len(samples))
    compressed = _compressible(timestamps, events) if options.compressed_timestamps else None
    short = stream.table(columns, len(samples)) if compressed is not None else full

    def write(begin: int, end: int) -> None:
        if compressed is None:
            stream.emit(RECORD, [timestamp_column, *columns], full[begin:end])
            return
        # Runs of rows with the same kind of header share a definition.
        changes = np.flatnonzero(np.diff(compressed[begin:end])) + begin + 1
        for a, b in zip([begin, *changes], [*changes, end], strict=True):
            if a == b:
                continue
            if compressed[a]:
                stream.emit(RECORD, columns, short[a:b], timestamps[a:b] & 0x1F)
            else:
                stream.emit(RECORD, [timestamp_column, *columns], full[a:b])

    position = 0
    for index, timestamp, event_type in events:
        write(position, index)
        _message(
            stream, EVENT, timestamp=timestamp + FIT_EPOCH_POSIX, event=TIMER, event_type=event_type
        )
        position = index
    write(position, len(samples))


def _pause_events(timestamps: IntArray, leg: Activity) -> list[tuple[int, int, int]]:
    """(index of the record it precedes, raw timestamp, event type) for each pause's stop and start.

    A record at the stop time was taken while the timer ran; one at the start time after it did.
    """
    events: list[tuple[int, int, int]] = []
    position = 0
    for pause in sorted(leg.pauses, key=lambda p: p.start_s):
        stop, start = (int(raw) for raw in TIMESTAMP.encode([pause.start_s, pause.end_s]))
        position = max(position, int(np.searchsorted(timestamps, stop, side="right")))
        events.append((position, stop, STOP_ALL))
        position = max(position, int(np.searchsorted(timestamps, start, side="left")))
        events.append((position, start, START))
    return events


def _compressible(
    timestamps: IntArray, events: list[tuple[int, int, int]]
) -> npt.NDArray[np.bool_]:
    """Which records can take a compressed header: all but the first one that follow the last
    timestamp written (a record's or an event's) by less than 32 s."""
    previous: IntArray = np.concatenate([timestamps[:1], timestamps[:-1]])
    for index, timestamp, _ in events:
        if index < len(previous):
            previous[index] = timestamp
    gap = timestamps - previous
    compressed = (gap >= 0) & (gap < MAX_COMPRESSED_GAP_S)
    compressed[:1] = False
    return compressed


def _record_columns(samples: Samples, options: _Options) -> list[_Column]:
    whole_rpm, fraction_rpm = _split_cadence(samples.cadence_spm / 2)
    channels = {"cadence_whole_rpm": whole_rpm, "cadence_fraction_rpm": fraction_rpm}
    table = _LEGACY_RECORD_FIELDS if options.legacy_speed_altitude else _RECORD_FIELDS
    columns = []
    for channel, spec in table:
        values = channels[channel] if channel in channels else getattr(samples, channel)
        if np.isfinite(values).any():
            columns.append(_Column(spec, spec.encode(values)))
    if options.developer_fields:
        columns.append(_Column(_DEV_POWER, _DEV_POWER.encode(samples.power_w), developer_index=0))
    return columns


def _split_cadence(rpm: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per-foot rpm -> (whole rpm, fraction in 1/128ths): FIT's cadence + fractional_cadence."""
    whole = np.floor(rpm)
    parts = np.round((rpm - whole) * 128)  # rounding may reach a whole rpm: carry it
    carry = parts == 128
    return whole + carry, np.where(carry, 0.0, parts) / 128


def _sport_codes(leg: Activity) -> tuple[int, int]:
    sport, sub_sport = _SPORT_CODES[leg.sport]
    if sub_sport == 0 and leg.sub_sport is not None:
        sub_sport = _SUB_SPORT_CODES.get(leg.sub_sport, 0)
    return sport, sub_sport


def _first_finite(*values: float) -> float:
    return next((float(v) for v in values if math.isfinite(v)), math.nan)
