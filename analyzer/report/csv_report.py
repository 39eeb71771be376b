"""The CSV report: activities.csv, weeks.csv and findings.csv, for spreadsheets.

Columns are the JSON report's names (records.py), so each header carries its unit (``_m``,
``_s``, ``_spm``...); values are SI whatever ``--units`` says. Nested activity fields are
flattened with their part as a prefix (``cadence.median_spm`` -> ``cadence_median_spm``).
Missing values are empty cells.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analyzer.metrics.summary import ActivitySummary
from analyzer.pipeline import Analysis
from analyzer.report.records import activity_rows, finding_row, week_row
from analyzer.training_load import Week

# raised_from last: it came after the others, and scripts may read columns by position
FINDING_COLUMNS = ("rule", "cause", "severity", "date", "message", "advice", "evidence",
                   "activity_id", "week_start", "values_json", "raised_from")  # fmt: skip


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parts become prefixed columns; lists become one cell (zones get a column each)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}_"))
        elif key == "zone_time_s" and isinstance(value, list):
            for i, zone in enumerate(value, 1):
                out[f"{prefix}zone{i}_time_s"] = zone
        elif isinstance(value, list):
            out[name] = "; ".join(str(v) for v in value)
        else:
            out[name] = value
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _write(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return buffer.getvalue()


def _columns(rows: Iterable[Mapping[str, Any]], fallback: Sequence[str]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    return columns or list(fallback)


def activities_csv(summaries: Sequence[ActivitySummary], analysis: Analysis) -> str:
    rows = [flatten(row) for row in activity_rows(summaries, analysis)]
    return _write(rows, _columns(rows, ACTIVITY_FALLBACK))


def weeks_csv(analysis: Analysis) -> str:
    weeks = analysis.history.weeks if analysis.history else []
    rows = [week_row(w) for w in weeks]
    return _write(rows, _columns(rows, WEEK_FALLBACK))


def findings_csv(analysis: Analysis) -> str:
    findings = analysis.assessment.findings if analysis.assessment else []
    rows = []
    for f in findings:
        row = finding_row(f)
        row["values_json"] = json.dumps(row.pop("values"), allow_nan=False)
        rows.append(row)
    return _write(rows, FINDING_COLUMNS)


def write_csv(analysis: Analysis, directory: Path) -> list[Path]:
    """Writes the three files into ``directory`` (created if needed); returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    texts = {
        "activities.csv": activities_csv(analysis.summaries, analysis),
        "weeks.csv": weeks_csv(analysis),
        "findings.csv": findings_csv(analysis),
    }
    paths = []
    for name, text in texts.items():
        path = directory / name
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    return paths


# Headers for an empty table, so a script always finds the columns it expects.
ACTIVITY_FALLBACK = ("id", "path", "format", "sport", "start_time", "local_date", "distance_m",
                     "moving_time_s", "elapsed_time_s", "ascent_m", "descent_m",
                     "avg_cadence_spm", "avg_step_length_m", "duplicate_of")  # fmt: skip
WEEK_FALLBACK = tuple(f.name for f in dataclasses.fields(Week))
