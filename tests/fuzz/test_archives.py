"""Hostile archives: gzip and zip bombs, entries that lie about their size or overlap, odd
entry names, nested archives, thousands of entries, damaged entries.

The bounds are monkeypatched to 1 MiB so the bombs go off (and are stopped) in milliseconds.
tests/readers/test_sources.py has the basic cases (a gzip bomb, ``../`` names in a Strava zip,
a broken zip); these go further.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from analyzer import readers
from analyzer.readers import ReadError, read_bytes, read_paths
from analyzer.readers.sources import discover
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from tests.factories import T0, activity, full_samples

BOUND = 1 << 20
SMALL_FIT = fit_bytes(activity(full_samples(20)))
OTHER_FIT = fit_bytes(activity(full_samples(30, T0 + 86_400)))


@pytest.fixture
def small_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers.sources, "MAX_FILE_BYTES", BOUND)
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", BOUND)


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def reasons(result: readers.ReadResult) -> dict[str, str]:
    return {e.path.rpartition("!/")[2] or Path(e.path).name: e.reason for e in result.errors}


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- gzip ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("small_bound")
def test_a_gzip_bomb_of_many_members_stops_at_the_bound() -> None:
    member = gzip.compress(b"\x00" * (BOUND // 4))
    with pytest.raises(ReadError, match="expands beyond 1 MiB"):
        read_bytes(member * 8, "bomb.fit.gz")


@pytest.mark.usefixtures("small_bound")
def test_a_gzip_bomb_inside_a_zip_stops_at_the_bound(tmp_path: Path) -> None:
    bomb = gzip.compress(b"\x00" * (8 * BOUND))
    archive = write(tmp_path / "x.zip", make_zip({"a.fit.gz": bomb, "b.fit": SMALL_FIT}))
    result = read_paths([archive])
    assert [Path(a.path).name for a in result.activities] == ["b.fit"]
    assert "expands beyond 1 MiB" in reasons(result)["a.fit.gz"]


def test_a_gzip_of_a_million_empty_members_takes_linear_time() -> None:
    """Each member used to cost a copy of everything after it: 4 MB of members took 25 s."""
    data = gzip.compress(SMALL_FIT, mtime=0) + gzip.compress(b"", mtime=0) * 300_000
    started = time.perf_counter()
    (run,) = read_bytes(data, "many.fit.gz")
    assert time.perf_counter() - started < 5
    assert len(run.samples) == 20


def test_gzip_padding_and_trailing_garbage_are_handled() -> None:
    packed = gzip.compress(SMALL_FIT, mtime=0)
    runs = read_bytes(packed + b"\x00" * 100_000 + packed, "padded.fit.gz")
    assert [len(run.samples) for run in runs] == [20, 20]  # two chained FIT files
    (run,) = read_bytes(packed + b"garbage after the member", "junk.fit.gz")
    assert any("gzip data damaged" in note for note in run.notes)


# --- zip bombs ----------------------------------------------------------------------------


def overlapping_zip(n_names: int, kernel: bytes) -> bytes:
    """One compressed kernel that ``n_names`` central directory entries all point at: the
    overlapping zip bomb (n times the kernel's size from one copy of it)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(kernel) + packer.flush()
    crc, name = zlib.crc32(kernel), b"k.fit"
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), len(kernel), len(name), 0
    )
    entry = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        *(0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), len(kernel), len(name)),
        *(0, 0, 0, 0, 0, 0),
    )
    central = (entry + name) * n_names
    end = struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        0,
        0,
        n_names,
        n_names,
        len(central),
        len(local) + len(name) + len(data),
        0,
    )
    return local + name + data + central + end


