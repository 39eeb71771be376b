"""The command line: the only module that imports typer and rich's console.

Each command is thin: resolve settings, call the library, render, and turn library errors into
``Error: <what>: <why>`` lines on stderr, before any output and even with --quiet (no
traceback). Exit codes, the same in every command (docs/cron.md):

- 0: the output was written and every file was read (planned routes and courses are skipped,
  not unreadable: they are listed, and leave the code 0);
- 1: the output was written, but some files could not be read (each is listed with its
  reason), or a path given is missing while others had activities;
- 2: nothing was written: bad usage, a bad config file or environment variable, a store that
  cannot be used (busy beyond --lock-timeout, damaged, read-only), a Dask cluster that cannot
  finish the run (--engine dask), an output that cannot be written, or nothing to report:
  every path given is missing, no activity file was found under them, none of the files
  found could be read as an activity, or none of the activities read can be counted
  (``_errors_first``);
- 3: with ``report --fail-on caution|high``, the report has a finding of that severity or
  higher that the previous run over the same paths on the same store did not have (3 wins
  over 1).

Settings: flags > environment (CALFGUARD_*) > config file > defaults (docs/config.md). Logs and
progress go to stderr, the output to stdout or --output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import io
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from analyzer import __version__
from analyzer import config as configuration
from analyzer.engines import EngineFactory
from analyzer.engines.local import LocalEngine, default_jobs
from analyzer.errors import ConfigError, EngineError, StoreError
from analyzer.file_output import replace_file, write_pieces
from analyzer.findings_memory import (
    new_findings,
    restoring_athletes,
    restoring_findings,
    swap_findings,
)  # fmt: skip
from analyzer.identity import implausible_reasons, unmatched
from analyzer.local_calendar import today_in
from analyzer.model import Sport
from analyzer.pipeline import Analysis, Progress, analyze
from analyzer.report import json_report
from analyzer.report.csv_report import activities_csv, weeks_csv, write_csv
from analyzer.report.json_report import json_pieces
from analyzer.report.markdown import render_markdown
from analyzer.report.terminal import (
    make_console,
    render_activities,
    render_show,
    render_team_terminal,
    render_terminal,
    render_weeks,
)
from analyzer.report.units import count
from analyzer.rules import Severity
from analyzer.store import Store, default_db_path
from analyzer.store import rebuild as rebuild_store

EXIT_OK = 0
EXIT_UNREADABLE_FILES = 1
EXIT_NOTHING_WRITTEN = 2
EXIT_NEW_FINDINGS = 3
#: An error that lists files names this many, then says how many more.
FILES_NAMED = 10
#: What calfguard looks for, said when it finds none.
LOOKS_FOR = (
    "calfguard reads FIT, GPX and TCX files, gzipped or not, in folders and zip archives such "
    "as a Strava export"
)
#: The exit codes, in the help of every command that reads activities (docs/cron.md).
EXIT_CODES_HELP = (
    "Exit codes: 0 written, every file read; 1 written, some files could not be read (each "
    "listed); 2 nothing written (bad usage, config or store, or nothing to report: paths "
    "missing, no activity files, none readable), with Error: lines on stderr; 3 report "
    "--fail-on found something new. docs/cron.md has the details."
)
log = logging.getLogger("calfguard")

app = typer.Typer(
    help="Training patterns associated with calf pain, from your watch exports.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(enum.StrEnum):
    terminal = "terminal"
    json = "json"
    html = "html"
    csv = "csv"
    markdown = "markdown"


class TableFormat(enum.StrEnum):
    """The formats of the table commands (activities, weeks)."""

    terminal = "terminal"
    json = "json"
    csv = "csv"


class ShowFormat(enum.StrEnum):
    terminal = "terminal"
    json = "json"


class Units(enum.StrEnum):
    km = "km"
    mi = "mi"


class FailOn(enum.StrEnum):
    caution = "caution"
    high = "high"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"calfguard {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """calfguard reads FIT, GPX and TCX files (gzipped or not, folders, Strava exports)."""


# --- the options, defined once for every command that takes them ------------------------------

PathsArgument = Annotated[list[Path], typer.Argument(help="Files and folders to analyse.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
]
UnitsOption = Annotated[
    Units | None, typer.Option(help="Display units (default: km).", show_default=False)
]
TimezoneOption = Annotated[
    str | None, typer.Option(help="IANA time zone for files that do not record their UTC offset.")
]
ConfigOption = Annotated[
    Path | None, typer.Option(help="Config file (TOML): athlete, shoes, time zone, thresholds.")
]
SetSportOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set-sport",
        metavar="PATTERN=SPORT",
        help="Say what a file is (e.g. commute.gpx=cycling, 'treadmill/*.tcx=treadmill', "
        "'race.fit#2=running' for one session), over the file and the inference; repeat for "
        "several. The config file's sports table does the same.",
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        help="From this local date (YYYY-MM-DD, or 30d / 8w before today); earlier runs still "
        "count for the rules' look-back."
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(help="Up to this local date (YYYY-MM-DD, or 7d before today)."),
]
WeekStartOption = Annotated[
    str | None, typer.Option(help="First day of the week (default: monday).", show_default=False)
]
DbOption = Annotated[
    Path | None,
    typer.Option(help="The store (SQLite; default: in the user cache folder).", show_default=False),
]
LockTimeoutOption = Annotated[
    float | None,
    typer.Option(
        help="Seconds to wait for another run using the same store (default: 30).",
        show_default=False,
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", help="Processes reading files (default: the CPU count).",
        show_default=False,
    ),
]  # fmt: skip
EngineOption = Annotated[
    str | None,
    typer.Option(
        help="Where files are parsed: local (this computer's processes, the default) or dask "
        "(a Dask cluster, with --scheduler; docs/scale.md).",
        show_default=False,
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="The Dask scheduler's address for --engine dask (tcp://HOST:8786).",
        show_default=False,
    ),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Keep nothing: read every file, use no store.")
]
VerboseOption = Annotated[
    int, typer.Option("--verbose", "-v", count=True, help="Progress and counts on stderr.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]


@app.command(epilog=EXIT_CODES_HELP)
def report(
    paths: PathsArgument,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.terminal,
    output: OutputOption = None,
    units: UnitsOption = None,
    timezone: TimezoneOption = None,
    config: ConfigOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every finding, not only the last 4 weeks'.")
    ] = False,
    since: SinceOption = None,
    until: UntilOption = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            help="Exit with code 3 if the report has a finding of this severity or higher that "
            "the previous run over the same paths did not have."
        ),
    ] = None,
    week_start: WeekStartOption = None,
    set_sport: SetSportOption = None,
    db: DbOption = None,
    no_cache: NoCacheOption = False,
    lock_timeout: LockTimeoutOption = None,
    jobs: JobsOption = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Analyse activities and print the report."""
    _check_output(output_format, output)
    _logging(verbose, quiet)
    resolved = _resolve(
        configuration.Flags(
            config, timezone, units, week_start, db, jobs, lock_timeout,
            engine=engine, scheduler=scheduler,
        ),
        set_sport,
    )  # fmt: skip
    first, last = _period(since, until, resolved)
    try:
        with _store(resolved, no_cache) as store, _engine(resolved) as engine_factory:
            with _progress(verbose, quiet) as progress:
                analysis = analyze(
                    paths, resolved.settings, store=store, jobs=resolved.jobs,
                    progress=progress, since=first, until=last, engine=engine_factory,
                )  # fmt: skip
            _errors_first(paths, analysis)  # before the findings are swapped: none were reported
            windowed = first is not None or last is not None
            previous = swap_findings(analysis, store, paths, windowed)
    except (StoreError, EngineError) as exc:
        _fail(str(exc))
    # The store is released before the report is written: a slow reader of the output (a
    # pager, a full pipe) does not hold up the next run.
    with restoring_findings(resolved.db, None if no_cache else paths, previous):
        _render_report(analysis, output_format, output, resolved.units, show_all)
    new = new_findings(analysis, previous, Severity[fail_on.name.upper()]) if fail_on else []
    in_report = "listed in the report's data quality section"
    _count_unread(paths, analysis, None if output_format is OutputFormat.csv else in_report)
    _warn_unmatched(set_sport, analysis)
    if new:
        log.warning(
            "%d new finding(s) at %s or above since the previous run: %s",
            len(new), fail_on, "; ".join(f"{f.date} {f.rule}" for f in new[:10]),
        )  # fmt: skip
        raise typer.Exit(EXIT_NEW_FINDINGS)
    _exit(analysis)


