"""FIT files -> activities: the fast decoder first, fitparse when it declines.

Both decoders yield ``FitMessages`` (see ``fit_decoder``); ``activities_from_messages`` is the
one place that knows how FIT messages become an ``Activity``: one per session (multisport files
give one per leg), records cut by the session's time window, timer stops as pauses, the local
offset from the activity message, per-foot cadence doubled.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from analyzer.errors import FitDeclined, ReadError, RouteNotActivity
from analyzer.model import (
    Activity,
    DeviceTotals,
    FloatArray,
    Format,
    Lap,
    Pause,
    Samples,
    Sport,
    utc_from_posix,
)
from analyzer.readers import fit_decoder
from analyzer.readers.common import (
    EARLIEST_S,
    LATEST_S,
    cadence_sport,
    cadence_to_spm,
    plausible_time,
    sanitize,
    stated_sport,
)
from analyzer.readers.fit_decoder import FIT_EPOCH_POSIX_S, Columns, FitMessages

_SEMICIRCLE_DEG = 180.0 / 2**31
_TIMER_EVENT = 0
_TIMER_START = 0
_TIMER_STOPS = frozenset({1, 4, 8, 9})  # stop, stop_all, stop_disable, stop_disable_all
_ACTIVITY_FILE = 4
_COURSE_FILE = 6  # FIT profile, type file: a planned route
# A session's own end can fall a second before its last record; records within this slack
# still belong to it.
_WINDOW_SLACK_S = 1.0
#: fitparse takes about 3 s and 17 MB per MB of FIT: above this a declined file is refused
#: rather than left to it (8 times the largest real activity file in the corpus).
MAX_FALLBACK_BYTES = 8 * 1024 * 1024


def read_fit(data: bytes, path: str) -> list[Activity]:
    """Every session in a FIT file as an activity. Raises ``ReadError`` with the reason."""
    notes: list[str] = []
    try:
        decoded = fit_decoder.decode(data)
    except FitDeclined as exc:
        from analyzer.readers.fit_fitparse import decode_with_fitparse

        if len(data) > MAX_FALLBACK_BYTES:
            reason = (
                f"the fast FIT decoder declined it ({exc}) and at {len(data) / 2**20:.0f} MiB it"
                f" is too large for the fitparse fallback (limit {MAX_FALLBACK_BYTES // 2**20} MiB)"
            )
            raise ReadError(path, reason) from exc
        decoded = decode_with_fitparse(data, path)
        notes.append(f"decoded by fitparse: the fast decoder declined ({exc})")
    if decoded.damage:
        notes.append(f"{decoded.damage}; the whole messages before it were read")
    activities: list[Activity] = []
    for part in decoded.parts:
        activities.extend(activities_from_messages(part, path, len(activities), tuple(notes)))
    if not activities:
        kinds = [_first(part.get("file_id", {}), "type") for part in decoded.parts]
        if _COURSE_FILE in kinds:
            raise RouteNotActivity(path, "FIT course file: a planned route, nothing was recorded")
        raise ReadError(path, decoded.damage or _why_no_activity(decoded.parts, kinds))
    return activities


def _why_no_activity(parts: list[FitMessages], kinds: list[float]) -> str:
    """Why parts of the given ``file_id`` types gave no activity."""
    other = [k for k in kinds if np.isfinite(k) and int(k) != _ACTIVITY_FILE]
    if other and len(other) == len(kinds):
        kind = _enum_name("file", other[0]) or f"type {int(other[0])}"
        return f"a FIT {kind} file, not an activity: nothing was recorded"
    times = [part.get("record", {}).get("timestamp") for part in parts]
    stamps = np.concatenate([t for t in times if t is not None] or [np.empty(0)])
    stamps = stamps[np.isfinite(stamps)] + FIT_EPOCH_POSIX_S
    if len(stamps) and not ((stamps >= EARLIEST_S) & (stamps <= LATEST_S)).any():
        return "no record carries a time between 1990 and 2100 (a clock not set, or damage)"
    return "no activity records in this FIT file"


def activities_from_messages(
    messages: FitMessages, path: str, first_index: int = 0, notes: tuple[str, ...] = ()
) -> list[Activity]:
    """One activity per session of one (unchained) FIT file's messages."""
    file_type = _first(messages.get("file_id", {}), "type")
    if not np.isnan(file_type) and int(file_type) != _ACTIVITY_FILE:
        return []
    record, record_notes = _time_ordered(messages.get("record", {}))
    if not len(record.get("timestamp", ())):
        return []
    sessions = messages.get("session", {})
    windows = _session_windows(sessions, record["timestamp"])
    extra_notes = (*notes, *record_notes)
    if not sessions:
        extra_notes = (*extra_notes, "no session message: one activity from all records")
    device = _device_name(messages)
    utc_offset_s = _utc_offset_s(messages.get("activity", {}))
    pauses = _pauses(messages.get("event", {}))
    laps = _laps(messages.get("lap", {}))
    default_sport = messages.get("sport", {})
    activities: list[Activity] = []
    for i, (start, end) in enumerate(windows):
        in_window = (record["timestamp"] >= start) & (record["timestamp"] <= end + _WINDOW_SLACK_S)
        if not in_window.any():
            continue
        sport_code, sub_code = _session_sport(sessions, i, default_sport)
        sport, sport_source = stated_sport(
            _enum_name("sport", sport_code), _enum_name("sub_sport", sub_code)
        )
        samples, doubled = _samples(record, in_window, cadence_sport(sport, sport_source))
        samples, repairs = sanitize(samples)
        if not len(samples):
            continue
        activities.append(
            Activity(
                path=path,
                format=Format.FIT,
                sport=sport,
                sport_source=sport_source,
                sub_sport=_enum_name("sub_sport", sub_code),
                start_time=utc_from_posix(float(samples.time_s[0])),
                samples=samples,
                device=device,
                utc_offset_s=utc_offset_s,
                session_index=first_index + len(activities),
                laps=tuple(lap for lap in laps if start <= _posix(lap) <= end),
                pauses=tuple(p for p in pauses if start <= p.start_s <= end),
                device_totals=_device_totals(sessions, i, sport),
                cadence_doubled=doubled,
                notes=(*extra_notes, *repairs),
            )
        )
    return activities


