"""Running dynamics where the watch recorded them, and how form drifts late in a run.

Drift compares the last quarter of the moving time with the first half, over samples within
10 % of the run's median speed only: cadence and contact time change with speed, and fatigue
is what is looked for here, not a faster finish.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analyzer.metrics.cadence import stepping, weighted_mean, weights_s
from analyzer.metrics.motion import Motion
from analyzer.model import FloatArray, Samples

SIMILAR_SPEED_FRACTION = 0.10
MIN_DRIFT_WINDOW_S = 120.0  # each part needs this much similar-speed running to compare


@dataclass(frozen=True, slots=True)
class Dynamics:
    ground_contact_time_s: float
    vertical_oscillation_m: float
    vertical_ratio_pct: float
    contact_balance_left_pct: float
    # last quarter vs first half, in percent of the first half (NaN when it cannot be judged)
    cadence_drift_pct: float
    contact_time_drift_pct: float
    vertical_oscillation_drift_pct: float


def dynamics(samples: Samples, motion: Motion) -> Dynamics:
    mask = stepping(samples, motion)
    weights = weights_s(motion, mask)
    first, last = _halves(samples, motion, mask)

    def mean(values: FloatArray) -> float:
        return weighted_mean(values[mask], weights)

    def drift(values: FloatArray) -> float:
        return _drift_pct(values, first, last, motion)

    return Dynamics(
        ground_contact_time_s=mean(samples.ground_contact_time_s),
        vertical_oscillation_m=mean(samples.vertical_oscillation_m),
        vertical_ratio_pct=mean(samples.vertical_ratio_pct),
        contact_balance_left_pct=mean(samples.contact_balance_left_pct),
        cadence_drift_pct=drift(samples.cadence_spm),
        contact_time_drift_pct=drift(samples.ground_contact_time_s),
        vertical_oscillation_drift_pct=drift(samples.vertical_oscillation_m),
    )


def _halves(
    samples: Samples, motion: Motion, mask: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Similar-speed samples among the stepping ones (``mask``, from ``stepping``) in the
    first half and in the last quarter of moving time."""
    speed = samples.speed_m_s
    stepping_speed = speed[mask]
    if not np.isfinite(stepping_speed).any():
        none = np.zeros(len(samples), dtype=bool)
        return none, none
    median = float(np.nanmedian(stepping_speed))
    similar = mask & (np.abs(speed - median) <= SIMILAR_SPEED_FRACTION * median)
    moving_clock = np.cumsum(np.where(motion.moving, motion.interval_s, 0.0))
    total = moving_clock[-1] if len(moving_clock) else 0.0
    return similar & (moving_clock <= total / 2), similar & (moving_clock > total * 3 / 4)


def _drift_pct(
    values: FloatArray,
    first: npt.NDArray[np.bool_],
    last: npt.NDArray[np.bool_],
    motion: Motion,
) -> float:
    parts = []
    for part in (first, last):
        ok = part & np.isfinite(values)
        weights = weights_s(motion, ok)
        if weights.sum() < MIN_DRIFT_WINDOW_S:
            return float("nan")
        parts.append(weighted_mean(values[ok], weights))
    return 100.0 * (parts[1] - parts[0]) / parts[0]
