"""The terminal report: rich tables and colour on a terminal, plain text when the output is not
a terminal or NO_COLOR is set. Width-aware: everything wraps to the console's width and reads
well at 80 columns.

The default report leads with the last four weeks and the findings that matter now; the full
activity list belongs to ``calfguard activities`` (``render_activities``), one activity in
detail to ``calfguard show`` (``render_show``), the weekly table alone to ``calfguard weeks``.
"""

from __future__ import annotations

import errno
import itertools
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from analyzer.guide import DISCLAIMER, RED_FLAGS, RED_FLAGS_INTRO
from analyzer.local_calendar import local_start
from analyzer.metrics.summary import ActivitySummary
from analyzer.model import SportSource
from analyzer.pipeline import Analysis
from analyzer.report import units as u
from analyzer.report import wording
from analyzer.report.athlete_line import Attention, by_attention
from analyzer.report.digest import (
    Digest,
    as_of_text,
    detail_weeks,
    digest,
    first_sentence,
    grouped,
    is_long,
    nothing_text,
    period_text,
    recent_text,
    year_table,
)
from analyzer.report.records import activity_row
from analyzer.report.team_digest import (
    LEGEND,
    WHAT,
    last_text,
    load_text,
    new_text,
    reasons,
    spike_text,
    summary_text,
)  # fmt: skip
from analyzer.rules import CauseStatus, Finding, Severity
from analyzer.team import TeamRun
from analyzer.training_load import Week

SEVERITY_STYLE = {Severity.HIGH: "bold red", Severity.CAUTION: "yellow", Severity.INFO: "cyan"}
BAR_BLOCKS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 8
MAX_FILES_LISTED = 5


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich exits with code 1 and no word when the reader of its output goes away (``| head``);
        the caller says why and exits as it does for any output it cannot write."""
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def make_console(
    file: IO[str] | None = None, *, width: int | None = None, record: bool = False
) -> Console:
    """A console that writes colour only to a terminal, and never when NO_COLOR is set."""
    plain = bool(os.environ.get("NO_COLOR"))
    return _Console(
        file=file,
        width=width,
        record=record,
        force_terminal=False if plain else None,
        no_color=plain,
        highlight=False,
        emoji=False,
    )


def bar(value: float, most: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``value`` out of ``most`` in eighths of a character."""
    if not (math.isfinite(value) and math.isfinite(most)) or most <= 0 or value <= 0:
        return ""
    eighths = round(min(value / most, 1.0) * width * 8)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + (BAR_BLOCKS[part] if part else "")


# --- layout: text that breaks only between words, tables that fit the width -------------------

#: Where a word wider than its line may break, in order of preference: after a folder of a path,
#: between the parts of a file name, before its extension. Rich itself breaks only at spaces and
#: would cut such a word anywhere; a piece with no joint at all is still cut, the only cut left
#: (a name wider than the whole console).
JOINTS = ("/\\", "-_", ".")


def _pieces(word: str, width: int, joints: Sequence[str] = JOINTS) -> list[str]:
    """``word`` in pieces of at most ``width`` cells, each as long as fits, ending at a joint of
    the first kind; a piece still too wide is split at the next kind."""
    if cell_len(word) <= width or not joints:
        return [word]
    pieces: list[str] = []
    for part in re.split(f"(?<=[{re.escape(joints[0])}])", word):
        if pieces and cell_len(pieces[-1] + part) <= width:
            pieces[-1] += part
        else:
            pieces.append(part)
    return [p for piece in pieces for p in _pieces(piece, width, joints[1:])]


def _broken(text: Text, width: int) -> Text:
    """``text`` with a line break at the joints of each word wider than ``width``."""
    offsets: list[int] = []
    for word in re.finditer(r"\S+", text.plain):
        if cell_len(word.group()) > width:
            ends = list(itertools.accumulate(len(p) for p in _pieces(word.group(), width)))
            offsets += [word.start() + end for end in ends[:-1]]
    return text.blank_copy("\n").join(text.divide(offsets)) if offsets else text


class Wrapped:
    """Text that wraps between words, and breaks a word wider than its line only at its
    ``JOINTS``: for paragraphs and cells that may hold paths, file names and runners' names."""

    def __init__(self, text: str | Text, style: str = "") -> None:
        self.text = text.copy() if isinstance(text, Text) else Text(text, style=style)
        self.text.overflow = "fold"  # the last resort, for a piece without joints: cut, not "…"

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _broken(self.text, options.max_width)


