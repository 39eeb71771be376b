"""summarize() on runs with exactly known truth, written by the project's writers and read back."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.metrics.motion import haversine_m
from analyzer.metrics.summary import summarize
from analyzer.model import Activity, Format, Pause, Samples, Sport
from analyzer.readers import read_bytes
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.tcx_writer import tcx_bytes
from tests.factories import T0, activity

SPEED_M_S = 3.0
CADENCE_SPM = 170.3
STAND_S, PAUSE_S = 180, 120
# 30 min running, 3 min standing with the timer running, 20 min running, a 2 min timer pause
# (no samples), 10 min running: 60 min of moving time and 10.8 km.
TRUE_MOVING_S = 3600.0
TRUE_DISTANCE_M = 3600 * SPEED_M_S


def known_run() -> Activity:
    blocks = [(1800, SPEED_M_S), (STAND_S, 0.0), (1200, SPEED_M_S)]
    speed = np.concatenate([np.full(n, v) for n, v in blocks])
    t = T0 + np.arange(len(speed) + 1, dtype=float)
    stop, resume = t[-1], t[-1] + PAUSE_S
    t = np.concatenate([t, resume + np.arange(1, 601, dtype=float)])
    speed = np.concatenate([[0.0], speed, np.full(600, SPEED_M_S)])
    distance = np.cumsum(speed)  # 1 s apart: metres covered so far
    north_m = distance  # a straight line due north keeps positions and distance in step
    lat = 47.0 + north_m / 111_194.93  # metres per degree of latitude on the mean sphere
    cadence = np.where(speed > 0, CADENCE_SPM, 0.0)
    samples = Samples.from_channels(
        t,
        latitude_deg=lat,
        longitude_deg=np.full(len(t), 8.0),
        distance_m=distance,
        speed_m_s=speed,
        altitude_m=np.full(len(t), 420.0),
        heart_rate_bpm=np.where(speed > 0, 150.0, 110.0),
        cadence_spm=cadence,
    )
    return activity(samples, pauses=(Pause(float(stop), float(resume)),), utc_offset_s=3600)


@pytest.mark.parametrize(
    ("fmt", "write"), [(Format.FIT, fit_bytes), (Format.GPX, gpx_bytes), (Format.TCX, tcx_bytes)]
)
def test_distance_moving_time_and_cadence_against_the_truth(fmt: Format, write) -> None:  # type: ignore[no-untyped-def]
    (read,) = read_bytes(write(known_run()), f"known.{fmt.value}")
    if fmt is not Format.FIT:  # GPX and TCX do not store timer pauses
        read = activity(read.samples, pauses=known_run().pauses)
    summary = summarize(read)
    assert summary.distance_m == pytest.approx(TRUE_DISTANCE_M, rel=0.005)
    assert abs(summary.moving_time_s - TRUE_MOVING_S) <= 5.0
    assert abs(summary.cadence.mean_spm - CADENCE_SPM) <= 0.5
    assert summary.cadence.median_spm == pytest.approx(CADENCE_SPM, abs=0.5)
    assert summary.elevation.ascent_m == 0.0 and summary.elevation.descent_m == 0.0


def test_positions_alone_give_the_distance() -> None:
    run = known_run()
    no_distance = Activity(
        "gps.gpx", Format.GPX, Sport.RUNNING, run.start_time,
        Samples.from_channels(run.samples.time_s, latitude_deg=run.samples.latitude_deg,
                              longitude_deg=run.samples.longitude_deg),
        pauses=run.pauses,
    )  # fmt: skip
    summary = summarize(no_distance)
    assert summary.quality.distance_source == "gps"
    assert summary.distance_m == pytest.approx(TRUE_DISTANCE_M, rel=0.005)
    assert abs(summary.moving_time_s - TRUE_MOVING_S) <= 5.0


def test_gps_jumps_are_rejected_and_counted() -> None:
    run = known_run()
    lat = run.samples.latitude_deg.copy()
    lat[[500, 1500, 2500]] += 0.01  # three fixes 1.1 km off the track, 1 s apart: 1,100 m/s
    jumpy = Activity(
        "jumpy.gpx", Format.GPX, Sport.RUNNING, run.start_time,
        Samples.from_channels(run.samples.time_s, latitude_deg=lat,
                              longitude_deg=run.samples.longitude_deg),
        pauses=run.pauses,
    )  # fmt: skip
    summary = summarize(jumpy)
    assert summary.quality.rejected_gps_jumps == 6  # out and back for each bad fix
    assert summary.distance_m == pytest.approx(TRUE_DISTANCE_M, rel=0.005)
    assert haversine_m(lat[:1], lat[:1] * 0 + 8, lat[:1] + 0.01, lat[:1] * 0 + 8)[0] > 1000


def test_a_treadmill_run_without_distance_counts_time_not_gaps() -> None:
    t = T0 + np.r_[np.arange(0, 1200.0), np.arange(1260, 1800.0)]  # a 60 s recording gap
    samples = Samples.from_channels(t, cadence_spm=np.full(len(t), 172.0))
    summary = summarize(activity(samples, sport=Sport.TREADMILL))
    assert summary.quality.distance_source == "none"
    assert summary.moving_time_s == len(t) - 2  # every 1 s interval, not the first or the gap
    assert summary.cadence.mean_spm == 172.0
