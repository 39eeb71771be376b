"""Mutation fuzzing of the readers: real device files and the project's own files, damaged in
every way a disk, a transfer or an app can damage them (see ``mutate.py``).

Every mutant must either read as sound activities or fail with ``ReadError`` and a reason; any
other exception, a read that takes longer than ``TIME_LIMIT_S`` or memory that grows beyond
``MEMORY_LIMIT_MB`` is a bug. In a folder, each mutant costs one entry and the good files
beside them read exactly as they do alone.

The default run makes ``CALFGUARD_FUZZ_MUTANTS`` (30) mutants per source file and skips corpus
files over 200 kB; a long run raises the number and takes every file, e.g.::

    CALFGUARD_FUZZ_MUTANTS=400 CALFGUARD_FUZZ_EXAMPLES=5000 .venv/bin/pytest -q tests/fuzz

``CALFGUARD_FUZZ_SEED`` picks other mutants; ``CALFGUARD_FUZZ_REPORT=file.json`` writes the
outcome counts (used for docs/robustness.md).
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from contextlib import suppress
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ReadError
from analyzer.model import CHANNELS, Activity, Pause, Sport
from analyzer.readers import read_bytes, read_paths
from analyzer.samplegen.fit_writer import fit_bytes, fit_multisport_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.tcx_writer import tcx_bytes
from tests.corpus import CORPUS, corpus_index
from tests.factories import T0, activity, assert_same_activity, full_samples
from tests.fuzz.mutate import Mutant, assert_sound, mutants, time_limit

N_MUTANTS = int(os.environ.get("CALFGUARD_FUZZ_MUTANTS", "30"))
LONG_RUN = "CALFGUARD_FUZZ_MUTANTS" in os.environ
SEED = int(os.environ.get("CALFGUARD_FUZZ_SEED", "7"))
#: The default run leaves out the few big corpus files: a mutant the fast FIT decoder declines
#: goes to fitparse, which takes seconds per megabyte.
MAX_SOURCE_BYTES = None if LONG_RUN else 200_000
#: Per mutant: 5 s, and 4 s more per MB for what goes to fitparse (about 3 s per MB).
TIME_LIMIT_S = 5.0
TIME_LIMIT_S_PER_MB = 4.0
MEMORY_LIMIT_MB = 200.0
REPORT = os.environ.get("CALFGUARD_FUZZ_REPORT")

_STATS: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
_REASONS: collections.Counter[str] = collections.Counter()
_TIMES: list[float] = []
_OVER_TIME: list[str] = []


def time_limit_s(data: bytes) -> float:
    return TIME_LIMIT_S + TIME_LIMIT_S_PER_MB * len(data) / 1e6


# --- sources ---------------------------------------------------------------------------------


def _written() -> dict[str, tuple[bytes, str]]:
    run = activity(
        full_samples(300), pauses=(Pause(T0 + 50, T0 + 80),), utc_offset_s=-18000, name="Run"
    )
    legs = [
        activity(full_samples(40, T0), sport=Sport.CYCLING),
        activity(full_samples(60, T0 + 100)),
    ]
    return {
        "writer.fit": (fit_bytes(run), ".fit"),
        "writer-compressed-dev.fit": (
            fit_bytes(run, compressed_timestamps=True, developer_fields=True),
            ".fit",
        ),
        "writer-big-endian-legacy.fit": (
            fit_bytes(run, big_endian=True, legacy_speed_altitude=True),
            ".fit",
        ),
        "writer-multisport.fit": (fit_multisport_bytes(legs), ".fit"),
        "writer.gpx": (gpx_bytes(run), ".gpx"),
        "writer.tcx": (tcx_bytes(run), ".tcx"),
    }


def _corpus() -> dict[str, tuple[bytes, str]]:
    found: dict[str, tuple[bytes, str]] = {}
    for name in sorted(corpus_index()):
        path = CORPUS / name
        if not path.is_file() or path.stat().st_size > (MAX_SOURCE_BYTES or 1 << 40):
            continue
        data = path.read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        suffix = "." + name.removesuffix(".gz").rsplit(".", 1)[-1]
        found[f"corpus:{Path(name).name}"] = (data, suffix)
    return found


@cache
def sources() -> dict[str, tuple[bytes, str]]:
    return {**_written(), **_corpus()}


@cache
def original(name: str) -> tuple[Activity, ...] | str:
    """What the unmutated file reads as (its activities, or its ReadError reason)."""
    data, suffix = sources()[name]
    try:
        return tuple(read_bytes(data, "source" + suffix))
    except ReadError as exc:
        return exc.reason


# --- guards ----------------------------------------------------------------------------------


def reason_kind(reason: str) -> str:
    """A reason without its numbers, names and quoted details, for counting."""
    kind = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", reason)
    kind = re.sub(r"\d+(\.\d+)?", "N", kind)
    return kind.split(" (")[0][:90]


def check_mutant(mutant: Mutant, source: str) -> str | None:
    """Reads one mutant; returns what went wrong, or None. Records the outcome."""
    path = "mutant" + mutant.suffix
    limit = time_limit_s(mutant.data)
    started = time.perf_counter()
    try:
        with time_limit(limit):
            activities = read_bytes(mutant.data, path)
    except ReadError as exc:
        _took(mutant, time.perf_counter() - started, limit)
        if not exc.reason or "\n" in exc.reason or exc.path != path:
            return f"ReadError without one clear reason: {exc.path!r} {exc.reason!r}"
        _STATS[mutant.kind]["ReadError"] += 1
        _REASONS[reason_kind(exc.reason)] += 1
        return None
    except Exception as exc:  # the bug this test is here to find
        return f"{type(exc).__name__}: {exc}"
    _took(mutant, time.perf_counter() - started, limit)
    try:
        assert_sound(activities)
        _assert_no_loss(mutant, source, activities)
    except AssertionError as exc:
        return f"unsound activities: {exc}"
    before = original(source)
    known = set() if isinstance(before, str) else {n for a in before for n in a.notes}
    noted = any(set(a.notes) - known for a in activities)
    _STATS[mutant.kind]["read, with a note" if noted else "read, no note"] += 1
    return None


def _took(mutant: Mutant, seconds: float, limit: float) -> None:
    """Records a read's time; one that finished just as the alarm was due is still too slow."""
    _TIMES.append(seconds)
    if seconds >= limit:
        _OVER_TIME.append(f"{mutant.name}: {seconds:.1f} s")


