"""Engine benchmark (make bench): the same cold run on the local engine and on a Dask cluster.

The corpus is bench_batch's 1,000 hour-long runs (written once under bench/out/). Each round
runs ``analyze`` cold with no store, once on the local engine (2 processes) and once on a Dask
``LocalCluster`` of 2 single-threaded worker processes on this machine, alternately, three
rounds; the cluster's start and stop are timed apart (a nightly run connects to a cluster that
is already up). The reports must be the same, byte for byte.

Target (issue 13): the Dask path within 1.5x of the local engine on one machine.

Usage: .venv/bin/python bench/bench_engines.py [--runs N]
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.engines.dask_cluster import dask_engine
from analyzer.pipeline import analyze
from analyzer.report.json_report import render_json
from bench.bench_batch import corpus, write_run

TARGET_RATIO = 1.5
ROUNDS = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="hour-long runs (default 1000)")
    args = parser.parse_args()
    from distributed import LocalCluster

    folder = corpus("runs", args.runs, write_run, 2)
    started = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        scheduler_port=0, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
    )  # fmt: skip
    up_s = time.perf_counter() - started
    local_s, dask_s = [], []
    try:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            local = render_json(analyze([folder], jobs=2))
            local_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            with dask_engine(str(cluster.scheduler_address)) as engine:
                on_dask = render_json(analyze([folder], engine=engine))
            dask_s.append(time.perf_counter() - started)
            assert on_dask == local, "the engines' reports differ"
    finally:
        started = time.perf_counter()
        cluster.close(timeout=10)
        down_s = time.perf_counter() - started
    ratio = statistics.median(dask_s) / statistics.median(local_s)
    client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"engines, {args.runs} hour-long runs, cold, no store, 2 workers each")
    print(f"  local  {' / '.join(f'{s:.2f}' for s in local_s)} s")
    print(f"  dask   {' / '.join(f'{s:.2f}' for s in dask_s)} s  (cluster up {up_s:.2f} s, "
          f"down {down_s:.2f} s, not included); reports identical")  # fmt: skip
    print(f"  dask / local {ratio:.2f}x (medians)  [target <= {TARGET_RATIO}x: "
          f"{'ok' if ratio <= TARGET_RATIO else 'MISSED'}]; this process peaked at "
          f"{client_mb:.0f} MB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
