"""Calendar, duplicates and load series: properties over many generated histories."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.metrics.summary import ActivitySummary
from analyzer.model import Format, Sport
from analyzer.rules import assess
from analyzer.settings import Settings
from analyzer.training_load import build_history, ewma, rolling_sum
from tests.rules_history import MONDAY, PROFILE, steady_weeks, summaries

TEMPLATE = summaries(steady_weeks(1)[:1])[0]


def run_at(
    start: datetime,
    km: float,
    *,
    ident: str,
    fmt: Format = Format.FIT,
    sport: Sport = Sport.RUNNING,
    offset_s: int | None = 3600,
) -> ActivitySummary:
    return dataclasses.replace(
        TEMPLATE,
        id=ident,
        path=ident,
        format=fmt,
        sport=sport,
        start_time=start,
        utc_offset_s=offset_s,
        distance_m=km * 1000,
        elapsed_time_s=km * 360,
        moving_time_s=km * 350,
        # Two recordings never have the same number of samples unless one is a copy.
        quality=dataclasses.replace(TEMPLATE.quality, sample_count=1000 + sum(map(ord, ident))),
    )


runs = st.lists(
    # Starts 5 h apart at least, longer than the longest run (40 km, 4 h): no two overlap,
    # so no two are one activity.
    st.tuples(
        st.integers(0, 24 * 70).map(lambda h: 5 * h), st.floats(1.0, 40.0), st.integers(-12, 14)
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda run: run[0],
)


@settings(max_examples=60, deadline=None)
@given(runs=runs, week_start=st.integers(0, 6))
def test_weekly_totals_equal_the_sum_of_their_activities(
    runs: list[tuple[int, float, int]], week_start: int
) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    items = [
        run_at(base + timedelta(hours=h), km, ident=f"r{i}", offset_s=tz * 3600)
        for i, (h, km, tz) in enumerate(runs)
    ]
    history = build_history(items, Settings(week_start=week_start))
    assert history is not None
    kept = {p.summary.id: p for p in history.runs}
    for week in history.weeks:
        assert week.week_start.weekday() == week_start
        inside = [
            p
            for p in kept.values()
            if week.week_start <= p.local_date < week.week_start + timedelta(days=7)
        ]
        assert week.running_distance_m == pytest.approx(sum(p.summary.distance_m for p in inside))
        assert week.running_count == len(inside)
    assert sum(w.running_distance_m for w in history.weeks) == pytest.approx(
        sum(p.summary.distance_m for p in history.runs)
    )


@settings(max_examples=40, deadline=None)
@given(runs=runs, lag_s=st.integers(-240, 240), stretch=st.floats(0.95, 1.05))
def test_duplicates_never_change_totals(
    runs: list[tuple[int, float, int]], lag_s: int, stretch: float
) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    originals = [
        run_at(base + timedelta(hours=h), km, ident=f"r{i}.fit")
        for i, (h, km, _) in enumerate(runs)
    ]
    copies = [
        dataclasses.replace(
            s,
            id=s.id.replace(".fit", ".gpx"),
            path=s.path.replace(".fit", ".gpx"),
            format=Format.GPX,
            start_time=s.start_time + timedelta(seconds=lag_s),
            distance_m=s.distance_m * stretch,
        )
        for s in originals
    ]
    alone = build_history(originals, Settings())
    doubled = build_history(originals + copies, Settings())
    assert alone is not None and doubled is not None
    assert [w.running_distance_m for w in doubled.weeks] == [
        w.running_distance_m for w in alone.weeks
    ]
    assert len(doubled.duplicates) == len(copies)
    assert all(d.set_aside_id.endswith(".gpx") for d in doubled.duplicates)  # FIT kept


def test_two_different_runs_on_one_day_are_not_duplicates() -> None:
    morning = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    history = build_history(
        [run_at(morning, 8.0, ident="a"), run_at(morning + timedelta(hours=10), 8.0, ident="b")],
        Settings(),
    )
    assert history is not None and history.duplicates == [] and len(history.runs) == 2


def test_a_run_across_midnight_belongs_to_the_day_it_started() -> None:
    start = datetime(2026, 3, 3, 22, 40, tzinfo=UTC)  # 23:40 at UTC+1
    history = build_history([run_at(start, 9.0, ident="late")], Settings())
    assert history is not None
    assert history.runs[0].local_date == date(2026, 3, 3)


@pytest.mark.parametrize("weeks", [1, 3, 10])
def test_moving_the_history_by_whole_weeks_moves_the_findings(weeks: int) -> None:
    from tests.test_rules import WEEK8, base, replaced

    sessions = replaced(base(8), WEEK8 + timedelta(days=6), km=30.0, temperature_c=27.0)
    items = summaries(sessions)
    shift = timedelta(weeks=weeks)
    moved = [dataclasses.replace(s, start_time=s.start_time + shift) for s in items]
    options = Settings(profile=PROFILE)
    first = assess(build_history(items, options), options).findings  # type: ignore[arg-type]
    later = assess(build_history(moved, options), options).findings  # type: ignore[arg-type]
    assert first  # the spike and the heat are there to be moved
    assert [(f.rule, f.date + shift, f.message) for f in first] == [
        (f.rule, f.date, f.message) for f in later
    ]


def test_ewma_and_rolling_sums_by_hand() -> None:
    values = np.array([10.0, 0.0, 0.0, 5.0])
    decay = 2 / 8
    expected = [decay * 10]
    for v in values[1:]:
        expected.append(decay * v + (1 - decay) * expected[-1])
    np.testing.assert_allclose(ewma(values, 7), expected)
    np.testing.assert_array_equal(rolling_sum(values, 2), [10.0, 10.0, 0.0, 5.0])


def test_no_activities_no_history() -> None:
    assert build_history([], Settings()) is None
    assert MONDAY.weekday() == 0
