"""The JSON report: a versioned document scripts can rely on (docs/report.md, schema in docs/)."""

from __future__ import annotations

import json

from analyzer import __version__
from analyzer.pipeline import Analysis
from analyzer.report.records import document

SCHEMA_VERSION = "1.0"


def render_json(analysis: Analysis) -> str:
    body = {"schema_version": SCHEMA_VERSION, "generator": f"calfguard {__version__}"}
    body.update(document(analysis))
    return json.dumps(body, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
