"""The HTML report: one self-contained file that opens offline, reads on a phone and prints.

Everything is embedded: the CSS, and the charts as inline SVG (``charts.py``, matplotlib).
The page has no script, and its Content-Security-Policy forbids every request, so it cannot
reach the network even if a later edit tried to. All text from the user's files and config
(file names, activity names, shoe names, reasons) goes through ``html.escape``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from string import Template

import numpy as np

from analyzer import __version__
from analyzer.guide import CAUSES, DISCLAIMER, RED_FLAGS, RED_FLAGS_INTRO
from analyzer.local_calendar import local_start
from analyzer.pipeline import Analysis
from analyzer.report import units as u
from analyzer.report import wording
from analyzer.report.athlete_line import Attention, by_attention
from analyzer.report.digest import (
    Digest,
    as_of_text,
    by_importance,
    detail_weeks,
    digest,
    grouped,
    is_long,
    period_text,
    year_table,
)
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
from analyzer.rules import CauseStatus, Finding
from analyzer.team import TeamRun
from analyzer.training_load import History

#: A rule card lists this many findings, the most important first; a data-quality kind this
#: many notes. Years of exports would otherwise make a page of megabytes that no one scrolls;
#: the Markdown and JSON reports list every one.
FINDINGS_LISTED = 12
NOTES_LISTED = 20


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _template() -> Template:
    text = resources.files("analyzer.report").joinpath("template.html").read_text("utf-8")
    return Template(text)


def render_html(analysis: Analysis, unit: str = "km") -> str:
    d = digest(analysis)
    parts = [
        _header(d, unit),
        _now(d, unit),
        _charts(analysis, d, unit),
        _causes(d, unit),
        _years(analysis.history, d, unit),
        _weeks(analysis.history, d, unit),
        _shoes(analysis.history, unit),
        _warming_up(d),
        _red_flags(),
        _quality(d),
        _activities(analysis, d, unit),
        _footer(analysis, unit),
    ]
    return _template().substitute(
        title=esc(_title(d)),
        generator=esc(f"calfguard {__version__}"),
        body="\n".join(p for p in parts if p),
    )


def _title(d: Digest) -> str:
    if d.first_day is None or d.last_day is None:
        return "calfguard report"
    return f"calfguard report, {u.period(d.first_day, d.last_day)}"


def _tile(number: str, label: str) -> str:
    return (
        f'<div class="tile"><span class="n">{esc(number)}</span>'
        f'<span class="l">{esc(label)}</span></div>'
    )


def _header(d: Digest, unit: str) -> str:
    out = ["<header>", "<h1>calfguard report</h1>"]
    if d.first_day is not None:
        out.append(f'<p class="period">{esc(period_text(d, unit))}</p>')
        out.append(f'<p class="period"><strong>As of</strong> {esc(as_of_text(d))}</p>')
    out.append(f'<p class="callout">{esc(DISCLAIMER)}</p>')
    out.append("</header>")
    if d.recent_first_day is None or d.as_of is None:
        out.append(f"<p><strong>{esc(d.nothing)}</strong></p>")
        return "\n".join(out)
    high = sum(1 for f in d.current if f.severity.label == "high")
    caution = sum(1 for f in d.current if f.severity.label == "caution")
    out += [
        f'<h2>The last 4 weeks <span class="muted small">'
        f"{esc(u.period(d.recent_first_day, d.as_of))}</span></h2>",
        '<div class="tiles">',
        _tile(str(d.recent_runs), "runs"),
        _tile(u.distance(d.recent_distance_m, unit, 1), "running distance"),
        _tile(u.distance(d.recent_longest_m, unit, 1), "longest run"),
        _tile(u.duration(d.recent_time_s), "moving time"),
        _tile(str(high), "high findings now"),
        _tile(str(caution), "caution findings now"),
        "</div>",
    ]
    return "\n".join(out)


def _badge(f: Finding) -> str:
    return f'<span class="badge {f.severity.label}">{f.severity.label}</span>'


def _now(d: Digest, unit: str) -> str:
    if d.first_day is None:
        return ""
    out = ["<h2>What matters most now</h2>"]
    if not d.current:
        out.append(f"<p>No findings in the last 4 weeks. {esc(wording.NOT_ALL_CLEAR)}</p>")
    else:
        out.append('<ul class="now">')
        for f in d.current:
            out.append(
                f'<li>{_badge(f)} <span class="date">{esc(u.day(f.date, True))}</span> '
                f"<strong>{esc(wording.RULE_TITLES[f.rule])}</strong> "
                f'<span class="muted">({esc(CAUSES[f.cause].title)})</span><br>'
                f"{esc(u.message(f.message, unit))}</li>"
            )
        out.append("</ul>")
        out.append(f'<p class="muted small">Severity: {esc(wording.SEVERITY_MEANING)}.</p>')
    if d.earlier:
        out.append(
            f"<p>{len(d.earlier)} earlier findings are under their causes below (up to "
            f"{FINDINGS_LISTED} for each rule, the most important first).</p>"
        )
    return "\n".join(out)


def _charts(analysis: Analysis, d: Digest, unit: str) -> str:
    from analyzer.report.charts import WIDE_CHARTS, View, charts  # matplotlib: only for HTML

    history = analysis.history
    if history is None or d.detail_first_day is None or d.as_of is None:
        return ""
    assert d.recent_first_day is not None and d.first_day is not None and d.last_day is not None
    weeks = detail_weeks(history.weeks, d)
    view = View(d.detail_first_day, d.as_of, d.recent_first_day, weeks, (d.first_day, d.last_day))
    drawn = charts(history, analysis.settings, unit, view)
    if not drawn:
        return ""
    out = ["<h2>Training load</h2>", '<div class="charts">']
    for chart in drawn:
        wide = ' class="wide"' if chart.id in WIDE_CHARTS else ""
        out.append(
            f'<figure id="fig-{esc(chart.id)}"{wide}><h3>{esc(chart.title)}</h3>{chart.svg}'
            f"<figcaption>{esc(chart.caption)}</figcaption></figure>"
        )
    out.append("</div>")
    if analysis.history is not None and not np.any(analysis.history.daily.trimp > 0):
        out.append(
            '<p class="muted">No heart rate in the files: no training-load (TRIMP) chart.</p>'
        )
    return "\n".join(out)


def _status(c: CauseStatus, have_data: bool) -> str:
    if c.status == "seen":
        worst = c.worst.label if c.worst else ""
        n = f"{c.findings} finding{'s' if c.findings != 1 else ''}"
        return f'<span class="status seen {worst}">{n}, worst {worst}</span>'
    if c.status == "cannot_be_seen":
        return '<span class="status cannot_be_seen">cannot be seen from watch data</span>'
    text = "nothing seen in the data" if have_data else "no data to judge"
    return f'<span class="status nothing_seen">{text}</span>'


def rule_card(findings: Sequence[Finding], unit: str, cause_advice: str) -> str:
    """One rule's findings (most important first) with its advice and evidence, once."""
    first = findings[0]
    worst = max(f.severity for f in findings)
    n = len(findings)
    items = "".join(
        f'<li>{_badge(f)} <span class="date">{esc(u.day(f.date, True))}</span> '
        f"{esc(u.message(f.message, unit))}</li>"
        for f in findings[:FINDINGS_LISTED]
    )
    if n > FINDINGS_LISTED:
        rest = findings[FINDINGS_LISTED:]
        span = u.period(min(f.date for f in rest), max(f.date for f in rest))
        items += (
            f'<li class="muted">and {n - FINDINGS_LISTED} more ({esc(span)}): '
            "<code>--format markdown</code> or <code>json</code> lists every one</li>"
        )
    # a raised finding's evidence names the previous injury too; the first may be high already
    evidence = next((f.evidence for f in findings if f.raised_from is not None), first.evidence)
    advice = (
        "" if first.advice == cause_advice
        else f"<p><strong>Advice:</strong> {esc(first.advice)}</p>"
    )  # fmt: skip
    return (
        f'<div class="card {worst.label}" id="rule-{esc(first.rule)}"><div class="head">'
        f'<span class="title">{esc(wording.RULE_TITLES[first.rule])}</span> '
        f'<span class="muted small">{n} finding{"s" if n != 1 else ""}</span></div>'
        f'<ul class="items">{items}</ul>{advice}'
        f'<p class="evidence">Evidence: {esc(evidence)}</p></div>'
    )


