"""Elevation metrics on courses with exactly known climbing, descent and grade."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.metrics.elevation import (
    BAROMETRIC_MEDIAN_S,
    GPS_MEDIAN_S,
    HYSTERESIS_M,
    Elevation,
    altitude_source,
    ascent_descent_m,
    elevation,
    grade,
    grade_adjusted_speed_m_s,
)
from analyzer.metrics.motion import motion
from analyzer.model import FloatArray, Samples
from analyzer.readers.fit_reader import read_fit
from analyzer.readers.gpx import read_gpx
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from tests.factories import T0, activity

#: 10 km at 3 m/s, 1 sample/s, over five 30 m hills: 150 m up and 150 m down.
COURSE_SPEED_M_S = 3.0
COURSE_SAMPLES = 3334
COURSE_HILLS = 5
COURSE_ASCENT_M = 150.0
METRES_PER_DEGREE = 6_371_008.8 * np.pi / 180  # of latitude, on the motion module's sphere


def hill_course(
    noise_sd_m: float = 0.0, drift_m: float = 0.0, seed: int = 0, quantum_m: float = 0.2
) -> Samples:
    """The known course: altitude 100 + 15 (1 - cos) m, plus GPS-like Gaussian noise and a
    slow drift (a 20-minute sine) when asked, quantised like FIT altitude."""
    rng = np.random.default_rng(seed)
    i = np.arange(COURSE_SAMPLES, dtype=np.float64)
    distance = COURSE_SPEED_M_S * i
    phase = 2 * np.pi * COURSE_HILLS * distance / distance[-1]
    altitude = 100.0 + COURSE_ASCENT_M / COURSE_HILLS / 2 * (1 - np.cos(phase))
    altitude += rng.normal(0.0, noise_sd_m, len(i)) if noise_sd_m else 0.0
    altitude += drift_m * np.sin(2 * np.pi * i / 1200.0 + rng.uniform(0, 2 * np.pi))
    altitude = np.round(altitude / quantum_m) * quantum_m
    return Samples.from_channels(
        T0 + i,
        latitude_deg=47.0 + distance / METRES_PER_DEGREE,  # due north
        longitude_deg=np.full(len(i), 8.5),
        distance_m=distance,
        speed_m_s=np.full(len(i), COURSE_SPEED_M_S),
        altitude_m=altitude,
    )


def one_hour_run(noise_sd_m: float) -> tuple[Samples, FloatArray]:
    """3,600 samples of the course profile (for timing)."""
    n = 3600
    i = np.arange(n, dtype=np.float64)
    distance = COURSE_SPEED_M_S * i
    altitude = 100.0 + 15.0 * (1 - np.cos(2 * np.pi * 5 * i / n))
    altitude += np.random.default_rng(1).normal(0.0, noise_sd_m, n) if noise_sd_m else 0.0
    samples = Samples.from_channels(
        T0 + i, distance_m=distance, altitude_m=np.round(altitude * 5) / 5
    )
    return samples, distance


def measure(samples: Samples) -> Elevation:
    return elevation(samples, samples.distance_m, np.ones(len(samples), dtype=bool))


def test_a_smooth_barometric_course_climbs_what_it_climbs() -> None:
    got = measure(hill_course())
    assert got.altitude_source == "barometric"
    assert got.method == f"median {BAROMETRIC_MEDIAN_S:g} s + hysteresis {HYSTERESIS_M:.1f} m"
    assert got.ascent_m == pytest.approx(COURSE_ASCENT_M, rel=0.05)
    assert got.descent_m == pytest.approx(COURSE_ASCENT_M, rel=0.05)
    assert got.max_altitude_m == pytest.approx(130.0, abs=0.2)
    assert got.min_altitude_m == pytest.approx(100.0, abs=0.2)
    assert got.descent_per_km_m == pytest.approx(got.descent_m / 9.999)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6, 7])
def test_gps_noise_is_not_counted_as_climbing(seed: int) -> None:
    got = measure(hill_course(noise_sd_m=2.5, drift_m=2.0, seed=seed))
    assert got.altitude_source == "gps"
    assert got.method == f"median {GPS_MEDIAN_S:g} s + hysteresis {HYSTERESIS_M:.1f} m"
    assert got.ascent_m == pytest.approx(COURSE_ASCENT_M, rel=0.15)
    assert got.descent_m == pytest.approx(COURSE_ASCENT_M, rel=0.15)
    # The raw sum of every rise is what the method is there to avoid.
    raw_ascent_m, _ = ascent_descent_m(hill_course(2.5, 2.0, seed).altitude_m, 0.0)
    assert raw_ascent_m > 10 * COURSE_ASCENT_M


def test_the_course_survives_a_round_trip_through_fit_and_gpx() -> None:
    # A heart-rate strap makes it a recording: a GPX track at one speed without any sensor is
    # what a route planner writes, and is declined as a route.
    samples = dataclasses.replace(hill_course(), heart_rate_bpm=np.full(COURSE_SAMPLES, 150.0))
    course = activity(samples)
    fit = read_fit(fit_bytes(course), "course.fit")[0]
    gpx = read_gpx(gpx_bytes(course), "course.gpx")[0]  # no distance channel: from positions
    for back in (fit, gpx):
        move = motion(back)
        assert move.distance_m == pytest.approx(COURSE_SPEED_M_S * (COURSE_SAMPLES - 1), rel=1e-3)
        got = elevation(back.samples, move.cumulative_distance_m, move.moving)
        assert got.ascent_m == pytest.approx(COURSE_ASCENT_M, rel=0.05)
        assert got.descent_m == pytest.approx(COURSE_ASCENT_M, rel=0.05)


@pytest.mark.parametrize(
    ("altitude", "expected"),
    [
        ([0, 1, 0, 10, 9, 20], (20, 0)),  # 1 m wiggles on the way up do not count
        ([0, 10, 6, 20], (24, 4)),  # a 4 m dip counts whole, both ways
        ([0, 1, -5], (0, 5)),  # start-up noise: the descent counts from the start
        ([0, 1.5, -1.5, 1, 0.3], (0, 0)),  # all within a 3 m band
        ([5, 5, 7.5], (0, 0)),  # a net change under the threshold
        ([0, 3], (3, 0)),  # exactly the threshold counts
    ],
)
def test_the_hysteresis_counts_whole_swings_of_at_least_3_m(
    altitude: list[float], expected: tuple[float, float]
) -> None:
    assert ascent_descent_m(np.array(altitude, dtype=np.float64), 3.0) == expected


def test_a_start_up_spike_is_neither_climbing_nor_the_highest_point() -> None:
    # The Fenix 2 run in the corpus opens with 55 m, three samples at 142.4 m, then 56 m.
    altitude = np.r_[55.0, 142.4, 142.4, 142.4, np.full(600, 56.0)]
    t = T0 + np.arange(len(altitude), dtype=np.float64)
    got = measure(Samples.from_channels(t, distance_m=(t - T0) * 3, altitude_m=altitude))
    assert (got.ascent_m, got.descent_m) == (0.0, 0.0)
    assert got.max_altitude_m == 56.0


@pytest.mark.parametrize("n", [0, 1, 2])
def test_a_track_of_almost_nothing_has_no_climb(n: int) -> None:
    t = T0 + np.arange(n, dtype=np.float64)
    got = measure(Samples.from_channels(t, distance_m=t - T0, altitude_m=np.full(n, 300.0)))
    if n == 0:
        assert math.isnan(got.ascent_m) and got.altitude_source == "none"
    else:
        assert (got.ascent_m, got.descent_m) == (0.0, 0.0)
    assert math.isnan(got.steepest_descent_grade_pct)


def test_a_track_without_altitude_has_no_elevation() -> None:
    samples = Samples.from_channels(T0 + np.arange(100.0), distance_m=np.arange(100.0) * 3)
    got = measure(samples)
    assert math.isnan(got.ascent_m) and math.isnan(got.descent_m)
    assert got.altitude_source == "none" and got.method == "none"
    assert math.isnan(got.max_altitude_m) and math.isnan(got.steep_descent_distance_m)
    assert np.isnan(grade(samples, samples.distance_m)).all()


def test_the_source_is_told_from_the_smoothness_of_the_data() -> None:
    assert altitude_source(hill_course().altitude_m) == "barometric"
    assert altitude_source(hill_course(noise_sd_m=2.5).altitude_m) == "gps"
    assert altitude_source(np.full(10, np.nan)) == "none"


def test_short_gaps_are_bridged_and_long_gaps_are_not() -> None:
    t = np.arange(1800.0)
    altitude = np.where(t < 900, 100.0, 120.0)  # a 20 m step at 15 min
    short = np.where(np.abs(t - 900) <= 15, np.nan, altitude)  # 30 s without altitude
    long = np.where(np.abs(t - 900) <= 300, np.nan, altitude)  # 10 min without altitude
    lead = np.where(t < 60, np.nan, altitude)  # no altitude for the first minute
    for alt, ascent_m in ((short, 20.0), (long, 0.0), (lead, 20.0)):
        samples = Samples.from_channels(t, distance_m=t * 3, altitude_m=alt)
        got = measure(samples)
        assert got.ascent_m == pytest.approx(ascent_m)
        assert got.descent_m == 0.0


def test_a_known_steep_descent_is_measured() -> None:
    # 1 km flat, 1 km at -8 %, 1 km flat at 3 m/s; the barometer quantises to 0.2 m.
    distance = np.arange(0.0, 3000.0, 3.0)
    altitude = 200.0 - 0.08 * np.clip(distance - 1000.0, 0.0, 1000.0)
    samples = Samples.from_channels(
        T0 + distance / 3, distance_m=distance, altitude_m=np.round(altitude * 5) / 5
    )
    got = measure(samples)
    assert got.steep_descent_distance_m == pytest.approx(1000.0, rel=0.1)
    assert got.steep_descent_time_s == pytest.approx(1000.0 / 3, rel=0.1)
    assert got.steepest_descent_grade_pct == pytest.approx(-8.0, abs=0.2)
    assert got.descent_m == pytest.approx(80.0, abs=1.0) and got.ascent_m == 0.0
    slope = grade(samples, distance)
    assert np.nanmedian(slope[(distance > 1100) & (distance < 1900)]) == pytest.approx(
        -0.08, abs=1e-3
    )
    assert np.nanmax(np.abs(slope[distance < 900])) < 0.005
    # Stationary time on the slope is not steep-descent running.
    standing = elevation(samples, distance, distance < 1500)
    assert standing.steep_descent_distance_m == pytest.approx(500.0, rel=0.1)


def test_a_short_track_has_no_sustained_grade() -> None:
    distance = np.arange(0.0, 150.0, 3.0)
    samples = Samples.from_channels(
        T0 + distance / 3, distance_m=distance, altitude_m=-0.1 * distance
    )
    assert math.isnan(measure(samples).steepest_descent_grade_pct)


def test_grade_adjusted_speed_follows_minetti() -> None:
    speed = np.full(6, 3.0)
    slope = np.array([0.0, 0.05, 0.10, -0.10, 0.60, np.nan])
    got = grade_adjusted_speed_m_s(speed, slope)
    assert got[0] == 3.0  # the flat is the reference
    assert got[2] > got[1] > 3.0  # uphill costs more
    assert got[3] < 3.0  # a gentle downhill costs less
    cost_10 = 155.4e-5 - 30.4e-4 - 43.3e-3 + 46.3e-2 + 19.5e-1 + 3.6
    assert got[2] == pytest.approx(3.0 * cost_10 / 3.6)
    assert got[4] == grade_adjusted_speed_m_s(np.array([3.0]), np.array([0.45]))[0]
    assert math.isnan(got[5])


# Altitudes on a 1/8 m grid and whole-metre shifts keep the arithmetic exact in binary.
altitude_lists = st.lists(
    st.integers(-800, 800).map(lambda k: 100.0 + k / 8), min_size=1, max_size=300
)


def along(altitude: list[float], step_m: list[float] | None = None) -> tuple[Samples, FloatArray]:
    n = len(altitude)
    steps = np.array(step_m[: n - 1] if step_m else [3.0] * (n - 1), dtype=np.float64)
    distance: FloatArray = np.concatenate([[0.0], np.cumsum(steps)])
    t = T0 + np.arange(n, dtype=np.float64)
    return Samples.from_channels(t, distance_m=distance, altitude_m=altitude), distance


@settings(max_examples=300, deadline=None)
@given(altitude_lists, st.integers(-3000, 3000))
def test_ascent_is_never_negative_and_ignores_a_constant_shift(
    alt: list[float], shift: int
) -> None:
    samples, distance = along(alt)
    shifted, _ = along([a + shift for a in alt])
    moving = np.ones(len(alt), dtype=bool)
    got, moved = elevation(samples, distance, moving), elevation(shifted, distance, moving)
    assert got.ascent_m >= 0 and got.descent_m >= 0
    assert (moved.ascent_m, moved.descent_m) == (got.ascent_m, got.descent_m)
    assert moved.altitude_source == got.altitude_source


@settings(max_examples=300, deadline=None)
@given(altitude_lists, st.lists(st.floats(0.0, 10.0), min_size=300, max_size=300))
def test_reversing_the_track_swaps_ascent_and_descent(
    alt: list[float], step_m: list[float]
) -> None:
    samples, distance = along(alt, step_m)
    backward, _ = along(alt[::-1])
    moving = np.ones(len(alt), dtype=bool)
    got = elevation(samples, distance, moving)
    back = elevation(backward, distance[-1] - distance[::-1], moving)
    assert (back.ascent_m, back.descent_m) == (got.descent_m, got.ascent_m)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-500, 5000) | st.just(math.nan), min_size=1, max_size=200),
    st.sampled_from([0.0, 1.0, 2.5, 3.0]),
)
def test_the_hysteresis_is_symmetric_on_any_floats(alt: list[float], threshold: float) -> None:
    x = np.array(alt)
    ascent, descent = ascent_descent_m(x, threshold)
    back_ascent, back_descent = ascent_descent_m(x[::-1].copy(), threshold)
    assert ascent >= 0 and descent >= 0
    assert back_ascent == pytest.approx(descent, rel=1e-12, abs=1e-9)
    assert back_descent == pytest.approx(ascent, rel=1e-12, abs=1e-9)
    if threshold == 0.0:  # the raw sum: rises minus falls is the net change per segment
        finite = x[np.isfinite(x)]
        if len(finite) == len(x) and len(x):
            assert ascent - descent == pytest.approx(x[-1] - x[0], abs=1e-6)
