"""When the athlete was moving, and how far they went.

Each interval between consecutive samples belongs to the sample that ends it. An interval is
moving when the timer was running and the athlete covered ground at walking pace or faster
over it; with no distance or position at all (a treadmill without a foot pod), when the timer
was running and the interval is not a gap in the recording.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analyzer.model import Activity, FloatArray, Pause

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
#: Slower than this over an interval is standing still (GPS drift while waiting at a light
#: reads 0.1-0.4 m/s on the distance channel of the devices in the corpus).
MOVING_SPEED_M_S = 0.5
#: How far each interval is widened on both sides to read speed from the distance.
SPEED_WINDOW_S = 5.0
#: An interval longer than this with no distance information is a recording gap.
MAX_GAP_S = 10.0
#: Faster than this between two fixes is a GPS jump, not the athlete (foot sports; others).
MAX_FOOT_SPEED_M_S = 12.0
MAX_OTHER_SPEED_M_S = 40.0


@dataclass(frozen=True, slots=True)
class Motion:
    interval_s: FloatArray  # duration of the interval ending at each sample (0 for the first)
    moving: npt.NDArray[np.bool_]  # the interval ending at each sample was moving
    cumulative_distance_m: FloatArray  # from the start, NaN-free, non-decreasing
    distance_source: str  # "device" (the file's distance channel), "gps", or "none"
    rejected_jumps: int  # GPS steps dropped as implausible

    @property
    def moving_time_s(self) -> float:
        return float(self.interval_s[self.moving].sum())

    @property
    def distance_m(self) -> float:
        return float(self.cumulative_distance_m[-1]) if len(self.cumulative_distance_m) else 0.0


def motion(activity: Activity) -> Motion:
    samples = activity.samples
    t = samples.time_s
    # The timer-running part of each interval: a pause inside an interval is not its time.
    interval_s = (np.diff(t, prepend=t[:1]) if len(t) else t) - _paused_s(t, activity.pauses)
    cumulative, source, jumps = _cumulative_distance(activity)
    timer_running = interval_s > 0
    if source == "none":
        moving = timer_running & (interval_s <= MAX_GAP_S)
    else:
        speed = np.fmax(samples.speed_m_s, interval_speed_m_s(t, cumulative))
        moving = timer_running & (speed >= MOVING_SPEED_M_S)
    return Motion(interval_s, moving, cumulative, source, jumps)


def interval_speed_m_s(t: FloatArray, cumulative_m: FloatArray) -> FloatArray:
    """Speed over each interval, read over a few seconds before it and after it.

    Devices update the distance channel in steps (a foot pod every few records, some apps on
    every other record), so the bare interval can read zero while the runner runs. The
    interval is widened by ``SPEED_WINDOW_S`` on one side, then the other, and the slower
    reading is kept: both are fast inside a run, and at the edge of a stop the side that
    reaches into the stop is slow, so the stop does not borrow the run's speed.
    """
    start = np.concatenate([t[:1], t[:-1]])
    # np.interp works point by point (for time in order, as it requires), so the distance at
    # each interval's start is the one at the sample before: one interpolation fewer.
    at_end_m = np.interp(t, t, cumulative_m)
    at_start_m = np.concatenate([at_end_m[:1], at_end_m[:-1]])

    def speed(
        lo: FloatArray, hi: FloatArray, at_lo_m: FloatArray, at_hi_m: FloatArray
    ) -> FloatArray:
        covered = at_hi_m - at_lo_m
        span = np.minimum(hi, t[-1]) - np.maximum(lo, t[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = np.where(span > 0, covered / span, 0.0)
        return result

    before, after = start - SPEED_WINDOW_S, t + SPEED_WINDOW_S
    return np.fmin(
        speed(before, t, np.interp(before, t, cumulative_m), at_end_m),
        speed(start, after, at_start_m, np.interp(after, t, cumulative_m)),
    )


def _cumulative_distance(activity: Activity) -> tuple[FloatArray, str, int]:
    samples = activity.samples
    n = len(samples)
    distance = samples.distance_m
    if np.isfinite(distance).sum() >= 2:
        # Multisport files keep one distance counter across legs: start each leg at zero.
        filled = _forward_fill(distance)
        first = filled[np.isfinite(filled)][0]
        cumulative = np.maximum.accumulate(np.nan_to_num(filled - first, nan=0.0))
        return cumulative, "device", 0
    lat, lon = samples.latitude_deg, samples.longitude_deg
    fixes = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if len(fixes) < 2:
        return np.zeros(n), "none", 0
    step = haversine_m(lat[fixes[:-1]], lon[fixes[:-1]], lat[fixes[1:]], lon[fixes[1:]])
    dt = np.diff(samples.time_s[fixes])
    limit = MAX_FOOT_SPEED_M_S if activity.sport.is_on_foot else MAX_OTHER_SPEED_M_S
    with np.errstate(divide="ignore", invalid="ignore"):
        jump = (dt <= 0) & (step > 0) | (step / np.where(dt > 0, dt, np.nan) > limit)
    step = np.where(jump, 0.0, step)
    at_fix = np.concatenate([[0.0], np.cumsum(step)])
    cumulative = np.zeros(n)
    cumulative[fixes] = at_fix
    cumulative = np.maximum.accumulate(cumulative)
    return cumulative, "gps", int(jump.sum())


def haversine_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance in metres between arrays of points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    distance: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return distance


def _forward_fill(values: FloatArray) -> FloatArray:
    idx = np.where(np.isfinite(values), np.arange(len(values)), 0)
    np.maximum.accumulate(idx, out=idx)
    filled: FloatArray = values[idx]
    return filled


def _paused_s(t: FloatArray, pauses: tuple[Pause, ...]) -> FloatArray:
    """How much of the interval ending at each sample falls inside a timer pause."""
    start = np.concatenate([t[:1], t[:-1]])
    paused = np.zeros(len(t))
    for pause in pauses:
        paused += np.clip(np.minimum(t, pause.end_s) - np.maximum(start, pause.start_s), 0, None)
    return paused
