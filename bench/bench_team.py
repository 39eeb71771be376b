"""Team benchmark (make bench): `calfguard team` over a generated club, local engine and Dask.

The corpus is a team of ``--athletes`` runners (default 200) x ``--weeks`` weeks (default 16),
about 4 sessions a week each, written once with the sample generator's writers and week plans
(FIT mostly, GPX, TCX, plain and gzipped; each athlete a plan and a profile of their own from a
seed; a few duplicate exports and damaged files, as in the samples) and kept under bench/out/.
The team is a folder per athlete, each with a calfguard.toml.

Every run is a fresh ``calfguard team ROOT --out OUT --db STORE -f json`` process, through a
small wrapper (``CLIENT``) that fixes the athletes' "today" (``analyzer.pipeline.today_in``) to
the corpus's last day, or the day after for the next night, so that results do not depend on
the real date; the wrapper also reports the client's peak memory (VmHWM, read just before it
exits) and ``run_team``'s own wall time and counts. Workers' peak memory is the largest VmHWM
of a worker process, sampled from /proc while the run goes: the local engine's pool (children
of the client, started per run), or the Dask workers (long-lived: their peak is reset to their
size before each run through /proc/<pid>/clear_refs, so it counts what they kept from earlier
runs as well). Local runs use ``--jobs 2``; Dask runs use a ``LocalCluster`` of 2
single-threaded worker processes started here (its start is not timed: a nightly run connects
to a cluster that is already up).

1. cold (empty store and OUT), local and Dask alternately, ``--rounds`` rounds: medians,
   files/s, Dask/local; the overview on stdout and every file under OUT must be identical,
   byte for byte, between the engines in every round (the bench fails otherwise);
2. warm: again on the same store and OUT the same day (every athlete unchanged);
3. next night (today + 1: nothing to parse, every athlete analysed and rendered again), local
   and Dask, and local with ``--reports json,markdown`` only;
4. the client's peak memory for a quarter, one chunk (analyzer.team.CHUNK_ATHLETES), half and
   all of the athletes (cold, local);
5. the store's size after a cold run.

Targets (issue 13): the Dask path within 1.5x of the local engine on one machine; a warm team
run over 200 athletes under 3 s; the client's memory flat in the number of athletes.

Usage: .venv/bin/python bench/bench_team.py [--athletes N] [--weeks N] [--rounds N] [--quick]
       [--profile]
(--quick: one round and no part 4; --profile: where the client of a next-night local run
spends its time, from an extra run under cProfile.)
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import hashlib
import json
import logging
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.samplegen.history import (  # noqa: E402
    FRI,
    HISTORY_END,
    MON,
    SAT,
    SUN,
    TRUNCATED_FRACTION,
    Kind,
    Session,
    Week,
    file_bytes,
    plan_weeks,
)
from analyzer.team import CHUNK_ATHLETES  # noqa: E402
from bench.bench_batch import descendants, load_average  # noqa: E402

OUT = ROOT / "bench" / "out"
CORPUS_VERSION = 1  # bump when the generated files change
TEAM_SEED = 13  # issue 13
LAST_DAY = HISTORY_END  # a Sunday: every athlete's plan ends in the week ending here
WORKERS = 2  # local --jobs, and the Dask cluster's worker processes (one thread each)
#: Of every twenty files: mostly FIT from a watch, a third gzipped (as in Strava exports), and
#: one in ten a plain GPX or TCX, which is about ten times the size of a FIT file: so the
#: corpus stays near 1 GB.
FILE_KINDS = (
    ("fit",) * 11 + ("fit.gz",) * 2 + ("gpx", "gpx.gz", "gpx.gz") + ("tcx",) + ("tcx.gz",) * 3
)
#: Worker memory is sampled this often: a local worker's peak can only be read while it lives.
SAMPLE_S = 0.2
TARGET_RATIO = 1.5
TARGET_WARM_S = 3.0
#: "Flat" for the client's memory: the largest team's peak at most this much over the peak of
#: a team of one chunk. The run holds one chunk of athletes (analyzer.team.CHUNK_ATHLETES) at a
#: time, so a team smaller than a chunk holds less (shown, not judged); allocator noise is a
#: few MB.
FLAT_RATIO = 1.25


# --- the corpus ----------------------------------------------------------------------------------


def athlete_id(number: int) -> str:
    return f"athlete-{number:03d}"


def athlete_weeks(number: int, weeks: int) -> list[Week]:
    """An athlete's plan: 2-6 runs a week (3-5 usually) with a weekend long run, an intervals
    session in weeks of 4 runs or more, a trail run for some athletes, rides for others, and for
    some a mileage jump or a long-run spike near the end, so that their findings differ."""
    rng = np.random.default_rng([TEAM_SEED, number])
    runs = int(rng.choice([3, 4, 4, 5]))
    base_km = float(rng.uniform(20, 55))
    growth = float(rng.uniform(-0.01, 0.04))  # per week
    trail = rng.random() < 0.25
    rides = rng.random() < 0.3
    evening = "18:30" if rng.random() < 0.7 else "06:45"
    jump = weeks - 1 - int(rng.integers(0, 4)) if rng.random() < 0.3 else -1
    spike = weeks - 1 - int(rng.integers(0, 2)) if rng.random() < 0.3 else -1
    plan = []
    for week in range(weeks):
        km = base_km * (1 + growth) ** week * (1.5 if week == jump else 1.0)
        count = int(np.clip(runs + rng.integers(-1, 2), 2, 6))
        long_day = SAT if rng.random() < 0.4 else SUN
        days = sorted(int(d) for d in rng.choice(range(MON, FRI + 1), count - 1, replace=False))
        long_km = float(np.clip(km * 0.32 * (1.7 if week == spike else 1.0), 8, 36))
        rest_km = max(km - long_km, 4.0 * len(days)) / len(days)
        sessions = []
        for index, day in enumerate(days):
            if index == 1 and count >= 4:  # 1.5 km warm-up, 6 x 800 m, cool-down: 9 km or more
                sessions.append(session(rng, day, "intervals", max(rest_km, 9.5), evening))
            elif trail and index == len(days) - 1:
                climb = float(rng.uniform(300, 700))
                sessions.append(session(rng, day, "trail", rest_km, "17:30", climb_m=climb))
            else:
                km_here = float(np.clip(rest_km * rng.uniform(0.85, 1.15), 4, 20))
                sessions.append(session(rng, day, "easy", km_here, evening))
        sessions.append(session(rng, long_day, "long", long_km, "08:30"))
        if rides and week % 2 == 0:
            ride_day = SUN if long_day == SAT else SAT
            sessions.append(session(rng, ride_day, "ride", float(rng.uniform(25, 45)), "10:00"))
        plan.append(Week(f"week {week + 1}", tuple(sessions)))
    return plan


def session(
    rng: np.random.Generator, day: int, kind: Kind, km: float, at: str, **more: Any
) -> Session:
    """One session, in one of FILE_KINDS; now and then exported twice (a Strava GPX copy) or,
    rarely, a FIT file cut short (the watch died while saving)."""
    file = FILE_KINDS[int(rng.integers(len(FILE_KINDS)))]
    twin = rng.random() < 0.01
    damaged = file.startswith("fit") and rng.random() < 0.003
    return Session(
        day, kind, round(km, 1), at=at, file=file, twin_gpx=twin,
        truncated_at=TRUNCATED_FRACTION if damaged else None, **more,
    )  # fmt: skip


def athlete_toml(number: int) -> str:
    """The athlete's calfguard.toml: their time zone (the writers' local times are Zurich's)
    and a profile of their own; some have had a calf injury, a few want miles."""
    rng = np.random.default_rng([TEAM_SEED, number, 1])
    female = rng.random() < 0.45
    born = int(rng.integers(1962, 2006))
    height = rng.uniform(1.55, 1.78) if female else rng.uniform(1.68, 1.95)
    lines = ['timezone = "Europe/Zurich"']
    if rng.random() < 0.1:
        lines.append('units = "mi"')
    lines += [
        "",
        "[athlete]",
        f"birth_year = {born}",
        f'sex = "{"female" if female else "male"}"',
        f"height_m = {height:.2f}",
        f"max_heart_rate_bpm = {int(208 - 0.7 * (2026 - born) + rng.integers(-6, 7))}",
        f"resting_heart_rate_bpm = {int(rng.integers(42, 62))}",
    ]
    if rng.random() < 0.15:
        lines.append("prior_calf_injury = true")
    return "\n".join(lines) + "\n"


def write_athlete(args: tuple[Path, int, int]) -> int:
    """Writes one athlete's folder; returns its activity files."""
    root, number, weeks = args
    folder = root / athlete_id(number)
    folder.mkdir()
    start = LAST_DAY - timedelta(weeks=weeks) + timedelta(days=1)  # a Monday
    planned = plan_weeks(athlete_weeks(number, weeks), start, 13_000 + number, lambda *_: None)
    for p in planned:
        (folder / p.filename).write_bytes(file_bytes(p))
    (folder / "calfguard.toml").write_text(athlete_toml(number))
    return len(planned)


