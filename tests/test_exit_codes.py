"""Exit codes and errors, the same in report, activities, weeks and show (docs/cron.md): 0 the
output was written and every file read; 1 written, but some files could not be read (each
listed where the output has room, else on stderr); 2 nothing written, with ``Error:`` lines
first on stderr, even with --quiet. Planned routes and courses are skipped, not unreadable."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from analyzer.cli import LOOKS_FOR, app
from analyzer.samplegen.fit_writer import FILE_TYPE_COURSE, fit_bytes
from tests.factories import activity, full_samples
from tests.store.helpers import write_runs

READER_DATA = Path(__file__).parent / "readers" / "data"
NOT_RECOGNISED = "not a FIT, GPX or TCX file (content not recognised)"
#: The commands that read folders; ``show`` reads one file.
TABLES = ("report", "activities", "weeks")
#: The routes and courses of ``routes()``, by name, with the reason each is skipped.
ROUTE_REASONS = {
    "course.fit": "FIT course file: a planned route, nothing was recorded",
    "course.tcx": "TCX course without an activity: nothing was recorded",
    "route.gpx": "GPX with only a planned route (<rte>), no recorded track: nothing was recorded",
    "untimed.gpx": "GPX track without timestamps: a planned route, nothing was recorded",
}


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


def routes(folder: Path) -> list[Path]:
    """A FIT course (the project's writer), a TCX course, a GPX route and an untimed track."""
    folder.mkdir(parents=True, exist_ok=True)
    course = fit_bytes(activity(full_samples(60)), file_type=FILE_TYPE_COURSE)
    (folder / "course.fit").write_bytes(course)
    shutil.copy(READER_DATA / "course-only.tcx", folder / "course.tcx")
    shutil.copy(READER_DATA / "route-no-times.gpx", folder / "route.gpx")
    shutil.copy(READER_DATA / "track-no-times.gpx", folder / "untimed.gpx")
    return [folder / name for name in sorted(ROUTE_REASONS)]


def broken(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"broken-{i:02d}.fit" for i in range(count)]
    for path in paths:
        path.write_bytes(b"not a fit file")
    return paths


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    write_runs(tmp_path / "runs", 3)
    return tmp_path / "runs"


# --- 2: nothing written ----------------------------------------------------------------------


@pytest.mark.parametrize("command", [*TABLES, "show"])
def test_a_missing_path_is_exit_2_with_the_error_first_even_with_quiet(
    command: str, tmp_path: Path
) -> None:
    missing = tmp_path / "watch"
    quiet = ["--quiet"] if command == "report" else []
    result = cli(command, str(missing), *quiet)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"Error: {missing}: no such file or folder\n"


def _empty_folder(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


def _only_notes(tmp_path: Path) -> Path:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "notes.txt").write_text("felt good")
    (tmp_path / "notes" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    return tmp_path / "notes"


def _zip_without_activities(tmp_path: Path) -> Path:
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr("activities.csv", "Activity ID,Filename\n")
    return tmp_path / "export.zip"


@pytest.mark.parametrize("command", TABLES)
@pytest.mark.parametrize("make", [_empty_folder, _only_notes, _zip_without_activities])
def test_no_activity_files_found_is_exit_2_and_says_what_is_looked_for(
    command: str, make: object, tmp_path: Path
) -> None:
    assert callable(make)
    folder = make(tmp_path)
    result = cli(command, str(folder), "--no-cache")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"Error: {folder}: no activity files found ({LOOKS_FOR})\n"
    assert LOOKS_FOR == (
        "calfguard reads FIT, GPX and TCX files, gzipped or not, in folders and zip archives "
        "such as a Strava export"
    )


@pytest.mark.parametrize("command", TABLES)
def test_files_found_but_none_readable_is_exit_2_and_lists_them(
    command: str, tmp_path: Path
) -> None:
    folder = tmp_path / "watch"
    unreadable = broken(folder, 10)
    skipped = routes(folder)
    result = cli(command, str(folder), "--no-cache")
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: {folder}: none of the 14 files found could be read as an activity:"
    named = sorted([*unreadable, *skipped])[:10]  # by path, then how many more
    reasons = {**dict.fromkeys(map(str, unreadable), NOT_RECOGNISED)}
    reasons.update({str(p): ROUTE_REASONS[p.name] for p in skipped})
    assert lines[1:] == [f"  {p}: {reasons[str(p)]}" for p in named] + ["  and 4 more"]


def test_one_file_found_and_unreadable_says_so_in_the_singular(tmp_path: Path) -> None:
    (bad,) = broken(tmp_path / "watch", 1)
    result = cli("report", str(tmp_path / "watch"), "--no-cache")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {tmp_path / 'watch'}: the one file found could not be read as an activity:",
        f"  {bad}: {NOT_RECOGNISED}",
    ]


def test_each_path_given_is_said_when_none_gives_an_activity(tmp_path: Path) -> None:
    missing, empty = tmp_path / "gone", _empty_folder(tmp_path)
    (bad,) = broken(tmp_path / "watch", 1)
    result = cli("weeks", str(tmp_path / "watch"), str(missing), str(empty), "--no-cache")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {missing}: no such file or folder",
        f"Error: {empty}: no activity files found ({LOOKS_FOR})",
        f"Error: {tmp_path / 'watch'}: the one file found could not be read as an activity:",
        f"  {bad}: {NOT_RECOGNISED}",
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("notes.txt", NOT_RECOGNISED),
        ("broken.fit", NOT_RECOGNISED),
        ("empty.gpx", "empty file"),
        ("course.fit", ROUTE_REASONS["course.fit"]),
        ("route.gpx", ROUTE_REASONS["route.gpx"]),
        ("course.tcx", ROUTE_REASONS["course.tcx"]),
    ],
)
@pytest.mark.parametrize("fmt", ["terminal", "json"])
def test_show_a_file_that_is_not_an_activity(
    name: str, reason: str, fmt: str, tmp_path: Path
) -> None:
    routes(tmp_path)
    broken(tmp_path, 1)[0].rename(tmp_path / "broken.fit")
    (tmp_path / "notes.txt").write_text("felt good")
    (tmp_path / "empty.gpx").write_bytes(b"")
    result = cli("show", str(tmp_path / name), "--format", fmt)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"Error: {tmp_path / name}: {reason}\n"  # no word of a report


