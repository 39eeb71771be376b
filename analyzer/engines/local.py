"""The default engine: parse in this process, then in a pool of local worker processes.

A nightly run with a few new files parses them here and never pays for starting workers. Once
parsing has taken ``PARALLEL_AFTER_S`` (or ``PARALLEL_FROM_FILES`` are known to need it), files go
to workers in batches of ``BATCH_FILES`` files or ``BATCH_BYTES`` bytes, and each worker has at
most ``IN_FLIGHT_PER_JOB`` batches waiting: what bounds this process's memory, whatever the size
of the folder. A worker that dies (killed, out of memory) breaks the pool; its files and the
rest are then parsed here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from analyzer.engines import Deliver, Item, Result
from analyzer.engines.tasks import Parsed, ParseJob, parse, parse_batch

log = logging.getLogger("calfguard")

#: Files are parsed in this process until parsing has taken this long; then worker processes
#: start. A nightly run with a few new files does not pay for starting them (0.15-0.5 s).
PARALLEL_AFTER_S = 0.5
#: ... unless this many files are known to need reading: then the workers start at once, and
#: the other cores do not wait out PARALLEL_AFTER_S of parsing here.
PARALLEL_FROM_FILES = 64
#: Files go to workers in batches of this many files or bytes (fewer round trips for small
#: files), and each worker has at most this many batches waiting.
BATCH_FILES = 16
BATCH_BYTES = 2 * 2**20
IN_FLIGHT_PER_JOB = 2


class LocalEngine:
    def __init__(self, jobs: int, deliver: Deliver) -> None:
        self.jobs = max(jobs, 1)
        self.deliver = deliver
        self.pool: ProcessPoolExecutor | None = None
        self.parse_s = 0.0  # spent parsing in this process
        self.in_flight: dict[Future[list[Parsed]], list[ParseJob]] = {}
        self.batch: list[ParseJob] = []  # gathered for the next worker task
        self.batch_bytes = 0

    def expect(self, files: int) -> None:
        if files >= PARALLEL_FROM_FILES and self.jobs > 1 and self.pool is None:
            self.pool = worker_pool(self.jobs)

    def submit(self, job: ParseJob, size_bytes: int) -> None:
        if self.jobs == 1 or (self.pool is None and self.parse_s < PARALLEL_AFTER_S):
            started = time.perf_counter()
            done = parse(job)
            self.parse_s += time.perf_counter() - started
            self.deliver(done)
            return
        self.batch.append(job)
        self.batch_bytes += size_bytes
        if len(self.batch) >= BATCH_FILES or self.batch_bytes >= BATCH_BYTES:
            self._send_batch()

    def poll(self) -> None:
        if any(future.done() for future in self.in_flight):
            self._wait(timeout=0)

    def finish(self) -> None:
        self._send_batch()
        while self.in_flight:
            self._wait()

    def run_each(
        self, task: Callable[[Item], Result], items: Iterable[Item], what: Callable[[Item], str]
    ) -> Iterator[Result]:
        """In the pool (here with one job, or if the pool breaks). Unlike parsing, never here
        first: these tasks (an athlete's analysis and reports) each take about as long as
        starting the pool, and would leave this process holding the renderers' memory
        (matplotlib: about 40 MB) for the rest of the run."""
        running: dict[Future[Result], Item] = {}
        for item in items:
            if self.jobs == 1:
                yield task(item)
                continue
            if self.pool is None:
                self.pool = worker_pool(self.jobs)
            while len(running) >= self.jobs * IN_FLIGHT_PER_JOB:
                yield from self._finished(task, running, FIRST_COMPLETED)
            if self.pool is None:  # it broke while we waited
                yield task(item)
            else:
                running[self.pool.submit(task, item)] = item
        while running:
            yield from self._finished(task, running, FIRST_COMPLETED)

    def _finished(
        self, task: Callable[[Item], Result], running: dict[Future[Result], Item], when: str
    ) -> Iterator[Result]:
        done, _ = wait(list(running), return_when=when)
        for future in done:
            item = running.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool:
                self._broken_pool()
                result = task(item)
            yield result
        if self.pool is None:  # broken: what was in flight is done here
            items = list(running.values())
            running.clear()
            for item in items:
                yield task(item)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.in_flight.clear()

    def _send_batch(self) -> None:
        """Hands the files gathered so far to a worker, waiting while enough are in flight."""
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        if not batch:
            return
        if self.pool is None:
            self.pool = worker_pool(self.jobs)
        while len(self.in_flight) >= self.jobs * IN_FLIGHT_PER_JOB:
            self._wait()
        if self.pool is None:  # it broke while we waited
            self._parse_here(batch)
            return
        self.in_flight[self.pool.submit(parse_batch, batch)] = batch

    def _parse_here(self, batch: Sequence[ParseJob]) -> None:
        for job in batch:
            self.deliver(parse(job))

    def _wait(self, timeout: float | None = None) -> None:
        done, _ = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            if future not in self.in_flight:
                continue  # already parsed here when the pool broke
            batch = self.in_flight.pop(future)
            try:
                results = future.result()
            except BrokenProcessPool:
                self._broken_pool()
                self._parse_here(batch)
                continue
            for result in results:
                self.deliver(result)

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
            self._parse_here(batch)


def worker_pool(jobs: int) -> ProcessPoolExecutor:
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


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
