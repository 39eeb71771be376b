"""Clocks and sensors that lie: written with the project's own writers in every format, read
back, and checked for what the readers do about them. Where the fix is certain it is made
(sorted, dropped, set missing), and either way the activity's notes say so. Values a format
cannot hold at all (FIT has no altitude below -500 m and no heart rate of 255) arrive as the
format's invalid value and read as missing, which needs no note.

GPS jumps are the metrics' business (``metrics.motion`` rejects and counts them): checked here
end to end, from a file with jumps to a distance that is not inflated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pytest

from analyzer.errors import ReadError
from analyzer.metrics.motion import motion
from analyzer.model import Activity, Samples
from analyzer.readers import read_bytes
from analyzer.readers.common import sanitize
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.tcx_writer import tcx_bytes
from tests.factories import activity, full_samples

WRITERS: dict[str, Callable[[Activity], bytes]] = {
    "fit": fit_bytes,
    "gpx": gpx_bytes,
    "tcx": tcx_bytes,
}
FORMATS = sorted(WRITERS)


def posix(*when: int) -> float:
    return datetime(*when, tzinfo=UTC).timestamp()  # type: ignore[misc]


def with_channels(n: int = 60, **changes: np.ndarray) -> Samples:
    return dataclasses.replace(full_samples(n), **changes)


def round_trip(samples: Samples, fmt: str) -> Activity:
    (read,) = read_bytes(WRITERS[fmt](activity(samples)), f"bad.{fmt}")
    return read


def has_note(read: Activity, *words: str) -> bool:
    return any(all(w in note for w in words) for note in read.notes)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_clean_file_gets_no_repairs_and_no_notes(fmt: str) -> None:
    read = round_trip(full_samples(60), fmt)
    assert read.notes == ()
    repaired, notes = sanitize(read.samples)
    assert repaired is read.samples and notes == ()


@pytest.mark.parametrize("fmt", FORMATS)
def test_times_going_backwards_are_sorted_with_a_note(fmt: str) -> None:
    base = full_samples(60)
    order = np.arange(60)
    order[[10, 11, 12]] = [12, 10, 11]  # one sample written two places too late
    order[40], order[41] = 41, 40
    read = round_trip(base.select(order), fmt)
    assert has_note(read, "out of time order", "sorted")
    np.testing.assert_array_equal(read.samples.time_s, np.sort(base.time_s))
    # the values moved with their times: heart rate is 140 + i % 20 at time T0 + i
    np.testing.assert_array_equal(read.samples.heart_rate_bpm, 140 + np.arange(60) % 20)


@pytest.mark.parametrize("fmt", FORMATS)
def test_repeated_times_are_kept_and_noted(fmt: str) -> None:
    base = full_samples(60)
    t = base.time_s.copy()
    t[21] = t[20]  # the same time, a different sample
    read = round_trip(dataclasses.replace(base, time_s=t), fmt)
    assert len(read.samples) == 60
    assert has_note(read, "1 sample shares a time with the one before", "kept")
    # the metrics give the repeat a zero-length interval: no time is counted twice
    assert motion(read).interval_s[21] == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_times_before_1990_or_after_2100_are_dropped_with_a_note(fmt: str) -> None:
    base = full_samples(60)
    t = base.time_s.copy()
    t[0] = posix(1989, 12, 31, 12)  # FIT can write it (its epoch is 1989-12-31)
    t[1] = posix(1989, 12, 31, 23, 59, 59)
    t[-1] = posix(2105, 6, 1)  # a uint32 FIT time reaches 2126
    read = round_trip(dataclasses.replace(base, time_s=t), fmt)
    assert len(read.samples) == 57
    assert has_note(read, "dropped 3 samples timed outside 1990-2100")
    assert read.start_time.timestamp() == base.time_s[2]
    assert read.samples.time_s[-1] == base.time_s[-2]
    # no 80-year interval for the metrics to count as moving or paused time
    assert motion(read).interval_s.max() == 1.0


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_gps_placeholder_times_before_1980_are_dropped_with_a_note(fmt: str) -> None:
    base = full_samples(20)
    t = base.time_s.copy()
    t[:2] = posix(1975, 1, 1)
    read = round_trip(dataclasses.replace(base, time_s=t), fmt)
    assert len(read.samples) == 18
    assert has_note(read, "dropped 2", "before 1980")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_timed_only_outside_1990_2100_is_one_read_error(fmt: str) -> None:
    base = full_samples(10)
    t = posix(2110, 1, 1) + np.arange(10.0)
    with pytest.raises(ReadError) as caught:
        round_trip(dataclasses.replace(base, time_s=t), fmt)
    assert "1990" in caught.value.reason and "2100" in caught.value.reason


@pytest.mark.parametrize("fmt", FORMATS)
def test_positions_at_null_island_become_missing_with_a_note(fmt: str) -> None:
    base = full_samples(60)
    lat, lon = base.latitude_deg.copy(), base.longitude_deg.copy()
    lat[5:8] = lon[5:8] = 0.0
    read = round_trip(dataclasses.replace(base, latitude_deg=lat, longitude_deg=lon), fmt)
    assert has_note(read, "removed 3 positions at 0°N 0°E")
    assert np.isnan(read.samples.latitude_deg[5:8]).all()
    assert np.isnan(read.samples.longitude_deg[5:8]).all()
    assert np.isfinite(read.samples.latitude_deg[8:]).all()
    # no 6,000 km trip to the Gulf of Guinea and back
    assert motion(read).distance_m == pytest.approx(motion(round_trip(base, fmt)).distance_m)


def test_a_position_on_the_equator_or_the_meridian_alone_is_kept() -> None:
    samples = Samples.from_channels(
        [1e9, 1e9 + 1], latitude_deg=[0.0, 0.0001], longitude_deg=[9.0, 0.0]
    )
    repaired, notes = sanitize(samples)
    assert notes == () and repaired is samples


@pytest.mark.parametrize("fmt", FORMATS)
def test_absurd_altitudes_become_missing(fmt: str) -> None:
    base = full_samples(60)
    alt = base.altitude_m.copy()
    alt[10], alt[20], alt[30] = -1000.0, 20_000.0, np.nan
    read = round_trip(dataclasses.replace(base, altitude_m=alt), fmt)
    assert np.isnan(read.samples.altitude_m[[10, 20, 30]]).all()
    assert np.isfinite(np.delete(read.samples.altitude_m, [10, 20, 30])).all()
    # FIT cannot hold -1000 m: the writer stores its invalid value, which needs no note
    n_noted = 1 if fmt == "fit" else 2
    assert has_note(read, f"removed {n_noted} altitude value", "-500..9000")


@pytest.mark.parametrize("fmt", FORMATS)
def test_heart_rates_no_heart_beats_at_become_missing(fmt: str) -> None:
    base = full_samples(60)
    hr = base.heart_rate_bpm.copy()
    hr[[3, 4, 5]] = [0.0, 12.0, 255.0]  # 255: FIT's invalid value for a uint8
    read = round_trip(dataclasses.replace(base, heart_rate_bpm=hr), fmt)
    assert np.isnan(read.samples.heart_rate_bpm[[3, 4, 5]]).all()
    n_noted = 2 if fmt == "fit" else 3
    assert has_note(read, f"removed {n_noted} heart rate values outside 25..250")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_per_foot_cadence_of_255_becomes_missing(fmt: str) -> None:
    base = full_samples(60)
    cadence = base.cadence_spm.copy()
    cadence[[7, 8]] = 510.0  # 255 per foot: the uint8 invalid value leaking through
    read = round_trip(dataclasses.replace(base, cadence_spm=cadence), fmt)
    assert np.isnan(read.samples.cadence_spm[[7, 8]]).all()
    assert np.nanmax(read.samples.cadence_spm) < 180
    if fmt != "fit":  # FIT reads 255 as its invalid value already
        assert has_note(read, "removed 2 cadence values outside 0..300")


@pytest.mark.parametrize("fmt", FORMATS)
def test_gps_jumps_are_rejected_and_do_not_inflate_the_distance(fmt: str) -> None:
    """Positions 3 m a second along a meridian; two fixes 100 m off (100 m/s there and back).
    No distance channel, so the distance is the GPS's, where the jumps would count."""
    n = 120
    clean = dataclasses.replace(
        full_samples(n),
        latitude_deg=46.0 + np.arange(n) * 3.0 / 111_195.0,
        longitude_deg=np.full(n, 13.0),
        distance_m=np.full(n, np.nan),
    )
    jumped_lat = clean.latitude_deg.copy()
    jumped_lat[[40, 80]] += 100.0 / 111_195.0
    jumped = dataclasses.replace(clean, latitude_deg=jumped_lat)
    read_clean, read_jumped = round_trip(clean, fmt), round_trip(jumped, fmt)
    got, want = motion(read_jumped), motion(read_clean)
    assert got.distance_source == want.distance_source == "gps"
    assert want.rejected_jumps == 0
    assert got.rejected_jumps == 4  # out and back, twice
    # the jump steps are dropped, with the real 3 m steps around them: at most 4 x 3 m short
    assert want.distance_m - 12.5 <= got.distance_m <= want.distance_m + 0.01


