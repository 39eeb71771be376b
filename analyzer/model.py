"""The activity model every reader produces and everything downstream consumes.

Samples are one struct of 1-D float64 arrays in SI units with NaN where a channel is missing;
metadata lives in frozen dataclasses. Display units never appear here (see ``report/``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class Sport(enum.StrEnum):
    RUNNING = "running"
    TRAIL_RUNNING = "trail_running"
    TREADMILL = "treadmill"
    TRACK = "track"
    WALKING = "walking"
    HIKING = "hiking"
    CYCLING = "cycling"
    SWIMMING = "swimming"
    OTHER = "other"

    @property
    def is_running(self) -> bool:
        return self in _RUNNING_SPORTS

    @property
    def is_on_foot(self) -> bool:
        """Running, walking or hiking: the sports whose cadence counts steps."""
        return self in _FOOT_SPORTS


_RUNNING_SPORTS = frozenset({Sport.RUNNING, Sport.TRAIL_RUNNING, Sport.TREADMILL, Sport.TRACK})
_FOOT_SPORTS = _RUNNING_SPORTS | {Sport.WALKING, Sport.HIKING}


class SportSource(enum.StrEnum):
    """Where an activity's sport comes from, most trusted first."""

    OVERRIDE = "override"  # the runner said so (--sport or the config file)
    FILE = "file"  # the file (or Strava's activities.csv) states it
    INFERRED = "inferred"  # the file does not say; the data does (speeds, cadence, names)
    ASSUMED = "assumed"  # the file does not say and the data does not settle it


class OffsetSource(enum.StrEnum):
    """Where an activity's local UTC offset comes from, most trusted first."""

    FILE = "file"  # the file states it
    POSITION = "position"  # the time zone at the start position, on that date
    NEAREST_FILE = "nearest_file"  # the zone of the runner's file nearest in time that states it
    CONFIG = "config"  # --timezone or the config file
    SYSTEM = "system"  # this computer's zone: nothing better was known


class Format(enum.StrEnum):
    FIT = "fit"
    GPX = "gpx"
    TCX = "tcx"


@dataclass(frozen=True, slots=True)
class Samples:
    """Time series of one activity. All arrays have the same length as ``time_s``.

    ``time_s`` is POSIX seconds (UTC). Channels a file did not record are all-NaN.
    """

    time_s: FloatArray
    latitude_deg: FloatArray
    longitude_deg: FloatArray
    distance_m: FloatArray
    speed_m_s: FloatArray
    altitude_m: FloatArray
    heart_rate_bpm: FloatArray
    cadence_spm: FloatArray
    step_length_m: FloatArray
    ground_contact_time_s: FloatArray
    vertical_oscillation_m: FloatArray
    vertical_ratio_pct: FloatArray
    contact_balance_left_pct: FloatArray
    temperature_c: FloatArray
    power_w: FloatArray

    def __post_init__(self) -> None:
        n = len(self.time_s)
        for f in fields(self):
            arr = getattr(self, f.name)
            if arr.ndim != 1 or len(arr) != n or arr.dtype != np.float64:
                raise ValueError(f"channel {f.name} must be 1-D float64 of length {n}")

    @classmethod
    def from_channels(cls, time_s: npt.ArrayLike, **channels: npt.ArrayLike | None) -> Samples:
        """Builds samples from the given channels; the rest are NaN-filled."""
        t = np.asarray(time_s, dtype=np.float64)
        unknown = set(channels) - set(CHANNELS)
        if unknown:
            raise TypeError(f"unknown channels: {sorted(unknown)}")
        arrays: dict[str, FloatArray] = {}
        for name in CHANNELS:
            value = channels.get(name)
            arrays[name] = (
                np.full(len(t), np.nan) if value is None else np.asarray(value, dtype=np.float64)
            )
        return cls(time_s=t, **arrays)

    def __len__(self) -> int:
        return len(self.time_s)

    def has(self, channel: str) -> bool:
        """True when the channel holds at least one finite value."""
        return bool(np.isfinite(getattr(self, channel)).any())

    def present_channels(self) -> tuple[str, ...]:
        return tuple(name for name in CHANNELS if self.has(name))

    def select(self, mask: npt.NDArray[np.bool_]) -> Samples:
        """The samples where ``mask`` is true (a boolean array or index array)."""
        return Samples(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})


#: The measured channels, in a stable order (time is not a channel).
CHANNELS: tuple[str, ...] = tuple(f.name for f in fields(Samples) if f.name != "time_s")


@dataclass(frozen=True, slots=True)
class Lap:
    start_time: datetime
    elapsed_time_s: float
    timer_time_s: float
    distance_m: float


@dataclass(frozen=True, slots=True)
class Pause:
    """The timer was stopped from ``start_s`` to ``end_s`` (POSIX seconds)."""

    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class DeviceTotals:
    """Totals the recording device wrote itself (FIT session, TCX lap sums). NaN when absent."""

    distance_m: float = float("nan")
    elapsed_time_s: float = float("nan")
    timer_time_s: float = float("nan")
    ascent_m: float = float("nan")
    descent_m: float = float("nan")
    avg_cadence_spm: float = float("nan")


@dataclass(frozen=True, slots=True)
class Activity:
    path: str
    format: Format
    sport: Sport
    start_time: datetime  # UTC, timezone-aware
    samples: Samples
    sub_sport: str | None = None
    # The reader's word on ``sport``: FILE when the file states it, ASSUMED when the reader
    # fell back to a default (GPX without <type>, TCX "Other", FIT without a sport).
    sport_source: SportSource = SportSource.FILE
    device: str | None = None
    utc_offset_s: int | None = None  # local time minus UTC, when the file says
    session_index: int = 0  # which session of a multisport or multi-activity file
    laps: tuple[Lap, ...] = ()
    pauses: tuple[Pause, ...] = ()
    device_totals: DeviceTotals = field(default_factory=DeviceTotals)
    name: str | None = None
    gear: str | None = None
    cadence_doubled: bool = False  # the file stored per-foot cadence and we doubled it
    notes: tuple[str, ...] = ()  # data-quality notes from reading (damaged tail, ...)

    def __post_init__(self) -> None:
        if self.start_time.tzinfo is None:
            raise ValueError("start_time must be timezone-aware (UTC)")

    @property
    def id(self) -> str:
        """Stable within a folder: the path, plus the session for multi-session files."""
        return self.path if self.session_index == 0 else f"{self.path}#{self.session_index}"

    @property
    def local_start_time(self) -> datetime | None:
        if self.utc_offset_s is None:
            return None
        return self.start_time.astimezone(timezone(timedelta(seconds=self.utc_offset_s)))


def utc_from_posix(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
