"""Coverage-guided fuzzing of the readers with atheris (libFuzzer), on demand only.

Not a pytest module and not needed by ``make test``: atheris is not a dependency. To run it::

    python -m venv /tmp/av && /tmp/av/bin/pip install atheris numpy fitparse
    PYTHONPATH=. /tmp/av/bin/python tests/fuzz/atheris_readers.py -max_total_time=600 \\
        -rss_limit_mb=1024 -timeout=10 /tmp/fuzz-corpus  [seed folders ...]

The first folder collects the inputs that reached new code; the seeds are the project's own
FIT/GPX/TCX files (written here) and, where present, the conformance corpus. Any exception
other than ``ReadError`` aborts with the input that caused it (saved as ``crash-*``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris  # type: ignore[import-not-found]

with atheris.instrument_imports():
    from analyzer.errors import ReadError
    from analyzer.readers import fit_reader as _fit  # noqa: F401  (instrumented before use)
    from analyzer.readers import gpx as _gpx  # noqa: F401
    from analyzer.readers import read_bytes
    from analyzer.readers import tcx as _tcx  # noqa: F401


def check(data: bytes) -> None:
    try:
        activities = read_bytes(data, "fuzz")
    except ReadError as exc:
        assert exc.reason
        return
    for activity in activities:
        assert len(activity.samples) > 0


def write_seeds(folder: Path) -> None:
    """The project's own files as starting points (small: libFuzzer mutates better)."""
    from analyzer.samplegen.fit_writer import fit_bytes
    from analyzer.samplegen.gpx_writer import gpx_bytes
    from analyzer.samplegen.tcx_writer import tcx_bytes
    from tests.factories import activity, full_samples

    run = activity(full_samples(8))
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in {
        "seed.fit": fit_bytes(run),
        "seed-compressed.fit": fit_bytes(run, compressed_timestamps=True, developer_fields=True),
        "seed-big-endian.fit": fit_bytes(run, big_endian=True),
        "seed.gpx": gpx_bytes(run),
        "seed.tcx": tcx_bytes(run),
    }.items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    folders = [a for a in sys.argv[1:] if not a.startswith("-")]
    if folders:
        write_seeds(Path(folders[0]))
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()
