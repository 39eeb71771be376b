"""The team overview, for the coach: one line per athlete, the ones that need attention first.
The same texts in the terminal, the JSON document (docs/team.md; JSON Schema in
docs/team.schema.json) and the offline HTML page."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from analyzer import __version__
from analyzer.guide import DISCLAIMER, RED_FLAGS, RED_FLAGS_INTRO
from analyzer.report import units
from analyzer.report.athlete_line import AthleteLine, Attention, by_attention
from analyzer.report.html_report import esc
from analyzer.report.terminal import red_flags
from analyzer.team import TeamRun

__all__ = ["render_team_html", "render_team_json", "render_team_terminal", "team_document"]

SCHEMA_VERSION = "1.0"
STYLE = {
    Attention.ACT: "bold red", Attention.WATCH: "yellow", Attention.DATA: "cyan",
    Attention.OK: "green",
}  # fmt: skip
WHAT = {
    Attention.ACT: "a new high finding since the last run",
    Attention.WATCH: "a new caution finding, or a high one of the last 4 weeks",
    Attention.DATA: "the files say too little: no recent activity, unreadable files",
    Attention.OK: "nothing new to look at",
}


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
    text = units.distance(line.last_7_days_m, unit, 1)
    if today is not None and line.as_of < today - timedelta(days=1):
        text += f" to {units.day(line.as_of, with_year=True)}"
    ratio = line.load_ratio
    if math.isfinite(ratio):
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
    out = [f"new {f.severity}: {f.text}" for f in line.new]
    if not line.new and line.current_high:
        out.append(f"{units.count(line.current_high, 'high finding')} in the last 4 weeks")
    return out + line.problems


# --- terminal ---------------------------------------------------------------------------------


def render_team_terminal(run: TeamRun, console: Console, unit: str = "km") -> None:
    lines = by_attention(run.lines)
    console.print(Text(f"calfguard team: {run.team.name}", style="bold"))
    console.print(_summary(run))
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for header in ("", "athlete", "new", "last 7 days", "spike", "last activity"):
        table.add_column(header, overflow="fold")
    for line in lines:
        table.add_row(
            Text(line.attention.name.lower(), style=STYLE[line.attention]), line.name,
            new_text(line), load_text(line, unit, run.today), spike_text(line), last_text(line),
        )  # fmt: skip
    console.print()
    console.print(table)
    notes = [(line, reasons(line)) for line in lines if reasons(line)]
    if notes:
        console.print()
        console.print(Text("What needs attention", style="bold"))
        for line, why in notes:
            console.print(Text(f"  {line.name}", style=STYLE[line.attention]))
            for reason in why:
                console.print(Padding(Text(f"- {units.message(reason, unit)}"), (0, 0, 0, 4)))
    console.print()
    console.print(
        "act: a new high finding since the last run; watch: a new caution finding, or a high "
        "one of the last 4 weeks; data: no recent activity or unreadable files. Last 7 days: "
        "running distance up to each athlete's report date, against the mean week of the 4 "
        "weeks before. Spike: the longest run of the last 7 days against the longest of the 30 "
        "days before it. Each athlete's own report says more."
    )
    red_flags(console)


def _summary(run: TeamRun) -> str:
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


# --- JSON -------------------------------------------------------------------------------------


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


def render_team_json(run: TeamRun) -> str:
    return json.dumps(team_document(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;
color:#1d2330}
h1{font-size:22px;margin:0 0 4px}p.lead{color:#4a5364;margin:0 0 16px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;
vertical-align:top;border-bottom:1px solid #e3e6ec}th{font-size:13px;color:#4a5364}
.level{font-weight:600;text-transform:uppercase;font-size:12px;border-radius:4px;padding:2px 6px}
.act{background:#fbe3e1;color:#a1261b}.watch{background:#fdf2d0;color:#7a5a00}
.data{background:#dff1f7;color:#1f5f75}.ok{background:#e3f4e6;color:#24693a}
ul{margin:0;padding-left:18px}td.num{white-space:nowrap}footer{color:#4a5364;font-size:13px;
margin-top:18px}
"""


def render_team_html(run: TeamRun, unit: str = "km") -> str:
    rows = []
    for line in by_attention(run.lines):
        level = line.attention.name.lower()
        report = next((r for r in line.reports if r.endswith(".html")), None)
        name = f'<a href="{esc(report)}">{esc(line.name)}</a>' if report else esc(line.name)
        why = "".join(f"<li>{esc(units.message(r, unit))}</li>" for r in reasons(line))
        rows.append(
            f'<tr><td><span class="level {level}">{level}</span></td><td>{name}</td>'
            f'<td class="num">{esc(new_text(line))}</td>'
            f'<td class="num">{esc(load_text(line, unit, run.today))}</td>'
            f'<td class="num">{esc(spike_text(line))}</td>'
            f'<td class="num">{esc(last_text(line))}</td><td><ul>{why}</ul></td></tr>'
        )
    headers = "".join(
        f"<th>{h}</th>"
        for h in ("", "Athlete", "New", "Last 7 days", "Spike", "Last activity", "Why")
    )
    legend = "".join(
        f'<li><span class="level {a.name.lower()}">{a.name.lower()}</span> {esc(WHAT[a])}</li>'
        for a in sorted(Attention, reverse=True)
    )
    flags = "".join(f"<li>{esc(flag)}</li>" for flag in RED_FLAGS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>calfguard team: {esc(run.team.name)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{esc(run.team.name)}</h1><p class="lead">{esc(_summary(run))}</p>'
        f"<table><thead><tr>{headers}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<footer><ul>{legend}</ul><p>Spike: the longest run of the last 7 days against the "
        "longest of the 30 days before it. Last 7 days: running distance up to each athlete's "
        "report date, against the mean week of the 4 weeks before.</p>"
        f"<p><strong>Red flags. {esc(RED_FLAGS_INTRO)}</strong></p><ul>{flags}</ul>"
        f"<p><strong>{esc(DISCLAIMER)}</strong></p>"
        f"<p>Made by calfguard {esc(__version__)}.</p></footer></body></html>\n"
    )
