"""Summarize benchmark (make bench): one 1-hour run (3,600 samples, every channel) -> summary.

Target (issue 3): under 5 ms median on this 2-core machine. Prints each part's share.
Target (issue 12): telling what a file is (the sport of a file that states none, the time zone
at its start, the fastest km) and resolving its local offset add under 1 ms a file.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.identity import resolve_offsets  # noqa: E402
from analyzer.metrics import cadence, dynamics, elevation, heart, heat, motion, warmup  # noqa: E402
from analyzer.metrics.sport import call_sport  # noqa: E402
from analyzer.metrics.summary import fastest_distance_s, summarize  # noqa: E402
from analyzer.model import Activity, SportSource  # noqa: E402
from analyzer.settings import AthleteProfile  # noqa: E402
from analyzer.timezones import start_zone  # noqa: E402
from tests.factories import activity, full_samples  # noqa: E402


def median_ms(func: Callable[[], object], repeat: int = 51) -> float:
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    run = activity(full_samples(3600))
    profile = AthleteProfile(max_heart_rate_bpm=188, resting_heart_rate_bpm=50)
    s = run.samples
    m = motion.motion(run)
    hr = heart.heart_rate(s, m, profile, run.start_time.date())
    parts = {
        "motion": lambda: motion.motion(run),
        "cadence": lambda: cadence.cadence(s, m),
        "dynamics": lambda: dynamics.dynamics(s, m),
        "elevation": lambda: elevation.elevation(s, m.cumulative_distance_m, m.moving),
        "heart": lambda: heart.heart_rate(s, m, profile, run.start_time.date()),
        "intensity": lambda: heart.intensity(s, m, hr, profile),
        "heat": lambda: heat.heat(s, m),
        "warm-up": lambda: warmup.warm_up(s, m),
        "time zone": lambda: start_zone(s.latitude_deg, s.longitude_deg),
        "fastest km": lambda: fastest_distance_s(m, 1000.0),
    }
    total = median_ms(lambda: summarize(run, profile))
    print(
        f"summarize a 1-hour run (3600 samples): {total:.2f} ms median"
        f"  [target < 5 ms: {'ok' if total < 5 else 'MISSED'}]"
    )
    for name, func in parts.items():
        print(f"  {name:<10} {median_ms(func):6.3f} ms")
    identity_ms = _identity_ms(run, profile)
    print(
        f"what the file is (sport inference, time zone, fastest km, offset): {identity_ms:.2f} ms"
        f" a file  [target < 1 ms: {'ok' if identity_ms < 1 else 'MISSED'}]"
    )


def _identity_ms(run: Activity, profile: AthleteProfile) -> float:
    """A GPX-like file that states neither its sport nor its offset: distance from GPS, the
    sport inferred, the zone looked up and the offset resolved. An upper bound: the inference's
    motion pass is counted here, though the summary reuses it (a second one runs only where a
    GPS step is faster than feet)."""
    no_distance = replace(run.samples, distance_m=np.full(len(run.samples), np.nan))
    unstated = replace(
        run, samples=no_distance, sport_source=SportSource.ASSUMED, utc_offset_s=None
    )
    s, m = run.samples, motion.motion(run)
    summary = summarize(unstated, profile)
    return (
        median_ms(lambda: call_sport(unstated))
        + median_ms(lambda: start_zone(s.latitude_deg, s.longitude_deg))
        + median_ms(lambda: fastest_distance_s(m, 1000.0))
        + median_ms(lambda: resolve_offsets([summary], None), repeat=501)
    )


if __name__ == "__main__":
    main()
