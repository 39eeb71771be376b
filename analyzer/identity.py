"""Which activity each summary is, when it happened, and whether it counts.

Between the store and the aggregate step:
- ``resolve``: the runner's sport overrides, and a local UTC offset for every activity, from
  the file, else the time zone at its start position, else the zone of the runner's file
  nearest in time that states one, else the configured zone, else this computer's. Each
  activity says which (``utc_offset_source``).
- ``set_aside_duplicates``: two recordings whose time spans overlap are one activity (no one
  runs twice at once), and so is a copy whose clock is shifted by whole quarter hours with the
  same distance, moving time and sample count; the most complete copy is kept.
- ``set_aside_implausible``: activities that cannot be what they say (a run faster than the
  world record, 2,430 m of ascent on 0.24 km, nothing recorded) are not counted as load.
docs/formats.md, "Sport, local time and duplicates", says why each threshold is what it is.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import PurePath

import numpy as np

from analyzer.local_calendar import local_start
from analyzer.metrics.sport import (
    MAX_STEP_M,
    WORLD_RECORD_KM_S,
    pace_text,
    world_best_speed_m_s,
)
from analyzer.metrics.summary import ActivitySummary
from analyzer.model import Format, OffsetSource, Sport, SportSource
from analyzer.settings import Settings
from analyzer.timezones import offset_in

# --- resolve ----------------------------------------------------------------------------------


def resolve(summaries: Sequence[ActivitySummary], settings: Settings) -> list[ActivitySummary]:
    """The summaries with the runner's sport overrides applied and every offset known."""
    overridden = [_override(s, settings.sport_overrides) for s in summaries]
    return resolve_offsets(overridden, settings.timezone)


def matches(pattern: str, summary: ActivitySummary) -> bool:
    """A pattern names a file from the right of its path (``ride.gpx``, ``2024/*.gpx``, a
    whole path), whatever the case; ``race.fit#2`` names one session of a multisport file."""
    target = summary.id if "#" in pattern else summary.path
    return PurePath(target.lower()).match(pattern.lower())


def unmatched(
    overrides: Sequence[tuple[str, Sport]], summaries: Sequence[ActivitySummary]
) -> list[str]:
    """The override patterns that name no activity (a typo the runner should hear about)."""
    return [p for p, _ in overrides if not any(matches(p, s) for s in summaries)]


def _override(summary: ActivitySummary, overrides: Sequence[tuple[str, Sport]]) -> ActivitySummary:
    for pattern, sport in overrides:
        if matches(pattern, summary):
            return dataclasses.replace(
                summary,
                sport=sport,
                sport_source=SportSource.OVERRIDE,
                sport_reason=f"set by the runner ({pattern} = {sport.value})",
            )
    return summary


def resolve_offsets(
    summaries: Sequence[ActivitySummary], fallback: tzinfo | None
) -> list[ActivitySummary]:
    """Every summary with ``utc_offset_s`` and ``utc_offset_source`` set."""
    # Files that state their offset, by start time: the zone of the one nearest in time
    # places an activity that has neither an offset nor a position (a treadmill run's TCX).
    # First what each file knows of itself: its offset, or the zone at its start.
    known = [_own_offset(s) for s in summaries]
    # Those place an activity that has neither (a treadmill run's TCX): the zone of the one
    # nearest in time, on this activity's date.
    anchors = sorted(
        (s.start_time, s.timezone_name, s.utc_offset_s) for s in known if s.utc_offset_source
    )
    times = [a[0] for a in anchors]
    out = []
    for s in known:
        if s.utc_offset_source is None:
            offset, source = _borrowed_offset(s, anchors, times, fallback)
            s = dataclasses.replace(s, utc_offset_s=offset, utc_offset_source=source)
        out.append(s)
    return out


def _own_offset(s: ActivitySummary) -> ActivitySummary:
    """The summarize step placed files by their own offset or start zone (``_own_offset``
    there); summaries made by hand (tests) may state an offset without its source."""
    if s.utc_offset_s is not None and s.utc_offset_source is None:
        return dataclasses.replace(s, utc_offset_source=OffsetSource.FILE)
    return s


def _borrowed_offset(
    s: ActivitySummary,
    anchors: Sequence[tuple[datetime, str | None, int | None]],
    times: Sequence[datetime],
    fallback: tzinfo | None,
) -> tuple[int, OffsetSource]:
    if anchors:
        i = bisect_left(times, s.start_time)
        near = min(
            (anchors[j] for j in (i - 1, i) if 0 <= j < len(anchors)),
            key=lambda a: abs((a[0] - s.start_time).total_seconds()),
        )
        _, zone, anchor_offset = near
        offset = offset_in(zone, s.start_time) if zone else None  # this date's DST
        if offset is None:
            offset = int(anchor_offset or 0)
        return offset, OffsetSource.NEAREST_FILE
    utc_offset = s.start_time.astimezone(fallback).utcoffset()
    return int(utc_offset.total_seconds()) if utc_offset else 0, fallback_source(fallback)


