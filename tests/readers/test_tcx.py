"""TCX reader and writer: round trips, laps and totals, several activities, damage."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import ReadError, RouteNotActivity
from analyzer.model import Activity, DeviceTotals, Format, Lap, Samples, Sport
from analyzer.readers.tcx import read_tcx
from analyzer.samplegen.tcx_writer import tcx_bytes

DATA = Path(__file__).parent / "data"
T0 = 1_714_545_000.0  # 2024-05-01T06:30:00Z
_TCX_CHANNELS = (
    "latitude_deg",
    "longitude_deg",
    "altitude_m",
    "distance_m",
    "speed_m_s",
    "heart_rate_bpm",
    "cadence_spm",
    "power_w",
)


def fixture(name: str) -> list[Activity]:
    return read_tcx((DATA / name).read_bytes(), name)


def utc(posix_s: float) -> datetime:
    return datetime.fromtimestamp(posix_s, UTC)


def make_activity(
    sport: Sport = Sport.RUNNING, n: int = 4, laps: tuple[Lap, ...] = (), **channels: npt.ArrayLike
) -> Activity:
    return Activity(
        path="made.tcx",
        format=Format.TCX,
        sport=sport,
        start_time=utc(T0),
        samples=Samples.from_channels(T0 + np.arange(n, dtype=np.float64), **channels),
        device="Forerunner 965",
        laps=laps,
    )


# --- round trips ------------------------------------------------------------------------


#: (0, 0) is the placeholder of a receiver without a fix, which the readers remove.
_POSITIONS = st.tuples(st.floats(-90, 90), st.floats(-180, 180)).filter(lambda p: p != (0, 0))


def _with_gaps(draw: st.DrawFn, values: st.SearchStrategy[float], n: int) -> list[float]:
    present = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return [draw(values) if keep else np.nan for keep in present]


_MAYBE = st.one_of(st.just(math.nan), st.floats(0, 1e5))


@st.composite
def running_activities(draw: st.DrawFn) -> Activity:
    n = draw(st.integers(1, 30))
    # 2000 .. 2100 at the last sample: the readers drop times outside 1990..2100
    start_ms = draw(st.integers(946_684_800_000, 4_102_444_800_000 - 30 * 600_000))
    steps_ms = draw(st.lists(st.integers(1, 600_000), min_size=n - 1, max_size=n - 1))
    time_ms = start_ms + np.cumsum([0, *steps_ms])
    has_position = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    positions = [draw(_POSITIONS) if p else (np.nan, np.nan) for p in has_position]
    samples = Samples.from_channels(
        time_ms / 1000.0,
        latitude_deg=[p[0] for p in positions],
        longitude_deg=[p[1] for p in positions],
        altitude_m=_with_gaps(draw, st.floats(-500, 9000), n),
        distance_m=_with_gaps(draw, st.floats(0, 1e6), n),
        speed_m_s=_with_gaps(draw, st.floats(0, 20), n),
        heart_rate_bpm=_with_gaps(draw, st.integers(30, 230).map(float), n),
        cadence_spm=_with_gaps(draw, st.integers(65, 115).map(lambda c: 2.0 * c), n),
        power_w=_with_gaps(draw, st.integers(0, 1500).map(float), n),
    )
    # laps start at samples (the first lap at the first one), as a watch starts them
    lap_starts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3))) if n > 1 else []
    laps = tuple(
        Lap(utc(time_ms[i] / 1000.0), math.nan, draw(_MAYBE), draw(_MAYBE))
        for i in [0, *lap_starts]
    )
    return Activity(
        path="generated.tcx",
        format=Format.TCX,
        sport=Sport.RUNNING,
        start_time=utc(time_ms[0] / 1000.0),
        samples=samples,
        device=draw(st.sampled_from(["Forerunner 965", "fēnix 7 & co", "<vívoactive>"])),
        laps=laps,
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(running_activities())
def test_round_trip_is_exact_at_tcx_resolution(original: Activity) -> None:
    (read,) = read_tcx(tcx_bytes(original), "generated.tcx")
    for channel in ("time_s", *_TCX_CHANNELS):
        np.testing.assert_array_equal(
            getattr(read.samples, channel), getattr(original.samples, channel), err_msg=channel
        )
    assert (read.sport, read.device, read.start_time) == (
        original.sport,
        original.device,
        original.start_time,
    )
    assert read.format is Format.TCX
    assert read.cadence_doubled == original.samples.has("cadence_spm")
    assert read.notes == ()
    assert [lap.start_time for lap in read.laps] == [lap.start_time for lap in original.laps]
    for field in ("timer_time_s", "distance_m"):
        np.testing.assert_array_equal(
            [getattr(lap, field) for lap in read.laps],
            [getattr(lap, field) for lap in original.laps],
        )
    starts = [lap.start_time.timestamp() for lap in original.laps]
    ends = [*starts[1:], float(original.samples.time_s[-1])]
    np.testing.assert_allclose([lap.elapsed_time_s for lap in read.laps], np.subtract(ends, starts))
    _assert_totals(read.device_totals, original.laps)


def _assert_totals(totals: DeviceTotals, laps: tuple[Lap, ...]) -> None:
    for field in ("distance_m", "timer_time_s"):
        values = [getattr(lap, field) for lap in laps if math.isfinite(getattr(lap, field))]
        expected = math.fsum(values) if values else math.nan
        np.testing.assert_array_equal(getattr(totals, field), expected, err_msg=field)


def test_without_laps_one_lap_covers_everything() -> None:
    activity = make_activity(n=4, distance_m=[0.0, 2.5, 5.0, np.nan])
    (read,) = read_tcx(tcx_bytes(activity), "one-lap.tcx")
    assert read.laps == (Lap(utc(T0), 3.0, 3.0, 5.0),)
    assert read.device_totals.distance_m == 5.0
    assert read.device_totals.timer_time_s == 3.0


def test_without_laps_the_device_totals_go_into_the_lap() -> None:
    activity = make_activity(n=2)
    totals = DeviceTotals(distance_m=1234.5, timer_time_s=99.25)
    activity = replace(activity, device_totals=totals)
    (read,) = read_tcx(tcx_bytes(activity), "totals.tcx")
    assert (read.device_totals.distance_m, read.device_totals.timer_time_s) == (1234.5, 99.25)


@pytest.mark.parametrize(
    ("sport", "written", "read_back"),
    [
        (Sport.RUNNING, "Running", Sport.RUNNING),
        (Sport.TRAIL_RUNNING, "Running", Sport.RUNNING),
        (Sport.TREADMILL, "Running", Sport.RUNNING),
        (Sport.CYCLING, "Biking", Sport.CYCLING),
        (Sport.WALKING, "Other", Sport.OTHER),
        (Sport.SWIMMING, "Other", Sport.OTHER),
    ],
)
def test_sport_is_what_tcx_can_say(sport: Sport, written: str, read_back: Sport) -> None:
    data = tcx_bytes(make_activity(sport))
    assert f'<Activity Sport="{written}">'.encode() in data
    (read,) = read_tcx(data, "s.tcx")
    assert read.sport is read_back


def test_running_cadence_goes_into_run_cadence_per_foot() -> None:
    data = tcx_bytes(make_activity(cadence_spm=[170.0, 172.0, np.nan, 174.0]))
    assert data.count(b"<ns3:RunCadence>85</ns3:RunCadence>") == 1
    assert b"<Cadence>" not in data
    (read,) = read_tcx(data, "cad.tcx")
    assert read.cadence_doubled
    np.testing.assert_array_equal(read.samples.cadence_spm, [170, 172, np.nan, 174])


def test_walking_cadence_is_written_in_the_cadence_element() -> None:
    data = tcx_bytes(make_activity(Sport.WALKING, cadence_spm=[110.0, 112.0, 114.0, 116.0]))
    assert b"<Cadence>55</Cadence>" in data
    assert b"RunCadence" not in data


# --- reading real-world shapes ----------------------------------------------------------


def test_two_activities_in_one_file() -> None:
    run, ride = fixture("two-activities.tcx")
    assert (run.session_index, ride.session_index) == (0, 1)
    assert (run.id, ride.id) == ("two-activities.tcx", "two-activities.tcx#1")
    assert (run.sport, ride.sport) == (Sport.RUNNING, Sport.CYCLING)
    assert (run.device, ride.device) == ("Forerunner 965", "Edge 540")  # not the <Author>
    assert run.start_time == datetime(2024, 5, 1, 6, 0, tzinfo=UTC)
    s = run.samples
    np.testing.assert_array_equal(s.distance_m, [0, 3, 6, 9.5])
    np.testing.assert_array_equal(s.speed_m_s, [2.5, 3.0, 3.5, np.nan])
    np.testing.assert_array_equal(s.cadence_spm, [160, 164, 168, np.nan])  # RunCadence x2
    np.testing.assert_array_equal(s.heart_rate_bpm, [120, 122, 125, np.nan])
    np.testing.assert_array_equal(s.altitude_m, [300.5, 300.75, np.nan, np.nan])
    np.testing.assert_array_equal(s.latitude_deg, [46.1, 46.10001, np.nan, np.nan])
    assert run.cadence_doubled
    assert run.laps == (
        Lap(datetime(2024, 5, 1, 6, 0, tzinfo=UTC), 2.0, 2.5, 6.0),
        Lap(datetime(2024, 5, 1, 6, 0, 2, tzinfo=UTC), 1.0, 1.0, 3.5),
    )
    assert (run.device_totals.distance_m, run.device_totals.timer_time_s) == (9.5, 3.5)
    np.testing.assert_array_equal(ride.samples.power_w, [210, 215])
    assert not ride.samples.has("cadence_spm")  # pedal rpm is not steps
    assert not ride.cadence_doubled


def test_time_only_trackpoints_are_kept_as_empty_samples() -> None:
    (read,) = fixture("time-only-trackpoints.tcx")
    s = read.samples
    assert len(s) == 4
    np.testing.assert_array_equal(s.time_s - s.time_s[0], [0, 10, 70, 80])
    np.testing.assert_array_equal(s.heart_rate_bpm, [110, np.nan, np.nan, 115])
    np.testing.assert_array_equal(s.distance_m, [0, np.nan, np.nan, 50])
    np.testing.assert_array_equal(s.latitude_deg, [35.95, np.nan, np.nan, 35.951])
    assert read.notes == ()


def test_extension_fields_match_by_local_name_with_any_prefix() -> None:
    data = (
        (DATA / "two-activities.tcx")
        .read_bytes()
        .replace(b"ns3:", b"x:")
        .replace(b"xmlns:ns3=", b"xmlns:x=")
    )
    run, _ = read_tcx(data, "prefix.tcx")
    np.testing.assert_array_equal(run.samples.speed_m_s, [2.5, 3.0, 3.5, np.nan])


def test_offsets_in_timestamps_give_the_local_offset() -> None:
    data = (DATA / "time-only-trackpoints.tcx").read_bytes().replace(b"Z</Time>", b"+01:00</Time>")
    (read,) = read_tcx(data, "offset.tcx")
    assert read.utc_offset_s == 3600
    assert read.start_time == datetime(2012, 12, 26, 20, 29, 53, tzinfo=UTC)


def test_a_course_is_a_route_not_an_activity() -> None:
    with pytest.raises(RouteNotActivity, match="TCX course"):
        fixture("course-only.tcx")


# --- damage and attacks -----------------------------------------------------------------


def test_truncated_file_keeps_points_sport_and_unfinished_lap() -> None:
    whole = (DATA / "two-activities.tcx").read_bytes()
    cut = whole.index(b"<Time>2024-05-01T06:00:03.000Z")
    (read,) = read_tcx(whole[:cut], "cut.tcx")
    assert read.sport is Sport.RUNNING  # from the <Activity> that never closed
    assert len(read.samples) == 3
    assert [lap.distance_m for lap in read.laps] == [6.0, 3.5]
    line = whole[:cut].count(b"\n") + 1
    assert read.notes == (f"file truncated at line {line}; read the 3 trackpoints before it",)


@settings(max_examples=100)
@given(st.data())
def test_truncated_anywhere_never_loses_complete_trackpoints(data: st.DataObject) -> None:
    whole = tcx_bytes(make_activity(n=4, heart_rate_bpm=[150.0, 151.0, 152.0, 153.0]))
    part = whole[: data.draw(st.integers(0, len(whole) - 1))]
    n_complete = part.count(b"</Trackpoint>")
    if n_complete == 0:
        with pytest.raises(ReadError):
            read_tcx(part, "cut.tcx")
        return
    (read,) = read_tcx(part, "cut.tcx")
    np.testing.assert_array_equal(read.samples.heart_rate_bpm, [150, 151, 152, 153][:n_complete])
    assert read.sport is Sport.RUNNING
    complete = part.rstrip().endswith(b"</TrainingCenterDatabase>")
    assert complete or read.notes[-1].startswith("file truncated at line")


def test_doctype_is_refused() -> None:
    data = (DATA / "time-only-trackpoints.tcx").read_bytes()
    data = data.replace(b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n', 1)
    with pytest.raises(ReadError, match="DOCTYPE"):
        read_tcx(data, "xxe.tcx")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<gpx/>", "root element is <gpx>, expected <TrainingCenterDatabase>"),
        (b"<TrainingCenterDatabase/>", "no trackpoints"),
        (
            b"<TrainingCenterDatabase><Activities><Activity Sport='Running'><Lap>"
            b"<Track><Trackpoint><HeartRateBpm><Value>1</Value></HeartRateBpm></Trackpoint>"
            b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>",
            "no trackpoint carries a time",
        ),
        (b"<TrainingCenterDatabase><Activities>", "not well-formed XML at line 1, column 37"),
    ],
)
def test_unreadable_files_say_why(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as caught:
        read_tcx(data, "bad.tcx")
    assert type(caught.value) is ReadError
    assert caught.value.reason.startswith(reason)


def test_extension_prefix_the_exporter_forgot_to_declare() -> None:
    data = (DATA / "two-activities.tcx").read_bytes()
    data = data.replace(b'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"', b"")
    run, ride = read_tcx(data, "undeclared.tcx")
    np.testing.assert_array_equal(run.samples.speed_m_s, [2.5, 3.0, 3.5, np.nan])
    np.testing.assert_array_equal(ride.samples.power_w, [210, 215])
    assert run.notes == ride.notes == ()
