"""Did the run open easier than it went on? The first 10 minutes of moving time vs the rest.

The guide's advice is 5-10 minutes of easy running first; a run whose opening is as fast and
as hard as the rest had no warm-up. Too short a run (under 20 minutes moving) has no "rest"
worth comparing with, so every value is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analyzer.metrics.cadence import weighted_mean
from analyzer.metrics.heart import plausible_hr, speed_m_s
from analyzer.metrics.motion import MAX_GAP_S, Motion
from analyzer.model import FloatArray, Samples

WARM_UP_S = 600.0
MIN_MOVING_S = 2 * WARM_UP_S


@dataclass(frozen=True, slots=True)
class WarmUp:
    first_10min_speed_m_s: float
    rest_speed_m_s: float
    first_10min_hr_bpm: float
    rest_hr_bpm: float


def warm_up(samples: Samples, motion: Motion) -> WarmUp:
    weights = np.where(motion.moving, np.minimum(motion.interval_s, MAX_GAP_S), 0.0)
    clock_s = np.cumsum(weights)  # moving time at the end of each sample's interval
    if not len(clock_s) or clock_s[-1] < MIN_MOVING_S:
        return WarmUp(math.nan, math.nan, math.nan, math.nan)
    # An interval belongs to the opening when it began within it.
    first = motion.moving & (clock_s - weights < WARM_UP_S)
    rest = motion.moving & ~first
    speed = speed_m_s(samples, motion)
    hr_ok = plausible_hr(samples, motion)
    hr = samples.heart_rate_bpm

    def mean(values: FloatArray, part: npt.NDArray[np.bool_]) -> float:
        return weighted_mean(values[part], weights[part])

    return WarmUp(
        first_10min_speed_m_s=mean(speed, first),
        rest_speed_m_s=mean(speed, rest),
        first_10min_hr_bpm=mean(hr, first & hr_ok),
        rest_hr_bpm=mean(hr, rest & hr_ok),
    )
