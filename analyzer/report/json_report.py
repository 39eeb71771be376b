"""The JSON report: a versioned document scripts can rely on (docs/report.md; JSON Schema in
docs/report.schema.json). The table commands print parts of the same document: the same row
definitions (records.py) under the same names."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from analyzer import __version__
from analyzer.metrics.summary import ActivitySummary
from analyzer.pipeline import Analysis
from analyzer.report.digest import quality_notes
from analyzer.report.records import (
    activity_rows,
    document,
    files_not_read,
    finding_row,
    period_row,
    quality_row,
    week_row,
)
from analyzer.report.team_digest import team_document
from analyzer.team import TeamRun

SCHEMA_VERSION = "1.0"


_ENCODER = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)


def _pieces(body: dict[str, Any]) -> Iterator[str]:
    head = {"schema_version": SCHEMA_VERSION, "generator": f"calfguard {__version__}"}
    yield from _ENCODER.iterencode(head | body)
    yield "\n"


def _dump(body: dict[str, Any]) -> str:
    return "".join(_pieces(body))


def json_pieces(analysis: Analysis) -> Iterator[str]:
    """The report's JSON text, piece by piece, for writing as it is made: json.dumps with an
    indent joins a list of every piece, millions of short strings for 10,000 activities
    (about 200 MB on top of a 40 MB text)."""
    return _pieces(document(analysis))


def render_json(analysis: Analysis) -> str:
    return "".join(json_pieces(analysis))


def render_activities_json(summaries: Sequence[ActivitySummary], analysis: Analysis) -> str:
    """``calfguard activities --format json``: the chosen activities and the files that gave
    none."""
    return _dump({"activities": activity_rows(summaries, analysis), **files_not_read(analysis)})


def render_weeks_json(analysis: Analysis) -> str:
    """``calfguard weeks --format json``."""
    history = analysis.history
    return _dump(
        {
            "period": period_row(analysis),
            "weeks": [week_row(w) for w in history.weeks] if history else [],
            **files_not_read(analysis),
        }
    )


def render_show_json(analysis: Analysis) -> str:
    """``calfguard show --format json``: the file's activities, the findings about them, and
    their data-quality notes."""
    findings = analysis.assessment.findings if analysis.assessment else []
    ids = {s.id for s in analysis.summaries}
    return _dump(
        {
            "activities": activity_rows(analysis.summaries, analysis),
            "findings": [finding_row(f) for f in findings if f.activity_id in ids],
            "data_quality": [quality_row(n) for n in quality_notes(analysis)],
            **files_not_read(analysis),
        }
    )


def render_team_json(run: TeamRun) -> str:
    return json.dumps(team_document(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
