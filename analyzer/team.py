"""A team run: every athlete's files, analysis and reports, and the team overview.

The same pipeline as one runner's, per athlete, with one engine for the whole team: athletes
are taken ``CHUNK_ATHLETES`` at a time; their files are read in one collection (the engine is
never idle between athletes), then each athlete's analysis and reports are made where files
are parsed (a worker process, or a Dask worker: ``athlete_task``), and this process writes
the reports and the store as they come back. What this process holds is one chunk's summaries
and one line per athlete, whatever the size of the team.

An athlete whose files, settings, report formats and today are as at their last run is not
analysed again: their reports are on disk and their line is in the store. One athlete's
broken files are theirs alone: they show in that athlete's reports and line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import analyzer.pipeline as pipeline
from analyzer.collect import Collected, Group, Relay, RunStats, collect_groups, sum_stats
from analyzer.engines import EngineFactory
from analyzer.errors import ReportError
from analyzer.file_output import replace_file
from analyzer.findings_memory import is_new, keyed_findings
from analyzer.metrics.summary import METRICS_VERSION
from analyzer.readers import ReadFailure, discover
from analyzer.readers.sources import file_behind
from analyzer.report.athlete_line import AthleteLine, athlete_line, new_finding
from analyzer.report.digest import digest
from analyzer.rules import Severity
from analyzer.settings import Settings
from analyzer.store import CALFGUARD_VERSION, RACY_NS, Store, athlete_scope
from analyzer.team_config import Athlete, Team

__all__ = ["REPORT_FILES", "AthleteJob", "TeamRun", "athlete_task", "run_team"]

log = logging.getLogger("calfguard")

#: Athletes read in one collection: enough that the engine stays busy, few enough that this
#: process holds little (64 athletes of a year's files: about 15,000 summaries).
CHUNK_ATHLETES = 64
#: The per-athlete report files, by format.
REPORT_FILES = {"json": "report.json", "markdown": "report.md", "html": "report.html"}


@dataclass(frozen=True, slots=True)
class AthleteJob:
    """What a worker needs to make one athlete's reports and line."""

    id: str
    name: str
    collected: Collected
    settings: Settings
    units: str
    today: date
    formats: tuple[str, ...]
    no_sync_days: int


@dataclass(frozen=True, slots=True)
class AthleteDone:
    id: str
    reports: dict[str, str]  # file name -> text
    line: AthleteLine
    # key, severity, rule, day, message, the severity the profile raised it from (or None),
    # and whether the finding is of the report's "now" (only those can be new in the overview)
    findings: list[tuple[str, int, str, date, str, int | None, bool]]


@dataclass(slots=True)
class TeamRun:
    team: Team
    lines: list[AthleteLine] = field(default_factory=list)  # in the team's order
    stats: RunStats = field(default_factory=RunStats)
    analysed: int = 0  # athletes analysed in this run (the others were unchanged)
    today: date | None = None  # the latest of the athletes' todays (their time zones differ)
    # The findings each analysed athlete had before this run (None: none), to be put back if
    # the overview cannot be written (findings_memory.restoring_athletes).
    previous: dict[str, dict[str, int] | None] = field(default_factory=dict)
    seconds: float = 0.0


def run_team(
    team: Team,
    engine: EngineFactory,
    *,
    out: Path | None = None,
    store: Store | None = None,
    formats: Sequence[str] = tuple(REPORT_FILES),
    chunk_athletes: int = CHUNK_ATHLETES,
) -> TeamRun:
    """Reads every athlete's files, writes their reports under ``out/<id>/`` (when given)
    and returns each athlete's line. Raises ``ReportError`` when a report cannot be written,
    ``StoreError`` and ``EngineError`` as a one-runner report does."""
    started = time.perf_counter()
    formats = formats if out is not None else ()  # without a folder, only the lines are made
    run = TeamRun(team)
    relay = Relay()
    running = engine(relay)
    each_stats: list[RunStats] = []
    try:
        for first in range(0, len(team.athletes), chunk_athletes):
            chunk = team.athletes[first : first + chunk_athletes]
            todo: list[tuple[Athlete, date, str]] = []
            for athlete in chunk:
                today = pipeline.today_in(athlete.settings.timezone)
                run.today = max(run.today or today, today)
                inputs = _inputs(athlete, today, formats, team.no_sync_days)
                line = _unchanged_line(athlete, inputs, store, out, formats)
                if line is not None:
                    run.lines.append(line)
                else:
                    todo.append((athlete, today, inputs))
            if not todo:
                continue
            groups = [Group(a.folders, a.settings.profile) for a, _, _ in todo]
            collected = collect_groups(groups, running, relay, store)
            each_stats.extend(c.stats for c in collected)
            jobs = [
                AthleteJob(a.id, a.name, c, a.settings, a.units, today, tuple(formats),
                           team.no_sync_days)
                for (a, today, _), c in zip(todo, collected, strict=True)
            ]  # fmt: skip
            del collected
            inputs_of = {a.id: inputs for a, _, inputs in todo}
            lines = {}
            for done in running.run_each(athlete_task, jobs, _what):
                lines[done.id] = _finish(done, inputs_of[done.id], store, out, run.previous)
            run.analysed += len(todo)
            run.lines.extend(lines[a.id] for a, _, _ in todo)
            # This chunk's summaries go before the next chunk's are read, not when ``jobs``
            # is next assigned: otherwise two chunks are held at once.
            del jobs
    finally:
        running.close()
    run.seconds = time.perf_counter() - started
    run.stats = sum_stats(each_stats, run.seconds)
    order = {a.id: number for number, a in enumerate(team.athletes)}
    run.lines.sort(key=lambda line: order[line.id])
    return run


