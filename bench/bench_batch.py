"""Batch benchmark (make bench): whole `calfguard report` runs on a generated history.

Writes a corpus with the project's own writers (default 1,000 runs of about an hour, one
record a second: FIT, GPX, TCX and gzipped, mixed; cached under bench/out/), then times, each
as a fresh `python -m analyzer report ... --format json` process on its own store:

- cold: an empty store (every report in the default terminal format, written to a null
  device; the 10,000-file warm run also in JSON, for comparison);
- warm: nothing changed (the store must answer without opening a file);
- warm after 10 new files;
- a parse-only baseline: fitparse (FIT) and gpxpy (GPX) on the same files, and the standard
  library's ElementTree for TCX (neither library reads TCX; ElementTree is faster than either,
  so it only makes the baseline harder to beat). fitparse takes about a second per file, so a
  sample of each format is timed and the total extrapolated by the format counts.

Then, on ``--warm-files`` small files (default 10,000; one 4-minute run each): a cold run,
a warm run with nothing changed, and their peak memory. Peak memory is the largest sum of the
proportional set sizes (PSS: shared pages counted once) of the report process and its workers,
sampled every 50 ms from /proc (Linux; every 0.5 s in the runs timed against the baseline,
where sampling would take CPU from the run), or else the largest single process (getrusage). CPU
time (user + system, the report process and its workers) is printed beside wall time: the
machine may be shared, and CPU time says what the run would take on idle cores. The baseline
is timed in CPU time for the same reason.

Targets (issue 6, on a 2-core machine): cold at least 50x faster than the parse-only baseline;
warm with nothing changed under 2 s for 10,000 files; peak memory under 300 MB for 10,000
files.

Usage: .venv/bin/python bench/bench_batch.py [--runs N] [--warm-files N] [--sample N]
       [--jobs N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.model import Activity, Format, Samples, Sport  # noqa: E402
from analyzer.samplegen.fit_writer import fit_bytes  # noqa: E402
from analyzer.samplegen.gpx_writer import gpx_bytes  # noqa: E402
from analyzer.samplegen.synth import ActivitySpec, Segment, synth_activity  # noqa: E402
from analyzer.samplegen.tcx_writer import tcx_bytes  # noqa: E402
from tests.factories import T0, activity, full_samples  # noqa: E402

OUT = ROOT / "bench" / "out"
CORPUS_VERSION = 1  # bump when the generated files change
DAY_S = 86_400.0
#: Of every ten files: five FIT, one .fit.gz (as in Strava exports), one GPX, one .gpx.gz, one
#: TCX and one .tcx.gz: watch exports are mostly FIT.
KINDS = ("fit", "fit", "fit", "fit", "fit", "fit.gz", "gpx", "gpx.gz", "tcx", "tcx.gz")
ENCODE = {"fit": fit_bytes, "gpx": gpx_bytes, "tcx": tcx_bytes}


# --- the corpus ----------------------------------------------------------------------------------


def kind_of(index: int) -> str:
    return KINDS[index % len(KINDS)]


def hour_run(index: int) -> Activity:
    """Run ``index``: about an hour on a day of its own, recorded every second."""
    rng = np.random.default_rng([2026, index])
    speed = float(rng.uniform(2.7, 3.3))
    spec = ActivitySpec(
        path=f"run-{index:05d}",
        format=Format.FIT,
        sport=Sport.TRAIL_RUNNING if index % 7 == 3 else Sport.RUNNING,
        start_s=1_672_560_000.0 + index * DAY_S + float(rng.integers(0, 3600)),  # 2023-01-01
        utc_offset_s=3600,
        segments=(Segment(speed * float(rng.uniform(3300, 3900)), speed),),
        climb_m=float(rng.uniform(20, 300)),
        running_dynamics=index % 2 == 0,
        cadence_fade_pct=float(rng.uniform(0, 4)),
        device="garmin/fr935",
    )
    return every_second(synth_activity(spec, rng))


def every_second(run: Activity) -> Activity:
    """The run resampled to one record a second (the synthesizer records like smart recording)."""
    t = run.samples.time_s
    grid = np.arange(t[0], t[-1] + 0.5, 1.0)
    channels = {
        name: np.interp(grid, t, getattr(run.samples, name))
        for name in run.samples.__dataclass_fields__
        if name != "time_s"
    }
    for name in ("heart_rate_bpm", "temperature_c"):
        channels[name] = np.round(channels[name])
    return replace(run, samples=Samples(time_s=grid, **channels), pauses=())


def write_run(folder: Path, index: int) -> int:
    kind = kind_of(index)
    fmt, _, gz = kind.partition(".")
    run = hour_run(index)
    name = f"{run.start_time:%Y-%m-%d}-run-{index:05d}.{kind}"
    data = ENCODE[fmt](replace(run, path=name, format=Format(fmt)))
    if gz:
        data = gzip.compress(data, mtime=0)
    (folder / name).write_bytes(data)
    return len(data)


def write_small(folder: Path, index: int) -> None:
    """A 4-minute run, twelve hours after the one before: a distinct small file."""
    run = activity(full_samples(240, t0=T0 + index * DAY_S / 2))
    (folder / f"small-{index:05d}.fit").write_bytes(fit_bytes(run))


def corpus(name: str, count: int, write: object, jobs: int) -> Path:
    """The folder of generated files, written once and kept (bench/out/ is git-ignored)."""
    folder = OUT / f"{name}-{count}-v{CORPUS_VERSION}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    print(f"writing {count} files to {folder.relative_to(ROOT)} ...", flush=True)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(write_at, [(write, folder, i) for i in range(count)], chunksize=16))
    done.write_text("")
    print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
    # A file modified within the last 2 s is hashed again by the next run (its mtime may not
    # have ticked yet); a real nightly run sees older files.
    time.sleep(2.1)
    return folder


def write_at(args: tuple[object, Path, int]) -> None:
    write, folder, index = args
    write(folder, index)  # type: ignore[operator]


# --- timing a report ---------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_s: float  # user + system time of the report process and its workers
    peak_mb: float  # the process tree's largest summed memory (PSS)
    largest_mb: float  # the largest single process (getrusage)
    stats: str  # calfguard's own count line (-v)
    exit_code: int


#: How often the process tree's memory is sampled: often where memory is the target (the
#: 10,000 files), seldom where the run is timed against the baseline, since reading every
#: process's smaps_rollup costs CPU the run itself needs (about 0.35 s of a 5 s cold run on
#: 2 cores at 50 ms).
MEMORY_SAMPLE_S = 0.05
TIMED_SAMPLE_S = 0.5


def report(
    paths: list[Path],
    db: Path,
    jobs: int,
    fmt: str = "terminal",
    *extra: str,
    sample_s: float = MEMORY_SAMPLE_S,
) -> Run:
    command = [
        sys.executable, "-m", "analyzer", "report", *map(str, paths), "--db", str(db),
        "--format", fmt, "--output", os.devnull, "--jobs", str(jobs), "-v", *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    tree = TreeSampler(child.pid, sample_s)
    tree.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    tree.stop()
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read() if child.stderr else ""
    stats = next((line for line in stderr.splitlines() if " files: " in line), stderr.strip())
    largest_mb = usage.ru_maxrss / 1024  # KiB on Linux
    own_cpu = usage.ru_utime + usage.ru_stime
    cpu_s = max(own_cpu, tree.cpu_s(exclude=child.pid) + own_cpu)
    # Without /proc, or a run too short to be sampled twice: the largest process.
    peak_mb = tree.peak_mb if tree.samples >= 2 else largest_mb
    return Run(seconds, cpu_s, peak_mb, largest_mb, stats, child.returncode)


class TreeSampler(threading.Thread):
    """Samples a process and its descendants every ``sample_s`` (Linux /proc): their summed
    memory (PSS), and each one's CPU time so far."""

    def __init__(self, pid: int, sample_s: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.sample_s = sample_s
        self.peak_mb = 0.0
        self.samples = 0
        self.ticks: dict[int, int] = {}  # pid -> user + system clock ticks, last seen
        self._done = threading.Event()

    def run(self) -> None:
        if not Path(f"/proc/{self.pid}/task/{self.pid}/children").exists():
            return
        while not self._done.is_set():
            total_kb = 0
            for pid in descendants(self.pid):
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    memory = Path(f"/proc/{pid}/smaps_rollup").read_text()
                except OSError:
                    continue
                self.ticks[pid] = int(stat[11]) + int(stat[12])  # utime, stime
                # Proportional set size: pages shared by the workers (forked from one server
                # process) are counted once, not once per process as resident size would.
                pss = re.search(r"^Pss:\s+(\d+) kB", memory, re.M)
                total_kb += int(pss.group(1)) if pss else 0
            self.peak_mb = max(self.peak_mb, total_kb / 1024)
            self.samples += 1
            self._done.wait(self.sample_s)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def cpu_s(self, exclude: int) -> float:
        return sum(t for pid, t in self.ticks.items() if pid != exclude) / os.sysconf("SC_CLK_TCK")


def descendants(root: int) -> list[int]:
    """``root`` and every process under it (children of any of their threads)."""
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                queue.extend(int(c) for c in children.read_text().split())
            except OSError:
                continue
    return found


# --- the parse-only baseline ---------------------------------------------------------------------


def parse_only(path: Path) -> None:
    """What a script on fitparse and gpxpy would do before any analysis: decode every
    message / point (TCX: ElementTree, every element)."""
    import fitparse
    import gpxpy

    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    name = path.name.removesuffix(".gz")
    if name.endswith(".fit"):
        for message in fitparse.FitFile(io.BytesIO(data)).get_messages():
            message.get_values()
    elif name.endswith(".gpx"):
        gpx = gpxpy.parse(data.decode("utf-8"))
        sum(len(s.points) for t in gpx.tracks for s in t.segments)
    else:
        sum(1 for _ in ElementTree.fromstring(data).iter())


_TIMED: dict[Path, float] = {}


def parse_only_s(path: Path) -> float:
    """CPU seconds of parse_only on one file (timed once per file: the FIT-only comparison
    reuses the FIT files' times). CPU time, so that what other processes on the machine do to
    the wall clock does not count against the baseline."""
    real = path.resolve()
    if real not in _TIMED:
        started = time.process_time()
        parse_only(real)
        _TIMED[real] = time.process_time() - started
    return _TIMED[real]


def baseline(folder: Path, sample: int) -> tuple[float, str]:
    """Seconds for parse_only over every file, from a timed sample of each format."""
    by_format: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        by_format.setdefault(path.name.removesuffix(".gz").rsplit(".", 1)[1], []).append(path)
    total = 0.0
    notes = []
    for fmt, paths in sorted(by_format.items()):
        chosen = paths[:: max(len(paths) // sample, 1)][:sample]
        mean = statistics.fmean(parse_only_s(path) for path in chosen)
        total += mean * len(paths)
        tool = {"fit": "fitparse", "gpx": "gpxpy", "tcx": "ElementTree"}[fmt]
        notes.append(f"{tool} {mean:.3f} s x {len(paths)} {fmt.upper()} (sampled {len(chosen)})")
    return total, "; ".join(notes)


# --- the measurements ----------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def show(label: str, run: Run, note: str = "") -> None:
    print(
        f"  {label:<28} {run.seconds:6.2f} s wall  {run.cpu_s:6.2f} s CPU  "
        f"peak {run.peak_mb:4.0f} MB  {note}"
    )
    print(f"  {'':<28} {run.stats.removeprefix('calfguard: ')}  (exit {run.exit_code})")


def compare(label: str, base_s: float, how: str, cold: Run, jobs: int) -> None:
    """The cold run against the baseline: on the wall clock, and by CPU time (what the ratio
    would be on an idle machine with ``jobs`` free cores; the baseline uses one)."""
    wall = base_s / cold.seconds
    idle = base_s / max(cold.cpu_s / jobs, 1e-9)
    print(f"  {label}: {base_s:.0f} s of CPU ({how})")
    print(
        f"  cold run {wall:.0f}x faster on the wall clock, {idle:.0f}x by CPU time over {jobs} "
        f"cores  [target >= 50x: {verdict(wall >= 50)}]"
    )


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="hour-long runs (default 1000)")
    parser.add_argument("--warm-files", type=int, default=10_000, help="small files (10000)")
    parser.add_argument("--sample", type=int, default=50, help="baseline files per format")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--profile", action="store_true", help="profile the warm 10k run")
    args = parser.parse_args()

    runs = corpus("runs", args.runs, write_run, args.jobs)
    files = [p for p in runs.iterdir() if not p.name.startswith(".")]
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    print(
        f"\ncorpus: {len(files)} runs of about an hour (1 s records), {size_mb:.0f} MB, mixed "
        f"FIT/GPX/TCX and gzipped; {args.jobs} jobs on {os.cpu_count()} CPUs; load average "
        f"{load_average()}; reports in the terminal format to {os.devnull}"
    )
    with tempfile.TemporaryDirectory(prefix="calfguard-bench-") as tmp:
        work = Path(tmp)
        extra = work / "new"
        extra.mkdir()
        db = work / "store.sqlite3"
        cold = report([runs, extra], db, args.jobs, sample_s=TIMED_SAMPLE_S)
        warm = report([runs, extra], db, args.jobs, sample_s=TIMED_SAMPLE_S)
        for i in range(10):
            write_run(extra, args.runs + i)
        warm_new = report([runs, extra], db, args.jobs, sample_s=TIMED_SAMPLE_S)
        show("cold report", cold, f"{len(files) / cold.seconds:.0f} files/s")
        show("warm, no change", warm)
        show("warm, 10 new files", warm_new)
        print("  timing the parse-only baseline on samples ...", flush=True)
        base_s, how = baseline(runs, args.sample)
        compare("parse-only baseline, extrapolated", base_s, how, cold, args.jobs)

        only_fit = work / "fit-only"
        only_fit.mkdir()
        for path in files:
            if path.name.removesuffix(".gz").endswith(".fit"):
                (only_fit / path.name).symlink_to(path)
        cold_fit = report([only_fit], work / "fit.sqlite3", args.jobs, sample_s=TIMED_SAMPLE_S)
        show(f"cold, the {len(list(only_fit.iterdir()))} FIT files only", cold_fit)
        fit_base_s, fit_how = baseline(only_fit, args.sample)
        compare("fitparse baseline, extrapolated", fit_base_s, fit_how, cold_fit, args.jobs)

        small = corpus("small", args.warm_files, write_small, args.jobs)
        count = sum(1 for p in small.iterdir() if not p.name.startswith("."))
        db_small = work / "small.sqlite3"
        cold_small = report([small], db_small, args.jobs)
        warm_small = report([small], db_small, args.jobs)
        warm_json = report([small], db_small, args.jobs, "json")
        last_day = datetime.fromtimestamp(T0 + (count - 1) * DAY_S / 2, UTC).date()
        since = (last_day - timedelta(weeks=8)).isoformat()
        warm_recent = report([small], db_small, args.jobs, "terminal", "--since", since)
        peak = max(cold_small.peak_mb, warm_small.peak_mb)
        largest = max(cold_small.largest_mb, warm_small.largest_mb)
        print(f"\n{count} small files (4-minute runs, FIT); load average {load_average()}")
        show("cold report", cold_small)
        show("warm, no change", warm_small, f"[target < 2 s: {verdict(warm_small.seconds < 2)}]")
        print(
            f"  peak memory {peak:.0f} MB (largest single process {largest:.0f} MB)  "
            f"[target < 300 MB: {verdict(peak < 300)}]"
        )
        show("warm, no change, --format json", warm_json, "(for comparison)")
        show("warm, the last 8 weeks only", warm_recent, f"(--since {since}: a nightly report)")
        if args.profile:
            profile_warm(small, db_small, args.jobs)


def profile_warm(folder: Path, db: Path, jobs: int) -> None:
    """The warm run in this process under cProfile: where its time goes."""
    from typer.testing import CliRunner

    from analyzer.cli import app

    argv = ["report", str(folder), "--db", str(db), "--output", os.devnull]
    profiler = cProfile.Profile()
    profiler.enable()
    CliRunner().invoke(app, [*argv, "--jobs", str(jobs)])
    profiler.disable()
    print("\nwarm run profile (cumulative, top 25):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