def test_sanitize_notes_each_repair_once_and_changes_nothing_else() -> None:
    base = full_samples(30)
    t = base.time_s.copy()
    t[[5, 6]] = t[[6, 5]]
    t[0] = np.nan
    t[20] = t[19]
    hr = base.heart_rate_bpm.copy()
    hr[10] = 300.0
    bad = dataclasses.replace(base, time_s=t, heart_rate_bpm=hr)
    fixed, notes = sanitize(bad)
    assert notes == (
        "dropped 1 sample timed outside 1990-2100 (clock not set)",
        "samples were out of time order (1 step back); sorted",
        "1 sample shares a time with the one before; kept",
        "removed 1 heart rate value outside 25..250",
    )
    assert len(fixed) == 29
    assert (np.diff(fixed.time_s) >= 0).all()
    np.testing.assert_array_equal(
        fixed.power_w, np.delete(base.power_w, 0)[[*range(4), 5, 4, *range(6, 29)]]
    )


def test_a_tcx_whose_laps_have_no_readable_start_still_reads() -> None:
    """Found by the 1990-2100 test: with no usable lap start the lap builder used to raise."""
    text = tcx_bytes(activity(full_samples(5))).decode()
    start = text.index('StartTime="') + len('StartTime="')
    data = (text[:start] + "not a time" + text[text.index('"', start) :]).encode()
    (read,) = read_bytes(data, "x.tcx")
    assert read.laps == () and len(read.samples) == 5
