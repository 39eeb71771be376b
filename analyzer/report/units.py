"""Display units: the only place kilometres, miles and clock times are spelled out."""

from __future__ import annotations

import math

KM_PER_MILE = 1.609344


def distance(metres: float, units: str = "km") -> str:
    if not math.isfinite(metres):
        return "-"
    if units == "mi":
        return f"{metres / 1000 / KM_PER_MILE:.2f} mi"
    return f"{metres / 1000:.2f} km"


def duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def cadence(spm: float) -> str:
    return "-" if not math.isfinite(spm) else f"{spm:.0f} spm"


def height(metres: float) -> str:
    return "-" if not math.isfinite(metres) else f"{metres:.0f} m"


def percent(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:+.0f} %"


def ratio(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.2f}"