class TeamFormat(enum.StrEnum):
    terminal = "terminal"
    json = "json"
    html = "html"


#: The exit codes of a team run (docs/team.md).
TEAM_EXIT_CODES_HELP = (
    "Exit codes: 0 written, every athlete's files read; 1 written, but some athlete has files "
    "that could not be read, a folder with no activity file, or nothing readable; 2 nothing "
    "written (bad usage, team file, config or store, the cluster failed, or a report could not "
    "be written); 3 --fail-on found something new for some athlete. docs/team.md has the details."
)


@app.command(epilog=TEAM_EXIT_CODES_HELP)
def team(
    root: Annotated[
        Path,
        typer.Argument(
            help="The team: a folder holding team.toml, a team file, or a folder with one "
            "folder per athlete (docs/team.md)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write each athlete's reports to OUT/<athlete>/, and the overview to "
            "OUT/index.html and OUT/team.json.",
        ),
    ] = None,
    reports: Annotated[
        str, typer.Option(help="Each athlete's report formats, comma-separated.")
    ] = "json,markdown,html",
    output_format: Annotated[
        TeamFormat, typer.Option("--format", "-f", help="The overview's format.")
    ] = TeamFormat.terminal,
    output: OutputOption = None,
    units: UnitsOption = None,
    config: ConfigOption = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            help="Exit with code 3 if some athlete has a finding of the last 4 weeks of this "
            "severity or higher that their previous run did not have."
        ),
    ] = None,
    db: DbOption = None,
    no_cache: NoCacheOption = False,
    lock_timeout: LockTimeoutOption = None,
    jobs: JobsOption = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """A coach's or club's run over every athlete: their reports and the team overview."""
    from analyzer.errors import ReportError
    from analyzer.report.html_report import render_team_html
    from analyzer.report.json_report import render_team_json
    from analyzer.team import REPORT_FILES, run_team
    from analyzer.team_config import read_team

    _logging(verbose, quiet)
    formats = tuple(f.strip() for f in reports.split(",") if f.strip())
    unknown = [f for f in formats if f not in REPORT_FILES]
    if unknown or not formats:
        raise typer.BadParameter(
            f"{unknown[0] if unknown else reports!r}: the formats are "
            f"{', '.join(REPORT_FILES)}", param_hint="--reports"
        )  # fmt: skip
    resolved = _resolve(
        configuration.Flags(config, None, units, None, db, jobs, lock_timeout,
                            engine=engine, scheduler=scheduler),
        None,
    )  # fmt: skip
    try:
        the_team = read_team(root)
        with _store(resolved, no_cache) as store, _engine(resolved) as engine_factory:
            make = engine_factory or partial(LocalEngine, resolved.jobs)
            run = run_team(the_team, make, out=out, store=store, formats=formats)
    except (ConfigError, StoreError, EngineError, ReportError) as exc:
        _fail(str(exc))
    unread = False
    for line in run.lines:  # what could not be read, first on stderr (cron mails it)
        named = [*line.unreadable_named, *(f"{m}: no activity file found" for m in line.missing)]
        more = line.unreadable - len(line.unreadable_named)
        for text in named + ([f"and {more} more (listed in their report)"] if more > 0 else []):
            typer.echo(f"Error: {line.id}: {text}", err=True)
        if line.activities == 0 and not named:
            typer.echo(f"Error: {line.id}: no activity could be read", err=True)
        unread = unread or bool(named) or line.activities == 0
    # The store is released: if the overview cannot be written, the athletes' findings go back.
    with restoring_athletes(None if no_cache else resolved.db, run.previous):
        if out is not None:
            with _writing(out / "team.json"):
                replace_file(out / "team.json", [render_team_json(run)])
                replace_file(out / "index.html", [render_team_html(run, resolved.units)])
        if output_format is TeamFormat.json:
            _emit(render_team_json(run), output)
        elif output_format is TeamFormat.html:
            _emit(render_team_html(run, resolved.units), output)
        else:
            _draw(output, lambda console: render_team_terminal(run, console, resolved.units))
    if fail_on is not None:
        at_least = Severity[fail_on.name.upper()]
        news = [(line.id, f) for line in run.lines for f in line.new
                if Severity[f.severity.upper()] >= at_least]  # fmt: skip
        if news:
            log.warning(
                "%d new finding(s) at %s or above since the previous run: %s",
                len(news), fail_on, "; ".join(f"{a} {f.day} {f.rule}" for a, f in news[:10]),
            )  # fmt: skip
            raise typer.Exit(EXIT_NEW_FINDINGS)
    raise typer.Exit(EXIT_UNREADABLE_FILES if unread else EXIT_OK)


