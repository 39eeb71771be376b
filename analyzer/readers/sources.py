"""Finding activity files: folders, single files, zip archives (a Strava bulk export among them).

A ``Source`` is one file's bytes, loaded on demand, with the name shown to the user. Zip members
are read in memory, never unpacked to disk, so a member named ``../../x`` goes nowhere.
Folders are walked in sorted order without following directory links (no loops); in them,
files that are neither activity files by name nor by content are skipped silently, while a
file named on its own is always a candidate (what it is not is said). A team's folder (one
holding ``team.toml``) is skipped, and said: its athletes are not one runner. Problems with a
path (unreadable, vanished) come back as ``ReadFailure`` entries, never exceptions.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from analyzer.readers.sniff import SNIFF_BYTES, sniff
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
    """A file that gave no activity, and why. ``not_activity``: it was read, and is a planned
    route or course (``RouteNotActivity``): skipped, not broken, so a synced folder holding one
    does not look damaged."""

    path: str
    reason: str
    not_activity: bool = False


class LoadError(Exception):
    """A source's bytes could not be loaded: a damaged zip entry, a FIFO, ... (the reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: What a damaged or unusual zip entry raises while it is read (bad CRC, bad deflate data,
#: encryption, an unknown compression method, a cut archive).
_ZIP_ENTRY_ERRORS = (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError)


#: The reason given for a path to read that does not exist (a team names its folders by it).
NOT_FOUND = "no such file or folder"
#: A folder holding this file is a team's (``calfguard team``): its athletes' files are never
#: read as one runner's, even inside a runner's folder.
TEAM_FILE = "team.toml"
TEAM_FOLDER = (
    f"a team's folder (it holds {TEAM_FILE}), not one runner's: read it with calfguard team"
)


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Source | ReadFailure]:
    """Every candidate activity file under the given paths, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk_folder(path)
        elif path.is_file():  # named on its own: said if it is not an activity file
            yield from _file_sources(path, meta_by_name={}, named=True)
        elif not path.exists():
            yield ReadFailure(str(path), NOT_FOUND)
        else:
            yield ReadFailure(str(path), "not a regular file or folder")


def holds_team_file(folder: Path) -> bool:
    """The folder is a team's (False when it cannot be looked into: the walk reports it)."""
    return _regular_file(folder / TEAM_FILE)


def _regular_file(path: Path) -> bool:
    """Unlike ``Path.is_file``, False when the folder cannot be looked into (EACCES): the
    walk reports that folder, where an exception would end it."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _walk_folder(folder: Path) -> Iterator[Source | ReadFailure]:
    if holds_team_file(folder):  # named by the user: a link to it counts too
        yield ReadFailure(str(folder), TEAM_FOLDER, not_activity=True)
        return
    meta_by_name: dict[str, StravaMeta] = {}
    csv = folder / STRAVA_CSV
    if _regular_file(csv):
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
        # A link is not followed, by the walk or here (os.path.islink: never raises).
        unlinked = [d for d in dirs if not os.path.islink(Path(root) / d)]
        for name in [d for d in unlinked if holds_team_file(Path(root) / d)]:
            dirs.remove(name)
            yield ReadFailure(str(Path(root) / name), TEAM_FOLDER, not_activity=True)
        for name in sorted(files):
            yield from _file_sources(Path(root) / name, meta_by_name)
        yield from errors
        errors.clear()
    yield from errors  # os.walk reports a folder it cannot list after the loop body ran


def _file_sources(
    path: Path, meta_by_name: dict[str, StravaMeta], named: bool = False
) -> Iterator[Source | ReadFailure]:
    """A file as a source; ``named``: given by itself rather than found in a folder, so that
    what it is not is said (in a folder, notes and pictures are skipped silently)."""
    lower = path.name.lower()
    claimed = named or lower.endswith(ACTIVITY_SUFFIXES)
    special = _special_file(path)
    if special is not None:  # opening a FIFO would wait for a writer forever
        if claimed or lower.endswith(".zip"):
            yield ReadFailure(str(path), f"not a regular file ({special})")
        return
    if lower.endswith(".zip"):
        yield from _zip_sources(path)
        return
    if not claimed:
        try:
            with _open_regular(path) as handle:
                head = handle.read(_HEAD_BYTES)
                if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and sniff(head) is None:
                    head += handle.read(SNIFF_BYTES - len(head))  # a long XML prolog
        except OSError as exc:
            yield ReadFailure(str(path), f"cannot read: {exc.strerror or exc}")
            return
        except LoadError:
            return  # became a FIFO or a device since it was listed: not ours either
        if sniff(head) is None:
            return  # notes, images, CSV: not ours, skipped silently
    # The loader reads the absolute path: a worker elsewhere (--engine dask) runs in another
    # folder than the one a relative path was typed in.
    loader = partial(_read_file, path.absolute())
    yield Source(str(path), loader, claimed, meta_by_name.get(str(path)))


def file_behind(source: Source) -> tuple[Path, bool] | None:
    """The file a source's bytes come from, and whether the source is that file itself
    (False: a member of that zip archive); None when its loader does not say."""
    load = source.load
    if isinstance(load, partial) and load.args and isinstance(load.args[0], Path):
        return load.args[0], load.func is _read_file
    return None


def _special_file(path: Path) -> str | None:
    """What a path that is not a regular file is (a FIFO, ...); None for a regular file and for
    one that cannot be looked at (reading it then says why)."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a folder" if stat.S_ISDIR(mode) else "a special file"


