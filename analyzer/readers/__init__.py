"""The read step: paths -> activities, and the only place that knows file formats.

``read_source`` is the entry point: one source's bytes -> its activities, whatever the format
(``read_bytes`` sniffs it and picks the reader), or a ``ReadError`` with the reason. The
pipeline finds sources with ``discover`` and parses each in a task (``engines.tasks``);
``iter_read`` and ``read_paths`` do the same in one loop, for tools and tests. Neither raises for
a bad file: each becomes a ``ReadFailure`` with the reason, and the rest of the batch goes on
(``read_failure``: a planned route or course is marked as not an activity, not as broken).
"""

from __future__ import annotations

import dataclasses
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from analyzer.errors import ReadError, RouteNotActivity
from analyzer.model import Activity, Format, Sport
from analyzer.readers.common import sport_from_text
from analyzer.readers.sniff import SNIFF_BYTES, gunzip_bounded, sniff
from analyzer.readers.sources import MAX_FILE_BYTES, LoadError, ReadFailure, Source, discover

__all__ = [
    "ReadFailure",
    "ReadResult",
    "Source",
    "discover",
    "internal_failure",
    "iter_read",
    "read_bytes",
    "read_failure",
    "read_paths",
    "read_source",
    "source_bytes",
]


@dataclass(slots=True)
class ReadResult:
    activities: list[Activity] = field(default_factory=list)
    errors: list[ReadFailure] = field(default_factory=list)


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> ReadResult:
    """Reads every activity under ``paths``; unreadable files are listed with their reason."""
    result = ReadResult()
    for item in iter_read(paths):
        if isinstance(item, ReadFailure):
            result.errors.append(item)
        else:
            result.activities.extend(item)
    return result


def iter_read(paths: Iterable[str | os.PathLike[str]]) -> Iterator[list[Activity] | ReadFailure]:
    """One file at a time: its activities, or why it could not be read. Never raises."""
    for item in discover(paths):
        if isinstance(item, ReadFailure):
            yield item
            continue
        try:
            activities = read_source(item)
        except ReadError as exc:
            yield read_failure(exc)
        except Exception as exc:  # a reader bug must cost this file, not the batch
            yield internal_failure(item.path, exc)
        else:
            yield activities


def read_failure(exc: ReadError) -> ReadFailure:
    """A ``ReadError`` as the batch lists it: a planned route or course is marked as not an
    activity (skipped), anything else as a file that could not be read."""
    return ReadFailure(exc.path, exc.reason, not_activity=isinstance(exc, RouteNotActivity))


def internal_failure(path: str, exc: Exception) -> ReadFailure:
    """What a bug (anything but a ``ReadError``) costs: this file, said as such."""
    reason = f"internal error (a calfguard bug, please report it): {type(exc).__name__}"
    return ReadFailure(path, f"{reason}: {exc}"[:300])


def source_bytes(source: Source) -> bytes:
    """The source's bytes; a ReadError saying why when they cannot be had."""
    try:
        return source.load()
    except OSError as exc:
        raise ReadError(source.path, f"cannot read: {exc.strerror or exc}") from exc
    except OverflowError as exc:
        raise ReadError(source.path, str(exc)) from exc
    except LoadError as exc:
        raise ReadError(source.path, exc.reason) from exc


def read_source(source: Source) -> list[Activity]:
    """The activities in one source, with Strava's names, types and gear applied."""
    activities = read_bytes(source_bytes(source), source.path)
    if source.meta is None:
        return activities
    meta = source.meta
    strava_sport = sport_from_text(meta.activity_type) if meta.activity_type else Sport.OTHER
    return [
        dataclasses.replace(
            activity,
            name=meta.name or activity.name,
            gear=meta.gear or activity.gear,
            # The type the athlete set on Strava wins over a file's missing or generic one.
            sport=strava_sport
            if strava_sport is not Sport.OTHER and len(activities) == 1
            else activity.sport,
        )
        for activity in activities
    ]


def read_bytes(data: bytes, path: str) -> list[Activity]:
    """Parses one file's content, gzipped or not, by what it is rather than what it is named."""
    gzip_note = None
    if data[:2] == b"\x1f\x8b":
        try:
            data, gzip_note = gunzip_bounded(data, MAX_FILE_BYTES)
        except (zlib.error, OverflowError) as exc:
            raise ReadError(path, f"bad gzip data: {exc}") from exc
    if not data:
        raise ReadError(path, "empty file")
    kind = sniff(data[:SNIFF_BYTES])
    if kind is None:
        raise ReadError(path, "not a FIT, GPX or TCX file (content not recognised)")
    activities = _READERS[kind](data, path)
    if gzip_note:
        activities = [dataclasses.replace(a, notes=(*a.notes, gzip_note)) for a in activities]
    return activities


def _read_fit(data: bytes, path: str) -> list[Activity]:
    from analyzer.readers.fit_reader import read_fit

    return read_fit(data, path)


def _read_gpx(data: bytes, path: str) -> list[Activity]:
    from analyzer.readers.gpx import read_gpx

    return read_gpx(data, path)


def _read_tcx(data: bytes, path: str) -> list[Activity]:
    from analyzer.readers.tcx import read_tcx

    return read_tcx(data, path)


_READERS = {Format.FIT: _read_fit, Format.GPX: _read_gpx, Format.TCX: _read_tcx}