def fallback_source(fallback: tzinfo | None) -> OffsetSource:
    """What places an activity nothing else places: the configured zone, else this computer's."""
    return OffsetSource.CONFIG if fallback is not None else OffsetSource.SYSTEM


# --- placed on the calendar -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placed:
    """A summary placed on the athlete's local calendar."""

    summary: ActivitySummary
    local_start: datetime
    local_date: date

    @property
    def is_run(self) -> bool:
        return self.summary.sport.is_running


def place(summaries: Sequence[ActivitySummary], fallback_tz: tzinfo | None) -> list[Placed]:
    placed = []
    for s in summaries:
        local = local_start(s.start_time, s.utc_offset_s, fallback_tz)
        placed.append(Placed(s, local, local.date()))
    return sorted(placed, key=lambda p: (p.summary.start_time, p.summary.id))


# --- duplicates -------------------------------------------------------------------------------

#: Two recordings are one activity when they overlap for at least this share of the shorter
#: one's span (a cool-down file that starts as the run's file ends overlaps by seconds).
OVERLAP_SHARE = 0.5
#: A short activity and its copy started a few minutes apart (a phone app started late)
#: overlap less: they are one when they start this close and are alike within this share.
ALIKE_START_S = 300.0
ALIKE_TOLERANCE = 0.10
#: A copy re-saved with its local clock written as UTC starts the original's UTC offset from it
#: (at least a quarter hour, at most 14 h), give or take SHIFT_SLACK_S, with the same samples.
SHIFT_STEP_S = 900.0
SHIFT_SLACK_S = 2.0
MAX_SHIFT_S = 14 * 3600.0
SHIFT_DISTANCE_TOLERANCE = 0.01
SHIFT_TIME_TOLERANCE_S = 5.0
#: Copies within this share of the longest copy's distance are equally complete: then the
#: richer format and channels decide (GPS re-measured from positions differs by a few %).
COMPLETE_SHARE = 0.9
_RICHNESS = {Format.FIT: 3, Format.TCX: 2, Format.GPX: 1}


@dataclass(frozen=True, slots=True)
class Duplicate:
    kept_id: str
    set_aside_id: str
    start_difference_s: float
    reason: str  # why they are one activity, and why this copy was set aside


def set_aside_duplicates(placed: Sequence[Placed]) -> tuple[list[Placed], list[Duplicate]]:
    """Keeps the most complete copy of each activity recorded or exported more than once."""
    items = sorted(placed, key=lambda p: (p.summary.start_time, p.summary.id))
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    why: dict[tuple[int, int], str] = {}
    for i, j, reason in _pairs(items):
        why[(i, j)] = reason
        parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    kept: list[Placed] = []
    duplicates: list[Duplicate] = []
    for members in groups.values():
        if len(members) == 1:
            kept.append(items[members[0]])
            continue
        longest = max(_distance(items[m].summary) for m in members)
        best = min(members, key=lambda i: _rank(items[i], longest))
        kept.append(_with_override(items[best], [items[m] for m in members]))
        for i in members:
            if i == best:
                continue
            a, b = items[best].summary, items[i].summary
            link = why.get((min(i, best), max(i, best)), "overlaps another copy of it")
            duplicates.append(
                Duplicate(
                    a.id,
                    b.id,
                    abs((a.start_time - b.start_time).total_seconds()),
                    f"{link}; {_why_kept(a, b)}",
                )
            )
    kept.sort(key=lambda p: (p.summary.start_time, p.summary.id))
    duplicates.sort(key=lambda d: d.set_aside_id)
    return kept, duplicates


def _with_override(kept: Placed, copies: Sequence[Placed]) -> Placed:
    """The runner's word on any copy of an activity is their word on the activity."""
    said = next((p.summary for p in copies if p.summary.sport_source is SportSource.OVERRIDE), None)
    if said is None or kept.summary.sport_source is SportSource.OVERRIDE:
        return kept
    summary = dataclasses.replace(
        kept.summary,
        sport=said.sport,
        sport_source=said.sport_source,
        sport_reason=said.sport_reason,
    )
    return dataclasses.replace(kept, summary=summary)


def _span(s: ActivitySummary) -> tuple[float, float]:
    start = s.start_time.timestamp()
    return start, start + max(s.elapsed_time_s, 0.0)


