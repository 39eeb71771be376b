"""One way through: discover -> read -> summarize -> store -> aggregate -> assess.

Returns plain results; the CLI renders them. A bad file becomes an entry in ``errors`` and the
rest of the batch goes on.

With a ``Store``, a file whose size and mtime are unchanged is taken from the store without
being opened; a file with new bytes is read and summarized, in worker processes when
``jobs > 1``. Workers get files in batches and return summaries (never samples); at
most two batches (16 files or 2 MiB each) per worker are in flight, so memory follows the
batch, not the folder. A new file whose size no stored file has is read and hashed by the
worker that parses it (its bytes would otherwise cross a pipe: a tenth of a cold run's CPU).
One with a stored file's size is read and hashed here first, because its hash may say it
needs no parsing at all (a renamed or copied file), and so is a zip member, which can only be
read while discovery has its archive open: zip members are handled as discovery meets them,
plain files once it is done (when their number is known, for the progress bar).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from analyzer import codec
from analyzer.errors import ReadError
from analyzer.identity import resolve
from analyzer.local_calendar import local_date
from analyzer.metrics.summary import METRICS_VERSION, ActivitySummary, summarize
from analyzer.readers import ReadFailure, Source, discover, read_source, source_bytes
from analyzer.readers.strava import StravaMeta
from analyzer.rules import Assessment, Finding, Severity, assess
from analyzer.settings import AthleteProfile, Settings
from analyzer.store import CALFGUARD_VERSION, RACY_SIZE, ResultRow, Store
from analyzer.training_load import History, build_history

__all__ = [
    "Analysis",
    "Progress",
    "RunStats",
    "analyze",
    "collect",
    "default_jobs",
    "finding_keys",
    "new_findings",
    "summarize_paths",
]

log = logging.getLogger("calfguard")

#: Called as files are done: (files done, files found so far, discovery finished).
Progress = Callable[[int, int, bool], None]

#: Files are parsed in this process until parsing has taken this long; then worker processes
#: start. A nightly run with a few new files does not pay for starting them (0.15-0.5 s).
PARALLEL_AFTER_S = 0.5
#: ... unless this many files are known to need reading: then the workers start at once, and
#: the other cores do not wait out PARALLEL_AFTER_S of parsing here.
PARALLEL_FROM_FILES = 64
#: Files go to workers in batches of this many files or bytes (fewer round trips for small
#: files), and each worker has at most this many batches waiting: what bounds the parent's
#: memory, whatever the size of the folder.
BATCH_FILES = 16
BATCH_BYTES = 2 * 2**20
IN_FLIGHT_PER_JOB = 2
SUMMARY_LAYOUT = codec.layout(ActivitySummary)
_ID = [f.name for f in dataclasses.fields(ActivitySummary)].index("id")
_PATH = [f.name for f in dataclasses.fields(ActivitySummary)].index("path")


@dataclass(slots=True)
class RunStats:
    """What a run did with each file (for logs, tests and the benchmark)."""

    files: int = 0  # files and zip entries found
    unchanged: int = 0  # from the store without opening them (size and mtime unchanged)
    reused: int = 0  # opened and hashed, content already known (renamed, touched, copied)
    parsed: int = 0  # read and summarized in this run
    unreadable: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class Analysis:
    settings: Settings
    summaries: list[ActivitySummary] = field(default_factory=list)  # in the report period
    errors: list[ReadFailure] = field(default_factory=list)
    history: History | None = None
    assessment: Assessment | None = None
    stats: RunStats = field(default_factory=RunStats)
    since: date | None = None  # the report period asked for (None: open)
    until: date | None = None

    @property
    def duplicate_of(self) -> dict[str, str]:
        """Set-aside id -> the id kept in its place."""
        if self.history is None:
            return {}
        return {d.set_aside_id: d.kept_id for d in self.history.duplicates}

    @property
    def not_counted(self) -> dict[str, str]:
        """Id -> why it is not counted as load: a duplicate, or implausible."""
        if self.history is None:
            return {}
        why = {i.id: "; ".join(i.reasons) for i in self.history.implausible}
        for d in self.history.duplicates:
            why[d.set_aside_id] = f"a copy of {d.kept_id}: {d.reason}"
        return why

    @property
    def period(self) -> tuple[date, date] | None:
        """The days the report covers: the files' first to last day, within since/until."""
        if self.history is None:
            return None
        first, last = self.history.first_day, self.history.last_day
        if self.since is not None:
            first = max(first, self.since)
        if self.until is not None:
            last = min(last, self.until)
        return (first, last) if first <= last else None