def _errors_first(paths: Sequence[Path], analysis: Analysis) -> None:
    """Says what went wrong with the paths given, first and on stderr, even with --quiet: cron
    mails stderr, and a mistyped or unmounted folder must not pass in silence. When nothing can
    be reported (every path missing, no activity file found under them, none of the files
    found readable as an activity), ends the run with exit 2 before anything is written: an
    empty report reads as "no findings", and could replace last night's."""
    given = [str(path) for path in paths]
    if analysis.stats.activity_files:
        for failure in analysis.errors:
            if failure.path in given:
                typer.echo(f"Error: {failure.path}: {failure.reason}", err=True)
        for path in analysis.empty_paths:
            log.warning("%s: no activity files found", path)
        if analysis.history is None and analysis.summaries and analysis.until is None:
            _none_counted(given, analysis)
        return
    failures = sorted([*analysis.errors, *analysis.not_activities], key=lambda f: f.path)
    named = [f for f in failures if f.path in given]  # a path given that gave nothing itself
    found = [f for f in failures if f.path not in given]
    lines = [f"Error: {f.path}: {f.reason}" for f in named]
    if analysis.empty_paths:
        lines.append(f"Error: {', '.join(analysis.empty_paths)}: no activity files found "
                     f"({LOOKS_FOR})")  # fmt: skip
    if found:
        said = {f.path for f in named} | set(analysis.empty_paths)
        where = ", ".join(dict.fromkeys(p for p in given if p not in said))
        none = (
            f"none of the {len(found)} files found could be"
            if len(found) > 1
            else "the one file found could not be"
        )
        lines.append(f"Error: {where}: {none} read as an activity:")
        lines += _named([f"{f.path}: {f.reason}" for f in found])
    typer.echo("\n".join(lines), err=True)
    raise typer.Exit(EXIT_NOTHING_WRITTEN)


