"""Finding activity files: folders, single files, zip archives (a Strava bulk export among them).

A ``Source`` is one file's bytes, loaded on demand, with the name shown to the user. Zip members
are read in memory, never unpacked to disk, so a member named ``../../x`` goes nowhere.
Folders are walked in sorted order without following directory links (no loops). Problems
with a path (unreadable, vanished) come back as ``ReadFailure`` entries, never exceptions.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from analyzer.readers.sniff import sniff
from analyzer.readers.strava import STRAVA_CSV, StravaMeta, strava_metadata

#: Decompressed size we accept for one file (gzip member or zip entry): about 100 times the
#: largest real activity file, and small enough that a bomb cannot exhaust memory.
MAX_FILE_BYTES = 128 * 1024 * 1024

#: Suffixes that say "this is meant to be an activity": unreadable ones are reported.
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")
_HEAD_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # what the user sees: a file path, or "export.zip!/activities/1.fit.gz"
    load: Callable[[], bytes]
    claimed: bool  # the name says activity file: if it cannot be read, say so
    meta: StravaMeta | None = None


@dataclass(frozen=True, slots=True)
class ReadFailure:
    path: str
    reason: str


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Source | ReadFailure]:
    """Every candidate activity file under the given paths, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk_folder(path)
        elif path.is_file():
            yield from _file_sources(path, meta_by_name={})
        elif not path.exists():
            yield ReadFailure(str(path), "no such file or folder")
        else:
            yield ReadFailure(str(path), "not a regular file or folder")


def _walk_folder(folder: Path) -> Iterator[Source | ReadFailure]:
    meta_by_name: dict[str, StravaMeta] = {}
    csv = folder / STRAVA_CSV
    if csv.is_file():
        try:
            meta_by_name = strava_metadata(csv.read_bytes(), base=folder)
        except OSError as exc:
            yield ReadFailure(str(csv), f"cannot read: {exc.strerror}")
    errors: list[ReadFailure] = []

    def on_error(exc: OSError) -> None:
        errors.append(ReadFailure(str(exc.filename), f"cannot read folder: {exc.strerror}"))

    for root, dirs, files in os.walk(folder, onerror=on_error):
        dirs.sort()
        if meta_by_name and Path(root) == folder and "routes" in dirs:
            dirs.remove("routes")  # planned routes, not recorded activities
        for name in sorted(files):
            yield from _file_sources(Path(root) / name, meta_by_name)
        yield from errors
        errors.clear()


def _file_sources(
    path: Path, meta_by_name: dict[str, StravaMeta]
) -> Iterator[Source | ReadFailure]:
    lower = path.name.lower()
    if lower.endswith(".zip"):
        yield from _zip_sources(path)
        return
    claimed = lower.endswith(ACTIVITY_SUFFIXES)
    if not claimed:
        try:
            with path.open("rb") as handle:
                head = handle.read(_HEAD_BYTES)
        except OSError as exc:
            yield ReadFailure(str(path), f"cannot read: {exc.strerror}")
            return
        if sniff(head) is None:
            return  # notes, images, CSV: not ours, skipped silently
    yield Source(str(path), partial(_read_file, path), claimed, meta_by_name.get(str(path)))


def _read_file(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OverflowError(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def _zip_sources(path: Path) -> Iterator[Source | ReadFailure]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield ReadFailure(str(path), f"not a readable zip archive: {exc}")
        return
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        meta_by_name: dict[str, StravaMeta] = {}
        csv_name = next((n for n in names if Path(n).name == STRAVA_CSV), None)
        strava = csv_name is not None
        if csv_name is not None:
            meta_by_name = strava_metadata(_read_member(path, csv_name), base=None)
        for name in sorted(names):
            lower = name.lower()
            if strava and lower.startswith("routes/"):
                continue
            if not lower.endswith(ACTIVITY_SUFFIXES):
                continue  # inside an archive only named activity files are considered
            yield Source(
                f"{path}!/{name}",
                partial(_read_member, path, name),
                claimed=True,
                meta=meta_by_name.get(name),
            )


def _read_member(archive_path: Path, name: str) -> bytes:
    """One zip entry into memory, bounded: entries can lie about their size."""
    with zipfile.ZipFile(archive_path) as archive, archive.open(name) as member:
        data = member.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OverflowError(f"zip entry expands beyond {MAX_FILE_BYTES // 2**20} MiB")
    return data