@pytest.mark.usefixtures("small_bound")
def test_an_overlapping_zip_bomb_reads_the_kernel_once_and_refuses_the_rest(
    tmp_path: Path,
) -> None:
    archive = write(tmp_path / "bomb.zip", overlapping_zip(1000, b"\x00" * (BOUND // 2)))
    started = time.perf_counter()
    result = read_paths([archive])
    assert time.perf_counter() - started < 5
    assert result.activities == []
    kinds = [e.reason for e in result.errors]
    assert len(kinds) == 1000
    assert kinds.count("zip entry overlaps another entry's data (a zip bomb): not read") == 999


@pytest.mark.usefixtures("small_bound")
def test_an_entry_declaring_more_than_the_bound_is_refused_before_decompressing(
    tmp_path: Path,
) -> None:
    archive = write(
        tmp_path / "x.zip", make_zip({"big.fit": b"\x00" * (8 * BOUND), "ok.fit": SMALL_FIT})
    )
    result = read_paths([archive])
    assert [Path(a.path).name for a in result.activities] == ["ok.fit"]
    assert reasons(result) == {"big.fit": "zip entry declares 8 MiB, beyond 1 MiB"}


def _lie_about_size(data: bytes, name: bytes, size: int) -> bytes:
    """Sets an entry's uncompressed size in its local header and central directory entry."""
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    while local >= 0:
        if out[local + 30 : local + 30 + len(name)] == name:
            out[local + 22 : local + 26] = struct.pack("<I", size)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        if out[central + 46 : central + 46 + len(name)] == name:
            out[central + 24 : central + 28] = struct.pack("<I", size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


@pytest.mark.usefixtures("small_bound")
@pytest.mark.parametrize("declared", [0, 100, BOUND])
def test_an_entry_that_understates_its_size_is_refused_not_followed(
    tmp_path: Path, declared: int
) -> None:
    """It holds 8 MiB but says less: reading stops at what it declared and the CRC fails."""
    data = make_zip({"liar.fit": b"\x00" * (8 * BOUND), "ok.fit": SMALL_FIT})
    archive = write(tmp_path / "x.zip", _lie_about_size(data, b"liar.fit", declared))
    started = time.perf_counter()
    result = read_paths([archive])
    assert time.perf_counter() - started < 2
    assert [Path(a.path).name for a in result.activities] == ["ok.fit"]
    assert reasons(result)["liar.fit"].startswith("damaged or unsupported zip entry")


# --- names ----------------------------------------------------------------------------------

ODD_NAMES = [
    "../../../../../../tmp/calfguard-escape.fit",
    "/tmp/calfguard-absolute.fit",
    "C:\\Windows\\calfguard.fit",
    "a/../../calfguard-up.fit",
    "./././calfguard-dots.fit",
    "dir\\..\\..\\calfguard-backslash.fit",
    "calfguard-nul.fit\x00/../../../evil",  # zipfile cuts names at the NUL
]


def _landing_places(name: str, bases: tuple[Path, ...]) -> set[Path]:
    """Where extracting ``name`` naively could put it: under each base, or as is."""
    clean = name.split("\x00")[0]
    places = {Path(clean)} if clean.startswith("/") else set()
    for variant in {clean, clean.replace("\\", "/")}:
        places.update(Path(os.path.normpath(base / variant.lstrip("/"))) for base in bases)
        places.update(Path(os.path.normpath(base / variant)) for base in bases)
    return places


def test_entry_names_are_only_names_nothing_is_written(tmp_path: Path) -> None:
    members = {name: fit_bytes(activity(full_samples(5 + i))) for i, name in enumerate(ODD_NAMES)}
    folder = tmp_path / "a" / "b" / "c"
    folder.mkdir(parents=True)
    archive = write(folder / "odd.zip", make_zip(members))
    before = sorted(tmp_path.rglob("*"))
    places = set().union(
        *(_landing_places(n, (folder, tmp_path, Path.cwd(), Path("/"))) for n in ODD_NAMES)
    )
    assert not any(place.exists() for place in places)
    result = read_paths([archive])
    assert sorted(tmp_path.rglob("*")) == before
    assert not [place for place in places if place.exists()]
    assert result.errors == []
    assert len(result.activities) == len(ODD_NAMES)


def test_a_symlink_entry_is_read_as_its_text_never_followed(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link.fit")
        link.external_attr = 0o120777 << 16  # a Unix symlink
        archive.writestr(link, "/etc/passwd")
        archive.writestr("ok.fit", SMALL_FIT)
    result = read_paths([write(tmp_path / "links.zip", buffer.getvalue())])
    assert [Path(a.path).name for a in result.activities] == ["ok.fit"]
    assert reasons(result) == {"link.fit": "not a FIT, GPX or TCX file (content not recognised)"}


def test_two_entries_with_one_name_are_each_read_once(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.fit", SMALL_FIT)
        z.writestr("a.fit", OTHER_FIT)
    result = read_paths([write(tmp_path / "dup.zip", buffer.getvalue())])
    assert sorted(len(a.samples) for a in result.activities) == [20, 30]


# --- nesting, size, damage ----------------------------------------------------------------------


def test_nested_zips_are_not_opened(tmp_path: Path) -> None:
    inner = make_zip({"inner.fit": SMALL_FIT})
    outer = make_zip({"inner.zip": inner, "disguised.fit": inner, "outer.fit": OTHER_FIT})
    result = read_paths([write(tmp_path / "outer.zip", outer)])
    assert [Path(a.path).name for a in result.activities] == ["outer.fit"]
    assert reasons(result) == {
        "disguised.fit": "not a FIT, GPX or TCX file (content not recognised)"
    }


def test_a_zip_with_thousands_of_entries_reads_each_once_in_linear_time(tmp_path: Path) -> None:
    """Each entry used to reopen the archive and parse its whole directory again."""
    members = {f"activities/{i:05d}.fit": SMALL_FIT for i in range(4000)}
    members.update({f"photos/{i:05d}.jpg": b"\xff\xd8" for i in range(4000)})
    archive = write(tmp_path / "export.zip", make_zip(members, zipfile.ZIP_STORED))
    started = time.perf_counter()
    result = read_paths([archive])
    assert time.perf_counter() - started < 10
    assert result.errors == []
    assert len(result.activities) == 4000


def test_sources_still_load_after_the_walk_closed_the_archive(tmp_path: Path) -> None:
    archive = write(tmp_path / "x.zip", make_zip({"a.fit": SMALL_FIT, "b.fit": OTHER_FIT}))
    sources = list(discover([archive]))  # the walk is over: its archive is closed
    loaded = [readers.read_source(s) for s in sources if isinstance(s, readers.Source)]
    assert [len(activities[0].samples) for activities in loaded] == [20, 30]


def _damage_entry(data: bytes, name: bytes, how: str) -> bytes:
    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    while out[local + 30 : local + 30 + len(name)] != name:
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while out[central + 46 : central + 46 + len(name)] != name:
        central = out.find(b"PK\x01\x02", central + 4)
    if how == "encrypted":
        out[local + 6] |= 1
        out[central + 8] |= 1
    elif how == "unknown method":
        out[local + 8 : local + 10] = out[central + 10 : central + 12] = struct.pack("<H", 99)
    elif how == "bad crc":
        out[central + 16] ^= 0xFF
        out[local + 14] ^= 0xFF
    elif how == "bad deflate data":
        start = local + 30 + len(name)
        for i in range(start, start + 40):
            out[i] ^= 0x55
    return bytes(out)


@pytest.mark.parametrize("how", ["encrypted", "unknown method", "bad crc", "bad deflate data"])
def test_a_damaged_entry_is_one_failure_and_the_rest_read(tmp_path: Path, how: str) -> None:
    data = make_zip({"bad.fit": SMALL_FIT * 3, "good.fit": OTHER_FIT})
    archive = write(tmp_path / "x.zip", _damage_entry(data, b"bad.fit", how))
    result = read_paths([archive])
    assert [Path(a.path).name for a in result.activities] == ["good.fit"]
    reason = reasons(result)["bad.fit"]
    assert reason.startswith("damaged or unsupported zip entry:"), reason


def test_a_damaged_strava_csv_loses_the_names_not_the_activities(tmp_path: Path) -> None:
    csv = b"Activity ID,Activity Name,Activity Type,Filename\n1,Run,Run,activities/1.fit\n"
    data = make_zip({"activities.csv": csv, "activities/1.fit": SMALL_FIT})
    archive = write(tmp_path / "x.zip", _damage_entry(data, b"activities.csv", "bad crc"))
    result = read_paths([archive])
    assert len(result.activities) == 1 and result.activities[0].name is None
    assert "names, types and gear unknown" in reasons(result)["activities.csv"]


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9, 0.99])
def test_a_cut_zip_is_one_failure(tmp_path: Path, cut: float) -> None:
    data = make_zip({"a.fit": SMALL_FIT, "b.gpx": gpx_bytes(activity(full_samples(10)))})
    result = read_paths([write(tmp_path / "cut.zip", data[: int(len(data) * cut)])])
    assert result.activities == []
    assert [e.reason.split(":")[0] for e in result.errors] == ["not a readable zip archive"]