def team_corpus(athletes: int, weeks: int, jobs: int) -> Path:
    """The team's folder, written once and kept (bench/out/ is git-ignored), as bench_batch's
    corpus(): a ``.complete`` marker says it was written to the end."""
    folder = OUT / f"team-{athletes}x{weeks}-v{CORPUS_VERSION}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    print(f"writing {athletes} athletes x {weeks} weeks to {folder.relative_to(ROOT)} ...",
          flush=True)  # fmt: skip
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        files = sum(pool.map(write_athlete, [(folder, n, weeks) for n in range(athletes)]))
    done.write_text("")
    print(f"  {files} files written in {time.perf_counter() - started:.0f} s", flush=True)
    # A file modified within the last 2 s is hashed again, and makes its athlete's reports
    # again, on the next run (its mtime may not have ticked yet); a nightly run sees older files.
    time.sleep(2.1)
    return folder


def activity_files(root: Path) -> list[Path]:
    return [p for p in root.glob("*/*") if p.is_file() and p.name != "calfguard.toml"]


def subset(root: Path, athletes: int, into: Path) -> Path:
    """A team of the first ``athletes``: a folder of links to their folders."""
    into.mkdir(parents=True)
    for folder in sorted(p for p in root.iterdir() if p.is_dir())[:athletes]:
        (into / folder.name).symlink_to(folder)
    return into