def _named(items: Sequence[str]) -> list[str]:
    """The first ``FILES_NAMED`` items as indented lines, then how many more there are."""
    lines = [f"  {item}" for item in items[:FILES_NAMED]]
    if len(items) > FILES_NAMED:
        lines.append(f"  and {len(items) - FILES_NAMED} more")
    return lines


def _none_counted(given: Sequence[str], analysis: Analysis) -> NoReturn:
    """Every activity read is one that cannot be what it says (a clock never set, a "run"
    at world-record pace): nothing to report, and each says why."""
    lines = [
        f"Error: {', '.join(given)}: none of the "
        f"{count(len(analysis.summaries), 'activity', 'activities')} read can be counted:"
    ]
    lines += _named([f"{s.id}: {'; '.join(implausible_reasons(s))}" for s in analysis.summaries])
    typer.echo("\n".join(lines), err=True)
    raise typer.Exit(EXIT_NOTHING_WRITTEN)


def _count_unread(paths: Sequence[Path], analysis: Analysis, listed: str | None) -> None:
    """Says how many files could not be read and where the output lists them (``listed``);
    None: the output has no place for them (CSV), so each is said here, with the routes and
    courses skipped. The paths given were said first (``_errors_first``)."""
    given = {str(path) for path in paths}
    unread = [f for f in analysis.errors if f.path not in given]
    if listed is None:
        for failure in unread:
            log.warning("could not read %s: %s", failure.path, failure.reason)
        for skipped in analysis.not_activities:
            log.warning("skipped %s, not an activity: %s", skipped.path, skipped.reason)
        listed = "listed above"
    if unread:
        log.warning("%s could not be read (%s)", count(len(unread), "file"), listed)


