"""``--engine dask``: parse tasks on a Dask distributed cluster.

Files go to the cluster in the local engine's batches (16 files or 2 MiB: one task per file
costs 50-60 % more on a small cluster) as ``parse_batch`` tasks, at most two per worker thread
in flight; results come back through a queue that only the collector's thread reads, so the
collector alone touches the store, as with the local engine. A plain file travels as its
absolute path (workers read it: they need the same paths); bytes already read here (a zip
member, a file hashed to check for a rename) travel with the task.

When a worker dies, the scheduler runs its tasks again elsewhere; a file that kills every
worker that tries it (``allowed-failures``), a lost scheduler, or a cluster left without a
worker for ``NO_WORKER_TIMEOUT_S`` ends the run with ``EngineError`` (exit 2). What was
delivered before is in the store, so the next run parses only the rest. The scheduler needs
calfguard installed too: it unpickles the tasks (docs/scale.md).

``distributed`` is an optional dependency (``pip install 'calfguard[dask]'``), imported only here.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from functools import partial
from typing import Any

from analyzer import __version__
from analyzer.engines import Deliver, EngineFactory, Item, Result
from analyzer.engines.local import BATCH_BYTES, BATCH_FILES, IN_FLIGHT_PER_JOB
from analyzer.engines.tasks import Parsed, ParseJob, parse_batch
from analyzer.errors import EngineError

log = logging.getLogger("calfguard")

#: distributed's setting for the length of its developers' logs of recent messages.
LOW_LEVEL_LOG = "distributed.admin.low-level-log-length"

#: A cluster without a worker this long cannot finish: its tasks would wait forever.
NO_WORKER_TIMEOUT_S = 60.0
#: How often a wait looks at whether the cluster still has a worker.
WAIT_SLICE_S = 1.0
CONNECT_TIMEOUT_S = 10.0
#: How often the number of worker threads is asked again (a cluster may grow or shrink).
CAPACITY_CHECK_S = 5.0


class DaskEngine:
    def __init__(self, client: Any, deliver: Deliver) -> None:
        self.client = client
        self.deliver = deliver
        self.max_in_flight = 0  # asked of the scheduler, again every CAPACITY_CHECK_S
        self.capacity_at = -CAPACITY_CHECK_S
        # Each future's task: what it is (for an error) and what to do with its result.
        self.in_flight: dict[Any, tuple[str, Callable[[Any], None]]] = {}
        # Done futures, put by their callback (a Dask thread); only this thread takes them
        # and calls result(), so delivery happens in the collector's thread.
        self.done: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.batch: list[ParseJob] = []
        self.batch_bytes = 0

    def expect(self, files: int) -> None:
        pass  # the cluster is up already

    def submit(self, job: ParseJob, size_bytes: int) -> None:
        self.batch.append(job)
        self.batch_bytes += size_bytes
        if len(self.batch) >= BATCH_FILES or self.batch_bytes >= BATCH_BYTES:
            self._send_batch()

    def poll(self) -> None:
        while True:
            try:
                future = self.done.get_nowait()
            except queue.Empty:
                return
            self._collect(future)

    def finish(self) -> None:
        self._send_batch()
        while self.in_flight:
            self._wait_some()

    def run_each(
        self, task: Callable[[Item], Result], items: Iterable[Item], what: Callable[[Item], str]
    ) -> Iterator[Result]:
        done: deque[Result] = deque()
        for item in items:
            while len(self.in_flight) >= self._capacity():
                self._wait_some()
            self._send(task, item, what(item), done.append)
            self.poll()
            while done:
                yield done.popleft()
        while self.in_flight:
            self._wait_some()
            while done:
                yield done.popleft()

    def close(self) -> None:
        if self.in_flight:  # work not delivered is dropped: free it on the workers
            with contextlib.suppress(Exception):
                self.client.cancel(list(self.in_flight), force=True)
        self.in_flight.clear()
        self.batch.clear()

    def _capacity(self) -> int:
        """Batches in flight: two per worker thread, as the cluster has now (it may grow)."""
        if time.monotonic() - self.capacity_at >= CAPACITY_CHECK_S:
            threads = sum(self.client.nthreads().values()) or 1
            self.max_in_flight = threads * IN_FLIGHT_PER_JOB
            self.capacity_at = time.monotonic()
        return self.max_in_flight

    def _send_batch(self) -> None:
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        if not batch:
            return
        while len(self.in_flight) >= self._capacity():
            self._wait_some()
        what = f"the task reading {batch[0].path} (and {len(batch) - 1} other files)"
        self._send(parse_batch, batch, what, self._deliver_all)

    def _deliver_all(self, results: list[Parsed]) -> None:
        for result in results:
            self.deliver(result)

    def _send(self, task: Callable[[Any], Any], item: Any, what: str,
              on_result: Callable[[Any], None]) -> None:  # fmt: skip
        future = self.client.submit(task, item, pure=False)
        self.in_flight[future] = (what, on_result)
        future.add_done_callback(self.done.put)

    def _wait_some(self) -> None:
        """Delivers at least one batch; fails when the cluster has had no worker too long."""
        no_worker_since: float | None = None
        while True:
            try:
                future = self.done.get(timeout=WAIT_SLICE_S)
            except queue.Empty:
                pass
            else:
                self._collect(future)
                self.poll()
                return
            if self.client.status != "running":
                raise EngineError(f"lost the Dask scheduler (client {self.client.status})")
            if self.client.nthreads():
                no_worker_since = None
            elif no_worker_since is None:
                no_worker_since = time.monotonic()
            elif time.monotonic() - no_worker_since > NO_WORKER_TIMEOUT_S:
                raise EngineError(
                    f"the Dask cluster has had no worker for {NO_WORKER_TIMEOUT_S:.0f} s"
                )

    def _collect(self, future: Any) -> None:
        from distributed.scheduler import KilledWorker

        task = self.in_flight.pop(future, None)
        if task is None:
            return  # dropped by close()
        what, on_result = task
        try:
            result = future.result()
        except KilledWorker as exc:
            raise EngineError(
                f"the workers that ran {what} died every time; what was done before is "
                "kept: rerun to go on"
            ) from exc
        except CancelledError as exc:
            raise EngineError("lost the Dask scheduler: it cancelled the run's tasks") from exc
        except Exception as exc:  # a comm failure, or calfguard missing on the scheduler
            raise EngineError(f"Dask: {type(exc).__name__}: {exc}") from exc
        finally:
            future.release()
        on_result(result)


@contextlib.contextmanager
def dask_engine(
    scheduler: str, make: Callable[[Any, Deliver], DaskEngine] = DaskEngine
) -> Iterator[EngineFactory]:
    """An engine factory on the cluster whose scheduler listens at ``scheduler``
    (``tcp://host:8786``), connected for the ``with`` block; ``EngineError`` when it cannot
    be reached or runs another calfguard. ``make`` builds each engine from the client."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise EngineError(
            "--engine dask needs the distributed package: pip install 'calfguard[dask]'"
        ) from exc
    import dask.config

    _quiet_dask_logs()
    _reachable(scheduler)
    # distributed keeps the last 1,000 messages the client sent, for its developers
    # (low-level-log-length): an athlete's task carries their summaries, so over a team that
    # held up to 1,000 tasks' arguments (+14 MB from 64 to 400 athletes of 8 weeks; hundreds
    # of MB with years of history). The client keeps none: set for its whole life, since a
    # reconnection reads the setting again.
    with dask.config.set({LOW_LEVEL_LOG: 0}):
        try:
            client = Client(  # type: ignore[no-untyped-call]
                scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False
            )
        except (OSError, ValueError, TypeError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        try:
            _same_calfguard(client, scheduler)
            yield partial(make, client)
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]


