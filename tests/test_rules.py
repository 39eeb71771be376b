"""Every rule fires on a history built for it, naming the right week and run; a steady history
with gentle progression raises no caution or high finding."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from analyzer.model import Sport
from analyzer.pipeline import Analysis
from analyzer.report.digest import digest
from analyzer.rules import RULES, Severity
from analyzer.settings import AthleteProfile, Settings, Shoe
from tests.rules_history import MONDAY, Session, history, of_rule, steady_weeks, summaries

WEEK8 = MONDAY + timedelta(weeks=7)  # every scenario happens in week 8, after 7 steady weeks


def base(weeks: int = 7) -> list[Session]:
    return steady_weeks(weeks)


def replaced(sessions: list[Session], day: date, **changes: object) -> list[Session]:
    """The run on ``day`` with some of its properties changed."""
    hit = [s for s in sessions if s.day == day and s.sport is Sport.RUNNING]
    assert len(hit) == 1, day
    return [dataclasses.replace(s, **changes) if s is hit[0] else s for s in sessions]  # type: ignore[arg-type]


def test_a_steady_history_raises_no_caution_or_high_finding() -> None:
    _, assessment = history(steady_weeks(12))
    assert [f for f in assessment.findings if f.severity >= Severity.CAUTION] == []
    assert assessment.warming_up == []


def test_session_spike_names_the_run_and_the_ratio() -> None:
    sessions = base(8)
    spike_day = WEEK8 + timedelta(days=6)
    _, assessment = history(replaced(sessions, spike_day, km=30.0))
    (finding,) = of_rule(assessment, "session_spike")
    assert (finding.date, finding.severity) == (spike_day, Severity.HIGH)
    longest = finding.values["longest_previous_m"]
    assert finding.values["ratio"] == pytest.approx(finding.values["distance_m"] / longest)
    assert finding.values["ratio"] > 2.0 and "more than double" in finding.message
    assert finding.activity_id is not None and spike_day.isoformat() in finding.activity_id


def test_a_first_week_is_not_a_spike() -> None:
    sessions = [Session(MONDAY + timedelta(days=1), 5.0), Session(MONDAY + timedelta(days=3), 21.0)]
    _, assessment = history(sessions)
    assert of_rule(assessment, "session_spike") == []
    assert ("session_spike", "needs 28 days of history before the run; the files cover 3 days") in (
        assessment.warming_up
    )


def test_weekly_increase_names_the_week() -> None:
    sessions = base(7) + [
        dataclasses.replace(s, day=s.day + timedelta(weeks=7), km=s.km * 1.6)
        for s in steady_weeks(1)
    ]
    _, assessment = history(sessions)
    (finding,) = of_rule(assessment, "weekly_increase")
    assert (finding.week_start, finding.severity) == (WEEK8, Severity.CAUTION)
    assert finding.values["change_vs_last_week_pct"] > 30


def test_weekly_increase_after_a_break_leads_with_the_4_week_mean() -> None:
    """Four steady weeks, two without running, two back: the second week back is below the
    first (-10 %) but well above a mean the break pulled down. The caution is about the mean,
    so the message says it first, with the mean in km."""
    week4 = [s for s in steady_weeks(4) if s.day >= MONDAY + timedelta(weeks=3)]
    back = [dataclasses.replace(s, day=s.day + timedelta(weeks=3)) for s in week4]
    lighter = [
        dataclasses.replace(s, day=s.day + timedelta(weeks=4), km=round(s.km * 0.9, 1))
        for s in week4
    ]
    h, assessment = history(steady_weeks(4) + back + lighter)
    km = {w.week_start: w.running_distance_m / 1000 for w in h.weeks}
    (finding,) = [f for f in of_rule(assessment, "weekly_increase") if f.week_start == WEEK8]
    week7 = WEEK8 - timedelta(weeks=1)
    mean = (km[week7 - timedelta(weeks=3)] + 0 + 0 + km[week7]) / 4
    vs_last = 100 * (km[WEEK8] / km[week7] - 1)
    vs_mean = 100 * (km[WEEK8] / mean - 1)
    assert finding.severity is Severity.CAUTION and round(vs_last) == -10 and vs_mean > 30
    assert finding.message.startswith(
        f"{km[WEEK8]:.1f} km this week, {vs_mean:+.0f} % on the 4-week mean ({mean:.1f} km), "
        f"{vs_last:+.0f} % on last week ({km[week7]:.1f} km). "
    )


def test_high_volume_and_acwr_and_monotony_on_a_daily_block() -> None:
    daily = [Session(WEEK8 + timedelta(days=d), 16.0) for d in range(7)]
    sessions = [s for s in base(8) if not (s.day >= WEEK8 and s.sport is Sport.RUNNING)] + daily
    _, assessment = history(sessions)
    (volume,) = of_rule(assessment, "high_volume")
    assert volume.week_start == WEEK8 and volume.values["distance_m"] > 64_000
    (monotony,) = of_rule(assessment, "monotony")
    assert monotony.week_start == WEEK8 and monotony.values["monotony"] > 2.0
    (ratio,) = of_rule(assessment, "acwr")
    assert ratio.week_start == WEEK8 and ratio.values["acwr_ewma"] > 1.5
    assert ratio.severity is Severity.INFO


def test_low_cadence_cadence_drop_and_overstride_in_the_same_week() -> None:
    sessions = [
        dataclasses.replace(s, cadence_at_3_m_s_spm=148.0) if s.day >= WEEK8 else s for s in base(8)
    ]
    _, assessment = history(sessions)
    (low,) = of_rule(assessment, "low_cadence")
    assert (low.week_start, low.severity) == (WEEK8, Severity.HIGH)
    drops = of_rule(assessment, "cadence_drop")
    assert drops and {f.date for f in drops} <= {WEEK8 + timedelta(days=d) for d in range(7)}
    assert all(f.values["drop_pct"] >= 5 for f in drops)
    strides = of_rule(assessment, "overstride_proxy")
    assert {f.activity_id for f in strides} <= {f.activity_id for f in drops} and strides


def test_hill_load_week_and_run() -> None:
    hill_day = WEEK8 + timedelta(days=6)
    sessions = replaced(base(8), hill_day, climb_m=600.0, sport=Sport.TRAIL_RUNNING)
    _, assessment = history(sessions)
    found = of_rule(assessment, "hill_load")
    assert {(f.date, f.activity_id is None) for f in found} == {(WEEK8, True), (hill_day, False)}
    surface = of_rule(assessment, "surface")
    assert surface == []  # one trail run is not half the week's running


def test_surface_change() -> None:
    sessions = [
        dataclasses.replace(s, sport=Sport.TRAIL_RUNNING)
        if s.day >= WEEK8 and s.sport is Sport.RUNNING
        else s
        for s in base(8)
    ]
    (finding,) = of_rule(history(sessions)[1], "surface")
    assert finding.week_start == WEEK8 and finding.values["share"] == 1.0


def test_no_surface_change_after_four_weeks_without_running() -> None:
    """Road runs again after a month of rides only: nothing to change from (the real-folder
    pass saw "100 % on road, against 0 %" after every break)."""
    sessions = [s for s in base(8) if not (s.sport is Sport.RUNNING and WEEK8 - timedelta(
        weeks=4) <= s.day < WEEK8)]  # fmt: skip
    assert any(s.day >= WEEK8 and s.sport is Sport.RUNNING for s in sessions)
    assert of_rule(history(sessions)[1], "surface") == []


def test_intensity_spike() -> None:
    fast_day = WEEK8 + timedelta(days=3)
    sessions = replaced(base(8), fast_day, speed_m_s=4.2, km=12.0)
    (finding,) = of_rule(history(sessions)[1], "intensity_spike")
    assert finding.week_start == WEEK8 and finding.values["hard_min"] >= 15


def test_heat() -> None:
    hot_day = WEEK8 + timedelta(days=6)
    sessions = replaced(base(8), hot_day, temperature_c=27.0, km=17.0)
    (finding,) = of_rule(history(sessions)[1], "heat")
    assert finding.date == hot_day and finding.values["minutes"] >= 90


def test_shoe_mileage_by_default_pair() -> None:
    shoes = (Shoe("Old pair", MONDAY - timedelta(days=300), 700_000.0, default=True),)
    _, assessment = history(base(8), shoes=shoes)
    (finding,) = of_rule(assessment, "shoe_mileage")
    assert finding.severity is Severity.HIGH and finding.values["distance_m"] > 800_000
    assert "past the 800 km after which shoes are commonly replaced" in finding.message
    retired = (dataclasses.replace(shoes[0], retired=MONDAY + timedelta(weeks=9)),)
    assert of_rule(history(base(8), shoes=retired)[1], "shoe_mileage")  # not retired yet then
    gone = (dataclasses.replace(shoes[0], retired=MONDAY),)
    assert of_rule(history(base(8), shoes=gone)[1], "shoe_mileage") == []


def test_no_cross_training_in_the_last_28_days() -> None:
    sessions = [
        s for s in base(8) if s.sport is Sport.RUNNING or s.day < WEEK8 - timedelta(weeks=3)
    ]
    (finding,) = of_rule(history(sessions)[1], "cross_training")
    assert finding.severity is Severity.INFO


def test_warmup_flags_hard_runs_without_an_easier_opening() -> None:
    hard_day = WEEK8 + timedelta(days=3)
    sessions = replaced(base(8), hard_day, speed_m_s=4.0, km=10.0)
    (finding,) = of_rule(history(sessions)[1], "warmup")
    assert finding.date == hard_day


def test_form_drift_when_cadence_fades_late() -> None:
    day = WEEK8 + timedelta(days=6)
    sessions = replaced(base(8), day, km=16.0, extra=(("cadence_fade_pct", 5.0),))
    findings = of_rule(history(sessions)[1], "form_drift")
    assert [f.date for f in findings] == [day]
    assert findings[0].values["cadence_drift_pct"] <= -3


def test_age_from_the_profile() -> None:
    _, assessment = history(base(5), profile=AthleteProfile(birth_year=1975))
    (finding,) = of_rule(assessment, "age")
    assert finding.values["age_years"] == 51


def test_age_is_dated_on_the_last_run_not_on_a_later_walk() -> None:
    """A walk months after the last run: the report's now is the last run (as_of), and the
    age finding must be among its findings, not dated after it among the earlier ones."""
    sessions = base(5)
    last_run = max(s.day for s in sessions if s.sport is Sport.RUNNING)
    walk = Session(date(2026, 9, 1), 5.0, sport=Sport.WALKING)
    profile = AthleteProfile(birth_year=1975)
    h, assessment = history([*sessions, walk], profile=profile)
    assert h.last_day == walk.day
    (finding,) = of_rule(assessment, "age")
    assert (finding.date, finding.values["age_years"]) == (last_run, 2026 - 1975)
    settings = Settings(profile=profile)
    d = digest(Analysis(settings, summaries([*sessions, walk]), [], h, assessment))
    assert d.as_of == last_run and finding in d.current


def test_thresholds_can_be_overridden() -> None:
    sessions = replaced(base(8), WEEK8 + timedelta(days=6), km=16.0)
    assert of_rule(history(sessions)[1], "session_spike")
    quiet = history(sessions, thresholds={"session_spike": {"caution": 1.25, "high": 2.0}})[1]
    assert of_rule(quiet, "session_spike") == []


def test_every_rule_in_the_table_is_tested_here() -> None:
    tested = {
        "session_spike",
        "weekly_increase",
        "acwr",
        "monotony",
        "high_volume",
        "low_cadence",
        "cadence_drop",
        "overstride_proxy",
        "form_drift",
        "hill_load",
        "surface",
        "intensity_spike",
        "heat",
        "shoe_mileage",
        "cross_training",
        "warmup",
        "age",
    }
    assert tested == set(RULES)


def test_changes_in_messages_are_signed_and_never_minus_zero() -> None:
    from analyzer.rules import _pct

    assert [_pct(x) for x in (12.4, -17.2, -0.3, 0.4, -0.6)] == [
        "+12 %", "-17 %", "0 %", "0 %", "-1 %",
    ]  # fmt: skip
