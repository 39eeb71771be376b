"""Activities with exactly known values, for writing with the project's writers and reading back."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from analyzer.metrics.motion import Motion
from analyzer.model import CHANNELS, Activity, Format, Samples, Sport

T0 = 1_714_543_200.0  # 2024-05-01 06:00:00 UTC


def activity(
    samples: Samples, sport: Sport = Sport.RUNNING, fmt: Format = Format.FIT, **kwargs: Any
) -> Activity:
    start = datetime.fromtimestamp(float(samples.time_s[0]) if len(samples) else T0, UTC)
    return Activity(f"run.{fmt.value}", fmt, sport, start, samples, **kwargs)


def full_samples(n: int, t0: float = T0) -> Samples:
    """Every channel filled with distinct, slowly varying values (1 s apart)."""
    i = np.arange(n, dtype=np.float64)
    return Samples.from_channels(
        t0 + i,
        latitude_deg=52.5 + i * 1e-5,
        longitude_deg=13.4 - i * 1e-5,
        distance_m=i * 3.137,
        speed_m_s=3.137 + 0.0004 * i,
        altitude_m=34.27 - 0.11 * i,
        heart_rate_bpm=140 + i % 20,
        cadence_spm=170.3 + (i % 7) * 0.37,
        step_length_m=1.0837 + i * 1e-4,
        ground_contact_time_s=0.2453 + i * 1e-5,
        vertical_oscillation_m=0.08127 + i * 1e-6,
        vertical_ratio_pct=7.771 + i * 1e-3,
        contact_balance_left_pct=49.87 + i * 1e-3,
        temperature_c=21.4 - i * 0.01,
        power_w=251.4 + i % 9,
    )


def hand_motion(
    time_s: npt.ArrayLike,
    moving: npt.ArrayLike | None = None,
    distance_m: npt.ArrayLike | None = None,
) -> Motion:
    """Motion as motion() would give it: each interval belongs to the sample that ends it."""
    t = np.asarray(time_s, dtype=np.float64)
    interval = np.diff(t, prepend=t[:1])
    move = interval > 0 if moving is None else np.asarray(moving, dtype=bool) & (interval > 0)
    if distance_m is None:
        return Motion(interval, move, np.zeros(len(t)), "none", 0)
    return Motion(interval, move, np.asarray(distance_m, dtype=np.float64), "device", 0)


def one_hz(**channels: npt.ArrayLike) -> tuple[Samples, Motion]:
    n = len(np.asarray(next(iter(channels.values()))))
    t = np.arange(float(n))
    return Samples.from_channels(t, **channels), hand_motion(t)


def assert_same_activity(mine: Activity, theirs: Activity) -> None:
    """Equal in every field, arrays element for element (NaN equal to NaN)."""
    for f in dataclasses.fields(Activity):
        if f.name != "samples":
            assert repr(getattr(mine, f.name)) == repr(getattr(theirs, f.name)), f.name
    for name in ("time_s", *CHANNELS):
        a, b = getattr(mine.samples, name), getattr(theirs.samples, name)
        assert np.array_equal(a, b, equal_nan=True), name