def _what(job: AthleteJob) -> str:
    return f"the reports of athlete {job.id}"


def athlete_task(job: AthleteJob) -> AthleteDone:
    """One athlete's analysis, reports and line (on a worker: ``today`` comes with the job)."""
    analysis = pipeline.analyze_collected(job.collected, job.settings, today=job.today)
    reports = {REPORT_FILES[f]: _render(f, analysis, job.units) for f in job.formats}
    d = digest(analysis)
    line = athlete_line(job.id, job.name, analysis, d, job.no_sync_days)
    now = {id(f) for f in d.current}
    findings = [
        (
            key,
            int(f.severity),
            f.rule,
            f.date,
            f.message,
            None if f.raised_from is None else int(f.raised_from),
            id(f) in now,
        )
        for key, f in keyed_findings(analysis)
    ]
    return AthleteDone(job.id, reports, line, findings)


def _render(report_format: str, analysis: pipeline.Analysis, units: str) -> str:
    if report_format == "json":
        from analyzer.report.json_report import render_json

        return render_json(analysis)
    if report_format == "markdown":
        from analyzer.report.markdown import render_markdown

        return render_markdown(analysis, units)
    from analyzer.report.html_report import render_html  # imports matplotlib

    return render_html(analysis, units)


def _finish(
    done: AthleteDone,
    inputs: str,
    store: Store | None,
    out: Path | None,
    replaced: dict[str, dict[str, int] | None],
) -> AthleteLine:
    """Writes an athlete's reports, then keeps their line and findings in the store (in that
    order: a run killed between the two makes them again next time; ``replaced`` gets the
    findings they replace). New are the caution and high findings of the report's last 4
    weeks that the athlete's last run did not have (at that level): a first run's older
    findings are history, not news. An athlete of whom nothing could be read (a folder not
    mounted, emptied) keeps their last reports and findings: when the files are back, what
    was reported is not news again."""
    if done.line.activities == 0:
        kept = tuple(
            f"{done.id}/{name}" for name in REPORT_FILES.values()
            if out is not None and (out / done.id / name).is_file()
        )  # fmt: skip
        return replace(done.line, reports=kept)
    previous = store.previous_findings(athlete_scope(done.id)) if store is not None else None
    new = tuple(
        new_finding(
            Severity(severity), rule, day, message, None if raised is None else Severity(raised)
        )
        for key, severity, rule, day, message, raised, now in done.findings
        if now and severity >= Severity.CAUTION and is_new(key, severity, previous)
    )
    names = tuple(f"{done.id}/{name}" for name in done.reports) if out is not None else ()
    line = replace(done.line, new=new, reports=names)
    if out is not None:
        folder = out / done.id
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in done.reports.items():
                replace_file(folder / name, [text])
        except OSError as exc:
            raise ReportError(
                f"cannot write {done.id}'s reports to {folder}: {exc.strerror or exc}"
            ) from exc
    if store is not None:
        keys: dict[str, int] = {}
        for key, severity, *_ in done.findings:
            keys[key] = max(keys.get(key, 0), severity)
        record = inputs if out is not None else ""  # without reports, nothing to keep
        replaced[done.id] = previous
        store.record_athlete(done.id, record, _json(line), keys)
    return line


def _unchanged_line(
    athlete: Athlete, inputs: str, store: Store | None, out: Path | None, formats: Sequence[str]
) -> AthleteLine | None:
    """The athlete's line from their last run, when nothing their reports depend on has
    changed since and the reports are still there."""
    if store is None or out is None or not inputs:
        return None
    stored = store.athlete(athlete.id)
    if stored is None or stored[0] != inputs:
        return None
    if not all((out / athlete.id / REPORT_FILES[f]).is_file() for f in formats):
        return None
    return AthleteLine.from_json(json.loads(stored[1])).shown_again()


def _inputs(athlete: Athlete, today: date, formats: Sequence[str], no_sync_days: int) -> str:
    """A digest of everything an athlete's reports are made from: the files' paths, sizes,
    modification times and metadata, the settings, the day, and calfguard's version. Empty
    when a file was modified in the last seconds (it may change again unseen)."""
    h = hashlib.blake2b(digest_size=16)
    parts: Iterator[object] = iter(
        (CALFGUARD_VERSION, METRICS_VERSION, repr(athlete), today, tuple(formats), no_sync_days)
    )
    for part in parts:
        h.update(repr(part).encode())
    now_ns = time.time_ns()
    for item in discover(athlete.folders):
        if isinstance(item, ReadFailure):
            h.update(repr((item.path, item.reason)).encode())
            continue
        behind = file_behind(item)
        try:
            stat = behind[0].stat() if behind is not None else None
        except OSError:
            stat = None
        if stat is not None and now_ns - stat.st_mtime_ns < RACY_NS:
            return ""
        stamp = (stat.st_size, stat.st_mtime_ns) if stat is not None else None
        h.update(repr((item.path, stamp, repr(item.meta))).encode())
    return h.hexdigest()


def _json(line: AthleteLine) -> str:
    return json.dumps(line.to_json(), sort_keys=True)
