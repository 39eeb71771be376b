"""Time zones from positions: where a run happened says what its local clock read.

``tzfpy`` answers an offline point-in-polygon lookup against the timezone-boundary-builder
data in about 1 microsecond (after a one-off 0.1 s load per process); ``zoneinfo`` then gives
the UTC offset on the day, daylight saving included. README, "Dependencies", says why tzfpy.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from analyzer.model import FloatArray


def zone_at(latitude_deg: float, longitude_deg: float) -> str | None:
    """The IANA zone at a position; None off the map, or at sea (``Etc/GMT+n`` is not a place
    where anyone's watch is set to)."""
    if not (np.isfinite(latitude_deg) and np.isfinite(longitude_deg)):
        return None
    if abs(latitude_deg) > 90 or abs(longitude_deg) > 180:
        return None
    import tzfpy  # imported here: loading its data costs 0.1 s, paid only when needed

    name: str = tzfpy.get_tz(float(longitude_deg), float(latitude_deg))
    return None if not name or name.startswith("Etc/") else name


def start_zone(latitude_deg: FloatArray, longitude_deg: FloatArray) -> str | None:
    """The zone at the first position of a track."""
    fixes = np.flatnonzero(np.isfinite(latitude_deg) & np.isfinite(longitude_deg))
    if not len(fixes):
        return None
    i = int(fixes[0])
    return zone_at(float(latitude_deg[i]), float(longitude_deg[i]))


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def offset_in(name: str, when_utc: datetime) -> int | None:
    """The UTC offset (seconds) the zone ``name`` had at ``when_utc``; None for an unknown zone."""
    zone = _zone(name)
    if zone is None:
        return None
    offset = when_utc.astimezone(zone).utcoffset()
    return None if offset is None else int(offset.total_seconds())
