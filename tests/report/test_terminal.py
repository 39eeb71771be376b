"""The terminal report: the headline, the weekly table, the causes, red flags and disclaimer
always, data quality; width, colour and units."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from analyzer.guide import CAUSES, DISCLAIMER, RED_FLAGS
from analyzer.pipeline import Analysis, analyze
from analyzer.report import units as u
from analyzer.report.terminal import bar, make_console, render_terminal
from analyzer.samplegen.fit_writer import fit_bytes
from tests.factories import activity, full_samples
from tests.report.conftest import ANSI, CONFIG, SAMPLE, flat, run


def _report(*extra: str, columns: int = 80, env: dict[str, str | None] | None = None) -> str:
    result = run("report", "--config", str(CONFIG), str(SAMPLE), *extra, columns=columns, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _recent(sample: Analysis, unit: str = "km") -> str:
    h = sample.history
    assert h is not None
    first = h.last_day - timedelta(days=27)
    runs = [p for p in h.runs if p.local_date >= first]
    km = sum(p.summary.distance_m for p in runs)
    return f"{len(runs)} runs, {u.distance(km, unit, 1)}"


def test_headline_numbers_match_the_analysis(sample: Analysis) -> None:
    out = _report()
    h = sample.history
    assert h is not None and sample.assessment is not None
    assert _recent(sample) == "13 runs, 133.8 km"  # the sample history's last 4 weeks
    assert f"Last 4 weeks 26 Oct - 22 Nov 2026: {_recent(sample)}, longest 32.1 km" in flat(out)
    total_km = sum(p.summary.distance_m for p in h.runs) / 1000
    assert f"Period 4 Aug - 22 Nov 2026 (111 days): {len(h.runs)} runs, {total_km:.1f} km" in out
    assert f"{len(sample.summaries)} activities read" in out


def test_findings_that_matter_now_come_first_highest_severity_first(sample: Analysis) -> None:
    out = _report()
    section = out[out.index("What matters most now") : out.index("Weekly load")]
    lines = [line.strip() for line in section.splitlines() if line.strip()]
    labels = [
        line.split()[0] for line in lines[1:] if line.split()[0] in ("high", "caution", "info")
    ]
    assert labels == ["high", "caution", "caution", "info", "info", "info", "info"]
    assert lines[1].startswith("high     8 Nov Single-run spike: 32.1 km, 2.1x your longest run")
    assert "[overuse]" in flat(section) and "[footwear]" in flat(section)
    earlier = 30 - 7
    assert f"{earlier} earlier findings (22 Aug - 25 Oct 2026: 22 caution, 1 info)" in flat(section)
    assert "--all" in section and "--format markdown or json" in flat(section)
    assert "heat" not in section.lower()  # the August heat finding is an earlier one


def test_all_lists_the_earlier_findings_too() -> None:
    out = _report("--all")
    assert "Earlier findings (23, 22 Aug - 25 Oct 2026)" in out
    assert "Heat: 103 minutes at a recorded 29 C on average" in flat(out)
    assert flat(out).count("Cadence drop:") == 6


def test_the_weekly_table_shows_every_week(sample: Analysis) -> None:
    out = _report()
    assert sample.history is not None
    table = out[out.index("Weekly load") :].splitlines()
    for week in sample.history.weeks:
        label = u.day(week.week_start) + ("" if week.complete else "*")
        row = next(line for line in table if line.startswith(label + " "))
        cells = row.split()
        assert cells[len(label.split())] == str(week.running_count)
        assert f"{week.running_distance_m / 1000:.1f}" in cells
        assert u.ratio(week.acwr_ewma) == cells[-1]
    assert "█" in out  # the inline bars


def test_every_line_fits_80_columns_and_no_activity_list() -> None:
    out = _report()
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    assert "2026-08-04 18:34" not in out  # the activity list belongs to `calfguard activities`
    assert "Activities (" not in out


def test_causes_each_with_what_the_data_says_and_the_advice() -> None:
    text = flat(_report())
    assert "Overuse and sudden spikes: 7 findings, worst high" in text
    assert "High weekly volume: nothing seen in the data" in text
    assert "Nutrition: cannot be seen from watch data" in text
    for cause in CAUSES.values():
        assert flat(cause.advice) in text
    assert "Rules still warming up None: every rule had enough history to be judged." in text


def test_data_quality_notes(sample: Analysis) -> None:
    text = flat(_report())
    assert (
        "Duplicates set aside" in text
        and "2026-08-26-strava-export.gpx: the same activity as" in text
    )
    assert "2026-11-10-1833-easy-run-truncated.fit: truncated at byte 19213" in text
    doubled = sum(1 for s in sample.summaries if s.quality.cadence_doubled)
    assert f"Cadence recorded per foot, doubled to steps per minute: {doubled} files." in text
    assert "Distance from GPS positions (the file has no distance channel) (4):" in text


def _has_red_flags_and_disclaimer(out: str) -> None:
    text = flat(out)
    assert flat(DISCLAIMER) in text
    for flag in RED_FLAGS:
        assert flat(flag) in text, flag


def test_red_flags_and_disclaimer_with_data() -> None:
    _has_red_flags_and_disclaimer(_report())


def _rendered(analysis: Analysis) -> str:
    """The terminal report of an analysis the command line would not report (it exits 2)."""
    console = make_console(io.StringIO(), width=80, record=True)
    render_terminal(analysis, console)
    return console.export_text()


def test_red_flags_and_disclaimer_with_no_files(tmp_path: Path) -> None:
    out = _rendered(analyze([tmp_path]))
    _has_red_flags_and_disclaimer(out)
    assert "No activities could be read from the given paths." in out
    assert "High weekly volume: no data to judge" in flat(out)


def test_red_flags_and_disclaimer_when_every_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "broken.fit").write_bytes(b"\x0e\x10 not a fit file at all")
    (tmp_path / "empty.gpx").write_bytes(b"")
    out = _rendered(analyze([tmp_path]))
    _has_red_flags_and_disclaimer(out)
    text = flat(out)
    assert "Files that could not be read (2):" in text
    assert "empty.gpx: empty file" in text


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    assert not ANSI.search(_report())  # not a terminal: plain text
    assert ANSI.search(_report(env={"FORCE_COLOR": "1"}))
    assert not ANSI.search(_report(env={"FORCE_COLOR": "1", "NO_COLOR": "1"}))


def test_miles(sample: Analysis) -> None:
    out = _report("--units", "mi")
    text = flat(out)
    assert _recent(sample, "mi") == "13 runs, 83.2 mi"
    assert f"{_recent(sample, 'mi')}, longest 19.9 mi" in text
    assert (
        "Single-run spike: 19.9 mi, 2.1x your longest run in the previous 30 days (9.3 mi)" in text
    )
    table = out[out.index("Weekly load") : out.index("The guide's causes")]
    assert " km" not in table and "mi" in table and "ft" in table
    assert "7 Sep      5  32.5" in table  # 52.3 km


def test_wide_terminal_adds_columns() -> None:
    out = _report(columns=140)
    assert "vs 4 wk" in out and "Monotony" in out
    assert "vs 4 wk" not in _report()


def test_output_file_is_plain_text_at_80_columns(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = run("report", "--config", str(CONFIG), str(SAMPLE), "--output", str(target),
                 env={"FORCE_COLOR": "1"})  # fmt: skip
    assert result.exit_code == 0 and result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert not ANSI.search(text)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    assert "What matters most now" in text


@pytest.mark.parametrize(
    ("value", "most", "expected"),
    [(0.0, 10.0, ""), (10.0, 10.0, "████████"), (5.0, 10.0, "████"), (1.0, 10.0, "▊"),
     (0.001, 10.0, "▏"), (12.0, 10.0, "████████"), (float("nan"), 10.0, "")],
)  # fmt: skip
def test_bar(value: float, most: float, expected: str) -> None:
    assert bar(value, most) == expected


def test_one_run_only(tmp_path: Path) -> None:
    (tmp_path / "run.fit").write_bytes(fit_bytes(activity(full_samples(600))))
    result = run("report", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "(1 day): 1 run, 1.9 km; 1 activity read." in text
    assert "No findings in the last 4 weeks. No finding is not an all-clear" in text
    assert "Rules still warming up" in text and "needs 28 days of history" in text


def test_a_long_history_shows_its_recent_weeks_and_says_how_many_are_left_out() -> None:
    from rich.console import Console

    from analyzer.report.digest import DETAIL_WEEKS as REPORT_WEEKS
    from analyzer.report.terminal import render_terminal
    from analyzer.rules import assess
    from analyzer.settings import Settings
    from analyzer.training_load import build_history
    from tests.rules_history import PROFILE, steady_weeks, summaries

    items = summaries(steady_weeks(REPORT_WEEKS + 4))
    settings = Settings(profile=PROFILE)
    history = build_history(items, settings)
    assert history is not None and len(history.weeks) == REPORT_WEEKS + 4
    analysis = Analysis(settings, items, [], history, assess(history, settings))
    for show_all, left_out in ((False, 4), (True, 0)):
        console = Console(record=True, width=100, file=io.StringIO())
        render_terminal(analysis, console, show_all=show_all)
        text = console.export_text()
        said = "4 earlier weeks (5 Jan - 1 Feb 2026) are not shown: add --all, or see"
        assert (said in " ".join(text.split())) == (left_out > 0)


def test_since_narrows_the_headline_to_the_period() -> None:
    result = _report("--since", "2026-11-01", columns=100)
    text = flat(result)
    assert "Period 1 Nov - 22 Nov 2026 (22 days): 10 runs, 112.7 km" in text
    assert "Last 4 weeks 1 Nov - 22 Nov 2026: 10 runs, 112.7 km" in text


def test_ten_years_get_a_year_table_and_the_26_weeks_up_to_now() -> None:
    """January 2015 to a last run on 14 Jul 2024, then a walk in January 2025: 524 weeks."""
    from rich.console import Console

    from analyzer.report.terminal import render_terminal
    from tests.long_history import ten_year_analysis, ten_years

    console = Console(record=True, width=100, file=io.StringIO())
    render_terminal(ten_year_analysis(), console)
    text = console.export_text()
    years = text[text.index("Year by year") : text.index("Weekly load")]
    runs_2016 = [s for s in ten_years() if s.sport.is_running and s.start_time.year == 2016]
    km_2016 = sum(s.distance_m for s in runs_2016) / 1000
    row_2016 = next(line.split() for line in years.splitlines() if line.strip().startswith("2016"))
    assert row_2016[:3] == ["2016", str(len(runs_2016)), f"{km_2016:.0f}"]
    assert [line.split()[0] for line in years.splitlines() if line.strip()[:2] == "20"] == [
        str(year) for year in range(2015, 2026)
    ]
    assert "Weekly load  15 Jan - 14 Jul 2024" in text
    assert (
        "471 earlier weeks (5 Jan 2015 - 14 Jan 2024) and 27 later weeks (after the last run) "
        "are not shown: add --all, or see `calfguard weeks`."
    ) in flat(text)


def test_finding_dates_carry_the_year_when_the_list_crosses_one() -> None:
    from rich.console import Console

    from analyzer.guide import Cause
    from analyzer.report.terminal import findings_grid
    from analyzer.rules import Finding, Severity

    def finding(day: date) -> Finding:
        return Finding("heat", Cause.HYDRATION, Severity.INFO, day, "Warm.", "Drink.", "A study.")

    def dates(*days: date) -> list[str]:
        console = Console(record=True, width=100, file=io.StringIO())
        console.print(findings_grid([finding(d) for d in days], "km"))
        return [" ".join(line.split()[1:4]) for line in console.export_text().splitlines()]

    assert dates(date(2026, 12, 28), date(2027, 1, 3)) == [
        "28 Dec 2026", "3 Jan 2027",
    ]  # fmt: skip
    assert [d.split()[:2] for d in dates(date(2026, 11, 2), date(2026, 11, 9))] == [
        ["2", "Nov"], ["9", "Nov"],
    ]  # fmt: skip
