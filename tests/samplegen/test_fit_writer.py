"""The FIT writer, checked against fitparse as the oracle."""

from __future__ import annotations

import dataclasses
import io
import math
import struct
from datetime import UTC, datetime
from typing import Any

import fitparse
import numpy as np
import pytest
from fitparse.utils import FitCRCError
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.model import Activity, DeviceTotals, Lap, Pause, Samples, Sport
from analyzer.readers.fit_crc import crc16
from analyzer.samplegen.fit_writer import fit_bytes, fit_multisport_bytes
from tests.factories import T0, activity, full_samples

FIT_EPOCH = 631_065_600
VARIANTS = [
    {"big_endian": True},
    {"compressed_timestamps": True},
    {"developer_fields": True},
    {"big_endian": True, "compressed_timestamps": True, "developer_fields": True},
]

# channel -> (record field, expected decoded value of a finite sample) at the format's resolution
EXPECTED: dict[str, tuple[str, Any]] = {
    "distance_m": ("distance", lambda v: round(v * 100) / 100),
    "speed_m_s": ("enhanced_speed", lambda v: round(v * 1000) / 1000),
    "altitude_m": ("enhanced_altitude", lambda v: round((v + 500) * 5) / 5 - 500),
    "heart_rate_bpm": ("heart_rate", round),
    "temperature_c": ("temperature", round),
    "power_w": ("power", round),
    "vertical_oscillation_m": ("vertical_oscillation", lambda v: round(v * 10_000) / 10),
    "ground_contact_time_s": ("stance_time", lambda v: round(v * 10_000) / 10),
    "contact_balance_left_pct": ("stance_time_balance", lambda v: round(v * 100) / 100),
    "vertical_ratio_pct": ("vertical_ratio", lambda v: round(v * 100) / 100),
    "step_length_m": ("step_length", lambda v: round(v * 10_000) / 10),
}


def decode(data: bytes) -> fitparse.FitFile:
    fit = fitparse.FitFile(io.BytesIO(data), check_crc=True)
    fit.parse()
    return fit


def messages(fit: fitparse.FitFile, name: str) -> list[dict[str, Any]]:
    return [m.get_values() for m in fit.get_messages(name)]


def utc(posix: float) -> datetime:
    return datetime.fromtimestamp(posix, UTC).replace(tzinfo=None)


def split_cadence(spm: float) -> tuple[int, float]:
    rpm = spm / 2
    whole, parts = math.floor(rpm), round((rpm - math.floor(rpm)) * 128)
    return (whole + 1, 0.0) if parts == 128 else (whole, parts / 128)


def assert_records_match(samples: Samples, records: list[dict[str, Any]]) -> None:
    assert len(records) == len(samples)
    for k, record in enumerate(records):
        assert record["timestamp"] == utc(round(samples.time_s[k]))
        for channel in ("latitude_deg", "longitude_deg"):
            field = "position_lat" if channel == "latitude_deg" else "position_long"
            value = getattr(samples, channel)[k]
            if not samples.has(channel):
                assert field not in record
            elif math.isnan(value):
                assert record[field] is None
            else:
                assert abs(record[field] - value * 2**31 / 180) <= 1
        for channel, (field, expected) in EXPECTED.items():
            value = getattr(samples, channel)[k]
            if not samples.has(channel):
                assert field not in record
            else:
                assert record[field] == (None if math.isnan(value) else expected(value)), field
        spm = samples.cadence_spm[k]
        if not samples.has("cadence_spm"):
            assert "cadence" not in record
            assert "fractional_cadence" not in record
        elif math.isnan(spm):
            assert (record["cadence"], record["fractional_cadence"]) == (None, None)
        else:
            assert (record["cadence"], record["fractional_cadence"]) == split_cadence(spm)


# --- CRC ---------------------------------------------------------------------------------------


