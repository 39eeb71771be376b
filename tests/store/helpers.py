"""Folders of activity files written with the project's own writers, for the store tests."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from analyzer.model import Format
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.tcx_writer import tcx_bytes
from tests.factories import T0, activity, full_samples

ROOT = Path(__file__).resolve().parents[2]
DAY_S = 86_400.0
KINDS = ("fit", "gpx", "tcx", "fit.gz", "fit", "gpx.gz", "tcx.gz", "fit")
WRITERS = {Format.FIT: fit_bytes, Format.GPX: gpx_bytes, Format.TCX: tcx_bytes}


def run_bytes(index: int, kind: str = "fit", samples: int = 300) -> bytes:
    """Run ``index``: ``samples`` seconds on a day of its own, as a file of ``kind``."""
    fmt, _, gz = kind.partition(".")
    run = activity(full_samples(samples, t0=T0 + index * DAY_S), fmt=Format(fmt))
    data = WRITERS[Format(fmt)](replace(run, path=f"run-{index}.{fmt}"))
    return gzip.compress(data, mtime=0) if gz else data


def write_runs(folder: Path, count: int, first: int = 0, samples: int = 300) -> list[Path]:
    """``count`` runs, a mix of FIT, GPX and TCX, gzipped or not, one a day."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(first, first + count):
        kind = KINDS[index % len(KINDS)]
        path = folder / f"run-{index:04d}.{kind}"
        path.write_bytes(run_bytes(index, kind, samples))
        paths.append(path)
    return paths


def age(paths: list[Path], seconds: float = 60.0) -> None:
    """Sets the files' mtime into the past: a file written moments ago is hashed again by the
    next run (its mtime may not have ticked yet), which tests of "unchanged" must avoid."""
    for path in paths:
        stat = path.stat()
        past = stat.st_mtime_ns - int(seconds * 1e9)
        os.utime(path, ns=(past, past))


def calfguard(*args: str, timeout: float = 60.0, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``python -m analyzer ...`` as cron would run it."""
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False, **kwargs,
    )  # fmt: skip


def report_json(text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text)
    return document
