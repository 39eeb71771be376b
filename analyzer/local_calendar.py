"""The athlete's local calendar: a run belongs to the day and week it happened locally."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def local_start(
    start_time_utc: datetime, utc_offset_s: int | None, fallback: tzinfo | None
) -> datetime:
    """Local start time: the file's own offset where it has one, else ``fallback``
    (a configured zone), else the machine's zone."""
    if utc_offset_s is not None:
        return start_time_utc.astimezone(timezone(timedelta(seconds=utc_offset_s)))
    return start_time_utc.astimezone(fallback)


def today_in(zone: tzinfo | None) -> date:
    """Today's date in ``zone`` (None: the machine's zone)."""
    return datetime.now(zone).date() if zone is not None else datetime.now().astimezone().date()


def local_date(start_time_utc: datetime, utc_offset_s: int | None, fallback: tzinfo | None) -> date:
    return local_start(start_time_utc, utc_offset_s, fallback).date()
