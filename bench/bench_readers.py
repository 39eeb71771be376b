"""Reader benchmark (make bench): decoding a 1-hour run, ours against fitparse and gpxpy.

Targets (issue 2): FIT to the activity model under 10 ms median and at least 50x faster than
fitparse on the same file; GPX under 40 ms for a 1-hour track. Prints the ratios.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import fitparse
import gpxpy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.readers.fit_reader import read_fit  # noqa: E402
from analyzer.readers.gpx import read_gpx  # noqa: E402
from analyzer.samplegen.fit_writer import fit_bytes  # noqa: E402
from analyzer.samplegen.gpx_writer import gpx_bytes  # noqa: E402
from tests.factories import activity, full_samples  # noqa: E402

CORPUS = Path(os.environ.get("CALFGUARD_CORPUS", ROOT.parent / "shared" / "corpus"))


def median_s(func: Callable[[], object], repeat: int) -> float:
    func()  # warm caches and lazy imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fitparse_all(data: bytes) -> None:
    for message in fitparse.FitFile(io.BytesIO(data), check_crc=False).get_messages():
        message.get_values()


def bench_fit(label: str, data: bytes, records: int) -> None:
    ours = median_s(lambda: read_fit(data, label), 21)
    theirs = median_s(lambda: fitparse_all(data), 3)
    print(
        f"FIT {label:<38} {records:>6} records  ours {ours * 1000:7.2f} ms  "
        f"fitparse {theirs * 1000:8.1f} ms  ratio {theirs / ours:6.0f}x"
        f"  [target < 10 ms, >= 50x: {'ok' if ours < 0.010 and theirs / ours >= 50 else 'MISSED'}]"
    )


def main() -> None:
    run = activity(full_samples(3600))
    bench_fit("generated 1-hour run (all channels)", fit_bytes(run), 3600)
    bench_fit("same, compressed timestamps", fit_bytes(run, compressed_timestamps=True), 3600)
    for name in ("tormoder-gh__mornindew-broken.fit", "fitparse-gh__activity-small-fenix2-run.fit"):
        path = CORPUS / "fit" / name
        if path.is_file():
            data = path.read_bytes()
            bench_fit(f"corpus {name[:31]}", data, len(read_fit(data, name)[0].samples))
    gpx = gpx_bytes(activity(full_samples(3600)))
    ours = median_s(lambda: read_gpx(gpx, "run.gpx"), 11)
    theirs = median_s(lambda: gpxpy.parse(gpx.decode()), 3)
    print(
        f"GPX generated 1-hour track (hr, cad, atemp)    3600 points  ours {ours * 1000:7.2f} ms  "
        f"gpxpy {theirs * 1000:8.1f} ms  ratio {theirs / ours:6.1f}x"
        f"  [target < 40 ms: {'ok' if ours < 0.040 else 'MISSED'}]"
    )


if __name__ == "__main__":
    main()
