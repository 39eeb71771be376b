"""Hostile folders: link loops, FIFOs, sockets and devices, unreadable files and folders,
names that are not UTF-8, files that change or vanish while being read. Each problem is one
``ReadFailure`` (or a silent skip for what is not named like an activity); the batch goes on
and never waits on anything.
"""

from __future__ import annotations

import gzip
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import readers
from analyzer.readers import read_paths, sources
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from tests.factories import T0, activity, full_samples
from tests.fuzz.mutate import time_limit

GOOD = fit_bytes(activity(full_samples(20)))
OTHER = gpx_bytes(activity(full_samples(15, T0 + 86_400)))
#: No folder read here may take longer: a FIFO opened the ordinary way would block forever.
LIMIT_S = 10.0


def read(*paths: Path) -> readers.ReadResult:
    with time_limit(LIMIT_S):
        return read_paths(paths)


def names(result: readers.ReadResult) -> list[str]:
    return sorted(Path(a.path).name for a in result.activities)


def failures(result: readers.ReadResult) -> dict[str, str]:
    return {Path(e.path).name: e.reason for e in result.errors}


def test_a_folder_link_to_its_parent_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "run.fit").write_bytes(GOOD)
    (tmp_path / "a" / "b" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to("self")  # a link to itself
    result = read(tmp_path)
    assert names(result) == ["run.fit"]
    # "self" cannot be opened to be sniffed, so it is reported though not named like an activity
    assert failures(result) == {"self": "cannot read: Too many levels of symbolic links"}


def test_a_file_link_loop_named_like_an_activity_is_reported(tmp_path: Path) -> None:
    (tmp_path / "ping.fit").symlink_to("pong.fit")
    (tmp_path / "pong.fit").symlink_to("ping.fit")
    (tmp_path / "ok.fit").write_bytes(GOOD)
    result = read(tmp_path)
    assert names(result) == ["ok.fit"]
    assert failures(result) == {
        "ping.fit": "cannot read: Too many levels of symbolic links",
        "pong.fit": "cannot read: Too many levels of symbolic links",
    }


def test_fifos_sockets_and_devices_are_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.fit")
    os.mkfifo(tmp_path / "pipe.zip")
    os.mkfifo(tmp_path / "unnamed-pipe")  # not named like an activity: skipped silently
    (tmp_path / "zero.gpx").symlink_to("/dev/zero")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock.tcx"))
        (tmp_path / "ok.fit").write_bytes(GOOD)
        result = read(tmp_path)
    assert names(result) == ["ok.fit"]
    assert failures(result) == {
        "pipe.fit": "not a regular file (a FIFO)",
        "pipe.zip": "not a regular file (a FIFO)",
        "sock.tcx": "not a regular file (a socket)",
        "zero.gpx": "not a regular file (a device)",
    }


def test_a_fifo_given_by_name_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.fit")
    result = read(tmp_path / "pipe.fit")
    assert failures(result) == {"pipe.fit": "not a regular file or folder"}


def test_a_file_that_becomes_a_fifo_after_listing_is_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "run.fit").write_bytes(GOOD)
    listed = sources._file_sources

    def swap_then_list(path: Path, meta: dict[str, object]) -> Iterator[object]:
        for item in listed(path, meta):  # type: ignore[arg-type]
            path.unlink()
            os.mkfifo(path)
            yield item

    monkeypatch.setattr(sources, "_file_sources", swap_then_list)
    result = read(tmp_path)
    assert failures(result) == {"run.fit": "not a regular file"}


def _really_unreadable(path: Path) -> bool:
    try:
        path.read_bytes() if path.is_file() else os.listdir(path)
    except PermissionError:
        return True
    return False


