"""Which sport an activity is when its file does not say, and the evidence for the call.

Readers mark a sport the file does not state (GPX without ``<type>``, TCX "Other", FIT
without a sport) as ASSUMED. Here the data decides where it can: speeds no runner holds, steps
of 3 m (pedalling read as cadence), pool-length laps, and words in the file's creator, track
name or file name. A call the data supports is INFERRED; one nothing supports stays ASSUMED,
and says so. A sport the file states is never changed here: the aggregate step checks it for
plausibility instead (``analyzer/identity.py``). docs/formats.md, "Sport", has the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from analyzer.metrics.elevation import elevation_and_grade
from analyzer.metrics.motion import MAX_FOOT_SPEED_M_S, Motion, motion
from analyzer.model import Activity, Format, Samples, Sport, SportSource

#: A median moving speed above this is ridden: the marathon record is run at 5.9 m/s.
RIDE_MEDIAN_SPEED_M_S = 6.5
#: The 1,000 m world record (2:11.96) and how the best runners' speed falls with duration
#: (Riegel's exponent fitted to the world records from 1 km to the marathon: within 2 %).
WORLD_RECORD_KM_S = 131.96
RIEGEL_EXPONENT = 0.07
#: Unstated sports faster than this share of the world's best for that duration, over at
#: least ELITE_MIN_S, are ridden: such runners' watches state the sport.
ELITE_SHARE = 0.80
ELITE_MIN_S = 60.0
#: Speed over cadence longer than this per step is pedalling (runners step 0.8-2 m).
MAX_STEP_M = 2.2
#: Running: cadence and speed both in a runner's range.
RUN_CADENCE_SPM = (140.0, 230.0)
RUN_SPEED_M_S = 1.8
#: Slower than this on average (9:15/km) is walking or hiking.
WALK_SPEED_M_S = 1.8
HIKE_CLIMB_M_PER_KM = 40.0
#: Pool lengths (m), longest first so that 100 m laps read as 50 m lengths.
POOL_LENGTHS_M = (50.0, 33.333, 25.0, 22.86)
MIN_POOL_LAPS = 4

#: Words in a creator, track name or file name that name a sport, as whole words (so that
#: Blackpool and Liverpool are not pools). Running first: "run to the pool" is a run.
_WORDS: tuple[tuple[Sport, re.Pattern[str]], ...] = (
    (Sport.RUNNING, re.compile(r"\b(run|runs|running|jog|jogging|lauf|parkrun|marathon)\b")),
    (Sport.SWIMMING, re.compile(r"\b(swim|swims|swimming|pool|schwimmen|natation)\b")),
    (
        Sport.CYCLING,
        re.compile(
            r"\b(bike|biker|bikes|biking|cycling|cycle|ride|rides|velo|vélo|bici|mtb|gravel"
            r"|radfahrt|radtour)\b"
        ),
    ),
    (Sport.HIKING, re.compile(r"\b(hike|hiking|wandern|wanderung|trek|trekking)\b")),
    (Sport.WALKING, re.compile(r"\b(walk|walking|spaziergang|marche)\b")),
)


@dataclass(frozen=True, slots=True)
class SportCall:
    sport: Sport
    source: SportSource
    reason: str  # the evidence, with its numbers


@dataclass(frozen=True)
class SpeedProfile:
    """What the call looks at, from the moving part of the activity."""

    moving_time_s: float
    distance_m: float
    median_speed_m_s: float  # time-weighted over moving intervals
    mean_speed_m_s: float  # distance / moving time
    mean_cadence_spm: float  # time-weighted over moving samples with a cadence
    samples: Samples
    move: Motion

    @cached_property
    def climb_m_per_km(self) -> float:
        """Ascent per km as the summary counts it (asked for only by slow activities)."""
        if self.distance_m < 500:
            return float("nan")
        elevation, _ = elevation_and_grade(
            self.samples, self.move.cumulative_distance_m, self.move.moving
        )
        return elevation.ascent_m / (self.distance_m / 1000)


def call_sport(activity: Activity) -> tuple[SportCall, Motion | None]:
    """The sport to use and why (the file's own sport when it states one), and for an
    inferred one the motion measured as the summary measures that sport, so it is not
    measured again."""
    if activity.sport_source is not SportSource.ASSUMED:
        return SportCall(activity.sport, activity.sport_source, "stated in the file"), None
    # Speeds as any sport would have them: the foot sports' GPS-jump limit (12 m/s) would
    # clip a ride to a runner's speed.
    anything = motion(replace(activity, sport=Sport.OTHER))
    call = _first_call(activity, speed_profile(activity, anything))
    if not call.sport.is_on_foot or not _faster_than_feet(activity, anything):
        return call, anything  # no step the foot sports' limit drops: the same motion
    # On foot, the summary drops GPS steps over 12 m/s as jumps: so does the reason.
    on_foot = motion(replace(activity, sport=call.sport))
    again = _first_call(activity, speed_profile(activity, on_foot))
    return (again, on_foot) if again.sport.is_on_foot else (call, anything)


def _faster_than_feet(activity: Activity, move: Motion) -> bool:
    """Whether a GPS step of ``move`` is one the foot sports drop as a jump (else their
    motion is the same; a distance channel is never capped)."""
    if move.distance_source != "gps":
        return False
    step_m = np.diff(move.cumulative_distance_m)
    return bool((step_m > MAX_FOOT_SPEED_M_S * np.diff(activity.samples.time_s)).any())


def _first_call(activity: Activity, profile: SpeedProfile) -> SportCall:
    for check in (_ridden, _pool_laps, _stepping, _named, _fast, _slow):
        call = check(activity, profile)
        if call is not None:
            return call
    return _fallback(activity, profile)


def speed_profile(activity: Activity, move: Motion) -> SpeedProfile:
    samples = activity.samples
    moving = move.moving
    weights = np.minimum(move.interval_s[moving], 10.0)
    moving_time_s = move.moving_time_s
    distance_m = move.distance_m
    median = float("nan")
    if move.distance_source != "none" and moving.any():
        # Each moving interval's own speed: the median shrugs off the odd GPS step.
        step_m = np.diff(move.cumulative_distance_m, prepend=move.cumulative_distance_m[:1])
        speed = step_m[moving] / move.interval_s[moving]
        median = _weighted_median(speed, weights)
    cadence = samples.cadence_spm[moving]
    has_cadence = np.isfinite(cadence) & (cadence > 0)
    mean_cadence = (
        float(np.average(cadence[has_cadence], weights=weights[has_cadence] + 1e-9))
        if has_cadence.sum() >= 10
        else float("nan")
    )
    return SpeedProfile(
        moving_time_s=moving_time_s,
        distance_m=distance_m,
        median_speed_m_s=median,
        mean_speed_m_s=distance_m / moving_time_s if moving_time_s > 0 else float("nan"),
        mean_cadence_spm=mean_cadence,
        samples=samples,
        move=move,
    )


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    order = np.argsort(values[ok])
    cumulative = np.cumsum(weights[ok][order])
    return float(values[ok][order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _inferred(sport: Sport, reason: str) -> SportCall:
    return SportCall(sport, SportSource.INFERRED, reason)


def _ridden(activity: Activity, p: SpeedProfile) -> SportCall | None:
    if p.median_speed_m_s > RIDE_MEDIAN_SPEED_M_S and p.moving_time_s >= 60:
        return _inferred(
            Sport.CYCLING,
            f"median moving speed {p.median_speed_m_s * 3.6:.1f} km/h "
            f"({pace_text(p.median_speed_m_s)}): no runner holds that",
        )
    step_m = p.mean_speed_m_s * 60 / p.mean_cadence_spm
    if step_m > MAX_STEP_M and p.mean_speed_m_s > RUN_SPEED_M_S:
        return _inferred(
            Sport.CYCLING,
            f"cadence {p.mean_cadence_spm / 2:.0f}/min per foot at {p.mean_speed_m_s * 3.6:.1f}"
            f" km/h is {step_m:.1f} m a step: pedalling, not running",
        )
    return None


def _pool_laps(activity: Activity, p: SpeedProfile) -> SportCall | None:
    laps = [lap.distance_m for lap in activity.laps if np.isfinite(lap.distance_m)]
    if len(laps) < MIN_POOL_LAPS or activity.samples.has("latitude_deg"):
        return None
    for length in POOL_LENGTHS_M:
        lengths = [d / length for d in laps if d > 0]
        whole = [abs(n - round(n)) * length <= 0.5 for n in lengths]
        if len(lengths) >= MIN_POOL_LAPS and all(whole) and len(lengths) >= 0.8 * len(laps):
            return _inferred(
                Sport.SWIMMING,
                f"{len(lengths)} laps without GPS, each a whole number of {length:g} m lengths:"
                " a pool swim",
            )
    return None


def _named(activity: Activity, p: SpeedProfile) -> SportCall | None:
    for what, text in (
        ("creator", activity.device),
        ("name", activity.name),
        ("file name", activity.path.rsplit("/", 1)[-1]),
    ):
        words = (text or "").lower().replace("_", " ")
        for sport, pattern in _WORDS:
            if pattern.search(words):
                return _inferred(sport, f"the {what} {text!r} names {sport.value}")
    return None


def _fast(activity: Activity, p: SpeedProfile) -> SportCall | None:
    if p.moving_time_s < ELITE_MIN_S:
        return None
    elite = ELITE_SHARE * world_best_speed_m_s(p.moving_time_s)
    if not p.mean_speed_m_s > elite:
        return None
    return _inferred(
        Sport.CYCLING,
        f"{p.distance_m / 1000:.1f} km at {pace_text(p.mean_speed_m_s)}"
        f" ({p.mean_speed_m_s * 3.6:.1f} km/h) for {p.moving_time_s / 60:.0f} min: faster than"
        f" all but elite runners (the world's best hold {pace_text(elite / ELITE_SHARE)} that"
        " long); likely a ride",
    )


def world_best_speed_m_s(duration_s: float) -> float:
    """About the world-record running speed for an effort of ``duration_s`` (1 km and up)."""
    speed_1km = 1000.0 / WORLD_RECORD_KM_S
    return float(
        speed_1km * (max(duration_s, WORLD_RECORD_KM_S) / WORLD_RECORD_KM_S) ** -RIEGEL_EXPONENT
    )


def _stepping(activity: Activity, p: SpeedProfile) -> SportCall | None:
    low, high = RUN_CADENCE_SPM
    if not low <= p.mean_cadence_spm <= high or not p.mean_speed_m_s >= RUN_SPEED_M_S:
        return None
    if activity.format is Format.TCX:
        return None  # TCX "Other" was chosen over "Running": steps alone may be skiing
    return _inferred(
        Sport.RUNNING,
        f"cadence {p.mean_cadence_spm:.0f} steps/min at {pace_text(p.mean_speed_m_s)}:"
        " running steps",
    )


def _slow(activity: Activity, p: SpeedProfile) -> SportCall | None:
    if not p.mean_speed_m_s < WALK_SPEED_M_S or activity.format is Format.TCX:
        return None
    sport = Sport.HIKING if p.climb_m_per_km >= HIKE_CLIMB_M_PER_KM else Sport.WALKING
    climb = f", climbing {p.climb_m_per_km:.0f} m/km" if sport is Sport.HIKING else ""
    return _inferred(
        sport,
        f"{pace_text(p.mean_speed_m_s)} on average while moving{climb}: slower than running",
    )


def _fallback(activity: Activity, p: SpeedProfile) -> SportCall:
    if activity.sport is Sport.RUNNING:  # GPX without <type>: most such files are runs
        pace = (
            f"; its pace, {pace_text(p.mean_speed_m_s)}, fits running"
            if np.isfinite(p.mean_speed_m_s)
            else ""
        )
        return SportCall(
            Sport.RUNNING, SportSource.ASSUMED, f"no sport in the file{pace}, nothing confirms it"
        )
    said = "the file says only 'Other'" if activity.format is Format.TCX else "no sport in the file"
    return SportCall(Sport.OTHER, SportSource.ASSUMED, f"{said}, and the data does not settle it")


def pace_text(speed_m_s: float) -> str:
    """``3:09/km``; these reasons are stored, so they use the metric unit whatever the display."""
    if not np.isfinite(speed_m_s) or speed_m_s <= 0:
        return "-"
    minutes, seconds = divmod(round(1000 / speed_m_s), 60)
    return f"{minutes}:{seconds:02d}/km"
