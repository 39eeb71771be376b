"""The FIT reader against the totals real devices wrote into their own files (INDEX.tsv)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analyzer.errors import ReadError
from analyzer.metrics.motion import motion
from analyzer.metrics.summary import summarize
from analyzer.readers.fit_reader import read_fit
from tests.corpus import corpus_dir, corpus_files, corpus_index

pytestmark = pytest.mark.corpus

#: The device's session average comes from its 1-second internal data; over a short activity
#: the few recorded samples cannot reproduce it, so cadence is compared from 10 minutes up.
MIN_CADENCE_COMPARISON_S = 600


def running_sessions() -> list[tuple[str, int]]:
    """(file, session index) for every running session the device wrote totals for."""
    rows = corpus_index()
    return [
        (name, i)
        for name in corpus_files("fit/*.fit")
        for i, sport in enumerate(rows[name]["S_sport"].split("|"))
        if sport == "running"
    ]


def device_total(name: str, column: str, session: int) -> float:
    values = corpus_index()[name][column].split("|")
    text = values[session] if session < len(values) else ""
    return float(text) if text else math.nan


def read(name: str) -> list:
    return read_fit((corpus_dir() / name).read_bytes(), name)


@pytest.mark.parametrize(("name", "session"), running_sessions())
def test_distance_matches_the_device_total(name: str, session: int) -> None:
    activity = read(name)[session]
    device_m = device_total(name, "S_total_distance_m", session)
    if not activity.samples.has("distance_m") or math.isnan(device_m):
        pytest.skip("no distance channel or no device total")
    if activity.notes and "damaged" in " ".join(activity.notes):
        pytest.skip(f"damaged file, partial data: {activity.notes}")
    ours_m = motion(activity).distance_m
    print(f"{name}#{session}: ours {ours_m:.1f} m, device {device_m:.1f} m")
    assert ours_m == pytest.approx(device_m, rel=0.005)


@pytest.mark.parametrize(("name", "session"), running_sessions())
def test_cadence_matches_the_device_average(name: str, session: int) -> None:
    activity = read(name)[session]
    per_foot = device_total(name, "S_avg_running_cadence", session)
    if math.isnan(per_foot):
        per_foot = device_total(name, "S_avg_cadence", session)
    if not activity.samples.has("cadence_spm") or math.isnan(per_foot):
        pytest.skip("no cadence channel or no device average")
    fraction = device_total(name, "S_avg_fractional_cadence", session)
    device_spm = 2 * (per_foot + (0.0 if math.isnan(fraction) else fraction))
    summary = summarize(activity)
    if summary.moving_time_s < MIN_CADENCE_COMPARISON_S:
        pytest.skip(f"{summary.moving_time_s:.0f} s of running: too short to compare averages")
    # What the device's habit of averaging standing time in as zero would give, for the record.
    c = activity.samples.cadence_spm
    with_zeros = float(np.nanmean(c[motion(activity).moving]))
    print(
        f"{name}#{session}: ours {summary.cadence.mean_spm:.1f} spm, device {device_spm:.1f}, "
        f"moving samples with zeros averaged in {with_zeros:.1f}"
    )
    assert summary.cadence.mean_spm == pytest.approx(device_spm, abs=2.0)
    assert activity.cadence_doubled


DAMAGED = {
    "fit/fitparse-gh__activity-unexpected-eof.fit": "truncated",
    "fit/fitparse-gh__activity-settings-nodata.fit": "truncated",
    "fit/fitparse-gh__activity-settings-corruptheader.fit": "not a FIT file header",
    "fit/fitparse-gh__strava-android-app-201.10-b1218918.fit": "local message 11 was never defined",
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_files_give_their_whole_part_and_say_why(name: str) -> None:
    try:
        activities = read(name)
    except ReadError as exc:
        pytest.fail(f"lost the whole file: {exc.reason}")
    notes = " ".join(activities[0].notes)
    assert DAMAGED[name] in notes
    assert len(activities[0].samples) >= 14


def test_every_corpus_fit_file_reads_or_says_why() -> None:
    for name in corpus_files("fit/*.fit"):
        try:
            activities = read(name)
        except ReadError as exc:
            assert exc.reason
            continue
        assert all(len(a.samples) > 0 for a in activities)
