"""Moving time against the timer time real devices wrote (INDEX.tsv: S_total_timer_time_s).

A device's timer time counts standing still with the timer running; moving time does not, by
definition. So the test shows the split instead of copying the device's habit: moving time is
within 2 % of the timer time, or moving time plus the timer-running time we found standing (at
under 0.5 m/s on average) adds up to the timer time within 2 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.metrics.motion import MOVING_SPEED_M_S, motion
from analyzer.readers.fit_reader import read_fit
from tests.corpus import corpus_dir, corpus_files

pytestmark = pytest.mark.corpus


def running_sessions() -> list[tuple[str, int]]:
    out = []
    for name in corpus_files("fit/*.fit"):
        for i, activity in enumerate(read_fit((corpus_dir() / name).read_bytes(), name)):
            damaged = any("damaged" in note for note in activity.notes)
            timer_s = activity.device_totals.timer_time_s
            has_distance = activity.samples.has("distance_m")
            if activity.sport.is_running and timer_s >= 300 and not damaged and has_distance:
                out.append((name, i))
    return out


@pytest.mark.parametrize(("name", "session"), running_sessions())
def test_moving_time_is_the_timer_time_less_standing(name: str, session: int) -> None:
    activity = read_fit((corpus_dir() / name).read_bytes(), name)[session]
    m = motion(activity)
    timer_s = activity.device_totals.timer_time_s
    standing = ~m.moving & (m.interval_s > 0)
    standing_s = float(m.interval_s[standing].sum())
    step_m = np.diff(m.cumulative_distance_m, prepend=m.cumulative_distance_m[:1])
    standing_speed = float(step_m[standing].sum()) / standing_s if standing_s else 0.0
    print(
        f"{name}#{session}: moving {m.moving_time_s:.0f} s, device timer {timer_s:.0f} s "
        f"({m.moving_time_s / timer_s:.3f}); "
        f"standing {standing_s:.0f} s at {standing_speed:.2f} m/s"
    )
    if abs(m.moving_time_s - timer_s) <= 0.02 * timer_s:
        return
    assert abs(m.moving_time_s + standing_s - timer_s) <= 0.02 * timer_s
    assert standing_speed < MOVING_SPEED_M_S