@pytest.mark.parametrize(
    ("command", "fmt"),
    [
        ("report", "terminal"), ("report", "json"), ("report", "html"), ("report", "markdown"),
        ("activities", "terminal"), ("activities", "json"), ("activities", "csv"),
        ("weeks", "terminal"), ("weeks", "json"), ("weeks", "csv"),
    ],
)  # fmt: skip
def test_nothing_to_report_leaves_last_nights_output_untouched(
    command: str, fmt: str, tmp_path: Path
) -> None:
    output = tmp_path / "out" / "latest"
    output.parent.mkdir()
    output.write_text("last night's")
    result = cli(command, str(_empty_folder(tmp_path)), "-f", fmt, "-o", str(output))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {tmp_path / 'empty'}: no activity files found")
    assert output.read_text() == "last night's"
    assert [p.name for p in output.parent.iterdir()] == ["latest"]


def test_nothing_to_report_leaves_the_csv_folder_and_the_fail_on_memory_alone(
    runs: Path, tmp_path: Path
) -> None:
    """A night when the folder is unmounted must not make the next night's findings new."""
    db = ["--db", str(tmp_path / "s.db")]
    folder = tmp_path / "csv"
    folder.mkdir()
    assert cli("report", str(runs), "-f", "csv", "-o", str(folder), *db).exit_code == 0
    before = {p.name: p.read_text() for p in folder.iterdir()}
    shutil.move(runs, tmp_path / "away")
    runs.mkdir()  # the mount point, empty
    gone = cli("report", str(runs), "-f", "csv", "-o", str(folder), "--fail-on", "high", *db)
    assert gone.exit_code == 2
    assert {p.name: p.read_text() for p in folder.iterdir()} == before
    runs.rmdir()
    shutil.move(tmp_path / "away", runs)
    back = cli("report", str(runs), "-f", "json", "--fail-on", "caution", *db, "-v")
    assert back.exit_code == 0 and "new finding" not in back.stderr


# --- 1: written, some files could not be read ------------------------------------------------


