"""The report's "now": today for a live folder, --until when given, the last run when it is
long past (and how long), the last activity without runs; in the headline of every format."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest

from analyzer.config import read_config
from analyzer.model import Sport
from analyzer.pipeline import Analysis, analyze
from analyzer.report.digest import AsOf, as_of_text, detail_weeks, digest, year_table
from analyzer.report.html_report import render_html
from analyzer.report.json_report import render_json
from analyzer.report.markdown import render_markdown
from analyzer.settings import Settings
from tests.report.conftest import CONFIG, SAMPLE
from tests.rules_history import Session, analysis_of, steady_weeks, summaries

LAST_RUN = date(2026, 11, 22)  # the sample history's last run


@pytest.fixture(scope="module")
def settings() -> Settings:
    return read_config(CONFIG)[0]


def sample_on(today: date, settings: Settings, **kwargs: date) -> Analysis:
    return analyze([SAMPLE], settings, today=today, **kwargs)


def test_a_live_folder_is_reported_as_of_today(settings: Settings) -> None:
    d = digest(sample_on(date(2026, 12, 4), settings))
    assert (d.as_of, d.as_of_basis, d.last_run_day) == (date(2026, 12, 4), AsOf.TODAY, LAST_RUN)
    assert (d.recent_first_day, d.recent_runs) == (date(2026, 11, 7), 7)
    assert round(d.recent_distance_m / 1000, 1) == 84.6
    assert as_of_text(d) == "today, 4 Dec 2026; the last run was 22 Nov 2026, 12 days before."


def test_on_the_day_of_the_last_run(settings: Settings) -> None:
    d = digest(sample_on(LAST_RUN, settings))
    assert (d.as_of, d.as_of_basis, d.recent_runs) == (LAST_RUN, AsOf.TODAY, 13)
    assert as_of_text(d) == "today, 22 Nov 2026; the last run was 22 Nov 2026, the same day."


def test_a_folder_whose_last_run_is_long_past_is_reported_as_of_that_run(
    settings: Settings,
) -> None:
    """27 days after the last run it is still today; from 28 days on, the last run."""
    assert digest(sample_on(LAST_RUN + timedelta(days=27), settings)).as_of_basis is AsOf.TODAY
    d = digest(sample_on(date(2027, 3, 1), settings))
    assert (d.as_of, d.as_of_basis, d.today) == (LAST_RUN, AsOf.LAST_RUN, date(2027, 3, 1))
    assert (d.recent_first_day, d.recent_runs) == (date(2026, 10, 26), 13)
    assert round(d.recent_distance_m / 1000, 1) == 133.8
    assert as_of_text(d) == (
        "22 Nov 2026, the day of the last run, 99 days (about 14 weeks) before today, "
        "1 Mar 2027: the last 4 weeks are the 4 weeks up to it."
    )


def test_until_stands_for_today(settings: Settings) -> None:
    d = digest(sample_on(date(2027, 3, 1), settings, until=date(2026, 11, 15)))
    assert (d.as_of, d.as_of_basis, d.last_run_day) == (
        date(2026, 11, 15), AsOf.UNTIL, date(2026, 11, 15),
    )  # fmt: skip
    assert as_of_text(d) == ("--until, 15 Nov 2026; the last run was 15 Nov 2026, the same day.")


def _analysis(sessions: list[Session], today: date) -> Analysis:
    return analysis_of(summaries(sessions), today)


def test_a_walk_long_after_the_last_run_does_not_make_now_a_month_of_nothing() -> None:
    """The issue's history: runs until a Sunday in July 2024, one walk in January 2025."""
    runs = steady_weeks(40, first=date(2023, 10, 9))  # Mondays; the last run Sun 14 Jul 2024
    walk = Session(date(2025, 1, 14), 5.0, Sport.WALKING, speed_m_s=1.4,
                   cadence_at_3_m_s_spm=None)  # fmt: skip
    analysis = _analysis([*runs, walk], today=date(2026, 12, 4))
    d = digest(analysis)
    assert (d.as_of, d.as_of_basis, d.last_day) == (
        date(2024, 7, 14), AsOf.LAST_RUN, date(2025, 1, 14),
    )  # fmt: skip
    assert (d.recent_runs, d.later_activities) == (16, 1)
    assert as_of_text(d) == (
        "14 Jul 2024, the day of the last run, 873 days (about 2.4 years) before today, "
        "4 Dec 2026: the last 4 weeks are the 4 weeks up to it. 1 other activity since."
    )
    assert analysis.history is not None
    shown = detail_weeks(analysis.history.weeks, d)
    assert (len(shown), shown[0].week_start, shown[-1].week_start) == (
        26, date(2024, 1, 15), date(2024, 7, 8),
    )  # fmt: skip


def test_without_runs_now_is_the_last_activity() -> None:
    rides = [Session(date(2026, 3, 2) + timedelta(days=7 * i), 30.0, Sport.CYCLING,
                     speed_m_s=7.0, cadence_at_3_m_s_spm=None) for i in range(3)]  # fmt: skip
    d = digest(_analysis(rides, today=date(2026, 12, 4)))
    assert (d.as_of, d.as_of_basis, d.recent_runs) == (
        date(2026, 3, 16), AsOf.LAST_ACTIVITY, 0,
    )  # fmt: skip
    assert (
        as_of_text(d) == "16 Mar 2026, the last activity: there are no runs in the period reported."
    )


