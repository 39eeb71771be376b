"""The read, summarize and store steps for a run: every file's summaries, parsing only what
the store does not already know.

With a ``Store``, a file whose size and mtime are unchanged is taken from the store without
being opened; a file with new bytes is parsed by the engine (``engines``: here, or in worker
processes). A new file whose size no stored file has is read and hashed by the task that parses
it (its bytes would otherwise cross a pipe: a tenth of a cold run's CPU). One with a stored
file's size is read and hashed here first, because its hash may say it needs no parsing at all
(a renamed or copied file), and so is a zip member, which can only be read while discovery has
its archive open: zip members are handled as discovery meets them, plain files once it is done
(when their number is known, for the progress bar). Only this module writes file results to
the store.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from analyzer.engines import Engine, EngineFactory
from analyzer.engines.local import LocalEngine
from analyzer.engines.tasks import Parsed, ParseJob, content_hash, given_bytes, load_bytes
from analyzer.metrics.summary import METRICS_VERSION, ActivitySummary
from analyzer.readers import ReadFailure, Source, discover
from analyzer.readers.sources import file_behind
from analyzer.readers.strava import StravaMeta
from analyzer.settings import AthleteProfile
from analyzer.store import CALFGUARD_VERSION, RACY_SIZE, FileRow, ResultRow, Store
from analyzer.summary_rows import SUMMARY_LAYOUT, decode_summaries

__all__ = ["Collected", "Group", "Progress", "Relay", "RunStats", "collect", "collect_groups"]

log = logging.getLogger("calfguard")

#: Called as files are done: (files done, files found so far, discovery finished).
Progress = Callable[[int, int, bool], None]

#: Plain files are looked up in the store this many at a time (one query each).
STORE_LOOKUP_FILES = 500


@dataclass(slots=True)
class RunStats:
    """What a run did with each file (for logs, tests and the benchmark)."""

    files: int = 0  # files and zip entries found
    unchanged: int = 0  # from the store without opening them (size and mtime unchanged)
    reused: int = 0  # opened and hashed, content already known (renamed, touched, copied)
    parsed: int = 0  # read and summarized in this run
    unreadable: int = 0
    not_activities: int = 0  # planned routes and courses, skipped
    seconds: float = 0.0

    @property
    def activity_files(self) -> int:
        """Files and zip entries that gave activities: none means nothing to report."""
        return self.files - self.unreadable - self.not_activities


@dataclass(slots=True)
class Collected:
    summaries: list[ActivitySummary]  # sorted by start time
    errors: list[ReadFailure]  # files that could not be read, in discovery order
    not_activities: list[ReadFailure]  # planned routes and courses, in discovery order
    empty_paths: list[str]  # the paths given under which no candidate file was found
    stats: RunStats


def collect(
    paths: Iterable[str | os.PathLike[str]],
    profile: AthleteProfile,
    *,
    store: Store | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    engine: EngineFactory | None = None,
) -> Collected:
    """Every file's summaries and every unreadable file, parsed by ``engine`` (default: the
    local one with ``jobs`` processes), through ``store`` when given."""
    relay = Relay()
    running = (engine or partial(LocalEngine, jobs))(relay)
    try:
        (collected,) = collect_groups([Group(paths, profile)], running, relay, store, progress)
    finally:
        running.close()
    return collected


@dataclass(frozen=True, slots=True)
class Group:
    """Files read for one athlete: their paths, and the profile their metrics need."""

    paths: Iterable[str | os.PathLike[str]]
    profile: AthleteProfile


class Relay:
    """What an engine delivers to: the collector of the moment, so that one engine (one pool,
    one cluster client) serves one collection after another."""

    target: Callable[[Parsed], None] | None = None

    def __call__(self, done: Parsed) -> None:
        assert self.target is not None, "an engine delivered outside a collection"
        self.target(done)


def collect_groups(
    groups: Sequence[Group],
    engine: Engine,
    relay: Relay,
    store: Store | None = None,
    progress: Progress | None = None,
) -> list[Collected]:
    """Each group's files through one running ``engine`` (made with ``relay``), in one pass:
    the engine is never idle between groups. The engine is left running."""
    if store is not None:  # what the last collection left pending is asked for by this one
        store.commit()
    collector = FileCollector(groups, store, progress)
    collector.engine = engine
    relay.target = collector.handle
    started = time.perf_counter()
    try:
        collector.go()
    finally:
        relay.target = None
    seconds = time.perf_counter() - started
    out: list[Collected] = []
    for group, stats, empty in zip(
        collector.ranges, collector.stats, collector.empty_paths, strict=True
    ):
        summaries: list[ActivitySummary] = []
        errors: list[ReadFailure] = []
        not_activities: list[ReadFailure] = []
        for outcome in collector.outcomes[group]:
            if isinstance(outcome, ReadFailure):
                (not_activities if outcome.not_activity else errors).append(outcome)
            elif outcome is not None:
                summaries.extend(outcome)
        summaries.sort(key=lambda s: (s.start_time, s.id))
        stats.unreadable = len(errors)
        stats.not_activities = len(not_activities)
        stats.seconds = seconds
        out.append(Collected(summaries, errors, not_activities, empty, stats))
    s = sum_stats(collector.stats, seconds)
    log.info(
        "%d files: %d unchanged in the store, %d known content, %d read, %d unreadable, "
        "%d not activities (%.2f s)",
        s.files, s.unchanged, s.reused, s.parsed, s.unreadable, s.not_activities, s.seconds,
    )  # fmt: skip
    return out


def sum_stats(each: Iterable[RunStats], seconds: float) -> RunStats:
    """The counts of several collections together."""
    total = RunStats(seconds=seconds)
    for stats in each:
        for name in ("files", "unchanged", "reused", "parsed", "unreadable", "not_activities"):
            setattr(total, name, getattr(total, name) + getattr(stats, name))
    return total


@dataclass(frozen=True, slots=True)
class _FileStamp:
    """What the store keeps to recognise a file: its stat (size, mtime; None when it has none)
    and its metadata's digest (its other content key is the bytes' hash, which whoever loads
    the file finds); and the fingerprint of the profile its metrics are computed with."""

    stat: tuple[int, int] | None
    meta: str
    profile: str


class FileCollector:
    """One run through the files of one or more groups: discovery, the store's answers, and
    the engine's results, each file's outcome kept at its place in discovery order."""

    engine: Engine

    def __init__(
        self, groups: Sequence[Group], store: Store | None, progress: Progress | None
    ) -> None:
        self.groups = groups
        self.fingerprints = [group.profile.fingerprint() for group in groups]
        self.store = store
        self.progress = progress
        self.outcomes: list[list[ActivitySummary] | ReadFailure | None] = []
        self.group_of: list[int] = []  # each outcome's group
        self.ranges: list[slice] = []  # each group's outcomes
        self.stamps: dict[int, _FileStamp] = {}  # of the files the engine has
        self.stats = [RunStats() for _ in groups]
        self.empty_paths: list[list[str]] = [[] for _ in groups]
        self.discovering = True
        self.done = 0

    # --- the walk ---

    def go(self) -> None:
        files: list[tuple[int, Source, Path]] = []
        for number, group in enumerate(self.groups):
            first = len(self.outcomes)
            for given in group.paths:  # one at a time: a path under which nothing is found
                found_before = len(self.outcomes)
                for item in discover([given]):
                    index = len(self.outcomes)
                    self.outcomes.append(None)
                    self.group_of.append(number)
                    self.stats[number].files += 1
                    if isinstance(item, ReadFailure):
                        self._finish(index, item, None)
                        continue
                    behind = file_behind(item)
                    if behind is not None and behind[1]:
                        files.append((index, item, behind[0]))  # a plain file: after discovery
                    else:  # a zip member, while its archive is open
                        self._zip_member(index, item, behind[0] if behind else None)
                    self.engine.poll()
                if len(self.outcomes) == found_before:
                    self.empty_paths[number].append(str(Path(given)))  # as discover names it
            self.ranges.append(slice(first, len(self.outcomes)))
        self.discovering = False
        self._report_progress()
        for start in range(0, len(files), STORE_LOOKUP_FILES):
            self._plain_files(files[start : start + STORE_LOOKUP_FILES])
        self.engine.finish()

    def _fresh(self, row: ResultRow | None, fingerprint: str) -> bool:
        if row is None or row.metrics_version != METRICS_VERSION:
            return False
        if row.failure is not None:
            return row.calfguard_version == CALFGUARD_VERSION
        return row.layout == SUMMARY_LAYOUT and row.profile == fingerprint

    def _profile(self, index: int) -> AthleteProfile:
        return self.groups[self.group_of[index]].profile

    def _stamp(self, index: int, stat: tuple[int, int] | None, meta: str) -> _FileStamp:
        return _FileStamp(stat, meta, self.fingerprints[self.group_of[index]])

    def _plain_files(self, batch: Sequence[tuple[int, Source, Path]]) -> None:
        known: list[tuple[int, Source, str, _FileStamp]] = []
        changed: list[tuple[int, Source, tuple[int, int] | None, str]] = []
        stored = self.store.file_rows(s.path for _, s, _ in batch) if self.store else {}
        for index, source, origin in batch:
            stat = _stat(origin)
            meta = _meta_digest(source.meta)
            stored_hash = _unchanged(stored.get(source.path), stat, meta)
            if stored_hash is None:
                changed.append((index, source, stat, meta))
            else:
                known.append((index, source, stored_hash, self._stamp(index, stat, meta)))
        self.engine.expect(len(changed))
        mtimes = [stat[1] for _, _, stat, _ in changed if stat is not None]
        stored_stats = self.store.stored_stats(mtimes) if self.store else set()
        for index, source, stat, meta in changed:
            stamp = self._stamp(index, stat, meta)
            if stat is not None and _surely_new(source.path, stat, stored, stored_stats):
                job = ParseJob(index, source.path, source.load, None, source.meta,
                               self._profile(index))  # fmt: skip
                self._submit(job, stamp, stat[0])
            else:
                self._read(index, source, stamp)
        if known and self.store is not None:
            rows = self.store.results((h, stamp.meta) for _, _, h, stamp in known)
            for index, source, stored_hash, stamp in known:
                row = rows.get((stored_hash, stamp.meta))
                if not self._from_store(index, source.path, row, stamp, "unchanged"):
                    self._read(index, source, stamp)
                self.engine.poll()

    def _zip_member(self, index: int, source: Source, origin: Path | None) -> None:
        stat = _stat(origin) if origin is not None else None
        stamp = self._stamp(index, stat, _meta_digest(source.meta))
        if self.store is not None:
            stored = self.store.file_rows([source.path]).get(source.path)
            stored_hash = _unchanged(stored, stat, stamp.meta)
            if stored_hash is not None:
                key = (stored_hash, stamp.meta)
                row = self.store.results([key]).get(key)
                if self._from_store(index, source.path, row, stamp, "unchanged"):
                    return
        self._read(index, source, stamp)

    def _from_store(
        self, index: int, path: str, row: ResultRow | None, stamp: _FileStamp, how: str
    ) -> bool:
        """Finishes a file from its stored result, if that is fresh; ``how`` is the stats
        counter it goes to."""
        if row is None or not self._fresh(row, stamp.profile):
            return False
        if row.failure is not None:
            self._finish(index, ReadFailure(path, row.failure, row.not_activity), how)
            return True
        summaries = decode_summaries(row.summaries or "", path)
        if summaries is None:
            return False
        self._finish(index, summaries, how)
        return True

    def _read(self, index: int, source: Source, stamp: _FileStamp) -> None:
        """Loads and hashes a new or changed file; reuses what is stored for its content,
        or has it parsed."""
        data = load_bytes(source)
        if isinstance(data, ReadFailure):
            self._finish(index, data, None)
            return
        digest = content_hash(data)
        if self.store is not None:
            row = self.store.results([(digest, stamp.meta)]).get((digest, stamp.meta))
            if self._from_store(index, source.path, row, stamp, "reused"):
                self._remember(source.path, digest, stamp)
                return
        given = partial(given_bytes, data)
        job = ParseJob(index, source.path, given, digest, source.meta, self._profile(index))
        self._submit(job, stamp, len(data))

    def _remember(self, path: str, digest: str, stamp: _FileStamp) -> None:
        """Records the file under its path; drops paths with the same bytes that are gone
        (the file was renamed, perhaps with a new modification time)."""
        if self.store is None:
            return
        if stamp.stat is not None:
            self.store.put_file(path, *stamp.stat, digest, stamp.meta)
        for other in self.store.paths_with_hash(digest):
            if other != path and _path_removed(other):
                self.store.forget_file(other)

    # --- what the engine parses ---

    def _submit(self, job: ParseJob, stamp: _FileStamp, size_bytes: int) -> None:
        self.stamps[job.index] = stamp
        self.engine.submit(job, size_bytes)

    def handle(self, done: Parsed) -> None:
        """Takes a parsed file from the engine: its outcome, and its result for the store."""
        stamp = self.stamps.pop(done.index)
        self._finish(done.index, done.outcome, None)
        if done.hash is None:
            return  # its bytes could not be loaded: unreadable, not parsed
        self.stats[self.group_of[done.index]].parsed += 1
        if self.store is None or not done.keep:
            return
        failed = isinstance(done.outcome, ReadFailure)
        self.store.put_result(
            ResultRow(
                done.hash,
                stamp.meta,
                METRICS_VERSION,
                SUMMARY_LAYOUT,
                stamp.profile,
                CALFGUARD_VERSION,
                None if failed else done.encoded,
                done.encoded if failed else None,
                isinstance(done.outcome, ReadFailure) and done.outcome.not_activity,
            )
        )
        self._remember(done.path, done.hash, stamp)

    def _finish(
        self, index: int, outcome: list[ActivitySummary] | ReadFailure, how: str | None
    ) -> None:
        self.outcomes[index] = outcome
        stats = self.stats[self.group_of[index]]
        if how == "unchanged":
            stats.unchanged += 1
        elif how == "reused":
            stats.reused += 1
        self.done += 1
        self._report_progress()

    def _report_progress(self) -> None:
        if self.progress is not None:
            self.progress(self.done, len(self.outcomes), not self.discovering)


def _unchanged(row: FileRow | None, stat: tuple[int, int] | None, meta: str) -> str | None:
    """The stored hash of a file whose size and mtime (and metadata) are as stored."""
    if stat is None or row is None or (row.size, row.mtime_ns) != stat or row.meta != meta:
        return None
    return row.hash


def _surely_new(
    path: str,
    stat: tuple[int, int],
    stored: Mapping[str, FileRow],
    stored_stats: set[tuple[int, int]],
) -> bool:
    """Whether a changed file is surely not a stored one renamed, so that the task that
    parses it may load it: a new path whose size and modification time no stored file has
    (a rename or move keeps both; so do `cp -p` and unzip, whose copies are then hashed here
    and reused). A plain copy, with a new modification time, is parsed again: the same
    summaries, for the cost of a parse, where asking by size alone made the client load
    nearly every new file of a large store. (A stored path may have been touched; its bytes
    are hashed here. A stored size of RACY_SIZE is not known.)"""
    size, mtime_ns = stat
    return (
        path not in stored
        and (size, mtime_ns) not in stored_stats
        and (RACY_SIZE, mtime_ns) not in stored_stats
    )


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


def _path_removed(path: str) -> bool:
    """Whether a stored path no longer exists (for a zip member: its archive)."""
    return not os.path.lexists(path.split("!/", 1)[0])
