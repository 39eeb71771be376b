"""The summarize step: one Activity -> one flat ActivitySummary of plain numbers.

Everything that needs the samples is computed here, once; nothing downstream re-reads files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analyzer.metrics.cadence import step_length_m, stepping, time_weighted_mean
from analyzer.metrics.motion import motion
from analyzer.model import Activity, Format, Sport

#: Bumped whenever a metric's definition changes, so stored summaries are recomputed.
METRICS_VERSION = 1


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
    distance_source: str  # "device", "gps" or "none"
    moving_time_s: float
    elapsed_time_s: float
    avg_cadence_spm: float  # time-weighted over moving samples with a cadence reading
    avg_step_length_m: float
    device_distance_m: float
    device_timer_time_s: float
    device_avg_cadence_spm: float
    cadence_doubled: bool
    channels: tuple[str, ...]
    rejected_gps_jumps: int
    notes: tuple[str, ...]


def summarize(activity: Activity) -> ActivitySummary:
    samples = activity.samples
    move = motion(activity)
    steps = stepping(samples, move)
    elapsed = float(samples.time_s[-1] - samples.time_s[0]) if len(samples) else 0.0
    totals = activity.device_totals
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
        distance_source=move.distance_source,
        moving_time_s=move.moving_time_s,
        elapsed_time_s=elapsed,
        avg_cadence_spm=time_weighted_mean(samples.cadence_spm, steps, move),
        avg_step_length_m=time_weighted_mean(step_length_m(samples), steps, move),
        device_distance_m=totals.distance_m,
        device_timer_time_s=totals.timer_time_s,
        device_avg_cadence_spm=totals.avg_cadence_spm,
        cadence_doubled=activity.cadence_doubled,
        channels=samples.present_channels(),
        rejected_gps_jumps=move.rejected_jumps,
        notes=activity.notes,
    )


def is_finite(value: float) -> bool:
    return bool(np.isfinite(value))
