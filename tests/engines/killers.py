"""Loaders that kill the Dask worker running them: a worker lost mid-run, for the engine tests.
Imported by the workers (they share the tests' sys.path)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable


def kill_once(marker: str, load: Callable[[], bytes]) -> bytes:
    """Kills its worker the first time (the marker file says it did), then loads."""
    try:
        descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return load()
    os.close(descriptor)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def kill_always(load: Callable[[], bytes]) -> bytes:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def kill_once_in_task(marker: str, task: Callable[[object], object], item: object) -> object:
    """``task(item)``, after killing its worker the first time (an athlete's reports)."""
    return kill_once(marker, lambda: task(item))  # type: ignore[arg-type,return-value]
