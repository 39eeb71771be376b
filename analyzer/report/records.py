"""Plain, JSON-ready rows for each thing a report shows: one definition for every format."""

from __future__ import annotations

import math
from datetime import tzinfo
from typing import Any

from analyzer.calendar import local_start
from analyzer.metrics.summary import ActivitySummary
from analyzer.readers import ReadFailure


def activity_row(summary: ActivitySummary, fallback_tz: tzinfo | None) -> dict[str, Any]:
    """The contract's activity fields (docs/report.md); NaN becomes null."""
    local = local_start(summary.start_time, summary.utc_offset_s, fallback_tz)
    row: dict[str, Any] = {
        "id": summary.id,
        "path": summary.path,
        "format": summary.format.value,
        "sport": summary.sport.value,
        "sub_sport": summary.sub_sport,
        "name": summary.name,
        "device": summary.device,
        "gear": summary.gear,
        "start_time": summary.start_time.isoformat().replace("+00:00", "Z"),
        "local_start_time": local.isoformat(),
        "local_date": local.date().isoformat(),
        "utc_offset_from_file": summary.utc_offset_s is not None,
        "distance_m": summary.distance_m,
        "distance_source": summary.distance_source,
        "moving_time_s": summary.moving_time_s,
        "elapsed_time_s": summary.elapsed_time_s,
        "ascent_m": None,
        "descent_m": None,
        "avg_cadence_spm": summary.avg_cadence_spm,
        "avg_step_length_m": summary.avg_step_length_m,
        "cadence_doubled_from_per_foot": summary.cadence_doubled,
        "device_distance_m": summary.device_distance_m,
        "device_timer_time_s": summary.device_timer_time_s,
        "device_avg_cadence_spm": summary.device_avg_cadence_spm,
        "channels": list(summary.channels),
        "rejected_gps_jumps": summary.rejected_gps_jumps,
        "notes": list(summary.notes),
        "duplicate_of": None,
    }
    return {key: _plain(value) for key, value in row.items()}


def error_row(failure: ReadFailure) -> dict[str, str]:
    return {"path": failure.path, "reason": failure.reason}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
