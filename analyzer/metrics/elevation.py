"""Ascent, descent and grade from the altitude channel.

Altitude from a watch is noisy: summing every rise of the raw channel overstates the climb by
1.5-4x on the real files in the corpus (0.2 m quantisation dither of barometric altimeters,
start-up spikes, GPS jitter). The method, chosen by measurement against the totals the devices
wrote themselves (docs/elevation.md, ``bench/measure_elevation.py``):

1. Short gaps in the altitude channel are interpolated over time; longer ones split the track
   into segments that are measured separately (nothing is counted across a long gap).
2. The source is told from the data: the robust sample-to-sample noise (from the median
   absolute second difference) of a barometric altimeter is about a quantisation step, that of
   GPS altitude is metres. Smooth data is called "barometric" (a GPS watch that filters its
   altitude itself, like the FR110, reads as barometric and is treated as such: its data is as
   smooth).
3. A centred running median over time removes spikes and dither: 11 s for barometric data,
   31 s for GPS data (the measurement: 11 s keeps short real hills, GPS noise needs 31 s).
4. A zigzag hysteresis of 3 m: a rise or fall counts, whole, from one turning point to the
   next only when it is at least 3 m; smaller wiggles are dropped. It is computed as rainflow
   cycle extraction (a cycle of range >= 3 m adds one rise and one fall of its range) plus the
   end swings of the residue, so it does not depend on the direction of travel: reversing a
   track swaps ascent and descent, and shifting every altitude changes nothing.

Grade is a least-squares slope of the smoothed altitude over a centred window of distance, so
one noisy sample cannot make a steep stretch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from analyzer.model import FloatArray, Samples

#: Altitude is interpolated across gaps up to this long (dropped fixes, every-other-record
#: altitude); longer gaps split the track, since the profile inside them is unknown.
MAX_ALTITUDE_GAP_S = 60.0
#: Robust sample noise (m) above which altitude is GPS-like: every FIT file in the corpus reads
#: 0-0.24 m (one 0.2 m quantisation step reads 0.12 m); 2.5 m GPS noise reads about 2.4 m.
GPS_NOISE_SD_M = 0.5
#: Centred running-median windows (s) and the hysteresis (m), per altitude source.
BAROMETRIC_MEDIAN_S = 11.0
GPS_MEDIAN_S = 31.0
HYSTERESIS_M = 3.0
#: Grade is the slope over this much distance, centred on each sample.
GRADE_WINDOW_M = 100.0
#: The steepest sustained descent is the steepest slope over this much distance.
SUSTAINED_WINDOW_M = 200.0
#: How much of its window a slope needs: half for grade (so the track ends have one), nearly
#: all of it for the sustained slope (so a short end piece cannot be the steepest).
GRADE_MIN_COVER = 0.5
SUSTAINED_MIN_COVER = 0.9
STEEP_DESCENT_GRADE = -0.05
#: Minetti et al. (2002) fitted their cost curve on grades of -45 % to +45 %.
MINETTI_MAX_GRADE = 0.45
_MAD_TO_SD = 1.4826  # MAD of a normal distribution -> its standard deviation
_SECOND_DIFF_SD = math.sqrt(6.0)  # sd of x[i-1] - 2 x[i] + x[i+1] for white noise of sd 1


@dataclass(frozen=True, slots=True)
class Elevation:
    ascent_m: float  # NaN when there is no altitude channel
    descent_m: float
    method: str  # what was used, e.g. "median 11 s + hysteresis 3.0 m"
    altitude_source: str  # "barometric" | "gps" | "none", from the smoothness of the data
    descent_per_km_m: float  # descent per km of moving distance
    steep_descent_distance_m: float  # moving distance at grade <= -5 % (100 m windows)
    steep_descent_time_s: float
    steepest_descent_grade_pct: float  # steepest slope over 200 m (<= 0), NaN if too short
    max_altitude_m: float  # of the smoothed profile, so a start-up spike does not count
    min_altitude_m: float


def elevation(
    samples: Samples, cumulative_distance_m: FloatArray, moving: npt.NDArray[np.bool_]
) -> Elevation:
    """Elevation metrics of one activity; ``cumulative_distance_m`` and ``moving`` from motion."""
    return elevation_and_grade(samples, cumulative_distance_m, moving)[0]


def elevation_and_grade(
    samples: Samples, cumulative_distance_m: FloatArray, moving: npt.NDArray[np.bool_]
) -> tuple[Elevation, FloatArray]:
    """``elevation`` and ``grade`` (default window) together: both rest on the same smoothed
    profile and running sums, which are most of the cost, so summarize computes them once."""
    altitude = filled_altitude_m(samples.altitude_m, samples.time_s)
    source = altitude_source(altitude)
    if source == "none":
        nan = math.nan
        none = Elevation(nan, nan, "none", "none", nan, nan, nan, nan, nan, nan)
        return none, np.full(len(samples), np.nan)
    window_s = BAROMETRIC_MEDIAN_S if source == "barometric" else GPS_MEDIAN_S
    smooth = smoothed_altitude_m(altitude, samples.time_s, window_s)
    ascent, descent = ascent_descent_m(smooth, HYSTERESIS_M)
    step_m = np.diff(cumulative_distance_m, prepend=cumulative_distance_m[:1])
    moving_km = float(step_m[moving].sum()) / 1000.0
    slope, sustained = _slopes(
        smooth,
        cumulative_distance_m,
        (GRADE_WINDOW_M, GRADE_MIN_COVER),
        (SUSTAINED_WINDOW_M, SUSTAINED_MIN_COVER),
    )
    steep = moving & (slope <= STEEP_DESCENT_GRADE)
    interval_s = np.diff(samples.time_s, prepend=samples.time_s[:1])
    known = bool(np.isfinite(slope).any())
    summary = Elevation(
        ascent_m=ascent,
        descent_m=descent,
        method=f"median {window_s:g} s + hysteresis {HYSTERESIS_M:.1f} m",
        altitude_source=source,
        descent_per_km_m=descent / moving_km if moving_km > 0 else math.nan,
        steep_descent_distance_m=float(step_m[steep].sum()) if known else math.nan,
        steep_descent_time_s=float(interval_s[steep].sum()) if known else math.nan,
        steepest_descent_grade_pct=(
            min(float(np.nanmin(sustained)), 0.0) * 100.0
            if np.isfinite(sustained).any()
            else math.nan
        ),
        max_altitude_m=float(np.nanmax(smooth)),
        min_altitude_m=float(np.nanmin(smooth)),
    )
    return summary, slope


def grade(
    samples: Samples, cumulative_distance_m: FloatArray, window_m: float = GRADE_WINDOW_M
) -> FloatArray:
    """Per-sample grade (rise over run, a fraction): the least-squares slope of the smoothed
    altitude against distance over ``window_m`` centred on the sample. NaN where unknown."""
    altitude = filled_altitude_m(samples.altitude_m, samples.time_s)
    source = altitude_source(altitude)
    if source == "none":
        return np.full(len(samples), np.nan)
    window_s = BAROMETRIC_MEDIAN_S if source == "barometric" else GPS_MEDIAN_S
    smooth = smoothed_altitude_m(altitude, samples.time_s, window_s)
    return _slopes(smooth, cumulative_distance_m, (window_m, GRADE_MIN_COVER))[0]


def grade_adjusted_speed_m_s(speed_m_s: FloatArray, grade: FloatArray) -> FloatArray:
    """The flat speed of the same metabolic cost per unit time.

    Minetti AE, Moia C, Roi GS, Susta D, Ferretti G. Energy cost of walking and running at
    extreme uphill and downhill slopes. J Appl Physiol 93: 1039-1046, 2002. Their fit of the
    cost of running per kg and metre at grade i (a fraction, measured from -0.45 to +0.45):
    C(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6 J/kg/m; GAS = v C(i)/C(0).
    Grades outside the measured range are clamped to it. NaN where grade or speed is unknown.
    """
    i = np.clip(grade, -MINETTI_MAX_GRADE, MINETTI_MAX_GRADE)
    cost = np.polyval([155.4, -30.4, -43.3, 46.3, 19.5, 3.6], i)
    adjusted: FloatArray = speed_m_s * cost / 3.6
    return adjusted


def altitude_source(altitude_m: FloatArray) -> str:
    """The altitude's kind from its robust sample-to-sample noise: "barometric" (smooth),
    "gps" (noisy) or "none" (no altitude)."""
    finite = np.isfinite(altitude_m)
    if not finite.any():
        return "none"
    second = np.diff(altitude_m, 2)
    second = second[np.isfinite(second)]
    if len(second) == 0:
        return "gps"  # too short to tell; the GPS method is the cautious one
    return "gps" if noise_sd_m(second) > GPS_NOISE_SD_M else "barometric"


def noise_sd_m(second_difference_m: FloatArray) -> float:
    """Sample noise estimated from second differences: the terrain barely bends between
    neighbouring samples, so what is left is noise. The median absolute value (about zero,
    since the terrain's bends average out) ignores spikes."""
    return float(_MAD_TO_SD * np.median(np.abs(second_difference_m)) / _SECOND_DIFF_SD)


def filled_altitude_m(
    altitude_m: FloatArray, time_s: FloatArray, max_gap_s: float = MAX_ALTITUDE_GAP_S
) -> FloatArray:
    """Altitude interpolated over time across gaps of at most ``max_gap_s``; NaN elsewhere
    (longer gaps, and before the first and after the last reading)."""
    known = np.flatnonzero(np.isfinite(altitude_m))
    if len(known) == 0 or len(known) == len(altitude_m):
        return altitude_m
    position = np.arange(len(altitude_m))
    after = np.minimum(np.searchsorted(known, position), len(known) - 1)
    before = np.maximum(after - (known[after] > position), 0)
    gap_s = time_s[known[after]] - time_s[known[before]]
    inside = (position >= known[0]) & (position <= known[-1]) & (gap_s <= max_gap_s)
    filled = np.interp(time_s, time_s[known], altitude_m[known])
    return np.where(inside, filled, np.nan)


def smoothed_altitude_m(
    altitude_m: FloatArray, time_s: FloatArray, window_s: float, kind: str = "median"
) -> FloatArray:
    """Centred running median (or mean) over about ``window_s`` of each finite segment.

    The window is an odd number of samples from the typical recording interval, so it is
    symmetric in time; segment ends are padded with their end value.
    """
    interval_s = np.diff(time_s)
    interval_s = interval_s[interval_s > 0]
    typical_s = float(np.median(interval_s)) if len(interval_s) else 1.0
    half = max(round((window_s / typical_s - 1) / 2), 0)
    smooth = np.array(altitude_m, dtype=np.float64)
    if half == 0:
        return smooth
    for start, end in _segments(altitude_m):
        padded = np.pad(altitude_m[start:end], half, mode="edge")
        windows = sliding_window_view(padded, 2 * half + 1)
        if kind == "median":
            smooth[start:end] = np.partition(windows, half, axis=1)[:, half]
        else:
            smooth[start:end] = windows.mean(axis=1)
    return smooth


def ascent_descent_m(altitude_m: FloatArray, threshold_m: float) -> tuple[float, float]:
    """Total ascent and descent, counting only swings of at least ``threshold_m`` (0: every
    rise and fall), summed over the finite segments of the profile."""
    ascent = descent = 0.0
    for start, end in _segments(altitude_m):
        up, down = _zigzag_m(_turning_points(altitude_m[start:end]), threshold_m)
        ascent += up
        descent += down
    return ascent, descent


def _turning_points(altitude_m: FloatArray) -> list[float]:
    """The ends and every local extreme: the rest cannot change any swing."""
    x = altitude_m[np.concatenate([[True], np.diff(altitude_m) != 0])]
    if len(x) < 3:
        return [float(v) for v in x]
    rising = np.diff(x) > 0
    keep = np.concatenate([[True], rising[1:] != rising[:-1], [True]])
    return [float(v) for v in x[keep]]


def _zigzag_m(points: list[float], threshold_m: float) -> tuple[float, float]:
    """Ascent and descent of alternating turning points, counting swings >= threshold_m.

    Rainflow's four-point rule takes out every inner cycle b-c that lies within its
    neighbours (|c-b| <= |b-a| and |c-b| <= |d-c|); its rise and fall count when >= threshold.
    Which cycles exist does not depend on the direction of travel. What stays (the residue)
    has small swings only at its two ends: those are folded into their neighbours.
    """
    cycles_m = 0.0
    stack: list[float] = []
    for value in points:
        stack.append(value)
        while len(stack) >= 4:
            a, b, c, d = stack[-4:]
            cycle = abs(c - b)
            if cycle > abs(b - a) or cycle > abs(d - c):
                break
            if cycle >= threshold_m:
                cycles_m += cycle
            del stack[-3:-1]
    # Fold the start, then (reversed) the end; the residue comes back in travel order.
    residue = _fold_end(_fold_end(stack, threshold_m)[::-1], threshold_m)[::-1]
    if len(residue) < 2:
        return cycles_m, cycles_m
    swings = np.diff(residue)
    return cycles_m + float(swings[swings > 0].sum()), cycles_m - float(swings[swings < 0].sum())


def _fold_end(residue: list[float], threshold_m: float) -> list[float]:
    """Drops the turning points near the start of the residue that are within the threshold
    of the start; [] when the whole residue stays within it."""
    points = list(residue)
    while len(points) >= 2 and abs(points[1] - points[0]) < threshold_m:
        if len(points) == 2 or abs(points[1] - points[0]) > abs(points[2] - points[1]):
            # Swings only shrink from here on: the rest stays within the first swing.
            return []
        del points[1]
    return points


def _segments(altitude_m: FloatArray) -> list[tuple[int, int]]:
    """[start, end) of each run of finite values."""
    finite = np.concatenate([[False], np.isfinite(altitude_m), [False]])
    edges = np.flatnonzero(np.diff(finite.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _slopes(
    altitude_m: FloatArray, distance_m: FloatArray, *windows: tuple[float, float]
) -> list[FloatArray]:
    """Least-squares slope of altitude against distance over each (window_m, min_cover) window
    centred on each sample, from running sums (O(n)). NaN where altitude is missing or the
    window holds less than ``min_cover`` of its length in distance (track ends, gaps)."""
    slopes = [np.full(len(altitude_m), np.nan) for _ in windows]
    finite = np.flatnonzero(np.isfinite(altitude_m) & np.isfinite(distance_m))
    if len(finite) < 3:
        return slopes
    d, a = distance_m[finite], altitude_m[finite]
    x, y = d - d[0], a - a[0]  # small numbers keep the running sums exact enough
    prefix = np.zeros((4, len(x) + 1))
    np.cumsum(np.stack([x, y, x * x, x * y]), axis=1, out=prefix[:, 1:])
    for slope, (window_m, min_cover) in zip(slopes, windows, strict=True):
        lo = np.searchsorted(d, d - window_m / 2, side="left")
        hi = np.searchsorted(d, d + window_m / 2, side="right")
        sx, sy, sxx, sxy = np.take(prefix, hi, axis=1) - np.take(prefix, lo, axis=1)
        count = (hi - lo).astype(np.float64)
        spread = count * sxx - sx * sx
        ok = (d[hi - 1] - d[lo] >= min_cover * window_m) & (count >= 3) & (spread > 0)
        slope[finite[ok]] = (count * sxy - sx * sy)[ok] / spread[ok]
    return slopes
