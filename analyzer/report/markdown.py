"""The Markdown report: the same content as the terminal report, every finding in full with its
advice and evidence, to paste into a message to a coach or physiotherapist."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from analyzer import __version__
from analyzer.guide import CAUSES, DISCLAIMER, RED_FLAGS, RED_FLAGS_INTRO
from analyzer.pipeline import Analysis
from analyzer.report import units as u
from analyzer.report import wording
from analyzer.report.digest import (
    Digest,
    as_of_text,
    by_importance,
    detail_weeks,
    digest,
    grouped,
    is_long,
    period_text,
    recent_text,
    year_table,
)
from analyzer.rules import PRIOR_INJURY_EVIDENCE, PRIOR_INJURY_STRENGTH, RULES, CauseStatus, Finding
from analyzer.training_load import History

_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]#|~"} | {"<": "&lt;", ">": "&gt;"})


def md(text: object) -> str:
    """Text as literal Markdown: no emphasis, link, table or HTML can come out of user data."""
    return str(text).translate(_SPECIAL).replace("\n", " ")


def _code(text: str) -> str:
    """Text for inside a code span (which cannot hold a backtick)."""
    return text.replace("`", "'").replace("\n", " ")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], right_from: int = 1) -> str:
    align = ["---" if i < right_from else "---:" for i in range(len(headers))]
    lines = [f"| {' | '.join(headers)} |", f"| {' | '.join(align)} |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


def render_markdown(analysis: Analysis, unit: str = "km") -> str:
    d = digest(analysis)
    parts = [
        _headline(d, unit),
        _now(d, unit),
        _years(analysis.history, d, unit),
        _weeks(analysis.history, d, unit),
        _causes(d, unit),
        _evidence(d),
        _warming_up(d),
        _red_flags(),
        _quality(d),
        f"---\n\n*Made by calfguard {__version__}. {DISCLAIMER}*",
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _headline(d: Digest, unit: str) -> str:
    lines = ["# calfguard report", "", f"> {md(DISCLAIMER)}", ""]
    if d.first_day is None or d.last_day is None or d.recent_first_day is None:
        lines.append(f"**{md(d.nothing)}**")
        return "\n".join(lines)
    lines += [
        f"- **Period:** {md(period_text(d, unit))}",
        f"- **As of** {md(as_of_text(d))}",
        f"- **Last 4 weeks** {md(recent_text(d, unit))}",
    ]
    return "\n".join(lines)


def _finding_row(f: Finding, unit: str) -> list[str]:
    return [
        f.severity.label,
        u.day(f.date, with_year=True),
        f"**{md(wording.RULE_TITLES[f.rule])}**: {md(u.message(f.message, unit))}",
        md(CAUSES[f.cause].title),
    ]


def _now(d: Digest, unit: str) -> str:
    if d.first_day is None:
        return ""
    lines = ["## What matters most now (the last 4 weeks)", ""]
    if not d.current:
        lines.append(f"No findings in the last 4 weeks. {md(wording.NOT_ALL_CLEAR)}")
    else:
        rows = [_finding_row(f, unit) for f in d.current]
        lines.append(_table(["Severity", "Date", "Finding", "Cause"], rows, right_from=4))
        lines += ["", f"Severity: {md(wording.SEVERITY_MEANING)}."]
    if d.earlier:
        lines += ["", f"{len(d.earlier)} earlier findings are listed under their causes below."]
    return "\n".join(lines)


def _years(history: History | None, d: Digest, unit: str) -> str:
    if history is None or not is_long(d):
        return ""
    headers, rows = year_table(history, d, unit)
    return "## Year by year\n\n" + _table(headers, rows)


def _weeks(history: History | None, d: Digest, unit: str) -> str:
    if history is None:
        return ""
    dist, up = u.distance_label(unit), u.height_label(unit)
    weeks = detail_weeks(history.weeks, d)
    rows = [
        [
            u.day(w.week_start, with_year=True) + ("" if w.complete else "\\*"),
            str(w.running_count),
            u.distance_number(w.running_distance_m, unit),
            u.percent(w.change_vs_last_week_pct),
            u.distance_number(w.longest_run_m if w.running_count else math.nan, unit),
            u.height_number(w.ascent_m, unit),
            u.height_number(w.descent_m, unit),
            u.cadence_number(w.median_cadence_spm),
            u.ratio(w.acwr_ewma),
        ]
        for w in weeks
    ]
    headers = ["Week", "Runs", dist, "Change", f"Longest {dist}", f"Ascent {up}",
               f"Descent {up}", "Cadence spm", "ACWR"]  # fmt: skip
    left_out = len(history.weeks) - len(weeks)
    more = (
        f" {u.count(left_out, 'other week')} of these files: `calfguard weeks` lists every week."
        if left_out else ""
    )  # fmt: skip
    return (
        "## Weekly load\n\n" + _table(headers, rows) + "\n\n\\* a week the files start or end "
        "inside. Change: on the week before. ACWR: acute:chronic distance ratio, context "
        f"only.{more}"
    )


def _status(c: CauseStatus, have_data: bool) -> str:
    if c.status == "seen":
        n = f"{c.findings} finding{'s' if c.findings != 1 else ''}"
        return f"{n}, worst {c.worst.label if c.worst else '-'}"
    if c.status == "cannot_be_seen":
        return "cannot be seen from watch data"
    return "nothing seen in the data" if have_data else "no data to judge"


def _causes(d: Digest, unit: str) -> str:
    findings = by_importance([*d.current, *d.earlier])
    lines = ["## The guide's causes of calf pain, and what the data says"]
    have_data = d.first_day is not None
    for c in d.causes:
        lines += ["", f"### {md(c.title)}: {_status(c, have_data)}", ""]
        lines.append(f"The guide names {md(CAUSES[c.cause].guide_says)}.")
        lines += ["", f"**Advice:** {md(c.advice)}"]
        if c.unseen:
            lines += ["", f"*Not visible in watch data:* {md(c.unseen)}"]
        mine = [f for f in findings if f.cause is c.cause]
        if mine:
            lines.append("")
            for f in mine:
                lines.append(
                    f"- **{f.severity.label}**, {u.day(f.date, with_year=True)}, "
                    f"{md(wording.RULE_TITLES[f.rule])}: {md(u.message(f.message, unit))}"
                )
                if f.advice != c.advice:
                    lines.append(f"  Advice: {md(f.advice)}")
    return "\n".join(lines)


def _evidence(d: Digest) -> str:
    fired = sorted({f.rule for f in [*d.current, *d.earlier]}, key=list(RULES).index)
    if not fired:
        return ""
    lines = ["## Evidence behind these findings", ""]
    for rule_id in fired:
        rule = RULES[rule_id]
        lines.append(
            f"- **{md(wording.RULE_TITLES[rule_id])}** ({md(rule.measurement)}): "
            f"{md(rule.evidence)}. Strength: {md(rule.strength)}."
        )
    if any(f.raised_from is not None for f in (*d.current, *d.earlier)):
        lines.append(
            "- **Previous calf injury** (from the profile; overuse findings raised one level): "
            f"{md(PRIOR_INJURY_EVIDENCE)}. Strength: {md(PRIOR_INJURY_STRENGTH)}."
        )
    return "\n".join(lines)


def _warming_up(d: Digest) -> str:
    if d.first_day is None:
        return ""
    if not d.warming_up:
        return "## Rules still warming up\n\nNone: every rule had enough history to be judged."
    items = "\n".join(f"- **{md(wording.RULE_TITLES[r])}**: {md(why)}" for r, why in d.warming_up)
    return (
        "## Rules still warming up\n\nNot enough history yet; their silence is not an "
        f"all-clear:\n\n{items}"
    )


def _red_flags() -> str:
    items = "\n".join(f"- {md(flag)}" for flag in RED_FLAGS)
    return f"## Red flags\n\n**{md(RED_FLAGS_INTRO)}**\n\n{items}\n\n{md(DISCLAIMER)}"


def _quality(d: Digest) -> str:
    lines = ["## Data quality"]
    for kind, heading, notes in grouped(d.quality):
        files = len({n.path for n in notes})
        lines.append("")
        if kind in wording.ROUTINE_KINDS:
            lines.append(f"{md(heading)}: {files} file{'s' if files != 1 else ''}.")
            continue
        lines += [f"{md(heading)} ({len(notes)}):", ""]
        lines += [f"- `{_code(n.path)}`: {md(n.message)}" for n in notes]
    lines += ["", md(wording.SKIPPED_SILENTLY)]
    return "\n".join(lines)
