"""The GPX/TCX fast path (xml_template) against the ordinary ElementTree reading.

Whatever the document, reading it with the fast path must give exactly what reading it without
does: the same activities, value for value, notes included, or the same ReadError. Documents
come from the project's writers, Hypothesis (shapes, prefixes, spacing, bad values, comments,
entities, damage), the mutation fuzzer and the real corpus; on the writers' files the fast
path must also be the one that read the points.
"""

from __future__ import annotations

import dataclasses
import gzip
import re
from collections.abc import Callable

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from analyzer.errors import ReadError
from analyzer.model import Activity, Lap, Pause, Sport
from analyzer.readers import xml_template
from analyzer.readers.gpx import _TRKPT, read_gpx
from analyzer.readers.tcx import _TRACKPOINT, read_tcx
from analyzer.readers.xml_parse import open_document
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.tcx_writer import tcx_bytes
from tests.corpus import CORPUS, corpus_index
from tests.factories import T0, activity, assert_same_activity, full_samples
from tests.fuzz.mutate import mutants

Reader = Callable[[bytes, str], list[Activity]]


def outcome(reader: Reader, data: bytes) -> list[Activity] | str:
    try:
        return reader(data, "x")
    except ReadError as exc:
        return f"{type(exc).__name__}: {exc.reason}"


def assert_same_outcome(reader: Reader, data: bytes) -> None:
    """The fast path changes nothing: compared with a read that has it switched off."""
    fast = outcome(reader, data)
    original = xml_template.skeleton
    xml_template.skeleton = lambda doc, spec: None  # type: ignore[assignment]
    try:
        slow = outcome(reader, data)
    finally:
        xml_template.skeleton = original
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
        return
    assert len(fast) == len(slow)
    for mine, theirs in zip(fast, slow, strict=True):
        assert_same_activity(mine, theirs)


def matched_share(data: bytes, root: str, spec: xml_template.RecordSpec) -> float:
    """The share of the records the fast path read."""
    skeleton = xml_template.skeleton(open_document(data, "x", root), spec)
    total = len(re.findall(rb"<(?:\w+:)?%s[\s/>]" % spec.name.encode(), data))
    read = 0 if skeleton is None else sum(run.n_rows for run in skeleton.runs)
    return read / total


# --- the writers' files: read by the fast path, and the same --------------------------------


def _runs() -> dict[str, Activity]:
    samples = full_samples(600)
    gappy = full_samples(300)
    for name in ("heart_rate_bpm", "latitude_deg", "altitude_m", "cadence_spm"):
        channel = getattr(gappy, name).copy()
        channel[40:90] = np.nan  # a stretch without that reading, as after a dropout
        gappy = dataclasses.replace(gappy, **{name: channel})
    laps = tuple(
        Lap(
            start_time=activity(full_samples(1, T0 + 200 * i)).start_time,
            elapsed_time_s=200.0,
            timer_time_s=190.0 + i,
            distance_m=600.5 + i,
        )
        for i in range(3)
    )
    return {
        "plain": activity(samples, name="Morning & evening <run>"),
        "paused": activity(samples, pauses=(Pause(T0 + 50, T0 + 80),), utc_offset_s=-18000),
        "gaps": activity(gappy),
        "laps": activity(samples, laps=laps),
        "cycling": activity(full_samples(120), sport=Sport.CYCLING),
        "sub-second": activity(
            dataclasses.replace(full_samples(200), time_s=T0 + np.arange(200) * 0.25)
        ),
    }


@pytest.mark.parametrize("name", sorted(_runs()))
@pytest.mark.parametrize(
    ("write", "reader", "root", "spec"),
    [
        (gpx_bytes, read_gpx, "gpx", _TRKPT),
        (tcx_bytes, read_tcx, "TrainingCenterDatabase", _TRACKPOINT),
    ],
    ids=["gpx", "tcx"],
)
def test_writer_files_are_read_by_the_fast_path_and_the_same(
    name: str, write: Callable[[Activity], bytes], reader: Reader, root: str, spec: object
) -> None:
    assert isinstance(spec, xml_template.RecordSpec)
    data = write(_runs()[name])
    # Every record but the first few of another shape (no position, no heart rate yet).
    assert matched_share(data, root, spec) > 0.8
    assert_same_outcome(reader, data)