def _pairs(items: Sequence[Placed]) -> list[tuple[int, int, str]]:
    """(i, j, why) for i < j that are one activity; ``items`` in start order."""
    found: list[tuple[int, int, str]] = []
    spans = [_span(p.summary) for p in items]
    open_: list[int] = []  # earlier items whose span may still reach later starts
    by_samples: dict[int, list[int]] = {}
    for j, (start, end) in enumerate(spans):
        b = items[j].summary
        open_ = [i for i in open_ if spans[i][1] >= start]
        for i in open_:
            a = items[i].summary
            if a.path == b.path:
                continue  # the legs of one file follow each other
            share = _overlap_share(spans[i], (start, end))
            if share >= OVERLAP_SHARE:
                found.append((i, j, f"recorded at the same time ({share:.0%} overlap)"))
            elif _alike(a, b) and start - spans[i][0] <= ALIKE_START_S:
                found.append((i, j, f"started {start - spans[i][0]:.0f} s apart, alike"))
        open_.append(j)
        # Earlier items with as many samples, started within the largest shift: in start
        # order, so the window is a bisection away (a folder of 1 s recordings of one length
        # would otherwise compare each with all).
        same_count = by_samples.setdefault(b.quality.sample_count, [])
        first = bisect_left(
            same_count, start - MAX_SHIFT_S - SHIFT_SLACK_S, key=lambda i: spans[i][0]
        )
        for i in same_count[first:]:
            a = items[i].summary
            shift = start - spans[i][0]
            if a.path != b.path and _shifted_copy(a, b, shift):
                found.append((i, j, f"the same recording with its clock {_hours(shift)} off"))
        same_count.append(j)
    return found


def _alike(a: ActivitySummary, b: ActivitySummary) -> bool:
    """Durations and distances within ALIKE_TOLERANCE of each other."""
    return all(
        abs(x - y) <= ALIKE_TOLERANCE * max(abs(x), abs(y), 1.0)
        for x, y in ((a.elapsed_time_s, b.elapsed_time_s), (_distance(a), _distance(b)))
    )


def _overlap_share(a: tuple[float, float], b: tuple[float, float]) -> float:
    shorter = min(a[1] - a[0], b[1] - b[0])
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    if shorter <= 0:  # a single moment: one activity only if it is inside the other
        return 1.0 if overlap >= 0 else 0.0
    return max(overlap, 0.0) / shorter


def _shifted_copy(a: ActivitySummary, b: ActivitySummary, shift_s: float) -> bool:
    """``b`` starts ``shift_s`` after ``a``; one of them is the other re-saved by a program
    that wrote the local clock as UTC: the copy states no offset, and the shift is the
    original's UTC offset (a copy of a run west of Greenwich starts earlier)."""
    if not SHIFT_STEP_S - SHIFT_SLACK_S <= abs(shift_s) <= MAX_SHIFT_S + SHIFT_SLACK_S:
        return False
    b_is_copy = _is_shift_of(b, a, shift_s)
    if not (b_is_copy or _is_shift_of(a, b, -shift_s)) or a.quality.sample_count < 10:
        return False
    same_distance = abs(a.distance_m - b.distance_m) <= SHIFT_DISTANCE_TOLERANCE * max(
        a.distance_m, b.distance_m, 1.0
    )
    return same_distance and abs(a.moving_time_s - b.moving_time_s) <= SHIFT_TIME_TOLERANCE_S


def _is_shift_of(copy: ActivitySummary, original: ActivitySummary, shift_s: float) -> bool:
    """``copy`` starts ``shift_s`` after ``original``: the original's local clock read as UTC."""
    if copy.utc_offset_source is OffsetSource.FILE or original.utc_offset_s is None:
        return False
    return abs(shift_s - original.utc_offset_s) <= SHIFT_SLACK_S