def _listed_in(output_format: str, output: Path | None) -> str | None:
    """Where the output of ``activities``, ``weeks`` or ``show`` lists the files that could
    not be read; None for CSV, which has no place for them."""
    if output_format == "csv":
        return None
    if output_format == "json":
        return "listed under errors in the JSON"
    return "listed above" if output is None else f"listed in {output}"


def _exit(analysis: Analysis) -> NoReturn:
    """Exit 1 when some files could not be read (routes and courses are not that), else 0."""
    raise typer.Exit(EXIT_UNREADABLE_FILES if analysis.errors else EXIT_OK)


def _warn_unmatched(set_sport: list[str] | None, analysis: Analysis) -> None:
    """A --set-sport pattern that names nothing read is most likely a typo: say so. (The config
    file's patterns may well name files this run was not given.)"""
    flagged = configuration.sport_flags(set_sport or ())
    for pattern in unmatched(flagged, analysis.summaries):
        log.warning("--set-sport %s names no activity that was read", pattern)


def _check_output(output_format: OutputFormat | None, output: Path | None) -> None:
    """Fails before any work when the output cannot be written: cron reads exit 2 as usage.
    (``--format csv`` writes three files into the folder ``output``, which it may create.)"""
    if output is not None:
        into = output_format is OutputFormat.csv
        if into and output.exists() and not output.is_dir():
            _fail(f"cannot write the CSV files into {output}: it is not a folder")
        if not into and output.is_dir():
            _fail(f"cannot write {output}: it is a folder")
        folder = output if into and output.is_dir() else output.parent
        if not folder.exists():
            _fail(f"cannot write {output}: the folder {folder} does not exist")
        if not folder.is_dir():
            _fail(f"cannot write {output}: {folder} is not a folder")
    if output_format is OutputFormat.csv and output is None:
        _fail("--format csv needs --output DIR (it writes activities.csv, weeks.csv and "
              "findings.csv there)")  # fmt: skip


def _render_report(
    analysis: Analysis, output_format: OutputFormat, output: Path | None, unit: str,
    show_all: bool,
) -> None:  # fmt: skip
    """The report in the format asked for, to ``output`` or standard output."""
    if output_format is OutputFormat.json:
        _emit(json_pieces(analysis), output)
    elif output_format is OutputFormat.markdown:
        _emit(render_markdown(analysis, unit), output)
    elif output_format is OutputFormat.html:
        from analyzer.report.html_report import render_html  # imports matplotlib

        _emit(render_html(analysis, unit), output)
    elif output_format is OutputFormat.csv:
        assert output is not None  # _check_output
        with _writing(output):
            write_csv(analysis, output)
    else:
        _draw(output, lambda console: render_terminal(analysis, console, unit, show_all))


