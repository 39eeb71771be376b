"""Strava bulk export: ``activities.csv`` names each file's activity, type and gear (shoes)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

#: A Strava export has this file at its top, beside activities/ (and routes/, which we skip).
STRAVA_CSV = "activities.csv"


@dataclass(frozen=True, slots=True)
class StravaMeta:
    name: str | None
    activity_type: str | None  # Strava's words: "Run", "Trail Run", "Ride", ...
    gear: str | None


def strava_metadata(csv_bytes: bytes, base: Path | None) -> dict[str, StravaMeta]:
    """Maps each file named in activities.csv (joined to ``base`` for folders) to its metadata.

    Column names differ between export versions and languages of the header; the ones used
    here are matched case-insensitively and the first of repeated columns wins.
    """
    text = csv_bytes.decode("utf-8-sig", errors="replace")
    rows = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(rows, [])]

    def column(*names: str) -> int | None:
        for name in names:
            if name in header:
                return header.index(name)
        return None

    file_col = column("filename")
    if file_col is None:
        return {}
    cols = (column("activity name"), column("activity type"), column("activity gear", "gear"))
    meta: dict[str, StravaMeta] = {}
    for row in rows:
        if file_col >= len(row) or not row[file_col].strip():
            continue
        name, kind, gear = (
            (row[c].strip() or None) if c is not None and c < len(row) else None for c in cols
        )
        key = row[file_col].strip()
        meta[str(base / key) if base is not None else key] = StravaMeta(name, kind, gear)
    return meta
