"""A long, untidy history for layout tests: two and a half years ending in a new year (week
labels carry the year, in the report's last 26 weeks too), weeks of 12 runs and 128 km, a
mountain week of 5 km of climb (five-digit feet), a near-empty week, long activity, file,
folder and shoe names, and an unreadable file whose path is longer than any terminal is wide.

A few runs are synthesized once and copied onto the calendar: each copy differs only in its
start, names and id, which is all the layout depends on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from analyzer.metrics.summary import ActivitySummary
from analyzer.model import Sport
from analyzer.pipeline import Analysis
from analyzer.readers.sources import ReadFailure
from tests.rules_history import Session, analysis_of, copied, summaries

FIRST_MONDAY = date(2024, 9, 2)  # the last week starts on 22 Feb 2027
WEEKS = 130
SHOE = "Extraordinarily Cushioned Long-Distance Trainers (the second pair, bought in Lisbon)"
NAME = "Sunday long run along the lakeshore with the club, easy pace, new shoes, windy"
FOLDER = "exports/Garmin Connect export of all activities since 2024"
SLUG = "sunday-long-run-along-the-lakeshore-with-the-club-and-friends"
DEEP = "/".join(f"folder-number-{i}-of-an-archive-nested-very-deeply" for i in range(4))

# the templates: (distance km, climb m, sport)
EASY, LONG, HILL, RIDE = range(4)
TEMPLATES = {
    EASY: (8.0, 40.0, Sport.RUNNING),
    LONG: (24.0, 120.0, Sport.RUNNING),
    HILL: (16.0, 1700.0, Sport.TRAIL_RUNNING),
    RIDE: (40.0, 300.0, Sport.CYCLING),
}


def _week_plan(week: int) -> list[int]:
    """The sessions of one week: mostly four runs and a ride; some big, one mountainous, one
    almost empty."""
    if week == 110:
        return [EASY]
    if week == 120:
        return [HILL, HILL, HILL, EASY]
    if week % 13 == 12:
        return [EASY] * 10 + [LONG, LONG]
    return [EASY, EASY, EASY, LONG, RIDE]


def _templates() -> dict[int, ActivitySummary]:
    sessions = [
        Session(FIRST_MONDAY, km, sport, climb_m=climb,
                speed_m_s=7.0 if sport is Sport.CYCLING else 2.9,
                cadence_at_3_m_s_spm=None if sport is Sport.CYCLING else 165.0)
        for km, climb, sport in TEMPLATES.values()
    ]  # fmt: skip
    return dict(zip(TEMPLATES, summaries(sessions), strict=True))


def _copies(templates: dict[int, ActivitySummary]) -> Iterator[ActivitySummary]:
    for week in range(WEEKS):
        for i, kind in enumerate(_week_plan(week)):
            day = FIRST_MONDAY + timedelta(weeks=week, days=i % 7)
            hour = 6 + 3 * (i // 7) + (kind == RIDE) * 6
            local = datetime.combine(day, time(hour, 7))
            path = f"{FOLDER}/{local:%Y-%m-%d-%H%M}-{SLUG}.fit"
            yield copied(templates[kind], local, path, name=NAME, gear=SHOE)


def long_analysis() -> Analysis:
    unreadable = ReadFailure(f"{DEEP}/{SLUG}.fit", "empty file")
    return analysis_of(list(_copies(_templates())), errors=[unreadable])
