"""The summarize step: one Activity -> one ActivitySummary of plain numbers.

Everything that needs the samples is computed here, once; nothing downstream re-reads files.
Each part is a small frozen dataclass of numbers from its own module; the summary holds them
with the activity's identity and data-quality facts, and is what the store keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from analyzer.metrics.cadence import Cadence, cadence, weighted_mean, weights_s
from analyzer.metrics.dynamics import Dynamics, dynamics
from analyzer.metrics.elevation import Elevation, elevation_and_grade, grade_adjusted_speed_m_s
from analyzer.metrics.heart import HeartRate, Intensity, heart_rate, intensity
from analyzer.metrics.heat import Heat, heat
from analyzer.metrics.motion import Motion, motion
from analyzer.metrics.sport import call_sport
from analyzer.metrics.warmup import WarmUp, warm_up
from analyzer.model import (
    Activity,
    DeviceTotals,
    FloatArray,
    Format,
    OffsetSource,
    Sport,
    SportSource,
)
from analyzer.settings import AthleteProfile
from analyzer.timezones import offset_in, start_zone

#: Bumped whenever a metric's definition changes, so stored summaries are recomputed.
METRICS_VERSION = 4


@dataclass(frozen=True, slots=True)
class Quality:
    """What the numbers rest on."""

    channels: tuple[str, ...]  # the channels with at least one value
    distance_source: str  # "device" (the file's distance channel), "gps", or "none"
    cadence_doubled: bool  # stored per foot in the file, doubled to steps/min
    rejected_gps_jumps: int
    notes: tuple[str, ...]  # from reading: damaged tails, dropped points, assumptions
    sample_count: int  # how many samples: copies of one recording have the same number


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    id: str
    path: str
    format: Format
    sport: Sport
    sport_source: SportSource
    sport_reason: str  # the evidence for the sport (metrics/sport.py), or who set it
    sub_sport: str | None
    start_time: datetime  # UTC
    utc_offset_s: int | None  # the file's, or its start zone's; identity.resolve fills the rest
    utc_offset_source: OffsetSource | None  # None: neither, and not resolved yet
    timezone_name: str | None  # the IANA zone at the start position
    name: str | None
    gear: str | None
    device: str | None
    distance_m: float
    moving_time_s: float
    elapsed_time_s: float
    timer_time_s: float  # elapsed minus timer pauses
    moving_speed_m_s: float
    grade_adjusted_speed_m_s: float
    fastest_km_s: float  # the fastest 1,000 m in moving time (NaN under 1 km)
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
    call, measured = call_sport(activity)
    if activity.sport_source is SportSource.ASSUMED:  # its cadence was read as steps
        activity = as_sport(activity, call.sport)
    samples = activity.samples
    move = measured or motion(activity)
    zone = start_zone(samples.latitude_deg, samples.longitude_deg)
    offset_s, offset_source = _own_offset(activity, zone)
    elapsed_s = float(samples.time_s[-1] - samples.time_s[0]) if len(samples) else 0.0
    paused_s = sum(p.end_s - p.start_s for p in activity.pauses)
    heart = heart_rate(samples, move, profile, activity.start_time.date())
    elevation, grade = elevation_and_grade(samples, move.cumulative_distance_m, move.moving)
    return ActivitySummary(
        id=activity.id,
        path=activity.path,
        format=activity.format,
        sport=activity.sport,
        sport_source=call.source,
        sport_reason=call.reason,
        sub_sport=activity.sub_sport,
        start_time=activity.start_time,
        utc_offset_s=offset_s,
        utc_offset_source=offset_source,
        timezone_name=zone,
        name=activity.name,
        gear=activity.gear,
        device=activity.device,
        distance_m=move.distance_m,
        moving_time_s=move.moving_time_s,
        elapsed_time_s=elapsed_s,
        timer_time_s=max(elapsed_s - paused_s, 0.0),
        moving_speed_m_s=_moving_speed(move),
        grade_adjusted_speed_m_s=_grade_adjusted_speed(activity, move, grade),
        fastest_km_s=fastest_distance_s(move, 1000.0),
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
            sample_count=len(samples),
        ),
    )


def as_sport(activity: Activity, sport: Sport) -> Activity:
    """The activity as ``sport``: a sport not on foot has no steps, so its cadence goes."""
    if sport.is_on_foot or not activity.samples.has("cadence_spm"):
        return replace(activity, sport=sport)
    no_steps = np.full(len(activity.samples), np.nan)
    samples = replace(activity.samples, cadence_spm=no_steps, step_length_m=no_steps)
    return replace(activity, sport=sport, samples=samples, cadence_doubled=False)


def fastest_distance_s(move: Motion, distance_m: float) -> float:
    """The least moving time in which ``distance_m`` was covered (NaN when it never was)."""
    cumulative = move.cumulative_distance_m
    if not len(cumulative) or cumulative[-1] < distance_m:
        return float("nan")
    clock = np.cumsum(np.where(move.moving, move.interval_s, 0.0))
    # From each sample, the first sample at least distance_m further on.
    ends = np.searchsorted(cumulative, cumulative + distance_m, side="left")
    starts = np.flatnonzero(ends < len(cumulative))
    return float((clock[ends[starts]] - clock[starts]).min())


def _own_offset(activity: Activity, zone: str | None) -> tuple[int | None, OffsetSource | None]:
    """The local offset the file states, else the one its start position's zone had that day
    (identity.resolve borrows one for the rest, from other files or the settings)."""
    if activity.utc_offset_s is not None:
        return activity.utc_offset_s, OffsetSource.FILE
    offset = offset_in(zone, activity.start_time) if zone else None
    return (offset, OffsetSource.POSITION) if offset is not None else (None, None)


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
