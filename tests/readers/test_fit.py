"""The FIT reader on files the project's writer made with exactly known values."""

from __future__ import annotations

import dataclasses
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import FitDeclined, ReadError
from analyzer.model import DeviceTotals, Lap, Pause, Samples, Sport, utc_from_posix
from analyzer.readers import fit_decoder
from analyzer.readers.fit_crc import crc16
from analyzer.readers.fit_reader import read_fit
from analyzer.samplegen.fit_writer import fit_bytes, fit_multisport_bytes
from tests.factories import T0, activity, full_samples

VARIANTS = [
    {},
    {"big_endian": True},
    {"compressed_timestamps": True},
    {"developer_fields": True},
    {"legacy_speed_altitude": True},
    {"big_endian": True, "compressed_timestamps": True, "developer_fields": True},
]
SEMICIRCLE_DEG = 180 / 2**31


def expected_at_fit_resolution(samples: Samples) -> dict[str, np.ndarray]:
    """What a FIT file can hold of each channel (the profile's scale, integer raw values)."""

    def q(values: np.ndarray, scale: float, offset: float = 0.0) -> np.ndarray:
        return np.round((values + offset) * scale) / scale - offset

    rpm = samples.cadence_spm / 2
    whole = np.floor(rpm)
    return {
        "time_s": np.round(samples.time_s),
        "latitude_deg": np.round(samples.latitude_deg / SEMICIRCLE_DEG) * SEMICIRCLE_DEG,
        "longitude_deg": np.round(samples.longitude_deg / SEMICIRCLE_DEG) * SEMICIRCLE_DEG,
        "distance_m": q(samples.distance_m, 100),
        "speed_m_s": q(samples.speed_m_s, 1000),
        "altitude_m": q(samples.altitude_m, 5, 500),
        "heart_rate_bpm": np.round(samples.heart_rate_bpm),
        "cadence_spm": 2 * (whole + np.round((rpm - whole) * 128) / 128),
        "step_length_m": q(samples.step_length_m, 10_000),
        "ground_contact_time_s": q(samples.ground_contact_time_s, 10_000),
        "vertical_oscillation_m": q(samples.vertical_oscillation_m, 10_000),
        "vertical_ratio_pct": q(samples.vertical_ratio_pct, 100),
        "contact_balance_left_pct": q(samples.contact_balance_left_pct, 100),
        "temperature_c": np.round(samples.temperature_c),
        "power_w": np.round(samples.power_w),
    }


def assert_samples_equal(got: Samples, want: Samples) -> None:
    for channel, expected in expected_at_fit_resolution(want).items():
        np.testing.assert_allclose(
            getattr(got, channel), expected, rtol=0, atol=1e-9, err_msg=channel
        )


@pytest.mark.parametrize("options", VARIANTS, ids=lambda o: "+".join(o) or "default")
def test_round_trip_is_exact_to_fit_resolution(options: dict[str, bool]) -> None:
    samples = full_samples(600)
    run = activity(
        samples,
        utc_offset_s=7200,
        device="garmin/fr935",
        pauses=(Pause(T0 + 100.5, T0 + 160.5),),
        laps=(
            Lap(utc_from_posix(T0), 300.0, 300.0, 941.1),
            Lap(utc_from_posix(T0 + 300), 299.0, 239.0, 940.0),
        ),
    )
    (got,) = read_fit(fit_bytes(run, **options), "run.fit")
    assert_samples_equal(got.samples, samples)
    assert got.sport is Sport.RUNNING
    assert got.start_time == utc_from_posix(T0)
    assert got.utc_offset_s == 7200
    assert got.device == "garmin/fr935"
    assert got.cadence_doubled
    assert [(p.start_s, p.end_s) for p in got.pauses] == [(T0 + 100, T0 + 160)]  # whole seconds
    assert [(lap.elapsed_time_s, lap.distance_m) for lap in got.laps] == [
        (300.0, 941.1),
        (299.0, 940.0),
    ]
    assert got.notes == ()


@settings(max_examples=40, deadline=None)
@given(
    # Realistic running: a per-foot median of 120 or more reads as steps/min already.
    spm=st.lists(st.floats(100, 238), min_size=2, max_size=50),
    hr=st.lists(st.integers(40, 220), min_size=2, max_size=50),
)
def test_cadence_and_heart_rate_round_trip(spm: list[float], hr: list[int]) -> None:
    n = min(len(spm), len(hr))
    samples = Samples.from_channels(
        T0 + np.arange(n) * 2.0, cadence_spm=spm[:n], heart_rate_bpm=hr[:n]
    )
    (got,) = read_fit(fit_bytes(activity(samples)), "run.fit")
    assert_samples_equal(got.samples, samples)


def test_device_totals_come_from_the_session() -> None:
    totals = DeviceTotals(distance_m=1234.56, elapsed_time_s=400.0, timer_time_s=380.0,
                          ascent_m=12, descent_m=9, avg_cadence_spm=171.25)  # fmt: skip
    (got,) = read_fit(fit_bytes(activity(full_samples(400), device_totals=totals)), "run.fit")
    assert got.device_totals == totals