def test_windows_cut_anywhere_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gpx_bytes(_runs()["gaps"])
    for window in (1, 100, 777, 4096):
        monkeypatch.setattr(xml_template, "_WINDOW_BYTES", window)
        assert matched_share(data, "gpx", _TRKPT) > 0.8
        assert_same_outcome(read_gpx, data)


# --- hand-made documents ---------------------------------------------------------------------

GPX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"'
    ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
    "<trk><name>n</name><trkseg>\n{points}</trkseg></trk>\n</gpx>\n"
)
POINT = (
    '<trkpt lat="46.5{i}" lon="13.5"><ele>10{i}</ele><time>2024-05-01T06:00:{i:02d}Z</time>'
    "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>1{i:02d}</gpxtpx:hr>"
    "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
)


def gpx(points: str) -> bytes:
    return GPX.format(points=points).encode()


def points(n: int, first: int = 0) -> str:
    return "".join(POINT.format(i=i) for i in range(first, first + n))


@pytest.mark.parametrize(
    "odd",
    [
        "<!-- " + POINT.format(i=50) + " -->",  # a record inside a comment is no record
        "<![CDATA[" + POINT.format(i=50) + "]]>",
        "<?pi " + POINT.format(i=50) + "?>",
        POINT.format(i=50).replace("<ele>", "<ele>&#49;"),  # a reference in a value
        POINT.format(i=50).replace('lat="', "lat='").replace('" lon', "' lon"),
        POINT.format(i=50).replace('lat="46.550" lon="13.5"', 'lon="13.5" lat="46.5"'),
        POINT.format(i=50).replace("gpxtpx:", "undeclared:"),
        POINT.format(i=50).replace("<ele>1050</ele>", "<ele/>"),
        POINT.format(i=50).replace("<ele>1050</ele>", "<ele>1<b/>0</ele>"),
        POINT.format(i=50).replace("</trkpt>", "<trkpt lat='1' lon='2'/></trkpt>"),
        POINT.format(i=50).replace("<time>", "<time> ").replace("Z</time>", "z </time>"),
        "<_calfguard_rows i='0'/>",
        "<x:_calfguard_rows xmlns:x='urn:x' i='0'/>",
        POINT.format(i=50).replace("1050", "1050\x01"),
        POINT.format(i=50).replace("1050", "10\u00e950"),
        POINT.format(i=50).replace("1050", "abc"),
        POINT.format(i=50)
        .replace("<gpxtpx:hr>150", "<gpxtpx:hr>")
        .replace("</gpxtpx:TrackPointExtension>", "<hr>7</hr></gpxtpx:TrackPointExtension>"),
    ],
)
def test_odd_records_among_good_ones_read_the_same(odd: str) -> None:
    for where in (0, 5, 10):
        data = gpx(points(where) + odd + points(10 - where, first=20))
        assert_same_outcome(read_gpx, data)


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.9, 0.999])
def test_truncated_and_damaged_documents_read_the_same(cut: float) -> None:
    data = gpx(points(30))
    assert_same_outcome(read_gpx, data[: int(len(data) * cut)])
    middle = int(len(data) * cut)
    for damage in (b"<", b"&", b"\x00", b"\xff", b"</trk>"):
        assert_same_outcome(read_gpx, data[:middle] + damage + data[middle:])


def test_a_placeholder_name_in_the_document_turns_the_fast_path_off() -> None:
    data = gpx(points(5) + "<_calfguard_rows i='0'/>" + points(5, first=10))
    assert xml_template.skeleton(open_document(data, "x", "gpx"), _TRKPT) is None


# --- Hypothesis: generated documents ----------------------------------------------------------