def _assert_no_loss(mutant: Mutant, source: str, activities: list[Activity]) -> None:
    """A truncated copy of a one-activity file keeps whole samples of the original, unchanged
    (a prefix in file order; the reader may have sorted it by time)."""
    before = original(source)
    if mutant.kind != "truncate" or isinstance(before, str) or len(before) != 1:
        return
    (part,) = activities
    whole = collections.Counter(_rows(before[0]))
    got = collections.Counter(_rows(part))
    assert not got - whole, "a truncated file gave samples the whole one does not have"


def _rows(read: Activity) -> list[tuple[float | None, ...]]:
    """Each sample as a row (cadence left out: doubling is decided on the samples present)."""
    names = ("time_s", *(c for c in CHANNELS if c != "cadence_spm"))
    columns = [getattr(read.samples, name).tolist() for name in names]
    return [tuple(None if v != v else v for v in row) for row in zip(*columns, strict=True)]


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(sources()))
def test_every_mutant_reads_soundly_or_fails_with_a_reason(source: str) -> None:
    data, suffix = sources()[source]
    failures = []
    for mutant in mutants(source, data, suffix, seed=SEED, budget=N_MUTANTS):
        problem = check_mutant(mutant, source)
        if problem is not None:
            failures.append(f"{mutant.name}: {problem}")
    assert not failures, "\n".join(failures[:20])


def test_the_outcomes_are_reported() -> None:
    """Runs last in this module: writes the outcome counts when asked to (for the docs)."""
    if REPORT:
        Path(REPORT).write_text(
            json.dumps(
                {
                    "mutants_per_source": N_MUTANTS,
                    "sources": len(sources()),
                    "outcomes": {kind: dict(c) for kind, c in sorted(_STATS.items())},
                    "reasons": dict(_REASONS.most_common()),
                    "seconds": {
                        "total": round(sum(_TIMES), 2),
                        "max": round(max(_TIMES, default=0.0), 3),
                        "p99": round(float(np.percentile(_TIMES, 99)) if _TIMES else 0.0, 4),
                    },
                },
                indent=1,
                ensure_ascii=False,
            )
        )
    assert not _OVER_TIME, _OVER_TIME


# --- a folder of mutants among good files ----------------------------------------------------

#: Mutants of these sources go into the folder (the streamed batch takes all in a long run:
#: read_paths keeps every activity, a batch of 25,000 mutants about 1.8 GB of them).
FOLDER_SOURCES = ("writer.fit", "writer-compressed-dev.fit", "writer.gpx", "writer.tcx")


def _folder_mutants(every_source: bool = False) -> list[Mutant]:
    chosen = sorted(sources()) if every_source else FOLDER_SOURCES
    return [
        mutant
        for name in chosen
        for mutant in mutants(name, *sources()[name], seed=SEED + 1, budget=N_MUTANTS)
    ]


