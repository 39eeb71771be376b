"""Heart rate over the moving part of a run: zones, Banister TRIMP, and time at hard effort.

Every sample weighs its interval (capped, so a recording gap does not count as minutes), over
moving samples only. Readings below 30 or above 240 bpm are dropout zeros and optical glitches,
not a heart: they are left out. Formulas, defaults and citations: docs/heart-heat.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from analyzer.metrics.cadence import weighted_mean, weights_s
from analyzer.metrics.motion import Motion, interval_speed_m_s
from analyzer.model import FloatArray, Samples
from analyzer.settings import AthleteProfile, Sex

PLAUSIBLE_HR_BPM = (30.0, 240.0)
#: Lower bounds of zones 2-5 in percent of heart-rate reserve (Karvonen) or of max HR.
ZONE_FLOORS_PCT = (60, 70, 80, 90)
#: With no max HR and no birth year: a population middle, not this run's max (an easy run's
#: max would put the whole run in the top zones).
ASSUMED_MAX_HR_BPM = 190.0
ASSUMED_RESTING_HR_BPM = 60.0
#: Ages the Tanaka formula is used for; outside them the date or the birth year is wrong
#: (a FIT file with an unset clock dates from 1989).
TANAKA_AGES_Y = (10, 100)
#: Banister's weighting y = a e^(b HRr), by sex (Morton, Fitz-Clarke and Banister 1990).
TRIMP_CONSTANTS = {Sex.MALE: (0.64, 1.92), Sex.FEMALE: (0.86, 1.67)}


@dataclass(frozen=True, slots=True)
class HeartRate:
    mean_bpm: float
    max_bpm: float
    zone_time_s: tuple[float, float, float, float, float]  # Z1..Z5 moving time
    zones_from: str  # where max (and resting) HR came from
    trimp: float  # Banister TRIMP summed per sample (NaN without heart rate)
    trimp_basis: str  # the max, resting HR and sex constants it used


@dataclass(frozen=True, slots=True)
class Intensity:
    hard_time_s: float  # moving time in zones 4-5, or at or faster than threshold pace
    basis: str


@dataclass(frozen=True, slots=True)
class HeartLimits:
    """The max and resting HR the zones and TRIMP use, and what each came from."""

    max_bpm: float
    max_from: str
    resting_bpm: float | None  # from the profile only; None means %-of-max zones
    zone_floors_bpm: tuple[float, float, float, float]  # lower bounds of zones 2-5
    zones_from: str


def heart_limits(profile: AthleteProfile, on: date) -> HeartLimits:
    """Zones by % of heart-rate reserve when the profile gives resting HR, else by % of max."""
    max_bpm, max_from, zones_from = _max_hr(profile, on)
    rest = profile.resting_heart_rate_bpm
    if rest is not None and rest >= max_bpm:
        rest, zones_from = None, f"{zones_from}; resting HR ignored (not below max HR)"
    elif rest is not None and profile.max_heart_rate_bpm is None:
        zones_from = f"{zones_from} and profile resting HR"
    base = 0.0 if rest is None else rest
    # (max - rest) x pct / 100 in that order: exact for whole-number inputs, so a reading
    # exactly on a boundary lands in the upper zone as documented.
    z2, z3, z4, z5 = (base + (max_bpm - base) * pct / 100 for pct in ZONE_FLOORS_PCT)
    return HeartLimits(max_bpm, max_from, rest, (z2, z3, z4, z5), zones_from)


def _max_hr(profile: AthleteProfile, on: date) -> tuple[float, str, str]:
    """Max HR, its short source for trimp_basis, and the zones_from text."""
    if profile.max_heart_rate_bpm is not None:
        both = profile.resting_heart_rate_bpm is not None
        return (
            profile.max_heart_rate_bpm,
            "profile",
            f"profile (max{' and resting' if both else ''} HR)",
        )
    age = on.year - profile.birth_year if profile.birth_year is not None else None
    if age is not None and TANAKA_AGES_Y[0] <= age <= TANAKA_AGES_Y[1]:
        tanaka = (2080 - 7 * age) / 10  # 208 - 0.7 x age, without 0.7's binary rounding
        return (
            tanaka,
            f"Tanaka from age {age}",
            f"estimated max HR from age (Tanaka 208 - 0.7 x age = {tanaka:g} bpm)",
        )
    if age is not None:
        why = f"age {age} on this run's date is outside {TANAKA_AGES_Y[0]}-{TANAKA_AGES_Y[1]}"
    elif profile.resting_heart_rate_bpm is None:
        why = "no profile"
    else:
        why = "no max HR or birth year"
    return ASSUMED_MAX_HR_BPM, "assumed", f"assumed max HR 190 bpm ({why})"


def plausible_hr(samples: Samples, motion: Motion) -> npt.NDArray[np.bool_]:
    """Moving samples with a heart-rate reading a heart could give."""
    hr = samples.heart_rate_bpm
    low, high = PLAUSIBLE_HR_BPM
    return motion.moving & (hr >= low) & (hr <= high)  # NaN compares false


def speed_m_s(samples: Samples, motion: Motion) -> FloatArray:
    """The device's speed where it recorded one, else the speed from the distance over each
    interval widened by a few seconds (foot pods update distance in steps: see motion.py)."""
    recorded = samples.speed_m_s
    known = np.isfinite(recorded)
    # A complete speed channel needs nothing derived (saves the interpolations).
    if motion.distance_source == "none" or len(samples) < 2 or known.all():
        return recorded
    derived = interval_speed_m_s(samples.time_s, motion.cumulative_distance_m)
    return np.where(known, recorded, derived)


def heart_rate(samples: Samples, motion: Motion, profile: AthleteProfile, on: date) -> HeartRate:
    limits = heart_limits(profile, on)
    mask = plausible_hr(samples, motion)
    hr = samples.heart_rate_bpm[mask]
    weights = weights_s(motion, mask)
    zone = np.searchsorted(np.asarray(limits.zone_floors_bpm), hr, side="right")
    z1, z2, z3, z4, z5 = (float(z) for z in np.bincount(zone, weights=weights, minlength=5))
    trimp, basis = _trimp(hr, weights / 60.0, limits, profile.sex)
    return HeartRate(
        mean_bpm=weighted_mean(hr, weights),
        max_bpm=float(hr.max()) if len(hr) else math.nan,
        zone_time_s=(z1, z2, z3, z4, z5),
        zones_from=limits.zones_from,
        trimp=trimp,
        trimp_basis=basis,
    )


def _trimp(
    hr_bpm: FloatArray, minutes: FloatArray, limits: HeartLimits, sex: Sex | None
) -> tuple[float, str]:
    """Banister TRIMP: sum of minutes x HRr x a e^(b HRr), HRr = reserve fraction in [0, 1]."""
    if limits.resting_bpm is None:
        rest, rest_from = ASSUMED_RESTING_HR_BPM, "assumed"
    else:
        rest, rest_from = limits.resting_bpm, "profile"
    a, b = TRIMP_CONSTANTS[sex or Sex.MALE]
    sex_text = "sex unknown: male constants" if sex is None else f"{sex.value} constants"
    basis = (
        f"max HR {limits.max_bpm:g} bpm ({limits.max_from}), "
        f"resting HR {rest:g} bpm ({rest_from}), {sex_text} ({a:g} e^({b:g} x HRr))"
    )
    if not len(hr_bpm) or rest >= limits.max_bpm:
        return math.nan, basis
    reserve = np.clip((hr_bpm - rest) / (limits.max_bpm - rest), 0.0, 1.0)
    return float(np.sum(minutes * reserve * a * np.exp(b * reserve))), basis


def intensity(
    samples: Samples, motion: Motion, heart: HeartRate, profile: AthleteProfile
) -> Intensity:
    """Hard minutes: by threshold pace when the profile gives one and the run has speed, else
    by heart-rate zones 4-5; NaN when neither can be judged (not zero: unknown is not easy)."""
    pace = profile.threshold_pace_s_per_km
    if pace is not None and pace > 0:
        speed = speed_m_s(samples, motion)
        known = motion.moving & np.isfinite(speed)
        if known.any():
            return Intensity(
                float(weights_s(motion, known & (speed >= 1000.0 / pace)).sum()),
                f"moving time at or faster than threshold pace ({pace:g} s/km, profile)",
            )
    if np.isfinite(heart.mean_bpm):
        why = " (no speed for threshold pace)" if pace is not None else ""
        return Intensity(
            heart.zone_time_s[3] + heart.zone_time_s[4],
            f"heart-rate zones 4-5{why}: {heart.zones_from}",
        )
    return Intensity(math.nan, "no heart rate or threshold pace with speed")