Cell = str | Text
GAP = 2  # between two columns of a fitted table: the cell's right padding and the blank rule
#: A wrapping column asks for its longest word, up to a dated file name
#: (2026-08-04-1834-easy-run.fit); a longer word breaks at its joints.
WORD_ROOM = 28


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a ``FittedTable``. ``leaves``: 0 for a column always shown, else its turn to
    leave as the console narrows (1 leaves first)."""

    header: str  # "\n" between the words that go on separate lines
    justify: JustifyMethod = "right"
    leaves: int = 0
    wraps: bool = False  # at most one: takes the width the others leave, its cells wrapping
    min_width: int = 0


def _cell_width(cell: Cell) -> int:
    plain = cell.plain if isinstance(cell, Text) else cell
    return max((cell_len(line) for line in plain.splitlines()), default=0)


def _word_width(cell: Cell) -> int:
    plain = cell.plain if isinstance(cell, Text) else cell
    return max((cell_len(word) for word in plain.split()), default=0)


@dataclass(frozen=True, slots=True)
class FittedTable:
    """A table of the columns that fit the width it is drawn at. Rich would squeeze columns
    until their headers and cells are cut ("Longe…"); here every shown column is as wide as
    its widest cell (a number never splits) and the wrapping column at least as wide as its
    longest word (up to ``WORD_ROOM``): columns leave, in their ``leaves`` order, until that
    holds."""

    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    caption: str | None = None

    def _needed_width(self, i: int) -> int:
        column, cells = self.columns[i], [row[i] for row in self.rows]
        if column.wraps:
            longest_word = min(WORD_ROOM, max(map(_word_width, cells), default=0))
            return max(_cell_width(column.header), longest_word)
        return max(column.min_width, _cell_width(column.header), *map(_cell_width, cells))

    def shown(self, width: int) -> list[int]:
        """The indexes of the columns drawn at ``width``."""
        needed = [self._needed_width(i) for i in range(len(self.columns))]
        shown = list(range(len(self.columns)))
        leaving = sorted((c.leaves, i) for i, c in enumerate(self.columns) if c.leaves)
        for _, i in leaving:
            if sum(needed[j] for j in shown) + GAP * (len(shown) - 1) <= width:
                break
            shown.remove(i)
        return shown

    def table(self, width: int) -> Table:
        table = Table(
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            show_edge=False,
            padding=(0, 1, 0, 0),
            caption=self.caption,
            caption_justify="left",
        )
        shown = self.shown(width)
        for i in shown:
            c = self.columns[i]
            table.add_column(
                c.header, justify=c.justify, no_wrap=not c.wraps, min_width=c.min_width or None
            )
        for row in self.rows:
            table.add_row(*(Wrapped(row[i]) if self.columns[i].wraps else row[i] for i in shown))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)


def _heading(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _para(console: Console, text: str | Text, indent: int = 2, style: str = "") -> None:
    console.print(Padding(Wrapped(text, style), (0, 0, 0, indent)))


def _bullets(console: Console, items: Sequence[str | Text], indent: int = 2) -> None:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row("-", Wrapped(item))
    console.print(Padding(grid, (0, 0, 0, indent)))


# --- the report -------------------------------------------------------------------------------


def render_terminal(
    analysis: Analysis, console: Console, unit: str = "km", show_all: bool = False
) -> None:
    d = digest(analysis)
    _headline(d, console, unit)
    _findings(d, console, unit, show_all)
    if analysis.history is not None and is_long(d):
        _heading(console, "Year by year")
        headers, rows = year_table(analysis.history, d, unit)
        columns = [
            Column(h.replace(" ", "\n", 1), "left" if i == 0 else "right")
            for i, h in enumerate(headers)
        ]
        console.print(Padding(FittedTable(columns, rows), (0, 0, 0, 2)))
    if analysis.history is not None:
        weeks = analysis.history.weeks
        shown = weeks if show_all else detail_weeks(weeks, d)
        span = f"  {weeks_period(shown)}" if shown else ""
        _heading(console, f"Weekly load{span}")
        console.print(weeks_table(shown, unit))
        if len(shown) < len(weeks):
            console.print(Text(f"  {left_out_weeks_text(weeks, shown)}", style="dim"))
    _causes(d, console)
    _warming_up(d, console)
    red_flags(console)
    _quality(d, console)


def weeks_period(weeks: Sequence[Week]) -> str:
    """The days the weeks cover, from the first one's first day to the last one's last day
    (``3 Aug - 22 Nov 2026``): the last week's start alone read as the period's end."""
    return u.period(weeks[0].week_start, weeks[-1].week_start + timedelta(days=6))


def left_out_weeks_text(weeks: Sequence[Week], shown: Sequence[Week]) -> str:
    """``120 earlier weeks (5 Jan 2015 - 4 Jan 2025) are not shown: ...``"""
    first_shown = shown[0].week_start if shown else date.max
    earlier = [w for w in weeks if w.week_start < first_shown]
    later = len(weeks) - len(earlier) - len(shown)
    parts = []
    if earlier:
        parts.append(f"{u.count(len(earlier), 'earlier week')} ({weeks_period(earlier)})")
    if later:
        parts.append(f"{u.count(later, 'later week')} (after the last run)")
    verb = "is" if len(weeks) - len(shown) == 1 else "are"
    return f"{' and '.join(parts)} {verb} not shown: add --all, or see `calfguard weeks`."


def _headline(d: Digest, console: Console, unit: str) -> None:
    console.print(Text("calfguard report", style="bold"))
    console.print(Text(DISCLAIMER, style="dim"))
    console.print()
    if d.first_day is None:
        console.print(Text(d.nothing, style="bold"))
        return
    console.print(Text.assemble(("Period ", "bold"), period_text(d, unit)))
    console.print(Text.assemble(("As of ", "bold"), as_of_text(d)))
    console.print(Text.assemble(("Last 4 weeks ", "bold"), recent_text(d, unit)))


def finding_line(f: Finding, unit: str) -> Text:
    return Text.assemble(
        (wording.RULE_TITLES[f.rule], "bold"),
        ": ",
        u.message(first_sentence(f.message), unit),
        (f" [{f.cause.value}]", "dim"),
    )


def findings_grid(findings: Sequence[Finding], unit: str) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column(ratio=1)
    with_year = len({f.date.year for f in findings}) > 1  # the year where the dates cross one
    for f in findings:
        grid.add_row(
            Text(f.severity.label, style=SEVERITY_STYLE[f.severity]),
            u.day(f.date, with_year),
            Wrapped(finding_line(f, unit)),
        )
    return grid


def _count_by_severity(findings: Sequence[Finding]) -> str:
    parts = []
    for severity in sorted(Severity, reverse=True):
        n = sum(1 for f in findings if f.severity is severity)
        if n:
            parts.append(f"{n} {severity.label}")
    return ", ".join(parts)


def _findings(d: Digest, console: Console, unit: str, show_all: bool) -> None:
    _heading(console, "What matters most now (findings of the last 4 weeks)")
    if d.current:
        console.print(Padding(findings_grid(d.current, unit), (0, 0, 0, 2)))
        raised = any(f.raised_from is not None for f in (*d.current, *d.earlier))
        note = f" {wording.RAISED_MEANING}." if raised else ""
        _para(console, f"Severity: {wording.SEVERITY_MEANING}.{note}", style="dim")
    elif d.first_day is not None:
        _para(console, f"No findings in the last 4 weeks. {wording.NOT_ALL_CLEAR}")
    else:
        _para(console, "Nothing to judge without activities.")
    if not d.earlier:
        return
    span = u.period(min(f.date for f in d.earlier), max(f.date for f in d.earlier))
    if show_all:
        _heading(console, f"Earlier findings ({len(d.earlier)}, {span})")
        console.print(Padding(findings_grid(d.earlier, unit), (0, 0, 0, 2)))
    else:
        console.print()
        _para(
            console,
            f"{len(d.earlier)} earlier findings ({span}: {_count_by_severity(d.earlier)}) "
            "are not listed: add --all to list them, or use --format markdown or json "
            "for the full list with evidence.",
        )


def weeks_table(weeks: Sequence[Week], unit: str) -> FittedTable:
    """The weekly load. All its columns fit from about 115 columns; as the console narrows they
    leave in this order: other sports, monotony, running time, the change on the 4-week mean,
    ascent, runs, the bar, cadence, descent (the calf works hardest downhill). The week, its
    distance, change, longest run and ACWR always stay."""
    dist, up = u.distance_label(unit), u.height_label(unit)
    most = max((w.running_distance_m for w in weeks), default=0.0)
    with_year = len({w.week_start.year for w in weeks}) > 1
    columns: list[tuple[Column, Callable[[Week], Cell]]] = [
        (Column("Week", "left"),
         lambda w: u.day(w.week_start, with_year) + ("" if w.complete else "*")),
        (Column("Runs", leaves=6), lambda w: str(w.running_count)),
        (Column(dist), lambda w: u.distance_number(w.running_distance_m, unit)),
        (Column("", "left", leaves=7, min_width=BAR_WIDTH),
         lambda w: Text(bar(w.running_distance_m, most), style="green")),
        (Column("Change"), lambda w: u.percent(w.change_vs_last_week_pct)),
        (Column("vs 4 wk", leaves=4), lambda w: u.percent(w.change_vs_4_week_mean_pct)),
        (Column(f"Longest\n{dist}"),
         lambda w: u.distance_number(w.longest_run_m if w.running_count else math.nan, unit)),
        (Column(f"Ascent\n{up}", leaves=5), lambda w: u.height_number(w.ascent_m, unit)),
        (Column(f"Descent\n{up}", leaves=9), lambda w: u.height_number(w.descent_m, unit)),
        (Column("Cadence\nspm", leaves=8), lambda w: u.cadence_number(w.median_cadence_spm)),
        (Column("ACWR"), lambda w: u.ratio(w.acwr_ewma)),
        (Column("Time", leaves=3), lambda w: u.duration(w.running_time_s)),
        (Column("Monotony", leaves=2), lambda w: u.ratio(w.monotony)),
        (Column("Other\nsports", leaves=1), lambda w: str(w.cross_training_count)),
    ]  # fmt: skip
    return FittedTable(
        [column for column, _ in columns],
        [[cell(w) for _, cell in columns] for w in weeks],
        caption="Weeks start on the configured weekday; * a week the files start or end inside. "
        "Change: on the week before. ACWR: acute:chronic distance ratio, context only.",
    )


def _cause_status(c: CauseStatus, have_data: bool) -> Text:
    if c.status == "seen":
        worst = c.worst.label if c.worst else "-"
        style = SEVERITY_STYLE[c.worst] if c.worst else ""
        return Text.assemble(
            f"{c.findings} finding{'s' if c.findings != 1 else ''}, worst ", (worst, style)
        )
    if c.status == "cannot_be_seen":
        return Text("cannot be seen from watch data", style="dim")
    return Text("nothing seen in the data" if have_data else "no data to judge")


def _causes(d: Digest, console: Console) -> None:
    _heading(console, "The guide's causes of calf pain, and what the data says")
    have_data = d.first_day is not None
    for c in d.causes:
        line = Text.assemble((c.title, "bold"), ": ", _cause_status(c, have_data))
        console.print(Padding(line, (0, 0, 0, 2)))
        _para(console, f"Advice: {c.advice}", indent=4)
        if c.unseen:
            _para(console, f"Not visible: {c.unseen}", indent=4, style="dim")


def _warming_up(d: Digest, console: Console) -> None:
    if d.first_day is None:
        return
    _heading(console, "Rules still warming up")
    if not d.warming_up:
        _para(console, "None: every rule had enough history to be judged.")
        return
    _para(console, "Not enough history yet; their silence is not an all-clear:")
    _bullets(
        console, [f"{wording.RULE_TITLES[rule]} ({rule}): {why}" for rule, why in d.warming_up], 4
    )


def red_flags(console: Console) -> None:
    _heading(console, "Red flags. " + RED_FLAGS_INTRO)
    _bullets(console, list(RED_FLAGS))
    _para(console, Text(DISCLAIMER, style="bold"))


def _quality(d: Digest, console: Console) -> None:
    _heading(console, "Data quality")
    for kind, heading, notes in grouped(d.quality):
        files = len({n.path for n in notes})
        if kind in wording.ROUTINE_KINDS:
            _para(console, f"{heading}: {files} file{'s' if files != 1 else ''}.")
            continue
        style = "bold" if kind == "unreadable" else ""
        _para(console, Text(f"{heading} ({len(notes)}):", style=style))
        lines: list[str | Text] = [f"{n.path}: {n.message}" for n in notes[:MAX_FILES_LISTED]]
        if len(notes) > MAX_FILES_LISTED:
            lines.append(f"and {len(notes) - MAX_FILES_LISTED} more (--format json lists all)")
        _bullets(console, lines, 4)
    _para(console, wording.SKIPPED_SILENTLY, style="dim")


# --- calfguard activities, show, weeks --------------------------------------------------------


def activities_table(
    summaries: Sequence[ActivitySummary], analysis: Analysis, unit: str
) -> FittedTable:
    """One activity a line. All its columns fit from about 100 columns; as the console narrows,
    moving time leaves first (distance and pace give it), then ascent, then cadence. The date,
    sport, distance and pace always stay; the file name wraps."""
    dist, up = u.distance_label(unit), u.height_label(unit)
    zone = analysis.settings.timezone
    duplicates, not_counted = analysis.duplicate_of, analysis.not_counted  # built once, not a row
    columns: list[tuple[Column, Callable[[ActivitySummary], Cell]]] = [
        (Column("Local start", "left"),
         lambda s: local_start(s.start_time, s.utc_offset_s, zone).strftime("%Y-%m-%d %H:%M")),
        (Column("Sport", "left"), lambda s: wording.sport_label(s.sport)),
        (Column(dist), lambda s: u.distance_number(s.distance_m, unit, 2)),
        (Column("Moving", leaves=1), lambda s: u.duration(s.moving_time_s)),
        (Column(f"Pace\n/{dist}"),
         lambda s: u.pace(s.moving_speed_m_s, unit).split(" ")[0] if s.sport.is_on_foot else "-"),
        (Column("Cadence\nspm", leaves=3), lambda s: u.cadence_number(s.cadence.mean_spm)),
        (Column(f"Ascent\n{up}", leaves=2), lambda s: u.height_number(s.elevation.ascent_m, unit)),
        (Column("File", "left", wraps=True), lambda s: _file_label(s, duplicates, not_counted)),
    ]  # fmt: skip
    return FittedTable(
        [column for column, _ in columns], [[cell(s) for _, cell in columns] for s in summaries]
    )


def _file_label(
    s: ActivitySummary, duplicates: Mapping[str, str], not_counted: Mapping[str, str]
) -> str:
    """The activity's file name, and how its sport was decided or why it is not counted."""
    name = s.path.replace("\\", "/").rsplit("/", 1)[-1]
    if s.sport_source in (SportSource.INFERRED, SportSource.ASSUMED):
        name += f" (sport {s.sport_source.value})"
    if s.id in duplicates:
        name += " (duplicate, not counted)"
    elif s.id in not_counted:
        name += " (implausible, not counted)"
    return name