def _open_regular(path: Path) -> io.BufferedReader:
    """Opens a regular file for reading; refuses anything else without waiting on it (a FIFO
    put in its place after the folder was listed would block an ordinary open)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LoadError("not a regular file")
        return open(fd, "rb", closefd=True)  # the caller closes it
    except BaseException:
        os.close(fd)
        raise


def _read_file(path: Path) -> bytes:
    with _open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:  # refused before it is read
            raise OverflowError(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        # Asking for the bound itself would allocate it (128 MiB) for every file: ask for the
        # size, and read on, bounded still, only if the file grew meanwhile.
        data = handle.read(size + 1)
        if len(data) > size:
            data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    if len(data) > MAX_FILE_BYTES:
        raise OverflowError(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def _zip_sources(path: Path) -> Iterator[Source | ReadFailure]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, ValueError, *_ZIP_ENTRY_ERRORS) as exc:  # ValueError: names not UTF-8
        yield ReadFailure(str(path), f"not a readable zip archive: {exc}")
        return
    with archive:
        # Entries, not names: two entries may share a name, and each is read once.
        entries = [info for info in archive.infolist() if not info.is_dir()]
        overlapping = _overlapping(entries)
        meta_by_name: dict[str, StravaMeta] = {}
        csv_entry = next((i for i in entries if Path(i.filename).name == STRAVA_CSV), None)
        strava = csv_entry is not None
        if csv_entry is not None:
            try:
                csv_bytes = _read_member(path, csv_entry, archive)
                meta_by_name = strava_metadata(csv_bytes, base=None)
            except (LoadError, OSError, OverflowError) as exc:
                reason = exc.reason if isinstance(exc, LoadError) else f"cannot read: {exc}"
                yield ReadFailure(
                    f"{path}!/{csv_entry.filename}", f"{reason}; names, types and gear unknown"
                )
        for entry in sorted(entries, key=lambda info: info.filename):
            name = entry.filename
            lower = name.lower()
            if strava and lower.startswith("routes/"):
                continue
            if not lower.endswith(ACTIVITY_SUFFIXES):
                continue  # inside an archive only named activity files are considered
            if entry in overlapping:
                reason = "zip entry overlaps another entry's data (a zip bomb): not read"
                yield ReadFailure(f"{path}!/{name}", reason)
                continue
            yield Source(
                f"{path}!/{name}",
                partial(_read_member, path, entry, archive),
                claimed=True,
                meta=meta_by_name.get(name),
            )


def _overlapping(entries: list[zipfile.ZipInfo]) -> set[zipfile.ZipInfo]:
    """Entries whose data starts inside an earlier entry's: many names for one compressed
    kernel is how a small zip expands to terabytes. Real archives never overlap."""
    found = set()
    end = -1
    for entry in sorted(entries, key=lambda info: info.header_offset):
        if entry.header_offset < end:
            found.add(entry)
        end = max(end, entry.header_offset + max(entry.compress_size, 1))
    return found


def _read_member(archive_path: Path, entry: zipfile.ZipInfo, archive: zipfile.ZipFile) -> bytes:
    """One zip entry into memory, bounded: entries can lie about their size.

    Read from the archive the walk has open (opening it again would parse its whole directory
    once per entry: minutes for an export of a few thousand activities), or from a fresh one
    when the source outlived the walk.
    """
    if entry.file_size > MAX_FILE_BYTES:  # refused before a byte is decompressed
        size = f"{entry.file_size / 2**20:.0f} MiB"
        raise OverflowError(f"zip entry declares {size}, beyond {MAX_FILE_BYTES // 2**20} MiB")
    if archive.fp is None:
        with zipfile.ZipFile(archive_path) as reopened:
            return _read_member(archive_path, entry, reopened)
    try:
        with archive.open(entry) as member:
            data = member.read(MAX_FILE_BYTES + 1)
    except _ZIP_ENTRY_ERRORS as exc:
        raise LoadError(f"damaged or unsupported zip entry: {exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise OverflowError(f"zip entry expands beyond {MAX_FILE_BYTES // 2**20} MiB")
    return data
