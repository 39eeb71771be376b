"""The team overview, for the coach: one line per athlete, the ones that need attention first.
The texts the terminal, the JSON document (docs/team.md; JSON Schema in docs/team.schema.json)
and the offline HTML page share; the renderers are terminal, json_report and html_report."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from analyzer import __version__
from analyzer.report import units
from analyzer.report.athlete_line import AthleteLine, Attention, NewFinding, by_attention
from analyzer.team import TeamRun

__all__ = [
    "LEGEND", "WHAT", "last_text", "load_text", "new_text", "reasons", "spike_text",
    "summary_text", "team_document",
]  # fmt: skip

SCHEMA_VERSION = "1.1"  # 1.1: not_found, and raised_from on new findings
WHAT = {
    Attention.ACT: "a new high finding since the last run",
    Attention.WATCH: "a new caution finding, or a high one of the last 4 weeks",
    Attention.DATA: "the files say too little: no recent activity, unreadable files",
    Attention.OK: "nothing new to look at",
}


#: What the overview's columns mean, under it in every format.
LEGEND = (
    "Last 7 days: running distance up to each athlete's report date, against the mean week of "
    "the 4 weeks before. Spike: the longest run of the last 7 days against the longest of the "
    "30 days before it. Each athlete's own report says more."
)


# --- the texts ------------------------------------------------------------------------------


def new_text(line: AthleteLine) -> str:
    """``1 high, 2 caution`` (new since the last run), or ``-``."""
    parts = [f"{n} {label}" for n, label in ((line.new_high, "high"),
                                             (line.new_caution, "caution")) if n]  # fmt: skip
    return ", ".join(parts) or "-"


def load_text(line: AthleteLine, unit: str, today: date | None) -> str:
    """``38.3 km; 4-week mean 29.8 (1.29x)``: the last 7 days against the athlete's own weeks;
    for an athlete whose report is as of their last run, long past, the days they end on."""
    if line.as_of is None:
        return "-"
    text = units.distance(line.last_7_days_m, unit, 1) if line.last_7_days_m > 0 else "none"
    if today is not None and line.as_of < today - timedelta(days=1):
        text += f" to {units.day(line.as_of, with_year=True)}"
    ratio = line.load_ratio
    if line.last_7_days_m == 0 and line.baseline_week_m > 0:
        text += f"; 4-week mean {units.distance_number(line.baseline_week_m, unit, 1)}"
    elif math.isfinite(ratio):
        mean = units.distance_number(line.baseline_week_m, unit, 1)
        text += f"; 4-week mean {mean} ({ratio:.2f}x)"
    return text


def spike_text(line: AthleteLine) -> str:
    """``1.63x on 22 Nov``: the longest run of the last 7 days over the longest of the 30 days
    before it."""
    if line.spike_day is None or not math.isfinite(line.spike_ratio):
        return "-"
    return f"{line.spike_ratio:.2f}x on {units.day(line.spike_day)}"


def last_text(line: AthleteLine) -> str:
    """``22 Nov 2026 (12 days ago)``."""
    if line.last_activity is None:
        return "-"
    days = line.days_without_activity or 0
    ago = "today" if days == 0 else units.count(days, "day") + " ago"
    return f"{units.day(line.last_activity, with_year=True)} ({ago})"


def reasons(line: AthleteLine) -> list[str]:
    """Why the line is where it is: the new findings with their numbers, then the problems."""
    out = [f"new {f.severity}{_raised(f)}: {f.text}" for f in line.new]
    if not line.new and line.current_high:
        out.append(f"{units.count(line.current_high, 'high finding')} in the last 4 weeks")
    return out + line.problems


def _raised(finding: NewFinding) -> str:
    if finding.raised_from is None:
        return ""
    return f" (raised from {finding.raised_from}: a previous calf injury)"


def summary_text(run: TeamRun) -> str:
    """``On 4 Dec 2026, 4 athletes: 1 act, 1 watch, 2 data, 0 ok.``"""
    counts = {level: 0 for level in Attention}
    for line in run.lines:
        counts[line.attention] += 1
    levels = ", ".join(
        f"{counts[level]} {level.name.lower()}" for level in sorted(Attention, reverse=True)
    )
    again = len(run.lines) - run.analysed
    unchanged = f" ({again} unchanged since the last run)" if again else ""
    made = f"On {units.day(run.today, with_year=True)}, " if run.today else ""
    return f"{made}{units.count(len(run.lines), 'athlete')}{unchanged}: {levels}."


def team_document(run: TeamRun) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"calfguard {__version__}",
        "team": run.team.name,
        "source": run.team.source,
        "today": run.today.isoformat() if run.today else None,
        "no_sync_days": run.team.no_sync_days,
        "athletes_analysed": run.analysed,
        "athletes": [_athlete(line) for line in by_attention(run.lines)],
    }


def _athlete(line: AthleteLine) -> dict[str, Any]:
    ratio = line.load_ratio
    return {
        "attention": line.attention.name.lower(),
        "reasons": reasons(line),
        "load_ratio": ratio if math.isfinite(ratio) else None,
        **line.to_json(),
    }
