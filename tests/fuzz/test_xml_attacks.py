"""Hostile XML: entity expansion, external entities and DTDs, XInclude, deep nesting, odd
encodings and very large files. Each is refused with a reason or read as inert text, quickly,
and nothing of a file an entity points at ever appears in what comes back.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from analyzer import readers
from analyzer.errors import ReadError
from analyzer.readers import read_bytes, read_paths
from tests.fuzz.mutate import assert_sound

GPX_OPEN = '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'
POINT = '<trkpt lat="46.5" lon="13.5"><time>2024-05-01T06:00:{:02d}Z</time></trkpt>'
POINTS = "".join(POINT.format(i) for i in range(3))
TRACK = f"<trk><type>running</type><trkseg>{POINTS}</trkseg></trk>"
#: What a test reads must come back within this (the attacks are tiny: expansion is the risk).
QUICK_S = 2.0
SECRET = "calfguard-secret-7f3a"


def outcome(data: bytes, name: str = "attack.gpx") -> str:
    """Everything a read hands back, as text: the activities' repr, or the reason."""
    started = time.perf_counter()
    try:
        activities = read_bytes(data, name)
        assert_sound(activities)
        text = repr(activities)
    except ReadError as exc:
        assert exc.reason and "\n" not in exc.reason
        text = f"ReadError: {exc.reason}"
    assert time.perf_counter() - started < QUICK_S
    return text


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET}\n")
    return path


def leaked(text: str) -> bool:
    """True if the text holds anything of the secret file or of /etc/passwd."""
    passwd = Path("/etc/passwd")
    first = passwd.read_text().split(":", 1)[0] + ":x:" if passwd.exists() else SECRET
    return SECRET in text or first in text or "/bin/" in text


def gpx_with_doctype(doctype: str, body: str = TRACK) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n{GPX_OPEN}{body}</gpx>'.encode()


