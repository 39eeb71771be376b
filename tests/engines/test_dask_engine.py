"""--engine dask on a real LocalCluster (two worker processes): the same reports as the local
engine byte for byte, a worker killed mid-run loses nothing, a file that kills every worker
ends the run with exit 2 keeping what was read, and the errors a cron operator can meet."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import dask.config
import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.engines import Deliver
from analyzer.engines.dask_cluster import LOW_LEVEL_LOG, DaskEngine, dask_engine
from analyzer.engines.tasks import ParseJob
from analyzer.errors import EngineError
from analyzer.pipeline import analyze
from analyzer.report.json_report import render_json
from analyzer.store import Store
from tests.engines import killers
from tests.report.conftest import SAMPLE

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Two single-threaded worker processes with nannies (a killed worker is restarted),
    listening on localhost only, no fixed port (the dashboard's 8787 included)."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        scheduler_port=0, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
    )  # fmt: skip
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close(timeout=10)


def _wait_for_workers(address: str) -> None:
    with distributed.Client(address, timeout=10, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=30)


def _report(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, ["report", str(SAMPLE), "-f", "json", "--no-cache", *args])
    return done.exit_code, done.stdout, done.stderr


def test_the_dask_engine_gives_the_local_engines_report_byte_for_byte(scheduler: str) -> None:
    local = _report("--jobs", "2")
    on_dask = _report("--engine", "dask", "--scheduler", scheduler)
    assert local[0] == on_dask[0] == 0
    assert on_dask[1] == local[1] and len(local[1]) > 100_000


def test_the_scheduler_comes_from_the_environment_too(
    scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALFGUARD_ENGINE", "dask")
    monkeypatch.setenv("CALFGUARD_DASK_SCHEDULER", scheduler)
    assert _report() == _report("--engine", "local")
    shown = CliRunner().invoke(app, ["config", "show"]).stdout
    assert 'engine = "dask"' in shown and "environment CALFGUARD_ENGINE" in shown
    assert f'scheduler = "{scheduler}"' in shown


class _Poisoned(DaskEngine):
    """Gives one file's job a loader that kills its worker (``poison`` wraps the loader)."""

    def __init__(self, client: Any, deliver: Deliver, victim: str, poison: Any) -> None:
        super().__init__(client, deliver)
        self.victim, self.poison = victim, poison

    def submit(self, job: ParseJob, size_bytes: int) -> None:
        if job.path.endswith(self.victim):
            job = dataclasses.replace(job, load=partial(self.poison, job.load))
        super().submit(job, size_bytes)


VICTIM = "2026-08-22-1304-long-run.fit"


def test_a_worker_killed_mid_run_loses_nothing(scheduler: str, tmp_path: Path) -> None:
    """The scheduler runs the dead worker's tasks again elsewhere: the same report."""
    expected = render_json(analyze([SAMPLE], jobs=2))
    marker = str(tmp_path / "killed-once")
    poisoned = partial(_Poisoned, victim=VICTIM, poison=partial(killers.kill_once, marker))
    with dask_engine(scheduler, make=poisoned) as factory:
        analysis = analyze([SAMPLE], engine=factory)
    assert Path(marker).exists(), "a worker was killed"
    assert render_json(analysis) == expected
    _wait_for_workers(scheduler)


def test_a_file_that_kills_every_worker_ends_the_run_and_keeps_what_was_read(
    scheduler: str, tmp_path: Path
) -> None:
    """After allowed-failures deaths the task fails: EngineError (exit 2 in the CLI). What
    was delivered before is in the store: the next run parses only the rest, and reports the
    same as a run that never failed."""
    db = tmp_path / "store.sqlite3"
    poisoned = partial(_Poisoned, victim=VICTIM, poison=killers.kill_always)
    with (
        pytest.raises(EngineError, match="died every time"),
        Store.open(db) as store,
        dask_engine(scheduler, make=poisoned) as factory,
    ):
        analyze([SAMPLE], store=store, engine=factory)
    _wait_for_workers(scheduler)
    with Store.open(db) as store:
        rerun = analyze([SAMPLE], store=store)
    assert 0 < rerun.stats.parsed < rerun.stats.files  # some were kept from the failed run
    assert render_json(rerun) == render_json(analyze([SAMPLE]))


def test_the_client_keeps_no_copy_of_the_tasks_it_sent(scheduler: str) -> None:
    """distributed would keep the last 1,000 messages sent, an athlete's summaries among
    them: the client's memory would grow with the team up to that many tasks."""
    engines: list[DaskEngine] = []

    def make(client: Any, deliver: Deliver) -> DaskEngine:
        engines.append(DaskEngine(client, deliver))
        return engines[-1]

    with dask_engine(scheduler, make=make) as factory:
        analysis = analyze([SAMPLE], engine=factory)
        sent = engines[0].client.scheduler_comm.recent_message_log
        assert analysis.stats.parsed > 50
        assert (len(sent), sent.maxlen) == (0, 0)
        # A reconnection makes a new log from the setting: it holds while the client lives.
        assert dask.config.get(LOW_LEVEL_LOG) == 0