_SPACES = st.sampled_from(["", "", "\n", "\n   ", " ", "\t", "\r\n"])
_NUMBERS = st.one_of(
    st.floats(-1e4, 1e4, allow_nan=False).map(repr),
    st.integers(-100, 300).map(str),
    st.sampled_from(["", " 12 ", "abc", "1e3", "nan", "inf", "1_000", "&#49;2", "+3", ".5"]),
)
_TIMES = st.one_of(
    st.integers(0, 10**8).map(
        lambda s: np.datetime_as_string(np.datetime64(int(T0) + s, "s")) + "Z"
    ),
    st.integers(0, 10**8).map(
        lambda s: np.datetime_as_string(np.datetime64(int(T0 * 1000) + s, "ms")) + "Z"
    ),
    st.sampled_from(
        [
            "",
            "2024-05-01T08:00:00+02:00",
            "2024-05-01t06:00:00z",
            "2024-02-30T06:00:00Z",
            "1901-12-13T20:45:52Z",
            "2024-05-01T06:00:00.1234567Z",
            "2024-05-01T06:00:60Z",
            "2024-05-01 06:00:00Z",
            "garbage",
        ]
    ),
)


@st.composite
def gpx_documents(draw: st.DrawFn) -> bytes:
    """Tracks of points mostly of one shape, with odd points, odd values and damage."""
    prefix = draw(st.sampled_from(["gpxtpx:", "gpxtpx:", "ns3:", "", "undeclared:"]))
    declared = "" if prefix in ("", "undeclared:") else f' xmlns:{prefix[:-1]}="urn:ext"'
    shape = draw(st.sets(st.sampled_from(["ele", "time", "hr", "cad", "atemp", "sat"])))
    space = draw(_SPACES)

    def point(odd: bool) -> str:
        fields = set(shape)
        if odd:
            fields ^= draw(st.sets(st.sampled_from(["ele", "time", "hr", "cad", "atemp", "sat"])))
        lat, lon = draw(_NUMBERS), draw(_NUMBERS)
        attributes = f' lat="{lat}" lon="{lon}"'
        if odd and draw(st.booleans()):
            attributes = draw(st.sampled_from(["", f" lon='{lon}' lat='{lat}'", f' lat="{lat}"']))
        inner = []
        for name in ("ele", "time", "sat"):
            if name in fields:
                text = draw(_TIMES) if name == "time" else draw(_NUMBERS)
                inner.append(f"<{name}>{text}</{name}>{space}")
        extension = "".join(
            f"<{prefix}{name}>{draw(_NUMBERS)}</{prefix}{name}>"
            for name in ("atemp", "hr", "cad")
            if name in fields
        )
        if extension:
            inner.append(
                f"<extensions>{space}<{prefix}TrackPointExtension>{extension}"
                f"</{prefix}TrackPointExtension>{space}</extensions>"
            )
        if odd and draw(st.booleans()):
            inner.insert(
                draw(st.integers(0, len(inner))),
                draw(st.sampled_from(["<!-- c -->", "<hdop>1</hdop>", "<time/>", "<ele />"])),
            )
        body = "".join(inner)
        return f"<trkpt{attributes}>{space}{body}</trkpt>" if body else f"<trkpt{attributes}/>"

    tracks = []
    for _ in range(draw(st.integers(1, 3))):
        segments = []
        for _ in range(draw(st.integers(1, 2))):
            n = draw(st.integers(0, 12))
            pts = [point(draw(st.integers(0, 9)) == 0) for _ in range(n)]
            segments.append(f"<trkseg>{space}{space.join(pts)}{space}</trkseg>")
        name = draw(st.sampled_from(["", "<name>a</name>", "<name>b &amp; c</name>"]))
        kind = draw(st.sampled_from(["", "<type>running</type>", "<type>cycling</type>"]))
        after = draw(st.booleans())
        parts = [*segments, name, kind] if after else [name, kind, *segments]
        tracks.append(f"<trk>{space}{space.join(parts)}</trk>")
    extra = draw(st.sampled_from(["", "", "", "<!-- x -->", "<rte><rtept lat='1' lon='2'/></rte>"]))
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="h"'
        f' xmlns="http://www.topografix.com/GPX/1/1"{declared}>{extra}{"".join(tracks)}</gpx>\n'
    )
    data = text.encode()
    damage = draw(st.sampled_from(["none", "none", "none", "cut", "insert"]))
    if damage != "none" and data:
        at = draw(st.integers(0, len(data) - 1))
        junk = draw(st.sampled_from([b"", b"<", b"&", b"\x01", b"\xff", b"</trkpt>", b">"]))
        data = data[:at] if damage == "cut" else data[:at] + junk + data[at:]
    return data


