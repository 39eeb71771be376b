"""What every report format leads with, computed once: the period, the last four weeks, the
findings that matter now, the guide's causes, and the data-quality notes.

"Now" is the last 28 days of the history (``RECENT_DAYS``), ending on its last day; a weekly
finding is current when its week ends inside that window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from analyzer.identity import fallback_source
from analyzer.local_calendar import local_start
from analyzer.metrics.summary import ActivitySummary
from analyzer.model import OffsetSource, SportSource
from analyzer.pipeline import Analysis
from analyzer.report import units
from analyzer.report.wording import QUALITY_KINDS
from analyzer.rules import CauseStatus, Finding, cause_overview

RECENT_DAYS = 28


@dataclass(frozen=True, slots=True)
class QualityNote:
    kind: str  # a key of QUALITY_KINDS
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Digest:
    first_day: date | None  # None when no activity could be read
    last_day: date | None
    days: int
    activities: int  # every activity read, duplicates and cross-training included
    runs: int  # running activities, duplicates set aside
    running_distance_m: float
    recent_first_day: date | None  # the first day of the last 28 days
    recent_runs: int
    recent_distance_m: float
    recent_time_s: float
    recent_longest_m: float  # NaN without runs
    current: list[Finding]  # findings of the last 28 days, most important first
    earlier: list[Finding]  # the rest, most important first
    causes: list[CauseStatus]
    warming_up: list[tuple[str, str]]
    quality: list[QualityNote]

    @property
    def weeks(self) -> int:
        return -(-self.days // 7)


def period_text(d: Digest, unit: str) -> str:
    """``4 Aug - 22 Nov 2026 (111 days): 53 runs, 530.5 km; 63 activities read.``"""
    if d.first_day is None or d.last_day is None:
        return "No activities could be read from the given paths."
    runs = units.count(d.runs, "run")
    activities = units.count(d.activities, "activity", "activities")
    return (
        f"{units.period(d.first_day, d.last_day)} ({units.count(d.days, 'day')}): {runs}, "
        f"{units.distance(d.running_distance_m, unit, 1)}; {activities} read."
    )


def recent_text(d: Digest, unit: str) -> str:
    """``26 Oct - 22 Nov 2026: 13 runs, 133.8 km, longest 32.1 km, 13:06:31 moving.``"""
    if d.recent_first_day is None or d.last_day is None:
        return "no activities."
    longest = f", longest {units.distance(d.recent_longest_m, unit, 1)}" if d.recent_runs else ""
    return (
        f"{units.period(d.recent_first_day, d.last_day)}: {units.count(d.recent_runs, 'run')}, "
        f"{units.distance(d.recent_distance_m, unit, 1)}{longest}, "
        f"{units.duration(d.recent_time_s)} moving."
    )


def by_importance(findings: Iterable[Finding]) -> list[Finding]:
    """Highest severity first, then the most recent, then by rule."""
    return sorted(findings, key=lambda f: (-f.severity, -f.date.toordinal(), f.rule))


def finding_end(finding: Finding) -> date:
    """The last day a finding is about: its week's last day, or its own date."""
    return finding.week_start + timedelta(days=6) if finding.week_start else finding.date


_SENTENCE_END = re.compile(r"(?<=[.)])\s+(?=[A-Z])")


def first_sentence(message: str) -> str:
    """A finding's first sentence, which carries its numbers."""
    return _SENTENCE_END.split(message, maxsplit=1)[0]


def digest(analysis: Analysis) -> Digest:
    history = analysis.history
    findings = analysis.assessment.findings if analysis.assessment else []
    warming = analysis.assessment.warming_up if analysis.assessment else []
    quality = quality_notes(analysis)
    if history is None:
        return Digest(
            None, None, 0, len(analysis.summaries), 0, 0.0, None, 0, 0.0, 0.0, float("nan"),
            [], by_importance(findings), cause_overview(findings), list(warming), quality,
        )  # fmt: skip
    # --since/--until narrow what is reported; the history before it still served the rules.
    first, last = analysis.period or (history.first_day, history.last_day)
    runs = [p for p in history.runs if first <= p.local_date <= last]
    recent_first = max(last - timedelta(days=RECENT_DAYS - 1), first)
    recent = [p for p in runs if p.local_date >= recent_first]
    current = [f for f in findings if finding_end(f) >= recent_first]
    earlier = [f for f in findings if finding_end(f) < recent_first]
    return Digest(
        first_day=first,
        last_day=last,
        days=(last - first).days + 1,
        activities=len(analysis.summaries),
        runs=len(runs),
        running_distance_m=float(sum(p.summary.distance_m for p in runs)),
        recent_first_day=recent_first,
        recent_runs=len(recent),
        recent_distance_m=float(sum(p.summary.distance_m for p in recent)),
        recent_time_s=float(sum(p.summary.moving_time_s for p in recent)),
        recent_longest_m=max((p.summary.distance_m for p in recent), default=float("nan")),
        current=by_importance(current),
        earlier=by_importance(earlier),
        causes=cause_overview(findings),
        warming_up=list(warming),
        quality=quality,
    )