def test_an_unreachable_scheduler_is_exit_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from analyzer.engines import dask_cluster

    monkeypatch.setattr(dask_cluster, "CONNECT_TIMEOUT_S", 1.0)
    code, stdout, stderr = _report("--engine", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert (code, stdout) == (2, "")
    assert stderr.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: ")


def test_dask_without_a_scheduler_is_a_usage_error() -> None:
    code, stdout, stderr = _report("--engine", "dask")
    assert (code, stdout) == (2, "")
    assert stderr == (
        "Error: --engine dask needs the scheduler's address: --scheduler tcp://HOST:8786, "
        "CALFGUARD_DASK_SCHEDULER or scheduler in the config file\n"
    )
    code, _, stderr = _report("--engine", "spark")
    assert code == 2 and "must be one of local, dask, not 'spark'" in stderr


def test_a_relative_path_reaches_the_workers(
    scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cd ~ && calfguard report watch``: a worker runs in its own folder, so each file's
    path goes to it absolute (the report still names the paths as typed)."""
    monkeypatch.chdir(SAMPLE.parent)
    args = ["report", SAMPLE.name, "-f", "json", "--no-cache"]
    local = CliRunner().invoke(app, [*args, "--jobs", "2"])
    on_dask = CliRunner().invoke(app, [*args, "--engine", "dask", "--scheduler", scheduler])
    assert (local.exit_code, on_dask.exit_code) == (0, 0)
    assert on_dask.stdout == local.stdout and f'"{SAMPLE.name}/' in local.stdout


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("bogus", "missing port number in address 'bogus'"),
        ("tls://127.0.0.1:9", "calfguard connects to tcp:// schedulers, not tls://"),
    ],
)
def test_an_address_that_cannot_work_fails_at_once(address: str, reason: str) -> None:
    code, stdout, stderr = _report("--engine", "dask", "--scheduler", address)
    assert (code, stdout) == (2, "")
    assert stderr == f"Error: cannot reach the Dask scheduler at {address}: {reason}\n"


# --- a team run (calfguard team) ---------------------------------------------------------------

SAMPLE_TEAM = SAMPLE / "team"


def _team(out: Path, *args: str) -> tuple[int, str, dict[str, bytes]]:
    done = CliRunner().invoke(
        app, ["team", str(SAMPLE_TEAM), "--out", str(out), "--no-cache", "-f", "json", *args]
    )
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.*"))}
    return done.exit_code, done.stdout, files


def test_a_team_run_on_dask_writes_the_local_engines_reports_byte_for_byte(
    scheduler: str, tmp_path: Path
) -> None:
    local = _team(tmp_path / "local", "--jobs", "2")
    on_dask = _team(tmp_path / "dask", "--engine", "dask", "--scheduler", scheduler)
    assert local[0] == on_dask[0] == 1  # dev's unreadable file
    assert on_dask[1] == local[1]
    assert on_dask[2] == local[2]
    assert len(local[2]) == 4 * 3 + 2  # every athlete's three reports, index.html, team.json


class _KillingTeamEngine(DaskEngine):
    """Kills the worker that makes the first athlete's reports, once."""

    def __init__(self, client: Any, deliver: Deliver, marker: str) -> None:
        super().__init__(client, deliver)
        self.marker = marker

    def run_each(self, task: Any, items: Any, what: Any) -> Any:
        return super().run_each(partial(killers.kill_once_in_task, self.marker, task), items, what)


def test_a_worker_killed_while_making_reports_loses_nothing(scheduler: str, tmp_path: Path) -> None:
    from analyzer.engines.local import LocalEngine
    from analyzer.team import run_team
    from analyzer.team_config import read_team

    team = read_team(SAMPLE_TEAM)
    expected = run_team(team, partial(LocalEngine, 2), out=tmp_path / "local")
    marker = str(tmp_path / "killed-once")
    with dask_engine(scheduler, make=partial(_KillingTeamEngine, marker=marker)) as factory:
        on_dask = run_team(team, factory, out=tmp_path / "dask")
    assert Path(marker).exists(), "a worker was killed"
    assert [line.to_json() for line in on_dask.lines] == [line.to_json() for line in expected.lines]
    for name in ("ana/report.json", "dev/report.html", "chloe/report.md"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    _wait_for_workers(scheduler)
