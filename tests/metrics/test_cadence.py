"""Cadence statistics and the cadence-vs-speed line on runs with exactly known values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.metrics.cadence import cadence, weighted_quantile
from analyzer.metrics.dynamics import dynamics
from analyzer.metrics.motion import Motion
from analyzer.model import Samples


def steady_motion(n: int, interval_s: float = 1.0) -> Motion:
    interval = np.full(n, interval_s)
    interval[0] = 0.0
    moving = np.ones(n, dtype=bool)
    moving[0] = False
    return Motion(interval, moving, np.arange(n) * 3.0, "device", 0)


def test_statistics_are_time_weighted_and_leave_out_zeros() -> None:
    # 600 s at 170 spm, 300 s at 150, then a stand at zero cadence (timer running).
    cad = np.r_[np.full(601, 170.0), np.full(300, 150.0), np.zeros(60)]
    speed = np.r_[np.full(601, 3.4), np.full(300, 2.6), np.zeros(60)]
    samples = Samples.from_channels(np.arange(961.0), cadence_spm=cad, speed_m_s=speed)
    got = cadence(samples, steady_motion(961))
    assert got.mean_spm == pytest.approx((600 * 170 + 300 * 150) / 900)
    assert got.median_spm == 170.0
    assert (got.p10_spm, got.p90_spm) == (150.0, 170.0)
    assert got.time_below_160_s == 300.0
    assert got.step_length_m == pytest.approx((600 * 3.4 * 60 / 170 + 300 * 2.6 * 60 / 150) / 900)


def test_the_cadence_speed_line_recovers_a_known_relation() -> None:
    speed = np.linspace(2.5, 4.5, 1200)
    samples = Samples.from_channels(
        np.arange(1200.0), speed_m_s=speed, cadence_spm=140.0 + 8.0 * speed
    )
    got = cadence(samples, steady_motion(1200))
    assert got.slope_spm_per_m_s == pytest.approx(8.0)
    assert got.intercept_spm == pytest.approx(140.0)


def test_a_run_at_one_pace_has_no_line() -> None:
    samples = Samples.from_channels(
        np.arange(600.0), speed_m_s=np.full(600, 3.0), cadence_spm=np.full(600, 168.0)
    )
    got = cadence(samples, steady_motion(600))
    assert np.isnan(got.slope_spm_per_m_s) and np.isnan(got.intercept_spm)


def test_no_cadence_channel_gives_nan_without_warnings() -> None:
    samples = Samples.from_channels(np.arange(100.0), speed_m_s=np.full(100, 3.0))
    got = cadence(samples, steady_motion(100))
    assert np.isnan(got.mean_spm) and np.isnan(got.median_spm) and got.time_below_160_s == 0.0


def test_form_drift_compares_the_last_quarter_with_the_first_half() -> None:
    n = 2401  # 40 minutes at 1 Hz, steady pace; cadence falls 3 % and contact time rises 6 %
    late = np.arange(n) > 1800
    samples = Samples.from_channels(
        np.arange(float(n)),
        speed_m_s=np.full(n, 3.0),
        cadence_spm=np.where(late, 165.0 * 0.97, 165.0),
        ground_contact_time_s=np.where(late, 0.25 * 1.06, 0.25),
    )
    got = dynamics(samples, steady_motion(n))
    assert got.cadence_drift_pct == pytest.approx(-3.0)
    assert got.contact_time_drift_pct == pytest.approx(6.0)
    assert np.isnan(got.vertical_oscillation_drift_pct)  # not recorded
    assert got.ground_contact_time_s == pytest.approx((1800 * 0.25 + 600 * 0.265) / 2400)


def test_drift_ignores_a_faster_finish() -> None:
    n = 2401
    fast = np.arange(n) > 1800
    samples = Samples.from_channels(
        np.arange(float(n)),
        speed_m_s=np.where(fast, 4.0, 3.0),
        cadence_spm=np.where(fast, 175.0, 165.0),
    )
    assert np.isnan(dynamics(samples, steady_motion(n)).cadence_drift_pct)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(100, 220), min_size=1, max_size=40),
    weights=st.lists(st.floats(0.1, 10), min_size=40, max_size=40),
)
def test_weighted_quantiles_are_ordered_and_within_the_values(
    values: list[float], weights: list[float]
) -> None:
    v, w = np.array(values), np.array(weights[: len(values)])
    p10, p50, p90 = (weighted_quantile(v, w, q) for q in (0.1, 0.5, 0.9))
    assert min(values) <= p10 <= p50 <= p90 <= max(values)
