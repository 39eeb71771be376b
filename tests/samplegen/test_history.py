"""The sample history: reproducible from its seed, and holding every scenario the reports use."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import tomllib
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from analyzer.model import Activity, Format, Sport
from analyzer.readers.common import sport_from_text
from analyzer.readers.strava import STRAVA_CSV, strava_metadata
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.history import (
    HISTORY_END,
    HISTORY_START,
    NEW_SHOE,
    OLD_SHOE,
    PlannedFile,
    build_history,
    is_generated,
    local_date,
    write_history,
)
from analyzer.samplegen.synth import path_distance_m

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
WEEKS = 16


@pytest.fixture(scope="module")
def planned() -> list[PlannedFile]:
    return build_history()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample_data")
    write_history(folder)
    return folder


# --- helpers -----------------------------------------------------------------------------------


def digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def runs(planned: list[PlannedFile]) -> list[Activity]:
    """Each run once: a duplicate export shares its start time with the original."""
    unique = {p.activity.start_time: p.activity for p in reversed(planned)}
    return sorted((a for a in unique.values() if a.sport.is_running), key=lambda a: a.start_time)


def km(a: Activity) -> float:
    return float(a.samples.distance_m[-1]) / 1000


def duration_s(a: Activity) -> float:
    return float(a.samples.time_s[-1] - a.samples.time_s[0])


def descent_m(a: Activity) -> float:
    climb = np.diff(a.samples.altitude_m)
    return float(-climb[climb < 0].sum())


def week_of(a: Activity) -> int:
    return (local_date(a) - HISTORY_START).days // 7


def weekly(activities: list[Activity], value: Callable[[Activity], float]) -> list[float]:
    totals = [0.0] * WEEKS
    for a in activities:
        totals[week_of(a)] += value(a)
    return totals


def weekly_median(activities: list[Activity], channel: str) -> dict[int, float]:
    values: dict[int, list[float]] = defaultdict(list)
    for a in activities:
        if a.sport is Sport.RUNNING and a.samples.has(channel):
            values[week_of(a)].extend(getattr(a.samples, channel))
    return {week: float(np.median(v)) for week, v in sorted(values.items())}


def is_consecutive(weeks: list[int]) -> bool:
    return weeks == list(range(weeks[0], weeks[0] + len(weeks)))


def local_end(a: Activity) -> datetime:
    start = a.local_start_time
    assert start is not None
    return start + timedelta(seconds=duration_s(a))


# --- reproducibility ---------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(written: Path, tmp_path: Path) -> None:
    write_history(tmp_path)
    assert digests(tmp_path) == digests(written)


def test_another_seed_gives_other_numbers(planned: list[PlannedFile]) -> None:
    assert [km(a) for a in runs(build_history(seed=8))] != [km(a) for a in runs(planned)]


def test_committed_sample_data_is_a_fresh_generation(written: Path) -> None:
    if not (SAMPLE_DATA / "README.md").exists():
        pytest.skip("sample_data/ not generated yet: python -m analyzer.samplegen sample_data")
    assert digests(SAMPLE_DATA) == digests(written), "regenerate: make sample-data"


def test_folder_is_small_and_lists_every_file(written: Path, planned: list[PlannedFile]) -> None:
    files = [path for path in written.iterdir() if path.is_file()]
    assert sum(path.stat().st_size for path in files) < 10_000_000
    assert all(is_generated(path.name) for path in files)
    readme = (written / "README.md").read_text()
    assert all(f"`{p.filename}`" in readme for p in planned)
    assert {"notes.txt", "activities.csv", "calfguard.toml"} <= {path.name for path in files}


def test_activities_csv_gives_every_file_its_name_and_shoes(
    written: Path, planned: list[PlannedFile]
) -> None:
    meta = strava_metadata((written / STRAVA_CSV).read_bytes(), base=None)
    assert set(meta) == {p.filename for p in planned}
    for p in planned:
        entry = meta[p.filename]
        assert (entry.name, entry.gear) == (p.activity.name, p.activity.gear)
        assert sport_from_text(entry.activity_type) is p.activity.sport


# --- the activities are internally consistent --------------------------------------------------


def test_samples_agree_with_each_other(planned: list[PlannedFile]) -> None:
    recorded_as_fit = {p.activity.start_time for p in planned if p.format is Format.FIT}
    for p in planned:
        a, s = p.activity, p.activity.samples
        assert a.path == p.filename and a.format is p.format
        steps = np.diff(s.time_s)
        pause_s = sum(pause.end_s - pause.start_s for pause in a.pauses)
        assert steps.min() >= 1 and np.sort(steps)[-1 - len(a.pauses)] <= 5, p.filename
        assert steps.sum() - pause_s == pytest.approx(a.device_totals.timer_time_s)
        recomputed = path_distance_m(s.latitude_deg, s.longitude_deg)
        np.testing.assert_allclose(s.distance_m, recomputed, atol=0.02)
        assert sum(lap.distance_m for lap in a.laps) == pytest.approx(km(a) * 1000, abs=0.1)
        if s.has("cadence_spm"):
            np.testing.assert_allclose(s.step_length_m, s.speed_m_s * 60 / s.cadence_spm, atol=0.01)
        assert s.has("cadence_spm") == (a.sport.is_running and s.has("heart_rate_bpm"))
        dynamics = s.has("ground_contact_time_s") and s.has("vertical_ratio_pct")
        assert dynamics == (a.sport.is_running and a.start_time in recorded_as_fit), p.filename
        assert a.gear is None if a.sport is Sport.CYCLING else a.gear


def test_weeks_run_monday_to_sunday_with_three_to_five_runs(planned: list[PlannedFile]) -> None:
    assert HISTORY_START.weekday() == 0 and HISTORY_END.weekday() == 6
    assert all(HISTORY_START <= local_date(p.activity) <= HISTORY_END for p in planned)
    assert all(3 <= n <= 5 for n in weekly(runs(planned), lambda a: 1))


def test_utc_offsets_follow_summer_time(planned: list[PlannedFile]) -> None:
    clocks_back = date(2026, 10, 25)
    for p in planned:
        expected = 7200 if local_date(p.activity) < clocks_back else 3600
        assert p.activity.utc_offset_s == expected, p.filename


# --- the scenarios -----------------------------------------------------------------------------


def test_steady_start_then_a_mileage_jump(planned: list[PlannedFile]) -> None:
    weekly_km = weekly(runs(planned), km)
    steady = weekly_km[:5]
    assert all(25 <= w <= 45 for w in steady)
    assert all(1.0 <= b / a <= 1.15 for a, b in itertools.pairwise(steady))
    growth = [b / a for a, b in itertools.pairwise(weekly_km)]
    assert max(growth) > 1.4  # more than +40 % on the week before
    assert sum(g > 1.3 for g in growth) == 1


def test_one_long_run_more_than_doubles_the_longest_of_the_previous_30_days(
    planned: list[PlannedFile],
) -> None:
    history = runs(planned)

    def ratio(a: Activity) -> float:
        window = [b for b in history if timedelta(0) < a.start_time - b.start_time <= timedelta(30)]
        return km(a) / max(km(b) for b in window) if window else 0.0

    spikes = [a for a in history if ratio(a) > 2.0]
    assert len(spikes) == 1 and km(spikes[0]) > 30


def test_hilly_block_descends_far_more_than_the_weeks_before(planned: list[PlannedFile]) -> None:
    history = runs(planned)
    trail = [a for a in history if a.sport is Sport.TRAIL_RUNNING]
    block = sorted({week_of(a) for a in trail})
    assert 2 <= len(block) <= 3 and is_consecutive(block)
    assert all(400 <= descent_m(a) <= 810 for a in trail)
    weekly_descent = weekly(history, descent_m)
    before = np.mean(weekly_descent[block[0] - 4 : block[0]])
    assert all(weekly_descent[week] > 1.3 * before for week in block)


def test_low_cadence_block_has_longer_steps_at_the_same_speed(planned: list[PlannedFile]) -> None:
    history = runs(planned)
    cadence = weekly_median(history, "cadence_spm")
    step = weekly_median(history, "step_length_m")
    speed = weekly_median(history, "speed_m_s")
    low = [week for week, spm in cadence.items() if spm < 158]
    normal = [week for week, spm in cadence.items() if spm > 160]
    assert 2 <= len(low) <= 3 and is_consecutive(low)
    assert all(150 <= cadence[week] <= 155 for week in low)
    assert min(step[week] for week in low) > 1.04 * np.median([step[week] for week in normal])
    usual_speed = np.median([speed[week] for week in normal])
    assert all(abs(speed[week] / usual_speed - 1) < 0.05 for week in low)


def test_hot_long_run(planned: list[PlannedFile]) -> None:
    hot = [
        a
        for a in runs(planned)
        if duration_s(a) >= 90 * 60 and np.median(a.samples.temperature_c) >= 25
    ]
    assert len(hot) == 1


def test_one_run_is_exported_twice(planned: list[PlannedFile]) -> None:
    by_start: dict[datetime, list[PlannedFile]] = defaultdict(list)
    for p in planned:
        by_start[p.activity.start_time].append(p)
    twins = [group for group in by_start.values() if len(group) > 1]
    assert len(twins) == 1
    fit, gpx = sorted(twins[0], key=lambda p: p.format.value)
    assert (fit.format, gpx.format) == (Format.FIT, Format.GPX)
    assert fit.filename != gpx.filename and fit.activity.samples is gpx.activity.samples


def test_one_run_crosses_midnight(planned: list[PlannedFile]) -> None:
    crossing = [a for a in runs(planned) if local_end(a).date() > local_date(a)]
    assert len(crossing) == 1
    start = crossing[0].local_start_time
    assert start is not None and start.hour == 23


def test_formats_are_mixed_and_one_fit_is_truncated(
    planned: list[PlannedFile], written: Path
) -> None:
    kinds = {(p.format, p.gzip) for p in planned}
    assert kinds == {(fmt, gz) for fmt in Format for gz in (False, True)}
    assert sum(p.format is Format.FIT for p in planned) > len(planned) / 2
    (damaged,) = [p for p in planned if p.damaged]
    assert damaged.format is Format.FIT and not damaged.gzip and "truncated" in damaged.filename
    whole = fit_bytes(damaged.activity)
    cut = (written / damaged.filename).read_bytes()
    assert whole.startswith(cut) and 2 / 3 < len(cut) / len(whole) < 0.9
    zipped = next(p for p in planned if p.gzip)
    assert gzip.decompress((written / zipped.filename).read_bytes())


def test_cross_training_in_some_weeks_with_a_four_week_gap(planned: list[PlannedFile]) -> None:
    rides = [p.activity for p in planned if p.activity.sport is Sport.CYCLING]
    ride_weeks = [n > 0 for n in weekly(rides, lambda a: 1)]
    assert 5 <= sum(ride_weeks) < WEEKS
    gaps = "".join("x" if ridden else "." for ridden in ride_weeks).split("x")
    assert max(len(gap) for gap in gaps[1:-1]) >= 4  # rides before and after the gap


def test_shoes_new_pair_mid_history_and_old_pair_near_800_km(
    planned: list[PlannedFile], written: Path
) -> None:
    shoes = {s["name"]: s for s in tomllib.loads((written / "calfguard.toml").read_text())["shoes"]}
    history = runs(planned)
    assert {a.gear for a in history} <= set(shoes)
    for a in history:
        shoe = shoes[a.gear]
        assert shoe["first_use"] <= local_date(a) and "retired" not in shoe

    def total_km(name: str) -> float:
        return float(shoes[name]["start_distance_km"]) + sum(
            km(a) for a in history if a.gear == name
        )

    assert abs(total_km(OLD_SHOE) - 800) <= 50
    assert 5 <= (shoes[NEW_SHOE]["first_use"] - HISTORY_START).days // 7 <= 10
    assert shoes[NEW_SHOE]["start_distance_km"] == 0
    assert any(a.gear == OLD_SHOE for a in history if week_of(a) == WEEKS - 1)  # still in use
