"""Which activity each file is and when it happened: sport inference, routes, local time,
duplicates and plausibility, on files written by the project's own writers with known truth
(issue 12: each class of mistake a messy real folder showed has a test here)."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import RouteNotActivity
from analyzer.identity import implausible_reasons, resolve_offsets
from analyzer.metrics.sport import world_best_speed_m_s
from analyzer.metrics.summary import summarize
from analyzer.model import Activity, Format, Lap, OffsetSource, Samples, Sport, SportSource
from analyzer.pipeline import Analysis, analyze
from analyzer.readers import read_bytes
from analyzer.samplegen.fit_writer import FILE_TYPE_COURSE, fit_bytes, fit_multisport_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.synth import ActivitySpec, Segment, synth_activity
from analyzer.samplegen.tcx_writer import tcx_bytes
from analyzer.settings import Settings

ZURICH = (47.37, 8.54)
SYDNEY = (-33.87, 151.21)
# 2026-06-02 05:30 UTC: 07:30 in Zurich (UTC+2 in summer), 15:30 in Sydney (UTC+10).
START_S = datetime(2026, 6, 2, 5, 30, tzinfo=UTC).timestamp()


def synth(
    km: float = 8.0,
    speed_m_s: float = 3.0,
    *,
    sport: Sport = Sport.RUNNING,
    fmt: Format = Format.FIT,
    start_s: float = START_S,
    origin: tuple[float, float] = ZURICH,
    offset_s: int | None = 7200,
    cadence: float | None = 170.0,
    name: str | None = None,
    device: str | None = "garmin/fenix5",
    climb_m: float = 40.0,
    seed: int = 1,
) -> Activity:
    spec = ActivitySpec(
        path=f"a.{fmt.value}",
        format=fmt,
        sport=sport,
        start_s=start_s,
        utc_offset_s=offset_s or 0,
        segments=(Segment(km * 1000, speed_m_s),),
        origin_deg=origin,
        climb_m=climb_m,
        cadence_at_3_m_s_spm=cadence,
        name=name,
        device=device,
    )
    activity = synth_activity(spec, np.random.default_rng(seed))
    return dataclasses.replace(activity, utc_offset_s=offset_s)


def untyped_gpx(activity: Activity, creator: str | None = None) -> bytes:
    """The GPX writer's file without <type>, as cycling apps and converters write them."""
    data = re.sub(rb"\s*<type>[^<]*</type>", b"", gpx_bytes(activity))
    if creator is not None:
        data = re.sub(rb'creator="[^"]*"', f'creator="{creator}"'.encode(), data, count=1)
    return data


def read_one(data: bytes, name: str) -> Activity:
    (activity,) = read_bytes(data, name)
    return activity