@dataclass(slots=True)
class Collected:
    summaries: list[ActivitySummary]
    errors: list[ReadFailure]
    stats: RunStats


def analyze(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Analysis:
    """Reads (or takes from ``store``) every activity under ``paths`` and assesses them.

    ``since``/``until`` limit what is reported: activities after ``until`` are left out as if
    the report were made that day, activities before ``since`` still count for the rules'
    look-back (a run is compared with the 30 days before it), but only the activities,
    weeks and findings of the period are reported. Unreadable files are always listed.
    """
    settings = settings or Settings()
    with _fewer_collections():
        collected = collect(paths, settings, store=store, jobs=jobs, progress=progress)
        summaries = resolve(collected.summaries, settings)
        if until is not None:
            summaries = [s for s in summaries if _local_date(s, settings) <= until]
        history = build_history(summaries, settings)
        if history is not None:  # the kept copy of an activity carries an override of any copy
            kept = {p.summary.id: p.summary for p in (*history.runs, *history.others)}
            summaries = [kept.get(s.id, s) for s in summaries]
        assessment = assess(history, settings) if history is not None else None
    analysis = Analysis(
        settings, summaries, collected.errors, history, assessment, collected.stats, since, until
    )
    return _within(analysis) if since is not None or until is not None else analysis


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Reading thousands of summaries back from the store allocates hundreds of thousands of
    small objects, none of them in reference cycles: the cyclic garbage collector's frequent
    passes over them are wasted (about a tenth of a warm run). It runs less often meanwhile."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def summarize_paths(
    paths: Iterable[str | os.PathLike[str]], settings: Settings
) -> tuple[list[ActivitySummary], list[ReadFailure]]:
    collected = collect(paths, settings)
    return collected.summaries, collected.errors


