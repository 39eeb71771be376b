"""Which ascent method matches the devices? Prints the candidate table of docs/elevation.md.

Every candidate is a smoothing (none, or a centred running median or mean over a time window,
or a running median over distance) followed by the direction-symmetric hysteresis of
analyzer/metrics/elevation.py at a threshold (0 = the raw sum of every rise). Columns:

- corpus, running: ours / device for the running FIT sessions whose device recorded >= 20 m of
  ascent (all of them read as barometric): median and range, ascent and descent, and the worst
  session either way (max of r and 1/r);
- corpus, all sports: the median ascent ratio over every session with >= 20 m, as a check;
- synthetic GPS: the known 150 m course of tests/metrics/test_elevation.py with 2.5 m Gaussian
  noise and slow drift, 20 seeds: median and worst ours / 150 m of ascent. The corpus holds no
  noisy GPS altitude with a device total, so this is what the GPS parameters rest on.

Usage: .venv/bin/python bench/measure_elevation.py [--no-timing]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.metrics import elevation as elev  # noqa: E402
from analyzer.metrics.motion import motion  # noqa: E402
from analyzer.model import FloatArray, Samples  # noqa: E402
from tests.metrics.test_elevation import COURSE_ASCENT_M, hill_course, one_hour_run  # noqa: E402
from tests.metrics.test_elevation_corpus import device_sessions  # noqa: E402

THRESHOLDS_M = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
SMOOTHINGS = (
    ("none", 0.0),
    ("median", 5.0),
    ("median", 11.0),
    ("median", 21.0),
    ("median", 31.0),
    ("mean", 5.0),
    ("mean", 11.0),
    ("mean", 21.0),
    ("mean", 31.0),
    ("distance median", 30.0),
    ("distance median", 60.0),
)
GPS_SEEDS = range(20)

Smoother = Callable[[Samples, FloatArray], FloatArray]


def smoother(kind: str, window: float) -> Smoother:
    def smooth(samples: Samples, distance_m: FloatArray) -> FloatArray:
        altitude = elev.filled_altitude_m(samples.altitude_m, samples.time_s)
        if kind == "none":
            return altitude
        if kind == "distance median":
            return distance_median_m(altitude, distance_m, window)
        return elev.smoothed_altitude_m(altitude, samples.time_s, window, kind)

    return smooth


def distance_median_m(
    altitude_m: FloatArray, distance_m: FloatArray, window_m: float
) -> FloatArray:
    """Running median over ``window_m`` of distance: resampled every metre and back."""
    ok = np.isfinite(altitude_m)
    d, index = np.unique(distance_m[ok], return_index=True)
    if len(d) < 3:
        return altitude_m
    grid = np.arange(d[0], d[-1] + 1.0)
    half = int(window_m // 2)
    padded = np.pad(np.interp(grid, d, altitude_m[ok][index]), half, mode="edge")
    smooth = np.median(sliding_window_view(padded, 2 * half + 1), axis=1)
    return np.where(ok, np.interp(distance_m, grid, smooth), np.nan)


def classic_hysteresis_m(altitude_m: FloatArray, threshold_m: float) -> tuple[float, float]:
    """The common textbook variant, for comparison: a reference level moves to the current
    altitude whenever it is threshold_m away, and that step counts. It lags each climb by up
    to the threshold, and depends on where the track starts."""
    x = altitude_m[np.isfinite(altitude_m)].tolist()
    up = down = 0.0
    ref = x[0] if x else 0.0
    for value in x:
        if value - ref >= threshold_m:
            up, ref = up + value - ref, value
        elif ref - value >= threshold_m:
            down, ref = down + ref - value, value
    return up, down


def worst(ratios: list[float]) -> float:
    """The worst session either way: max of r and 1/r."""
    return max(max(r, 1 / r) for r in ratios if r > 0)


def label(kind: str, window: float) -> str:
    unit = "m" if kind.startswith("distance") else "s"
    return "none" if kind == "none" else f"{kind} {window:g} {unit}"


def row(
    name: str, asc: list[float], desc: list[float], every: list[float], gps: list[float]
) -> str:
    med = statistics.median
    return (
        f"| {name} | {med(asc):.2f} | {min(asc):.2f}-{max(asc):.2f} | {med(desc):.2f} "
        f"| {min(desc):.2f}-{max(desc):.2f} | {worst(asc + desc):.2f} | {med(every):.2f} "
        f"| {med(gps):.2f} | {worst(gps):.2f} |"
    )


def main() -> None:
    sessions = device_sessions()
    running = [s for s in sessions if s.sport == "running"]
    distances = {id(s): motion(s.activity).cumulative_distance_m for s in sessions}
    courses = [hill_course(noise_sd_m=2.5, drift_m=2.0, seed=seed) for seed in GPS_SEEDS]
    print(
        f"{len(running)} running sessions ({len(sessions)} of any sport) with >= 20 m device ascent"
    )
    for s in sessions:
        samples = s.activity.samples
        source = elev.altitude_source(elev.filled_altitude_m(samples.altitude_m, samples.time_s))
        print(
            f"  {s.name}#{s.session} {s.sport}: device {s.device_ascent_m:.0f} m up, "
            f"{s.device_descent_m:.0f} m down; altitude reads {source}"
        )
    print(
        "\n| candidate | asc median | asc range | desc median | desc range | worst "
        "| all sports asc | GPS synth median | GPS synth worst |"
    )
    print("| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |")
    corpus_worst: list[tuple[float, str]] = []
    gps_worst: list[tuple[float, str]] = []
    for kind, window in SMOOTHINGS:
        smooth = smoother(kind, window)
        profiles = {id(s): smooth(s.activity.samples, distances[id(s)]) for s in sessions}
        synthetic = [smooth(course, course.distance_m) for course in courses]
        for threshold in THRESHOLDS_M:
            up_down = {key: elev.ascent_descent_m(p, threshold) for key, p in profiles.items()}
            asc = [up_down[id(s)][0] / s.device_ascent_m for s in running]
            desc = [up_down[id(s)][1] / s.device_descent_m for s in running if s.device_descent_m]
            every = [up_down[id(s)][0] / s.device_ascent_m for s in sessions]
            gps = [elev.ascent_descent_m(p, threshold)[0] / COURSE_ASCENT_M for p in synthetic]
            name = f"{label(kind, window)} + {threshold:g} m"
            print(row(name, asc, desc, every, gps))
            corpus_worst.append((worst(asc + desc), name))
            gps_worst.append((worst(gps), name))
    print("\nthe classic reference-level hysteresis instead of the zigzag (same columns):")
    for kind, window in (("none", 0.0), ("median", 11.0), ("median", 31.0)):
        smooth = smoother(kind, window)
        profiles = {id(s): smooth(s.activity.samples, distances[id(s)]) for s in sessions}
        synthetic = [smooth(course, course.distance_m) for course in courses]
        for threshold in (2.0, 3.0):
            up_down = {key: classic_hysteresis_m(p, threshold) for key, p in profiles.items()}
            asc = [up_down[id(s)][0] / s.device_ascent_m for s in running]
            desc = [up_down[id(s)][1] / s.device_descent_m for s in running if s.device_descent_m]
            every = [up_down[id(s)][0] / s.device_ascent_m for s in sessions]
            gps = [classic_hysteresis_m(p, threshold)[0] / COURSE_ASCENT_M for p in synthetic]
            print(row(f"{label(kind, window)} + classic {threshold:g} m", asc, desc, every, gps))
    for title, ranking in (("corpus running sessions", corpus_worst), ("synthetic GPS", gps_worst)):
        print(f"\nsmallest worst-case deviation, {title}:")
        for score, name in sorted(ranking)[:6]:
            print(f"  {score:.3f}  {name}")
    if "--no-timing" not in sys.argv:
        timing()


def timing() -> None:
    print()
    for source, noise_sd_m in (("barometric", 0.0), ("gps", 2.5)):
        samples, distance = one_hour_run(noise_sd_m)
        moving = np.ones(len(samples), dtype=bool)
        runs = []
        for _ in range(300):
            start = time.perf_counter()
            elev.elevation(samples, distance, moving)
            runs.append(time.perf_counter() - start)
        ms = statistics.median(runs) * 1e3
        print(f"elevation() on a 1-hour run (3,600 samples, {source}): median {ms:.3f} ms")


if __name__ == "__main__":
    main()