@pytest.mark.parametrize(
    ("sport", "sub_sport"),
    [
        (Sport.RUNNING, "generic"),
        (Sport.TRAIL_RUNNING, "trail"),
        (Sport.TREADMILL, "treadmill"),
        (Sport.TRACK, "track"),
        (Sport.WALKING, "generic"),
        (Sport.HIKING, "generic"),
        (Sport.CYCLING, "generic"),
    ],
)
def test_sport_and_sub_sport(sport: Sport, sub_sport: str) -> None:
    (got,) = read_fit(fit_bytes(activity(full_samples(10), sport=sport)), "x.fit")
    assert (got.sport, got.sub_sport) == (sport, sub_sport)
    # Pedal cadence is not steps: a ride keeps no cadence_spm.
    assert got.samples.has("cadence_spm") == (sport is not Sport.CYCLING)


def test_multisport_gives_one_activity_per_session() -> None:
    swim = activity(full_samples(50, T0), sport=Sport.SWIMMING)
    ride = activity(full_samples(80, T0 + 60), sport=Sport.CYCLING)
    run = activity(full_samples(70, T0 + 150), sport=Sport.RUNNING)
    got = read_fit(fit_multisport_bytes([swim, ride, run]), "tri.fit")
    assert [(a.sport, a.session_index, len(a.samples)) for a in got] == [
        (Sport.SWIMMING, 0, 50),
        (Sport.CYCLING, 1, 80),
        (Sport.RUNNING, 2, 70),
    ]
    assert got[2].id == "tri.fit#2"
    assert_samples_equal(got[2].samples, run.samples)


def test_chained_files_give_one_activity_each() -> None:
    first = activity(full_samples(30, T0))
    second = activity(full_samples(40, T0 + 3600))
    got = read_fit(fit_bytes(first) + fit_bytes(second), "chained.fit")
    assert [(a.session_index, len(a.samples)) for a in got] == [(0, 30), (1, 40)]


def test_a_bad_crc_loses_nothing() -> None:
    run = activity(full_samples(100))
    (good,) = read_fit(fit_bytes(run), "a.fit")
    (bad,) = read_fit(fit_bytes(run, corrupt_crc=True), "b.fit")
    assert_samples_equal(bad.samples, good.samples)


def test_every_truncation_keeps_the_whole_records_before_the_cut() -> None:
    run = activity(full_samples(120))
    data = fit_bytes(run)
    (whole,) = read_fit(data, "run.fit")
    for cut in range(1, len(data) - 2, 37):
        try:
            (part,) = read_fit(data[:cut], "run.fit")
        except ReadError as exc:
            assert exc.reason  # too little left to hold a record: a reason, never a crash
            continue
        n = len(part.samples)
        assert 0 < n <= 120
        np.testing.assert_array_equal(part.samples.time_s, whole.samples.time_s[:n])
        np.testing.assert_array_equal(part.samples.heart_rate_bpm, whole.samples.heart_rate_bpm[:n])
        assert any("truncated" in note for note in part.notes)


def _handmade_fit(record_fields: list[tuple[int, int, int]], payload: bytes) -> bytes:
    """A FIT file with one record definition (field number, size, base type) and one message."""
    definition = struct.pack("<BBBHB", 0x40, 0, 0, 20, len(record_fields))
    definition += b"".join(struct.pack("<BBB", *f) for f in record_fields)
    body = definition + b"\x00" + payload
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", crc16(header))
    data = header + body
    return data + struct.pack("<H", crc16(data))


def test_the_fast_decoder_declines_what_it_cannot_take_and_fitparse_reads_it() -> None:
    # heart_rate declared as a string: no guess at what the app meant.
    data = _handmade_fit(
        [(253, 4, 0x86), (3, 2, 0x07)], struct.pack("<I", 1_000_000_000) + b"x\x00"
    )
    with pytest.raises(FitDeclined, match="message 20 field 3 is a string"):
        fit_decoder.decode(data)
    (got,) = read_fit(data, "odd.fit")
    assert got.samples.time_s.tolist() == [1_000_000_000 + fit_decoder.FIT_EPOCH_POSIX_S]
    assert got.notes[0].startswith("decoded by fitparse: the fast decoder declined")


def test_not_a_fit_file_is_a_read_error() -> None:
    with pytest.raises(ReadError):
        read_fit(b"\x0e\x20" + b"\x00" * 20, "junk.fit")


def test_a_file_without_records_is_a_read_error_with_reason() -> None:
    empty = activity(Samples.from_channels([]))
    with pytest.raises(ReadError, match="no activity records"):
        read_fit(fit_bytes(empty), "empty.fit")


def test_records_before_the_first_session_start_are_not_lost_without_sessions() -> None:
    # A file cut before its session message: one activity from all records, said so.
    data = fit_bytes(activity(full_samples(50)))
    session_free = dataclasses.replace(activity(full_samples(50)))
    (got,) = read_fit(data[: len(data) // 2], session_free.path)
    assert "no session message: one activity from all records" in got.notes