def render_activities(
    summaries: Sequence[ActivitySummary], analysis: Analysis, console: Console, unit: str = "km"
) -> None:
    not_counted = analysis.not_counted
    running = [s for s in summaries if s.sport.is_running and s.id not in not_counted]
    total = u.distance(sum(s.distance_m for s in running), unit, 1)
    console.print(
        Text.assemble(
            (f"Activities ({len(summaries)})", "bold"),
            f"  {u.count(len(running), 'run')}, {total} (duplicates counted once, implausible"
            " ones not at all)",
        )
    )
    if summaries:
        console.print(activities_table(summaries, analysis, unit))
    _files_not_read(analysis, console)


def render_weeks(analysis: Analysis, console: Console, unit: str = "km") -> None:
    if analysis.history is None:
        console.print(nothing_text(analysis))
    else:
        h = analysis.history
        console.print(
            Text.assemble(("Weekly load", "bold"), f"  {u.period(h.first_day, h.last_day)}")
        )
        console.print(weeks_table(h.weeks, unit))
    _files_not_read(analysis, console)


def _files_not_read(analysis: Analysis, console: Console) -> None:
    """The files that gave no activity, each with its reason: those that could not be read,
    and the planned routes and courses skipped (activities, weeks, show)."""
    for failure in analysis.errors:
        console.print(Wrapped(f"Could not read {failure.path}: {failure.reason}", "bold"))
    for skipped in analysis.not_activities:
        console.print(Wrapped(f"Skipped, not an activity: {skipped.path}: {skipped.reason}"))