def _time_ordered(record: Columns) -> tuple[Columns, tuple[str, ...]]:
    """Records with a timestamp, in time order, timestamps as POSIX seconds; notes say what
    was dropped or reordered."""
    if "timestamp" not in record:
        return {}, ()
    ts = record["timestamp"] + FIT_EPOCH_POSIX_S
    keep = np.flatnonzero(np.isfinite(ts))
    notes = []
    if len(keep) < len(ts):
        n = len(ts) - len(keep)
        notes.append(f"dropped {n} record{'s' if n != 1 else ''} without a time")
    n_back = int(np.count_nonzero(np.diff(ts[keep]) < 0))
    if n_back:
        notes.append(f"records were out of time order ({n_back} step(s) back); sorted by time")
        keep = keep[np.argsort(ts[keep], kind="stable")]
    ordered = {name: values[keep] for name, values in record.items()}
    ordered["timestamp"] = ts[keep]
    return ordered, tuple(notes)


def _session_windows(sessions: Columns, record_time_s: FloatArray) -> list[tuple[float, float]]:
    """(start, end) in POSIX seconds per session; all records when there is no session."""
    everything = [(float(record_time_s[0]), float(record_time_s[-1]))]
    starts = sessions.get("start_time")
    if starts is None or not np.isfinite(starts).any():
        return everything
    elapsed = sessions.get("total_elapsed_time", np.full(len(starts), np.nan))
    ends = sessions.get("timestamp", np.full(len(starts), np.nan))
    windows = []
    for i, start in enumerate(starts + FIT_EPOCH_POSIX_S):
        end = start + elapsed[i] if np.isfinite(elapsed[i]) else ends[i] + FIT_EPOCH_POSIX_S
        if not np.isfinite(end):
            end = starts[i + 1] + FIT_EPOCH_POSIX_S if i + 1 < len(starts) else record_time_s[-1]
        windows.append((float(start), float(end)))
    return windows


def _samples(record: Columns, mask: np.ndarray, sport: Sport) -> tuple[Samples, bool]:
    def col(name: str) -> FloatArray:
        values = record.get(name)
        return np.full(int(mask.sum()), np.nan) if values is None else values[mask]

    def preferred(enhanced: str, plain: str) -> FloatArray:
        first = col(enhanced)
        return np.where(np.isnan(first), col(plain), first)

    fractional = col("fractional_cadence")
    per_foot = col("cadence") + np.where(np.isnan(fractional), 0.0, fractional)
    cadence_spm, doubled = cadence_to_spm(per_foot, sport)
    samples = Samples.from_channels(
        col("timestamp"),
        latitude_deg=col("position_lat") * _SEMICIRCLE_DEG,
        longitude_deg=col("position_long") * _SEMICIRCLE_DEG,
        distance_m=col("distance"),
        speed_m_s=preferred("enhanced_speed", "speed"),
        altitude_m=preferred("enhanced_altitude", "altitude"),
        heart_rate_bpm=col("heart_rate"),
        cadence_spm=cadence_spm,
        step_length_m=col("step_length") / 1000.0,
        ground_contact_time_s=col("stance_time") / 1000.0,
        vertical_oscillation_m=col("vertical_oscillation") / 1000.0,
        vertical_ratio_pct=col("vertical_ratio"),
        contact_balance_left_pct=col("stance_time_balance"),
        temperature_c=col("temperature"),
        power_w=col("power"),
    )
    return samples, doubled