@st.composite
def tcx_documents(draw: st.DrawFn) -> bytes:
    """Activities of laps of trackpoints mostly of one shape, with odd ones and damage."""
    prefix = draw(st.sampled_from(["ns3:", "", "undeclared:"]))
    declared = "" if prefix in ("", "undeclared:") else ' xmlns:ns3="urn:ext"'
    names = ["Position", "AltitudeMeters", "DistanceMeters", "HeartRateBpm", "Cadence", "TPX"]
    shape = draw(st.sets(st.sampled_from(names)))
    space = draw(_SPACES)

    def trackpoint(odd: bool) -> str:
        fields = set(shape) ^ (draw(st.sets(st.sampled_from(names))) if odd else set())
        inner = [f"<Time>{draw(_TIMES)}</Time>"] if odd is False or draw(st.booleans()) else []
        for name in names:
            if name not in fields:
                continue
            if name == "Position":
                inner.append(
                    f"<Position><LatitudeDegrees>{draw(_NUMBERS)}</LatitudeDegrees>"
                    f"<LongitudeDegrees>{draw(_NUMBERS)}</LongitudeDegrees></Position>"
                )
            elif name == "HeartRateBpm":
                inner.append(f"<HeartRateBpm><Value>{draw(_NUMBERS)}</Value></HeartRateBpm>")
            elif name == "TPX":
                inner.append(
                    f"<Extensions><{prefix}TPX><{prefix}Speed>{draw(_NUMBERS)}</{prefix}Speed>"
                    f"<{prefix}RunCadence>{draw(_NUMBERS)}</{prefix}RunCadence>"
                    f"</{prefix}TPX></Extensions>"
                )
            else:
                inner.append(f"<{name}>{draw(_NUMBERS)}</{name}>")
        return f"<Trackpoint>{space.join(inner)}</Trackpoint>"

    activities = []
    for _ in range(draw(st.integers(1, 2))):
        laps = []
        for _ in range(draw(st.integers(1, 3))):
            n = draw(st.integers(0, 10))
            points = space.join(trackpoint(draw(st.integers(0, 9)) == 0) for _ in range(n))
            laps.append(
                f'<Lap StartTime="{draw(_TIMES)}"><TotalTimeSeconds>{draw(_NUMBERS)}'
                f"</TotalTimeSeconds><Track>{space}{points}{space}</Track></Lap>"
            )
        sport = draw(st.sampled_from(["Running", "Biking", "Other"]))
        element = draw(st.sampled_from(["Activity", "Activity", "Course"]))
        activities.append(f'<{element} Sport="{sport}"><Id>x</Id>{"".join(laps)}</{element}>')
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase'
        f' xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"{declared}>'
        f"<Activities>{''.join(activities)}</Activities></TrainingCenterDatabase>\n"
    )
    data = text.encode()
    if draw(st.integers(0, 4)) == 0 and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.sampled_from([b"", b"<", b"&", b"\x01", b"\xff"]))
    return data


_GENERATED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_GENERATED
@given(gpx_documents())
def test_generated_gpx_reads_the_same(data: bytes) -> None:
    assert_same_outcome(read_gpx, data)


@_GENERATED
@given(tcx_documents())
def test_generated_tcx_reads_the_same(data: bytes) -> None:
    assert_same_outcome(read_tcx, data)


# --- mutants and the real corpus ----------------------------------------------------------------