BILLION_LAUGHS = """<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def attacks(secret: Path) -> dict[str, bytes]:
    track_named = "<trk><name>&x;</name><type>running</type><trkseg>" + POINTS + "</trkseg></trk>"
    return {
        "billion laughs": gpx_with_doctype(BILLION_LAUGHS, TRACK.replace("running", "&lol9;")),
        "external entity (passwd)": gpx_with_doctype(
            '<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>', track_named
        ),
        "external entity (secret)": gpx_with_doctype(
            f'<!DOCTYPE gpx [<!ENTITY x SYSTEM "file://{secret}">]>', track_named
        ),
        "external DTD": gpx_with_doctype(f'<!DOCTYPE gpx SYSTEM "file://{secret}">'),
        "external DTD over http": gpx_with_doctype(
            '<!DOCTYPE gpx PUBLIC "-//x//y" "http://127.0.0.1:9/evil.dtd">'
        ),
        "parameter entities": gpx_with_doctype(
            f'<!DOCTYPE gpx [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>'
        ),
        "parameter entity into an entity": gpx_with_doctype(
            '<!DOCTYPE gpx [<!ENTITY % file SYSTEM "file:///etc/passwd">'
            "<!ENTITY % wrap \"<!ENTITY x '%file;'>\"> %wrap;]>",
            track_named,
        ),
        "internal subset only": gpx_with_doctype('<!DOCTYPE gpx [<!ENTITY x "harmless">]>'),
        "doctype without subset": gpx_with_doctype("<!DOCTYPE gpx>"),
        # Compact, so the root is within the first kilobyte sniffed to recognise a GPX.
        "utf-16 billion laughs": gpx_with_doctype(
            '<!DOCTYPE gpx [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
            TRACK.replace("running", "&d;"),
        )
        .decode()
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16"),
        "tcx with external entity": (
            '<?xml version="1.0"?>\n<!DOCTYPE TrainingCenterDatabase '
            f'[<!ENTITY x SYSTEM "file://{secret}">]>\n'
            '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
            'TrainingCenterDatabase/v2"><Activities><Activity Sport="&x;"><Lap>'
            "<Track><Trackpoint><Time>2024-05-01T06:00:00Z</Time></Trackpoint></Track>"
            "</Lap></Activity></Activities></TrainingCenterDatabase>"
        ).encode(),
    }


@pytest.mark.parametrize(
    "name",
    [
        "billion laughs",
        "external entity (passwd)",
        "external entity (secret)",
        "external DTD",
        "external DTD over http",
        "parameter entities",
        "parameter entity into an entity",
        "internal subset only",
        "doctype without subset",
        "utf-16 billion laughs",
        "tcx with external entity",
    ],
)
def test_dtds_and_entities_are_refused_quickly_with_a_reason(name: str, secret_file: Path) -> None:
    data = attacks(secret_file)[name]
    suffix = ".tcx" if name.startswith("tcx") else ".gpx"
    text = outcome(data, "attack" + suffix)
    assert text.startswith("ReadError: refused: the XML")
    assert "DOCTYPE" in text
    assert not leaked(text)


def test_xinclude_is_inert_text(secret_file: Path) -> None:
    """ElementTree never processes XInclude: the element is an unknown tag, ignored."""
    include = '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{}" parse="text"/>'
    body = (
        f"<trk><name>{include.format(secret_file)}</name><type>running</type><trkseg>"
        + POINT.format(0).replace("</trkpt>", include.format("/etc/passwd") + "</trkpt>")
        + POINT.format(1)
        + "</trkseg></trk>"
    )
    data = f'<?xml version="1.0"?>\n{GPX_OPEN}{body}</gpx>'.encode()
    text = outcome(data)
    assert not text.startswith("ReadError")
    assert not leaked(text)
    (run,) = read_bytes(data, "x.gpx")
    assert len(run.samples) == 2 and run.name is None


@pytest.mark.parametrize("where", ["in a point", "around the track", "in the root"])
def test_deep_nesting_is_read_or_refused_quickly(where: str) -> None:
    depth = 100_000
    deep = "<x>" * depth + "</x>" * depth
    if where == "in a point":
        body = TRACK.replace("</trkpt>", f"<extensions>{deep}</extensions></trkpt>", 1)
    elif where == "around the track":
        body = "<x>" * depth + TRACK + "</x>" * depth
    else:
        body = deep + TRACK
    data = f'<?xml version="1.0"?>\n{GPX_OPEN}{body}</gpx>'.encode()
    text = outcome(data)
    assert not text.startswith("ReadError"), text
    (run,) = read_bytes(data, "deep.gpx")
    assert len(run.samples) == 3


def test_deeply_nested_track_points_are_each_read_once() -> None:
    depth = 20_000
    nested = "".join(POINT.format(i % 60).removesuffix("</trkpt>") for i in range(depth))
    body = f"<trk><type>running</type><trkseg>{nested}{'</trkpt>' * depth}</trkseg></trk>"
    data = f'<?xml version="1.0"?>\n{GPX_OPEN}{body}</gpx>'.encode()
    outcome(data)


@pytest.mark.parametrize(
    "encoding", ["rot13", "base64", "zlib", "utf-7", "UTF-32", "shift_jis", "idna", "x" * 500]
)
def test_declared_encodings_that_are_no_text_encoding_are_refused(encoding: str) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?>\n{GPX_OPEN}{TRACK}</gpx>'.encode()
    text = outcome(data)
    assert text.startswith("ReadError: refused: unsupported text encoding")


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "US-ASCII", "latin1"])
def test_single_byte_encodings_still_read(encoding: str) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?>\n{GPX_OPEN}{TRACK}</gpx>'.encode()
    (run,) = read_bytes(data, "x.gpx")
    assert len(run.samples) == 3


# --- very large files --------------------------------------------------------------------------

#: The big GPX: 200 MB in the long run; 20 MB by default (the same code path, a tenth the wait).
BIG_MB = 200 if "CALFGUARD_FUZZ_MUTANTS" in os.environ else 20


def write_big_gpx(path: Path, megabytes: int) -> int:
    """A GPX of repeated realistic track points, written in pieces; returns the point count."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        "<trk><type>running</type><trkseg>\n"
    )
    line = (
        '<trkpt lat="46.{i:06d}" lon="13.{i:06d}"><ele>{e}.5</ele><time>{t}</time>'
        "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{h}</gpxtpx:hr>"
        "<gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
    )
    n = 0
    with path.open("w", encoding="ascii") as out:
        out.write(head)
        size = len(head)
        while size < megabytes * 1_000_000:
            chunk = []
            for _ in range(10_000):
                day, second = divmod(n, 86_400)
                stamp = f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T"
                stamp += f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
                chunk.append(line.format(i=n % 1_000_000, e=300 + n % 50, t=stamp, h=120 + n % 60))
                n += 1
            text = "".join(chunk)
            out.write(text)
            size += len(text)
        out.write("</trkseg></trk></gpx>\n")
    return n


