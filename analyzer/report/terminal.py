"""The terminal report: rich tables on a terminal, plain text when piped or NO_COLOR is set."""

from __future__ import annotations

from datetime import tzinfo

from rich.console import Console
from rich.table import Table

from analyzer.calendar import local_start
from analyzer.pipeline import Analysis
from analyzer.report import units


def render_terminal(
    analysis: Analysis, console: Console, fallback_tz: tzinfo | None, unit: str = "km"
) -> None:
    table = Table(title=f"Activities ({len(analysis.summaries)})", title_justify="left")
    for header, justify in (
        ("Local start", "left"),
        ("Sport", "left"),
        ("Distance", "right"),
        ("Moving", "right"),
        ("Cadence", "right"),
        ("Format", "left"),
        ("File", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for s in analysis.summaries:
        local = local_start(s.start_time, s.utc_offset_s, fallback_tz)
        table.add_row(
            local.strftime("%Y-%m-%d %H:%M"),
            s.sport.value,
            units.distance(s.distance_m, unit),
            units.duration(s.moving_time_s),
            units.cadence(s.avg_cadence_spm),
            s.format.value,
            s.id,
        )
    console.print(table)
    if analysis.errors:
        console.print(f"\nFiles that could not be read ({len(analysis.errors)}):")
        for failure in analysis.errors:
            console.print(f"  {failure.path}: {failure.reason}", markup=False, highlight=False)