@app.command(epilog=EXIT_CODES_HELP)
def activities(
    paths: PathsArgument,
    since: SinceOption = None,
    until: UntilOption = None,
    sport: Annotated[
        list[Sport] | None, typer.Option(help="Only this sport (repeat for several).")
    ] = None,
    output_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TableFormat.terminal,
    output: OutputOption = None,
    units: UnitsOption = None,
    timezone: TimezoneOption = None,
    config: ConfigOption = None,
    set_sport: SetSportOption = None,
    db: DbOption = None,
    no_cache: NoCacheOption = False,
    lock_timeout: LockTimeoutOption = None,
    jobs: JobsOption = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """List the activities, one line each, oldest first."""
    _check_output(None, output)
    _logging(verbose, quiet)
    resolved = _resolve(
        configuration.Flags(
            config, timezone, units, None, db, jobs, lock_timeout,
            engine=engine, scheduler=scheduler,
        ),
        set_sport,
    )  # fmt: skip
    first, last = _period(since, until, resolved)
    analysis = _analyze_with_store(paths, resolved, no_cache, first, last)
    _errors_first(paths, analysis)
    _warn_unmatched(set_sport, analysis)
    wanted = set(sport or ())
    chosen = [s for s in analysis.summaries if not wanted or s.sport in wanted]
    if output_format is TableFormat.json:
        _emit(json_report.render_activities_json(chosen, analysis), output)
    elif output_format is TableFormat.csv:
        _emit(activities_csv(chosen, analysis), output)
    else:
        _draw(output, lambda c: render_activities(chosen, analysis, c, resolved.units), wide=True)
    _count_unread(paths, analysis, _listed_in(output_format, output))
    _exit(analysis)


@app.command(epilog=EXIT_CODES_HELP)
def show(
    file: Annotated[
        Path, typer.Argument(help="One activity file (FIT, GPX, TCX, gzipped or not).")
    ],
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ShowFormat.terminal,
    output: OutputOption = None,
    units: UnitsOption = None,
    timezone: TimezoneOption = None,
    config: ConfigOption = None,
    set_sport: SetSportOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Show one activity in detail: every metric with its units, and its data quality."""
    _check_output(None, output)
    _logging(verbose, quiet)
    resolved = _resolve(configuration.Flags(config, timezone, units), set_sport)
    analysis = analyze([file], resolved.settings)
    _errors_first([file], analysis)
    _warn_unmatched(set_sport, analysis)
    if output_format is ShowFormat.json:
        _emit(json_report.render_show_json(analysis), output)
    else:
        _draw(output, lambda console: render_show(analysis, console, resolved.units))
    _count_unread([file], analysis, _listed_in(output_format, output))
    _exit(analysis)


@app.command(epilog=EXIT_CODES_HELP)
def weeks(
    paths: PathsArgument,
    output_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TableFormat.terminal,
    output: OutputOption = None,
    units: UnitsOption = None,
    timezone: TimezoneOption = None,
    config: ConfigOption = None,
    week_start: WeekStartOption = None,
    set_sport: SetSportOption = None,
    db: DbOption = None,
    no_cache: NoCacheOption = False,
    lock_timeout: LockTimeoutOption = None,
    jobs: JobsOption = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
    verbose: VerboseOption = 0,
    quiet: QuietOption = False,
) -> None:
    """Print the weekly load table: distance, change, longest run, hills, cadence, ACWR."""
    _check_output(None, output)
    _logging(verbose, quiet)
    resolved = _resolve(
        configuration.Flags(
            config, timezone, units, week_start, db, jobs, lock_timeout,
            engine=engine, scheduler=scheduler,
        ),
        set_sport,
    )  # fmt: skip
    analysis = _analyze_with_store(paths, resolved, no_cache)
    _errors_first(paths, analysis)
    _warn_unmatched(set_sport, analysis)
    if output_format is TableFormat.json:
        _emit(json_report.render_weeks_json(analysis), output)
    elif output_format is TableFormat.csv:
        _emit(weeks_csv(analysis), output)
    else:
        _draw(output, lambda console: render_weeks(analysis, console, resolved.units))
    _count_unread(paths, analysis, _listed_in(output_format, output))
    _exit(analysis)


def _resolve(
    flags: configuration.Flags, set_sport: list[str] | None = None
) -> configuration.Resolved:
    """The effective settings: the flags (with --set-sport's patterns), the environment, the
    config file and the defaults."""
    try:
        return configuration.resolve(
            dataclasses.replace(flags, sports=tuple(set_sport or ())),
            os.environ,
            default_config=configuration.default_config_path(),
            default_db=default_db_path(),
            default_jobs=default_jobs(),
        )
    except ConfigError as exc:
        _fail(str(exc))


def _period(
    since: str | None, until: str | None, resolved: configuration.Resolved
) -> tuple[date | None, date | None]:
    """--since and --until as days; relative ones (30d, 0d) count from today in the runner's
    zone, the day the report calls today."""
    today = today_in(resolved.settings.timezone)
    try:
        first = configuration.parse_day(since, "--since", today) if since else None
        last = configuration.parse_day(until, "--until", today) if until else None
    except ConfigError as exc:
        _fail(str(exc))
    if first is not None and last is not None and last < first:
        _fail(f"--until {last} is before --since {first}")
    return first, last


def _analyze_with_store(
    paths: list[Path], resolved: configuration.Resolved, no_cache: bool,
    since: date | None = None, until: date | None = None,
) -> Analysis:  # fmt: skip
    """The table commands read through the same store as ``report``: nothing parsed twice."""
    try:
        with _store(resolved, no_cache) as store, _engine(resolved) as engine_factory:
            return analyze(
                paths, resolved.settings, store=store, jobs=resolved.jobs, since=since,
                until=until, engine=engine_factory,
            )  # fmt: skip
    except (StoreError, EngineError) as exc:
        _fail(str(exc))


@contextlib.contextmanager
def _engine(resolved: configuration.Resolved) -> Iterator[EngineFactory | None]:
    """Where files are parsed: None for the local processes (``jobs``), or a Dask cluster
    connected for the run (the scheduler's address; docs/scale.md)."""
    if resolved.engine != "dask" or resolved.scheduler is None:
        yield None
        return
    from analyzer.engines.dask_cluster import dask_engine  # imports distributed (0.4 s)

    log.info("engine: the Dask cluster at %s", resolved.scheduler)
    with dask_engine(resolved.scheduler) as factory:
        yield factory


@contextlib.contextmanager
def _store(resolved: configuration.Resolved, no_cache: bool) -> Iterator[Store | None]:
    if no_cache:
        yield None
        return
    log.info("store: %s", resolved.db)
    with Store.open(resolved.db, resolved.lock_timeout_s) as store:
        yield store


def _logging(verbose: int, quiet: bool) -> None:
    """Logs to stderr: warnings by default, errors only with --quiet, more with -v/-vv."""
    if quiet:
        level = logging.ERROR
    else:
        level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("calfguard: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a record comes (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


class _FilesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} files/s" if speed else "", style="progress.data.speed")


@contextlib.contextmanager
def _progress(verbose: int, quiet: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal; on anything else, nothing, or a log
    line every few seconds with --verbose."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():
        if not verbose:
            yield None
            return
        last = [time.monotonic()]

        def log_progress(done: int, total: int, discovered: bool) -> None:
            if time.monotonic() - last[0] >= 5 or (discovered and done == total):
                last[0] = time.monotonic()
                log.info("%d of %d%s files done", done, total, "" if discovered else "+")

        yield log_progress
        return
    bar = RichProgress(
        TextColumn("reading"), BarColumn(), MofNCompleteColumn(), _FilesPerSecond(),
        TimeRemainingColumn(), console=Console(stderr=True), transient=True,
    )  # fmt: skip
    task = bar.add_task("files", total=None)

    def show_progress(done: int, total: int, discovered: bool) -> None:
        bar.update(task, completed=done, total=total if discovered else None)

    with bar:
        yield show_progress


# --- calfguard cache ... -------------------------------------------------------------------------

cache_app = typer.Typer(
    help="The store that keeps each file's summaries between runs.", no_args_is_help=True
)
app.add_typer(cache_app, name="cache")


@cache_app.command("rebuild")
def cache_rebuild(
    db: DbOption = None,
    config: ConfigOption = None,
    force: Annotated[
        bool, typer.Option(help="Also replace an SQLite database that is not a calfguard store.")
    ] = False,
    lock_timeout: LockTimeoutOption = None,
) -> None:
    """Delete the store (damaged or not) and create an empty one: the next report reads every
    file again."""
    resolved = _resolve(configuration.Flags(config=config, db=db, lock_timeout=lock_timeout))
    try:
        rebuild_store(resolved.db, force=force, lock_timeout=resolved.lock_timeout_s).close()
    except StoreError as exc:
        _fail(str(exc))
    typer.echo(f"Rebuilt an empty store at {resolved.db}")


@cache_app.command("info")
def cache_info(
    db: DbOption = None, config: ConfigOption = None, lock_timeout: LockTimeoutOption = None
) -> None:
    """Where the store is, its size and what it holds."""
    resolved = _resolve(configuration.Flags(config=config, db=db, lock_timeout=lock_timeout))
    try:
        with Store.open(resolved.db, resolved.lock_timeout_s) as store:
            counts = store.counts()
            migrations = store.migrations()
    except StoreError as exc:
        _fail(str(exc))
    size = sum(
        p.stat().st_size
        for p in resolved.db.parent.glob(resolved.db.name + "*")
        if p.is_file() and not p.name.endswith(".lock")
    )
    typer.echo(f"store: {resolved.db} ({size / 2**20:.1f} MiB)")
    typer.echo(
        f"files: {counts['files']}; contents: {counts['results']} ({counts['unreadable']} "
        f"unreadable, {counts['not_activities']} not activities); runs remembered for --fail-on: "
        f"{counts['runs']}"
    )
    if counts["athletes"]:
        typer.echo(f"team athletes (calfguard team): {counts['athletes']}")
    typer.echo(f"schema: {', '.join(migrations)}")


# --- calfguard config ... ------------------------------------------------------------------------

config_app = typer.Typer(
    help="Settings: config file, CALFGUARD_* environment variables and flags.",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    config: ConfigOption = None,
    timezone: TimezoneOption = None,
    units: UnitsOption = None,
    week_start: WeekStartOption = None,
    db: DbOption = None,
    jobs: JobsOption = None,
    lock_timeout: LockTimeoutOption = None,
    set_sport: SetSportOption = None,
    engine: EngineOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Print the effective settings as TOML, each with where it came from (flag, environment
    variable, config file or default)."""
    resolved = _resolve(
        configuration.Flags(
            config, timezone, units, week_start, db, jobs, lock_timeout,
            engine=engine, scheduler=scheduler,
        ),
        set_sport,
    )  # fmt: skip
    typer.echo(configuration.show(resolved), nl=False)


def _console(output: Path | None, wide: bool = False) -> Console:
    """The terminal, or a plain-text recording for --output (80 columns, 120 for ``wide``)."""
    if output is None:
        return make_console()
    return make_console(io.StringIO(), width=120 if wide else 80, record=True)


def _draw(output: Path | None, render: Callable[[Console], None], wide: bool = False) -> None:
    """A terminal rendering to the screen, or as plain text to ``output``."""
    console = _console(output, wide)
    if output is None:
        with _writing(None):
            render(console)
        return
    render(console)
    _emit(console.export_text(), output)


def _emit(text: str | Iterable[str], output: Path | None) -> None:
    """Writes a report (a text, or its pieces as they are made) to ``output`` or standard
    output. A file is written beside its final name and renamed into place, so a run that
    fails half-way never leaves half a report where last night's was."""
    pieces = [text] if isinstance(text, str) else text
    with _writing(output):
        if output is None:
            write_pieces(pieces, sys.stdout)
            sys.stdout.flush()  # a closed pipe is found here, not at exit
            return
        if output.exists() and not output.is_file():  # /dev/null, a FIFO: nothing to replace
            with output.open("w", encoding="utf-8") as stream:
                write_pieces(pieces, stream)
            return
        replace_file(output, pieces)


@contextlib.contextmanager
def _writing(output: Path | None) -> Iterator[None]:
    """A report that cannot be written (a full disk, a read-only folder, a closed pipe) ends
    the run with exit 2 and the reason, never a traceback."""
    try:
        yield
    except OSError as exc:
        if output is None:  # nothing more can reach standard output, nor fail at exit
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        where = "standard output" if output is None else str(output)
        _fail(f"cannot write the report to {where}: {exc.strerror or exc}")


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(EXIT_NOTHING_WRITTEN)


def main() -> None:
    app()
