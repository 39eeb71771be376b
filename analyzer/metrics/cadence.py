"""Cadence (steps/min) and step length over the moving part of a run."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from analyzer.metrics.motion import MAX_GAP_S, Motion
from analyzer.model import FloatArray, Samples


def stepping(samples: Samples, motion: Motion) -> npt.NDArray[np.bool_]:
    """Moving samples with a cadence reading above zero.

    Devices write zero cadence while the runner stands with the timer running and average it
    in; a moving runner's cadence is never zero, so zeros are left out.
    """
    cadence = samples.cadence_spm
    return motion.moving & np.isfinite(cadence) & (cadence > 0)


def time_weighted_mean(values: FloatArray, mask: npt.NDArray[np.bool_], motion: Motion) -> float:
    """Mean weighted by each sample's interval: smart recording writes more samples where
    things change, so a plain mean over samples would overweight those moments."""
    weights = np.minimum(motion.interval_s[mask], MAX_GAP_S)
    if not mask.any() or weights.sum() <= 0:
        return float("nan")
    return float(np.average(values[mask], weights=weights))


def step_length_m(samples: Samples) -> FloatArray:
    """The device's step length where it recorded one, else speed x 60 / cadence."""
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = np.where(
            samples.cadence_spm > 0, samples.speed_m_s * 60.0 / samples.cadence_spm, np.nan
        )
    return np.where(np.isfinite(samples.step_length_m), samples.step_length_m, derived)