def nibble_crc(data: bytes) -> int:
    """The FIT SDK's reference algorithm, written out."""
    table = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]  # fmt: skip
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = table[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ table[nibble]
    return crc


def test_crc16_check_value() -> None:
    assert crc16(b"123456789") == 0xBB3D  # CRC-16/ARC's published check value
    assert crc16(b"") == 0


@given(st.binary(max_size=300), st.integers(0, 300))
def test_crc16_matches_sdk_algorithm_and_continues_in_chunks(data: bytes, cut: int) -> None:
    assert crc16(data) == nibble_crc(data)
    assert crc16(data[cut:], crc16(data[:cut])) == crc16(data)


# --- file structure ----------------------------------------------------------------------------


def test_header_and_crcs() -> None:
    data = fit_bytes(activity(full_samples(5)))
    size, protocol, profile, data_size, magic, header_crc = struct.unpack("<BBHI4sH", data[:14])
    assert (size, protocol, profile, magic) == (14, 0x20, 2132, b".FIT")
    assert data_size == len(data) - 16
    assert header_crc == crc16(data[:12])
    assert struct.unpack("<H", data[-2:])[0] == crc16(data[:-2])


def test_corrupt_crc_is_rejected() -> None:
    data = fit_bytes(activity(full_samples(5)), corrupt_crc=True)
    with pytest.raises(FitCRCError):
        decode(data)
    assert len(messages(decode(fit_bytes(activity(full_samples(5)))), "record")) == 5


def test_message_order() -> None:
    fit = decode(fit_bytes(activity(full_samples(3))))
    names = [m.name for m in fit.get_messages()]
    assert names == ["file_id", "device_info", "sport", "event"] + ["record"] * 3 + [
        "event",
        "lap",
        "session",
        "activity",
    ]


def test_file_id_and_device_info() -> None:
    fit = decode(fit_bytes(activity(full_samples(3), device="garmin/fr935")))
    (file_id,) = messages(fit, "file_id")
    assert file_id["type"] == "activity"
    assert (file_id["manufacturer"], file_id["garmin_product"]) == ("garmin", "fr935")
    assert file_id["time_created"] == utc(T0)
    (device,) = messages(fit, "device_info")
    assert device["product_name"] == "garmin/fr935"
    assert device["timestamp"] == utc(T0)
    fit = decode(fit_bytes(activity(full_samples(3))))
    assert messages(fit, "file_id")[0]["manufacturer"] == "development"
    assert "product_name" not in messages(fit, "device_info")[0]


# --- records -----------------------------------------------------------------------------------


def test_record_values_at_format_resolution() -> None:
    samples = full_samples(30)
    records = messages(decode(fit_bytes(activity(samples))), "record")
    assert_records_match(samples, records)
    assert records[0]["enhanced_speed"] == 3.137
    assert records[0]["stance_time"] == 245.3  # ms
    assert records[0]["vertical_oscillation"] == 81.3  # mm, 81.27 rounded to the 0.1 mm step
    assert records[0]["step_length"] == 1083.7  # mm


def test_missing_samples_are_invalid_and_missing_channels_absent() -> None:
    nan = math.nan
    samples = Samples.from_channels(
        T0 + np.arange(3.0),
        heart_rate_bpm=[150, nan, 152],
        cadence_spm=[nan, 171, 172],
        latitude_deg=[nan, 52.0, 52.1],
        longitude_deg=[nan, 13.0, 13.1],
        speed_m_s=[3.0, 3.1, nan],
    )
    records = messages(decode(fit_bytes(activity(samples))), "record")
    assert_records_match(samples, records)
    assert records[1]["heart_rate"] is None
    assert records[0]["position_lat"] is None
    assert "power" not in records[0]
    assert "distance" not in records[0]


def test_out_of_range_values_become_invalid() -> None:
    samples = Samples.from_channels(
        T0 + np.arange(2.0), heart_rate_bpm=[255, 300], altitude_m=[-600, 10], power_w=[-1, 70_000]
    )
    (first, second) = messages(decode(fit_bytes(activity(samples))), "record")
    assert first["heart_rate"] is None and second["heart_rate"] is None
    assert first["enhanced_altitude"] is None and second["enhanced_altitude"] == 10
    assert first["power"] is None and second["power"] is None


@pytest.mark.parametrize(
    ("spm", "cadence", "fraction"),
    [(170.0, 85, 0.0), (171.0, 85, 0.5), (171.5, 85, 0.75), (2 * (85 + 127.7 / 128), 86, 0.0)],
)
def test_cadence_is_per_foot_with_fraction(spm: float, cadence: int, fraction: float) -> None:
    samples = Samples.from_channels([T0], cadence_spm=[spm])
    (record,) = messages(decode(fit_bytes(activity(samples))), "record")
    assert (record["cadence"], record["fractional_cadence"]) == (cadence, fraction)


def test_legacy_speed_and_altitude() -> None:
    samples = full_samples(10)
    fit = decode(fit_bytes(activity(samples), legacy_speed_altitude=True))
    record_fields = {fd.def_num for m in fit.get_messages("record") for fd in m.def_mesg.field_defs}
    assert {2, 6} <= record_fields
    assert not {73, 78} & record_fields
    records = messages(fit, "record")
    # fitparse expands speed and altitude into their enhanced components: same values.
    assert_records_match(samples, records)
    assert [r["speed"] for r in records] == [r["enhanced_speed"] for r in records]
    assert [r["altitude"] for r in records] == [r["enhanced_altitude"] for r in records]


# --- variants ----------------------------------------------------------------------------------


def paused_activity() -> Activity:
    # 40 s gap in the recording during a pause: a compressed timestamp cannot span it.
    samples = full_samples(120)
    time_s = samples.time_s.copy()
    time_s[60:] += 40
    return activity(
        dataclasses.replace(samples, time_s=time_s),
        pauses=(Pause(T0 + 59.5, T0 + 99.6),),
        utc_offset_s=3600,
    )


@pytest.mark.parametrize("options", VARIANTS, ids=lambda o: "+".join(o))
def test_variants_decode_to_the_default_values(options: dict[str, bool]) -> None:
    act = paused_activity()
    default = decode(fit_bytes(act))
    variant = decode(fit_bytes(act, **options))
    for name in ("file_id", "device_info", "sport", "event", "lap", "session", "activity"):
        assert messages(variant, name) == messages(default, name), name
    records = messages(variant, "record")
    if options.get("developer_fields"):
        assert [r.pop("Power") for r in records] == [round(p) for p in act.samples.power_w]
    assert records == messages(default, "record")
    assert_records_match(act.samples, records)


def test_big_endian_definitions() -> None:
    fit = decode(fit_bytes(activity(full_samples(3)), big_endian=True))
    assert {m.def_mesg.endian for m in fit.get_messages()} == {">"}


def test_compressed_timestamps_are_used_except_first_and_after_long_gaps() -> None:
    act = paused_activity()
    fit = decode(fit_bytes(act, compressed_timestamps=True))
    offsets = [m.header.time_offset for m in fit.get_messages("record")]
    full = [i for i, offset in enumerate(offsets) if offset is None]
    assert full == [0]  # the start event after the pause is < 32 s before record 60
    assert len(fit_bytes(act, compressed_timestamps=True)) < len(fit_bytes(act))
    # Without the pause's events, the 41 s gap needs a full timestamp.
    fit = decode(fit_bytes(activity(act.samples), compressed_timestamps=True))
    offsets = [m.header.time_offset for m in fit.get_messages("record")]
    assert [i for i, offset in enumerate(offsets) if offset is None] == [0, 60]
    assert_records_match(act.samples, messages(fit, "record"))


def test_developer_field_definitions() -> None:
    fit = decode(fit_bytes(activity(full_samples(3)), developer_fields=True))
    (description,) = messages(fit, "field_description")
    assert description["field_name"] == "Power"
    assert description["fit_base_type_id"] == "uint16"
    assert len(messages(fit, "developer_data_id")) == 1
    for record in fit.get_messages("record"):
        (dev,) = record.def_mesg.dev_field_defs
        assert (dev.def_num, dev.size, dev.dev_data_index) == (0, 2, 0)


# --- events, laps, sessions, activity ----------------------------------------------------------


def test_pause_events_sit_between_the_records() -> None:
    fit = decode(fit_bytes(paused_activity()))
    stream = [
        (m.name, m.get_value("event_type"), m.get_value("timestamp"))
        for m in fit.get_messages()
        if m.name in ("record", "event")
    ]
    events = [(i, kind, ts) for i, (name, kind, ts) in enumerate(stream) if name == "event"]
    assert [(i, kind) for i, kind, _ in events] == [
        (0, "start"),
        (61, "stop_all"),
        (62, "start"),
        (123, "stop_all"),
    ]
    assert [ts for _, _, ts in events] == [utc(T0), utc(T0 + 60), utc(T0 + 100), utc(T0 + 159)]


def test_records_at_pause_boundaries_fall_inside_the_running_timer() -> None:
    act = activity(full_samples(10), pauses=(Pause(T0 + 3, T0 + 6),))
    fit = decode(fit_bytes(act, compressed_timestamps=True))
    stream = [
        m.get_value("event_type") or m.get_value("timestamp")
        for m in fit.get_messages()
        if m.name in ("record", "event")
    ]
    assert stream[4:10] == [utc(T0 + 3), "stop_all", utc(T0 + 4), utc(T0 + 5), "start", utc(T0 + 6)]


def test_an_activity_without_samples() -> None:
    fit = decode(fit_bytes(activity(full_samples(0)), compressed_timestamps=True))
    assert messages(fit, "record") == []
    (session,) = messages(fit, "session")
    assert session["total_elapsed_time"] == 0
    assert "total_distance" not in session and "avg_running_cadence" not in session


def test_session_lap_and_activity_totals() -> None:
    act = paused_activity()
    fit = decode(fit_bytes(act))
    (session,) = messages(fit, "session")
    assert session["start_time"] == utc(T0)
    assert session["timestamp"] == utc(T0 + 159)
    assert session["total_elapsed_time"] == 159
    assert session["total_timer_time"] == pytest.approx(159 - 40.1, abs=1e-3)
    assert session["total_distance"] == round(119 * 3.137, 2)
    assert (session["first_lap_index"], session["num_laps"]) == (0, 1)
    assert "total_ascent" not in session
    mean_spm = float(np.mean(act.samples.cadence_spm))
    cadence, fraction = split_cadence(mean_spm)
    assert (session["avg_running_cadence"], session["avg_fractional_cadence"]) == (
        cadence,
        fraction,
    )
    (lap,) = messages(fit, "lap")
    for key in ("start_time", "total_elapsed_time", "total_timer_time", "total_distance"):
        assert lap[key] == session[key]
    assert lap["sport"] == "running"
    (summary,) = fit.get_messages("activity")
    assert summary.get_value("num_sessions") == 1
    assert summary.get_value("total_timer_time") == session["total_timer_time"]
    assert summary.get_value("type") == "manual"
    assert (summary.get_value("event"), summary.get_value("event_type")) == ("activity", "stop")
    assert summary.get_raw_value("local_timestamp") == T0 + 159 + 3600 - FIT_EPOCH


def test_device_totals_and_laps_are_written() -> None:
    samples = full_samples(100)
    start = datetime.fromtimestamp(T0, UTC)
    laps = (
        Lap(start, 50.0, 48.5, 156.85),
        Lap(datetime.fromtimestamp(T0 + 50, UTC), 49.0, 49.0, 153.7),
    )
    totals = DeviceTotals(
        distance_m=310.5,
        elapsed_time_s=99.0,
        timer_time_s=97.5,
        ascent_m=12,
        descent_m=7.4,
        avg_cadence_spm=173.0,
    )
    fit = decode(fit_bytes(activity(samples, laps=laps, device_totals=totals)))
    (session,) = messages(fit, "session")
    assert (session["total_distance"], session["total_elapsed_time"]) == (310.5, 99)
    assert session["total_timer_time"] == 97.5
    assert (session["total_ascent"], session["total_descent"]) == (12, 7)
    assert (session["avg_running_cadence"], session["avg_fractional_cadence"]) == (86, 0.5)
    assert session["num_laps"] == 2
    got = messages(fit, "lap")
    assert [lap["message_index"] for lap in got] == [0, 1]
    assert got[0]["start_time"] == utc(T0)
    assert got[1]["timestamp"] == utc(T0 + 99)
    assert [(g["total_elapsed_time"], g["total_timer_time"], g["total_distance"]) for g in got] == [
        (50, 48.5, 156.85),
        (49, 49, 153.7),
    ]


def test_no_local_timestamp_without_utc_offset() -> None:
    fit = decode(fit_bytes(activity(full_samples(3))))
    assert "local_timestamp" not in messages(fit, "activity")[0]


@pytest.mark.parametrize(
    ("sport", "sub_sport_text", "fit_sport", "fit_sub_sport"),
    [
        (Sport.RUNNING, None, "running", "generic"),
        (Sport.RUNNING, "street", "running", "street"),
        (Sport.TRAIL_RUNNING, "street", "running", "trail"),
        (Sport.TREADMILL, None, "running", "treadmill"),
        (Sport.TRACK, None, "running", "track"),
        (Sport.WALKING, None, "walking", "generic"),
        (Sport.HIKING, None, "hiking", "generic"),
        (Sport.CYCLING, "road", "cycling", "road"),
        (Sport.SWIMMING, None, "swimming", "generic"),
        (Sport.OTHER, "unheard_of", "generic", "generic"),
    ],
)
def test_sport_codes(
    sport: Sport, sub_sport_text: str | None, fit_sport: str, fit_sub_sport: str
) -> None:
    fit = decode(fit_bytes(activity(full_samples(3), sport, sub_sport=sub_sport_text)))
    for name in ("sport", "session"):
        (message,) = messages(fit, name)
        assert (message["sport"], message["sub_sport"]) == (fit_sport, fit_sub_sport)


@pytest.mark.parametrize("options", [{}, *VARIANTS], ids=lambda o: "+".join(o) or "default")
def test_multisport_sessions(options: dict[str, bool]) -> None:
    run = full_samples(20)
    # The ride records fewer channels: the record definition changes between the legs.
    ride = Samples.from_channels(
        T0 + 30 + np.arange(25.0), speed_m_s=np.full(25, 8.5), power_w=np.full(25, 180.0)
    )
    legs = [activity(run), activity(ride, Sport.CYCLING), activity(full_samples(10, T0 + 60))]
    fit = decode(fit_multisport_bytes(legs, **options))
    sessions = messages(fit, "session")
    assert [(s["sport"], s["sub_sport"]) for s in sessions] == [
        ("running", "generic"),
        ("cycling", "generic"),
        ("running", "generic"),
    ]
    assert [s["message_index"] for s in sessions] == [0, 1, 2]
    assert [s["first_lap_index"] for s in sessions] == [0, 1, 2]
    assert [s["start_time"] for s in sessions] == [utc(T0), utc(T0 + 30), utc(T0 + 60)]
    assert messages(fit, "activity")[0]["num_sessions"] == 3
    records = messages(fit, "record")
    if options.get("developer_fields"):
        for r in records:
            r.pop("Power")
    assert_records_match(run, records[:20])
    assert_records_match(ride, records[20:45])
    assert "heart_rate" not in records[20]
    assert [r["timestamp"] for r in records] == sorted(r["timestamp"] for r in records)
    assert [m.name for m in fit.get_messages("sport")] == ["sport"] * 3


def test_multisport_needs_a_leg() -> None:
    with pytest.raises(ValueError, match="leg"):
        fit_multisport_bytes([])


# --- round trip of arbitrary values ------------------------------------------------------------

RANGES: dict[str, tuple[float, float]] = {
    "latitude_deg": (-90, 90),
    "longitude_deg": (-180, 179.9999),
    "distance_m": (0, 1e6),
    "speed_m_s": (0, 65),  # the legacy 16-bit field tops out at 65.534 m/s
    "altitude_m": (-500, 9000),
    "heart_rate_bpm": (0, 254.4),
    "cadence_spm": (0, 500),
    "temperature_c": (-128, 126.4),
    "power_w": (0, 65534.4),
    "vertical_oscillation_m": (0, 0.5),
    "ground_contact_time_s": (0, 2),
    "contact_balance_left_pct": (0, 100),
    "vertical_ratio_pct": (0, 100),
    "step_length_m": (0, 3),
}


@st.composite
def random_samples(draw: st.DrawFn) -> Samples:
    n = draw(st.integers(1, 12))
    gaps = draw(st.lists(st.integers(0, 40), min_size=n - 1, max_size=n - 1))
    time_s = T0 + draw(st.floats(-0.49, 0.49)) + np.concatenate([[0], np.cumsum(gaps)])
    channels = {}
    for channel, (low, high) in RANGES.items():
        if draw(st.booleans()):
            value = st.floats(low, high, allow_nan=False) | st.just(math.nan)
            channels[channel] = draw(st.lists(value, min_size=n, max_size=n))
    return Samples.from_channels(time_s, **channels)


@settings(max_examples=150, deadline=None)
@given(
    random_samples(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_round_trip_of_arbitrary_values(
    samples: Samples, big_endian: bool, compressed: bool, developer: bool, legacy: bool
) -> None:
    data = fit_bytes(
        activity(samples),
        big_endian=big_endian,
        compressed_timestamps=compressed,
        developer_fields=developer,
        legacy_speed_altitude=legacy,
    )
    records = messages(decode(data), "record")
    for record in records:
        record.pop("Power", None)
        record.pop("speed", None)
        record.pop("altitude", None)
    assert_records_match(samples, records)
