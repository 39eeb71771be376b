"""GPX and TCX readers against real files other software wrote (../shared/corpus).

gpxpy is the oracle for GPX positions, elevations and times; INDEX.tsv gives the point, heart
rate and cadence counts. Skips cleanly where the corpus is absent (a fresh clone has none).
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime

import gpxpy
import numpy as np
import pytest

from analyzer.errors import ReadError, RouteNotActivity
from analyzer.model import Activity, Sport, SportSource
from analyzer.readers.common import cadence_to_spm
from analyzer.readers.gpx import read_gpx
from analyzer.readers.tcx import read_tcx
from analyzer.readers.xml_parse import GPS_EPOCH, parse_time
from tests.corpus import CORPUS, corpus_files, corpus_index

pytestmark = pytest.mark.corpus

_ABSENT = [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]


def _bytes(name: str) -> bytes:
    data = (CORPUS / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def _finite(values: np.ndarray) -> int:
    return int(np.count_nonzero(np.isfinite(values)))


def _dropped_points(activities: list[Activity]) -> int:
    """Points the reader left out, as its notes count them (untimed, placeholder times)."""
    pattern = re.compile(r"dropped (\d+) track points?|skipped \d+ track\(s\) .*\((\d+) points\)")
    return sum(
        int(a or b) for act in activities for note in act.notes for a, b in pattern.findall(note)
    )


# --- GPX --------------------------------------------------------------------------------


def _gpxpy_tracks(data: bytes) -> list[list[tuple[datetime, gpxpy.gpx.GPXTrackPoint]]]:
    """gpxpy's points with a real time (GPS era) per track, across segments, sorted by time."""
    tracks = gpxpy.parse(data.decode("utf-8-sig")).tracks
    timed = [
        [(_utc(p.time), p) for segment in track.segments for p in segment.points if p.time]
        for track in tracks
    ]
    return [sorted((tp for tp in t if tp[0] >= GPS_EPOCH), key=lambda tp: tp[0]) for t in timed]


def _utc(moment: datetime) -> datetime:
    """gpxpy leaves a time without zone naive; GPX means UTC then."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@pytest.mark.parametrize("name", corpus_files("gpx/*") or _ABSENT)
def test_gpx_matches_gpxpy_and_index(name: str) -> None:
    data = _bytes(name)
    oracle = _gpxpy_tracks(data)
    row = corpus_index()[name]
    if not any(oracle):
        with pytest.raises(ReadError) as caught:
            read_gpx(data, name)
        assert caught.value.reason
        if int(row["n_records_or_trkpts"]) > 0:  # points or route points, none timed
            assert isinstance(caught.value, RouteNotActivity)
        return
    activities = read_gpx(data, name)
    assert [a.session_index for a in activities] == [i for i, t in enumerate(oracle) if t]
    for activity in activities:
        times, points = zip(*oracle[activity.session_index], strict=True)
        s = activity.samples
        np.testing.assert_array_equal(s.latitude_deg, [p.latitude for p in points])
        np.testing.assert_array_equal(s.longitude_deg, [p.longitude for p in points])
        np.testing.assert_array_equal(
            s.altitude_m, [np.nan if p.elevation is None else p.elevation for p in points]
        )
        np.testing.assert_array_equal(s.time_s, [t.timestamp() for t in times])
    n_read = sum(len(a.samples) for a in activities)
    assert n_read + _dropped_points(activities) == int(row["n_records_or_trkpts"])
    _assert_channel_counts(activities, row)


def _assert_channel_counts(activities: list[Activity], row: dict[str, str]) -> None:
    """Heart rate and cadence counts as INDEX.tsv has them (lower where points were dropped).

    Cadence of a sport that is not on foot (skiing, paddling, cycling) is not steps, and the
    model drops it, so such files must show none at all. A sport the file does not state
    keeps it for the summarize step to infer the sport from (which drops it if not on foot).
    """
    on_foot = all(
        _keeps_cadence(a.sport) or a.sport_source is SportSource.ASSUMED for a in activities
    )
    counts = {
        "n_with_hr": sum(_finite(a.samples.heart_rate_bpm) for a in activities),
        "n_with_cadence": sum(_finite(a.samples.cadence_spm) for a in activities),
    }
    if not on_foot:
        assert counts.pop("n_with_cadence") == 0
    for column, count in counts.items():
        if _dropped_points(activities):
            assert count <= int(row[column]), column
        else:
            assert count == int(row[column]), column


def _keeps_cadence(sport: Sport) -> bool:
    return bool(np.isfinite(cadence_to_spm(np.array([80.0]), sport)[0]).all())


# --- TCX --------------------------------------------------------------------------------

_TIME = re.compile(rb"<Time>([^<]*)</Time>")


@pytest.mark.parametrize("name", corpus_files("tcx/*") or _ABSENT)
def test_tcx_matches_index_and_raw_times(name: str) -> None:
    data = _bytes(name)
    row = corpus_index()[name]
    activities = read_tcx(data, name)
    assert [a.session_index for a in activities] == list(range(len(activities)))
    assert sum(len(a.samples) for a in activities) == int(row["n_records_or_trkpts"])
    _assert_channel_counts(activities, row)
    altitude = sum(_finite(a.samples.altitude_m) for a in activities)
    assert altitude == int(row["n_with_altitude"])
    # an independent look at the raw text: every <Time>, in order
    raw_times = sorted(parse_time(t.decode()).timestamp() for t in _TIME.findall(data))  # type: ignore[union-attr]
    ours = np.concatenate([a.samples.time_s for a in activities])
    np.testing.assert_array_equal(np.sort(ours), raw_times)
    for activity in activities:
        assert activity.start_time.timestamp() == activity.samples.time_s[0]
        assert activity.laps and activity.device_totals.timer_time_s > 0
        lap_distance = sum(lap.distance_m for lap in activity.laps)
        assert activity.device_totals.distance_m == pytest.approx(lap_distance)
