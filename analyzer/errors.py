"""The errors calfguard raises.

    AnalyzerError                  base of everything below
    +-- ReadError                  a file that looks like an activity cannot be read (path, reason)
    |   +-- RouteNotActivity       a planned route or course (GPX route or untimed track, TCX
    |                              course, FIT course file): nothing was recorded; skipped,
    |                              not counted as unreadable
    +-- FitDeclined                the fast FIT decoder does not handle this file (reason);
    |                              the fitparse fallback decodes it instead. Never leaves readers/.
    +-- ConfigError                bad settings or a bad config file (names the key)
    +-- StoreError                 the store cannot be used: damaged, foreign, read-only, or
    |   |                          written by a newer calfguard (says what to do)
    |   +-- StoreBusy              another run holds the store longer than --lock-timeout
    +-- EngineError                the cluster cannot finish the run (--engine dask): no
                                   scheduler, no workers, a file that kills every worker

In a batch a ``ReadError`` becomes an entry in the run's errors (a ``RouteNotActivity``, in its
not_activities); it never ends the batch.
``ConfigError``, ``StoreError`` and ``EngineError`` end the run before any report (exit code 2);
what the store took before an ``EngineError`` stays, so a rerun parses only the rest.
"""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base class for every error calfguard raises on purpose."""


class ReadError(AnalyzerError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class RouteNotActivity(ReadError):
    pass


class FitDeclined(AnalyzerError):
    def __init__(self, reason: str, offset: int | None = None) -> None:
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(f"{reason}{where}")
        self.reason = reason
        self.offset = offset


class ConfigError(AnalyzerError):
    pass


class StoreError(AnalyzerError):
    pass


class StoreBusy(StoreError):
    pass


class EngineError(AnalyzerError):
    """The engine cannot finish the run: the Dask scheduler is unreachable or gone, the cluster
    has no worker, or the same files killed every worker that tried them."""


class ReportError(AnalyzerError):
    """A report cannot be written (a full disk, a read-only folder)."""