# --- one run -------------------------------------------------------------------------------------

#: The client: the CLI with the athletes' "today" fixed (argv: DAY REPORT PROFILE, then the
#: CLI's arguments), and, at its exit, what the bench needs written to REPORT as JSON.
CLIENT = """\
import json, re, sys
from datetime import date
import analyzer.pipeline, analyzer.team

day, report, profile = date.fromisoformat(sys.argv[1]), sys.argv[2], sys.argv[3]
analyzer.pipeline.today_in = lambda zone: day
runs = []
run_team = analyzer.team.run_team
def keep(*args, **kwargs):
    runs.append(run_team(*args, **kwargs))
    return runs[-1]
analyzer.team.run_team = keep  # the CLI imports it when the command runs
sys.argv = ["calfguard", *sys.argv[4:]]
if profile != "-":
    import cProfile
    profiler = cProfile.Profile()
    profiler.enable()
from analyzer.cli import main
try:
    main()
finally:
    if profile != "-":
        profiler.disable()
        profiler.dump_stats(profile)
    status = open("/proc/self/status").read()
    done = {"client_kb": int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))}
    for run in runs:
        s = run.stats
        done.update(run_s=run.seconds, analysed=run.analysed, files=s.files, parsed=s.parsed,
                    unchanged=s.unchanged, reused=s.reused, unreadable=s.unreadable)
    with open(report, "w") as f:
        json.dump(done, f)
"""


@dataclass
class Run:
    seconds: float  # the process, start to exit
    run_s: float  # run_team's own wall time (without start-up, team file, overview)
    client_mb: float
    worker_mb: float  # the largest worker's peak (0: no worker ran)
    files: int
    parsed: int
    analysed: int
    exit_code: int
    overview: bytes  # stdout: the team overview in JSON


@dataclass
class Workers:
    """Where a run's workers are: the local engine's are the client's descendants (its
    forkserver and pool, started per run); a Dask cluster's are fixed, and live on."""

    scheduler: str | None = None
    pids: list[int] = field(default_factory=list)

    def during(self, client_pid: int) -> list[int]:
        return self.pids if self.scheduler else descendants(client_pid)[1:]