def _causes(d: Digest, unit: str) -> str:
    findings = by_importance([*d.current, *d.earlier])
    out = [
        "<h2>The guide's causes of calf pain, and what the data says</h2>",
        '<p class="muted small">Each finding is a training pattern that research associates '
        "with injury, with its numbers and the evidence behind it; none says what causes "
        "anyone's pain.</p>",
    ]
    have_data = d.first_day is not None
    for c in d.causes:
        text = CAUSES[c.cause]
        out.append(f'<section class="cause" id="cause-{esc(c.cause.value)}">')
        out.append(f"<h3>{esc(c.title)}: {_status(c, have_data)}</h3>")
        out.append(f'<p class="muted small">The guide names {esc(text.guide_says)}.</p>')
        out.append(f"<p><strong>Advice:</strong> {esc(c.advice)}</p>")
        if c.unseen:
            out.append(f'<p class="muted small">Not visible in watch data: {esc(c.unseen)}</p>')
        by_rule: dict[str, list[Finding]] = {}
        for f in findings:
            if f.cause is c.cause:
                by_rule.setdefault(f.rule, []).append(f)
        out.extend(rule_card(mine, unit, c.advice) for mine in by_rule.values())
        out.append("</section>")
    return "\n".join(out)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], text_cols: int = 1,
           row_class: Sequence[str] | None = None, left: Sequence[int] = ()) -> str:  # fmt: skip
    """Cells are already escaped HTML; the first ``text_cols`` columns, and those in ``left``,
    are left-aligned."""
    head = "".join(
        f'<th class="text">{h}</th>' if i < text_cols or i in left else f"<th>{h}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for n, row in enumerate(rows):
        cls = f' class="{row_class[n]}"' if row_class and row_class[n] else ""
        cells = "".join(
            f'<td class="text">{c}</td>' if i < text_cols or i in left else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _weeks(history: History | None, d: Digest, unit: str) -> str:
    if history is None:
        return ""
    dist, up = u.distance_label(unit), u.height_label(unit)
    weeks = detail_weeks(history.weeks, d)
    most = max((w.running_distance_m for w in weeks), default=0.0)
    rows, classes = [], []
    for w in weeks:
        width = 0 if most <= 0 else round(60 * w.running_distance_m / most)
        rows.append([
            esc(u.day(w.week_start, True)) + ("*" if not w.complete else ""),
            str(w.running_count),
            esc(u.distance_number(w.running_distance_m, unit)),
            f'<span class="bar" style="width:{width}px"></span>',
            esc(u.percent(w.change_vs_last_week_pct)),
            esc(u.distance_number(w.longest_run_m if w.running_count else float("nan"), unit)),
            esc(u.height_number(w.ascent_m, unit)),
            esc(u.height_number(w.descent_m, unit)),
            esc(u.cadence_number(w.median_cadence_spm)),
            esc(u.ratio(w.acwr_ewma)),
        ])  # fmt: skip
        classes.append("" if w.complete else "partial")
    headers = ["Week", "Runs", esc(dist), "", "Change", f"Longest {esc(dist)}",
               f"Ascent {esc(up)}", f"Descent {esc(up)}", "Cadence spm", "ACWR"]  # fmt: skip
    left_out = len(history.weeks) - len(weeks)
    more = (
        f" {u.count(left_out, 'other week')} of these files: <code>calfguard weeks</code> lists "
        "every week." if left_out else ""
    )  # fmt: skip
    return (
        "<h2>Weekly load</h2>" + _table(headers, rows, row_class=classes, left=(3,))
        + '<p class="caption small">* a week the files start or end inside. Change: on the '
        f"week before. ACWR: acute:chronic distance ratio, context only.{more}</p>"
    )  # fmt: skip


def _years(history: History | None, d: Digest, unit: str) -> str:
    """One row a calendar year, when the history is longer than the weeks shown one by one."""
    if history is None or not is_long(d):
        return ""
    headers, rows = year_table(history, d, unit)
    return "<h2>Year by year</h2>" + _table(
        [esc(h) for h in headers], ([esc(c) for c in row] for row in rows)
    )


def _shoes(history: History | None, unit: str) -> str:
    if history is None or not history.shoes:
        return ""
    rows = [
        [
            esc(s.name),
            esc(u.distance(s.distance_m, unit, 0)),
            str(s.runs),
            esc(u.distance(s.start_distance_m, unit, 0)),
            esc(s.last_run.isoformat() if s.last_run else "-"),
            esc(s.retired.isoformat() if s.retired else "-"),
        ]
        for s in history.shoes
    ]
    headers = ["Pair", "Distance", "Runs in these files", "Before these files", "Last run",
               "Retired"]  # fmt: skip
    return "<h2>Shoes</h2>" + _table(headers, rows)


def _warming_up(d: Digest) -> str:
    if d.first_day is None:
        return ""
    if not d.warming_up:
        return "<h2>Rules still warming up</h2><p>None: every rule had enough history.</p>"
    items = "".join(
        f"<li><strong>{esc(wording.RULE_TITLES[rule])}</strong>: {esc(why)}</li>"
        for rule, why in d.warming_up
    )
    return (
        "<h2>Rules still warming up</h2><p>Not enough history yet; their silence is not an "
        f"all-clear:</p><ul>{items}</ul>"
    )


def _red_flags() -> str:
    items = "".join(f"<li>{esc(flag)}</li>" for flag in RED_FLAGS)
    return (
        f'<section class="redflags" id="red-flags"><h2>Red flags</h2><p><strong>'
        f"{esc(RED_FLAGS_INTRO)}</strong></p><ul>{items}</ul><p>{esc(DISCLAIMER)}</p></section>"
    )


def _quality(d: Digest) -> str:
    out = ["<h2>Data quality</h2>"]
    for kind, heading, notes in grouped(d.quality):
        files = len({n.path for n in notes})
        if kind in wording.ROUTINE_KINDS:
            out.append(f"<p>{esc(heading)}: {files} file{'s' if files != 1 else ''}.</p>")
            continue
        items = "".join(
            f"<li><code>{esc(n.path)}</code>: {esc(n.message)}</li>" for n in notes[:NOTES_LISTED]
        )
        if len(notes) > NOTES_LISTED:
            items += (
                f'<li class="muted">and {len(notes) - NOTES_LISTED} more: '
                "<code>--format markdown</code> or <code>json</code> lists every one</li>"
            )
        out.append(f"<h3>{esc(heading)} ({len(notes)})</h3><ul>{items}</ul>")
    out.append(f'<p class="muted small">{esc(wording.SKIPPED_SILENTLY)}</p>')
    return "\n".join(out)


def _activities(analysis: Analysis, d: Digest, unit: str) -> str:
    if not analysis.summaries:
        return ""
    dist, up = u.distance_label(unit), u.height_label(unit)
    duplicates = analysis.duplicate_of
    first = d.detail_first_day or date.min
    rows = []
    for s in analysis.summaries:
        local = local_start(s.start_time, s.utc_offset_s, analysis.settings.timezone)
        if local.date() < first:
            continue
        file_name = s.path.replace("\\", "/").rsplit("/", 1)[-1]
        note = " (duplicate, not counted)" if s.id in duplicates else ""
        rows.append([
            esc(local.strftime("%Y-%m-%d %H:%M")),
            esc(wording.sport_label(s.sport)),
            esc(s.name or ""),
            esc(u.distance_number(s.distance_m, unit, 2)),
            esc(u.duration(s.moving_time_s)),
            esc(u.pace(s.moving_speed_m_s, unit) if s.sport.is_on_foot else "-"),
            esc(u.cadence_number(s.cadence.mean_spm)),
            esc(u.height_number(s.elevation.ascent_m, unit)),
            f"<code>{esc(file_name)}</code>{esc(note)}",
        ])  # fmt: skip
    headers = ["Local start", "Sport", "Name", esc(dist), "Moving", "Pace", "Cadence spm",
               f"Ascent {esc(up)}", "File"]  # fmt: skip
    table = _table(headers, rows, text_cols=3)
    earlier = len(analysis.summaries) - len(rows)
    if not earlier:
        return (
            f'<details class="screen-only"><summary>All activities ({len(rows)})</summary>'
            f"{table}</details>"
        )
    return (
        f'<details class="screen-only"><summary>Activities since {esc(u.day(first, True))} '
        f'({len(rows)})</summary>{table}<p class="muted small">'
        f"{u.count(earlier, 'earlier activity', 'earlier activities')}: "
        "<code>calfguard activities</code> lists every one.</p></details>"
    )


def _footer(analysis: Analysis, unit: str) -> str:
    tz = analysis.settings.timezone
    zone = f"time zone {tz}" if tz is not None else "this computer's time zone"
    return (
        f"<footer><p>Made by calfguard {esc(__version__)} from your own files, with {esc(zone)} "
        f"for files without a UTC offset, in {esc(u.distance_label(unit))}. This page loads "
        "nothing from the network. The rules, thresholds and research behind each finding "
        "are described in calfguard's docs/findings.md.</p></footer>"
    )


# --- the team overview --------------------------------------------------------------------------

_TEAM_CSS = """
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
        why = "".join(f"<li>{esc(u.message(r, unit))}</li>" for r in reasons(line))
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
        f"<title>calfguard team: {esc(run.team.name)}</title><style>{_TEAM_CSS}</style>"
        "</head><body>"
        f'<h1>{esc(run.team.name)}</h1><p class="lead">{esc(summary_text(run))}</p>'
        f"<table><thead><tr>{headers}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<footer><ul>{legend}</ul><p>{esc(LEGEND)}</p>"
        f"<p><strong>Red flags. {esc(RED_FLAGS_INTRO)}</strong></p><ul>{flags}</ul>"
        f"<p><strong>{esc(DISCLAIMER)}</strong></p>"
        f"<p>Made by calfguard {esc(__version__)}.</p></footer></body></html>\n"
    )
