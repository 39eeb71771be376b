"""Activity -> TCX (TrainingCenterDatabase v2 with ActivityExtension v2), as Garmin writes it.

Sport is Running, Biking or Other; the Id is the start time; laps come from the activity or,
without any, one lap covers everything. Cadence is per foot: a run's goes into the extension's
RunCadence (Garmin's habit), other sports' into <Cadence>. Numbers are the shortest decimal
that reads back as the same float, times are to the millisecond, and NaN values are left out
(lap totals included), so a write-then-read round trip is exact to TCX's resolution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

import numpy as np

from analyzer.model import Activity, FloatArray, Lap, Sport
from analyzer.readers.xml_parse import decimal_text, format_time, integer_text

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<TrainingCenterDatabase"
    ' xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
    ' xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2'
    ' http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd">\n'
    " <Activities>\n"
)


def tcx_bytes(activity: Activity) -> bytes:
    start = format_time(activity.start_time.timestamp())
    lines = [_HEADER, f'  <Activity Sport="{_sport(activity.sport)}">\n   <Id>{start}</Id>\n']
    laps = activity.laps or (_whole_lap(activity),)
    points = _trackpoints(activity)
    bounds = _lap_bounds(activity.samples.time_s, laps)
    for lap, first, end in zip(laps, bounds[:-1], bounds[1:], strict=True):
        lines.append(_lap_open(lap))
        lines.extend(points[first:end])
        lines.append("    </Track>\n   </Lap>\n")
    if activity.device:
        lines.append(
            '   <Creator xsi:type="Device_t">'
            f"<Name>{escape(activity.device)}</Name><UnitId>0</UnitId><ProductID>0</ProductID>"
            "<Version><VersionMajor>0</VersionMajor><VersionMinor>0</VersionMinor></Version>"
            "</Creator>\n"
        )
    lines.append("  </Activity>\n </Activities>\n</TrainingCenterDatabase>\n")
    return "".join(lines).encode("utf-8")


def _sport(sport: Sport) -> str:
    if sport.is_running:
        return "Running"
    return "Biking" if sport is Sport.CYCLING else "Other"


def _whole_lap(activity: Activity) -> Lap:
    """One lap over all samples, carrying the device totals when there are any."""
    time_s = activity.samples.time_s
    duration_s = float(time_s[-1] - time_s[0]) if len(time_s) else 0.0
    totals = activity.device_totals
    distance_m = totals.distance_m
    if not math.isfinite(distance_m) and activity.samples.has("distance_m"):
        distance_m = float(np.nanmax(activity.samples.distance_m))
    return Lap(
        start_time=activity.start_time,
        elapsed_time_s=duration_s,
        timer_time_s=totals.timer_time_s if math.isfinite(totals.timer_time_s) else duration_s,
        distance_m=distance_m,
    )


def _lap_bounds(time_s: FloatArray, laps: Sequence[Lap]) -> list[int]:
    """Sample index where each lap starts, plus the end; samples are sorted by time, and any
    before the first lap's start belong to the first lap."""
    later_starts = [lap.start_time.timestamp() for lap in laps[1:]]
    inner = np.searchsorted(time_s, later_starts, side="left").tolist()
    return [0, *inner, len(time_s)]


def _lap_open(lap: Lap) -> str:
    timer, distance = decimal_text(lap.timer_time_s), decimal_text(lap.distance_m)
    return (
        f'   <Lap StartTime="{format_time(lap.start_time.timestamp())}">\n'
        + (f"    <TotalTimeSeconds>{timer}</TotalTimeSeconds>\n" if timer else "")
        + (f"    <DistanceMeters>{distance}</DistanceMeters>\n" if distance else "")
        + "    <Calories>0</Calories>\n    <Intensity>Active</Intensity>\n"
        "    <TriggerMethod>Manual</TriggerMethod>\n    <Track>\n"
    )


def _trackpoints(activity: Activity) -> list[str]:
    s = activity.samples
    running = activity.sport.is_running
    columns = (
        s.time_s,
        s.latitude_deg,
        s.longitude_deg,
        s.altitude_m,
        s.distance_m,
        s.heart_rate_bpm,
        s.cadence_spm / 2.0,  # per foot
        s.speed_m_s,
        s.power_w,
    )
    rows = zip(*(c.tolist() for c in columns), strict=True)
    return [_trackpoint(*row, running=running) for row in rows]


def _trackpoint(
    time_s: float,
    lat_deg: float,
    lon_deg: float,
    altitude_m: float,
    distance_m: float,
    heart_rate_bpm: float,
    cadence_per_foot: float,
    speed_m_s: float,
    power_w: float,
    *,
    running: bool,
) -> str:
    lat, lon = decimal_text(lat_deg), decimal_text(lon_deg)
    cadence = integer_text(cadence_per_foot)
    parts = [f"     <Trackpoint><Time>{format_time(time_s)}</Time>"]
    if lat is not None and lon is not None:
        parts.append(
            f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees>"
            f"<LongitudeDegrees>{lon}</LongitudeDegrees></Position>"
        )
    parts.extend(
        _element(tag, text)
        for tag, text in (
            ("AltitudeMeters", decimal_text(altitude_m)),
            ("DistanceMeters", decimal_text(distance_m)),
        )
    )
    if (hr := integer_text(heart_rate_bpm)) is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    if not running:
        parts.append(_element("Cadence", cadence))
    extension = "".join(
        _element(f"ns3:{tag}", text)
        for tag, text in (
            ("Speed", decimal_text(speed_m_s)),
            ("RunCadence", cadence if running else None),
            ("Watts", integer_text(power_w)),
        )
    )
    if extension:
        parts.append(f"<Extensions><ns3:TPX>{extension}</ns3:TPX></Extensions>")
    parts.append("</Trackpoint>\n")
    return "".join(parts)


def _element(tag: str, text: str | None) -> str:
    return f"<{tag}>{text}</{tag}>" if text is not None else ""