@pytest.mark.parametrize("command", TABLES)
def test_a_missing_path_beside_data_is_said_first_and_exit_1(
    command: str, runs: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "unmounted"
    result = cli(command, str(runs), str(missing), "-f", "json", "--no-cache")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {missing}: no such file or folder\n"
    document = json.loads(result.stdout)
    assert document["errors"] == [{"path": str(missing), "reason": "no such file or folder"}]
    if command == "report":
        quiet = cli(command, str(runs), str(missing), "--quiet", "--no-cache")
        assert quiet.exit_code == 1
        assert quiet.stderr == f"Error: {missing}: no such file or folder\n"


@pytest.mark.parametrize("command", TABLES)
def test_an_empty_folder_beside_data_is_a_warning(command: str, runs: Path, tmp_path: Path) -> None:
    """It may be a mount point with nothing mounted, or a folder not yet filled: said, but the
    output is whole and every file was read."""
    empty = _empty_folder(tmp_path)
    result = cli(command, str(runs), str(empty), "--no-cache")
    assert result.exit_code == 0 and result.stdout
    assert result.stderr == f"calfguard: {empty}: no activity files found\n"


@pytest.mark.parametrize(
    ("command", "fmt", "in_output", "where"),
    [
        ("report", "terminal", "Files that could not be read (1):",
         "listed in the report's data quality section"),
        ("report", "json", '"errors": [', "listed in the report's data quality section"),
        ("report", "markdown", "Files that could not be read (1):",
         "listed in the report's data quality section"),
        ("activities", "terminal", "Could not read {bad}: " + NOT_RECOGNISED, "listed above"),
        ("activities", "json", '"errors": [', "listed under errors in the JSON"),
        ("weeks", "terminal", "Could not read {bad}: " + NOT_RECOGNISED, "listed above"),
        ("weeks", "json", '"errors": [', "listed under errors in the JSON"),
    ],
)  # fmt: skip
def test_unreadable_files_are_said_to_be_where_the_output_lists_them(
    command: str, fmt: str, in_output: str, where: str, runs: Path
) -> None:
    (bad,) = broken(runs, 1)
    result = cli(command, str(runs), "-f", fmt, "--no-cache")
    assert result.exit_code == 1
    assert in_output.format(bad=bad) in result.stdout and str(bad) in result.stdout
    assert result.stderr == f"calfguard: 1 file could not be read ({where})\n"


@pytest.mark.parametrize("command", ["activities", "weeks"])
def test_a_table_written_to_a_file_says_which_file_lists_them(
    command: str, runs: Path, tmp_path: Path
) -> None:
    (bad,) = broken(runs, 1)
    output = tmp_path / "table.txt"
    result = cli(command, str(runs), "-o", str(output), "--no-cache")
    assert result.exit_code == 1
    assert f"Could not read {bad}" in output.read_text().replace("\n", "")  # folded at 80
    assert result.stderr == f"calfguard: 1 file could not be read (listed in {output})\n"


@pytest.mark.parametrize("command", ["activities", "weeks"])
def test_csv_has_no_place_for_them_so_each_is_said_on_stderr(
    command: str, runs: Path, tmp_path: Path
) -> None:
    (bad,) = broken(runs, 1)
    (route,) = routes(tmp_path / "plans")[:1]
    shutil.move(route, runs / route.name)
    result = cli(command, str(runs), "-f", "csv", "--no-cache")
    assert result.exit_code == 1 and str(bad) not in result.stdout
    assert result.stderr.splitlines() == [
        f"calfguard: could not read {bad}: {NOT_RECOGNISED}",
        f"calfguard: skipped {runs / route.name}, not an activity: {ROUTE_REASONS[route.name]}",
        "calfguard: 1 file could not be read (listed above)",
    ]


def test_the_csv_report_says_each_on_stderr_too(runs: Path, tmp_path: Path) -> None:
    (bad,) = broken(runs, 1)
    result = cli("report", str(runs), "-f", "csv", "-o", str(tmp_path), "--no-cache")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"calfguard: could not read {bad}: {NOT_RECOGNISED}",
        "calfguard: 1 file could not be read (listed above)",
    ]