def _hours(shift_s: float) -> str:
    minutes = round(abs(shift_s) / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes % 60 else f"{minutes // 60} h"


def _rank(p: Placed, longest_m: float) -> tuple[int, int, int, int, str]:
    """Plausible before implausible, then the complete copies (within COMPLETE_SHARE of the
    group's ``longest_m``), then FIT before TCX before GPX, then more channels, then the
    first in name order."""
    s = p.summary
    longest = longest_m
    complete = _distance(s) >= COMPLETE_SHARE * longest
    return (
        1 if implausible_reasons(s) else 0,
        0 if complete else 1,
        -_RICHNESS[s.format],
        -len(s.quality.channels),
        s.id,
    )


def _distance(s: ActivitySummary) -> float:
    return s.distance_m if np.isfinite(s.distance_m) else 0.0


def _why_kept(kept: ActivitySummary, other: ActivitySummary) -> str:
    if _distance(other) < COMPLETE_SHARE * _distance(kept):
        return (
            f"this copy has {other.distance_m / 1000:.2f} km of the"
            f" {kept.distance_m / 1000:.2f} km kept"
        )
    if implausible_reasons(other) and not implausible_reasons(kept):
        return "this copy is implausible"
    if kept.format is not other.format:
        return f"the {kept.format.value.upper()} copy is richer"
    return "the copy with more channels (or first by name) is kept"


# --- plausibility -----------------------------------------------------------------------------

#: Less than this is nothing recorded: a watch started and stopped, a file of one point.
#: A longer session without distance is a real one (a treadmill run without a foot pod, an
#: indoor session with a heart-rate strap): its time counts.
MIN_MOVING_S = 60.0
MIN_DISTANCE_M = 50.0
EMPTY_MOVING_S = 300.0
#: A run of at least this far at more than this speed (2:50/km) is faster than anyone but the
#: world's best holds; the 10 km record is run at 2:37/km.
LONG_RUN_M = 10_000.0
LONG_RUN_MAX_SPEED_M_S = 1000.0 / 170.0
#: No course climbs more than this per metre covered plus a margin for GPS altitude noise
#: (vertical-kilometre races climb 1,000 m in 2-5 km).
MAX_CLIMB_PER_M = 0.6
CLIMB_MARGIN_M = 50.0


#: FIT times under 0x10000000 s (before 5 Jul 1998) count from when the device was switched on
#: (the FIT profile's system time), not from the FIT epoch: such a file's run has no date.
FIT_SYSTEM_TIME_UNTIL = datetime(1989, 12, 31, tzinfo=UTC) + timedelta(seconds=0x10000000)


@dataclass(frozen=True, slots=True)
class Implausible:
    id: str
    reasons: tuple[str, ...]


def implausible_reasons(s: ActivitySummary) -> tuple[str, ...]:
    """Why this activity cannot be what it says, with the numbers; empty when it can.

    The runner's own word on the sport (an override) is never second-guessed; a clock that
    was never set is not a matter of sport."""
    if s.format is Format.FIT and s.start_time < FIT_SYSTEM_TIME_UNTIL:
        return (
            f"no date: its clock reads {s.start_time:%d %b %Y}, which in a FIT file is time since "
            "the device was switched on (the clock was never set)",
        )
    if s.sport_source is SportSource.OVERRIDE:
        return ()
    km = s.distance_m / 1000
    if s.moving_time_s < MIN_MOVING_S or (
        s.distance_m < MIN_DISTANCE_M and s.moving_time_s < EMPTY_MOVING_S
    ):
        return (f"nothing recorded: {km:.2f} km in {s.moving_time_s:.0f} s moving",)
    reasons = []
    ascent = s.elevation.ascent_m
    if np.isfinite(ascent) and ascent > CLIMB_MARGIN_M + MAX_CLIMB_PER_M * s.distance_m:
        reasons.append(f"{ascent:,.0f} m of ascent on {km:.2f} km: no course climbs that steeply")
    if not s.sport.is_running:
        return tuple(reasons)
    if s.fastest_km_s < WORLD_RECORD_KM_S:
        reasons.append(
            f"its fastest 1 km took {s.fastest_km_s:.0f} s, under the 1,000 m world record"
            f" ({WORLD_RECORD_KM_S:.0f} s)"
        )
    speed = s.moving_speed_m_s
    if s.distance_m >= LONG_RUN_M and speed > LONG_RUN_MAX_SPEED_M_S:
        reasons.append(
            f"{km:.1f} km at {pace_text(speed)} ({speed * 3.6:.1f} km/h): faster than 2:50/km"
            " over 10 km or more, which only the world's best run"
        )
    elif speed > world_best_speed_m_s(s.moving_time_s):
        reasons.append(
            f"{km:.1f} km at {pace_text(speed)}: faster than the world record for"
            f" {s.moving_time_s / 60:.0f} min"
        )
    step = s.cadence.step_length_m
    if np.isfinite(step) and step > MAX_STEP_M:
        reasons.append(f"{step:.1f} m a step (speed over cadence): pedalling, not running")
    return tuple(reasons)


def set_aside_implausible(placed: Sequence[Placed]) -> tuple[list[Placed], list[Implausible]]:
    kept: list[Placed] = []
    out: list[Implausible] = []
    for p in placed:
        reasons = implausible_reasons(p.summary)
        if reasons:
            out.append(Implausible(p.summary.id, reasons))
        else:
            kept.append(p)
    return kept, out