def _xml_sources() -> dict[str, tuple[bytes, Reader]]:
    found: dict[str, tuple[bytes, Reader]] = {
        "writer.gpx": (gpx_bytes(_runs()["gaps"]), read_gpx),
        "writer.tcx": (tcx_bytes(_runs()["laps"]), read_tcx),
    }
    for name in sorted(corpus_index()):
        plain = name.removesuffix(".gz")
        if not plain.endswith((".gpx", ".tcx")) or not (CORPUS / name).is_file():
            continue
        data = (CORPUS / name).read_bytes()
        data = gzip.decompress(data) if name.endswith(".gz") else data
        found[f"corpus:{name}"] = (data, read_gpx if plain.endswith(".gpx") else read_tcx)
    return found


@pytest.mark.parametrize("source", sorted(_xml_sources()))
def test_mutants_read_the_same(source: str) -> None:
    data, reader = _xml_sources()[source]
    assert_same_outcome(reader, data)
    for mutant in mutants(source, data, ".xml", seed=7, budget=60):
        if not mutant.data.startswith(b"\x1f\x8b"):
            assert_same_outcome(reader, mutant.data)


def test_points_richer_later_in_the_file_are_read_by_the_fast_path() -> None:
    """A heart-rate strap that joins after a minute: the first points have no <hr>."""
    early = "".join(
        POINT.format(i=i).replace(f"<gpxtpx:hr>1{i:02d}</gpxtpx:hr>", "") for i in range(60)
    )
    data = gpx(early + points(300, first=60))
    assert matched_share(data, "gpx", _TRKPT) == 1.0
    assert_same_outcome(read_gpx, data)


@pytest.mark.parametrize(
    "binding",
    [
        'xmlns:x=""',
        'xmlns:x="http://www.w3.org/XML/1998/namespace"',
        'xmlns:x="http://www.w3.org/2000/xmlns/"',
        'xmlns="http://www.w3.org/2000/xmlns/"',
    ],
)
def test_a_namespace_binding_expat_refuses_is_not_matched(binding: str) -> None:
    """The learned points declare namespaces; a later one binds one the way expat refuses."""
    declared = POINT.replace(
        "<gpxtpx:TrackPointExtension>",
        '<gpxtpx:TrackPointExtension xmlns:x="urn:x" xmlns="urn:y">',
    )
    good = 'xmlns:x="urn:x"' if binding.startswith("xmlns:") else 'xmlns="urn:y"'
    bad = declared.format(i=50).replace(good, binding)
    data = gpx("".join(declared.format(i=i) for i in range(20)) + bad)
    assert matched_share(data, "gpx", _TRKPT) == 20 / 21
    assert_same_outcome(read_gpx, data)
    (run,) = read_gpx(data, "x")  # the points before it, and expat's reason
    assert len(run.samples) == 20
    assert any("file damaged" in note for note in run.notes)


# --- found in review: each read differently before its fix -----------------------------------