# --- one activity in detail -------------------------------------------------------------------

SHOW_GROUPS: tuple[tuple[str, str | None], ...] = (
    ("Totals", None),
    ("Cadence and steps", "cadence"),
    ("Running dynamics", "dynamics"),
    ("Elevation", "elevation"),
    ("Heart rate", "heart"),
    ("Intensity", "intensity"),
    ("Temperature", "heat"),
    ("Warm-up", "warm_up"),
    ("The device's own totals", "device_totals"),
    ("Data quality", "quality"),
)
IDENTITY = ("id", "path", "format", "sport", "sport_source", "sport_reason", "sub_sport",
            "name", "device", "gear", "start_time", "local_start_time", "utc_offset_source",
            "timezone_name", "duplicate_of", "not_counted")  # fmt: skip
TOTALS = ("distance_m", "moving_time_s", "elapsed_time_s", "timer_time_s", "moving_speed_m_s",
          "grade_adjusted_speed_m_s", "ascent_m", "descent_m", "avg_cadence_spm",
          "avg_step_length_m", "avg_heart_rate_bpm")  # fmt: skip
LABELS = {
    "mean_spm": "mean", "median_spm": "median", "p10_spm": "10th percentile",
    "p90_spm": "90th percentile", "time_below_160_s": "time below 160 spm",
    "slope_spm_per_m_s": "slope on speed", "intercept_spm": "intercept",
    "mean_bpm": "mean", "max_bpm": "max", "zone_time_s": "time in zones 1-5",
    "mean_c": "mean", "max_c": "max", "time_at_or_above_18c_s": "time at 18 °C or more",
    "time_at_or_above_25c_s": "time at 25 °C or more", "trimp": "TRIMP",
    "trimp_basis": "TRIMP basis",
    "moving_speed_m_s": "moving speed", "grade_adjusted_speed_m_s": "grade-adjusted speed",
    "avg_cadence_spm": "mean cadence", "avg_step_length_m": "mean step length",
    "avg_heart_rate_bpm": "mean heart rate", "utc_offset_from_file": "UTC offset from the file",
    "first_10min_speed_m_s": "first 10 min speed", "rest_speed_m_s": "speed after 10 min",
    "first_10min_hr_bpm": "first 10 min heart rate", "rest_hr_bpm": "heart rate after 10 min",
    "descent_per_km_m": "descent per km", "steepest_descent_grade_pct": "steepest descent",
    "steep_descent_distance_m": "distance at -5 % or steeper",
    "steep_descent_time_s": "time at -5 % or steeper", "id": "id",
}  # fmt: skip
_SUFFIXES = ("_m_s", "_spm", "_bpm", "_pct", "_m", "_s", "_c")