def team_run(
    root: Path, work: Path, today: date, workers: Workers, *extra: str, profile: Path | None = None
) -> Run:
    """One ``calfguard team`` process over ``root``, with its store and OUT in ``work``."""
    report = work / "client.json"
    command = [
        sys.executable, "-c", CLIENT, today.isoformat(), str(report), str(profile or "-"),
        "team", str(root), "--out", str(work / "out"), "--db", str(work / "store.sqlite3"),
        "-f", "json", "--jobs", str(WORKERS), *extra,
    ]  # fmt: skip
    if workers.scheduler:
        command += ["--engine", "dask", "--scheduler", workers.scheduler]
        for pid in workers.pids:
            reset_peak(pid)
    work.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)  # the last run's
    with open(work / "stdout", "wb") as stdout, open(work / "stderr", "wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=ROOT)
        sampler = PeakSampler(lambda: workers.during(child.pid))
        sampler.start()
        exit_code = child.wait()
        seconds = time.perf_counter() - started
        sampler.stop()
    # 1: some athlete has an unreadable file (the corpus has a few damaged ones, on purpose).
    if exit_code not in (0, 1) or not report.is_file():
        sys.stderr.write((work / "stderr").read_text()[-3000:])
        raise SystemExit(f"calfguard team failed (exit {exit_code}): {' '.join(command[4:])}")
    done = json.loads(report.read_text())
    return Run(
        seconds, done.get("run_s", 0.0), done["client_kb"] / 1024,
        max(sampler.peaks.values(), default=0) / 1024,
        done.get("files", 0), done.get("parsed", 0), done.get("analysed", 0), exit_code,
        (work / "stdout").read_bytes(),
    )  # fmt: skip


class PeakSampler(threading.Thread):
    """The peak memory (VmHWM) of each process ``pids()`` names, every SAMPLE_S, and once
    more at the end (a Dask worker lives on; a local one is gone by then)."""

    def __init__(self, pids: Callable[[], Iterable[int]]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peaks: dict[int, int] = {}  # pid -> kB
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(SAMPLE_S)

    def sample(self) -> None:
        for pid in self.pids():
            kb = vm_hwm_kb(pid)
            if kb is not None:
                self.peaks[pid] = max(self.peaks.get(pid, 0), kb)

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.sample()


def vm_hwm_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) if found else None


def reset_peak(pid: int) -> None:
    """Resets a process's VmHWM to its current size (Linux 4.0+), so that a long-lived Dask
    worker's peak is this run's."""
    with contextlib.suppress(OSError):  # then its peak is since the cluster started
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def differences(a: Path, b: Path) -> list[str]:
    """The files under ``a`` and ``b`` that are not the same bytes (or not in both)."""
    names_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    names_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = [f"{name} (only in one)" for name in sorted(names_a ^ names_b)]
    differ += [
        str(name)
        for name in sorted(names_a & names_b)
        if not filecmp.cmp(a / name, b / name, shallow=False)
    ]
    return differ


def store_mb(work: Path) -> float:
    """The store with its journal files (SQLite's -wal and -shm, when there are)."""
    return sum(p.stat().st_size for p in work.glob("store.sqlite3*")) / 2**20


# --- the Dask cluster ----------------------------------------------------------------------------


def start_cluster() -> tuple[Any, Workers, float]:
    """A LocalCluster as bench_engines starts it; its worker processes' pids, for /proc."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    cluster = LocalCluster(
        n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
        scheduler_port=0, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
    )  # fmt: skip
    with Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
    return cluster, Workers(str(cluster.scheduler_address), pids), time.perf_counter() - started


# --- showing -------------------------------------------------------------------------------------

HEADER = (
    f"  {'':<34}{'process s':>10}{'team s':>8}{'files/s':>9}{'client MB':>11}"
    f"{'worker MB':>11}{'parsed':>8}{'analysed':>10}"
)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def median_run(runs: Sequence[Run]) -> Run:
    """The run of median process time (of an even count, the faster of the middle two)."""
    return sorted(runs, key=lambda r: r.seconds)[(len(runs) - 1) // 2]


def rounds_of(count: int) -> str:
    return f"({count} round{'s' if count > 1 else ''})"


def show(label: str, runs: Sequence[Run], note: str = "") -> Run:
    """A row: the median run; with several rounds, each round's process time below it."""
    run = median_run(runs)
    files_s = f"{run.files / run.seconds:.0f}" if run.parsed else "-"
    print(
        f"  {label:<34}{run.seconds:10.2f}{run.run_s:8.2f}{files_s:>9}{run.client_mb:11.0f}"
        f"{run.worker_mb:11.0f}{run.parsed:8d}{run.analysed:10d}  {note}".rstrip()
    )
    if len(runs) > 1:
        each = " / ".join(f"{r.seconds:.2f}" for r in runs)
        team = " / ".join(f"{r.run_s:.2f}" for r in runs)
        print(f"  {'':<34}rounds: {each} s (team {team} s)")
    return run


def checkout() -> str:
    """The commit measured, and whether analyzer/ has changes not committed."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        head, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "analyzer")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' with uncommitted changes in analyzer/' if dirty else ''}"


def code_stamp() -> str:
    """What analyzer/ is now: its sources' names, sizes and modification times. The checkout
    may be edited while the bench runs; the Dask workers keep the code they started with,
    each client process imports what is there when it starts."""
    h = hashlib.blake2b(digest_size=8)
    for path in sorted((ROOT / "analyzer").rglob("*.py")):
        stat = path.stat()
        h.update(f"{path.relative_to(ROOT)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return h.hexdigest()


# --- the measurements ----------------------------------------------------------------------------


def cold_rounds(
    root: Path, tmp: Path, rounds: int, local: Workers, dask: Workers, code: str
) -> tuple[list[Run], list[Run], int]:
    """Part 1: cold runs, local then Dask, each round on new stores and OUTs; the engines'
    outputs compared in every round. Leaves the last round's stores and OUTs in tmp/local and
    tmp/dask for the warm and next-night runs."""
    local_runs, dask_runs = [], []
    compared = 0
    for number in range(rounds):
        for name in ("local", "dask"):
            shutil.rmtree(tmp / name, ignore_errors=True)
        local_runs.append(team_run(root, tmp / "local", LAST_DAY, local))
        dask_runs.append(team_run(root, tmp / "dask", LAST_DAY, dask))
        differ = differences(tmp / "local" / "out", tmp / "dask" / "out")
        if local_runs[-1].overview != dask_runs[-1].overview:
            differ.insert(0, "the overview on stdout")
        if differ:
            for name, run in (("local", local_runs[-1]), ("dask", dask_runs[-1])):
                print(
                    f"\n{name}: exit {run.exit_code}, {run.files} files, {run.parsed} parsed, "
                    f"{run.analysed} analysed; its stderr ends:"
                )
                print((tmp / name / "stderr").read_text()[-1500:])
            if code_stamp() != code:
                print(
                    "analyzer/ changed while the bench ran: the Dask workers run the code of "
                    "the start, the clients the new code"
                )
            raise SystemExit(
                f"round {number + 1}: the engines' outputs differ ({len(differ)}): "
                + "; ".join(differ[:10])
            )
        compared = sum(1 for p in (tmp / "local" / "out").rglob("*") if p.is_file())
        print(f"  (round {number + 1} of {rounds} done, load average {load_average()})", flush=True)
    return local_runs, dask_runs, compared


def profile_next_night(root: Path, tmp: Path, local: Workers) -> None:
    """The client of one more next-night local run, under cProfile: where its time goes."""
    stats = tmp / "client.prof"
    team_run(root, tmp / "local", LAST_DAY + timedelta(days=2), local, profile=stats)
    print("\nclient of a next-night local run under cProfile (cumulative, top 30):")
    pstats.Stats(str(stats)).sort_stats("cumulative").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--athletes", type=int, default=200, help="athletes (default 200)")
    parser.add_argument("--weeks", type=int, default=16, help="weeks each (default 16)")
    parser.add_argument("--rounds", type=int, default=3, help="cold and warm rounds (default 3)")
    parser.add_argument("--quick", action="store_true", help="one round, no memory-vs-athletes")
    parser.add_argument("--profile", action="store_true", help="profile a next-night client")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    root = team_corpus(args.athletes, args.weeks, WORKERS)
    files = activity_files(root)
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    gzipped = sum(p.suffix == ".gz" for p in files) / len(files)
    print(
        f"\ncalfguard team, {args.athletes} athletes x {args.weeks} weeks: {len(files)} activity "
        f"files, {size_mb:.0f} MB ({gzipped:.0%} gzipped) in {root.relative_to(ROOT)}\n"
        f"  {os.cpu_count()} CPUs, load average {load_average()} at start; calfguard "
        f"{checkout()}; today fixed to {LAST_DAY} (next night {LAST_DAY + timedelta(days=1)})"
    )
    with tempfile.TemporaryDirectory(prefix="calfguard-team-bench-") as name:
        tmp = Path(name)
        # Nothing of this machine's calfguard or matplotlib settings, caches or default store,
        # here, in the clients or in the Dask workers (which inherit this environment).
        for key in [k for k in os.environ if k.startswith("CALFGUARD_")]:
            del os.environ[key]
        os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")
        os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
        # The cluster as docs/scale.md sets one up: without distributed's developer logs,
        # which keep each worker's last 1,000 messages (athletes' summaries among them).
        os.environ["DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH"] = "0"
        # matplotlib builds its font cache on first use: not in the first timed run.
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=True)
        cluster, dask, up_s = start_cluster()
        try:
            measure(args, rounds, root, tmp, dask, up_s)
        finally:
            cluster.close(timeout=10)
    print(f"  load average {load_average()} at the end")
    return 0


def measure(
    args: argparse.Namespace, rounds: int, root: Path, tmp: Path, dask: Workers, up_s: float
) -> None:
    code = code_stamp()  # the cluster has just started: its workers have this code
    local = Workers()
    next_day = LAST_DAY + timedelta(days=1)
    print(f"  local: --jobs {WORKERS}; dask: a LocalCluster of {WORKERS} single-threaded worker "
          f"processes (up in {up_s:.1f} s, not timed)\n")  # fmt: skip
    print(HEADER)

    local_cold, dask_cold, compared = cold_rounds(root, tmp, rounds, local, dask, code)
    cold_l = show(f"1 cold, local {rounds_of(rounds)}", local_cold)
    cold_d = show(f"  cold, dask {rounds_of(rounds)}", dask_cold)
    ratio = cold_d.seconds / cold_l.seconds
    print(f"  {'':<34}dask / local {ratio:.2f}x (medians)  [target <= {TARGET_RATIO}x: "
          f"{verdict(ratio <= TARGET_RATIO)}]; overview and {compared} files in OUT identical "
          f"in every round")  # fmt: skip
    store = store_mb(tmp / "local")

    warm_l = [team_run(root, tmp / "local", LAST_DAY, local) for _ in range(rounds)]
    warm_d = [team_run(root, tmp / "dask", LAST_DAY, dask) for _ in range(rounds)]
    for label, runs in (("2 warm, local", warm_l), ("  warm, dask", warm_d)):
        run = median_run(runs)
        show(f"{label} {rounds_of(rounds)}", runs,
             f"[team run < {TARGET_WARM_S:.0f} s: {verdict(run.run_s < TARGET_WARM_S)}; "
             f"process: {verdict(run.seconds < TARGET_WARM_S)}]")  # fmt: skip

    show("3 next night, local", [team_run(root, tmp / "local", next_day, local)])
    show("  next night, dask", [team_run(root, tmp / "dask", next_day, dask)])
    # The same night again with fewer formats: the formats are part of what each athlete's
    # reports are made from, so every athlete is analysed again, as on a new day.
    only = team_run(root, tmp / "local", next_day, local, "--reports", "json,markdown")
    show("  next night, local, json+markdown", [only])

    if not args.quick:
        quarter, half = max(args.athletes // 4, 1), max(args.athletes // 2, 1)
        sizes = sorted(n for n in {quarter, CHUNK_ATHLETES, half} if n < args.athletes)
        peaks = {}
        for number, athletes in enumerate(sizes):
            team = subset(root, athletes, tmp / f"team-{athletes}")
            run = team_run(team, tmp / f"memory-{athletes}", LAST_DAY, local)
            peaks[athletes] = run.client_mb
            show(f"{'4' if number == 0 else ' '} cold, local, {athletes} athletes", [run])
            shutil.rmtree(tmp / f"memory-{athletes}")
        peaks[args.athletes] = cold_l.client_mb
        # Against each smaller team; judged against the smallest of at least one chunk.
        ratios = [(n, peaks[args.athletes] / peaks[n]) for n in sorted(peaks)[:-1]]
        whole = [r for n, r in ratios if n >= CHUNK_ATHLETES]
        flat = whole[0] if whole else None
        print(
            "  client peak by athletes: "
            + ", ".join(f"{n}: {mb:.0f} MB" for n, mb in sorted(peaks.items()))
            + f" ({args.athletes} from part 1); "
            + ", ".join(f"{args.athletes}/{n} = {r:.2f}x" for n, r in ratios)
            + (
                f"  [target flat from one chunk of {CHUNK_ATHLETES} (<= {FLAT_RATIO}x): "
                f"{verdict(flat <= FLAT_RATIO)}]"
                if flat is not None
                else f"  [not judged: the team is not larger than one chunk of {CHUNK_ATHLETES}]"
            )
        )
    print(
        f"  5 store after a cold run: {store:.1f} MB, {store * 1000 / args.athletes:.0f} MB per "
        f"1,000 athletes, {store * 1024 / max(cold_l.files, 1):.1f} kB per file"
    )
    if code_stamp() != code:
        print(
            "  NOTE: analyzer/ changed while the bench ran (the checkout is being edited): the "
            "runs after the change measure other code, and the Dask workers kept the old"
        )
    if args.profile:
        profile_next_night(root, tmp, local)


if __name__ == "__main__":
    raise SystemExit(main())