def collect(
    paths: Iterable[str | os.PathLike[str]],
    settings: Settings,
    *,
    store: Store | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> Collected:
    """Every file's summaries (sorted by start time) and every unreadable file (in discovery
    order), read in ``jobs`` processes, through ``store`` when given."""
    run = _Run(settings.profile, store, max(jobs, 1), progress)
    started = time.perf_counter()
    try:
        run.go(paths)
    finally:
        run.shut_down()
    run.stats.seconds = time.perf_counter() - started
    summaries: list[ActivitySummary] = []
    errors: list[ReadFailure] = []
    for outcome in run.outcomes:
        if isinstance(outcome, ReadFailure):
            errors.append(outcome)
        elif outcome is not None:
            summaries.extend(outcome)
    summaries.sort(key=lambda s: (s.start_time, s.id))
    run.stats.unreadable = len(errors)
    s = run.stats
    log.info(
        "%d files: %d unchanged in the store, %d known content, %d read, %d unreadable (%.2f s)",
        s.files, s.unchanged, s.reused, s.parsed, s.unreadable, s.seconds,
    )  # fmt: skip
    return Collected(summaries, errors, run.stats)


# --- the report period ---------------------------------------------------------------------------


def _local_date(summary: ActivitySummary, settings: Settings) -> date:
    return local_date(summary.start_time, summary.utc_offset_s, settings.timezone)


def _within(analysis: Analysis) -> Analysis:
    since, until = analysis.since or date.min, analysis.until or date.max
    shown = [s for s in analysis.summaries if since <= _local_date(s, analysis.settings) <= until]
    shown_ids = {s.id for s in shown}
    history = analysis.history
    if history is not None:
        history = dataclasses.replace(
            history,
            weeks=[
                w
                for w in history.weeks
                if w.week_start <= until and w.week_start.toordinal() + 6 >= since.toordinal()
            ],
            duplicates=[d for d in history.duplicates if d.set_aside_id in shown_ids],
            implausible=[i for i in history.implausible if i.id in shown_ids],
        )
    assessment = analysis.assessment
    if assessment is not None:
        assessment = dataclasses.replace(
            assessment, findings=[f for f in assessment.findings if since <= f.date <= until]
        )
    return dataclasses.replace(analysis, summaries=shown, history=history, assessment=assessment)


# --- new findings, for --fail-on -----------------------------------------------------------------


def finding_keys(analysis: Analysis) -> dict[str, int]:
    """Each reported finding as ``rule|date|what`` -> its severity. ``what`` is the week, or
    the activity by its start time (so renaming a file does not make its findings new). A
    finding about neither (a pair of shoes, the athlete's age) is keyed by its rule and its
    message without numbers, not by its date, which moves with every new run."""
    starts = _starts(analysis)
    keys: dict[str, int] = {}
    for finding in analysis.assessment.findings if analysis.assessment else []:
        key = _key(finding, starts)
        keys[key] = max(keys.get(key, 0), int(finding.severity))
    return keys


def _starts(analysis: Analysis) -> dict[str, str]:
    """Activity id -> start time (UTC, ISO)."""
    if analysis.history is None:
        return {}
    placed = (*analysis.history.runs, *analysis.history.others)
    return {p.summary.id: p.summary.start_time.isoformat() for p in placed}


def _key(finding: Finding, starts: Mapping[str, str]) -> str:
    if finding.activity_id is not None:
        what = "run " + starts.get(finding.activity_id, finding.activity_id)
    elif finding.week_start is not None:
        what = f"week {finding.week_start.isoformat()}"
    else:
        return f"{finding.rule}||{_NUMBERS.sub('#', finding.message)}"
    return f"{finding.rule}|{finding.date.isoformat()}|{what}"


_NUMBERS = re.compile(r"\d+(?:[.,:]\d+)*")


def new_findings(
    analysis: Analysis, previous: Mapping[str, int] | None, at_least: Severity
) -> list[Finding]:
    """Findings of ``at_least`` that the previous run did not report at that severity or
    higher (all of them when there was no previous run)."""
    if analysis.assessment is None:
        return []
    starts = _starts(analysis)
    before = previous or {}
    return [
        f
        for f in analysis.assessment.findings
        if f.severity >= at_least and before.get(_key(f, starts), 0) < f.severity
    ]


# --- one run through the files -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker needs: the file's bytes, or for a plain file its loader (never a handle),
    and the bytes' hash when it is known already."""

    index: int
    path: str
    load: Callable[[], bytes]
    hash: str | None
    meta: StravaMeta | None
    profile: AthleteProfile


@dataclass(frozen=True, slots=True)
class _Done:
    index: int
    path: str
    outcome: list[ActivitySummary] | ReadFailure
    encoded: str | None  # the summaries (without their path) or the failure reason, for the store
    keep: bool  # False: not stored (an internal error is retried next run)
    hash: str | None  # the bytes' hash; None when they could not be loaded


@dataclass(frozen=True, slots=True)
class _Where:
    """How a file was found: its stat (None when it has none) and its metadata's digest (its
    other content key is the bytes' hash, which the worker that loads a file finds)."""

    stat: tuple[int, int] | None
    meta: str


def _given(data: bytes) -> bytes:
    return data


def _load(source: Source) -> bytes | ReadFailure:
    """The source's bytes, or why they cannot be had."""
    try:
        return source_bytes(source)
    except ReadError as exc:
        return ReadFailure(exc.path, exc.reason)
    except Exception as exc:  # whatever else a loader raises ends this file, not the run
        return ReadFailure(source.path, f"cannot read: {exc}")


def _content_hash(data: bytes) -> str:
    return hashlib.blake2b(data).hexdigest()


def _work(job: _Job) -> _Done:
    """Loads (unless given the bytes), reads and summarizes one file (in a worker process, or
    in this one)."""
    data = _load(Source(job.path, job.load, True, job.meta))
    if isinstance(data, ReadFailure):  # not stored: the next run tries again
        return _Done(job.index, job.path, data, None, False, None)
    content_hash = job.hash or _content_hash(data)
    source = Source(job.path, partial(_given, data), True, job.meta)
    try:
        summaries = [summarize(activity, job.profile) for activity in read_source(source)]
    except ReadError as exc:
        failure = ReadFailure(exc.path, exc.reason)
        return _Done(job.index, job.path, failure, exc.reason, True, content_hash)
    except Exception as exc:  # a bug must not end a nightly batch: report it, retry next run
        reason = f"internal error while reading ({type(exc).__name__}: {exc}); please report it"
        failure = ReadFailure(job.path, reason)
        return _Done(job.index, job.path, failure, None, False, content_hash)
    encoded = _encode(summaries, job.path)
    return _Done(job.index, job.path, summaries, encoded, encoded is not None, content_hash)


def _work_all(jobs: Sequence[_Job]) -> list[_Done]:
    return [_work(job) for job in jobs]


def _encode(summaries: Sequence[ActivitySummary], path: str) -> str | None:
    """The summaries as JSON without their path (the id keeps only its suffix), so that the
    same bytes under another name reuse them; None if an id does not start with the path."""
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


def _decode(text: str, path: str) -> list[ActivitySummary] | None:
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


def _worker_init(parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose run was killed (SIGKILL, out of memory) would otherwise wait for work
    forever: it leaves within a fifth of a second of its parent."""
    while True:
        time.sleep(0.2)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # pragma: no cover - the pid was reused by another user
            os._exit(1)


def _origin(source: Source) -> Path | None:
    """The file a source's bytes come from (a zip member's archive), when its loader says."""
    args = getattr(source.load, "args", ())
    return args[0] if args and isinstance(args[0], Path) else None


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return st.st_size, st.st_mtime_ns


def _meta_digest(meta: StravaMeta | None) -> str:
    if meta is None:
        return ""
    return hashlib.blake2b(repr(meta).encode(), digest_size=8).hexdigest()


def _gone(path: str) -> bool:
    """Whether a stored path no longer exists (for a zip member: its archive)."""
    return not os.path.lexists(path.split("!/", 1)[0])


class _Run:
    def __init__(
        self, profile: AthleteProfile, store: Store | None, jobs: int, progress: Progress | None
    ) -> None:
        self.profile = profile
        self.fingerprint = profile.fingerprint()
        self.store = store
        self.jobs = jobs
        self.progress = progress
        self.index = store.file_index() if store is not None else {}
        self.known_hashes = {row.hash for row in self.index.values()}
        # A new file of a size no stored file has cannot be a stored one renamed or copied.
        # (Sizes of files modified just before they were stored are not known: RACY_SIZE.)
        self.known_sizes = {row.size for row in self.index.values()}
        self.outcomes: list[list[ActivitySummary] | ReadFailure | None] = []
        self.stats = RunStats()
        self.discovering = True
        self.done = 0
        self.pool: ProcessPoolExecutor | None = None
        self.parse_s = 0.0  # spent parsing in this process
        self.in_flight: dict[Future[list[_Done]], list[tuple[_Job, _Where]]] = {}
        self.batch: list[tuple[_Job, _Where]] = []  # gathered for the next worker task
        self.batch_bytes = 0

    # --- the walk ---

    def go(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        files: list[tuple[int, Source, Path]] = []
        for item in discover(paths):
            index = len(self.outcomes)
            self.outcomes.append(None)
            self.stats.files += 1
            if isinstance(item, ReadFailure):
                self._finish(index, item, None)
                continue
            origin = _origin(item)
            if origin is not None and str(origin) == item.path:
                files.append((index, item, origin))  # a plain file: after discovery
            else:
                self._one(index, item, origin)  # a zip member: while its archive is open
            self._collect_done()
        self.discovering = False
        self._report_progress()
        for start in range(0, len(files), 500):
            self._plain_files(files[start : start + 500])
        self._send_batch()
        while self.in_flight:
            self._wait(FIRST_COMPLETED)

    def _fresh(self, row: ResultRow | None) -> bool:
        if row is None or row.metrics_version != METRICS_VERSION:
            return False
        if row.failure is not None:
            return row.calfguard_version == CALFGUARD_VERSION
        return row.layout == SUMMARY_LAYOUT and row.profile == self.fingerprint

    def _unchanged(self, source: Source, stat: tuple[int, int] | None, meta: str) -> str | None:
        """The stored hash of a file whose size and mtime (and metadata) are as stored."""
        row = self.index.get(source.path)
        if stat is None or row is None or (row.size, row.mtime_ns) != stat or row.meta != meta:
            return None
        return row.hash

    def _plain_files(self, batch: Sequence[tuple[int, Source, Path]]) -> None:
        known: list[tuple[int, Source, str, _Where]] = []
        changed: list[tuple[int, Source, tuple[int, int] | None, str]] = []
        for index, source, origin in batch:
            stat = _stat(origin)
            meta = _meta_digest(source.meta)
            content_hash = self._unchanged(source, stat, meta)
            if content_hash is None:
                changed.append((index, source, stat, meta))
            else:
                known.append((index, source, content_hash, _Where(stat, meta)))
        if len(changed) >= PARALLEL_FROM_FILES and self.jobs > 1 and self.pool is None:
            self.pool = _executor(self.jobs)
        for index, source, stat, meta in changed:
            if stat is not None and self._surely_new(source.path, stat[0]):
                job = _Job(index, source.path, source.load, None, source.meta, self.profile)
                self._submit(job, _Where(stat, meta), stat[0])
            else:
                self._read(index, source, stat, meta)
        if known and self.store is not None:
            rows = self.store.results((h, w.meta) for _, _, h, w in known)
            for index, source, content_hash, where in known:
                row = rows.get((content_hash, where.meta))
                if not self._from_store(index, source.path, row, "unchanged"):
                    self._read(index, source, where.stat, where.meta)
                self._collect_done()

    def _surely_new(self, path: str, size: int) -> bool:
        """Whether a changed file's bytes are surely not stored, so that the worker that
        parses it may load it: a new path with a size no stored file has. (A stored path
        may have been touched; its bytes are hashed here.)"""
        sizes = self.known_sizes
        return path not in self.index and RACY_SIZE not in sizes and size not in sizes

    def _one(self, index: int, source: Source, origin: Path | None) -> None:
        stat = _stat(origin) if origin is not None else None
        meta = _meta_digest(source.meta)
        content_hash = self._unchanged(source, stat, meta)
        if content_hash is not None and self.store is not None:
            row = self.store.results([(content_hash, meta)]).get((content_hash, meta))
            if self._from_store(index, source.path, row, "unchanged"):
                return
        self._read(index, source, stat, meta)

    def _from_store(self, index: int, path: str, row: ResultRow | None, how: str) -> bool:
        """Finishes a file from its stored result, if that is fresh; ``how`` is the stats
        counter it goes to."""
        if row is None or not self._fresh(row):
            return False
        if row.failure is not None:
            self._finish(index, ReadFailure(path, row.failure), how)
            return True
        summaries = _decode(row.summaries or "", path)
        if summaries is None:
            return False
        self._finish(index, summaries, how)
        return True

    def _read(self, index: int, source: Source, stat: tuple[int, int] | None, meta: str) -> None:
        """Loads and hashes a new or changed file; reuses what is stored for its content,
        or has it parsed."""
        data = _load(source)
        if isinstance(data, ReadFailure):
            self._finish(index, data, None)
            return
        content_hash = _content_hash(data)
        where = _Where(stat, meta)
        if self.store is not None:
            row = self.store.results([(content_hash, meta)]).get((content_hash, meta))
            if self._from_store(index, source.path, row, "reused"):
                self._remember(source.path, content_hash, where)
                return
        given = partial(_given, data)
        self._submit(
            _Job(index, source.path, given, content_hash, source.meta, self.profile),
            where,
            len(data),
        )

    def _remember(self, path: str, content_hash: str, where: _Where) -> None:
        """Records the file under its path; drops paths with the same bytes that are gone
        (the file was renamed)."""
        if self.store is None:
            return
        if where.stat is not None:
            self.store.put_file(path, *where.stat, content_hash, where.meta)
        if content_hash not in self.known_hashes:
            return  # no other path had these bytes when the run started
        for other in self.store.paths_with_hash(content_hash):
            if other != path and _gone(other):
                self.store.forget_file(other)

    # --- parsing, here or in workers ---

    def _submit(self, job: _Job, where: _Where, size: int) -> None:
        """Parses the file here, or gathers it for a worker (``size``: its bytes, which
        bound a batch)."""
        if self.jobs == 1 or (self.pool is None and self.parse_s < PARALLEL_AFTER_S):
            started = time.perf_counter()
            done = _work(job)
            self.parse_s += time.perf_counter() - started
            self._handle(done, where)
            return
        self.batch.append((job, where))
        self.batch_bytes += size
        if len(self.batch) >= BATCH_FILES or self.batch_bytes >= BATCH_BYTES:
            self._send_batch()

    def _send_batch(self) -> None:
        """Hands the files gathered so far to a worker, waiting while enough are in flight."""
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        if not batch:
            return
        if self.pool is None:
            self.pool = _executor(self.jobs)
        while len(self.in_flight) >= self.jobs * IN_FLIGHT_PER_JOB:
            self._wait(FIRST_COMPLETED)
        if self.pool is None:  # it broke while we waited
            self._in_process(batch)
            return
        self.in_flight[self.pool.submit(_work_all, [job for job, _ in batch])] = batch

    def _in_process(self, batch: Sequence[tuple[_Job, _Where]]) -> None:
        for job, where in batch:
            self._handle(_work(job), where)

    def _collect_done(self) -> None:
        if any(future.done() for future in self.in_flight):
            self._wait(FIRST_COMPLETED, timeout=0)

    def _wait(self, when: str, timeout: float | None = None) -> None:
        done, _ = wait(list(self.in_flight), timeout=timeout, return_when=when)
        for future in done:
            if future not in self.in_flight:
                continue  # already read here when the pool broke
            batch = self.in_flight.pop(future)
            try:
                results = future.result()
            except BrokenProcessPool:
                self._broken_pool()
                self._in_process(batch)
                continue
            for result, (_, where) in zip(results, batch, strict=True):
                self._handle(result, where)

    def _broken_pool(self) -> None:
        """A worker died (killed, out of memory): finish in this process."""
        log.warning("a worker process died; reading the remaining files in this process")
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        self.jobs = 1
        batches = list(self.in_flight.values())
        self.in_flight.clear()
        for batch in batches:
            self._in_process(batch)

    def _handle(self, done: _Done, where: _Where) -> None:
        self._finish(done.index, done.outcome, None)
        if done.hash is None:
            return  # its bytes could not be loaded: unreadable, not parsed
        self.stats.parsed += 1
        if self.store is None or not done.keep:
            return
        failed = isinstance(done.outcome, ReadFailure)
        self.store.put_result(
            ResultRow(
                done.hash,
                where.meta,
                METRICS_VERSION,
                SUMMARY_LAYOUT,
                self.fingerprint,
                CALFGUARD_VERSION,
                None if failed else done.encoded,
                done.encoded if failed else None,
            )
        )
        self._remember(done.path, done.hash, where)

    def _finish(
        self, index: int, outcome: list[ActivitySummary] | ReadFailure, how: str | None
    ) -> None:
        self.outcomes[index] = outcome
        if how == "unchanged":
            self.stats.unchanged += 1
        elif how == "reused":
            self.stats.reused += 1
        self.done += 1
        self._report_progress()

    def _report_progress(self) -> None:
        if self.progress is not None:
            self.progress(self.done, len(self.outcomes), not self.discovering)

    def shut_down(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.in_flight.clear()


def _executor(jobs: int) -> ProcessPoolExecutor:
    """Worker processes started from a fresh, preloaded server process (forkserver) rather
    than forked from this one, which may have threads (progress display, logging)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        # The readers and the time-zone map: each worker would otherwise load them on its
        # first file (20 ms and 0.1 s).
        context.set_forkserver_preload(["analyzer.worker_preload"])
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)
    )


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
