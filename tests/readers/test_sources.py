"""Finding and opening files: folders, sniffing, gzip and zip bounds, Strava exports."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from analyzer import readers
from analyzer.model import Format, Sport
from analyzer.readers import read_bytes, read_paths
from analyzer.readers.sniff import sniff
from analyzer.readers.sources import TEAM_FOLDER, ReadFailure, Source, discover
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.tcx_writer import tcx_bytes
from tests.factories import T0, activity, full_samples

RUN = activity(full_samples(120))
LATER_RUN = activity(full_samples(90, T0 + 86_400))


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (fit_bytes(RUN), Format.FIT),
        (gpx_bytes(RUN), Format.GPX),
        (tcx_bytes(RUN), Format.TCX),
        (gzip.compress(fit_bytes(RUN)), Format.FIT),
        (gzip.compress(gpx_bytes(RUN)), Format.GPX),
        (b"\xef\xbb\xbf" + gpx_bytes(RUN), Format.GPX),
        (gpx_bytes(RUN).decode().encode("utf-16"), Format.GPX),
        (b"<html><body>not a track</body></html>", None),
        (b"date,distance\n2024-01-01,5\n", None),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, None),
        (b"", None),
    ],
    ids=["fit", "gpx", "tcx", "fit.gz", "gpx.gz", "bom", "utf16", "html", "csv", "png", "empty"],
)
def test_sniff_reads_content_not_names(data: bytes, expected: Format | None) -> None:
    assert sniff(data[:1024]) == expected


@pytest.mark.parametrize("write", [gpx_bytes, tcx_bytes], ids=["gpx", "tcx"])
def test_a_long_comment_before_the_root_is_looked_past(write: object, tmp_path: Path) -> None:
    """Exporters put licence texts before the root: 40 kB of comment, named or not."""
    assert callable(write)
    declaration, rest = write(RUN).split(b"?>", 1)
    licence = b"<!-- " + b"Licensed under the terms of something. " * 1000 + b"-->"
    data = declaration + b"?>\n" + licence + rest
    assert len(licence) > 32_000
    (read,) = read_bytes(data, "long-prolog")
    assert len(read.samples) == len(RUN.samples)
    (tmp_path / "named.xml").write_bytes(data)  # not an activity suffix: sniffed
    (tmp_path / "run.gpx.gz").write_bytes(gzip.compress(data))
    result = read_paths([tmp_path])
    assert not result.errors
    assert len(result.activities) == 2


def test_a_folder_yields_activities_and_skips_what_is_not_ours(tmp_path: Path) -> None:
    write(tmp_path / "a.fit", fit_bytes(RUN))
    write(tmp_path / "sub" / "b.gpx.gz", gzip.compress(gpx_bytes(LATER_RUN)))
    write(tmp_path / "sub" / "renamed.dat", tcx_bytes(LATER_RUN))  # sniffed, not named
    write(tmp_path / "notes.txt", b"felt good\n")
    write(tmp_path / "photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    write(tmp_path / "export.csv", b"a,b\n1,2\n")
    result = read_paths([tmp_path])
    assert result.errors == []
    assert sorted((Path(a.path).name, a.format) for a in result.activities) == [
        ("a.fit", Format.FIT),
        ("b.gpx.gz", Format.GPX),
        ("renamed.dat", Format.TCX),
    ]


def test_a_file_named_on_its_own_is_said_when_it_is_not_an_activity(tmp_path: Path) -> None:
    """In a folder, notes are skipped silently; named by itself (``calfguard show notes.txt``),
    a file the user asked for must not vanish without a word."""
    notes = write(tmp_path / "notes.txt", b"felt good\n")
    renamed = write(tmp_path / "run.dat", fit_bytes(RUN))
    assert read_paths([tmp_path]).errors == []
    result = read_paths([notes, renamed])
    assert [(e.path, e.reason) for e in result.errors] == [
        (str(notes), "not a FIT, GPX or TCX file (content not recognised)")
    ]
    assert [a.path for a in result.activities] == [str(renamed)]


def test_files_named_as_activities_but_unreadable_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "good.fit", fit_bytes(RUN))
    write(tmp_path / "junk.fit", b"this is not a fit file at all")
    write(tmp_path / "empty.gpx", b"")
    write(tmp_path / "bad.gpx.gz", b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "dangling.tcx").symlink_to(tmp_path / "nowhere.tcx")
    result = read_paths([tmp_path, tmp_path / "missing-folder"])
    assert [Path(a.path).name for a in result.activities] == ["good.fit"]
    reasons = {Path(e.path).name: e.reason for e in result.errors}
    assert reasons == {
        "bad.gpx.gz": reasons["bad.gpx.gz"],
        "dangling.tcx": "cannot read: No such file or directory",
        "empty.gpx": "empty file",
        "junk.fit": "not a FIT, GPX or TCX file (content not recognised)",
        "missing-folder": "no such file or folder",
    }
    assert reasons["bad.gpx.gz"].startswith("bad gzip data")


def test_a_truncated_gzip_keeps_what_decompressed(tmp_path: Path) -> None:
    packed = gzip.compress(fit_bytes(activity(full_samples(3000))))
    (run,) = read_bytes(packed[: len(packed) * 2 // 3], "cut.fit.gz")
    assert 0 < len(run.samples) < 3000
    assert any(note.startswith("gzip stream truncated") for note in run.notes)


def test_gzip_bombs_stop_at_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1 << 20)
    bomb = gzip.compress(b"\x00" * (8 << 20))  # 8 MiB of zeros in a few kilobytes
    with pytest.raises(readers.ReadError, match="expands beyond 1 MiB"):
        read_bytes(bomb, "bomb.fit.gz")


def strava_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


STRAVA_CSV = (
    b"Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename\n"
    b"1,x,Lunch Run,Run,Old shoes,activities/1.fit.gz\n"
    b"2,x,Hill reps,Trail Run,Trail shoes,activities/2.gpx\n"
)


def test_a_strava_zip_is_read_in_memory_with_names_types_and_gear(tmp_path: Path) -> None:
    archive = write(
        tmp_path / "export_123.zip",
        strava_zip(
            {
                "activities.csv": STRAVA_CSV,
                "activities/1.fit.gz": gzip.compress(fit_bytes(RUN)),
                "activities/2.gpx": gpx_bytes(LATER_RUN),
                "routes/1.gpx": gpx_bytes(RUN),
                "../escape.fit": fit_bytes(RUN),
                "/abs/olute.fit": fit_bytes(RUN),
                "profile.csv": b"x\n",
            }
        ),
    )
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = read_paths([archive])
    assert result.errors == []
    got = {a.path.split("!/")[1]: (a.name, a.sport, a.gear) for a in result.activities}
    assert got == {
        "activities/1.fit.gz": ("Lunch Run", Sport.RUNNING, "Old shoes"),
        "activities/2.gpx": ("Hill reps", Sport.TRAIL_RUNNING, "Trail shoes"),
        # Odd member names are only names: read in memory, nothing is written anywhere.
        "../escape.fit": (None, Sport.RUNNING, None),
        "/abs/olute.fit": (None, Sport.RUNNING, None),
    }
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert not (tmp_path.parent / "escape.fit").exists()


def test_a_strava_export_folder_skips_routes(tmp_path: Path) -> None:
    write(tmp_path / "activities.csv", STRAVA_CSV)
    write(tmp_path / "activities" / "1.fit.gz", gzip.compress(fit_bytes(RUN)))
    write(tmp_path / "activities" / "2.gpx", gpx_bytes(LATER_RUN))
    write(tmp_path / "routes" / "1.gpx", gpx_bytes(RUN))
    result = read_paths([tmp_path])
    assert result.errors == []
    assert sorted((a.name, a.gear) for a in result.activities) == [
        ("Hill reps", "Trail shoes"),
        ("Lunch Run", "Old shoes"),
    ]


def test_a_team_folder_is_skipped_and_said_not_read_as_the_runners(tmp_path: Path) -> None:
    """A club's folder inside a runner's (sample_data/team/): its athletes are not this
    runner, so none of their files count; the skip is reported as not an activity."""
    mine = write(tmp_path / "a.fit", fit_bytes(RUN))
    team = tmp_path / "club"
    write(team / "team.toml", b'[[athletes]]\nid = "ana"\n')
    write(team / "ana" / "b.fit", fit_bytes(LATER_RUN))
    write(tmp_path / "z" / "c.fit", fit_bytes(LATER_RUN))  # a plain subfolder is still read
    found = list(discover([tmp_path]))
    assert [item.path for item in found if isinstance(item, Source)] == [
        str(mine),
        str(tmp_path / "z" / "c.fit"),
    ]
    assert [item for item in found if isinstance(item, ReadFailure)] == [
        ReadFailure(str(team), TEAM_FOLDER, not_activity=True)
    ]
    # Pointed at the team's folder itself, a one-runner report reads none of it either.
    assert list(discover([team])) == [ReadFailure(str(team), TEAM_FOLDER, not_activity=True)]
    # The athlete's own folder, as calfguard team reads it, is read.
    assert [item.path for item in discover([team / "ana"])] == [str(team / "ana" / "b.fit")]


def test_a_link_to_a_team_folder_is_not_followed_and_not_named(tmp_path: Path) -> None:
    """Links to folders are never followed; a link to a team's folder is no exception."""
    team = tmp_path / "elsewhere" / "club"
    write(team / "team.toml", b"")
    runner = tmp_path / "runner"
    mine = write(runner / "a.fit", fit_bytes(RUN))
    (runner / "club").symlink_to(team, target_is_directory=True)
    assert [item.path for item in discover([runner])] == [str(mine)]


def test_a_folder_that_cannot_be_looked_into_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking for a team file in a folder this user may not enter (EACCES: Path.is_file
    lets it through) must not end the walk: the folder is reported, as before."""
    mine = write(tmp_path / "a.fit", fit_bytes(RUN))
    locked = tmp_path / "locked"
    locked.mkdir()
    real_stat = Path.stat

    def stat(path: Path, **kwargs: object) -> object:
        if path.parent == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "stat", stat)
    assert [item.path for item in discover([tmp_path])] == [str(mine)]
    assert list(discover([locked])) == []  # empty, as os.walk sees it here


def test_a_broken_zip_is_one_error_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path / "a.fit", fit_bytes(RUN))
    write(tmp_path / "export.zip", b"PK\x03\x04 broken")
    result = read_paths([tmp_path])
    assert len(result.activities) == 1
    assert [Path(e.path).name for e in result.errors] == ["export.zip"]
    assert result.errors[0].reason.startswith("not a readable zip archive")