def _write_folder(
    folder: Path, every_source: bool = False
) -> tuple[dict[str, bytes], dict[str, str]]:
    """Good files and mutants in one folder; returns (good name -> bytes, mutant name -> kind)."""
    good = {
        "good-run.fit": fit_bytes(activity(full_samples(200))),
        "good-run.gpx.gz": gzip.compress(gpx_bytes(activity(full_samples(150, T0 + 86_400)))),
        "good-run.tcx": tcx_bytes(activity(full_samples(120, T0 + 2 * 86_400))),
    }
    for name, data in good.items():
        (folder / name).write_bytes(data)
    kinds = {}
    for i, mutant in enumerate(_folder_mutants(every_source)):
        # Every name says "activity", so nothing is skipped as not ours: each must be reported.
        suffix = mutant.suffix if mutant.suffix.endswith((".fit", ".gpx", ".tcx", ".gz")) else ""
        name = f"m{i:05d}{suffix or '.fit'}"
        (folder / name).write_bytes(mutant.data)
        kinds[name] = mutant.kind
    return good, kinds


def test_a_folder_of_mutants_costs_one_entry_each_and_spares_the_good_files(
    tmp_path: Path,
) -> None:
    good, kinds = _write_folder(tmp_path)
    result = read_paths([tmp_path])
    by_file: dict[str, list[Activity]] = collections.defaultdict(list)
    for read in result.activities:
        by_file[Path(read.path).name].append(read)
    failed = collections.Counter(Path(f.path).name for f in result.errors)
    for name, data in good.items():
        alone = read_bytes(data, str(tmp_path / name))
        assert failed[name] == 0
        assert len(by_file[name]) == len(alone)
        for mine, theirs in zip(by_file[name], alone, strict=True):
            assert_same_activity(mine, theirs)
    for name in kinds:
        # One failure, or activities and no failure: never both, never nothing.
        assert (failed[name] == 1) != bool(by_file[name]), (name, kinds[name], failed[name])
    assert set(failed) <= set(kinds)
    assert set(by_file) <= set(kinds) | set(good)


_BATCH = """
import json, re, sys, time
from pathlib import Path
from analyzer.readers import ReadFailure, iter_read

def peak_mb():
    # VmHWM: this process's peak RSS. (ru_maxrss would carry the parent's over exec.)
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024

before = peak_mb()
started = time.perf_counter()
activities = errors = 0
for item in iter_read([sys.argv[1]]):  # as the pipeline reads: one file at a time
    if isinstance(item, ReadFailure):
        errors += 1
    else:
        activities += len(item)
print(json.dumps({
    "seconds": round(time.perf_counter() - started, 2),
    "peak_before_mb": round(before, 1),
    "peak_growth_mb": round(peak_mb() - before, 1),
    "activities": activities,
    "errors": errors,
}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_the_folder_batch_finishes_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """The whole folder in a fresh interpreter: a hang anywhere (C code included) hits the
    timeout, and peak RSS growth is measured without the rest of the test run in it."""
    _, kinds = _write_folder(tmp_path, every_source=LONG_RUN)
    imports = (
        "import analyzer.readers.fit_reader, analyzer.readers.gpx, analyzer.readers.tcx, fitparse\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", imports + _BATCH, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120 + len(kinds) * 0.5,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    figures = json.loads(done.stdout)
    print(f"{len(kinds)} mutants + 3 good files: {figures}")
    assert figures["peak_growth_mb"] < MEMORY_LIMIT_MB
    assert figures["activities"] + figures["errors"] >= len(kinds)


def test_peak_memory_of_the_largest_mutants_stays_bounded() -> None:
    """Mutants of the largest sources, each read with tracemalloc watching (numpy's buffers
    included): the peak beyond the input stays a small multiple of the input."""
    largest = sorted(sources(), key=lambda n: -len(sources()[n][0]))[:3]
    worst = worst_mb = 0.0
    tracemalloc.start()
    try:
        for name in largest:
            data, suffix = sources()[name]
            for mutant in mutants(name, data, suffix, seed=SEED + 2, budget=8):
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
                with suppress(ReadError):
                    read_bytes(mutant.data, "m" + mutant.suffix)
                peak = tracemalloc.get_traced_memory()[1] - base
                worst_mb = max(worst_mb, peak / 2**20)
                if len(mutant.data) > 50_000:
                    worst = max(worst, peak / len(mutant.data))
                assert peak < MEMORY_LIMIT_MB * 2**20, mutant.name
    finally:
        tracemalloc.stop()
    print(f"peak allocation while reading: {worst_mb:.1f} MB, {worst:.1f} x the input")
