"""Heart-rate zones, TRIMP and hard minutes on runs with exactly known heart rates."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.metrics.heart import heart_limits, heart_rate, intensity
from analyzer.metrics.motion import MAX_GAP_S
from analyzer.model import Samples
from analyzer.settings import AthleteProfile, Sex
from tests.factories import hand_motion, one_hz

ON = date(2024, 5, 1)
KARVONEN = AthleteProfile(max_heart_rate_bpm=190, resting_heart_rate_bpm=50)


def banister(minutes: float, hr: float, rest: float, max_: float, a: float, b: float) -> float:
    r = (hr - rest) / (max_ - rest)
    return minutes * r * a * math.exp(b * r)


def test_zones_trimp_mean_and_max_on_two_steady_blocks() -> None:
    # Sample 0 starts the clock; then 600 s at 150 bpm and 600 s at 175 bpm.
    samples, move = one_hz(heart_rate_bpm=np.r_[np.full(601, 150.0), np.full(600, 175.0)])
    got = heart_rate(samples, move, KARVONEN, ON)
    # Karvonen, reserve 140 bpm: zone floors 134, 148, 162, 176 -> 150 is Z3, 175 is Z4.
    assert got.zone_time_s == (0.0, 0.0, 600.0, 600.0, 0.0)
    assert got.mean_bpm == 162.5 and got.max_bpm == 175.0
    want = banister(10, 150, 50, 190, 0.64, 1.92) + banister(10, 175, 50, 190, 0.64, 1.92)
    assert got.trimp == pytest.approx(want, rel=1e-12)
    assert got.zones_from == "profile (max and resting HR)"
    assert got.trimp_basis == (
        "max HR 190 bpm (profile), resting HR 50 bpm (profile), "
        "sex unknown: male constants (0.64 e^(1.92 x HRr))"
    )


@pytest.mark.parametrize(
    ("profile", "zones_from", "floors_bpm"),
    [
        (KARVONEN, "profile (max and resting HR)", (134, 148, 162, 176)),
        (AthleteProfile(max_heart_rate_bpm=190), "profile (max HR)", (114, 133, 152, 171)),
        (
            AthleteProfile(birth_year=1984, max_heart_rate_bpm=200),
            "profile (max HR)",
            (120, 140, 160, 180),
        ),
        (
            AthleteProfile(birth_year=1984),
            "estimated max HR from age (Tanaka 208 - 0.7 x age = 180 bpm)",
            (108, 126, 144, 162),
        ),
        (
            AthleteProfile(birth_year=1984, resting_heart_rate_bpm=60),
            "estimated max HR from age (Tanaka 208 - 0.7 x age = 180 bpm) and profile resting HR",
            (132, 144, 156, 168),
        ),
        (AthleteProfile(), "assumed max HR 190 bpm (no profile)", (114, 133, 152, 171)),
        (
            AthleteProfile(birth_year=2020, sex=Sex.MALE),
            "assumed max HR 190 bpm (age 4 on this run's date is outside 10-100)",
            (114, 133, 152, 171),
        ),
        (
            AthleteProfile(resting_heart_rate_bpm=60),
            "assumed max HR 190 bpm (no max HR or birth year) and profile resting HR",
            (138, 151, 164, 177),
        ),
        (
            AthleteProfile(max_heart_rate_bpm=150, resting_heart_rate_bpm=150),
            "profile (max and resting HR); resting HR ignored (not below max HR)",
            (90, 105, 120, 135),
        ),
    ],
)
def test_profile_variants_say_where_the_zones_came_from(
    profile: AthleteProfile, zones_from: str, floors_bpm: tuple[float, ...]
) -> None:
    limits = heart_limits(profile, ON)
    assert limits.zone_floors_bpm == floors_bpm
    assert limits.zones_from == zones_from
    # Half a beat below each floor stays in the zone below; exactly on it moves up.
    hr = np.r_[100.0, [x for f in floors_bpm for x in (f - 0.5, f)]]
    got = heart_rate(*one_hz(heart_rate_bpm=hr), profile, ON)
    assert got.zone_time_s == (1.0, 2.0, 2.0, 2.0, 1.0)
    assert got.zones_from == zones_from


def test_age_comes_from_the_run_date() -> None:
    profile = AthleteProfile(birth_year=1990)
    assert heart_limits(profile, date(2024, 12, 31)).max_bpm == pytest.approx(208 - 0.7 * 34)
    assert heart_limits(profile, date(2030, 1, 1)).max_bpm == pytest.approx(208 - 0.7 * 40)
    got = heart_rate(*one_hz(heart_rate_bpm=np.full(61, 150.0)), profile, date(2024, 6, 1))
    assert got.trimp_basis.startswith("max HR 184.2 bpm (Tanaka from age 34), resting HR 60 bpm")


@pytest.mark.parametrize(
    ("sex", "a", "b", "text"),
    [
        (None, 0.64, 1.92, "sex unknown: male constants (0.64 e^(1.92 x HRr))"),
        (Sex.MALE, 0.64, 1.92, "male constants (0.64 e^(1.92 x HRr))"),
        (Sex.FEMALE, 0.86, 1.67, "female constants (0.86 e^(1.67 x HRr))"),
    ],
)
def test_trimp_uses_the_constants_for_the_athletes_sex(
    sex: Sex | None, a: float, b: float, text: str
) -> None:
    # Resting HR unknown: 60 bpm assumed; max from the profile.
    profile = AthleteProfile(max_heart_rate_bpm=185, sex=sex)
    samples, move = one_hz(heart_rate_bpm=np.r_[np.full(1801, 140.0), np.full(600, 250.0)])
    got = heart_rate(samples, move, profile, ON)
    assert got.trimp == pytest.approx(banister(30, 140, 60, 185, a, b), rel=1e-12)
    assert got.trimp_basis == f"max HR 185 bpm (profile), resting HR 60 bpm (assumed), {text}"


def test_reserve_is_clipped_to_between_rest_and_max() -> None:
    samples, move = one_hz(heart_rate_bpm=np.r_[np.full(61, 40.0), np.full(60, 200.0)])
    got = heart_rate(samples, move, KARVONEN, ON)
    assert got.trimp == pytest.approx(1 * 1.0 * 0.64 * math.exp(1.92))  # the minute at 40 adds 0


def test_implausible_readings_stops_and_gaps_are_left_out() -> None:
    # 0 bpm (strap dropout) and 250 bpm (glitch) are not a heart; a stop and a gap follow.
    t = np.r_[np.arange(0.0, 121.0), np.arange(181.0, 241.0)]
    hr = np.r_[150.0, np.full(58, 160.0), 0.0, 250.0, np.full(60, 140.0), np.full(60, 170.0)]
    moving = np.r_[np.ones(61, bool), np.zeros(60, bool), np.ones(60, bool)]
    got = heart_rate(
        Samples.from_channels(t, heart_rate_bpm=hr), hand_motion(t, moving), KARVONEN, ON
    )
    # Moving with a plausible reading: 58 s at 160, the 60 s gap capped at 10 s, then 59 s at 170.
    gap_s = MAX_GAP_S
    assert sum(got.zone_time_s) == 58 + gap_s + 59
    assert got.max_bpm == 170.0
    assert got.mean_bpm == pytest.approx((58 * 160 + (gap_s + 59) * 170) / (58 + gap_s + 59))


def test_no_heart_rate_gives_nan_and_zero_times() -> None:
    samples, move = one_hz(speed_m_s=np.full(600, 3.0))
    got = heart_rate(samples, move, KARVONEN, ON)
    assert math.isnan(got.mean_bpm) and math.isnan(got.max_bpm) and math.isnan(got.trimp)
    assert got.zone_time_s == (0.0, 0.0, 0.0, 0.0, 0.0)
    hard = intensity(samples, move, got, KARVONEN)
    assert math.isnan(hard.hard_time_s)
    assert hard.basis == "no heart rate or threshold pace with speed"


def test_an_empty_run_gives_nan_without_warnings() -> None:
    samples = Samples.from_channels(np.array([]))
    got = heart_rate(samples, hand_motion([]), AthleteProfile(), ON)
    assert math.isnan(got.mean_bpm) and sum(got.zone_time_s) == 0.0


def test_hard_time_from_heart_rate_zones_4_and_5() -> None:
    hr = np.r_[140.0, np.full(600, 150.0), np.full(300, 170.0), np.full(120, 180.0)]
    samples, move = one_hz(heart_rate_bpm=hr, speed_m_s=np.full(len(hr), 4.5))
    got = intensity(samples, move, heart_rate(samples, move, KARVONEN, ON), KARVONEN)
    assert got.hard_time_s == 420.0
    assert got.basis == "heart-rate zones 4-5: profile (max and resting HR)"


def test_hard_time_from_threshold_pace_when_the_profile_gives_one() -> None:
    # 250 s/km is 4.0 m/s: exactly on it counts as at threshold; heart rate is not used.
    speed = np.r_[3.0, np.full(600, 3.5), np.full(200, 4.0), np.full(100, 4.6)]
    samples, move = one_hz(speed_m_s=speed, heart_rate_bpm=np.full(len(speed), 185.0))
    profile = AthleteProfile(max_heart_rate_bpm=190, threshold_pace_s_per_km=250)
    got = intensity(samples, move, heart_rate(samples, move, profile, ON), profile)
    assert got.hard_time_s == 300.0
    assert got.basis == "moving time at or faster than threshold pace (250 s/km, profile)"


def test_threshold_pace_reads_speed_from_distance_without_a_speed_channel() -> None:
    # A GPX-like run: 600 s at 3 m/s then 600 s at 5 m/s, distance only.
    t = np.arange(1201.0)
    distance = np.where(t <= 600, 3.0 * t, 1800.0 + 5.0 * (t - 600))
    samples = Samples.from_channels(t, distance_m=distance)
    move = hand_motion(t, distance_m=distance)
    profile = AthleteProfile(threshold_pace_s_per_km=250)
    got = intensity(samples, move, heart_rate(samples, move, profile, ON), profile)
    # Speed is the slower of the interval widened 5 s back and 5 s forward: just after the
    # switch the backward reading still holds the slow part, (9 + 15) m / 6 s = 4 m/s first
    # reaching the threshold on the interval ending at t = 603.
    assert got.hard_time_s == 598.0


def test_threshold_pace_without_speed_falls_back_to_heart_rate() -> None:
    samples, move = one_hz(heart_rate_bpm=np.full(301, 180.0))
    profile = AthleteProfile(max_heart_rate_bpm=190, threshold_pace_s_per_km=250)
    got = intensity(samples, move, heart_rate(samples, move, profile, ON), profile)
    assert got.hard_time_s == 300.0
    assert got.basis == "heart-rate zones 4-5 (no speed for threshold pace): profile (max HR)"


PROFILES = st.sampled_from(
    [
        KARVONEN,
        AthleteProfile(),
        AthleteProfile(birth_year=1960, sex=Sex.FEMALE),
        AthleteProfile(max_heart_rate_bpm=175, sex=Sex.MALE),
        AthleteProfile(resting_heart_rate_bpm=45, sex=Sex.FEMALE),
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.floats(0, 300), st.just(math.nan)),  # heart rate, bpm
            st.floats(0.5, 30),  # interval, s
            st.booleans(),  # moving
        ),
        min_size=1,
        max_size=80,
    ),
    profile=PROFILES,
)
def test_zone_times_sum_to_the_moving_time_with_heart_rate(
    rows: list[tuple[float, float, bool]], profile: AthleteProfile
) -> None:
    hr, interval, moving = (np.array(col) for col in zip(*rows, strict=True))
    t = np.cumsum(interval)
    got = heart_rate(
        Samples.from_channels(t, heart_rate_bpm=hr), hand_motion(t, moving), profile, ON
    )
    with_hr = (hr >= 30) & (hr <= 240) & moving & (np.diff(t, prepend=t[:1]) > 0)
    expected = np.minimum(np.diff(t, prepend=t[:1]), MAX_GAP_S)[with_hr].sum()
    assert sum(got.zone_time_s) == pytest.approx(expected)


@settings(max_examples=100, deadline=None)
@given(
    hr=st.lists(st.floats(30, 220), min_size=2, max_size=60),
    rise_bpm=st.floats(0.5, 20),
    profile=PROFILES,
)
def test_trimp_is_never_negative_and_grows_with_heart_rate(
    hr: list[float], rise_bpm: float, profile: AthleteProfile
) -> None:
    before = heart_rate(*one_hz(heart_rate_bpm=hr), profile, ON)
    after = heart_rate(*one_hz(heart_rate_bpm=np.array(hr) + rise_bpm), profile, ON)
    assert before.trimp >= 0.0
    assert after.trimp >= before.trimp
    limits = heart_limits(profile, ON)
    rest = limits.resting_bpm or 60.0
    # Strictly, once any moving reading leaves the clipped ends of the reserve.
    if any(h < limits.max_bpm and h + rise_bpm > rest for h in hr[1:]):
        assert after.trimp > before.trimp
