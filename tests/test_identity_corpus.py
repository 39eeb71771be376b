"""What the real devices' files are (../shared/corpus): sport calls, duplicates and
plausibility on files nobody here wrote. Skipped where the corpus is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.metrics.summary import summarize
from analyzer.model import OffsetSource, Sport, SportSource
from analyzer.pipeline import analyze
from analyzer.readers import read_paths
from analyzer.readers.common import sport_from_text
from tests.corpus import corpus_dir, corpus_files, corpus_index

pytestmark = pytest.mark.corpus


@pytest.mark.parametrize("name", corpus_files("fit/*.fit") + corpus_files("tcx/*.tcx"))
def test_a_sport_the_device_wrote_is_kept(name: str) -> None:
    """INDEX.tsv's sport column is what the device wrote, session by session."""
    stated = corpus_index()[name]["sport"].split("|")
    read = read_paths([corpus_dir() / name]).activities
    for activity in read:
        summary = summarize(activity)
        if summary.sport_source is SportSource.FILE:
            assert summary.sport in {sport_from_text(word) for word in stated}
        else:  # FIT "generic" (a triathlon's first leg) and TCX "Other": nothing stated
            assert {s.lower() for s in stated} & {"generic", "other"}, summary.sport_reason


def _calls(name: str) -> list[tuple[Sport, SportSource, str]]:
    read = read_paths([corpus_dir() / name]).activities
    return [(s.sport, s.sport_source, s.sport_reason) for s in map(summarize, read)]


def test_an_untyped_gpx_with_a_car_ride_is_not_a_run() -> None:
    ((sport, source, reason),) = _calls("gpx/gpxpy-sdist__around-visnjan-with-car.gpx")
    assert (sport, source) == (Sport.CYCLING, SportSource.INFERRED)
    assert reason == "median moving speed 36.4 km/h (1:39/km): no runner holds that"


def test_an_untyped_gps_log_of_a_walk_and_a_hike() -> None:
    lake = _calls("gpx/gpxpy-sdist__cerknicko-jezero.gpx")
    assert lake[0] == (
        Sport.WALKING,
        SportSource.INFERRED,
        "12:48/km on average while moving: slower than running",
    )
    assert lake[1][:2] == (Sport.CYCLING, SportSource.INFERRED)  # 28 km/h: not on foot
    (first, *_) = read_paths([corpus_dir() / "gpx/gpxpy-sdist__korita-zbevnica.gpx"]).activities
    hill = summarize(first)
    assert (hill.sport, hill.sport_source) == (Sport.HIKING, SportSource.INFERRED)
    # The numbers in the reason are the summary's own.
    climb = hill.elevation.ascent_m / hill.distance_m * 1000
    assert hill.sport_reason == (
        f"16:02/km on average while moving, climbing {climb:.0f} m/km: slower than running"
    )


def test_tcx_other_from_a_garmin_stays_other() -> None:
    for name in ("tcx/tcxreader-gh__cross-country-skiing_activity_1.tcx",
                 "tcx/tcxreader-gh__sup_activity_1.tcx"):  # fmt: skip
        ((sport, source, _),) = _calls(name)
        assert (sport, source) == (Sport.OTHER, SportSource.ASSUMED)


def test_the_whole_corpus_counts_each_activity_once() -> None:
    analysis = analyze([corpus_dir()])
    assert analysis.history is not None
    duplicates = {
        (Path(d.kept_id.split("#")[0]).name, Path(d.set_aside_id.split("#")[0]).name)
        for d in analysis.history.duplicates
    }
    # Four copies of one GPS log (with, without and with zeroed elevations) and two copies of
    # one paddle: one of each counted.
    lake = {n for pair in duplicates for n in pair if "cerknicko-jezero" in n}
    assert lake == {
        "gpxpy-sdist__cerknicko-jezero.gpx",
        "gpxpy-sdist__cerknicko-jezero-no-creator.gpx",
        "gpxpy-sdist__cerknicko-jezero-with-elevations-zero.gpx",
        "gpxpy-sdist__cerknicko-jezero-without-elevations.gpx",
    }
    assert any("sup_activity_1" in kept and "sup_activity_1" in aside for kept, aside in duplicates)
    # Two FIT files were written by devices whose clock was never set (times from power-on,
    # read as 1990): not placed on the calendar, so the history starts with the dated files.
    undated = {Path(i.id).name for i in analysis.history.implausible if "no date" in i.reasons[0]}
    assert undated == {
        "fitparse-gh__antfs-dump.63.fit", "fitparse-gh__compressed-speed-distance.fit",
    }  # fmt: skip
    assert analysis.history.first_day.year >= 2000
    # Every running session a device stated and recorded for a while, with a date, counts.
    counted = {p.summary.id for p in analysis.history.runs}
    for s in analysis.summaries:
        if s.sport_source is SportSource.FILE and s.sport.is_running and s.moving_time_s > 300:
            dated = Path(s.path).name not in undated
            assert s.id in counted or s.id in analysis.duplicate_of or not dated, s.id
        assert s.utc_offset_source is not None
        if s.format.value == "fit" and s.utc_offset_source is not OffsetSource.FILE:
            assert s.utc_offset_source in (OffsetSource.POSITION, OffsetSource.NEAREST_FILE)
