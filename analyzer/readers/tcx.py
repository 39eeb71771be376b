"""TCX (Garmin Training Center) -> one Activity per <Activity>, laps and lap totals included.

Trackpoints keep the file's own DistanceMeters and the ActivityExtension v2 Speed, RunCadence
and Watts, matched by local name. Garmin writes time-only Trackpoints at pauses; they stay as
samples whose channels are NaN. <Course> elements are planned routes and are not activities.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import NamedTuple

import numpy as np

from analyzer.errors import ReadError, RouteNotActivity
from analyzer.model import (
    Activity,
    DeviceTotals,
    Format,
    Lap,
    Samples,
    Sport,
    SportSource,
    utc_from_posix,
)
from analyzer.readers.common import (
    cadence_sport,
    cadence_to_spm,
    plausible_time,
    sanitize,
    stated_sport,
)
from analyzer.readers.xml_parse import (
    ColumnBuilder,
    Columns,
    Element,
    XmlDamage,
    XmlDocument,
    child,
    child_text,
    field_texts,
    iter_records,
    number,
    open_document,
    parse_time,
    with_file_notes,
)
from analyzer.readers.xml_template import PLACEHOLDER, RecordSpec, Run, read_document

_FIELDS = ("time", "lat", "lon", "alt", "dist", "hr", "cad", "run_cad", "speed", "power")
_SLOTS = {
    "Time": 0,
    "LatitudeDegrees": 1,
    "LongitudeDegrees": 2,
    "AltitudeMeters": 3,
    "DistanceMeters": 4,
    "Value": 5,  # only HeartRateBpm has a <Value> inside a Trackpoint
    "Cadence": 6,
    "RunCadence": 7,
    "Speed": 8,
    "Watts": 9,
}
_RECORDS = frozenset({"Trackpoint", "Lap", "Activity", "Course"})
_TRACKPOINT = RecordSpec("Trackpoint", _SLOTS, {}, len(_FIELDS), _RECORDS)


@dataclass(frozen=True, slots=True)
class _LapText:
    start: str | None
    timer_time_s: str | None
    distance_m: str | None


@dataclass(frozen=True, slots=True)
class _ActivityText:
    index: int  # position among the file's <Activity>: the session_index
    sport: str | None
    device: str | None
    laps: list[_LapText]
    rows: ColumnBuilder  # its trackpoints


class _Activities(NamedTuple):
    activities: list[_ActivityText]
    n_course_points: int
    damage: XmlDamage | None


def read_tcx(data: bytes, path: str) -> list[Activity]:
    doc = open_document(data, path, "TrainingCenterDatabase")
    texts, n_course_points, damage = read_document(doc, _read_activities, _TRACKPOINT)
    built = [(text, text.rows.finish()) for text in texts]
    timed = [_activity(text, cols, path) for text, cols in built if len(cols.time_s)]
    activities = [activity for activity in timed if activity is not None]
    if timed and not activities:
        raise ReadError(path, "no trackpoint carries a time between 1990 and 2100")
    if not activities:
        if damage is not None:
            raise ReadError(path, damage.reason)
        if n_course_points and not any(text.rows for text in texts):
            raise RouteNotActivity(path, "TCX course without an activity: nothing was recorded")
        if any(text.rows for text in texts):
            raise ReadError(path, "no trackpoint carries a time")
        raise ReadError(path, "no trackpoints: the TCX holds no recorded activity")
    file_notes: list[str] = []
    n_empty = len(texts) - len(timed)
    if n_empty:
        file_notes.append(f"skipped {n_empty} activity(ies) without timed trackpoints")
    if len(activities) < len(timed):
        n_bad = len(timed) - len(activities)
        file_notes.append(f"skipped {n_bad} activity(ies) timed only outside 1990-2100")
    if damage is not None:
        file_notes.append(damage.note(sum(len(text.rows) for text in texts), "trackpoint"))
    return with_file_notes(activities, file_notes)


def _read_activities(doc: XmlDocument, runs: Sequence[Run]) -> _Activities:
    """Every <Activity> as texts, the number of course points, and any damage; a placeholder
    stands for ``runs[i]``, trackpoints read by the fast path."""
    activities: list[_ActivityText] = []
    rows = _points()
    laps: list[_LapText] = []
    n_course_points = 0
    try:
        # A placeholder only in a skeleton: elsewhere that name is nobody's.
        records = _RECORDS | {PLACEHOLDER} if runs else _RECORDS
        for name, el in iter_records(doc, records):
            if name == "Trackpoint":
                rows.append(field_texts(el, _SLOTS, len(_FIELDS)))
            elif name == PLACEHOLDER:
                run = runs[int(el.get("i", ""))]
                rows.extend(run.n_rows, run.columns)
            elif name == "Lap":
                laps.append(_lap_text(el))
            elif name == "Activity":
                activities.append(_activity_text(len(activities), el, laps, rows))
                rows, laps = _points(), []
            else:  # Course: a planned route, its points were not recorded
                n_course_points += len(rows)
                rows, laps = _points(), []
    except XmlDamage as damage:
        activity = damage.open_element("Activity")
        if activity is not None and rows:  # the activity being written when the file broke
            lap = damage.open_element("Lap")
            laps = [*laps, _lap_text(lap)] if lap is not None else laps
            activities.append(_activity_text(len(activities), activity, laps, rows))
        return _Activities(activities, n_course_points, damage)
    return _Activities(activities, n_course_points, None)


def _points() -> ColumnBuilder:
    return ColumnBuilder(_FIELDS, "trackpoint")


def _lap_text(lap: Element) -> _LapText:
    return _LapText(
        lap.get("StartTime"),
        child_text(lap, "TotalTimeSeconds"),
        child_text(lap, "DistanceMeters"),
    )


def _activity_text(
    index: int, el: Element, laps: list[_LapText], rows: ColumnBuilder
) -> _ActivityText:
    device = child_text(child(el, "Creator"), "Name")  # not <Author>: that is the exporter
    return _ActivityText(index, el.get("Sport"), device, laps, rows)


def _activity(text: _ActivityText, columns: Columns, path: str) -> Activity | None:
    """The activity; None when no trackpoint has a plausible time."""
    sport, sport_source = stated_sport(text.sport)
    if sport is Sport.OTHER:  # TCX has no other word: "Other" may be anything but Biking
        sport_source = SportSource.ASSUMED
    values = columns.values
    # Garmin writes a run's per-foot cadence as RunCadence; <Cadence> is the bike's rpm.
    run_cadence = values["run_cad"]
    raw_cadence = np.where(np.isfinite(run_cadence), run_cadence, values["cad"])
    cadence_spm, doubled = cadence_to_spm(raw_cadence, cadence_sport(sport, sport_source))
    samples = Samples.from_channels(
        columns.time_s,
        latitude_deg=values["lat"],
        longitude_deg=values["lon"],
        altitude_m=values["alt"],
        distance_m=values["dist"],
        speed_m_s=values["speed"],
        heart_rate_bpm=values["hr"],
        cadence_spm=cadence_spm,
        power_w=values["power"],
    )
    samples, repairs = sanitize(samples)
    if not len(samples):
        return None
    return Activity(
        path=path,
        format=Format.TCX,
        sport=sport,
        sport_source=sport_source,
        start_time=utc_from_posix(float(samples.time_s[0])),
        samples=samples,
        device=text.device,
        utc_offset_s=columns.utc_offset_s,
        session_index=text.index,
        laps=_laps(text.laps, end_s=float(samples.time_s[-1])),
        device_totals=DeviceTotals(
            distance_m=_total(number(lap.distance_m) for lap in text.laps),
            timer_time_s=_total(number(lap.timer_time_s) for lap in text.laps),
        ),
        cadence_doubled=doubled,
        notes=(*columns.notes, *repairs),
    )


def _laps(texts: Sequence[_LapText], end_s: float) -> tuple[Lap, ...]:
    """Laps with a readable StartTime; a lap's elapsed time runs to the next lap's start
    (the last one to the last sample), since TCX only stores the timer time."""
    pairs = [
        (text, start)
        for text in texts
        if (start := parse_time(text.start)) is not None and plausible_time(start.timestamp())
    ]
    if not pairs:
        return ()
    ends = [start.timestamp() for _, start in pairs[1:]] + [end_s]
    return tuple(
        Lap(
            start_time=start.astimezone(UTC),
            elapsed_time_s=end - start.timestamp(),
            timer_time_s=number(text.timer_time_s),
            distance_m=number(text.distance_m),
        )
        for (text, start), end in zip(pairs, ends, strict=True)
    )


def _total(values: Iterable[float]) -> float:
    """Sum of the finite values; NaN when there are none (the device wrote no totals)."""
    finite = [value for value in values if math.isfinite(value)]
    return math.fsum(finite) if finite else math.nan