def _quiet_dask_logs() -> None:
    """distributed logs a lost scheduler with tracebacks, from loggers its config sets levels
    on one by one (distributed.client, ...): our one Error line says it, for cron's mail."""
    for name in [*logging.root.manager.loggerDict, "distributed", "tornado"]:
        if name.split(".")[0] in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def _reachable(scheduler: str) -> None:
    """Fails at once on an address that is not a tcp:// one, or one nobody listens at: a
    Client that fails to connect lingers 20 s at exit and prints its own traceback."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        protocol, location = parse_address(scheduler)
        if protocol != "tcp":  # a failed Client of another protocol lingers 20 s at exit
            raise ValueError(f"calfguard connects to tcp:// schedulers, not {protocol}://")
        host, port = parse_host_port(location)
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except (OSError, ValueError, TypeError) as exc:
        raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc


def _version() -> str:
    """Run on the scheduler and the workers: the calfguard they import."""
    return __version__


def _same_calfguard(client: Any, scheduler: str) -> None:
    """Workers and scheduler must run this calfguard: they unpickle its tasks, and a summary
    made by another version would not be this one's."""
    try:
        found = {**client.run(_version), "scheduler": client.run_on_scheduler(_version)}
    except Exception as exc:
        raise EngineError(
            f"the Dask cluster at {scheduler} cannot run calfguard ({type(exc).__name__}: "
            f"{exc}); install calfguard {__version__} on the scheduler and every worker"
        ) from exc
    other = {where: v for where, v in found.items() if v != __version__}
    if other:
        listed = ", ".join(f"{where}: {v}" for where, v in sorted(other.items()))
        raise EngineError(
            f"the Dask cluster at {scheduler} runs another calfguard ({listed}); this is "
            f"{__version__}"
        )