def _bare_gpx(body: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0"?>\n{prolog}<gpx><trk>{body}</trk></gpx>\n'.encode()


def _bare_point(i: int, inner: str = "") -> str:
    return f'<trkpt lat="1" lon="2"><time>2024-05-01T06:00:{i:02d}Z</time>{inner}</trkpt>'


def _fast(data: bytes, root: str = "gpx", spec: xml_template.RecordSpec = _TRKPT) -> bool:
    return xml_template.skeleton(open_document(data, "x", root), spec) is not None


@pytest.mark.parametrize("inner", ['<trkpt lat="1" lon="2"/>', "<trk/>", "<wpt/>", "<rtept/>"])
def test_records_and_tracks_nested_in_a_point(inner: str) -> None:
    """ElementTree ends a track (or a point) at each nested one; a pattern that swallowed them
    read three points of one track where there were three tracks of one point."""
    data = _bare_gpx("<trkseg>" + "".join(_bare_point(i, inner) for i in range(3)) + "</trkseg>")
    assert_same_outcome(read_gpx, data)


def test_a_tcx_trackpoint_nested_in_a_trackpoint() -> None:
    point = "<Trackpoint><Time>2024-05-01T06:00:{:02d}Z</Time><Trackpoint/></Trackpoint>"
    data = (
        '<?xml version="1.0"?>\n<TrainingCenterDatabase><Activities><Activity Sport="Running">'
        "<Lap><Track>" + "".join(point.format(i) for i in range(3)) + "</Track></Lap>"
        "</Activity></Activities></TrainingCenterDatabase>\n"
    ).encode()
    assert_same_outcome(read_tcx, data)


def test_a_point_inside_a_comment_turns_the_fast_path_off() -> None:
    """A comment may not hold "--"; with the point taken out, expat would never see it."""
    for odd in (_bare_point(9).replace('lat="1"', 'lat="1--"'), _bare_point(9)):
        data = _bare_gpx(f"<trkseg>{_bare_point(0)}{_bare_point(1)}<!--{odd}--></trkseg>")
        assert not _fast(data)
        assert_same_outcome(read_gpx, data)


def test_a_point_in_a_prolog_comment_cannot_hide_a_cdata_section() -> None:
    """A match before the root shifted the skeleton's root, and with it where CDATA sections
    were looked for: the track's name became the placeholder."""
    cdata = f"<name><![CDATA[{_bare_point(9)}]]></name>"
    body = f"{cdata}<trkseg>{_bare_point(0)}{_bare_point(1)}</trkseg>"
    data = _bare_gpx(body, prolog=f"<!--{_bare_point(5)}-->\n")
    assert not _fast(data)
    assert_same_outcome(read_gpx, data)


def test_a_crlf_inside_a_time() -> None:
    """ElementTree gives CR LF as LF, which fromisoformat takes between date and time; the raw
    CR LF it refuses. Texts with a CR are now left to ElementTree."""
    odd = _bare_point(9).replace("2024-05-01T06", "2024-05-01\r\n06")
    data = _bare_gpx(f"<trkseg>{_bare_point(0)}{_bare_point(1)}{odd}</trkseg>")
    assert _fast(data)
    assert_same_outcome(read_gpx, data)
    (run,) = read_gpx(data, "x")
    assert len(run.samples) == 3


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ('<extensions xmlns:g="urn:a"><g:hr>99</g:hr></extensions>', 'xmlns:g="urn:}a"'),
        ('<extensions xmlns="urn:a"><hr>99</hr></extensions>', 'xmlns="urn:}a"'),
    ],
    ids=["prefix", "default"],
)
def test_a_namespace_name_holding_the_separator(good: str, bad: str) -> None:
    """ElementTree's expat refuses a namespace name holding "}", its separator (since the fix
    of CVE-2022-25236). The pattern took it: six points and no note, where ElementTree reads
    five and notes the damage."""
    declaration = good.split(">", 1)[0].removeprefix("<extensions ")
    odd = _bare_point(9, good.replace(declaration, bad))
    body = "".join(_bare_point(i, good) for i in range(5)) + odd
    data = _bare_gpx(f"<trkseg>{body}</trkseg>")
    assert _fast(data)
    assert_same_outcome(read_gpx, data)
    (run,) = read_gpx(data, "x")
    assert len(run.samples) == 5
    assert any("file damaged" in note for note in run.notes)


def test_a_namespace_name_holding_the_separator_tcx() -> None:
    point = (
        "<Trackpoint><Time>2024-05-01T06:00:{:02d}Z</Time><Extensions>"
        '<TPX xmlns="{}"><Speed>3</Speed></TPX></Extensions></Trackpoint>'
    )
    points = "".join(point.format(i, "urn:ax") for i in range(5)) + point.format(9, "urn:}")
    data = (
        '<?xml version="1.0"?>\n<TrainingCenterDatabase><Activities><Activity Sport="Running">'
        f"<Lap><Track>{points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n"
    ).encode()
    assert _fast(data, "TrainingCenterDatabase", _TRACKPOINT)
    assert_same_outcome(read_tcx, data)


