"""Activity -> GPX 1.1 with Garmin's TrackPointExtension v1 (atemp, hr, cad).

Exact to GPX's resolution: positions and elevation are written as the shortest decimal that
reads back as the same float, times to the millisecond, heart rate and cadence as integers
(cadence per foot, as Garmin writes it). GPX has no distance, speed or power in v1, so those
are not written. A NaN channel is simply left out of that point; a point without a position
is written without lat/lon, which GPX does not allow but no information is invented.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from analyzer.model import Activity
from analyzer.readers.xml_parse import decimal_text, format_time, integer_text

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator={creator}'
    ' xmlns="http://www.topografix.com/GPX/1/1"'
    ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1'
    " http://www.topografix.com/GPX/1/1/gpx.xsd"
    " http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
    ' http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd">\n'
)


def gpx_bytes(activity: Activity) -> bytes:
    s = activity.samples
    lines = [
        _HEADER.format(creator=quoteattr(activity.device or "calfguard")),
        f" <metadata><time>{format_time(activity.start_time.timestamp())}</time></metadata>\n",
        " <trk>\n",
    ]
    if activity.name:
        lines.append(f"  <name>{escape(activity.name)}</name>\n")
    lines.append(f"  <type>{activity.sport.value}</type>\n  <trkseg>\n")
    columns = (
        s.time_s,
        s.latitude_deg,
        s.longitude_deg,
        s.altitude_m,
        s.temperature_c,
        s.heart_rate_bpm,
        s.cadence_spm / 2.0,  # per foot
    )
    lines.extend(_trkpt(*point) for point in zip(*(c.tolist() for c in columns), strict=True))
    lines.append("  </trkseg>\n </trk>\n</gpx>\n")
    return "".join(lines).encode("utf-8")


def _trkpt(
    time_s: float,
    lat_deg: float,
    lon_deg: float,
    altitude_m: float,
    temperature_c: float,
    heart_rate_bpm: float,
    cadence_per_foot: float,
) -> str:
    lat, lon, ele = decimal_text(lat_deg), decimal_text(lon_deg), decimal_text(altitude_m)
    position = f' lat="{lat}" lon="{lon}"' if lat is not None and lon is not None else ""
    elevation = f"<ele>{ele}</ele>" if ele is not None else ""
    extension = "".join(
        f"<gpxtpx:{tag}>{text}</gpxtpx:{tag}>"
        for tag, text in (
            ("atemp", decimal_text(temperature_c)),
            ("hr", integer_text(heart_rate_bpm)),
            ("cad", integer_text(cadence_per_foot)),
        )
        if text is not None
    )
    if extension:
        extension = (
            "<extensions><gpxtpx:TrackPointExtension>"
            f"{extension}</gpxtpx:TrackPointExtension></extensions>"
        )
    time = format_time(time_s)
    return f"   <trkpt{position}>{elevation}<time>{time}</time>{extension}</trkpt>\n"