def test_runs_dated_after_today_are_said_to_be_so() -> None:
    runs = steady_weeks(2, first=date(2026, 12, 7))
    d = digest(_analysis(runs, today=date(2026, 12, 4)))
    assert (d.as_of, d.as_of_basis) == (date(2026, 12, 20), AsOf.LAST_RUN)
    assert as_of_text(d) == (
        "20 Dec 2026, the day of the last run, 16 days after today, 4 Dec 2026: the files' "
        "clock may be wrong."
    )


def test_every_format_says_what_now_is(settings: Settings) -> None:
    analysis = sample_on(date(2027, 3, 1), settings)
    said = "22 Nov 2026, the day of the last run, 99 days (about 14 weeks) before today"
    assert said in render_markdown(analysis)
    assert said in render_html(analysis)
    recent = json.loads(render_json(analysis))["recent"]
    expected = {
        "first_day": "2026-10-26", "last_day": "2026-11-22", "as_of_basis": "last_run",
        "today": "2027-03-01", "last_run_day": "2026-11-22", "runs": 13,
    }  # fmt: skip
    assert {k: recent[k] for k in expected} == expected


def test_a_finding_dated_after_now_is_not_news_of_now() -> None:
    """The age is judged on the last activity's day: a walk months after the last run must not
    put it under "now", which ends on the last run."""
    from analyzer.guide import Cause
    from analyzer.rules import Assessment, Finding, Severity

    runs = steady_weeks(8, first=date(2024, 5, 20))  # the last run: Sun 14 Jul 2024
    walk = Session(date(2025, 1, 14), 5.0, Sport.WALKING, speed_m_s=1.4,
                   cadence_at_3_m_s_spm=None)  # fmt: skip
    analysis = _analysis([*runs, walk], today=date(2026, 12, 4))
    assert analysis.assessment is not None
    age = Finding("age", Cause.AGE, Severity.INFO, date(2025, 1, 14), "At 45.", "-", "-")
    assessment = Assessment([*analysis.assessment.findings, age], [])
    d = digest(dataclasses.replace(analysis, assessment=assessment))
    assert d.as_of == date(2024, 7, 14)
    assert age not in d.current and age in d.earlier


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ({"since": date(2027, 1, 1)}, "--since 2027-01-01"),
        ({"until": date(2026, 8, 1)}, "--until 2026-08-01"),
        ({"since": date(2026, 1, 1), "until": date(2026, 3, 1)},
         "--since 2026-01-01 and --until 2026-03-01"),
    ],
)  # fmt: skip
def test_a_period_without_activities_says_so_and_what_the_files_hold(
    settings: Settings, asked: dict[str, date], said: str
) -> None:
    analysis = sample_on(LAST_RUN, settings, **asked)
    expected = (
        f"No activities in the period asked for ({said}): the files read hold 4 Aug - 22 Nov 2026."
    )
    d = digest(analysis)
    assert (d.first_day, d.nothing) == (None, expected)
    assert expected in render_markdown(analysis)
    assert expected in render_html(analysis)


def test_the_year_table_covers_the_period_asked_for() -> None:
    from tests.long_history import ten_year_analysis

    analysis = dataclasses.replace(ten_year_analysis(), since=date(2022, 1, 1))
    d = digest(analysis)
    assert analysis.history is not None
    _, rows = year_table(analysis.history, d, "km")
    assert [row[0] for row in rows] == ["2022", "2023", "2024", "2025"]


def test_a_run_dated_tomorrow_was_run_today_further_east() -> None:
    """A run on the 5th, local time in Tokyo, read on the 4th in Zurich: today, not a clock
    fault."""
    runs = [Session(date(2026, 11, 20), 8.0), Session(date(2026, 12, 5), 10.0)]
    d = digest(_analysis(runs, today=date(2026, 12, 4)))
    assert (d.as_of, d.as_of_basis, d.future_runs) == (date(2026, 12, 5), AsOf.TODAY, 0)
    assert as_of_text(d) == "today, 5 Dec 2026; the last run was 5 Dec 2026, the same day."


def test_one_file_with_a_wrong_clock_does_not_move_now_into_its_future() -> None:
    runs = [Session(date(2026, 11, 27), 8.0), Session(date(2026, 12, 2), 10.0),
            Session(date(2031, 6, 1), 6.0)]  # fmt: skip
    d = digest(_analysis(runs, today=date(2026, 12, 4)))
    assert (d.as_of, d.as_of_basis, d.last_run_day, d.recent_runs) == (
        date(2026, 12, 4), AsOf.TODAY, date(2026, 12, 2), 2,
    )  # fmt: skip
    assert as_of_text(d) == (
        "today, 4 Dec 2026; the last run was 2 Dec 2026, 2 days before. 1 run is dated after "
        "it: the files' clock may be wrong."
    )


def test_relative_days_count_from_today_in_the_runners_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--until 0d is the day the report calls today: the configured zone's (already the 5th in
    Auckland while it is the 4th on a UTC server)."""
    from typer.testing import CliRunner

    import analyzer.cli

    def today_in(zone: object) -> date:
        return date(2026, 12, 5) if str(zone) == "Pacific/Auckland" else date(2026, 12, 4)

    monkeypatch.setattr(analyzer.cli, "today_in", today_in)
    args = ["report", str(SAMPLE), "-f", "json", "--no-cache", "--until", "0d"]
    for zone, day in (("Pacific/Auckland", "2026-12-05"), ("UTC", "2026-12-04")):
        done = CliRunner().invoke(analyzer.cli.app, [*args, "--timezone", zone])
        assert done.exit_code == 0, done.stderr
        assert json.loads(done.stdout)["recent"]["today"] == day
