"""Batch runs end to end: exit codes for cron (0, 1, 2, 3 with --fail-on only for new
findings), the report period (--since/--until), the store's location and --no-cache, the
cache commands, and what goes to stderr."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from analyzer.cli import app
from analyzer.config import read_config
from analyzer.findings_memory import finding_keys, new_findings
from analyzer.guide import Cause
from analyzer.pipeline import Analysis, analyze
from analyzer.rules import Assessment, Finding, Severity
from analyzer.settings import Settings
from analyzer.store import DB_NAME
from tests.store.helpers import age, run_bytes, write_runs

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
CONFIG = SAMPLE / "calfguard.toml"


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def report(*args: str) -> Result:
    return cli("report", "--format", "json", *args)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    write_runs(tmp_path / "runs", 5)
    return tmp_path / "runs"


def test_exit_0_when_every_file_was_read(runs: Path, tmp_path: Path) -> None:
    result = report(str(runs), "--db", str(tmp_path / "s.db"))
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["activities"]) == 5
    assert result.stderr == ""  # not a terminal and not --verbose: nothing


def test_exit_1_when_a_file_could_not_be_read_and_quiet_keeps_to_errors(
    runs: Path, tmp_path: Path
) -> None:
    (runs / "broken.fit").write_bytes(b"\x0e\x10" + bytes(12))
    result = report(str(runs), "--db", str(tmp_path / "s.db"))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0]["path"] == str(runs / "broken.fit")
    assert result.stderr == (
        "calfguard: 1 file could not be read (listed in the report's data quality section)\n"
    )
    quiet = report(str(runs), "--db", str(tmp_path / "s.db"), "--quiet")
    assert quiet.exit_code == 1 and quiet.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last tuesday"], "--since: expected a date like 2026-11-01"),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "--until 2026-11-01 is before"),
        (["--jobs", "0"], "--jobs: expected a whole number from 1"),
        (["--week-start", "someday"], "--week-start: 'someday' is not a weekday name"),
        (["--config", "/nowhere/calfguard.toml"], "does not exist"),
    ],
)
def test_exit_2_for_bad_usage_with_one_error_line(
    runs: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = report(str(runs), "--db", str(tmp_path / "s.db"), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_damaged_store_is_exit_2_until_rebuilt(runs: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    db.write_bytes(b"\x00garbage" * 100)
    damaged = report(str(runs), "--db", str(db))
    assert damaged.exit_code == 2 and damaged.stdout == ""
    assert "damaged" in damaged.stderr and "calfguard cache rebuild" in damaged.stderr
    rebuilt = cli("cache", "rebuild", "--db", str(db))
    assert rebuilt.exit_code == 0 and "Rebuilt an empty store" in rebuilt.stdout
    assert report(str(runs), "--db", str(db)).exit_code == 0
    info = cli("cache", "info", "--db", str(db))
    assert info.exit_code == 0
    assert (
        "files: 5; contents: 5 (0 unreadable, 0 not activities); runs remembered for --fail-on: 1"
        in info.stdout
    )


def test_the_store_lives_in_the_user_cache_unless_told_otherwise(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    default = cache / "calfguard" / DB_NAME
    uncached = report(str(runs), "--no-cache")
    assert uncached.exit_code == 0 and not default.exists()
    cached = report(str(runs), "-v")
    assert cached.exit_code == 0 and default.exists()
    assert f"store: {default}" in cached.stderr
    assert "5 files: 0 unchanged in the store, 0 known content, 5 read" in cached.stderr
    assert cached.stdout == uncached.stdout
    elsewhere = tmp_path / "elsewhere.db"
    monkeypatch.setenv("CALFGUARD_DB", str(elsewhere))
    assert report(str(runs)).exit_code == 0 and elsewhere.exists()


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path]:
    """The sample history without its last two weeks (set aside, to come later)."""
    folder = tmp_path / "history"
    later = tmp_path / "later"
    shutil.copytree(SAMPLE, folder)
    later.mkdir()
    for path in folder.iterdir():
        if path.name[:10] >= "2026-11-08" and path.name[:4].isdigit():
            path.rename(later / path.name)
    return folder, later


def test_fail_on_exits_3_only_for_findings_new_since_the_previous_run(
    history: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, later = history
    common = [str(folder), "--config", str(CONFIG), "--db", str(tmp_path / "s.db")]
    first = report(*common, "--fail-on", "caution")
    assert first.exit_code == 3  # the first run: every finding is new
    assert "new finding(s) at caution or above since the previous run" in first.stderr
    assert report(*common, "--fail-on", "caution").exit_code == 0  # nothing new
    for path in later.iterdir():
        path.rename(folder / path.name)
    arrived = report(*common, "--fail-on", "high")
    assert arrived.exit_code == 3
    assert "2026-11-08 session_spike" in arrived.stderr
    assert report(*common, "--fail-on", "high").exit_code == 0
    assert report(*common, "--fail-on", "caution").exit_code == 0
    # A renamed file's findings are not new: they are keyed by the run's start time.
    (folder / "2026-11-08-0833-long-run.fit").rename(folder / "long.fit")
    assert report(*common, "--fail-on", "caution").exit_code == 0
    # Without a store there is no previous run: every finding is new.
    assert report(*common, "--no-cache", "--fail-on", "high").exit_code == 3


def test_a_run_limited_by_since_or_until_does_not_make_old_findings_new(
    history: tuple[Path, Path], tmp_path: Path
) -> None:
    """An ad-hoc look at a few weeks saw only some findings; it replaced what the nightly
    run compares with, so the next night mailed every old finding as new."""
    folder, later = history
    common = [str(folder), "--config", str(CONFIG), "--db", str(tmp_path / "s.db")]
    assert report(*common, "--fail-on", "caution").exit_code == 3
    assert report(*common, "--since", "2026-10-20").exit_code == 0
    assert report(*common, "--until", "2026-09-10").exit_code == 0
    assert report(*common, "--fail-on", "caution").exit_code == 0  # nothing new
    for path in later.iterdir():
        path.rename(folder / path.name)
    windowed = report(*common, "--since", "2026-11-01", "--fail-on", "high")
    assert windowed.exit_code == 3 and "2026-11-08 session_spike" in windowed.stderr
    assert report(*common, "--fail-on", "high").exit_code == 0  # told already


def test_fail_on_wins_over_unreadable_files(history: tuple[Path, Path], tmp_path: Path) -> None:
    folder, _ = history
    (folder / "broken.gpx").write_bytes(b"<gpx></gpx>")
    result = report(str(folder), "--no-cache", "--fail-on", "caution", "--config", str(CONFIG))
    assert result.exit_code == 3


def test_the_report_period_keeps_the_look_back() -> None:
    settings, _ = read_config(CONFIG)
    whole = analyze([SAMPLE], settings)
    spike = [f for f in whole.assessment.findings if f.rule == "session_spike"]  # type: ignore[union-attr]
    assert [f.date for f in spike] == [date(2026, 11, 8)]
    window = analyze([SAMPLE], settings, since=date(2026, 11, 2), until=date(2026, 11, 15))
    assert window.assessment is not None and window.history is not None
    assert window.period == (date(2026, 11, 2), date(2026, 11, 15))
    # The spike needs the 30 days before it: they are outside the period, and still count.
    assert any(f.rule == "session_spike" for f in window.assessment.findings)
    assert all(
        date(2026, 11, 2) <= f.date <= date(2026, 11, 15) for f in window.assessment.findings
    )
    assert [w.week_start for w in window.history.weeks] == [date(2026, 11, 2), date(2026, 11, 9)]
    assert {s.start_time.date() for s in window.summaries} <= {
        date(2026, 11, d) for d in range(1, 16)
    }
    assert len(window.summaries) < len(whole.summaries)
    # Runs after --until are left out, as if the report were made that day.
    before = analyze([SAMPLE], settings, until=date(2026, 11, 7))
    assert before.history is not None and before.history.last_day <= date(2026, 11, 7)
    assert not any(f.severity is Severity.HIGH for f in before.assessment.findings)  # type: ignore[union-attr]


def test_since_and_until_on_the_command_line(tmp_path: Path) -> None:
    result = report(
        str(SAMPLE), "--config", str(CONFIG), "--no-cache", "--since", "2026-11-09",
        "--until", "2026-11-15",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {a["local_date"] for a in document["activities"]} <= {
        f"2026-11-{d:02d}" for d in range(9, 16)
    }
    assert [w["week_start"] for w in document["weeks"]] == ["2026-11-09"]
    assert all("2026-11-09" <= f["date"] <= "2026-11-15" for f in document["findings"])
    # The period is the report's, as the terminal report's headline says, not the history's.
    assert document["period"] == {"first_day": "2026-11-09", "last_day": "2026-11-15"}


def test_a_new_file_is_read_by_the_next_run(runs: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    age(list(runs.iterdir()))  # written moments ago, a file would be hashed again
    report(str(runs), "--db", str(db))
    (runs / "run-0099.fit").write_bytes(run_bytes(99))
    result = report(str(runs), "--db", str(db), "-v")
    assert result.exit_code == 0
    assert "6 files: 5 unchanged in the store, 0 known content, 1 read" in result.stderr
    assert len(json.loads(result.stdout)["activities"]) == 6


def test_a_finding_about_neither_a_run_nor_a_week_is_new_only_when_its_subject_is() -> None:
    def shoe(name: str, km: float, day: int, severity: Severity = Severity.CAUTION) -> Finding:
        return Finding(
            "shoe_mileage", Cause.FOOTWEAR, severity, date(2026, 11, day),
            f"{name}: {km:.0f} km ({km / 1.609344:.0f} mi), past the 600-800 km after which "
            "shoes are commonly replaced.", "advice", "evidence",
        )  # fmt: skip

    def analysis(*findings: Finding) -> Analysis:
        return Analysis(Settings(), assessment=Assessment(list(findings), []))

    before = finding_keys(analysis(shoe("Road shoes 2", 640, 10)))
    later = analysis(shoe("Road shoes 2", 652, 12))  # another run in the same pair
    assert new_findings(later, before, Severity.CAUTION) == []
    other = analysis(shoe("Road shoes 2", 652, 12), shoe("Trail shoes", 610, 12))
    assert [f.message[:11] for f in new_findings(other, before, Severity.CAUTION)] == [
        "Trail shoes"
    ]
    worse = analysis(shoe("Road shoes 2", 820, 20, Severity.HIGH))
    assert len(new_findings(worse, before, Severity.HIGH)) == 1  # caution -> high is new
