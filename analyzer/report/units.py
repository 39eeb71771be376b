"""Display units: the only place kilometres, miles, feet and clock times are spelled out.

Everything inside the library is SI (metres, seconds, m/s). ``units`` is ``"km"`` (distances
in km, heights in m, paces per km) or ``"mi"`` (miles, feet, paces per mile). Functions that
format a number return ``"-"`` for a missing one (NaN or None).
"""

from __future__ import annotations

import math
import re
from datetime import date

KM_PER_MILE = 1.609344
M_PER_FOOT = 0.3048
UNITS = ("km", "mi")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def check(units: str) -> str:
    if units not in UNITS:
        raise ValueError(f"units must be one of {UNITS}, not {units!r}")
    return units


# --- distances (km or mi) ---------------------------------------------------------------------


def distance_label(units: str) -> str:
    return "mi" if check(units) == "mi" else "km"


def distance_value(metres: float, units: str) -> float:
    """Metres in the display unit (km or mi)."""
    return metres / 1000 / (KM_PER_MILE if check(units) == "mi" else 1.0)


def distance(metres: float | None, units: str = "km", digits: int = 2) -> str:
    if metres is None or _missing(metres):
        return "-"
    return f"{distance_value(metres, units):.{digits}f} {distance_label(units)}"


def distance_number(metres: float | None, units: str = "km", digits: int = 1) -> str:
    """The number alone, for tables whose header carries the unit."""
    if metres is None or _missing(metres):
        return "-"
    return f"{distance_value(metres, units):.{digits}f}"


# --- heights and short lengths (m or ft) ------------------------------------------------------


def height_label(units: str) -> str:
    return "ft" if check(units) == "mi" else "m"


def height_value(metres: float, units: str) -> float:
    return metres / M_PER_FOOT if check(units) == "mi" else metres


def height(metres: float | None, units: str = "km") -> str:
    if metres is None or _missing(metres):
        return "-"
    return f"{height_value(metres, units):.0f} {height_label(units)}"


def height_number(metres: float | None, units: str = "km") -> str:
    if metres is None or _missing(metres):
        return "-"
    return f"{height_value(metres, units):.0f}"


def step_length(metres: float | None, units: str = "km") -> str:
    if metres is None or _missing(metres):
        return "-"
    if check(units) == "mi":
        return f"{metres / M_PER_FOOT:.2f} ft"
    return f"{metres:.2f} m"


# --- speed and pace ---------------------------------------------------------------------------


def speed_label(units: str) -> str:
    return "mph" if check(units) == "mi" else "km/h"


def speed_value(m_s: float, units: str) -> float:
    return m_s * 3.6 / (KM_PER_MILE if check(units) == "mi" else 1.0)


def speed(m_s: float | None, units: str = "km") -> str:
    if m_s is None or _missing(m_s):
        return "-"
    return f"{speed_value(m_s, units):.1f} {speed_label(units)}"


def pace(m_s: float | None, units: str = "km") -> str:
    """Time per km or per mile, as m:ss /km."""
    if m_s is None or _missing(m_s) or m_s <= 0:
        return "-"
    seconds = (KM_PER_MILE if check(units) == "mi" else 1.0) * 1000 / m_s
    if seconds >= 100 * 60:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d} /{distance_label(units)}"


# --- other quantities -------------------------------------------------------------------------


def duration(seconds: float | None) -> str:
    if seconds is None or _missing(seconds):
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def minutes(seconds: float | None) -> str:
    return "-" if seconds is None or _missing(seconds) else f"{seconds / 60:.0f} min"


def cadence(spm: float | None) -> str:
    return "-" if spm is None or _missing(spm) else f"{spm:.0f} spm"


def cadence_number(spm: float | None) -> str:
    return "-" if spm is None or _missing(spm) else f"{spm:.0f}"


def heart_rate(bpm: float | None) -> str:
    return "-" if bpm is None or _missing(bpm) else f"{bpm:.0f} bpm"


def temperature(celsius: float | None) -> str:
    return "-" if celsius is None or _missing(celsius) else f"{celsius:.1f} °C"


def percent(value: float | None) -> str:
    """A change in percent, signed: ``+12 %`` (``0 %`` for less than half a percent)."""
    if value is None or _missing(value):
        return "-"
    return "0 %" if round(value) == 0 else f"{value:+.0f} %"


def share(value: float | None) -> str:
    """A fraction (0-1) as a percentage: ``48 %``."""
    return "-" if value is None or _missing(value) else f"{100 * value:.0f} %"


def ratio(value: float | None) -> str:
    return "-" if value is None or _missing(value) else f"{value:.2f}"


def number(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None or _missing(value):
        return "-"
    text = f"{value:.{digits}f}"
    return f"{text} {unit}" if unit else text


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 run``, ``2 runs``."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


# --- dates ------------------------------------------------------------------------------------


def day(d: date, with_year: bool = False) -> str:
    """``8 Nov`` (or ``8 Nov 2026``): short, and the same in every locale."""
    text = f"{d.day} {MONTHS[d.month - 1]}"
    return f"{text} {d.year}" if with_year else text


def period(first: date, last: date) -> str:
    """``3 Aug - 22 Nov 2026``, or with both years when they differ; one day is one day."""
    if first == last:
        return day(last, with_year=True)
    if first.year == last.year:
        return f"{day(first)} - {day(last, with_year=True)}"
    return f"{day(first, with_year=True)} - {day(last, with_year=True)}"


# --- the rules' messages ----------------------------------------------------------------------

# The rule messages (analyzer/rules.py) write distances as one-decimal kilometres ("32.1 km")
# and speeds as one-decimal km/h. Whole-number kilometres there already carry miles beside them
# ("788 km (490 mi)") or are the guide's own thresholds ("480-800 km"), and stay as they are.
_KM = re.compile(r"\b(\d+\.\d) km(?![/\w])")
_KMH = re.compile(r"\b(\d+\.\d) km/h\b")


def message(text: str, units: str = "km") -> str:
    """A finding's message in the display units: unchanged for km, distances and speeds in
    miles and mph for mi."""
    if check(units) == "km":
        return text
    text = _KMH.sub(lambda m: f"{float(m.group(1)) / KM_PER_MILE:.1f} mph", text)
    return _KM.sub(lambda m: f"{float(m.group(1)) / KM_PER_MILE:.1f} mi", text)
