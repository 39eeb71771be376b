"""The terminal report: rich tables on a terminal, plain text when piped or NO_COLOR is set."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from analyzer.calendar import local_start
from analyzer.guide import DISCLAIMER, RED_FLAGS, RED_FLAGS_INTRO
from analyzer.pipeline import Analysis
from analyzer.report import units
from analyzer.rules import Severity, cause_overview

_STYLE = {Severity.HIGH: "bold red", Severity.CAUTION: "yellow", Severity.INFO: "cyan"}


def render_terminal(analysis: Analysis, console: Console, unit: str = "km") -> None:
    console.print(f"[bold]calfguard[/bold]: {DISCLAIMER}\n")
    _activities(analysis, console, unit)
    _weeks(analysis, console, unit)
    _findings(analysis, console)
    _causes(analysis, console)
    console.print(f"\n[bold]{RED_FLAGS_INTRO}[/bold]")
    for flag in RED_FLAGS:
        console.print(f"  - {flag}", highlight=False)
    _quality(analysis, console)


def _activities(analysis: Analysis, console: Console, unit: str) -> None:
    table = Table(title=f"Activities ({len(analysis.summaries)})", title_justify="left")
    for header in ("Local start", "Sport", "Distance", "Moving", "Cadence", "Ascent", "File"):
        table.add_column(
            header, justify="left" if header in ("Local start", "Sport", "File") else "right"
        )
    duplicates = analysis.duplicate_of
    for s in analysis.summaries:
        local = local_start(s.start_time, s.utc_offset_s, analysis.settings.timezone)
        name = s.id.rsplit("/", 1)[-1] + (" (duplicate)" if s.id in duplicates else "")
        table.add_row(
            local.strftime("%Y-%m-%d %H:%M"),
            s.sport.value,
            units.distance(s.distance_m, unit),
            units.duration(s.moving_time_s),
            units.cadence(s.cadence.mean_spm),
            units.height(s.elevation.ascent_m),
            name,
        )
    console.print(table)


def _weeks(analysis: Analysis, console: Console, unit: str) -> None:
    if analysis.history is None:
        return
    table = Table(title="Weeks", title_justify="left")
    for header in ("Week", "Runs", "Distance", "Change", "Longest", "Descent", "Cadence", "ACWR"):
        table.add_column(header, justify="left" if header == "Week" else "right")
    for w in analysis.history.weeks:
        table.add_row(
            w.week_start.isoformat(),
            str(w.running_count),
            units.distance(w.running_distance_m, unit),
            units.percent(w.change_vs_last_week_pct),
            units.distance(w.longest_run_m, unit),
            units.height(w.descent_m),
            units.cadence(w.median_cadence_spm),
            units.ratio(w.acwr_ewma),
        )
    console.print(table)


def _findings(analysis: Analysis, console: Console) -> None:
    findings = analysis.assessment.findings if analysis.assessment else []
    console.print(f"\n[bold]Findings ({len(findings)})[/bold]")
    for f in findings:
        style = _STYLE[f.severity]
        console.print(
            f"  [{style}]{f.severity.label:>7}[/{style}] {f.date} {f.rule} ({f.cause.value}): ",
            end="",
        )
        console.print(f.message, markup=False, highlight=False)
    if analysis.assessment and analysis.assessment.warming_up:
        console.print("  Still warming up (not enough history yet):")
        for rule, why in analysis.assessment.warming_up:
            console.print(f"    {rule}: {why}", markup=False, highlight=False)


def _causes(analysis: Analysis, console: Console) -> None:
    findings = analysis.assessment.findings if analysis.assessment else []
    console.print("\n[bold]The guide's causes, and what the data says[/bold]")
    for c in cause_overview(findings):
        if c.status == "seen":
            what = f"{c.findings} finding(s), worst {c.worst.label if c.worst else '-'}"
        elif c.status == "nothing_seen":
            what = "nothing seen in the data"
        else:
            what = "cannot be seen from watch data"
        console.print(f"  [bold]{c.title}[/bold]: {what}.")
        console.print(f"    Advice: {c.advice}", markup=False, highlight=False)
        if c.unseen:
            console.print(f"    Not visible: {c.unseen}", markup=False, highlight=False)


def _quality(analysis: Analysis, console: Console) -> None:
    console.print("\n[bold]Data quality[/bold]")
    for kept, dropped in sorted(analysis.duplicate_of.items()):
        console.print(f"  duplicate set aside: {kept} (same run as {dropped})", markup=False)
    for s in analysis.summaries:
        for note in s.quality.notes:
            console.print(f"  {s.id}: {note}", markup=False, highlight=False)
    if analysis.errors:
        console.print(f"\nFiles that could not be read ({len(analysis.errors)}):")
        for failure in analysis.errors:
            console.print(f"  {failure.path}: {failure.reason}", markup=False, highlight=False)
