"""How parse work is executed: the seam between deciding what to read (``collect``) and where
the reading runs.

A team run (``team``) also has each athlete's analysis and reports made where the files are
parsed (``run_each``): one pool, or one cluster client, for the whole run.

The collector hands an engine ``ParseJob``s as it finds files that need parsing; the engine runs
``tasks.parse`` on them, where and when it likes, and hands each ``Parsed`` back through the
``deliver`` callback it was made with, always in the collector's thread. The collector alone
touches the store. ``local.LocalEngine`` runs tasks in this process, then in a process pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from analyzer.engines.tasks import Parsed, ParseJob

__all__ = ["Deliver", "Engine", "EngineFactory", "ParseJob", "Parsed"]

Deliver = Callable[[Parsed], None]
Item = TypeVar("Item")
Result = TypeVar("Result")


class Engine(Protocol):
    def expect(self, files: int) -> None:
        """At least ``files`` more files will be submitted: an engine may start workers now."""

    def submit(self, job: ParseJob, size_bytes: int) -> None:
        """Parses the file (``size_bytes``: its size, which may bound a batch), now or later."""

    def poll(self) -> None:
        """Delivers whatever is done, without waiting."""

    def finish(self) -> None:
        """Delivers everything submitted, waiting for it."""

    def run_each(
        self, task: Callable[[Item], Result], items: Iterable[Item], what: Callable[[Item], str]
    ) -> Iterator[Result]:
        """``task`` (a module-level function) on each item, where files are parsed, with a
        bounded number in flight; results in the order they finish. ``what`` names an item
        in an error. Call it between collections (``finish`` first), not during one."""

    def close(self) -> None:
        """Stops any workers; work not delivered is dropped."""


#: Makes an engine that delivers to the given callback.
EngineFactory = Callable[[Deliver], Engine]