def test_unreadable_files_and_folders_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod 000 where it works; as root (where it does not) the same refusal is simulated at
    the system call: os.open and os.scandir raise PermissionError for those paths."""
    locked_file = tmp_path / "locked.fit"
    locked_file.write_bytes(GOOD)
    locked_dir = tmp_path / "locked"
    locked_dir.mkdir()
    (locked_dir / "inside.fit").write_bytes(GOOD)
    (tmp_path / "ok.gpx").write_bytes(OTHER)
    locked_file.chmod(0)
    locked_dir.chmod(0)
    try:
        if not (_really_unreadable(locked_file) and _really_unreadable(locked_dir)):
            _simulate_permission_errors(monkeypatch, {locked_file, locked_dir})
        result = read(tmp_path)
    finally:
        locked_file.chmod(0o644)
        locked_dir.chmod(0o755)
    assert names(result) == ["ok.gpx"]
    assert failures(result) == {
        "locked.fit": "cannot read: Permission denied",
        "locked": "cannot read folder: Permission denied",
    }


def _simulate_permission_errors(monkeypatch: pytest.MonkeyPatch, locked: set[Path]) -> None:
    real_open, real_scandir = os.open, os.scandir

    def guarded_open(path: str | os.PathLike[str], *args: object, **kwargs: object) -> int:
        if Path(os.fsdecode(path)) in locked:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_scandir(path: str | os.PathLike[str] = ".") -> object:
        if Path(os.fsdecode(path)) in locked:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "scandir", guarded_scandir)


def test_names_that_are_not_utf8_are_read_and_keep_their_bytes(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path) + b"/dossier-\xe9t\xe9"  # Latin-1, not UTF-8
    os.mkdir(folder)
    good_name = folder + b"/course-\xff\xfe.fit"
    bad_name = folder + b"/cass\xe9.gpx"
    with open(good_name, "wb") as handle:
        handle.write(GOOD)
    with open(bad_name, "wb") as handle:
        handle.write(b"not xml at all")
    result = read(tmp_path)
    (run,) = result.activities
    assert os.fsencode(run.path) == good_name
    (failure,) = result.errors
    assert os.fsencode(failure.path) == bad_name
    assert failure.reason == "not a FIT, GPX or TCX file (content not recognised)"


def test_a_file_that_vanishes_before_it_is_read_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gone.fit").write_bytes(GOOD)
    (tmp_path / "stays.gpx.gz").write_bytes(gzip.compress(OTHER))
    load = sources._read_file

    def vanish_then_load(path: Path) -> bytes:
        if path.name == "gone.fit":
            path.unlink()
        return load(path)

    monkeypatch.setattr(sources, "_read_file", vanish_then_load)
    result = read(tmp_path)
    assert names(result) == ["stays.gpx.gz"]
    assert failures(result) == {"gone.fit": "cannot read: No such file or directory"}


def test_a_file_that_vanishes_before_it_is_sniffed_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "renamed.dat").write_bytes(OTHER)  # not named like an activity: sniffed
    walk = os.walk

    def walk_then_delete(top: object, *args: object, **kwargs: object) -> Iterator[object]:
        for entry in walk(top, *args, **kwargs):  # type: ignore[call-overload]
            (tmp_path / "renamed.dat").unlink(missing_ok=True)
            yield entry

    monkeypatch.setattr(os, "walk", walk_then_delete)
    result = read(tmp_path)
    assert failures(result) == {"renamed.dat": "cannot read: No such file or directory"}


def test_a_file_that_changes_after_it_was_sniffed_is_read_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "changing.dat").write_bytes(OTHER)  # sniffed as GPX
    load = sources._read_file

    def change_then_load(path: Path) -> bytes:
        path.write_bytes(b"overwritten with something else")
        return load(path)

    monkeypatch.setattr(sources, "_read_file", change_then_load)
    result = read(tmp_path)
    assert failures(result) == {
        "changing.dat": "not a FIT, GPX or TCX file (content not recognised)"
    }


def test_a_file_that_grows_past_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "growing.fit").write_bytes(GOOD)
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", len(GOOD) + 10)
    load = sources._read_file

    def grow_then_load(path: Path) -> bytes:
        with path.open("ab") as handle:
            handle.write(b"\x00" * 100)
        return load(path)

    monkeypatch.setattr(sources, "_read_file", grow_then_load)
    result = read(tmp_path)
    assert failures(result) == {"growing.fit": "larger than 0 MiB"}


def test_a_reader_bug_costs_one_file_not_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last guard of ``iter_read``: whatever escapes a reader is that file's failure."""
    (tmp_path / "a.fit").write_bytes(GOOD)
    (tmp_path / "b.gpx").write_bytes(OTHER)
    real = readers._READERS[readers.Format.FIT]

    def broken(data: bytes, path: str) -> list[readers.Activity]:
        raise IndexError("a bug")

    monkeypatch.setitem(readers._READERS, readers.Format.FIT, broken)
    result = read(tmp_path)
    assert names(result) == ["b.gpx"]
    assert failures(result) == {
        "a.fit": "internal error (a calfguard bug, please report it): IndexError: a bug"
    }
    assert real is not broken
