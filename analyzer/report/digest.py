"""What every report format leads with, computed once: the period, the report's "now" and
the last four weeks up to it, the findings that matter now, the guide's causes, and the
data-quality notes.

"Now" (``as_of``, with its ``AsOf`` basis) is today for a live folder: one whose last run is
less than ``RECENT_DAYS`` before today (or before ``--until``, which stands for today). When
the last run is longer ago than that, the report describes the four weeks up to the last run,
not weeks of nothing, and says how long ago it was. Without runs it is the last activity. The
last four weeks end on ``as_of``; a weekly finding is current when its week ends inside them.
Reports show ``DETAIL_WEEKS`` weeks one by one, up to the week of ``as_of``; a longer history
also gets an overview by month and by year.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from analyzer.identity import Placed, fallback_source
from analyzer.local_calendar import local_start
from analyzer.metrics.summary import ActivitySummary
from analyzer.model import OffsetSource, SportSource
from analyzer.pipeline import Analysis
from analyzer.readers.sources import TEAM_FOLDER
from analyzer.report import units
from analyzer.report.wording import QUALITY_KINDS
from analyzer.rules import CauseStatus, Finding, cause_overview
from analyzer.training_load import History, Week

RECENT_DAYS = 28
#: The weeks the reports show one by one (all of them with --all, or `calfguard weeks`).
DETAIL_WEEKS = 26


class AsOf(enum.StrEnum):
    """Why the report's "now" is the day it is."""

    TODAY = "today"  # a live folder: the last run is recent
    UNTIL = "until"  # --until, which stands for today
    LAST_RUN = "last_run"  # the last run is long past (or, by the files' clock, in the future)
    LAST_ACTIVITY = "last_activity"  # no runs at all


