"""The command line end to end, on the committed sample history."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.history import build_history
from tests.factories import activity, full_samples

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
# The contract in docs (design.md, "Interfaces"): scripts rely on these names.
ACTIVITY_FIELDS = {
    "id", "path", "format", "sport", "start_time", "local_date", "distance_m", "moving_time_s",
    "elapsed_time_s", "ascent_m", "descent_m", "avg_cadence_spm", "avg_step_length_m",
    "duplicate_of",
}  # fmt: skip
runner = CliRunner()


def test_json_report_on_the_sample_history() -> None:
    result = runner.invoke(
        app, ["report", str(SAMPLE), "--format", "json", "--timezone", "Europe/Zurich"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema_version"] == "1.0"
    assert document["errors"] == []
    planned = build_history()
    assert len(document["activities"]) == len(planned)
    for row in document["activities"]:
        assert set(row) >= ACTIVITY_FIELDS
    by_name = {Path(row["path"]).name: row for row in document["activities"]}
    truncated = by_name["2026-11-10-1833-easy-run-truncated.fit"]
    assert any("truncated" in note for note in truncated["quality"]["notes"])
    midnight = by_name["2026-11-13-2332-easy-run.fit"]
    assert (midnight["local_date"], midnight["local_start_time"][11:16]) == ("2026-11-13", "23:32")
    # GPX carries no offset: the configured zone places it on the local calendar.
    gpx = by_name["2026-08-26-strava-export.gpx"]
    assert gpx["local_start_time"].endswith("+02:00")
    for plan in planned:
        row = by_name[plan.filename]
        assert row["sport"] == plan.activity.sport.value
        if plan.activity.sport.is_running and not plan.damaged:
            expected_m = plan.activity.samples.distance_m[-1]
            assert abs(row["distance_m"] - expected_m) <= 0.005 * expected_m, plan.filename


def test_terminal_report_lists_activities_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "run.fit").write_bytes(fit_bytes(activity(full_samples(600))))
    (tmp_path / "broken.gpx").write_bytes(b"<gpx><trk><trkseg></trkseg></trk></gpx>")
    (tmp_path / "notes.txt").write_text("not an activity")
    result = runner.invoke(app, ["report", str(tmp_path)], env={"NO_COLOR": "1", "COLUMNS": "160"})
    assert result.exit_code == 1  # the report was produced; a file could not be read
    # The activity list is `calfguard activities`; the report leads with the period.
    assert "1 May 2024 (1 day): 1 run, 1.9 km; 1 activity read." in result.stdout
    assert "Files that could not be read (1):" in result.stdout
    assert "broken.gpx" in result.stdout and "notes.txt" not in result.stdout
    listed = runner.invoke(app, ["activities", str(tmp_path)], env={"COLUMNS": "160"})
    assert "2024-05-01" in listed.stdout and "1.88" in listed.stdout


def test_bad_usage_is_exit_2_with_one_error_line() -> None:
    result = runner.invoke(app, ["report", str(SAMPLE), "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: --timezone: unknown time zone 'Mars/Olympus' "
        "(use an IANA name such as Europe/Zurich)"
    )


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    (tmp_path / "run.fit").write_bytes(fit_bytes(activity(full_samples(300))))
    done = subprocess.run(
        [sys.executable, "-m", "analyzer", "report", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["activities"]) == 1


def test_a_report_file_is_replaced_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analyzer.cli

    output = tmp_path / "report.json"
    args = ["report", str(SAMPLE), "--format", "json", "--output", str(output)]
    assert runner.invoke(app, args).exit_code == 0
    good = output.read_text()
    assert json.loads(good)["activities"]

    def broken(analysis: object) -> Iterator[str]:
        yield '{"schema_version": "1.0",'
        raise RuntimeError("the disk went away half-way")

    monkeypatch.setattr(analyzer.cli, "json_pieces", broken)
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert output.read_text() == good  # last night's report, untouched
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no half-written file


def test_a_report_written_through_a_link_replaces_its_target_and_keeps_its_mode(
    tmp_path: Path,
) -> None:
    target = tmp_path / "served" / "latest.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    args = ["report", str(SAMPLE), "--format", "json", "--output", str(link)]
    target.chmod(0o640)
    assert runner.invoke(app, args).exit_code == 0
    assert link.is_symlink()
    assert target.stat().st_mode & 0o777 == 0o640  # as it was
    assert json.loads(target.read_text())["activities"]


@pytest.mark.parametrize(
    ("target", "fmt", "error"),
    [
        ("folder", "json", "Error: cannot write {folder}: it is a folder"),
        ("file", "csv", "Error: cannot write the CSV files into {file}: it is not a folder"),
        ("file/r.json", "json", "Error: cannot write {file}/r.json: {file} is not a folder"),
        ("missing/r.json", "json", "Error: cannot write {missing}/r.json: the folder {missing} "
         "does not exist"),
        ("/dev/full", "json", "Error: cannot write the report to /dev/full: No space left on "
         "device"),
        ("/dev/full", "html", "Error: cannot write the report to /dev/full: No space left on "
         "device"),
        ("/dev/full", "terminal", "Error: cannot write the report to /dev/full: No space left "
         "on device"),
    ],
)  # fmt: skip
def test_a_report_that_cannot_be_written_is_exit_2_with_the_reason(
    tmp_path: Path, target: str, fmt: str, error: str
) -> None:
    """Cron reads 1 as "report produced": an unwritable output was a traceback and exit 1."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("not a folder")
    names = {name: tmp_path / name for name in ("folder", "file", "missing")}
    output = target if target.startswith("/") else str(tmp_path / target)
    result = runner.invoke(app, ["report", str(SAMPLE), "-f", fmt, "-o", output, "--no-cache"])
    assert result.exit_code == 2
    assert result.stderr.strip() == error.format(**names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder"]


def test_a_write_failing_half_way_keeps_the_findings_new_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No report reached anyone, so the next run must still count its findings as new."""
    import analyzer.cli

    output = tmp_path / "report.json"
    db = tmp_path / "store.sqlite3"
    args = ["report", str(SAMPLE), "-f", "json", "-o", str(output), "--db", str(db)]

    def disk_full(analysis: object) -> Iterator[str]:
        yield '{"schema_version": "1.0",'
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(analyzer.cli, "json_pieces", disk_full)
    failed = runner.invoke(app, [*args, "--fail-on", "caution"])
    assert failed.exit_code == 2
    assert failed.stderr.strip().endswith(f"to {output}: No space left on device")
    assert not [p.name for p in tmp_path.iterdir() if "report" in p.name]  # nor a partial one
    monkeypatch.undo()
    assert runner.invoke(app, [*args, "--fail-on", "caution"]).exit_code == 3  # still news
    assert runner.invoke(app, [*args, "--fail-on", "caution"]).exit_code == 0


@pytest.mark.parametrize(
    "command",
    [["report", "-f", "json"], ["report"], ["report", "-f", "markdown"], ["weeks"], ["activities"]],
)
def test_a_closed_pipe_is_exit_2_with_the_reason(command: list[str]) -> None:
    """``calfguard report | head``: the output did not reach its reader, in every format (rich
    would otherwise exit 1 without a word, as if some files were unreadable). The reader is
    gone before the first byte, so no output fits in the pipe first, whatever its size."""
    run = [sys.executable, "-m", "analyzer", command[0], str(SAMPLE), *command[1:], "--no-cache"]
    with subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        stderr = process.stderr.read().decode()
        assert process.wait() == 2
    assert stderr == "Error: cannot write the report to standard output: Broken pipe\n"
