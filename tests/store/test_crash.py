"""Crash safety and concurrency, with real processes: a run killed with SIGKILL at any moment
leaves a store the next run completes, with the report an uninterrupted run gives; two runs
on one store take turns, and the second gives up cleanly after --lock-timeout."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.store.helpers import ROOT, age, calfguard, report_json, write_runs

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 files: FIT, GPX and TCX, gzipped or not, 20 minutes each, and one broken file."""
    folder = tmp_path_factory.mktemp("history")
    paths = write_runs(folder, 79, samples=1200)
    broken = folder / "broken.tcx"
    broken.write_bytes(b"<TrainingCenterDatabase></TrainingCenterDatabase>")
    age([*paths, broken])
    return folder


def report(folder: Path, db: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "analyzer", "report", str(folder), "--db", str(db),
        "--format", "json", "--jobs", "2", *extra,
    ]  # fmt: skip


def group_gone(pgid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    os.killpg(pgid, signal.SIGKILL)  # do not leave them behind
    return False


def stored_files(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM files").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        conn.close()


def kill(child: subprocess.Popen[bytes]) -> None:
    os.kill(child.pid, signal.SIGKILL)  # the report process only, as the OOM killer would
    child.wait()
    assert group_gone(child.pid, within_s=5)  # its workers left with it


def assert_completed(folder: Path, db: Path, expected: object) -> None:
    resumed = calfguard(*report(folder, db)[3:])
    assert resumed.returncode == 1, resumed.stderr
    assert report_json(resumed.stdout) == expected
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_run_killed_at_any_moment_is_completed_by_the_next(folder: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    whole = calfguard(*report(folder, tmp_path / "whole.sqlite3")[3:])
    duration = time.monotonic() - started
    assert whole.returncode == 1, whole.stderr  # the broken file
    expected = report_json(whole.stdout)
    assert len(expected["activities"]) == 79 and len(expected["errors"]) == 1

    db = tmp_path / "killed.sqlite3"
    interrupted = 0
    for fraction in (0.3, 0.5, 0.7, 0.9):  # starting up, reading, reporting: whatever it hits
        with subprocess.Popen(
            report(folder, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
            start_new_session=True,
        ) as child:  # fmt: skip
            time.sleep(fraction * duration)
            if child.poll() is None:
                interrupted += 1
            kill(child)
    assert interrupted >= 3  # most kills hit a running report
    assert_completed(folder, db, expected)

    # And a kill certain to fall between two commits: once the first results are stored.
    db = tmp_path / "between.sqlite3"
    with subprocess.Popen(
        report(folder, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        start_new_session=True,
    ) as child:  # fmt: skip
        deadline = time.monotonic() + 60
        while child.poll() is None and time.monotonic() < deadline and not stored_files(db):
            time.sleep(0.005)
        kill(child)
    assert 0 < stored_files(db) < 80  # work left for the next run
    assert_completed(folder, db, expected)


def test_two_runs_at_once_take_turns(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    outputs = [tmp_path / "a.json", tmp_path / "b.json"]
    with (
        subprocess.Popen(report(folder, db, "-o", str(outputs[0])), cwd=ROOT) as a,
        subprocess.Popen(report(folder, db, "-o", str(outputs[1])), cwd=ROOT) as b,
    ):
        a.wait(timeout=60)
        b.wait(timeout=60)
    assert (a.returncode, b.returncode) == (1, 1)
    assert report_json(outputs[0].read_text()) == report_json(outputs[1].read_text())
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM files").fetchone()[0] == 80
    conn.close()


HOLD = """
import sys, time
from pathlib import Path
from analyzer.store import Store
store = Store.open(Path(sys.argv[1]))
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
store.close()
"""


def test_a_second_run_waits_for_the_lock_then_gives_up_with_exit_2(
    folder: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), "2"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        locked_at = time.monotonic()
        busy = calfguard(*report(folder, db, "--lock-timeout", "0.5")[3:])
        assert busy.returncode == 2 and busy.stdout == ""
        assert busy.stderr.startswith("Error: another calfguard run is using the store")
        assert "--lock-timeout" in busy.stderr
        patient = calfguard(*report(folder, db, "--lock-timeout", "30")[3:])
        assert patient.returncode == 1, patient.stderr  # waited for the holder, then ran
        assert time.monotonic() - locked_at >= 2
        holder.wait()
