"""One way through: discover -> read -> summarize -> store -> aggregate -> assess.

This module only says the order of the steps and what a report covers; ``collect`` reads (or
takes from the store) every file's summaries, through an engine (``engines``) that says where
parsing runs; ``identity`` decides what each activity is; ``training_load`` aggregates;
``rules`` assesses. Returns plain results; the CLI renders them. A bad file becomes an entry in
``errors`` (a planned route or course, in ``not_activities``) and the rest of the batch goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from analyzer.collect import Collected, Progress, RunStats, collect
from analyzer.engines import EngineFactory
from analyzer.identity import resolve
from analyzer.local_calendar import local_date, today_in
from analyzer.metrics.summary import ActivitySummary
from analyzer.readers import ReadFailure
from analyzer.rules import Assessment, assess
from analyzer.settings import Settings
from analyzer.store import Store
from analyzer.training_load import History, build_history

# today_in: the runner's day, which a team run asks here for each athlete (tests fix it here).
__all__ = [
    "Analysis", "Progress", "RunStats", "analyze", "analyze_collected", "in_period", "today_in",
]  # fmt: skip


@dataclass(slots=True)
class Analysis:
    settings: Settings
    summaries: list[ActivitySummary] = field(default_factory=list)  # in the report period
    errors: list[ReadFailure] = field(default_factory=list)  # files that could not be read
    history: History | None = None
    assessment: Assessment | None = None
    stats: RunStats = field(default_factory=RunStats)
    since: date | None = None  # the report period asked for (None: open)
    until: date | None = None
    today: date = field(default_factory=date.today)  # the runner's, when the report was made
    not_activities: list[ReadFailure] = field(default_factory=list)  # routes, courses: skipped
    empty_paths: list[str] = field(default_factory=list)  # paths given with no file found
    read_span: tuple[date, date] | None = None  # all read, first and last day (with a period)

    @property
    def duplicate_of(self) -> dict[str, str]:
        """Set-aside id -> the id kept in its place."""
        if self.history is None:
            return {}
        return {d.set_aside_id: d.kept_id for d in self.history.duplicates}

    @property
    def not_counted(self) -> dict[str, str]:
        """Id -> why it is not counted as load: a duplicate, or implausible."""
        if self.history is None:
            return {}
        why = {i.id: "; ".join(i.reasons) for i in self.history.implausible}
        for d in self.history.duplicates:
            why[d.set_aside_id] = f"a copy of {d.kept_id}: {d.reason}"
        return why

    @property
    def period(self) -> tuple[date, date] | None:
        """The days the report covers: the files' first to last day, within since/until."""
        if self.history is None:
            return None
        first, last = self.history.first_day, self.history.last_day
        if self.since is not None:
            first = max(first, self.since)
        if self.until is not None:
            last = min(last, self.until)
        return (first, last) if first <= last else None


def analyze(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    since: date | None = None,
    until: date | None = None,
    engine: EngineFactory | None = None,
    today: date | None = None,
) -> Analysis:
    """Reads (or takes from ``store``) every activity under ``paths`` and assesses them.

    ``since``/``until`` limit what is reported: activities after ``until`` are left out as if
    the report were made that day, activities before ``since`` still count for the rules'
    look-back (a run is compared with the 30 days before it), but only the activities,
    weeks and findings of the period are reported. Unreadable files, and routes and courses,
    are always listed. ``engine`` says where parsing runs (default: ``jobs`` local processes).
    ``today`` is the runner's local date (default: the configured zone's, else this
    computer's): the report's "now" when the folder is live (``report.digest``).
    """
    settings = settings or Settings()
    with _fewer_collections():
        collected = collect(
            paths, settings.profile, store=store, jobs=jobs, progress=progress, engine=engine
        )
        return analyze_collected(collected, settings, since, until, today)


def analyze_collected(
    collected: Collected,
    settings: Settings,
    since: date | None = None,
    until: date | None = None,
    today: date | None = None,
) -> Analysis:
    """The rest of ``analyze`` once the files are read: what each activity is, the load, the
    findings. Runs wherever it is given the summaries (a team's athletes run on workers)."""
    with _fewer_collections():
        resolved = resolve(collected.summaries, settings)
        # What the files hold, for a period asked for that holds nothing (report.digest).
        span = _span(resolved, settings) if since is not None or until is not None else None
        summaries = in_period(resolved, settings, None, until)
        history = build_history(summaries, settings)
        if history is not None:  # the kept copy of an activity carries an override of any copy
            kept = {p.summary.id: p.summary for p in (*history.runs, *history.others)}
            summaries = [kept.get(s.id, s) for s in summaries]
        assessment = assess(history, settings) if history is not None else None
    analysis = Analysis(
        settings, summaries, collected.errors, history, assessment, collected.stats, since, until,
        today or today_in(settings.timezone), collected.not_activities, collected.empty_paths,
        span,
    )  # fmt: skip
    return _within(analysis) if since is not None or until is not None else analysis


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Reading thousands of summaries back from the store allocates hundreds of thousands of
    small objects, none of them in reference cycles: the cyclic garbage collector's frequent
    passes over them are wasted (about a tenth of a warm run). It runs less often meanwhile."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


# --- the report period ---------------------------------------------------------------------------


def in_period(
    summaries: Sequence[ActivitySummary], settings: Settings, since: date | None, until: date | None
) -> list[ActivitySummary]:
    """The summaries whose local date is within [since, until] (either open when None)."""
    if since is None and until is None:
        return list(summaries)
    first, last = since or date.min, until or date.max
    timezone = settings.timezone
    return [
        s for s in summaries if first <= local_date(s.start_time, s.utc_offset_s, timezone) <= last
    ]


def _span(summaries: Sequence[ActivitySummary], settings: Settings) -> tuple[date, date] | None:
    """The first and last local day of ``summaries`` (None without any): what the files hold,
    whatever period is asked for."""
    days = [local_date(s.start_time, s.utc_offset_s, settings.timezone) for s in summaries]
    return (min(days), max(days)) if days else None


def _within(analysis: Analysis) -> Analysis:
    """The analysis cut to its report period. ``analyze`` has left out what comes after
    ``until``; what comes before ``since`` is cut here, from what is shown only: the history
    behind the findings stays whole."""
    shown = in_period(analysis.summaries, analysis.settings, analysis.since, None)
    shown_ids = {s.id for s in shown}
    since, until = analysis.since or date.min, analysis.until or date.max
    history = analysis.history
    if history is not None:
        history = dataclasses.replace(
            history,
            weeks=[w for w in history.weeks if w.week_start.toordinal() + 6 >= since.toordinal()],
            duplicates=[d for d in history.duplicates if d.set_aside_id in shown_ids],
            implausible=[i for i in history.implausible if i.id in shown_ids],
        )
    assessment = analysis.assessment
    if assessment is not None:
        assessment = dataclasses.replace(
            assessment, findings=[f for f in assessment.findings if since <= f.date <= until]
        )
    return dataclasses.replace(analysis, summaries=shown, history=history, assessment=assessment)
