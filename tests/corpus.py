"""The real device files in ../shared/corpus and the totals their devices wrote (INDEX.tsv).

Tests that use them skip, with the reason, where the corpus is absent (a user's fresh clone).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("CALFGUARD_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_dir() -> Path:
    if not (CORPUS / "INDEX.tsv").is_file():
        pytest.skip(f"conformance corpus not found at {CORPUS}")
    return CORPUS


def corpus_index() -> dict[str, dict[str, str]]:
    """INDEX.tsv rows by relative file name (e.g. ``fit/x.fit``)."""
    if not (CORPUS / "INDEX.tsv").is_file():
        return {}
    with (CORPUS / "INDEX.tsv").open(newline="", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def corpus_files(pattern: str) -> list[str]:
    """Relative names for parametrizing; empty (and the tests skip) without the corpus."""
    return sorted(name for name in corpus_index() if Path(name).match(pattern))
