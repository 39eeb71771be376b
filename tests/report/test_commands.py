"""calfguard activities, show and weeks; and every command is documented."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import typer

from analyzer.cli import app
from analyzer.pipeline import Analysis
from tests.report.conftest import CONFIG, ROOT, SAMPLE, flat, run

DOCS = ROOT / "docs" / "report.md"


def test_activities_table(sample: Analysis) -> None:
    result = run("activities", "--config", str(CONFIG), str(SAMPLE), columns=160)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(
        "Activities (63)  53 runs, 530.5 km (duplicates counted once, implausible ones not at all)"
    )
    rows = [line for line in out.splitlines() if re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", line)]
    assert len(rows) == len(sample.summaries) == 63
    assert rows[0].split()[:6] == ["2026-08-04", "18:34", "run", "8.11", "48:08", "5:56"]
    assert "2026-08-26-strava-export.gpx (duplicate, not counted)" in out


def test_activities_filters() -> None:
    base = ("activities", "--config", str(CONFIG), str(SAMPLE), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(run(*base, "--since", "2026-11-01").stdout)))
    assert [r["local_date"] for r in rows][:2] == ["2026-11-01", "2026-11-03"] and len(rows) == 12
    trail = run(*base, "--since", "2026-09-20", "--until", "2026-10-11", "--sport", "trail_running")
    rows = list(csv.DictReader(io.StringIO(trail.stdout)))
    assert [r["local_date"] for r in rows] == [
        "2026-09-24",
        "2026-09-26",
        "2026-09-30",
        "2026-10-03",
        "2026-10-08",
        "2026-10-11",
    ]
    rides = run(*base, "--sport", "cycling").stdout
    assert len(list(csv.DictReader(io.StringIO(rides)))) == 9
    bad = run("activities", str(SAMPLE), "--since", "yesterday")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: --since")


def test_activities_in_miles() -> None:
    out = run(
        "activities", "--config", str(CONFIG), str(SAMPLE), "--units", "mi", columns=120
    ).stdout
    first = next(line for line in out.splitlines() if line.startswith("2026-08-04"))
    assert first.split()[3:6] == ["5.04", "48:08", "9:33"]  # 8.11 km at 5:56 /km


def test_show_one_activity() -> None:
    path = SAMPLE / "2026-08-22-1304-long-run.fit"
    result = run("show", "--config", str(CONFIG), str(path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for group in (
        "Activity",
        "Totals",
        "Cadence and steps",
        "Running dynamics",
        "Elevation",
        "Heart rate",
        "Intensity",
        "Temperature",
        "Warm-up",
        "The device's own totals",
        "Data quality",
    ):
        assert re.search(rf"^ ?{re.escape(group)}\s*$", out, re.M), group
    text = flat(out)
    assert "distance 17.04 km" in text
    assert re.search(r"moving speed \d+\.\d km/h \(\d:\d\d /km\)", text)
    assert re.search(r"mean \d{3} spm", text) and re.search(r"mean \d{3} bpm", text)
    assert re.search(r"ground contact time \d{3} ms", text)
    assert "time in zones 1-5 Z1" in text
    assert "altitude source barometric" in text
    assert "Findings about this run" in text and "Heat:" in text  # 103 min at 29 C


def test_show_a_damaged_file_in_miles() -> None:
    path = SAMPLE / "2026-11-10-1833-easy-run-truncated.fit"
    out = flat(run("show", str(path), "--units", "mi").stdout)
    assert "Notes on this file" in out and "truncated at byte 19213" in out
    assert " mi " in out and re.search(r"\d:\d\d /mi", out)


def test_show_an_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.fit"
    bad.write_bytes(b"nothing")
    result = run("show", str(bad))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"Error: {bad}: not a FIT, GPX or TCX file (content not recognised)\n"


def test_weeks(sample: Analysis) -> None:
    out = run("weeks", "--config", str(CONFIG), str(SAMPLE)).stdout
    assert out.startswith("Weekly load  4 Aug - 22 Nov 2026")
    assert sample.history is not None
    assert len([line for line in out.splitlines() if re.match(r"\d+ \w{3}\*? ", line)]) == len(
        sample.history.weeks
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                run("weeks", "--config", str(CONFIG), str(SAMPLE), "--format", "csv").stdout
            )
        )
    )
    assert len(rows) == 16 and rows[5]["week_start"] == "2026-09-07"
    assert float(rows[5]["running_distance_m"]) == sample.history.weeks[5].running_distance_m


def test_every_command_is_documented() -> None:
    """House style: each command appears in docs/report.md or the README, and the options
    of the report-rendering commands in docs/report.md."""
    docs = DOCS.read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    click_app = typer.main.get_command(app)
    assert isinstance(click_app, typer.core.TyperGroup)
    for name, command in click_app.commands.items():
        assert f"calfguard {name}" in docs + readme, name
        if name in ("activities", "show", "weeks"):
            for param in command.params:
                for option in param.opts:
                    if option.startswith("--"):
                        assert option in docs, f"{name} {option}"
    for option in ("--format", "--output", "--units", "--all"):
        assert option in docs


def test_the_table_commands_share_the_reports_store(tmp_path: Path) -> None:
    from analyzer.store import Store

    db = tmp_path / "store.sqlite3"
    first = run("activities", str(SAMPLE), "--config", str(CONFIG), env={"CALFGUARD_DB": str(db)})
    assert first.exit_code == 0, first.output
    with Store.open(db) as store:
        files = store.counts()["files"]
    assert files == len(
        [p for p in SAMPLE.iterdir() if ".fit" in p.name or ".gpx" in p.name or ".tcx" in p.name]
    )
    again = run("weeks", str(SAMPLE), "--config", str(CONFIG), env={"CALFGUARD_DB": str(db)})
    assert again.exit_code == 0
    with Store.open(db) as store:
        assert store.counts()["files"] == files


def test_the_table_commands_take_the_reports_store_options(tmp_path: Path) -> None:
    """Their store's messages (busy, damaged) point at --db, --no-cache and --lock-timeout,
    which they did not have."""
    from analyzer.store import Store

    db = tmp_path / "own.sqlite3"
    unused = tmp_path / "unused.sqlite3"
    env = {"CALFGUARD_DB": str(unused)}
    listed = run("activities", str(SAMPLE), "--config", str(CONFIG), "--db", str(db), env=env)
    assert listed.exit_code == 0, listed.output
    with Store.open(db) as store:
        assert store.counts()["files"] > 0
    weekly = run("weeks", str(SAMPLE), "--config", str(CONFIG), "--no-cache", "-j", "1", env=env)
    assert weekly.exit_code == 0, weekly.output
    assert not unused.exists()
    with Store.open(db, 5.0):  # held: the next run on it gives up after its --lock-timeout
        busy = run("weeks", str(SAMPLE), "--db", str(db), "--lock-timeout", "0.2", env=env)
    assert busy.exit_code == 2
    assert "another calfguard run is using the store" in busy.stderr
