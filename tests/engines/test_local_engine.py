"""The local engine's run_each: where a team's athlete tasks run."""

from __future__ import annotations

import os

from analyzer.engines.local import LocalEngine


def pid_of(item: int) -> tuple[int, int]:
    """Module-level (the pool's workers import it): the item and the process it ran in."""
    return item, os.getpid()


def _run_each(jobs: int, items: int) -> list[tuple[int, int]]:
    engine = LocalEngine(jobs, lambda parsed: None)
    try:
        return sorted(engine.run_each(pid_of, range(items), str))
    finally:
        engine.close()


def test_with_more_than_one_job_every_task_runs_in_the_pool_even_the_first() -> None:
    # Not here first, as parsing is: this process would keep the renderers' memory.
    done = _run_each(2, 5)
    assert [item for item, _ in done] == [0, 1, 2, 3, 4]
    assert os.getpid() not in {pid for _, pid in done}


def test_with_one_job_every_task_runs_here() -> None:
    assert _run_each(1, 3) == [(0, os.getpid()), (1, os.getpid()), (2, os.getpid())]
