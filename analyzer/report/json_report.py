"""The JSON report: a versioned document scripts can rely on (schema in docs/)."""

from __future__ import annotations

import json
from datetime import tzinfo

from analyzer import __version__
from analyzer.pipeline import Analysis
from analyzer.report.records import activity_row, error_row

SCHEMA_VERSION = "1.0"


def render_json(analysis: Analysis, fallback_tz: tzinfo | None) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "generator": f"calfguard {__version__}",
        "activities": [activity_row(s, fallback_tz) for s in analysis.summaries],
        "errors": [error_row(e) for e in analysis.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