_READ_BIG = """
import json, re, sys, time
from pathlib import Path
from analyzer.readers import read_bytes
import analyzer.readers.gpx

def vm(key):
    status = Path("/proc/self/status").read_text()
    return int(re.search(key + r":\\s+(\\d+) kB", status).group(1)) / 1024

data = Path(sys.argv[1]).read_bytes()
before = vm("VmRSS")
started = time.perf_counter()
(run,) = read_bytes(data, "big.gpx")
print(json.dumps({
    "input_mb": round(len(data) / 2**20, 1),
    "points": len(run.samples),
    "seconds": round(time.perf_counter() - started, 1),
    "peak_beyond_input_mb": round(vm("VmHWM") - before, 1),
}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_big_gpx_reads_within_a_memory_bound(tmp_path: Path) -> None:
    """In a fresh interpreter, so its peak RSS is this read's alone. The input itself is in
    memory (read_bytes takes bytes); the reader adds ~215 bytes a point (120 of them are the
    activity's 15 float64 channels), about the input's size again for points like these
    (~220 bytes of XML each). It kept every point's texts before: ~760 bytes a point."""
    path = tmp_path / "big.gpx"
    n = write_big_gpx(path, BIG_MB)
    done = subprocess.run(
        [sys.executable, "-c", _READ_BIG, str(path)],
        capture_output=True,
        text=True,
        timeout=30 + 3 * BIG_MB,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    figures = _last_json(done.stdout)
    print(figures)
    assert figures["points"] == n
    assert figures["peak_beyond_input_mb"] < max(60.0, 1.5 * figures["input_mb"])


def _last_json(text: str) -> dict[str, float]:
    import json

    line = text.strip().splitlines()[-1]
    parsed: dict[str, float] = json.loads(line)
    return parsed


def test_files_over_the_bound_are_refused_before_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers.sources, "MAX_FILE_BYTES", 1 << 20)
    path = tmp_path / "big.gpx"
    write_big_gpx(path, 2)
    result = read_paths([path])
    assert [e.reason for e in result.errors] == ["larger than 1 MiB"]


def test_a_gzip_of_empty_points_does_not_blow_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """1 MiB of ``<trkpt/>`` (a few kB gzipped): each point used to cost a row of texts,
    about 34 times the text (128 MiB of it, from a 190 kB gzip, took 4 GB)."""
    body = b"<trkpt/>" * (1 << 17)
    head = f'<?xml version="1.0"?>\n{GPX_OPEN}<trk><trkseg>{POINT.format(0)}'.encode()
    data = gzip.compress(head + body + b"</trkseg></trk></gpx>")
    assert len(data) < 64_000
    started = time.perf_counter()
    tracemalloc.start()
    try:
        (run,) = read_bytes(data, "bomb.gpx.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 20  # a guard against a hang (tracemalloc is slow)
    assert peak < 3 * len(body)  # the unzipped text and little more (was ~34 times it)
    assert len(run.samples) == 1
    assert any(re.match(r"dropped 131072 track points without a time", n) for n in run.notes)
