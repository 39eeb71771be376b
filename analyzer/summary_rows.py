"""Summaries as the store keeps them: one JSON array of ``codec`` rows per file, without the
file's path, so that the same bytes found under another name reuse them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from analyzer import codec
from analyzer.metrics.summary import ActivitySummary

#: The summary's shape; a stored row written for another shape is stale.
SUMMARY_LAYOUT = codec.layout(ActivitySummary)
_FIELDS = [f.name for f in dataclasses.fields(ActivitySummary)]
_ID = _FIELDS.index("id")
_PATH = _FIELDS.index("path")


def encode_summaries(summaries: Sequence[ActivitySummary], path: str) -> str | None:
    """The summaries as JSON without their path (the id keeps only its suffix); None if an id
    does not start with the path (then they are not stored)."""
    encode = codec.encoder(ActivitySummary)
    rows = []
    for summary in summaries:
        if not summary.id.startswith(path) or summary.path != path:
            return None
        row = encode(summary)
        row[_ID] = summary.id[len(path) :]
        row[_PATH] = ""
        rows.append(row)
    return json.dumps(rows, separators=(",", ":"), allow_nan=False)


def decode_summaries(text: str, path: str) -> list[ActivitySummary] | None:
    """Stored summaries under ``path``; None when they cannot be read back (then stale)."""
    decode = codec.decoder(ActivitySummary)
    try:
        rows = json.loads(text)
        out = []
        for row in rows:
            row[_ID] = path + row[_ID]
            row[_PATH] = path
            out.append(decode(row))
        return out
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
