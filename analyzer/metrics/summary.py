"""The summarize step: one Activity -> one ActivitySummary of plain numbers.

Everything that needs the samples is computed here, once; nothing downstream re-reads files.
Each part is a small frozen dataclass of numbers from its own module; the summary holds them
with the activity's identity and data-quality facts, and is what the store keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analyzer.metrics.cadence import Cadence, cadence, weighted_mean, weights_s
from analyzer.metrics.dynamics import Dynamics, dynamics
from analyzer.metrics.elevation import Elevation, elevation_and_grade, grade_adjusted_speed_m_s
from analyzer.metrics.heart import HeartRate, Intensity, heart_rate, intensity
from analyzer.metrics.heat import Heat, heat
from analyzer.metrics.motion import Motion, motion
from analyzer.metrics.warmup import WarmUp, warm_up
from analyzer.model import Activity, DeviceTotals, FloatArray, Format, Sport
from analyzer.settings import AthleteProfile

#: Bumped whenever a metric's definition changes, so stored summaries are recomputed.
METRICS_VERSION = 3


@dataclass(frozen=True, slots=True)
class Quality:
    """What the numbers rest on."""

    channels: tuple[str, ...]  # the channels with at least one value
    distance_source: str  # "device" (the file's distance channel), "gps", or "none"
    cadence_doubled: bool  # stored per foot in the file, doubled to steps/min
    rejected_gps_jumps: int
    notes: tuple[str, ...]  # from reading: damaged tails, dropped points, assumptions


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    id: str
    path: str
    format: Format
    sport: Sport
    sub_sport: str | None
    start_time: datetime  # UTC
    utc_offset_s: int | None
    name: str | None
    gear: str | None
    device: str | None
    distance_m: float
    moving_time_s: float
    elapsed_time_s: float
    timer_time_s: float  # elapsed minus timer pauses
    moving_speed_m_s: float
    grade_adjusted_speed_m_s: float
    cadence: Cadence
    dynamics: Dynamics
    elevation: Elevation
    heart: HeartRate
    intensity: Intensity
    heat: Heat
    warm_up: WarmUp
    device_totals: DeviceTotals
    quality: Quality


def summarize(activity: Activity, profile: AthleteProfile | None = None) -> ActivitySummary:
    profile = profile or AthleteProfile()
    samples = activity.samples
    move = motion(activity)
    elapsed_s = float(samples.time_s[-1] - samples.time_s[0]) if len(samples) else 0.0
    paused_s = sum(p.end_s - p.start_s for p in activity.pauses)
    heart = heart_rate(samples, move, profile, activity.start_time.date())
    elevation, grade = elevation_and_grade(samples, move.cumulative_distance_m, move.moving)
    return ActivitySummary(
        id=activity.id,
        path=activity.path,
        format=activity.format,
        sport=activity.sport,
        sub_sport=activity.sub_sport,
        start_time=activity.start_time,
        utc_offset_s=activity.utc_offset_s,
        name=activity.name,
        gear=activity.gear,
        device=activity.device,
        distance_m=move.distance_m,
        moving_time_s=move.moving_time_s,
        elapsed_time_s=elapsed_s,
        timer_time_s=max(elapsed_s - paused_s, 0.0),
        moving_speed_m_s=_moving_speed(move),
        grade_adjusted_speed_m_s=_grade_adjusted_speed(activity, move, grade),
        cadence=cadence(samples, move),
        dynamics=dynamics(samples, move),
        elevation=elevation,
        heart=heart,
        intensity=intensity(samples, move, heart, profile),
        heat=heat(samples, move),
        warm_up=warm_up(samples, move),
        device_totals=activity.device_totals,
        quality=Quality(
            channels=samples.present_channels(),
            distance_source=move.distance_source,
            cadence_doubled=activity.cadence_doubled,
            rejected_gps_jumps=move.rejected_jumps,
            notes=activity.notes,
        ),
    )


def _moving_speed(move: Motion) -> float:
    moving_time_s = move.moving_time_s  # a masked sum: once, not twice
    return move.distance_m / moving_time_s if moving_time_s > 0 else float("nan")


def _grade_adjusted_speed(activity: Activity, move: Motion, grade: FloatArray) -> float:
    """Moving speed with each stretch weighted by its grade's energy cost (Minetti 2002);
    ``grade`` is elevation.grade's, from ``elevation_and_grade``."""
    samples = activity.samples
    if not samples.has("altitude_m") or move.distance_source == "none":
        return float("nan")
    step_m = np.diff(move.cumulative_distance_m, prepend=move.cumulative_distance_m[:1])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(move.interval_s > 0, step_m / move.interval_s, np.nan)
    adjusted = grade_adjusted_speed_m_s(speed, grade)
    return weighted_mean(adjusted[move.moving], weights_s(move, move.moving))
