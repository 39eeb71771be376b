"""The aggregate step: summaries -> the athlete's local calendar, daily and weekly load series.

Running distance drives the injury-related series (it is what the runner studies measured);
running time is kept beside it for runs without distance. Non-running activities count as
cross-training. The same run exported twice is counted once (``set_aside_duplicates``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np

from analyzer.identity import (
    Duplicate,
    Implausible,
    Placed,
    place,
    set_aside_duplicates,
    set_aside_implausible,
)
from analyzer.metrics.summary import ActivitySummary
from analyzer.model import FloatArray
from analyzer.settings import Settings, Shoe

ACUTE_DAYS, CHRONIC_DAYS = 7, 28
MONOTONY_SD_FLOOR = 0.01
SPIKE_WINDOW_DAYS = 30  # the single-run spike compares with the longest run of these days
BASELINE_DAYS = 56  # the cadence-vs-speed baseline: the previous 8 weeks
MIN_BASELINE_RUNS = 5
#: Cadence rises about 5-6 spm per m/s of speed (evidence.md, low_cadence); used as the
#: baseline's slope when the runner's own runs span too narrow a range of speeds.
POPULATION_SLOPE_SPM_PER_M_S = 5.5
MIN_OWN_SLOPE_SPAN_M_S = 0.5
FITNESS_DAYS, FATIGUE_DAYS = 42, 7


class DayIndex:
    """Placed activities by local date: those of a few days in O(days), not O(activities)."""

    def __init__(self, placed: Sequence[Placed]) -> None:
        self.placed = placed
        self.by_day: dict[date, list[int]] = {}
        for i, p in enumerate(placed):
            self.by_day.setdefault(p.local_date, []).append(i)

    def between(self, first: date, end: date) -> list[Placed]:
        """Those with ``first <= local_date < end``, in their original order."""
        days = (end - first).days
        if days > len(self.by_day):
            return [p for p in self.placed if first <= p.local_date < end]
        found = [i for n in range(days) for i in self.by_day.get(first + timedelta(days=n), ())]
        return [self.placed[i] for i in sorted(found)]


@dataclass(frozen=True, slots=True)
class Daily:
    """One value per local calendar day from ``first_day`` on, rest days zero."""

    first_day: date
    running_distance_m: FloatArray
    running_time_s: FloatArray
    run_count: FloatArray
    longest_run_m: FloatArray
    ascent_m: FloatArray
    descent_m: FloatArray
    trimp: FloatArray
    hard_time_s: FloatArray
    heat_time_s: FloatArray  # moving time at or above 18 C
    cross_training_time_s: FloatArray
    cross_training_count: FloatArray

    def __len__(self) -> int:
        return len(self.running_distance_m)

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=index)

    def index(self, day: date) -> int:
        return (day - self.first_day).days


def daily(placed: Sequence[Placed], first_day: date, last_day: date) -> Daily:
    n = (last_day - first_day).days + 1
    columns = {name: np.zeros(n) for name in Daily.__dataclass_fields__ if name != "first_day"}
    for p in placed:
        i = (p.local_date - first_day).days
        if not 0 <= i < n:
            continue
        s = p.summary
        if not p.is_run:
            columns["cross_training_time_s"][i] += s.moving_time_s
            columns["cross_training_count"][i] += 1
            continue
        columns["running_distance_m"][i] += s.distance_m
        columns["running_time_s"][i] += s.moving_time_s
        columns["run_count"][i] += 1
        columns["longest_run_m"][i] = max(columns["longest_run_m"][i], s.distance_m)
        columns["ascent_m"][i] += _zero_if_nan(s.elevation.ascent_m)
        columns["descent_m"][i] += _zero_if_nan(s.elevation.descent_m)
        columns["trimp"][i] += _zero_if_nan(s.heart.trimp)
        columns["hard_time_s"][i] += _zero_if_nan(s.intensity.hard_time_s)
        columns["heat_time_s"][i] += _zero_if_nan(s.heat.time_at_or_above_18c_s)
    return Daily(first_day=first_day, **columns)


def _zero_if_nan(value: float) -> float:
    return value if np.isfinite(value) else 0.0


def ewma(values: FloatArray, days: int) -> FloatArray:
    """Exponentially weighted moving average with lambda = 2 / (N + 1) (Williams et al. 2017)."""
    decay = 2.0 / (days + 1)
    out = np.empty(len(values))
    level = 0.0
    for i, value in enumerate(values):
        level = decay * value + (1 - decay) * level
        out[i] = level
    return out


def rolling_sum(values: FloatArray, days: int) -> FloatArray:
    """Sum over the ``days`` days ending on each day (fewer at the start)."""
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(1, len(values) + 1)
    sums: FloatArray = cumulative[idx] - cumulative[np.maximum(idx - days, 0)]
    return sums


@dataclass(frozen=True, slots=True)
class LoadSeries:
    """Daily derived series; NaN where there is not enough history yet."""

    acwr_ewma: FloatArray  # acute / chronic EWMA of running distance (7 and 28 days)
    acwr_rolling: FloatArray  # 7-day sum / (28-day sum / 4)
    monotony: FloatArray  # Foster: mean / SD of daily running distance over 7 days
    strain: FloatArray  # 7-day running distance (km) x monotony
    fitness: FloatArray  # 42-day exponential TRIMP (context, not an injury predictor)
    fatigue: FloatArray  # 7-day exponential TRIMP
    form: FloatArray  # fitness - fatigue


def load_series(d: Daily) -> LoadSeries:
    distance = d.running_distance_m
    n = len(distance)
    enough = np.arange(n) >= CHRONIC_DAYS - 1  # 28 days of history, this day included
    with np.errstate(divide="ignore", invalid="ignore"):
        chronic = ewma(distance, CHRONIC_DAYS)
        acwr_ewma = np.where(enough & (chronic > 0), ewma(distance, ACUTE_DAYS) / chronic, np.nan)
        chronic_rolling = rolling_sum(distance, CHRONIC_DAYS) / 4
        acwr_rolling = np.where(
            enough & (chronic_rolling > 0),
            rolling_sum(distance, ACUTE_DAYS) / chronic_rolling,
            np.nan,
        )
        mean7 = rolling_sum(distance, ACUTE_DAYS) / ACUTE_DAYS
        sd7 = np.sqrt(np.maximum(rolling_sum(distance**2, ACUTE_DAYS) / ACUTE_DAYS - mean7**2, 0))
        # Identical days make the SD zero and monotony infinite; a floor of 1 % of the mean
        # keeps it a (very large) number instead.
        sd7 = np.maximum(sd7, MONOTONY_SD_FLOOR * mean7)
        week_known = np.arange(n) >= ACUTE_DAYS - 1
        monotony = np.where(week_known & (mean7 > 0), mean7 / sd7, np.nan)
    fitness = _exponential(d.trimp, FITNESS_DAYS)
    fatigue = _exponential(d.trimp, FATIGUE_DAYS)
    return LoadSeries(
        acwr_ewma=acwr_ewma,
        acwr_rolling=acwr_rolling,
        monotony=monotony,
        strain=rolling_sum(distance, ACUTE_DAYS) / 1000 * monotony,
        fitness=fitness,
        fatigue=fatigue,
        form=fitness - fatigue,
    )


def _exponential(values: FloatArray, time_constant_days: int) -> FloatArray:
    """Banister-style impulse response: level += (load - level) / tau, per day."""
    out = np.empty(len(values))
    level = 0.0
    for i, value in enumerate(values):
        level += (value - level) / time_constant_days
        out[i] = level
    return out


@dataclass(frozen=True, slots=True)
class Week:
    week_start: date
    running_distance_m: float
    running_time_s: float
    running_count: int
    longest_run_m: float
    ascent_m: float
    descent_m: float
    trimp: float
    hard_time_s: float
    heat_time_s: float
    cross_training_count: int
    cross_training_time_s: float
    change_vs_last_week_pct: float  # NaN when last week had no running
    change_vs_4_week_mean_pct: float  # NaN until four earlier weeks exist
    acwr_ewma: float  # at the week's last day
    acwr_rolling: float
    monotony: float
    strain: float
    long_run_share: float  # longest run / week's distance
    median_cadence_spm: float  # time-weighted over the week's runs
    complete: bool  # False for a week the history starts or ends inside


def weeks(
    d: Daily, series: LoadSeries, placed: Sequence[Placed], week_start_weekday: int = 0
) -> list[Week]:
    """Calendar weeks (Monday first by default) covering the daily series."""
    offset = (d.first_day.weekday() - week_start_weekday) % 7
    starts = range(-offset, len(d), 7)
    days = DayIndex(placed)
    out: list[Week] = []
    for begin in starts:
        lo, hi = max(begin, 0), min(begin + 7, len(d))
        span = slice(lo, hi)
        week_start = d.day(begin)
        distance = float(d.running_distance_m[span].sum())
        out.append(
            Week(
                week_start=week_start,
                running_distance_m=distance,
                running_time_s=float(d.running_time_s[span].sum()),
                running_count=int(d.run_count[span].sum()),
                longest_run_m=float(d.longest_run_m[span].max()),
                ascent_m=float(d.ascent_m[span].sum()),
                descent_m=float(d.descent_m[span].sum()),
                trimp=float(d.trimp[span].sum()),
                hard_time_s=float(d.hard_time_s[span].sum()),
                heat_time_s=float(d.heat_time_s[span].sum()),
                cross_training_count=int(d.cross_training_count[span].sum()),
                cross_training_time_s=float(d.cross_training_time_s[span].sum()),
                change_vs_last_week_pct=float("nan"),
                change_vs_4_week_mean_pct=float("nan"),
                acwr_ewma=float(series.acwr_ewma[hi - 1]),
                acwr_rolling=float(series.acwr_rolling[hi - 1]),
                monotony=float(series.monotony[hi - 1]),
                strain=float(series.strain[hi - 1]),
                long_run_share=float(d.longest_run_m[span].max()) / distance
                if distance > 0
                else float("nan"),
                median_cadence_spm=_week_cadence(days, week_start),
                complete=begin >= 0 and begin + 7 <= len(d),
            )
        )
    return _with_changes(out)


def _week_cadence(days: DayIndex, week_start: date) -> float:
    week_end = week_start + timedelta(days=7)
    points = [
        (p.summary.cadence.median_spm, p.summary.moving_time_s)
        for p in days.between(week_start, week_end)
        if p.is_run and np.isfinite(p.summary.cadence.median_spm)
    ]
    if not points:
        return float("nan")
    values, weights = np.array(points).T
    return float(np.average(values, weights=weights))


def _with_changes(out: list[Week]) -> list[Week]:
    changed: list[Week] = []
    for i, week in enumerate(out):
        last = out[i - 1].running_distance_m if i >= 1 else float("nan")
        previous4 = [w.running_distance_m for w in out[max(i - 4, 0) : i]]
        mean4 = float(np.mean(previous4)) if len(previous4) == 4 else float("nan")
        changed.append(
            replace(
                week,
                change_vs_last_week_pct=_pct_change(week.running_distance_m, last),
                change_vs_4_week_mean_pct=_pct_change(week.running_distance_m, mean4),
            )
        )
    return changed


def _pct_change(now: float, before: float) -> float:
    if not np.isfinite(before) or before <= 0:
        return float("nan")
    return 100.0 * (now - before) / before


@dataclass(frozen=True, slots=True)
class RunContext:
    """A run against its own recent past."""

    placed: Placed
    history_days: int  # days of history before this run's local date
    longest_previous_m: float  # longest run in the 30 days before it (NaN if none)
    spike_ratio: float  # distance / longest_previous_m
    expected_cadence_spm: float  # the runner's 8-week baseline at this run's speed
    cadence_vs_baseline_pct: float  # negative when below the baseline
    step_length_vs_baseline_pct: float  # positive when longer than the baseline predicts
    baseline_runs: int
    baseline_basis: str


def run_contexts(runs: Sequence[Placed], history_start: date) -> list[RunContext]:
    """Every run in time order with its spike ratio and cadence baseline."""
    ordered = sorted(runs, key=lambda p: p.summary.start_time)
    starts = [p.summary.start_time for p in ordered]
    # What the cadence baseline uses, once for all runs: each run's baseline is a slice.
    columns = np.array(
        [
            (p.summary.moving_speed_m_s, p.summary.cadence.mean_spm, p.summary.moving_time_s)
            for p in ordered
        ],
        dtype=np.float64,
    ).reshape(-1, 3)
    return [_context(run, ordered, starts, columns, history_start) for run in ordered]


def _context(
    run: Placed,
    ordered: Sequence[Placed],
    starts: Sequence[datetime],
    columns: FloatArray,
    history_start: date,
) -> RunContext:
    start = run.summary.start_time
    # ``ordered`` is sorted by start time: the runs before a moment are a prefix of it.
    end = bisect_left(starts, start)
    window = ordered[bisect_left(starts, start - timedelta(days=SPIKE_WINDOW_DAYS), 0, end) : end]
    longest = max((p.summary.distance_m for p in window), default=float("nan"))
    first = bisect_left(starts, start - timedelta(days=BASELINE_DAYS), 0, end)
    expected, basis = _expected_cadence(columns[first:end], run.summary.moving_speed_m_s)
    actual = run.summary.cadence.mean_spm
    speed = run.summary.moving_speed_m_s
    with np.errstate(divide="ignore", invalid="ignore"):
        cadence_pct = 100.0 * (actual - expected) / expected
        # At the same speed, step length is speed x 60 / cadence: the baseline predicts it.
        expected_step = speed * 60.0 / expected
        step_pct = 100.0 * (run.summary.cadence.step_length_m - expected_step) / expected_step
    return RunContext(
        placed=run,
        history_days=(run.local_date - history_start).days,
        longest_previous_m=longest,
        spike_ratio=run.summary.distance_m / longest if longest > 0 else float("nan"),
        expected_cadence_spm=expected,
        cadence_vs_baseline_pct=float(cadence_pct),
        step_length_vs_baseline_pct=float(step_pct),
        baseline_runs=end - first,
        baseline_basis=basis,
    )


def _expected_cadence(baseline: FloatArray, speed_m_s: float) -> tuple[float, str]:
    """Cadence the runner's previous 8 weeks predict at ``speed_m_s``: their own line of mean
    cadence on moving speed across runs, weighted by moving time, or their mean with the
    population slope when their speeds are too alike for a line of their own.

    ``baseline``: one row per earlier run: moving speed, mean cadence, moving time."""
    points = baseline[np.isfinite(baseline[:, 1]) & np.isfinite(baseline[:, 0])]
    if len(points) < MIN_BASELINE_RUNS or not np.isfinite(speed_m_s):
        return float("nan"), f"fewer than {MIN_BASELINE_RUNS} runs with cadence in 8 weeks"
    x, y, w = (np.ascontiguousarray(column) for column in points.T)
    total_w = float(w.sum())
    mean_x, mean_y = float(w @ x) / total_w, float(w @ y) / total_w
    if np.ptp(x) >= MIN_OWN_SLOPE_SPAN_M_S:
        # Weighted least squares in closed form (what np.polyfit does, at a tenth of the cost
        # for the few dozen points of a window, and it runs once per run).
        dx = x - mean_x
        slope = float((w * dx) @ (y - mean_y)) / float((w * dx) @ dx)
        return mean_y + slope * (speed_m_s - mean_x), f"own line over {len(points)} runs"
    expected = mean_y + POPULATION_SLOPE_SPM_PER_M_S * (speed_m_s - mean_x)
    return float(expected), f"own mean over {len(points)} runs, typical slope 5.5 spm per m/s"


@dataclass(frozen=True, slots=True)
class ShoeUse:
    name: str
    distance_m: float  # start distance plus every run matched to the pair
    runs: int
    start_distance_m: float
    first_use: date | None
    retired: date | None
    last_run: date | None


def shoe_use(runs: Sequence[Placed], shoes: Sequence[Shoe]) -> list[ShoeUse]:
    """Distance per pair: runs whose gear names the pair, and runs without gear on the date of
    a default pair. Gear names the shoes list does not have still get a row (Strava gear)."""
    by_name: dict[str, list[Placed]] = {shoe.name: [] for shoe in shoes}
    for run in runs:
        gear = run.summary.gear
        if gear is None:
            default = next((s for s in shoes if s.default and s.in_use(run.local_date)), None)
            gear = default.name if default else None
        if gear is not None:
            by_name.setdefault(gear, []).append(run)
    listed = {shoe.name: shoe for shoe in shoes}
    out = []
    for name, matched in by_name.items():
        shoe = listed.get(name, Shoe(name))
        out.append(
            ShoeUse(
                name=name,
                distance_m=shoe.start_distance_m + sum(r.summary.distance_m for r in matched),
                runs=len(matched),
                start_distance_m=shoe.start_distance_m,
                first_use=shoe.first_use or min((r.local_date for r in matched), default=None),
                retired=shoe.retired,
                last_run=max((r.local_date for r in matched), default=None),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class History:
    """Everything the rules look at, built once from the summaries."""

    runs: list[Placed]  # running activities, duplicates set aside, in time order
    others: list[Placed]  # cross-training
    duplicates: list[Duplicate]
    implausible: list[Implausible]  # not counted: they cannot be what they say
    daily: Daily
    series: LoadSeries
    weeks: list[Week]
    contexts: list[RunContext]
    shoes: list[ShoeUse]
    runs_by_day: DayIndex  # the runs again, for the rules' questions about a few days

    @property
    def first_day(self) -> date:
        return self.daily.first_day

    @property
    def last_day(self) -> date:
        return self.daily.day(len(self.daily) - 1)


def build_history(summaries: Sequence[ActivitySummary], settings: Settings) -> History | None:
    """None when there is nothing to aggregate."""
    unique, duplicates = set_aside_duplicates(place(summaries, settings.timezone))
    kept, implausible = set_aside_implausible(unique)
    if not kept:
        return None
    # Time zones can order local dates differently from start times: take the extremes.
    first_day = min(p.local_date for p in kept)
    last_day = max(p.local_date for p in kept)
    d = daily(kept, first_day, last_day)
    series = load_series(d)
    runs = [p for p in kept if p.is_run]
    return History(
        runs=runs,
        others=[p for p in kept if not p.is_run],
        duplicates=duplicates,
        implausible=implausible,
        daily=d,
        series=series,
        weeks=weeks(d, series, kept, settings.week_start),
        contexts=run_contexts(runs, first_day),
        shoes=shoe_use(runs, settings.shoes),
        runs_by_day=DayIndex(runs),
    )
