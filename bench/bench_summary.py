"""Summarize benchmark (make bench): one 1-hour run (3,600 samples, every channel) -> summary.

Target (issue 3): under 5 ms median on this 2-core machine. Prints each part's share.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.metrics import cadence, dynamics, elevation, heart, heat, motion, warmup  # noqa: E402
from analyzer.metrics.summary import summarize  # noqa: E402
from analyzer.settings import AthleteProfile  # noqa: E402
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
    }
    total = median_ms(lambda: summarize(run, profile))
    print(
        f"summarize a 1-hour run (3600 samples): {total:.2f} ms median"
        f"  [target < 5 ms: {'ok' if total < 5 else 'MISSED'}]"
    )
    for name, func in parts.items():
        print(f"  {name:<10} {median_ms(func):6.3f} ms")


if __name__ == "__main__":
    main()
