"""Conversions every reader shares: sport names, cadence units."""

from __future__ import annotations

import numpy as np

from analyzer.model import FloatArray, Sport

#: A running cadence median below this is per foot (rpm): no runner takes under 120 steps/min.
PER_FOOT_MEDIAN_LIMIT = 120.0

_SPORT_WORDS: dict[str, Sport] = {
    "running": Sport.RUNNING,
    "run": Sport.RUNNING,
    "street_running": Sport.RUNNING,
    "road": Sport.RUNNING,
    "trail_running": Sport.TRAIL_RUNNING,
    "trail_run": Sport.TRAIL_RUNNING,
    "trailrun": Sport.TRAIL_RUNNING,
    "trail": Sport.TRAIL_RUNNING,
    "treadmill": Sport.TREADMILL,
    "treadmill_running": Sport.TREADMILL,
    "virtualrun": Sport.TREADMILL,
    "virtual_run": Sport.TREADMILL,
    "indoor_running": Sport.TREADMILL,
    "track": Sport.TRACK,
    "track_running": Sport.TRACK,
    "walking": Sport.WALKING,
    "walk": Sport.WALKING,
    "hiking": Sport.HIKING,
    "hike": Sport.HIKING,
    "cycling": Sport.CYCLING,
    "biking": Sport.CYCLING,
    "bike": Sport.CYCLING,
    "ride": Sport.CYCLING,
    "virtualride": Sport.CYCLING,
    "e_bike_ride": Sport.CYCLING,
    "ebikeride": Sport.CYCLING,
    "mountain_biking": Sport.CYCLING,
    "road_biking": Sport.CYCLING,
    "swimming": Sport.SWIMMING,
    "swim": Sport.SWIMMING,
    "open_water_swimming": Sport.SWIMMING,
    "lap_swimming": Sport.SWIMMING,
}


def sport_from_text(text: str | None, sub_sport: str | None = None) -> Sport:
    """Normalizes a sport name from any format ("Running", "trail_running", "Run", "Trail Run")."""
    sub = _norm(sub_sport)
    main = _SPORT_WORDS.get(_norm(text), Sport.OTHER)
    if main is Sport.RUNNING and sub in ("trail", "treadmill", "track", "virtual_activity"):
        return Sport.TREADMILL if sub == "virtual_activity" else _SPORT_WORDS[sub]
    if main is Sport.RUNNING and sub == "indoor_running":
        return Sport.TREADMILL
    return main


def _norm(text: str | None) -> str:
    return (text or "").strip().lower().replace(" ", "_").replace("-", "_")


def cadence_to_spm(raw: FloatArray, sport: Sport) -> tuple[FloatArray, bool]:
    """Raw cadence as the file stored it -> steps/min, and whether it was doubled.

    Foot sports are stored per foot by FIT, TCX and Garmin's GPX extension; a few apps write
    steps/min instead, which a running median of 120 or more gives away. Other sports' cadence
    (pedal or stroke rate) is not steps, so it is dropped.
    """
    if not sport.is_on_foot:
        return np.full(len(raw), np.nan), False
    moving = raw[np.isfinite(raw) & (raw > 0)]
    if len(moving) == 0:
        return raw, False
    if sport.is_running and float(np.median(moving)) >= PER_FOOT_MEDIAN_LIMIT:
        return raw, False
    return raw * 2.0, True
