"""Plain, JSON-ready rows for each thing a report shows: one definition for every format.

Names carry their units. NaN becomes null. The JSON report, CSV and HTML all use these rows.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from analyzer.guide import DISCLAIMER, RED_FLAGS
from analyzer.identity import fallback_source
from analyzer.local_calendar import WEEKDAYS, local_start
from analyzer.metrics.summary import ActivitySummary
from analyzer.model import OffsetSource
from analyzer.pipeline import Analysis
from analyzer.readers import ReadFailure
from analyzer.report.digest import Digest, QualityNote, digest
from analyzer.rules import CauseStatus, Finding, cause_overview
from analyzer.training_load import History, ShoeUse, Week


def plain(value: Any) -> Any:
    """Any value of ours as JSON-ready data (NaN -> None, dates -> ISO text)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return value.name.lower() if isinstance(value, int) else value.value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def activity_rows(summaries: Sequence[ActivitySummary], analysis: Analysis) -> list[dict[str, Any]]:
    """The rows of ``summaries``, with what is not counted and why worked out once (for each
    row it made a JSON report quadratic: 9 s for 10,000 activities)."""
    why_not = (analysis.duplicate_of, analysis.not_counted)
    return [activity_row(s, analysis, why_not) for s in summaries]


def activity_row(
    summary: ActivitySummary,
    analysis: Analysis,
    why_not: tuple[Mapping[str, str], Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """The contract's activity fields first (docs/report.md), then every metric by part.
    ``why_not``: the analysis's ``duplicate_of`` and ``not_counted``, when already at hand."""
    duplicate_of, not_counted = why_not or (analysis.duplicate_of, analysis.not_counted)
    s = summary
    local = local_start(s.start_time, s.utc_offset_s, analysis.settings.timezone)
    offset = local.utcoffset()
    row = {
        "id": s.id,
        "path": s.path,
        "format": s.format,
        "sport": s.sport,
        "sport_source": s.sport_source,
        "sport_reason": s.sport_reason,
        "sub_sport": s.sub_sport,
        "name": s.name,
        "device": s.device,
        "gear": s.gear,
        "start_time": s.start_time,
        "local_start_time": local.isoformat(),
        "local_date": local.date(),
        "utc_offset_from_file": s.utc_offset_source is OffsetSource.FILE,
        "utc_offset_s": int(offset.total_seconds()) if offset is not None else 0,
        "utc_offset_source": s.utc_offset_source or fallback_source(analysis.settings.timezone),
        "timezone_name": s.timezone_name,
        "distance_m": s.distance_m,
        "moving_time_s": s.moving_time_s,
        "elapsed_time_s": s.elapsed_time_s,
        "timer_time_s": s.timer_time_s,
        "moving_speed_m_s": s.moving_speed_m_s,
        "grade_adjusted_speed_m_s": s.grade_adjusted_speed_m_s,
        "fastest_km_s": s.fastest_km_s,
        "ascent_m": s.elevation.ascent_m,
        "descent_m": s.elevation.descent_m,
        "avg_cadence_spm": s.cadence.mean_spm,
        "avg_step_length_m": s.cadence.step_length_m,
        "avg_heart_rate_bpm": s.heart.mean_bpm,
        "duplicate_of": duplicate_of.get(s.id),
        "not_counted": not_counted.get(s.id),
        "cadence": s.cadence,
        "dynamics": s.dynamics,
        "elevation": s.elevation,
        "heart": s.heart,
        "intensity": s.intensity,
        "heat": s.heat,
        "warm_up": s.warm_up,
        "device_totals": s.device_totals,
        "quality": s.quality,
    }
    return {key: plain(value) for key, value in row.items()}


def week_row(week: Week) -> dict[str, Any]:
    return plain(week)  # type: ignore[no-any-return]


def finding_row(finding: Finding) -> dict[str, Any]:
    return plain(finding)  # type: ignore[no-any-return]


def cause_row(status: CauseStatus) -> dict[str, Any]:
    return plain(status)  # type: ignore[no-any-return]


def shoe_row(shoe: ShoeUse) -> dict[str, Any]:
    return plain(shoe)  # type: ignore[no-any-return]


def error_row(failure: ReadFailure) -> dict[str, str]:
    return {"path": failure.path, "reason": failure.reason}


def files_not_read(analysis: Analysis) -> dict[str, list[dict[str, str]]]:
    """The files that gave no activity, under the names every JSON document uses: ``errors``
    (could not be read) and ``not_activities`` (planned routes and courses, skipped)."""
    return {
        "errors": [error_row(e) for e in analysis.errors],
        "not_activities": [error_row(f) for f in analysis.not_activities],
    }


def recent_row(d: Digest) -> dict[str, Any]:
    """The headline: the report's "now" and the 28 days up to it."""
    return {
        "first_day": plain(d.recent_first_day),
        "last_day": plain(d.as_of),
        "as_of_basis": plain(d.as_of_basis),
        "today": plain(d.today),
        "last_run_day": plain(d.last_run_day),
        "runs": d.recent_runs,
        "running_distance_m": plain(d.recent_distance_m),
        "running_time_s": plain(d.recent_time_s),
        "longest_run_m": plain(d.recent_longest_m),
        "findings": len(d.current),
        "earlier_findings": len(d.earlier),
    }


def quality_row(note: QualityNote) -> dict[str, str]:
    return {"kind": note.kind, "path": note.path, "message": note.message}


def period_row(analysis: Analysis) -> dict[str, Any]:
    """The days the report covers: the files' first to last day, within --since/--until."""
    first, last = analysis.period or (None, None)
    return {"first_day": plain(first), "last_day": plain(last)}


def document(analysis: Analysis) -> dict[str, Any]:
    """The whole report as data: what the JSON report prints and the other formats read."""
    history: History | None = analysis.history
    summary = digest(analysis)
    findings = analysis.assessment.findings if analysis.assessment else []
    settings = analysis.settings
    return {
        "period": period_row(analysis),
        "settings": {
            "timezone": str(settings.timezone) if settings.timezone else None,
            "week_start": WEEKDAYS[settings.week_start],
            "profile": plain(settings.profile),
            "threshold_overrides": plain(dict(settings.thresholds)),
        },
        "disclaimer": DISCLAIMER,
        "red_flags": list(RED_FLAGS),
        "activities": activity_rows(analysis.summaries, analysis),
        "weeks": [week_row(w) for w in history.weeks] if history else [],
        "findings": [finding_row(f) for f in findings],
        "causes": [cause_row(c) for c in cause_overview(findings)],
        "warming_up": [
            {"rule": rule, "reason": reason}
            for rule, reason in (analysis.assessment.warming_up if analysis.assessment else [])
        ],
        "shoes": [shoe_row(s) for s in history.shoes] if history else [],
        "duplicates": [plain(d) for d in history.duplicates] if history else [],
        "implausible": [plain(i) for i in history.implausible] if history else [],
        **files_not_read(analysis),
        "recent": recent_row(summary),
        "data_quality": [quality_row(n) for n in summary.quality],
    }
