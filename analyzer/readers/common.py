"""What every reader shares: sport names, cadence units, and repairs of impossible values."""

from __future__ import annotations

import dataclasses

import numpy as np

from analyzer.model import CHANNELS, FloatArray, Samples, Sport, SportSource

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


def stated_sport(text: str | None, sub_sport: str | None = None) -> tuple[Sport, SportSource]:
    """The sport a file's own words name, and whether they name one at all.

    Missing, generic or unknown words ("Other", FIT's "generic", a GPX <type> of "t") state
    nothing: the sport is then OTHER and ASSUMED, for the summarize step to infer from the data.
    """
    sport = sport_from_text(text, sub_sport)
    if sport is Sport.OTHER and _norm(text) not in _STATED_OTHER:
        return Sport.OTHER, SportSource.ASSUMED
    return sport, SportSource.FILE


#: Words that do name a sport, just not one calfguard tells apart (FIT's sport enum).
_STATED_OTHER = frozenset(
    {
        "other", "transition", "fitness_equipment", "rowing", "mountaineering", "multisport",
        "paddling", "stand_up_paddleboarding", "kayaking", "rafting", "sailing", "skating",
        "inline_skating", "cross_country_skiing", "alpine_skiing", "snowboarding", "skiing",
        "snowshoeing", "training", "yoga", "tennis", "soccer", "golf", "boxing", "climbing",
        "rock_climbing", "kitesurfing", "windsurfing", "surfing", "wakeboarding", "water_skiing",
        "ice_skating", "driving", "motorcycling", "flying", "horseback_riding", "hunting",
        "fishing", "floor_climbing", "diving", "strength_training", "cardio_training",
    }
)  # fmt: skip


def cadence_sport(sport: Sport, source: SportSource) -> Sport:
    """The sport to read cadence for: a sport the file does not state is read as running
    (steps, per foot when low), and dropped later if the data says it was not on foot."""
    return Sport.RUNNING if source is SportSource.ASSUMED else sport


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


# --- values no recording can have -------------------------------------------------------------

#: Times outside 1990..2100 come from no recording: a device clock that was never set (FIT's
#: relative times count from 1989-12-31), placeholders, overflowed or damaged values.
EARLIEST_S = 631_152_000.0  # 1990-01-01 00:00 UTC
LATEST_S = 4_102_444_800.0  # 2100-01-01 00:00 UTC
#: Lower than the Dead Sea shore or higher than any summit: a baro or GPS fault.
ALTITUDE_RANGE_M = (-500.0, 9000.0)
#: Outside this no heart beats (0 is a strap that lost contact, 255 the FIT invalid value).
HEART_RATE_RANGE_BPM = (25.0, 250.0)
#: Above this no one steps (per-foot 255, FIT's invalid value, reads 510 once doubled).
MAX_CADENCE_SPM = 300.0


def plausible_time(posix_s: float) -> bool:
    """True for a finite time in 1990-01-01 .. 2100-01-01: one a watch can have recorded."""
    return bool(EARLIEST_S <= posix_s <= LATEST_S)


def sanitize(samples: Samples) -> tuple[Samples, tuple[str, ...]]:
    """Repairs what is certainly wrong in a reader's samples, with a note for each kind of fix.

    Samples timed outside 1990..2100 are dropped, samples out of time order are sorted, and
    samples that repeat the time before them are kept and noted. Positions at (0, 0) or off
    the globe, altitudes, heart rates and cadences outside what a body or the Earth allows
    become NaN. Samples with nothing wrong come back as they are, with no notes.
    """
    notes: list[str] = []
    t = samples.time_s
    timed = (t >= EARLIEST_S) & (t <= LATEST_S)  # NaN compares false: dropped too
    if not timed.all():
        n = len(t) - int(timed.sum())
        notes.append(f"dropped {_count(n, 'sample')} timed outside 1990-2100 (clock not set)")
        samples = samples.select(timed)
        t = samples.time_s
    steps = np.diff(t)
    n_back = int(np.count_nonzero(steps < 0))
    if n_back:
        notes.append(f"samples were out of time order ({_count(n_back, 'step')} back); sorted")
        order = np.argsort(t, kind="stable")
        samples = Samples(
            time_s=t[order], **{name: getattr(samples, name)[order] for name in CHANNELS}
        )
        t = samples.time_s
        steps = np.diff(t)
    later = np.flatnonzero(steps == 0) + 1  # the second of two samples with one time
    if len(later):
        # Kept, whether copies or not: the metrics give them a zero-length step, and dropping
        # either of two different samples would lose one.
        exact = np.ones(len(later), dtype=bool)
        for name in CHANNELS:
            values = getattr(samples, name)
            a, b = values[later], values[later - 1]
            exact &= (a == b) | (np.isnan(a) & np.isnan(b))
        n_exact = int(exact.sum())
        if n_exact == len(later):
            copies = ", an exact copy" if n_exact == 1 else ", all exact copies"
        else:
            copies = f", {n_exact} of them exact copies" if n_exact else ""
        verb = "shares" if len(later) == 1 else "share"
        notes.append(
            f"{_count(len(later), 'sample')} {verb} a time with the one before{copies}; kept"
        )
    fixes: dict[str, FloatArray] = {}
    lat, lon = samples.latitude_deg, samples.longitude_deg
    null_island = (lat == 0) & (lon == 0)
    off_globe = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    for bad, what in ((null_island, "at 0°N 0°E (no fix)"), (off_globe, "off the globe")):
        if bad.any():
            notes.append(f"removed {_count(int(bad.sum()), 'position')} {what}")
            lat = fixes["latitude_deg"] = np.where(bad, np.nan, lat)
            lon = fixes["longitude_deg"] = np.where(bad, np.nan, lon)
    for name, (low, high), what in (
        ("altitude_m", ALTITUDE_RANGE_M, "altitude"),
        ("heart_rate_bpm", HEART_RATE_RANGE_BPM, "heart rate"),
        ("cadence_spm", (0.0, MAX_CADENCE_SPM), "cadence"),
    ):
        values = getattr(samples, name)
        bad = (values < low) | (values > high)
        if bad.any():
            notes.append(
                f"removed {_count(int(bad.sum()), what + ' value')} outside {low:g}..{high:g}"
            )
            fixes[name] = np.where(bad, np.nan, values)
    if fixes:
        samples = dataclasses.replace(samples, **fixes)
    return samples, tuple(notes)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"
