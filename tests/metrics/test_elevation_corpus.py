"""Our ascent and descent against the totals real devices wrote (INDEX.tsv): the measurement
behind the method in analyzer/metrics/elevation.py, kept as a test. Run with -s to see the table
(bench/measure_elevation.py prints the same comparison for every candidate method).

Issue 3: for running files whose device recorded >= 20 m of ascent, the median of our ascent /
the device's ascent is between 0.9 and 1.1.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import pytest

from analyzer.metrics.elevation import Elevation, elevation
from analyzer.metrics.motion import motion
from analyzer.model import Activity
from analyzer.readers.fit_reader import read_fit
from tests.corpus import corpus_dir, corpus_index

pytestmark = pytest.mark.corpus

#: Below this the device's own total is mostly its rounding and start-up behaviour.
MIN_DEVICE_ASCENT_M = 20.0


@dataclass(frozen=True, slots=True)
class DeviceSession:
    name: str  # file name relative to the corpus
    session: int
    sport: str  # as the device wrote it in the session message
    device_ascent_m: float
    device_descent_m: float
    activity: Activity


def device_sessions(min_ascent_m: float = MIN_DEVICE_ASCENT_M) -> list[DeviceSession]:
    """Every FIT session whose device recorded at least ``min_ascent_m`` of ascent."""
    found = []
    for name, row in sorted(corpus_index().items()):
        ascents = row["S_total_ascent_m"].split("|")
        descents = row["S_total_descent_m"].split("|")
        sports = row["S_sport"].split("|")
        wanted = [i for i, text in enumerate(ascents) if text and float(text) >= min_ascent_m]
        if not name.startswith("fit/") or not wanted:
            continue
        activities = read_fit((corpus_dir() / name).read_bytes(), name)
        for i in wanted:
            descent = float(descents[i]) if descents[i] else math.nan
            found.append(
                DeviceSession(name, i, sports[i], float(ascents[i]), descent, activities[i])
            )
    return found


def ours(activity: Activity) -> Elevation:
    move = motion(activity)
    return elevation(activity.samples, move.cumulative_distance_m, move.moving)


def ratio(ours_m: float, device_m: float) -> float:
    return ours_m / device_m if device_m > 0 else math.nan


def table(rows: list[tuple[DeviceSession, Elevation]]) -> str:
    lines = [
        "| file | session | source | device ascent | ours | ratio "
        "| device descent | ours | ratio |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s, e in rows:
        lines.append(
            f"| {s.name.removeprefix('fit/')} | {s.session} | {e.altitude_source} "
            f"| {s.device_ascent_m:.0f} | {e.ascent_m:.1f} "
            f"| {ratio(e.ascent_m, s.device_ascent_m):.2f} "
            f"| {s.device_descent_m:.0f} | {e.descent_m:.1f} "
            f"| {ratio(e.descent_m, s.device_descent_m):.2f} |"
        )
    return "\n".join(lines)


def test_running_ascent_and_descent_match_the_devices() -> None:
    corpus_dir()
    rows = [(s, ours(s.activity)) for s in device_sessions() if s.sport == "running"]
    if not rows:
        pytest.skip("no running session with a device ascent of 20 m or more")
    ascent = [ratio(e.ascent_m, s.device_ascent_m) for s, e in rows]
    # A session whose device recorded no descent has no ratio; it still shows in the table.
    descent = [r for s, e in rows if not math.isnan(r := ratio(e.descent_m, s.device_descent_m))]
    methods = sorted({f"{e.altitude_source}: {e.method}" for _, e in rows})
    print(f"\nrunning sessions with >= 20 m device ascent; {'; '.join(methods)}")
    print(table(rows))
    print(
        f"median ours/device: ascent {statistics.median(ascent):.3f} over {len(ascent)}, "
        f"descent {statistics.median(descent):.3f} over {len(descent)}"
    )
    assert 0.9 <= statistics.median(ascent) <= 1.1
    assert 0.85 <= statistics.median(descent) <= 1.15
    # Every session, not only the median: the worst is 0.94x today (docs/elevation.md).
    assert all(0.8 <= r <= 1.25 for r in ascent + descent)