@dataclass(frozen=True, slots=True)
class QualityNote:
    kind: str  # a key of QUALITY_KINDS
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Digest:
    first_day: date | None  # None when no activity could be read
    last_day: date | None
    days: int
    activities: int  # every activity read, duplicates and cross-training included
    runs: int  # running activities, duplicates set aside
    running_distance_m: float
    as_of: date | None  # the report's "now": the last day of the last 28 days
    as_of_basis: AsOf | None
    today: date  # the runner's local date when the report was made, or --until
    today_is_until: bool
    last_run_day: date | None
    later_activities: int  # activities after as_of (a walk long after the last run)
    future_runs: int  # runs dated after tomorrow, left out of "now" (a wrong clock)
    detail_first_day: date | None  # the first day of the weeks shown one by one
    recent_first_day: date | None  # the first day of the last 28 days
    recent_runs: int
    recent_distance_m: float
    recent_time_s: float
    recent_longest_m: float  # NaN without runs
    current: list[Finding]  # findings of the last 28 days, most important first
    earlier: list[Finding]  # the rest, most important first
    causes: list[CauseStatus]
    warming_up: list[tuple[str, str]]
    quality: list[QualityNote]
    nothing: str  # what to say instead of the headline when there is no activity to report

    @property
    def weeks(self) -> int:
        return -(-self.days // 7)


def nothing_text(analysis: Analysis) -> str:
    """What a report without activities says: none could be read, or none is in the period
    asked for (and which days the files hold)."""
    span = analysis.read_span
    if span is None:
        return "No activities could be read from the given paths."
    asked = " and ".join(
        f"{flag} {day.isoformat()}"
        for flag, day in (("--since", analysis.since), ("--until", analysis.until))
        if day is not None
    )
    return (
        f"No activities in the period asked for ({asked}): the files read hold "
        f"{units.period(*span)}."
    )


def period_text(d: Digest, unit: str) -> str:
    """``4 Aug - 22 Nov 2026 (111 days): 53 runs, 530.5 km; 63 activities read.``"""
    if d.first_day is None or d.last_day is None:
        return d.nothing
    runs = units.count(d.runs, "run")
    activities = units.count(d.activities, "activity", "activities")
    return (
        f"{units.period(d.first_day, d.last_day)} ({units.count(d.days, 'day')}): {runs}, "
        f"{units.distance(d.running_distance_m, unit, 1)}; {activities} read."
    )


def recent_text(d: Digest, unit: str) -> str:
    """``26 Oct - 22 Nov 2026: 13 runs, 133.8 km, longest 32.1 km, 13:06:31 moving.``"""
    if d.recent_first_day is None or d.as_of is None:
        return "no activities."
    longest = f", longest {units.distance(d.recent_longest_m, unit, 1)}" if d.recent_runs else ""
    return (
        f"{units.period(d.recent_first_day, d.as_of)}: {units.count(d.recent_runs, 'run')}, "
        f"{units.distance(d.recent_distance_m, unit, 1)}{longest}, "
        f"{units.duration(d.recent_time_s)} moving."
    )


def by_importance(findings: Iterable[Finding]) -> list[Finding]:
    """Highest severity first, then the most recent, then by rule."""
    return sorted(findings, key=lambda f: (-f.severity, -f.date.toordinal(), f.rule))


def finding_end(finding: Finding) -> date:
    """The last day a finding is about: its week's last day, or its own date."""
    return finding.week_start + timedelta(days=6) if finding.week_start else finding.date


_SENTENCE_END = re.compile(r"(?<=[.)])\s+(?=[A-Z])")


def first_sentence(message: str) -> str:
    """A finding's first sentence, which carries its numbers."""
    return _SENTENCE_END.split(message, maxsplit=1)[0]


def digest(analysis: Analysis) -> Digest:
    history = analysis.history
    findings = analysis.assessment.findings if analysis.assessment else []
    warming = analysis.assessment.warming_up if analysis.assessment else []
    quality = quality_notes(analysis)
    today = analysis.until or analysis.today
    period = analysis.period
    if history is None or period is None:
        return Digest(
            None, None, 0, len(analysis.summaries), 0, 0.0, None, None, today,
            analysis.until is not None, None, 0, 0, None, None, 0, 0.0, 0.0, float("nan"), [],
            by_importance(findings), cause_overview(findings), list(warming), quality,
            nothing_text(analysis),
        )  # fmt: skip
    # --since/--until narrow what is reported; the history before it still served the rules.
    first, last = period
    runs = [p for p in history.runs if first <= p.local_date <= last]
    # A run dated tomorrow was run today where it was (east of here); one dated later has a
    # wrong clock, and does not move "now" while runs that can be true are there.
    soon = today + timedelta(days=1)
    days = sorted(p.local_date for p in runs)
    possible = [day for day in days if day <= soon] or days  # all in the future: say so below
    future_runs = len(days) - len(possible)
    last_run = possible[-1] if possible else None
    if last_run is not None and today < last_run <= soon:
        today = last_run
    as_of, basis = _as_of(today, AsOf.UNTIL if analysis.until else AsOf.TODAY, last_run, last)
    recent_first = max(as_of - timedelta(days=RECENT_DAYS - 1), first)
    recent = [p for p in runs if recent_first <= p.local_date <= as_of]
    # Now is the last 4 weeks up to as_of; a finding dated later (the age, on the last
    # activity's day, long after the last run) is not news of now.
    current: list[Finding] = []
    earlier: list[Finding] = []
    for f in findings:
        now = recent_first <= finding_end(f) and f.date <= as_of
        (current if now else earlier).append(f)
    placed = (*history.runs, *history.others)
    as_of_week = as_of - timedelta(days=(as_of.weekday() - analysis.settings.week_start) % 7)
    return Digest(
        first_day=first,
        last_day=last,
        days=(last - first).days + 1,
        activities=len(analysis.summaries),
        runs=len(runs),
        running_distance_m=float(sum(p.summary.distance_m for p in runs)),
        as_of=as_of,
        as_of_basis=basis,
        today=today,
        today_is_until=analysis.until is not None,
        last_run_day=last_run,
        later_activities=sum(1 for p in placed if as_of < p.local_date <= last),
        future_runs=future_runs,
        detail_first_day=max(as_of_week - timedelta(weeks=DETAIL_WEEKS - 1), first),
        recent_first_day=recent_first,
        recent_runs=len(recent),
        recent_distance_m=float(sum(p.summary.distance_m for p in recent)),
        recent_time_s=float(sum(p.summary.moving_time_s for p in recent)),
        recent_longest_m=max((p.summary.distance_m for p in recent), default=float("nan")),
        current=by_importance(current),
        earlier=by_importance(earlier),
        causes=cause_overview(findings),
        warming_up=list(warming),
        quality=quality,
        nothing=nothing_text(analysis),
    )


@dataclass(frozen=True, slots=True)
class Year:
    year: int
    runs: int
    running_distance_m: float
    longest_run_m: float  # NaN without runs
    ascent_m: float
    active_weeks: int  # ISO weeks with at least one run


def year_rows(history: History, first: date, last: date) -> list[Year]:
    """The running of each calendar year of the days ``first`` to ``last``, empty years
    included: the overview of a long history."""
    by_year: dict[int, list[Placed]] = {}
    for p in history.runs:
        if first <= p.local_date <= last:
            by_year.setdefault(p.local_date.year, []).append(p)
    return [
        Year(
            year,
            len(runs := by_year.get(year, [])),
            float(sum(p.summary.distance_m for p in runs)),
            max((p.summary.distance_m for p in runs), default=float("nan")),
            float(np.nansum([p.summary.elevation.ascent_m for p in runs])),
            len({p.local_date.isocalendar()[:2] for p in runs}),
        )
        for year in range(first.year, last.year + 1)
    ]


def year_table(history: History, d: Digest, unit: str) -> tuple[list[str], list[list[str]]]:
    """The year-by-year overview of the report's period as text cells: (headers, rows), for
    every format's table."""
    assert d.first_day is not None and d.last_day is not None
    dist, up = units.distance_label(unit), units.height_label(unit)
    headers = ["Year", "Runs", dist, f"Longest {dist}", f"Ascent {up}", "Weeks with runs"]
    rows = [
        [
            str(y.year),
            str(y.runs),
            units.distance_number(y.running_distance_m, unit, 0),
            units.distance_number(y.longest_run_m, unit),
            units.height_number(y.ascent_m, unit),
            str(y.active_weeks),
        ]
        for y in year_rows(history, d.first_day, d.last_day)
    ]
    return headers, rows


def is_long(d: Digest) -> bool:
    """Whether the report's period starts before the weeks shown one by one (then it gets an
    overview)."""
    return (
        d.first_day is not None
        and d.detail_first_day is not None
        and (d.first_day < d.detail_first_day)
    )


def detail_weeks(weeks: Sequence[Week], d: Digest) -> list[Week]:
    """The weeks shown one by one: the ``DETAIL_WEEKS`` up to the week of "now"."""
    if d.detail_first_day is None or d.as_of is None:
        return list(weeks)
    first, last = d.detail_first_day, d.as_of
    return [w for w in weeks if w.week_start + timedelta(days=6) >= first and w.week_start <= last]


def _as_of(today: date, basis: AsOf, last_run: date | None, last_day: date) -> tuple[date, AsOf]:
    """The report's "now" and why (the module's docstring)."""
    if last_run is None:
        return last_day, AsOf.LAST_ACTIVITY
    if last_run > today or (today - last_run).days >= RECENT_DAYS:
        return last_run, AsOf.LAST_RUN
    return today, basis


def as_of_text(d: Digest) -> str:
    """``today, 4 Dec 2026; the last run was 22 Nov 2026, 12 days before.``, or why "now" is
    not today."""
    if d.as_of is None:
        return "no activities."
    as_of = units.day(d.as_of, with_year=True)
    said = "--until" if d.today_is_until else "today"
    today = f"{said}, {units.day(d.today, with_year=True)}"
    if d.last_run_day is None:
        return f"{as_of}, the last activity: there are no runs in the period reported."
    last_run = units.day(d.last_run_day, with_year=True)
    ago = (d.today - d.last_run_day).days
    if d.as_of_basis is AsOf.LAST_RUN:
        later = (
            f" {units.count(d.later_activities, 'other activity', 'other activities')} since."
            if d.later_activities else ""
        )  # fmt: skip
        if ago < 0:
            return (
                f"{as_of}, the day of the last run, {units.count(-ago, 'day')} after {today}: "
                f"the files' clock may be wrong.{later}"
            )
        return (
            f"{as_of}, the day of the last run, {units.count(ago, 'day')} ({_years(ago)}) "
            f"before {today}: the last 4 weeks are the 4 weeks up to it.{later}"
        )
    since = "the same day" if ago == 0 else f"{units.count(ago, 'day')} before"
    future = (
        f" {units.count(d.future_runs, 'run is', 'runs are')} dated after it: the files' clock "
        "may be wrong."
        if d.future_runs else ""
    )  # fmt: skip
    return f"{today}; the last run was {last_run}, {since}.{future}"


def _years(days: int) -> str:
    """``about 2.4 years``, ``about 7 weeks``: a long gap in words a runner reads at once."""
    if days >= 365:
        return f"about {days / 365.25:.1f} years"
    return f"about {round(days / 7)} weeks"


def quality_notes(analysis: Analysis) -> list[QualityNote]:
    """Everything a reader should know about what the numbers rest on, kind by kind."""
    notes = [QualityNote("unreadable", e.path, e.reason) for e in analysis.errors]
    notes.extend(
        QualityNote("team_folder" if f.reason == TEAM_FOLDER else "not_activity", f.path, f.reason)
        for f in analysis.not_activities
    )
    if analysis.history is not None:
        for d in analysis.history.duplicates:
            notes.append(
                QualityNote(
                    "duplicate",
                    d.set_aside_id,
                    f"the same activity as {d.kept_id} (starts {d.start_difference_s:.0f} s"
                    f" apart): {d.reason}; counted once",
                )
            )
        notes.extend(
            QualityNote("implausible", i.id, "; ".join(i.reasons))
            for i in analysis.history.implausible
        )
    for s in analysis.summaries:
        q = s.quality
        if s.sport_source in (SportSource.INFERRED, SportSource.ASSUMED):
            notes.append(
                QualityNote(f"sport_{s.sport_source.value}", s.id, f"{s.sport}: {s.sport_reason}")
            )
        notes.extend(QualityNote("file_note", s.path, note) for note in q.notes)
        on_foot = s.sport.is_on_foot
        source = s.elevation.altitude_source
        if source == "gps":
            device = s.device_totals.ascent_m
            beside = f"; the device's own total {device:.0f} m" if np.isfinite(device) else ""
            notes.append(
                QualityNote(
                    "elevation_gps",
                    s.path,
                    f"ascent {s.elevation.ascent_m:.0f} m ({s.elevation.method}){beside}",
                )
            )
        elif source == "none" and on_foot and s.distance_m > 0:
            notes.append(QualityNote("no_elevation", s.path, "no altitude channel"))
        if q.distance_source == "gps":
            notes.append(QualityNote("distance_gps", s.path, "distance summed from positions"))
        elif q.distance_source == "none":
            notes.append(QualityNote("no_distance", s.path, "moving time only"))
        if q.rejected_gps_jumps:
            notes.append(
                QualityNote("gps_jumps", s.path, f"{q.rejected_gps_jumps} jump(s) dropped")
            )
        if q.cadence_doubled and on_foot:
            notes.append(QualityNote("cadence_doubled", s.path, "per-foot cadence doubled"))
        if s.utc_offset_source is not OffsetSource.FILE:
            notes.append(QualityNote("no_offset", s.path, _placed_by(s, analysis)))
    order = list(QUALITY_KINDS)
    return sorted(notes, key=lambda n: (order.index(n.kind), n.path))


_PLACED_BY = {
    OffsetSource.POSITION: "the time zone at its start",
    OffsetSource.NEAREST_FILE: "the zone of the nearest file in time that states one",
    OffsetSource.CONFIG: "the configured time zone",
    OffsetSource.SYSTEM: "this computer's time zone (nothing better was known)",
}


def _placed_by(s: ActivitySummary, analysis: Analysis) -> str:
    """``placed at UTC+02:00 by the time zone at its start (Europe/Zurich)``"""
    source = s.utc_offset_source or fallback_source(analysis.settings.timezone)
    offset = local_start(s.start_time, s.utc_offset_s, analysis.settings.timezone).utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    zone = f" ({s.timezone_name})" if source is OffsetSource.POSITION else ""
    return (
        f"no UTC offset in the file; placed at UTC{sign}{abs(minutes) // 60:02d}:"
        f"{abs(minutes) % 60:02d} by {_PLACED_BY[source]}{zone}"
    )


def grouped(notes: Sequence[QualityNote]) -> list[tuple[str, str, list[QualityNote]]]:
    """(kind, heading, notes) for each kind present, in report order."""
    out = []
    for kind, heading in QUALITY_KINDS.items():
        mine = [n for n in notes if n.kind == kind]
        if mine:
            out.append((kind, heading, mine))
    return out
