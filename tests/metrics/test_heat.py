"""Time at warm and hot temperatures on runs with an exactly known temperature channel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.metrics.heat import heat
from analyzer.metrics.motion import MAX_GAP_S
from analyzer.model import Samples
from tests.factories import hand_motion, one_hz


def test_minutes_at_or_above_18_and_25_c() -> None:
    # After the first sample: 600 s at 15 C, 600 s at 20 C, 600 s at 26 C.
    temperature = np.r_[15.0, np.full(600, 15.0), np.full(600, 20.0), np.full(600, 26.0)]
    got = heat(*one_hz(temperature_c=temperature))
    assert got.time_at_or_above_18c_s == 1200.0
    assert got.time_at_or_above_25c_s == 600.0
    assert got.mean_c == pytest.approx((15 + 20 + 26) / 3, rel=1e-12)
    assert got.max_c == 26.0


def test_the_thresholds_themselves_count() -> None:
    got = heat(*one_hz(temperature_c=[18.0, 17.9, 18.0, 24.9, 25.0]))
    assert (got.time_at_or_above_18c_s, got.time_at_or_above_25c_s) == (3.0, 1.0)


def test_stops_gaps_and_no_reading_values_are_left_out() -> None:
    # 60 s moving at 20 C; 60 s standing in the sun at 30 C; a 120 s gap; 60 s with FIT's
    # "no reading" 127 written as a number; then 30 s at 22 C.
    t = np.r_[np.arange(0.0, 121.0), np.arange(241.0, 331.0)]
    temperature = np.r_[
        np.full(61, 20.0), np.full(60, 30.0), 22.0, np.full(59, 127.0), np.full(30, 22.0)
    ]
    moving = np.r_[np.ones(61, bool), np.zeros(60, bool), np.ones(90, bool)]
    got = heat(Samples.from_channels(t, temperature_c=temperature), hand_motion(t, moving))
    assert got.time_at_or_above_18c_s == 60 + MAX_GAP_S + 30
    assert got.time_at_or_above_25c_s == 0.0
    assert got.max_c == 22.0


def test_no_temperature_gives_nan_and_zero_times() -> None:
    got = heat(*one_hz(heart_rate_bpm=np.full(100, 150.0)))
    assert math.isnan(got.mean_c) and math.isnan(got.max_c)
    assert (got.time_at_or_above_18c_s, got.time_at_or_above_25c_s) == (0.0, 0.0)
