"""GPX 1.0 and 1.1 -> one Activity per <trk> (all its segments joined).

GPX carries no distance, so that channel stays NaN; speed, heart rate, cadence, temperature
and power come only from extensions (Garmin TrackPointExtension v1/v2 or bare tags), matched
by local name. A file whose track points carry no times is a planned route, not a recording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from analyzer.errors import ReadError, RouteNotActivity
from analyzer.model import Activity, Format, Samples, Sport, SportSource, utc_from_posix
from analyzer.readers.common import cadence_sport, cadence_to_spm, sanitize, stated_sport
from analyzer.readers.xml_parse import (
    ColumnBuilder,
    Columns,
    Element,
    XmlDamage,
    XmlDocument,
    child_text,
    field_texts,
    iter_records,
    open_document,
    with_file_notes,
)
from analyzer.readers.xml_template import PLACEHOLDER, RecordSpec, Run, read_document

_FIELDS = ("time", "lat", "lon", "ele", "hr", "cad", "temp", "power", "speed")
_LAT, _LON = 1, 2  # attributes of <trkpt>, not elements
_SLOTS = {
    "time": 0,
    "ele": 3,
    "hr": 4,
    "heartrate": 4,
    "cad": 5,
    "cadence": 5,
    "atemp": 6,
    "temp": 6,
    "power": 7,
    "speed": 8,  # GPX 1.0 <speed> and TrackPointExtension v2 <speed>, both m/s
}
# Elements dropped once seen; waypoints and route points only so they cost no memory.
_RECORDS = frozenset({"trkpt", "trk", "rtept", "wpt"})
_TRKPT = RecordSpec("trkpt", _SLOTS, {"lat": _LAT, "lon": _LON}, len(_FIELDS), _RECORDS)
_UNTIMED_TRACK = "GPX track without timestamps: a planned route, nothing was recorded"
_ROUTE_ONLY = "GPX with only a planned route (<rte>), no recorded track: nothing was recorded"
_WAYPOINTS_ONLY = (
    "GPX with only {} waypoint(s) (saved places), no recorded track: nothing was recorded"
)


@dataclass(frozen=True, slots=True)
class _Track:
    index: int  # position among the file's <trk>, kept as session_index so ids stay stable
    name: str | None
    sport_text: str | None
    rows: ColumnBuilder  # its track points


class _Tracks(NamedTuple):
    tracks: list[_Track]
    n_route_points: int
    n_waypoints: int
    damage: XmlDamage | None


def read_gpx(data: bytes, path: str) -> list[Activity]:
    doc = open_document(data, path, "gpx")
    tracks, n_route_points, n_waypoints, damage = read_document(doc, _read_tracks, _TRKPT)
    device = (doc.root_attributes.get("creator") or "").strip() or None
    timed: list[tuple[_Track, Columns]] = []
    untimed_points = untimed_tracks = 0
    for track in tracks:
        columns = track.rows.finish()
        if len(columns.time_s):
            timed.append((track, columns))
        elif track.rows:
            untimed_tracks += 1
            untimed_points += len(track.rows)
    if not timed:
        if damage is not None:
            raise ReadError(path, damage.reason)
        if untimed_points:
            raise RouteNotActivity(path, _UNTIMED_TRACK)
        if n_route_points:
            raise RouteNotActivity(path, _ROUTE_ONLY)
        if n_waypoints:
            raise RouteNotActivity(path, _WAYPOINTS_ONLY.format(n_waypoints))
        raise ReadError(path, "no track points: the GPX holds no track or route")
    built = [_activity(track, columns, path, device) for track, columns in timed]
    activities = [activity for activity in built if activity is not None]
    if not activities:
        raise ReadError(path, "no track point carries a time between 1990 and 2100")
    planned = [planned_speed_m_s(a.samples) for a in activities]
    if all(speed is not None for speed in planned):
        speed = planned[0] or 0.0
        raise RouteNotActivity(
            path,
            f"GPX track timed at one constant {speed * 3.6:.2f} km/h from end to end: a planned"
            " route with made-up times, nothing was recorded",
        )
    recorded = [a for a, speed in zip(activities, planned, strict=True) if speed is None]
    n_planned = len(activities) - len(recorded)
    activities = recorded
    file_notes: list[str] = []
    if len(activities) < len(built):
        n_bad = len(built) - len(activities)
        file_notes.append(f"skipped {n_bad} track(s) timed only outside 1990-2100")
    if n_planned:
        file_notes.append(f"skipped {n_planned} track(s) timed at one constant speed (planned)")
    if untimed_tracks:
        file_notes.append(
            f"skipped {untimed_tracks} track(s) without timestamps ({untimed_points} points)"
        )
    if damage is not None:
        file_notes.append(damage.note(sum(len(t.rows) for t in tracks), "track point"))
    return with_file_notes(activities, file_notes)


def _read_tracks(doc: XmlDocument, runs: Sequence[Run]) -> _Tracks:
    """All <trk> as rows of field texts, the numbers of route points and waypoints, and any
    damage; a
    placeholder stands for ``runs[i]``, track points read by the fast path."""
    tracks: list[_Track] = []
    rows = _points()
    n_route_points = n_waypoints = 0
    try:
        # A placeholder only in a skeleton: elsewhere that name is nobody's.
        records = _RECORDS | {PLACEHOLDER} if runs else _RECORDS
        for name, el in iter_records(doc, records):
            if name == "trkpt":
                row = field_texts(el, _SLOTS, len(_FIELDS))
                row[_LAT] = el.get("lat")
                row[_LON] = el.get("lon")
                rows.append(row)
            elif name == PLACEHOLDER:
                run = runs[int(el.get("i", ""))]
                rows.extend(run.n_rows, run.columns)
            elif name == "trk":
                tracks.append(_track(len(tracks), el, rows))
                rows = _points()
            elif name == "rtept":
                n_route_points += 1
            elif name == "wpt":
                n_waypoints += 1
    except XmlDamage as damage:
        if rows:  # the track being written when the file broke off
            tracks.append(_track(len(tracks), damage.open_element("trk"), rows))
        return _Tracks(tracks, n_route_points, n_waypoints, damage)
    return _Tracks(tracks, n_route_points, n_waypoints, None)


def _points() -> ColumnBuilder:
    return ColumnBuilder(_FIELDS, "track point")


def _track(index: int, trk: Element | None, rows: ColumnBuilder) -> _Track:
    return _Track(index, child_text(trk, "name"), child_text(trk, "type"), rows)


#: Route planners time a route at one speed; no GPS recording holds its speed between every
#: two fixes to within this share (fixes wander by metres).
PLANNED_SPEED_SPREAD = 0.02
MIN_PLANNED_POINTS = 10
_M_PER_DEG = 111_195.0
_SENSORS = ("heart_rate_bpm", "cadence_spm", "power_w", "temperature_c")


def planned_speed_m_s(samples: Samples) -> float | None:
    """The one speed a planner timed this track at; None for a recording (any sensor reading,
    heart rate, cadence, power or temperature, is one: a planner has none)."""
    if any(samples.has(name) for name in _SENSORS):
        return None
    lat, lon, t = samples.latitude_deg, samples.longitude_deg, samples.time_s
    fix = np.isfinite(lat) & np.isfinite(lon)
    if fix.sum() < MIN_PLANNED_POINTS:
        return None
    lat, lon, t = lat[fix], lon[fix], t[fix]
    dt = np.diff(t)
    if (dt <= 0).any():
        return None
    # Flat-earth steps: exact enough to see a spread of a few per cent.
    dy = np.diff(lat) * _M_PER_DEG
    dx = np.diff(lon) * _M_PER_DEG * np.cos(np.radians(lat[:-1]))
    speed = np.hypot(dx, dy) / dt
    median = float(np.median(speed))
    if median <= 0 or float(np.ptp(speed)) > PLANNED_SPEED_SPREAD * median:
        return None
    return median


def _activity(track: _Track, columns: Columns, path: str, device: str | None) -> Activity | None:
    """The track as an activity; None when no point has a plausible time."""
    sport, sport_source = stated_sport(track.sport_text)
    if sport_source is SportSource.ASSUMED:
        sport = Sport.RUNNING  # most GPX without a <type> are runs; the summarize step checks
    values = columns.values
    cadence_spm, doubled = cadence_to_spm(values["cad"], cadence_sport(sport, sport_source))
    samples = Samples.from_channels(
        columns.time_s,
        latitude_deg=values["lat"],
        longitude_deg=values["lon"],
        altitude_m=values["ele"],
        heart_rate_bpm=values["hr"],
        cadence_spm=cadence_spm,
        temperature_c=values["temp"],
        power_w=values["power"],
        speed_m_s=values["speed"],
    )
    samples, repairs = sanitize(samples)
    if not len(samples):
        return None
    return Activity(
        path=path,
        format=Format.GPX,
        sport=sport,
        sport_source=sport_source,
        start_time=utc_from_posix(float(samples.time_s[0])),
        samples=samples,
        device=device,
        utc_offset_s=columns.utc_offset_s,
        session_index=track.index,
        name=track.name,
        cadence_doubled=doubled,
        notes=(*columns.notes, *repairs),
    )