def write(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def by_name(analysis: Analysis) -> dict[str, Any]:
    return {Path(s.path).name: s for s in analysis.summaries}


# --- 1. sport inference, explained --------------------------------------------------------------


def test_an_untyped_gpx_from_a_cycling_app_is_a_ride() -> None:
    # "Urban Biker", 20 km at 3:09/km: the creator names cycling, and the speed agrees.
    ride = synth(20.0, 1000 / 189, sport=Sport.CYCLING, cadence=None, name="Canyon Endurace")
    summary = summarize(read_one(untyped_gpx(ride, "Urban Biker"), "ride.gpx"))
    assert (summary.sport, summary.sport_source) == (Sport.CYCLING, SportSource.INFERRED)
    assert summary.sport_reason == "the creator 'Urban Biker' names cycling"


def test_an_untyped_gpx_faster_than_elite_runners_is_a_ride() -> None:
    # A converter's GPX: 29 km at 2:55/km (21 km/h), nothing else to go by.
    ride = synth(29.0, 1000 / 175, sport=Sport.CYCLING, cadence=None, device="converter")
    summary = summarize(read_one(untyped_gpx(ride), "export.gpx"))
    assert (summary.sport, summary.sport_source) == (Sport.CYCLING, SportSource.INFERRED)
    assert summary.sport_reason == (
        "29.0 km at 2:56/km (20.4 km/h) for 85 min: faster than all but elite runners (the"
        " world's best hold 2:50/km that long); likely a ride"
    )


def test_pedalling_read_as_cadence_is_a_ride() -> None:
    # 80 rpm at 30 km/h: Garmin's GPX <cad> doubled as if steps gives 3.1 m a step.
    ride = synth(25.0, 30 / 3.6, sport=Sport.CYCLING, cadence=None, device="garmin/edge")
    per_foot = np.full(len(ride.samples), 160.0)  # the writer halves it back to 80 rpm
    ride = dataclasses.replace(
        ride, samples=dataclasses.replace(ride.samples, cadence_spm=per_foot)
    )
    summary = summarize(read_one(untyped_gpx(ride), "x.gpx"))
    assert summary.sport is Sport.CYCLING
    assert "no runner holds that" in summary.sport_reason or "pedalling" in summary.sport_reason
    assert np.isnan(summary.cadence.mean_spm)  # a ride's cadence is not steps


def test_an_untyped_gpx_of_a_run_stays_a_run_and_says_how_sure() -> None:
    run = synth(10.0, 3.0, cadence=168.0)
    with_steps = summarize(read_one(untyped_gpx(run), "track.gpx"))
    assert (with_steps.sport, with_steps.sport_source) == (Sport.RUNNING, SportSource.INFERRED)
    assert with_steps.sport_reason == "cadence 168 steps/min at 5:36/km: running steps"
    phone = dataclasses.replace(
        run, samples=dataclasses.replace(run.samples, cadence_spm=np.full(len(run.samples), np.nan))
    )
    bare = summarize(read_one(untyped_gpx(phone, "Phone GPS"), "track.gpx"))
    assert (bare.sport, bare.sport_source) == (Sport.RUNNING, SportSource.ASSUMED)
    assert bare.sport_reason == (
        "no sport in the file; its pace, 5:36/km, fits running, nothing confirms it"
    )


def test_a_slow_untyped_track_is_a_walk_or_a_hike() -> None:
    walk = summarize(read_one(untyped_gpx(synth(4.0, 1.3, cadence=None)), "w.gpx"))
    assert (walk.sport, walk.sport_source) == (Sport.WALKING, SportSource.INFERRED)
    hike = synth(6.0, 1.0, cadence=None, climb_m=600.0)
    hiked = summarize(read_one(untyped_gpx(hike), "h.gpx"))
    assert hiked.sport is Sport.HIKING and "climbing" in hiked.sport_reason


def test_a_file_that_states_its_sport_is_never_second_guessed_here() -> None:
    ride = synth(20.0, 8.0, sport=Sport.RUNNING, cadence=None)
    summary = summarize(read_one(gpx_bytes(ride), "x.gpx"))
    assert (summary.sport, summary.sport_source) == (Sport.RUNNING, SportSource.FILE)


def _pool_swim() -> Activity:
    """A 1,500 m pool swim as Garmin exports it to TCX: no GPS, laps of whole 50 m lengths."""
    n = 1801
    t = START_S + np.arange(n, dtype=np.float64)
    samples = Samples.from_channels(t, distance_m=np.linspace(0, 1500, n))
    laps = tuple(
        Lap(datetime.fromtimestamp(START_S + 360 * i, UTC), 360.0, 360.0, 300.0) for i in range(5)
    )
    start = datetime.fromtimestamp(START_S, UTC)
    return Activity("swim.tcx", Format.TCX, Sport.OTHER, start, samples, laps=laps)


def test_a_pool_swim_in_tcx_other_is_a_swim() -> None:
    activity = read_one(tcx_bytes(_pool_swim()), "swim.tcx")
    assert (activity.sport, activity.sport_source) == (Sport.OTHER, SportSource.ASSUMED)
    summary = summarize(activity)
    assert (summary.sport, summary.sport_source) == (Sport.SWIMMING, SportSource.INFERRED)
    assert summary.sport_reason == (
        "5 laps without GPS, each a whole number of 50 m lengths: a pool swim"
    )


def test_tcx_other_with_steps_is_not_made_a_run_by_the_data() -> None:
    # Garmin writes RunCadence for skiing too: "Other" chosen over "Running" is believed.
    skiing = synth(6.0, 2.4, sport=Sport.OTHER, fmt=Format.TCX, cadence=150.0)
    summary = summarize(read_one(tcx_bytes(skiing), "ski.tcx"))
    assert (summary.sport, summary.sport_source) == (Sport.OTHER, SportSource.ASSUMED)
    assert summary.sport_reason == "the file says only 'Other', and the data does not settle it"
    assert np.isnan(summary.cadence.mean_spm)


def test_a_truncated_fit_without_session_or_sport_is_inferred_from_its_steps() -> None:
    run = synth(8.0, 3.0, sport=Sport.OTHER)  # the writer's "generic" sport message
    data = fit_bytes(run)
    cut = read_bytes(data[: len(data) // 2], "cut.fit")
    assert any("no session message" in n for n in cut[0].notes)
    summary = summarize(cut[0])
    assert (summary.sport, summary.sport_source) == (Sport.RUNNING, SportSource.INFERRED)
    assert summary.sport_reason.startswith("cadence 17")


# --- 2. routes and courses ------------------------------------------------------------------------


def test_a_gpx_route_with_times_is_declined_as_a_route() -> None:
    points = "".join(
        f'<rtept lat="{47 + i * 1e-3:.3f}" lon="8.5"><time>2010-01-01T00:00:{i:02d}Z</time></rtept>'
        for i in range(40)
    )
    data = (
        '<?xml version="1.0"?><gpx version="1.1" creator="planner" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><rte>{points}</rte></gpx>'
    ).encode()
    with pytest.raises(RouteNotActivity, match="only a planned route"):
        read_bytes(data, "plan.gpx")


def test_a_fit_course_file_is_declined_as_a_route() -> None:
    with pytest.raises(RouteNotActivity, match="FIT course file"):
        read_bytes(fit_bytes(synth(), file_type=FILE_TYPE_COURSE), "course.fit")


def test_routes_and_courses_are_listed_with_their_reason_in_a_batch(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "w",
        {
            "course.fit": fit_bytes(synth(), file_type=FILE_TYPE_COURSE),
            "run.fit": fit_bytes(synth()),
        },
    )
    analysis = analyze([folder])
    assert analysis.errors == []  # skipped, not unreadable
    assert [(Path(f.path).name, f.reason) for f in analysis.not_activities] == [
        ("course.fit", "FIT course file: a planned route, nothing was recorded")
    ]
    assert [s.sport for s in analysis.summaries] == [Sport.RUNNING]


# --- 3. local time from where the run happened ----------------------------------------------------


def test_files_without_an_offset_take_the_zone_of_their_start_position(tmp_path: Path) -> None:
    # A runner in Sydney; the cron server runs in UTC. A 06:00 Monday run must stay on Monday.
    monday_6am_sydney = datetime(2026, 6, 1, 6, 0, tzinfo=UTC).timestamp() - 10 * 3600
    run = synth(origin=SYDNEY, start_s=monday_6am_sydney, offset_s=None)
    folder = write(tmp_path / "w", {"run.gpx": gpx_bytes(run), "run.tcx": tcx_bytes(run)})
    for summary in analyze([folder / "run.gpx"], Settings(timezone=UTC)).summaries:
        assert summary.timezone_name == "Australia/Sydney"
        assert (summary.utc_offset_s, summary.utc_offset_source) == (36000, OffsetSource.POSITION)
    analysis = analyze([folder / "run.tcx"], Settings(timezone=UTC))
    (week,) = analysis.history.weeks if analysis.history else []
    assert week.week_start == date(2026, 6, 1) and week.running_count == 1


def test_daylight_saving_is_that_of_the_day() -> None:
    winter = datetime(2026, 1, 13, 6, 30, tzinfo=UTC).timestamp()
    for start_s, offset in ((winter, 3600), (START_S, 7200)):
        summary = summarize(read_one(gpx_bytes(synth(start_s=start_s, offset_s=None)), "x.gpx"))
        (placed,) = resolve_offsets([summary], None)
        assert placed.utc_offset_s == offset


def test_copies_of_one_activity_show_one_local_start(tmp_path: Path) -> None:
    # FIT states +02:00; the TCX and GPX copies state nothing; the computer is in New York.
    run = synth()
    folder = write(
        tmp_path / "w",
        {"a.fit": fit_bytes(run), "a.tcx": tcx_bytes(run), "a.gpx": gpx_bytes(run)},
    )
    analysis = analyze([folder], Settings(timezone=ZoneInfo("America/New_York")))
    offsets = {name: (s.utc_offset_s, s.utc_offset_source) for name, s in by_name(analysis).items()}
    assert offsets == {
        "a.fit": (7200, OffsetSource.FILE),
        "a.tcx": (7200, OffsetSource.POSITION),
        "a.gpx": (7200, OffsetSource.POSITION),
    }


def test_without_a_position_the_nearest_file_that_states_its_zone_places_it() -> None:
    treadmill = synth(offset_s=None)
    no_gps = np.full(len(treadmill.samples), np.nan)
    treadmill = dataclasses.replace(
        treadmill,
        samples=dataclasses.replace(treadmill.samples, latitude_deg=no_gps, longitude_deg=no_gps),
    )
    indoor = summarize(read_one(tcx_bytes(treadmill), "indoor.tcx"))
    # The runner's FIT files: one in Sydney three weeks before, one in Zurich two days after.
    sydney = summarize(
        read_one(
            fit_bytes(synth(origin=SYDNEY, start_s=START_S - 21 * 86400, offset_s=36000)), "s.fit"
        )
    )
    zurich = summarize(read_one(fit_bytes(synth(start_s=START_S + 2 * 86400)), "z.fit"))
    placed = {s.path: s for s in resolve_offsets([sydney, indoor, zurich], UTC)}
    assert (placed["indoor.tcx"].utc_offset_s, placed["indoor.tcx"].utc_offset_source) == (
        7200,
        OffsetSource.NEAREST_FILE,
    )
    (alone,) = resolve_offsets([indoor], UTC)
    assert (alone.utc_offset_s, alone.utc_offset_source) == (0, OffsetSource.CONFIG)


# --- 4. one activity, counted once ----------------------------------------------------------------


def test_a_copy_whose_clock_was_saved_as_local_time_is_one_activity(tmp_path: Path) -> None:
    run = synth(10.0)
    shifted = dataclasses.replace(
        run,
        start_time=datetime.fromtimestamp(START_S + 7200, UTC),
        samples=dataclasses.replace(run.samples, time_s=run.samples.time_s + 7200),
        utc_offset_s=None,
        laps=(),
        pauses=(),
    )
    folder = write(tmp_path / "w", {"a.gpx": gpx_bytes(run), "b.gpx": gpx_bytes(shifted)})
    analysis = analyze([folder])
    assert analysis.history is not None
    (dup,) = analysis.history.duplicates
    assert dup.start_difference_s == 7200.0
    assert dup.reason.startswith("the same recording with its clock 2 h off")
    assert [w.running_distance_m for w in analysis.history.weeks if w.running_count] == [
        pytest.approx(by_name(analysis)["a.gpx"].distance_m)
    ]


def test_a_damaged_copy_that_ends_half_way_is_the_same_activity(tmp_path: Path) -> None:
    run = synth(6.0)
    half = run.samples.select(run.samples.time_s <= np.median(run.samples.time_s))
    damaged = gpx_bytes(dataclasses.replace(run, samples=half))
    folder = write(tmp_path / "w", {"run.fit": fit_bytes(run), "run.gpx": damaged[:-200]})
    analysis = analyze([folder])
    assert analysis.history is not None and len(analysis.history.runs) == 1
    (dup,) = analysis.history.duplicates
    assert (Path(dup.kept_id).name, Path(dup.set_aside_id).name) == ("run.fit", "run.gpx")
    assert "100% overlap" in dup.reason and "km of the 6.0" in dup.reason


def test_a_watch_and_a_phone_recording_together_are_one_activity(tmp_path: Path) -> None:
    watch = synth(12.0, 3.2)
    phone = synth(12.0, 3.2, seed=9, start_s=START_S + 95, device="phone", cadence=None)
    folder = write(tmp_path / "w", {"watch.fit": fit_bytes(watch), "phone.gpx": gpx_bytes(phone)})
    analysis = analyze([folder])
    assert analysis.history is not None and len(analysis.history.runs) == 1
    assert analysis.not_counted[str(folder / "phone.gpx")].startswith(f"a copy of {folder}")


def test_two_runs_on_one_day_stay_two(tmp_path: Path) -> None:
    morning, evening = synth(8.0), synth(8.0, start_s=START_S + 10 * 3600, seed=2)
    folder = write(tmp_path / "w", {"am.fit": fit_bytes(morning), "pm.fit": fit_bytes(evening)})
    analysis = analyze([folder])
    assert analysis.history is not None
    assert len(analysis.history.runs) == 2 and analysis.history.duplicates == []


# --- 5. plausibility ------------------------------------------------------------------------------


def test_a_run_faster_than_human_is_not_counted_and_says_why(tmp_path: Path) -> None:
    # 22 km in 55 min (2:30/km), typed as running: listed, not counted, with the numbers.
    fast = synth(22.0, 1000 / 150, cadence=None, device="converter", start_s=START_S + 86400)
    folder = write(tmp_path / "w", {"fast.gpx": gpx_bytes(fast), "run.fit": fit_bytes(synth())})
    analysis = analyze([folder])
    assert analysis.history is not None
    assert [Path(p.summary.path).name for p in analysis.history.runs] == ["run.fit"]
    (implausible,) = analysis.history.implausible
    assert implausible.reasons == (
        "22.0 km at 2:31/km (23.8 km/h): faster than 2:50/km over 10 km or more, which only"
        " the world's best run",
    )
    # The runner who says it was a ride gets a ride: cross-training, still not a run.
    ride = analyze([folder], Settings(sport_overrides=(("fast.gpx", Sport.CYCLING),)))
    assert ride.history is not None and ride.history.implausible == []
    assert [p.summary.sport for p in ride.history.others] == [Sport.CYCLING]


def test_impossible_ascent_and_empty_sessions_are_not_load() -> None:
    summary = summarize(read_one(fit_bytes(synth(8.0)), "x.fit"))
    steep = dataclasses.replace(
        summary,
        distance_m=240.0,
        elevation=dataclasses.replace(summary.elevation, ascent_m=2430.0),
    )
    assert implausible_reasons(steep) == (
        "2,430 m of ascent on 0.24 km: no course climbs that steeply",
    )
    empty = dataclasses.replace(summary, distance_m=0.0, moving_time_s=4.0)
    assert implausible_reasons(empty) == ("nothing recorded: 0.00 km in 4 s moving",)
    assert implausible_reasons(summary) == ()


def test_the_world_best_curve_passes_through_the_records() -> None:
    for distance_m, record_s in ((1000, 131.96), (10_000, 1571.0), (42_195, 7235.0)):
        assert world_best_speed_m_s(record_s) == pytest.approx(distance_m / record_s, rel=0.03)


# --- the command line -----------------------------------------------------------------------------


def test_set_sport_on_the_command_line_and_the_sport_basis_in_json(tmp_path: Path) -> None:
    ride = synth(20.0, 1000 / 189, sport=Sport.CYCLING, cadence=None)
    folder = write(tmp_path / "w", {"ride.gpx": untyped_gpx(ride, "Urban Biker")})
    runner = CliRunner()

    def activity(*args: str) -> dict[str, Any]:
        result = runner.invoke(
            app, ["report", str(folder), "--format", "json", "--no-cache", *args]
        )
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)["activities"]
        return dict(row)

    row = activity()
    assert (row["sport"], row["sport_source"]) == ("cycling", "inferred")
    assert (row["utc_offset_source"], row["timezone_name"]) == ("position", "Europe/Zurich")
    overridden = activity("--set-sport", "ride.gpx=running")
    assert (overridden["sport"], overridden["sport_source"]) == ("running", "override")
    assert overridden["sport_reason"] == "set by the runner (ride.gpx = running)"
    bad = runner.invoke(app, ["report", str(folder), "--set-sport", "ride.gpx=unicycle"])
    assert bad.exit_code == 2 and "expected a file pattern and one of running" in bad.stderr


# --- what an acceptance pass on a messy folder found ----------------------------------------------


@pytest.mark.parametrize("name", ["Blackpool promenade", "liverpool-10k.gpx"])
def test_a_town_with_pool_in_its_name_is_no_swim(name: str) -> None:
    run = synth(10.0, 3.3, cadence=None, name=name)
    summary = summarize(read_one(untyped_gpx(run, "Phone GPS"), name))
    assert (summary.sport, summary.sport_source) == (Sport.RUNNING, SportSource.ASSUMED)


def test_an_hour_at_18_km_h_with_nothing_said_is_a_ride() -> None:
    ride = synth(18.0, 5.0, sport=Sport.CYCLING, cadence=None, device="Phone GPS")
    summary = summarize(read_one(untyped_gpx(ride), "track.gpx"))
    assert (summary.sport, summary.sport_source) == (Sport.CYCLING, SportSource.INFERRED)
    assert "faster than all but elite runners" in summary.sport_reason


def test_files_placed_by_their_position_place_a_treadmill_run_beside_them() -> None:
    sydney_summer = datetime(2026, 11, 23, 19, 0, tzinfo=UTC).timestamp()  # 06:00 at UTC+11
    runs = [
        summarize(read_one(gpx_bytes(synth(origin=SYDNEY, start_s=t, offset_s=None)), f"{i}.gpx"))
        for i, t in enumerate((sydney_summer - 86400, sydney_summer + 86400))
    ]
    indoor = synth(start_s=sydney_summer, offset_s=None)
    nan = np.full(len(indoor.samples), np.nan)
    indoor = dataclasses.replace(
        indoor, samples=dataclasses.replace(indoor.samples, latitude_deg=nan, longitude_deg=nan)
    )
    treadmill = summarize(read_one(tcx_bytes(indoor), "treadmill.tcx"))
    placed = {s.path: s for s in resolve_offsets([*runs, treadmill], UTC)}["treadmill.tcx"]
    assert (placed.utc_offset_s, placed.utc_offset_source) == (11 * 3600, OffsetSource.NEAREST_FILE)


def test_an_override_of_any_copy_is_the_activitys_and_names_one_session(tmp_path: Path) -> None:
    run = synth(8.0)
    folder = write(tmp_path / "w", {"a.fit": fit_bytes(run), "a.gpx": gpx_bytes(run)})
    said = Settings(sport_overrides=(("A.GPX", Sport.TRAIL_RUNNING),))  # whatever the case
    analysis = analyze([folder], said)
    assert analysis.history is not None
    (kept,) = analysis.history.runs
    assert Path(kept.summary.path).name == "a.fit"
    assert (kept.summary.sport, kept.summary.sport_source) == (
        Sport.TRAIL_RUNNING,
        SportSource.OVERRIDE,
    )
    assert {s.sport for s in analysis.summaries} == {Sport.TRAIL_RUNNING}
    # In a multisport file, #N names one session; the file's name names them all.
    ride = synth(20.0, 8.0, sport=Sport.CYCLING, cadence=None, start_s=START_S + 7200)
    brick = write(tmp_path / "b", {"brick.fit": fit_multisport_bytes([run, ride])})
    one = analyze([brick], Settings(sport_overrides=(("brick.fit#1", Sport.OTHER),)))
    assert [s.sport for s in one.summaries] == [Sport.RUNNING, Sport.OTHER]


def test_a_set_sport_pattern_that_names_nothing_is_said(tmp_path: Path) -> None:
    folder = write(tmp_path / "w", {"a.fit": fit_bytes(synth())})
    result = CliRunner().invoke(
        app, ["activities", str(folder), "--no-cache", "--set-sport", "nosuch.gpx=cycling"]
    )
    assert result.exit_code == 0
    assert "--set-sport nosuch.gpx names no activity that was read" in result.stderr


def test_config_show_with_a_flag_and_a_file_naming_one_pattern_is_valid_toml(
    tmp_path: Path,
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[sports]\n"commute.gpx" = "cycling"\n"x.tcx" = "treadmill"\n')
    result = CliRunner().invoke(
        app, ["config", "show", "--config", str(config), "--set-sport", "commute.gpx=walking"]
    )
    assert result.exit_code == 0, result.output
    assert tomllib.loads(result.stdout)["sports"] == {
        "commute.gpx": "walking",
        "x.tcx": "treadmill",
    }


def _shifted(activity: Activity, shift_s: float) -> Activity:
    """The activity re-saved by a program that wrote its local clock as UTC, no offset."""
    t = activity.samples.time_s + shift_s
    return dataclasses.replace(
        activity,
        start_time=datetime.fromtimestamp(float(t[0]), UTC),
        samples=dataclasses.replace(activity.samples, time_s=t),
        utc_offset_s=None,
        laps=(),
        pauses=(),
    )


def test_a_clock_shift_is_a_copy_only_when_it_is_the_originals_offset(tmp_path: Path) -> None:
    # New York in June is UTC-4: the copy's local clock read as UTC starts 4 h earlier.
    new_york = (40.78, -73.97)
    run = synth(origin=new_york, offset_s=-4 * 3600)
    copy = write(
        tmp_path / "ny", {"a.fit": fit_bytes(run), "b.gpx": gpx_bytes(_shifted(run, -4 * 3600))}
    )
    analysis = analyze([copy])
    assert analysis.history is not None
    (dup,) = analysis.history.duplicates
    assert (Path(dup.kept_id).name, dup.start_difference_s) == ("a.fit", 4 * 3600.0)
    # The same recording 12 h later is another run (a fixed treadmill programme, the
    # benchmark's identical files): 12 h is not the runner's offset.
    twice = write(
        tmp_path / "twice",
        {"am.fit": fit_bytes(run), "pm.fit": fit_bytes(_shifted(run, 12 * 3600))},
    )
    analysis = analyze([twice])
    assert analysis.history is not None
    assert analysis.history.duplicates == [] and len(analysis.history.runs) == 2


def test_a_gpx_track_timed_at_one_speed_by_a_planner_is_a_route() -> None:
    # A planner's export: 0.4 km from 2010-01-01 00:00, every point at exactly 10 km/h.
    n = 41
    lat = 47.0 + np.arange(n) * 1e-4  # 11.1 m a step
    step_s = 11.1195 / (10 / 3.6)
    t = datetime(2010, 1, 1, tzinfo=UTC).timestamp() + np.arange(n) * step_s
    planned = Activity(
        "plan.gpx",
        Format.GPX,
        Sport.RUNNING,
        datetime.fromtimestamp(float(t[0]), UTC),
        Samples.from_channels(t, latitude_deg=lat, longitude_deg=np.full(n, 8.5)),
    )
    with pytest.raises(RouteNotActivity, match=r"one constant 10\.00 km/h from end to end"):
        read_bytes(gpx_bytes(planned), "plan.gpx")
    # A recording of the same stretch wanders by metres: read as it is.
    wander = np.random.default_rng(3).normal(0, 2e-5, n)
    recorded = dataclasses.replace(
        planned, samples=dataclasses.replace(planned.samples, latitude_deg=lat + wander)
    )
    assert len(read_bytes(gpx_bytes(recorded), "walk.gpx")) == 1


@pytest.mark.parametrize("jump", [False, True])
def test_an_inferred_sport_is_measured_as_if_the_file_had_stated_it(jump: bool) -> None:
    # The motion the inference measured is reused: it must be the one the sport's own gives,
    # GPS jump (a foot sport drops a 12 m/s step, a ride keeps it) or not.
    for activity in (synth(10.0, 3.0, cadence=170.0), synth(25.0, 8.0, sport=Sport.CYCLING)):
        if jump:
            lat = activity.samples.latitude_deg.copy()
            lat[len(lat) // 2 :] += 9e-4  # 100 m in one step
            samples = dataclasses.replace(activity.samples, latitude_deg=lat)
            activity = dataclasses.replace(activity, samples=samples)
        unstated = summarize(read_one(untyped_gpx(activity), "x.gpx"))
        assert unstated.sport is activity.sport and unstated.sport_source is SportSource.INFERRED
        stated = summarize(read_one(gpx_bytes(activity), "x.gpx"))
        for name in ("distance_m", "moving_time_s", "moving_speed_m_s", "fastest_km_s"):
            assert getattr(unstated, name) == getattr(stated, name), name
        assert unstated.quality.rejected_gps_jumps == stated.quality.rejected_gps_jumps
        if activity.sport.is_on_foot:  # the run's jump is one its own limit drops
            assert stated.quality.rejected_gps_jumps == int(jump)


def test_a_fit_file_whose_clock_was_never_set_is_not_placed_in_1990(tmp_path: Path) -> None:
    """FIT times under 0x10000000 s count from power-on: such a run has no date, and must not
    stretch the history back to 1990 (two files in the corpus are like this)."""
    fit_epoch_s = datetime(1989, 12, 31, tzinfo=UTC).timestamp()
    unset = synth(start_s=fit_epoch_s + 16_441_241, offset_s=None)  # 9 Jul 1990, 07:00 UTC
    folder = write(tmp_path / "runs", {
        "unset-clock.fit": fit_bytes(unset),
        "today.fit": fit_bytes(synth()),
    })  # fmt: skip
    analysis = analyze([folder], Settings())
    assert analysis.history is not None
    assert analysis.history.first_day == date(2026, 6, 2)
    assert [(Path(i.id).name, i.reasons) for i in analysis.history.implausible] == [
        ("unset-clock.fit", ("no date: its clock reads 09 Jul 1990, which in a FIT file is "
                             "time since the device was switched on (the clock was never set)",)),
    ]  # fmt: skip
    # A run dated the moment the range ends is a real date.
    real = synth(start_s=fit_epoch_s + 0x10000000)
    assert implausible_reasons(summarize(read_one(fit_bytes(real), "real.fit"))) == ()


def test_a_folder_of_undated_runs_only_is_nothing_to_report(tmp_path: Path) -> None:
    """Nothing can be counted: exit 2, each file named with why, no empty report."""
    fit_epoch_s = datetime(1989, 12, 31, tzinfo=UTC).timestamp()
    unset = synth(start_s=fit_epoch_s + 16_441_241, offset_s=None)
    folder = write(tmp_path / "runs", {"unset-clock.fit": fit_bytes(unset)})
    done = CliRunner().invoke(app, ["report", str(folder), "--no-cache"])
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == (
        f"Error: {folder}: none of the 1 activity read can be counted:\n"
        f"  {folder / 'unset-clock.fit'}: no date: its clock reads 09 Jul 1990, which in a FIT "
        "file is time since the device was switched on (the clock was never set)\n"
    )
