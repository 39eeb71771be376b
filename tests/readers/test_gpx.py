"""GPX reader and writer: round trips, GPX dialects, damaged and hostile files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import ReadError, RouteNotActivity
from analyzer.model import Activity, Format, Samples, Sport, SportSource
from analyzer.readers.gpx import read_gpx
from analyzer.samplegen.gpx_writer import gpx_bytes

DATA = Path(__file__).parent / "data"
T0 = 1_714_545_000.0  # 2024-05-01T06:30:00Z


def fixture(name: str) -> list[Activity]:
    return read_gpx((DATA / name).read_bytes(), name)


def gpx(points: str, *, trk_extra: str = "<type>running</type>") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f"<trk>{trk_extra}<trkseg>\n{points}</trkseg></trk>\n</gpx>\n"
    ).encode()


def point(stamp: str | None, lat: float = 45.0, extra: str = "") -> str:
    when = f"<time>{stamp}</time>" if stamp is not None else ""
    return f'<trkpt lat="{lat}" lon="13.0">{when}{extra}</trkpt>\n'


def make_activity(sport: Sport = Sport.RUNNING, n: int = 5, **channels: npt.ArrayLike) -> Activity:
    time_s = T0 + np.arange(n, dtype=np.float64)
    samples = Samples.from_channels(time_s, **channels)
    return Activity(
        path="made.gpx",
        format=Format.GPX,
        sport=sport,
        start_time=datetime.fromtimestamp(T0, UTC),
        samples=samples,
        device="Forerunner 965",
        name="Morning run",
    )


# --- round trips ------------------------------------------------------------------------

_GPX_CHANNELS = (
    "latitude_deg",
    "longitude_deg",
    "altitude_m",
    "heart_rate_bpm",
    "cadence_spm",
    "temperature_c",
)
_XML_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=30
)


#: (0, 0) is the placeholder of a receiver without a fix, which the readers remove.
_POSITIONS = st.tuples(st.floats(-90, 90), st.floats(-180, 180)).filter(lambda p: p != (0, 0))


def _with_gaps(draw: st.DrawFn, values: st.SearchStrategy[float], n: int) -> list[float]:
    """Values where some points (or all) have NaN: the channel is missing there."""
    present = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return [draw(values) if keep else np.nan for keep in present]


@st.composite
def running_activities(draw: st.DrawFn) -> Activity:
    n = draw(st.integers(1, 30))
    # 2000 .. 2100 at the last sample: the readers drop times outside 1990..2100
    start_ms = draw(st.integers(946_684_800_000, 4_102_444_800_000 - 30 * 600_000))
    steps_ms = draw(st.lists(st.integers(1, 600_000), min_size=n - 1, max_size=n - 1))
    time_s = (start_ms + np.cumsum([0, *steps_ms])) / 1000.0
    has_position = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    positions = [draw(_POSITIONS) if p else (np.nan, np.nan) for p in has_position]
    lat, lon = [p[0] for p in positions], [p[1] for p in positions]
    samples = Samples.from_channels(
        time_s,
        latitude_deg=lat,
        longitude_deg=lon,
        altitude_m=_with_gaps(draw, st.floats(-500, 9000), n),
        heart_rate_bpm=_with_gaps(draw, st.integers(30, 230).map(float), n),
        # even steps/min: GPX stores whole per-foot values, so odd ones cannot come back
        cadence_spm=_with_gaps(draw, st.integers(65, 115).map(lambda c: 2.0 * c), n),
        temperature_c=_with_gaps(draw, st.floats(-40, 60), n),
    )
    return Activity(
        path="generated.gpx",
        format=Format.GPX,
        sport=Sport.RUNNING,
        start_time=datetime.fromtimestamp(float(time_s[0]), UTC),
        samples=samples,
        device=draw(_XML_TEXT.map(str.strip).filter(bool)),
        name=draw(_XML_TEXT.map(str.strip)) or None,
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(running_activities())
def test_round_trip_is_exact_at_gpx_resolution(original: Activity) -> None:
    (read,) = read_gpx(gpx_bytes(original), "generated.gpx")
    for channel in ("time_s", *_GPX_CHANNELS):
        np.testing.assert_array_equal(
            getattr(read.samples, channel), getattr(original.samples, channel), err_msg=channel
        )
    assert read.samples.present_channels() == original.samples.present_channels()
    assert (read.sport, read.name, read.device) == (original.sport, original.name, original.device)
    assert read.start_time == original.start_time
    assert read.format is Format.GPX
    assert read.path == "generated.gpx"
    assert read.utc_offset_s is None
    assert read.cadence_doubled == original.samples.has("cadence_spm")
    assert read.notes == ()


def test_round_trip_keeps_milliseconds_and_rounds_finer_times() -> None:
    time_s = np.array([T0, T0 + 0.001, T0 + 1.25, T0 + 2.0004, T0 + 3.9996])
    activity = make_activity(n=5)
    activity = replace(activity, samples=Samples.from_channels(time_s))
    data = gpx_bytes(activity)
    assert b"<time>2024-05-01T06:30:00Z</time>" in data
    assert b"<time>2024-05-01T06:30:01.250Z</time>" in data
    (read,) = read_gpx(data, "t.gpx")
    np.testing.assert_allclose(read.samples.time_s, time_s, rtol=0, atol=0.0005)
    np.testing.assert_array_equal(read.samples.time_s[:3], time_s[:3])


@pytest.mark.parametrize("sport", list(Sport))
def test_every_sport_survives_the_type_element(sport: Sport) -> None:
    (read,) = read_gpx(gpx_bytes(make_activity(sport)), "s.gpx")
    assert read.sport is sport
    assert read.notes == ()


def test_writer_leaves_nan_channels_out_per_point() -> None:
    activity = make_activity(
        n=2,
        latitude_deg=[46.0, np.nan],
        longitude_deg=[14.0, np.nan],
        heart_rate_bpm=[150.0, np.nan],
    )
    data = gpx_bytes(activity).decode()
    assert data.count("<gpxtpx:hr>") == 1
    assert "<ele>" not in data and "<gpxtpx:cad>" not in data
    assert "<trkpt><time>" in data  # no position: no lat/lon, nothing invented
    assert 'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"' in data


def test_writer_never_uses_exponent_notation() -> None:
    activity = make_activity(n=1, latitude_deg=[1e-7], longitude_deg=[-2.5e-8], altitude_m=[1e-5])
    data = gpx_bytes(activity)
    assert b"e-" not in data.lower()
    (read,) = read_gpx(data, "small.gpx")
    assert read.samples.latitude_deg[0] == 1e-7
    assert read.samples.altitude_m[0] == 1e-5


# --- cadence ----------------------------------------------------------------------------


def test_per_foot_cadence_is_doubled() -> None:
    activity = make_activity(cadence_spm=[170.0, 172.0, 168.0, 0.0, 180.0])
    assert b"<gpxtpx:cad>85</gpxtpx:cad>" in gpx_bytes(activity)
    (read,) = read_gpx(gpx_bytes(activity), "c.gpx")
    assert read.cadence_doubled
    np.testing.assert_array_equal(read.samples.cadence_spm, [170, 172, 168, 0, 180])


def test_cadence_already_in_steps_per_minute_is_not_doubled() -> None:
    points = "".join(
        point(f"2024-01-01T06:00:0{i}Z", extra=f"<extensions><cad>{cad}</cad></extensions>")
        for i, cad in enumerate((168, 172, 170))
    )
    (read,) = read_gpx(gpx(points), "spm.gpx")
    assert not read.cadence_doubled
    np.testing.assert_array_equal(read.samples.cadence_spm, [168, 172, 170])


def test_cycling_cadence_is_not_steps_and_is_dropped() -> None:
    points = point("2024-01-01T06:00:00Z", extra="<extensions><cad>90</cad></extensions>")
    (read,) = read_gpx(gpx(points, trk_extra="<type>cycling</type>"), "bike.gpx")
    assert read.sport is Sport.CYCLING
    assert not read.samples.has("cadence_spm")


# --- dialects ---------------------------------------------------------------------------


def test_gpx_1_0_with_its_own_speed_element() -> None:
    (read,) = fixture("gpx10.gpx")
    assert read.device == "GPSBabel - http://www.gpsbabel.org"
    assert read.name == "ACTIVE LOG"
    assert read.sport is Sport.RUNNING and read.sport_source is SportSource.ASSUMED
    assert read.notes == ()
    np.testing.assert_array_equal(read.samples.speed_m_s, [2.5, 2.75, np.nan])
    np.testing.assert_array_equal(read.samples.altitude_m, [534.5, 535.0, np.nan])
    np.testing.assert_array_equal(read.samples.latitude_deg, [45.772163216, 45.7722, 45.77225])
    assert not read.samples.has("distance_m")  # GPX has no distance; none is derived


def test_gpx_1_0_declaring_the_1_1_namespace_with_garmin_v2_extension() -> None:
    (read,) = fixture("gpx10-with-11-namespace.gpx")
    s = read.samples
    assert (read.device, read.sport, read.cadence_doubled) == ("HealthFit", Sport.RUNNING, True)
    np.testing.assert_array_equal(s.heart_rate_bpm, [141, 143])
    np.testing.assert_array_equal(s.cadence_spm, [168, 172])
    np.testing.assert_array_equal(s.speed_m_s, [2.91, 2.93])
    np.testing.assert_array_equal(s.temperature_c, [18.5, 18.5])
    np.testing.assert_array_equal(s.altitude_m, [250.25, 250.5])
    np.testing.assert_array_equal(s.latitude_deg, [45.12345678, 45.12346678])


def test_extensions_without_namespaces_and_alternative_names() -> None:
    (read,) = fixture("extensions-without-namespace.gpx")
    s = read.samples
    assert read.sport is Sport.RUNNING  # <type>Run</type>
    np.testing.assert_array_equal(s.heart_rate_bpm, [150, 152])
    np.testing.assert_array_equal(s.cadence_spm, [160, 164])
    np.testing.assert_array_equal(s.temperature_c, [9.5, np.nan])
    np.testing.assert_array_equal(s.power_w, [250, np.nan])
    np.testing.assert_array_equal(s.speed_m_s, [3.25, np.nan])


def test_byte_order_mark_and_non_ascii_text() -> None:
    (read,) = fixture("bom.gpx")
    assert read.name == "Tek čez Šmarno goro"
    assert read.sport is Sport.TRAIL_RUNNING
    assert len(read.samples) == 2


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf8-bom-no-declaration"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf16-with-bom"),
        pytest.param(
            lambda text: ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + text).encode("latin-1"),
            id="latin1-declared",
        ),
        pytest.param(
            lambda text: ('<?xml version="1.0" encoding="windows-1252"?>' + text).encode("cp1252"),
            id="cp1252-declared",
        ),
        pytest.param(
            lambda text: ('\r\n\n  <?xml version="1.0"?>\n' + text).encode(),
            id="blank-lines-before-declaration",
        ),
    ],
)
def test_encodings(encode: Callable[[str], bytes]) -> None:
    text = (
        '<gpx version="1.1" creator="Müller" xmlns="http://www.topografix.com/GPX/1/1">'
        "<trk><name>Café run</name><trkseg>"
        '<trkpt lat="1" lon="2"><time>2024-01-01T00:00:00Z</time></trkpt>'
        "</trkseg></trk></gpx>"
    )
    (read,) = read_gpx(encode(text), "enc.gpx")
    assert (read.device, read.name, len(read.samples)) == ("Müller", "Café run", 1)


def test_several_tracks_and_segments() -> None:
    first, second = fixture("several-tracks-and-segments.gpx")
    assert (first.session_index, second.session_index) == (0, 1)
    assert (first.id, second.id) == (
        "several-tracks-and-segments.gpx",
        "several-tracks-and-segments.gpx#1",
    )
    assert (first.name, first.sport) == ("Warm-up and intervals", Sport.RUNNING)
    assert (second.name, second.sport) == ("Ride home", Sport.CYCLING)
    np.testing.assert_array_equal(first.samples.heart_rate_bpm, [120, 121, 150])  # both segments
    np.testing.assert_array_equal(first.samples.latitude_deg, [1.0, 1.1, 1.2])
    assert first.start_time == datetime(2024, 4, 1, 6, 0, tzinfo=UTC)
    assert second.start_time == datetime(2024, 4, 1, 7, 0, tzinfo=UTC)
    assert first.device == second.device == "Garmin Connect"


def test_empty_segments_are_harmless() -> None:
    (read,) = fixture("empty-segment.gpx")
    np.testing.assert_array_equal(read.samples.latitude_deg, [45.0, 45.1])
    assert read.sport_source is SportSource.ASSUMED and read.notes == ()


# --- timestamps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamp", "posix_s", "offset_s"),
    [
        ("2024-05-01T06:30:00Z", T0, None),
        ("2024-05-01T06:30:00.5Z", T0 + 0.5, None),
        ("2024-05-01T06:30:00.123456789Z", T0 + 0.123456, None),  # beyond µs: cut, as gpxpy
        ("2024-05-01T06:30:00", T0, None),  # no zone: UTC
        ("2024-05-01T08:30:00+02:00", T0, 7200),
        ("2024-05-01T01:00:00.250-05:30", T0 + 0.25, -19800),
        ("2024-05-01T06:30:00+00:00", T0, None),  # an explicit zero says no more than Z
        ("2024-05-01t06:30:00z", T0, None),
    ],
)
def test_timestamp_forms(stamp: str, posix_s: float, offset_s: int | None) -> None:
    (read,) = read_gpx(gpx(point(stamp)), "t.gpx")
    assert read.samples.time_s[0] == posix_s
    assert read.utc_offset_s == offset_s
    assert read.start_time == datetime.fromtimestamp(posix_s, UTC)
    assert read.start_time.utcoffset() is not None


def test_points_without_time_in_a_timed_track_are_dropped_and_counted() -> None:
    points = point("2024-01-01T00:00:00Z", 1.0) + point(None, 2.0) + point(None, 3.0)
    points += point("2024-01-01T00:00:02Z", 4.0) + point("garbage", 5.0)
    (read,) = read_gpx(gpx(points), "gaps.gpx")
    np.testing.assert_array_equal(read.samples.latitude_deg, [1.0, 4.0])
    assert "dropped 3 track points without a time" in read.notes


def test_placeholder_times_before_gps_existed_count_as_untimed() -> None:
    points = point("1901-12-13T20:45:52Z") + point("1901-12-13T20:45:52.207Z")
    with pytest.raises(RouteNotActivity):
        read_gpx(gpx(points), "placeholder.gpx")


def test_samples_are_sorted_by_time() -> None:
    points = "".join(point(f"2024-01-01T00:00:0{s}Z", float(s)) for s in (0, 2, 1, 3)) + point(
        "2024-01-01T00:00:01Z", 9.0
    )
    (read,) = read_gpx(gpx(points), "order.gpx")
    np.testing.assert_array_equal(read.samples.latitude_deg, [0.0, 1.0, 9.0, 2.0, 3.0])
    assert np.all(np.diff(read.samples.time_s) >= 0)
    assert any("out of time order (2 steps back)" in note for note in read.notes)


def test_bad_numbers_become_nan_with_a_note() -> None:
    points = point("2024-01-01T00:00:00Z", extra="<ele>n/a</ele>") + point(
        "2024-01-01T00:00:01Z", extra="<ele>12.5</ele>"
    )
    (read,) = read_gpx(gpx(points), "bad.gpx")
    np.testing.assert_array_equal(read.samples.altitude_m, [np.nan, 12.5])
    assert "left out 1 non-numeric value" in read.notes


# --- routes, damage and attacks --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "route-no-times.gpx",
            "GPX with only a planned route (<rte>), no recorded track: nothing was recorded",
        ),
        (
            "track-no-times.gpx",
            "GPX track without timestamps: a planned route, nothing was recorded",
        ),
    ],
)
def test_routes_are_not_activities(name: str, reason: str) -> None:
    with pytest.raises(RouteNotActivity) as caught:
        fixture(name)
    assert caught.value.reason == reason
    assert caught.value.path == name


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("doctype-billion-laughs.gpx", ("DOCTYPE", "entit")),
        ("doctype-external-entity.gpx", ("DOCTYPE", "external-entity")),
    ],
)
def test_entity_attacks_are_refused(name: str, words: tuple[str, ...]) -> None:
    with pytest.raises(ReadError) as caught:
        fixture(name)
    assert all(word in caught.value.reason for word in words)
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd leaked into the message


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE gpx SYSTEM "http://example.com/gpx.dtd">',
        "<!-- a comment first --><?pi x?><!DOCTYPE gpx [<!ELEMENT gpx ANY>]>",
    ],
)
def test_any_doctype_is_refused(prolog: str) -> None:
    data = gpx(point("2024-01-01T00:00:00Z")).replace(b"\n<gpx", f"\n{prolog}\n<gpx".encode(), 1)
    with pytest.raises(ReadError, match="DOCTYPE"):
        read_gpx(data, "dtd.gpx")
    with pytest.raises(ReadError, match="DOCTYPE"):
        read_gpx(data.decode().replace("UTF-8", "UTF-16").encode("utf-16"), "dtd16.gpx")


def test_truncated_file_keeps_the_complete_points() -> None:
    (read,) = fixture("truncated-mid-point.gpx")
    np.testing.assert_array_equal(read.samples.heart_rate_bpm, [140, 141])
    assert (read.name, read.sport) == ("Tempo", Sport.RUNNING)  # from the unfinished <trk>
    assert read.notes[-1] == "file truncated at line 10; read the 2 track points before it"


@settings(max_examples=200)
@given(st.data())
def test_truncated_anywhere_never_loses_complete_points(data: st.DataObject) -> None:
    activity = make_activity(n=4, heart_rate_bpm=[150.0, 151.0, 152.0, 153.0])
    whole = gpx_bytes(activity)
    cut = data.draw(st.integers(0, len(whole) - 1))
    part = whole[:cut]
    n_complete = part.count(b"</trkpt>")
    if n_complete == 0:
        with pytest.raises(ReadError) as caught:
            read_gpx(part, "cut.gpx")
        assert type(caught.value) is ReadError
        return
    (read,) = read_gpx(part, "cut.gpx")
    np.testing.assert_array_equal(read.samples.heart_rate_bpm, [150, 151, 152, 153][:n_complete])
    if not part.rstrip().endswith(b"</gpx>"):
        line = part.count(b"\n") + 1
        s = "s" if n_complete > 1 else ""
        expected = f"file truncated at line {line}; read the {n_complete} track point{s} before it"
        assert read.notes[-1] == expected


def test_damage_mid_file_keeps_what_came_before() -> None:
    data = gpx(point("2024-01-01T00:00:00Z") + point("2024-01-01T00:00:01Z") + "<oops></trkpt>\n")
    (read,) = read_gpx(data, "damaged.gpx")
    assert len(read.samples) == 2
    assert read.notes[-1] == (
        "file damaged at line 6, column 9 (mismatched tag); read the 2 track points before it"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file is empty"),
        (b"  \n", "file is empty"),
        (b"\x0e\x10FIT binary", "not well-formed XML at line 1, column 1: not well-formed"),
        (
            b'<?xml version="1.0"?>\n<gpx>\n<trk><trkseg></trk>',
            "not well-formed XML at line 3, column 16: mismatched tag",
        ),
        (b"<?xml version='1.0'?>\n<!-- nothing -->", "not well-formed XML at line 2, column 17"),
        (b"<TrainingCenterDatabase/>", "root element is <TrainingCenterDatabase>, expected <gpx>"),
        (b'<gpx version="1.1"></gpx>', "no track points: the GPX holds no track or route"),
        (b"<gpx><trk><trkseg></trkseg></trk></gpx>", "no track points"),
    ],
)
def test_unreadable_files_say_why(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_gpx(data, "bad.gpx")
    assert caught.value.reason.startswith(reason)
    assert caught.value.path == "bad.gpx"


def test_extension_prefix_the_exporter_forgot_to_declare() -> None:
    ext = "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{}</gpxtpx:hr>"
    ext += "</gpxtpx:TrackPointExtension></extensions>"
    points = point("2024-01-01T00:00:00Z") + point("2024-01-01T00:00:01Z", extra=ext.format(151))
    (read,) = read_gpx(gpx(points), "undeclared.gpx")
    np.testing.assert_array_equal(read.samples.heart_rate_bpm, [np.nan, 151])
    assert read.notes == ()
    # UTF-16 cannot be spliced: the points before the undeclared prefix, and why it stopped
    utf16 = gpx(points).decode().replace("UTF-8", "UTF-16").encode("utf-16")
    (partial,) = read_gpx(utf16, "u16.gpx")
    assert len(partial.samples) == 1
    assert "(unbound prefix); read the 1 track point before it" in partial.notes[-1]


def test_saved_places_are_not_an_activity_and_an_empty_document_is_unreadable() -> None:
    places = (
        b'<?xml version="1.0"?><gpx version="1.1" creator="x" '
        b'xmlns="http://www.topografix.com/GPX/1/1">'
        b'<wpt lat="46.1" lon="7.1"><name>Hut</name></wpt>'
        b'<wpt lat="46.2" lon="7.2"><name>Lake</name></wpt></gpx>'
    )
    with pytest.raises(RouteNotActivity) as caught:
        read_gpx(places, "places.gpx")
    assert caught.value.reason == (
        "GPX with only 2 waypoint(s) (saved places), no recorded track: nothing was recorded"
    )
    empty = places.split(b"<wpt")[0] + b"</gpx>"
    with pytest.raises(ReadError) as broken:
        read_gpx(empty, "empty.gpx")
    assert not isinstance(broken.value, RouteNotActivity)
    assert broken.value.reason == "no track points: the GPX holds no track or route"
