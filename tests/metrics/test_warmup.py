"""The first 10 minutes of moving time against the rest, on runs with exactly known values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.metrics.motion import MAX_GAP_S
from analyzer.metrics.warmup import warm_up
from analyzer.model import Samples
from tests.factories import hand_motion, one_hz


def blocks(first_s: int, rest_s: int) -> dict[str, np.ndarray]:
    """Sample 0 starts the clock; then an easy opening and a faster, harder rest."""
    return {
        "speed_m_s": np.r_[2.8, np.full(first_s, 2.8), np.full(rest_s, 3.3)],
        "heart_rate_bpm": np.r_[130.0, np.full(first_s, 130.0), np.full(rest_s, 150.0)],
    }


def test_the_first_ten_minutes_split_exactly() -> None:
    got = warm_up(*one_hz(**blocks(600, 1200)))
    assert got.first_10min_speed_m_s == pytest.approx(2.8, rel=1e-12)
    assert got.rest_speed_m_s == pytest.approx(3.3, rel=1e-12)
    assert got.first_10min_hr_bpm == pytest.approx(130.0, rel=1e-12)
    assert got.rest_hr_bpm == pytest.approx(150.0, rel=1e-12)


def test_twenty_minutes_of_moving_time_is_the_shortest_run_judged() -> None:
    assert warm_up(*one_hz(**blocks(600, 600))).rest_hr_bpm == pytest.approx(150.0)
    short = warm_up(*one_hz(**blocks(600, 599)))
    assert all(math.isnan(v) for v in (short.first_10min_speed_m_s, short.rest_speed_m_s))
    assert all(math.isnan(v) for v in (short.first_10min_hr_bpm, short.rest_hr_bpm))


def test_stops_do_not_count_as_warm_up_minutes() -> None:
    # 300 s easy, a 300 s stop at a light (fast readings while standing are ignored),
    # 300 s easy, then 900 s faster: the opening is the 600 moving seconds either side.
    t = np.arange(1801.0)
    channels = blocks(900, 900)
    channels["speed_m_s"][301:601] = 9.9
    moving = np.r_[np.ones(301, bool), np.zeros(300, bool), np.ones(1200, bool)]
    got = warm_up(Samples.from_channels(t, **channels), hand_motion(t, moving))
    assert got.first_10min_speed_m_s == pytest.approx(2.8, rel=1e-12)
    assert got.rest_speed_m_s == pytest.approx(3.3, rel=1e-12)


def test_a_recording_gap_counts_as_ten_seconds() -> None:
    # A 600 s gap right after the start would be the whole opening if it counted in full:
    # it counts 10 s, and 590 one-second samples complete the opening.
    t = np.r_[0.0, np.arange(600.0, 1800.0 + 600.0)]
    speed = np.r_[2.8, np.full(591, 2.8), np.full(len(t) - 592, 3.3)]
    got = warm_up(Samples.from_channels(t, speed_m_s=speed), hand_motion(t))
    assert MAX_GAP_S == 10.0
    assert got.first_10min_speed_m_s == pytest.approx(2.8, rel=1e-12)
    assert got.rest_speed_m_s == pytest.approx(3.3, rel=1e-12)
    assert math.isnan(got.first_10min_hr_bpm)  # no heart rate recorded


def test_no_channels_give_nan_without_warnings() -> None:
    got = warm_up(*one_hz(cadence_spm=np.full(1801, 170.0)))
    assert all(
        math.isnan(v)
        for v in (got.first_10min_speed_m_s, got.rest_speed_m_s, got.first_10min_hr_bpm)
    )
    empty = warm_up(Samples.from_channels(np.array([])), hand_motion([]))
    assert math.isnan(empty.rest_hr_bpm)