def quality_notes(analysis: Analysis) -> list[QualityNote]:
    """Everything a reader should know about what the numbers rest on, kind by kind."""
    notes = [QualityNote("unreadable", e.path, e.reason) for e in analysis.errors]
    notes.extend(QualityNote("not_activity", f.path, f.reason) for f in analysis.not_activities)
    if analysis.history is not None:
        for d in analysis.history.duplicates:
            notes.append(
                QualityNote(
                    "duplicate",
                    d.set_aside_id,
                    f"the same activity as {d.kept_id} (starts {d.start_difference_s:.0f} s"
                    f" apart): {d.reason}; counted once",
                )
            )
        notes.extend(
            QualityNote("implausible", i.id, "; ".join(i.reasons))
            for i in analysis.history.implausible
        )
    for s in analysis.summaries:
        q = s.quality
        if s.sport_source in (SportSource.INFERRED, SportSource.ASSUMED):
            notes.append(
                QualityNote(f"sport_{s.sport_source.value}", s.id, f"{s.sport}: {s.sport_reason}")
            )
        notes.extend(QualityNote("file_note", s.path, note) for note in q.notes)
        on_foot = s.sport.is_on_foot
        source = s.elevation.altitude_source
        if source == "gps":
            device = s.device_totals.ascent_m
            beside = f"; the device's own total {device:.0f} m" if np.isfinite(device) else ""
            notes.append(
                QualityNote(
                    "elevation_gps",
                    s.path,
                    f"ascent {s.elevation.ascent_m:.0f} m ({s.elevation.method}){beside}",
                )
            )
        elif source == "none" and on_foot and s.distance_m > 0:
            notes.append(QualityNote("no_elevation", s.path, "no altitude channel"))
        if q.distance_source == "gps":
            notes.append(QualityNote("distance_gps", s.path, "distance summed from positions"))
        elif q.distance_source == "none":
            notes.append(QualityNote("no_distance", s.path, "moving time only"))
        if q.rejected_gps_jumps:
            notes.append(
                QualityNote("gps_jumps", s.path, f"{q.rejected_gps_jumps} jump(s) dropped")
            )
        if q.cadence_doubled and on_foot:
            notes.append(QualityNote("cadence_doubled", s.path, "per-foot cadence doubled"))
        if s.utc_offset_source is not OffsetSource.FILE:
            notes.append(QualityNote("no_offset", s.path, _placed_by(s, analysis)))
    order = list(QUALITY_KINDS)
    return sorted(notes, key=lambda n: (order.index(n.kind), n.path))


_PLACED_BY = {
    OffsetSource.POSITION: "the time zone at its start",
    OffsetSource.NEAREST_FILE: "the zone of the nearest file in time that states one",
    OffsetSource.CONFIG: "the configured time zone",
    OffsetSource.SYSTEM: "this computer's time zone (nothing better was known)",
}


def _placed_by(s: ActivitySummary, analysis: Analysis) -> str:
    """``placed at UTC+02:00 by the time zone at its start (Europe/Zurich)``"""
    source = s.utc_offset_source or fallback_source(analysis.settings.timezone)
    offset = local_start(s.start_time, s.utc_offset_s, analysis.settings.timezone).utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    zone = f" ({s.timezone_name})" if source is OffsetSource.POSITION else ""
    return (
        f"no UTC offset in the file; placed at UTC{sign}{abs(minutes) // 60:02d}:"
        f"{abs(minutes) % 60:02d} by {_PLACED_BY[source]}{zone}"
    )


def grouped(notes: Sequence[QualityNote]) -> list[tuple[str, str, list[QualityNote]]]:
    """(kind, heading, notes) for each kind present, in report order."""
    out = []
    for kind, heading in QUALITY_KINDS.items():
        mine = [n for n in notes if n.kind == kind]
        if mine:
            out.append((kind, heading, mine))
    return out
