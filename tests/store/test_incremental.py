"""What a run reads again and what it takes from the store: renamed, deleted, changed, touched
files; a metrics version bump and a profile change; zip members; Strava metadata."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer import collect as collect_module
from analyzer import store as store_module
from analyzer.engines import local as local_engine
from analyzer.pipeline import Analysis, analyze
from analyzer.readers import ReadFailure, Source, sources
from analyzer.report.json_report import render_json
from analyzer.samplegen.fit_writer import FILE_TYPE_COURSE, fit_bytes
from analyzer.settings import AthleteProfile, Settings
from analyzer.store import Store
from tests.factories import activity, full_samples
from tests.store.helpers import age, run_bytes, write_runs


def run(folder: Path | list[Path], db: Path, settings: Settings | None = None) -> Analysis:
    with Store.open(db) as store:
        return analyze(folder if isinstance(folder, list) else [folder], settings, store=store)


def counts(analysis: Analysis) -> tuple[int, int, int]:
    s = analysis.stats
    return s.unchanged, s.reused, s.parsed


def loaded_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths this process loads (and hashes) from now on; a worker's loads are not seen."""
    paths: list[str] = []
    real = collect_module.FileCollector._read

    def spy(self: collect_module.FileCollector, index: int, source: Source, *args: object) -> None:
        paths.append(source.path)
        real(self, index, source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(collect_module.FileCollector, "_read", spy)
    return paths


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    paths = write_runs(tmp_path / "runs", 6)
    age(paths)
    return tmp_path / "runs"


def test_an_unchanged_folder_is_not_opened_again(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.sqlite3"
    cold = run(folder, db)
    assert counts(cold) == (0, 0, 6)
    opened = loaded_here(monkeypatch)
    warm = run(folder, db)
    assert counts(warm) == (6, 0, 0) and opened == []  # stat only: no read, no hash
    assert render_json(warm) == render_json(cold) == render_json(analyze([folder]))


def test_a_renamed_file_is_not_parsed_again_and_takes_its_new_name(
    folder: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    old = folder / "run-0001.gpx"
    new = folder / "renamed" / "morning.gpx"
    new.parent.mkdir()
    old.rename(new)
    warm = run(folder, db)
    assert counts(warm) == (5, 1, 0)
    moved = [s for s in warm.summaries if s.path == str(new)]
    assert len(moved) == 1 and moved[0].id == str(new)
    assert not any(s.path == str(old) for s in warm.summaries)
    assert render_json(warm) == render_json(analyze([folder]))
    with Store.open(db) as store:
        index = store.file_index()
    assert str(new) in index and str(old) not in index  # the old path is forgotten


def test_a_copy_that_kept_its_mtime_is_reused_and_both_are_reported(
    folder: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    copy = folder / "copy-of-run-0000.fit"
    shutil.copy2(folder / "run-0000.fit", copy)  # as cp -p or unzip: size and mtime kept
    warm = run(folder, db)
    assert counts(warm) == (6, 1, 0)
    assert len(warm.duplicate_of) == 1  # the same run twice: one is set aside
    assert render_json(warm) == render_json(analyze([folder]))


def test_a_plain_copy_is_parsed_by_its_reader_and_both_are_reported(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy with a new mtime cannot be told from a new file without loading it: rather
    than have this process load every new file whose size some stored file has (nearly
    every new file of a team's store), its reader loads, hashes and parses it."""
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    copy = folder / "copy-of-run-0000.fit"
    copy.write_bytes((folder / "run-0000.fit").read_bytes())
    age([copy])
    loaded = loaded_here(monkeypatch)
    warm = run(folder, db)
    assert counts(warm) == (6, 0, 1) and loaded == []
    assert len(warm.duplicate_of) == 1
    assert render_json(warm) == render_json(analyze([folder]))
    with Store.open(db) as store:
        index = store.file_index()
    assert index[str(copy)].hash == index[str(folder / "run-0000.fit")].hash


def test_a_file_moved_with_a_new_mtime_is_parsed_and_its_old_path_forgotten(
    folder: Path, tmp_path: Path
) -> None:
    """A sync tool that downloads the folder again elsewhere: the bytes are stored, but
    nothing says so before they are loaded; the gone path leaves the store all the same."""
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    old = folder / "run-0002.tcx"
    new = folder / "again" / "run-0002.tcx"
    new.parent.mkdir()
    new.write_bytes(old.read_bytes())
    old.unlink()
    age([new], seconds=30)
    warm = run(folder, db)
    assert counts(warm) == (5, 0, 1)
    assert render_json(warm) == render_json(analyze([folder]))
    with Store.open(db) as store:
        index = store.file_index()
    assert str(new) in index and str(old) not in index


def test_a_new_file_is_loaded_and_hashed_by_its_reader(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No stored file has its size and mtime, so none is it renamed: this process never
    loads it, and the hash the reader found is stored, so a copy of it that kept its mtime
    is then reused, not parsed."""
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    new = folder / "run-0006.fit"
    new.write_bytes(run_bytes(6, "fit", samples=777))
    age([new])
    loaded = loaded_here(monkeypatch)
    assert counts(run(folder, db)) == (6, 0, 1) and loaded == []
    shutil.copy2(new, folder / "copy.fit")  # a stored size and mtime: loaded here, reused
    warm = run(folder, db)
    assert counts(warm) == (7, 1, 0) and loaded == [str(folder / "copy.fit")]
    with Store.open(db) as store:
        index = store.file_index()
    assert index[str(new)].hash == index[str(folder / "copy.fit")].hash
    assert render_json(warm) == render_json(analyze([folder]))


def test_files_stored_moments_after_they_were_written_are_hashed_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files written just before a run are stored without their size (the next run must
    hash them again); that must not make the next run parse them, renamed or not."""
    folder = tmp_path / "runs"
    write_runs(folder, 6)
    db = tmp_path / "store.sqlite3"
    with monkeypatch.context() as patch:  # "just before", however slow this machine is
        patch.setattr(store_module, "RACY_NS", 10**15)
        assert counts(run(folder, db)) == (0, 0, 6)
    (folder / "run-0001.gpx").rename(folder / "morning.gpx")
    warm = run(folder, db)
    assert counts(warm) == (0, 6, 0)
    assert render_json(warm) == render_json(analyze([folder]))


def test_a_file_its_reader_cannot_load_is_reported_and_not_stored(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader loads a new file itself; one that became a FIFO after it was listed is
    refused there, without waiting on it, and tried again by the next run."""
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    new = folder / "run-0006.fit"
    new.write_bytes(run_bytes(6, "fit", samples=777))
    listed = sources._file_sources

    def swap_then_list(path: Path, meta: dict[str, object]) -> Iterator[object]:
        for item in listed(path, meta):  # type: ignore[arg-type]
            if path == new:
                path.unlink()
                os.mkfifo(path)
            yield item

    monkeypatch.setattr(sources, "_file_sources", swap_then_list)
    warm = run(folder, db)
    assert [(e.path, e.reason) for e in warm.errors] == [(str(new), "not a regular file")]
    assert counts(warm) == (6, 0, 0)  # nothing parsed
    with Store.open(db) as store:
        assert str(new) not in store.file_index()


def test_a_deleted_file_leaves_the_report(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    (folder / "run-0002.tcx").unlink()
    warm = run(folder, db)
    assert counts(warm) == (5, 0, 0)
    assert len(warm.summaries) == 5
    assert render_json(warm) == render_json(analyze([folder]))


def test_a_changed_file_is_read_again(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    path = folder / "run-0000.fit"
    path.write_bytes(run_bytes(0, "fit", samples=900))  # a longer run in the same file
    age([path], 30)
    warm = run(folder, db)
    assert counts(warm) == (5, 0, 1)
    changed = next(s for s in warm.summaries if s.path == str(path))
    assert changed.elapsed_time_s == 899


def test_a_touched_file_is_hashed_not_parsed(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    path = folder / "run-0003.fit.gz"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert counts(run(folder, db)) == (5, 1, 0)


def test_a_metrics_version_bump_summarizes_again(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    monkeypatch.setattr(collect_module, "METRICS_VERSION", collect_module.METRICS_VERSION + 1)
    assert counts(run(folder, db)) == (0, 0, 6)
    assert counts(run(folder, db)) == (6, 0, 0)


def test_a_changed_summary_layout_summarizes_again(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.sqlite3"
    run(folder, db)
    monkeypatch.setattr(collect_module, "SUMMARY_LAYOUT", "another shape")
    assert counts(run(folder, db)) == (0, 0, 6)


def test_a_profile_change_summarizes_again(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    athlete = Settings(profile=AthleteProfile(max_heart_rate_bpm=190, resting_heart_rate_bpm=50))
    first = run(folder, db, athlete)
    assert counts(run(folder, db, athlete)) == (6, 0, 0)
    older = Settings(profile=AthleteProfile(max_heart_rate_bpm=175, resting_heart_rate_bpm=50))
    second = run(folder, db, older)
    assert counts(second) == (0, 0, 6)
    assert first.summaries[0].heart.trimp != second.summaries[0].heart.trimp
    assert render_json(second) == render_json(analyze([folder], older))
    # Settings the summaries do not depend on change nothing.
    assert counts(run(folder, db, Settings(profile=older.profile, week_start=6))) == (6, 0, 0)


def test_an_unreadable_file_is_remembered_until_it_changes(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    broken = folder / "broken.gpx"
    broken.write_bytes(b"<gpx><trk><trkseg></trkseg></trk></gpx>")
    age([broken])
    cold = run(folder, db)
    assert counts(cold) == (0, 0, 7) and [e.path for e in cold.errors] == [str(broken)]
    warm = run(folder, db)
    assert counts(warm) == (7, 0, 0)
    assert warm.errors == cold.errors  # still reported, not parsed again
    broken.write_bytes(run_bytes(40, "gpx"))
    fixed = run(folder, db)
    assert counts(fixed) == (6, 0, 1) and fixed.errors == []


def test_a_route_is_remembered_as_a_route(folder: Path, tmp_path: Path) -> None:
    """A warm run takes a route's failure from the store: it must come back as a route
    (skipped), not as an unreadable file, or the exit code would change between nights."""
    db = tmp_path / "store.sqlite3"
    route = folder / "plan.fit"
    route.write_bytes(fit_bytes(activity(full_samples(60)), file_type=FILE_TYPE_COURSE))
    age([route])
    cold = run(folder, db)
    assert counts(cold) == (0, 0, 7) and cold.errors == []
    assert cold.not_activities == [
        ReadFailure(str(route), "FIT course file: a planned route, nothing was recorded", True)
    ]
    warm = run(folder, db)
    assert counts(warm) == (7, 0, 0)
    assert warm.errors == [] and warm.not_activities == cold.not_activities
    assert (warm.stats.unreadable, warm.stats.not_activities) == (0, 1)


def test_zip_members_are_taken_from_the_store_while_the_archive_is_unchanged(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(4):
            z.writestr(f"activities/{i}.fit.gz", run_bytes(i, "fit.gz"))
    age([archive])
    db = tmp_path / "store.sqlite3"
    cold = run(archive, db)
    assert counts(cold) == (0, 0, 4)
    assert counts(run(archive, db)) == (4, 0, 0)
    stat = archive.stat()
    os.utime(archive, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert counts(run(archive, db)) == (0, 4, 0)  # re-read and hashed, not parsed
    assert render_json(run(archive, db)) == render_json(cold)


def test_strava_metadata_is_part_of_what_is_stored(tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export / "activities").mkdir(parents=True)
    (export / "activities" / "1.fit").write_bytes(run_bytes(1))
    csv = export / "activities.csv"
    header = "Activity ID,Activity Name,Activity Type,Filename,Activity Gear\n"
    csv.write_text(header + "1,Morning Run,Run,activities/1.fit,Blue shoes\n")
    age([export / "activities" / "1.fit", csv])
    db = tmp_path / "store.sqlite3"
    assert run(export, db).summaries[0].gear == "Blue shoes"
    csv.write_text(header + "1,Morning Run,Run,activities/1.fit,Red shoes\n")
    again = run(export, db)
    assert again.summaries[0].gear == "Red shoes" and counts(again) == (0, 0, 1)


def test_the_input_folders_are_never_written_to(folder: Path, tmp_path: Path) -> None:
    def snapshot() -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}

    before = snapshot()
    run(folder, tmp_path / "store.sqlite3")
    run(folder, tmp_path / "store.sqlite3")
    assert snapshot() == before


def test_parallel_and_serial_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "runs"
    write_runs(folder, 24)
    (folder / "broken.fit").write_bytes(b".FIT" + bytes(40))
    serial = analyze([folder], jobs=1)
    monkeypatch.setattr(local_engine, "PARALLEL_AFTER_S", 0.0)  # workers from the first file
    parallel = analyze([folder], jobs=2)
    assert render_json(parallel) == render_json(serial)
    with Store.open(tmp_path / "store.sqlite3") as store:
        stored = analyze([folder], jobs=2, store=store)
    assert stored.stats.parsed == 25
    assert render_json(stored) == render_json(serial)


def test_a_bug_costs_its_file_only_and_is_not_stored(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception that is not a ReadError (a bug) in a parse task: that file is listed as an
    internal error, the others are read, and the file is parsed again on the next run rather
    than remembered as unreadable."""
    from analyzer.engines import tasks

    real = tasks.summarize

    def buggy(activity: Any, profile: Any) -> Any:
        if activity.path.endswith("run-0005.gpx.gz"):
            raise IndexError("a bug")
        return real(activity, profile)

    db = tmp_path / "store.sqlite3"
    monkeypatch.setattr(tasks, "summarize", buggy)
    first = run(folder, db)
    assert [(Path(e.path).name, e.reason) for e in first.errors] == [
        ("run-0005.gpx.gz", "internal error (a calfguard bug, please report it): IndexError: a bug")
    ]
    assert len(first.summaries) == 5
    assert counts(first) == (0, 0, 6)
    monkeypatch.setattr(tasks, "summarize", real)
    second = run(folder, db)
    assert (second.errors, len(second.summaries)) == ([], 6)
    assert counts(second) == (5, 0, 1)