def field_label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.replace("_", " ")


def field_value(name: str, value: Any, unit: str) -> str:
    """One metric of an activity row (plain JSON-ready data) with its display unit."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if name == "zone_time_s":
            return ", ".join(f"Z{i} {u.duration(v)}" for i, v in enumerate(value, 1))
        return ("; " if name == "notes" else ", ").join(str(v) for v in value) if value else "none"
    if not isinstance(value, int | float):
        return str(value)
    v = float(value)
    if name in ("ground_contact_time_s",):
        return f"{v * 1000:.0f} ms"
    if name == "vertical_oscillation_m":
        return f"{v * 100:.1f} cm"
    if name.endswith("step_length_m"):
        return u.step_length(v, unit)
    if name == "descent_per_km_m":
        per = v * u.KM_PER_MILE if unit == "mi" else v
        return f"{u.height_value(per, unit):.0f} {u.height_label(unit)}/{u.distance_label(unit)}"
    if name.endswith("distance_m"):
        return u.distance(v, unit)
    if name.endswith("_spm_per_m_s"):
        return f"{v:.1f} spm per m/s"
    if name.endswith("_m_s"):
        return f"{u.speed(v, unit)} ({u.pace(v, unit)})"
    if name.endswith("_spm"):
        return u.cadence(v)
    if name.endswith("_bpm"):
        return u.heart_rate(v)
    if name.endswith("_pct"):
        return f"{v:+.1f} %" if "drift" in name else f"{v:.1f} %"
    if name.endswith("_m"):
        return u.height(v, unit)
    if name.endswith("_s"):
        return u.duration(v)
    if name.endswith("_c"):
        return u.temperature(v)
    if name in ("rejected_gps_jumps", "sample_count"):
        return f"{value:d}" if isinstance(value, int) else f"{v:.0f}"
    return f"{v:.1f}"


def _pairs(console: Console, title: str, pairs: Sequence[tuple[str, str]]) -> None:
    """A group of metrics: its title, then label and value, one pair a line."""
    console.print(Text(title, style="bold"))
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold", ratio=1)
    for label, value in pairs:
        table.add_row(label, Wrapped(value))
    console.print(Padding(table, (0, 0, 1, 2)))


def render_show(analysis: Analysis, console: Console, unit: str = "km") -> None:
    """Each activity of the file(s), every metric grouped with its units, then its data
    quality and any findings about it."""
    _files_not_read(analysis, console)
    findings = analysis.assessment.findings if analysis.assessment else []
    notes = digest(analysis).quality
    for s in analysis.summaries:
        row = activity_row(s, analysis)
        local = local_start(s.start_time, s.utc_offset_s, analysis.settings.timezone)
        title = s.name or s.path.replace("\\", "/").rsplit("/", 1)[-1]
        when = f"{wording.sport_label(s.sport)}, {local.strftime('%Y-%m-%d %H:%M')}"
        console.print(Wrapped(Text.assemble((title, "bold underline"), f"  {when}")))
        console.print()
        identity = [(field_label(k), field_value(k, row[k], unit)) for k in IDENTITY]
        _pairs(console, "Activity", identity)
        if row["heart"]["mean_bpm"] is None:  # no heart-rate channel: no time in any zone
            row["heart"]["zone_time_s"] = None
        for group, key in SHOW_GROUPS:
            part = {k: row[k] for k in TOTALS} if key is None else row[key]
            pairs = [(field_label(k), field_value(k, v, unit)) for k, v in part.items()]
            if key is not None and all(v == "-" for _, v in pairs):
                pairs = [("", "not recorded")]
            _pairs(console, group, pairs)
        mine = [n for n in notes if n.path == (s.id if n.kind in wording.BY_ACTIVITY else s.path)]
        if mine:
            _heading(console, "Notes on this file")
            _bullets(console, [n.message for n in mine])
        about = [f for f in findings if f.activity_id == s.id]
        if about:
            _heading(console, "Findings about this run")
            console.print(Padding(findings_grid(about, unit), (0, 0, 0, 2)))
        console.print()


# --- the team overview --------------------------------------------------------------------------

TEAM_STYLE = {
    Attention.ACT: "bold red", Attention.WATCH: "yellow", Attention.DATA: "cyan",
    Attention.OK: "green",
}  # fmt: skip


def render_team_terminal(run: TeamRun, console: Console, unit: str = "km") -> None:
    lines = by_attention(run.lines)
    console.print(Text(f"calfguard team: {run.team.name}", style="bold"))
    console.print(summary_text(run))
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for header in ("", "athlete", "new", "last 7 days", "spike", "last activity"):
        table.add_column(header, overflow="fold")
    for line in lines:
        table.add_row(
            Text(line.attention.name.lower(), style=TEAM_STYLE[line.attention]), line.name,
            new_text(line), load_text(line, unit, run.today), spike_text(line), last_text(line),
        )  # fmt: skip
    console.print()
    console.print(table)
    notes = [(line, reasons(line)) for line in lines if reasons(line)]
    if notes:
        console.print()
        console.print(Text("What needs attention", style="bold"))
        for line, why in notes:
            console.print(Text(f"  {line.name}", style=TEAM_STYLE[line.attention]))
            for reason in why:
                console.print(Padding(Text(f"- {u.message(reason, unit)}"), (0, 0, 0, 4)))
    console.print()
    levels = "; ".join(f"{a.name.lower()}: {WHAT[a]}" for a in sorted(Attention, reverse=True))
    console.print(f"{levels}. {LEGEND}")
    red_flags(console)