def test_a_dotted_name_in_the_learned_point_does_not_match_other_names() -> None:
    """Names went into the pattern unescaped: a sampled <e.e> matched the other points' <ele>,
    which was then taken for that unread element, and their altitude lost."""
    points = _bare_point(0, "<e.e>1</e.e>") + "".join(
        _bare_point(i, "<ele>100</ele>") for i in (1, 2, 3)
    )
    data = _bare_gpx(f"<trkseg>{points}</trkseg>")
    assert _fast(data)
    assert_same_outcome(read_gpx, data)
    (run,) = read_gpx(data, "x")
    assert np.isnan(run.samples.altitude_m[0]) and list(run.samples.altitude_m[1:]) == [100] * 3


def test_a_dotted_name_cannot_hide_a_mismatched_end_tag() -> None:
    """<eXe>1</eYe> fitted <e.e>...</e.e>: not well-formed, yet read as if it were."""
    points = _bare_point(0, "<e.e>1</e.e>") + "".join(
        _bare_point(i, "<eXe>1</eYe>") for i in (1, 2, 3)
    )
    data = _bare_gpx(f"<trkseg>{points}</trkseg>")
    assert_same_outcome(read_gpx, data)
    (run,) = read_gpx(data, "x")
    assert len(run.samples) == 1
    assert any("file damaged" in note for note in run.notes)


def test_a_dotted_attribute_name_does_not_match_lat() -> None:
    """The same with an attribute: the sample's l.t matched the other points' lat."""
    sample = '<trkpt l.t="1" lon="2"><time>2024-05-01T06:00:00Z</time></trkpt>'
    data = _bare_gpx("<trkseg>" + sample + "".join(_bare_point(i) for i in (1, 2, 3)) + "</trkseg>")
    assert_same_outcome(read_gpx, data)
    (run,) = read_gpx(data, "x")
    assert np.isnan(run.samples.latitude_deg[0]) and list(run.samples.latitude_deg[1:]) == [1.0] * 3


def test_a_deeply_nested_point_is_left_to_elementtree() -> None:
    """900 nested elements in a point (6 kB, so sampled) made the pattern's recursion raise
    RecursionError out of the reader; ElementTree reads it without trouble."""
    inner = "<a>" * 900 + "</a>" * 900
    data = _bare_gpx("<trkseg>" + "".join(_bare_point(i, inner) for i in range(3)) + "</trkseg>")
    assert not _fast(data)
    (run,) = read_gpx(data, "x")
    assert len(run.samples) == 3


def test_unclosed_comment_openers_turn_the_fast_path_off() -> None:
    """Looking for a placeholder in a comment used the lazy ``<!--.*?-->``, which for each
    ``<!--`` never closed searched the rest of the text again: 48 kB of them after 1.3 MB of
    points took 2 s, where ElementTree stops at the second one in 70 ms. One pass now, and a
    comment never closed leaves the document to ElementTree."""
    points = "".join(_bare_point(i) for i in range(60))
    data = _bare_gpx(f"<trkseg>{points}" + "<!--" * 100 + "</trkseg>")
    assert not _fast(data)
    assert_same_outcome(read_gpx, data)
    closed = _bare_gpx(f"<trkseg>{points}<!-- fine --></trkseg>")
    assert _fast(closed)


def test_a_learned_point_with_same_named_children_is_not_used() -> None:
    """Its K same-named children were K optional groups in a row; in a point whose <a> held a
    long text and then an element, each scanned the text again: K = 1,500 and 512 kB took
    1.3 s against ElementTree's 20 ms. Such a point no longer becomes the pattern."""
    rich = "".join(_bare_point(i, "<a>1</a>" * 3) for i in range(20))
    hostile = _bare_point(30, "<a>" + "x" * 1000 + "<b/></a>")
    data = _bare_gpx(f"<trkseg>{rich}{hostile}</trkseg>")
    assert not _fast(data)
    assert_same_outcome(read_gpx, data)
