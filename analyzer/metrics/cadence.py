"""Cadence (steps/min) and step length over the moving part of a run.

Averages are weighted by each sample's interval: smart recording writes more samples where
things change, so a plain mean over samples would overweight those moments. Zeros are left
out: devices write zero cadence while the runner stands with the timer running, and a moving
runner's cadence is never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analyzer.metrics.motion import MAX_GAP_S, Motion
from analyzer.model import FloatArray, Samples

LOW_CADENCE_SPM = 160.0  # evidence.md, low_cadence: the caution line
#: Speeds between which a runner is running rather than walking or sprinting: the range the
#: cadence-vs-speed line is fitted over.
RUNNING_SPEED_RANGE_M_S = (1.8, 7.0)
MIN_FIT_SPAN_M_S = 0.3  # narrower spread of speeds than this cannot give a slope


@dataclass(frozen=True, slots=True)
class Cadence:
    mean_spm: float
    median_spm: float
    p10_spm: float
    p90_spm: float
    time_below_160_s: float
    step_length_m: float  # time-weighted mean over the same samples
    # cadence = intercept + slope x speed over this run's running samples (NaN if too uniform)
    slope_spm_per_m_s: float
    intercept_spm: float


def stepping(samples: Samples, motion: Motion) -> npt.NDArray[np.bool_]:
    """Moving samples with a cadence reading above zero."""
    cadence = samples.cadence_spm
    return motion.moving & np.isfinite(cadence) & (cadence > 0)


def weights_s(motion: Motion, mask: npt.NDArray[np.bool_]) -> FloatArray:
    """Each selected sample's interval, capped so a recording gap does not dominate."""
    return np.minimum(motion.interval_s[mask], MAX_GAP_S)


def weighted_mean(values: FloatArray, weights: FloatArray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    v, w = (values, weights) if ok.all() else (values[ok], weights[ok])  # usually no copies
    # np.average's own arithmetic (product summed, over the summed weights) without its
    # argument checks, which cost more than the sums on a run; the weights here are > 0.
    return float(np.multiply(v, w).sum() / w.sum())


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """The value below which a fraction ``q`` of the weight lies."""
    return weighted_quantiles(values, weights, (q,))[0]


def weighted_quantiles(values: FloatArray, weights: FloatArray, qs: Sequence[float]) -> list[float]:
    """``weighted_quantile`` for each of ``qs``, from one sort (the sort is most of the cost)."""
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return [float("nan")] * len(qs)
    v, w = values[ok], weights[ok]
    fractions = np.asarray(qs, dtype=np.float64)
    if (w == w[0]).all():
        # Equal weights (a steady recording interval) are the same array in any order, so
        # their running sum needs no sort, and the value at each index is an order statistic:
        # a partial sort finds it. Only a zero could differ (-0.0 == 0.0, in stable order).
        cumulative = np.cumsum(w)
        at = np.searchsorted(cumulative, fractions * cumulative[-1])
        found = np.partition(v, at)[at]
        if found.all():
            return [float(value) for value in found]
    order = np.argsort(v, kind="stable")
    cumulative = np.cumsum(w[order])
    at = np.searchsorted(cumulative, fractions * cumulative[-1])
    return [float(value) for value in v[order[at]]]


def step_length_m(samples: Samples) -> FloatArray:
    """The device's step length where it recorded one, else speed x 60 / cadence."""
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = np.where(
            samples.cadence_spm > 0, samples.speed_m_s * 60.0 / samples.cadence_spm, np.nan
        )
    return np.where(np.isfinite(samples.step_length_m), samples.step_length_m, derived)


def cadence(samples: Samples, motion: Motion) -> Cadence:
    mask = stepping(samples, motion)
    values = samples.cadence_spm[mask]
    weights = weights_s(motion, mask)
    slope, intercept = speed_line(samples.speed_m_s[mask], values, weights)
    median, p10, p90 = weighted_quantiles(values, weights, (0.5, 0.1, 0.9))
    return Cadence(
        mean_spm=weighted_mean(values, weights),
        median_spm=median,
        p10_spm=p10,
        p90_spm=p90,
        time_below_160_s=float(weights[values < LOW_CADENCE_SPM].sum()),
        step_length_m=weighted_mean(step_length_m(samples)[mask], weights),
        slope_spm_per_m_s=slope,
        intercept_spm=intercept,
    )


def speed_line(
    speed_m_s: FloatArray, cadence_spm: FloatArray, weights: FloatArray
) -> tuple[float, float]:
    """Weighted least-squares line of cadence on speed, over running speeds only.

    Cadence rises with speed (about +5-6 spm per m/s), so comparing runs needs the line, not
    the mean; a run at one steady pace has no spread to fit and gives NaN.
    """
    low, high = RUNNING_SPEED_RANGE_M_S
    ok = np.isfinite(speed_m_s) & np.isfinite(cadence_spm) & (speed_m_s >= low)
    ok &= speed_m_s <= high
    if ok.sum() < 30:
        return float("nan"), float("nan")
    x, y, w = speed_m_s[ok], cadence_spm[ok], weights[ok]
    p10, p90 = weighted_quantiles(x, w, (0.1, 0.9))
    if p90 - p10 < MIN_FIT_SPAN_M_S:
        return float("nan"), float("nan")
    slope, intercept = np.polyfit(x, y, 1, w=np.sqrt(w))
    return float(slope), float(intercept)