def _pauses(event: Columns) -> list[Pause]:
    """Timer stop -> next timer start, in POSIX seconds."""
    if "timestamp" not in event or "event" not in event:
        return []
    is_timer = event["event"] == _TIMER_EVENT
    times = event["timestamp"][is_timer] + FIT_EPOCH_POSIX_S
    kinds = event.get("event_type", np.full(len(event["event"]), np.nan))[is_timer]
    pauses: list[Pause] = []
    stopped_at: float | None = None
    for t, kind in sorted(zip(times.tolist(), kinds.tolist(), strict=True)):
        if kind in _TIMER_STOPS and stopped_at is None:
            stopped_at = t
        elif kind == _TIMER_START and stopped_at is not None:
            if t > stopped_at:
                pauses.append(Pause(stopped_at, t))
            stopped_at = None
    return pauses


def _laps(lap: Columns) -> list[Lap]:
    starts = lap.get("start_time")
    if starts is None:
        return []
    n = len(starts)

    def get(name: str) -> FloatArray:
        return lap.get(name, np.full(n, np.nan))

    return [
        Lap(
            start_time=utc_from_posix(float(start) + FIT_EPOCH_POSIX_S),
            elapsed_time_s=float(elapsed),
            timer_time_s=float(timer),
            distance_m=float(distance),
        )
        for start, elapsed, timer, distance in zip(
            starts,
            get("total_elapsed_time"),
            get("total_timer_time"),
            get("total_distance"),
            strict=True,
        )
        if plausible_time(float(start) + FIT_EPOCH_POSIX_S)
    ]


def _posix(lap: Lap) -> float:
    return lap.start_time.timestamp()


def _device_totals(sessions: Columns, i: int, sport: Sport) -> DeviceTotals:
    if not sessions or i >= len(next(iter(sessions.values()))):
        return DeviceTotals()

    def get(name: str) -> float:
        values = sessions.get(name)
        return float(values[i]) if values is not None else float("nan")

    fractional = get("avg_fractional_cadence")
    per_foot = get("avg_cadence") + (0.0 if np.isnan(fractional) else fractional)
    return DeviceTotals(
        distance_m=get("total_distance"),
        elapsed_time_s=get("total_elapsed_time"),
        timer_time_s=get("total_timer_time"),
        ascent_m=get("total_ascent"),
        descent_m=get("total_descent"),
        avg_cadence_spm=2.0 * per_foot if sport.is_on_foot else float("nan"),
    )


def _session_sport(sessions: Columns, i: int, sport_msg: Columns) -> tuple[float, float]:
    """The session's sport and sub-sport codes, else the sport message's."""
    codes = []
    for name in ("sport", "sub_sport"):
        values = sessions.get(name)
        code = values[i] if values is not None and i < len(values) else np.nan
        codes.append(code if np.isfinite(code) else _first(sport_msg, name))
    return codes[0], codes[1]


def _utc_offset_s(activity: Columns) -> int | None:
    """local_timestamp - timestamp of the activity message, to the nearest quarter hour."""
    offset = _first(activity, "local_timestamp") - _first(activity, "timestamp")
    if not np.isfinite(offset) or abs(offset) > 14 * 3600:
        return None
    return int(round(offset / 900.0) * 900)


def _device_name(messages: FitMessages) -> str | None:
    """ "manufacturer/product" of the creator: file_id, else device_info of device index 0."""
    file_id = messages.get("file_id", {})
    manufacturer, product = _first(file_id, "manufacturer"), _first(file_id, "product")
    if np.isnan(manufacturer):
        return None
    maker = _enum_name("manufacturer", manufacturer) or f"manufacturer {int(manufacturer)}"
    if np.isnan(product):
        return maker
    model = _enum_name("garmin_product", product) if maker == "garmin" else None
    return f"{maker}/{model or int(product)}"


def _first(columns: Columns, name: str) -> float:
    values = columns.get(name)
    if values is None:
        return float("nan")
    finite = values[np.isfinite(values)]
    return float(finite[0]) if len(finite) else float("nan")


def _enum_name(type_name: str, code: float) -> str | None:
    if not np.isfinite(code):
        return None
    return _enum_table(type_name).get(int(code))


@cache
def _enum_table(type_name: str) -> dict[int, str]:
    """FIT enum names from fitparse's copy of the profile, rather than a hand-copied table."""
    from fitparse.profile import FIELD_TYPES

    return dict(FIELD_TYPES[type_name].values)