# --- routes and courses: skipped, not unreadable --------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "heading"),
    [
        ("terminal", "Not activities, skipped (planned routes and courses) (4):"),
        ("markdown", "Not activities, skipped (planned routes and courses) (4):"),
        ("html", "<h3>Not activities, skipped (planned routes and courses) (4)</h3>"),
    ],
)
def test_routes_in_a_folder_of_runs_are_listed_as_skipped_and_exit_0(
    fmt: str, heading: str, runs: Path
) -> None:
    skipped = routes(runs)
    result = cli("report", str(runs), "-f", fmt, "--no-cache")
    assert result.exit_code == 0 and result.stderr == ""
    assert heading in result.stdout
    assert "Files that could not be read" not in result.stdout
    for path in skipped:
        assert str(path) in result.stdout


def test_routes_in_the_json_documents(runs: Path) -> None:
    skipped = routes(runs)
    expected = [{"path": str(p), "reason": ROUTE_REASONS[p.name]} for p in skipped]
    for command in TABLES:
        result = cli(command, str(runs), "-f", "json", "--no-cache")
        assert result.exit_code == 0 and result.stderr == "", command
        document = json.loads(result.stdout)
        assert document["errors"] == [] and document["not_activities"] == expected, command
    report = json.loads(cli("report", str(runs), "-f", "json", "--no-cache").stdout)
    notes = [n for n in report["data_quality"] if n["kind"] == "not_activity"]
    assert [{"path": n["path"], "reason": n["message"]} for n in notes] == expected


@pytest.mark.parametrize("command", ["activities", "weeks"])
def test_routes_under_the_terminal_tables(command: str, runs: Path) -> None:
    (route,) = routes(runs)[:1]
    result = cli(command, str(runs), "--no-cache")
    assert result.exit_code == 0 and result.stderr == ""
    assert f"Skipped, not an activity: {route}: {ROUTE_REASONS[route.name]}" in result.stdout


# --- the store: a warm run says what the cold run said ---------------------------------------


def _runs_routes_and_a_broken_file(runs: Path) -> Path:
    routes(runs)
    broken(runs, 1)
    return runs


def _routes_only(runs: Path) -> Path:
    shutil.rmtree(runs)
    routes(runs)
    return runs


@pytest.mark.parametrize("make", [_runs_routes_and_a_broken_file, _routes_only])
@pytest.mark.parametrize("command", TABLES)
def test_a_warm_run_gives_the_same_exit_code_and_listing(
    make: object, command: str, runs: Path, tmp_path: Path
) -> None:
    assert callable(make)
    folder = make(runs)
    args = [command, str(folder), "-f", "json", "--db", str(tmp_path / "s.db")]
    cold = cli(*args)
    warm = cli(*args)
    assert cold.exit_code == warm.exit_code == (1 if make is _runs_routes_and_a_broken_file else 2)
    assert (warm.stdout, warm.stderr) == (cold.stdout, cold.stderr)
    if cold.exit_code == 1:
        document = json.loads(warm.stdout)
        assert [Path(e["path"]).name for e in document["errors"]] == ["broken-00.fit"]
        assert [Path(f["path"]).name for f in document["not_activities"]] == sorted(ROUTE_REASONS)
    else:
        assert warm.stderr.startswith(f"Error: {folder}: none of the 4 files found could be read")
    if command == "report":  # and the second run took every file from the store
        verbose = cli("report", str(folder), "--db", str(tmp_path / "s.db"), "-v")
        assert " 0 read, " in verbose.stderr


@pytest.mark.parametrize("command", ["activities", "weeks", "show"])
def test_quiet_is_taken_by_every_command_and_keeps_only_errors(
    tmp_path: Path, command: str
) -> None:
    """A cron job passes --quiet to whichever command it runs: warnings (an unreadable file
    beside readable ones) go, the exit code stays."""
    folder = tmp_path / "runs"
    write_runs(folder, 2)
    (folder / "broken.fit").write_bytes(b".FIT" + bytes(40))
    given = [str(folder / "run-0000.fit")] if command == "show" else [str(folder), "--no-cache"]
    loud = CliRunner().invoke(app, [command, *given])
    quiet = CliRunner().invoke(app, [command, *given, "--quiet"])
    assert quiet.exit_code == loud.exit_code == (0 if command == "show" else 1)
    assert quiet.stderr == ""
    assert quiet.stdout == loud.stdout
