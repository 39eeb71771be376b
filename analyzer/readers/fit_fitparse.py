"""fitparse as the fallback decoder, producing the same ``FitMessages`` as the fast one.

Used when the fast decoder declines a file, and as the oracle in the differential tests.
Values: the profile's scaled value, except enums and date_time fields, which stay raw
numbers (as the fast decoder gives them). A new file_id message starts a new chained file.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from analyzer.errors import ReadError
from analyzer.readers.fit_decoder import MAX_MESSAGES, PROFILE, FitFile, FitMessages

_EXPANSIONS_KEPT = frozenset({253, 5, 6})  # timestamp, distance, speed

_RAW_TYPES = frozenset({"date_time", "local_date_time"})


def decode_with_fitparse(data: bytes, path: str) -> FitFile:
    import fitparse

    rows: list[list[tuple[str, dict[str, float]]]] = [[]]
    damage: str | None = None
    try:
        fit = fitparse.FitFile(io.BytesIO(data), check_crc=False)
        for n, message in enumerate(fit.get_messages()):
            if n >= MAX_MESSAGES:  # as the fast decoder: no recording has more
                damage = f"stopped after {MAX_MESSAGES:,} messages"
                break
            # fitparse keeps every parsed message (about 70 times the file's size in memory);
            # they are consumed here as they come, so let it forget them.
            fit._messages.clear()
            if message.mesg_num not in PROFILE:
                continue
            name, spec = PROFILE[message.mesg_num]
            if name == "file_id" and rows[-1]:
                rows.append([])
            values = {
                spec[num].name: value
                for fd in message.fields
                if (num := _field_num(fd)) in spec and (value := _number(fd)) is not None
            }
            rows[-1].append((name, values))
    except Exception as exc:
        # fitparse raises FitParseError for what it recognises as damage, and TypeError,
        # KeyError, ValueError, ... where damaged bytes break its assumptions: all mean the same.
        what = str(exc) if isinstance(exc, fitparse.FitParseError) else _describe(exc)
        if not any(rows):
            raise ReadError(path, f"not a readable FIT file: {what}") from exc
        damage = f"damaged ({what})"
    return FitFile(parts=[_columns(part) for part in rows if part], damage=damage)


def _describe(exc: Exception) -> str:
    return f"fitparse failed with {type(exc).__name__}: {exc}"


def _field_num(fd: Any) -> int | None:
    """The profile field number, or None for what the fast decoder does not produce either."""
    if fd.field_def is not None:
        # Developer fields number themselves independently of the profile.
        return None if hasattr(fd.field_def, "dev_data_index") else int(fd.field_def.def_num)
    if fd.field is None:
        return None
    # Expanded components carry no definition. The fast decoder expands only compressed
    # timestamps and compressed_speed_distance; fitparse's other expansions (altitude ->
    # enhanced_altitude, speed -> enhanced_speed) repeat a field the builder already reads.
    if int(fd.field.def_num) not in _EXPANSIONS_KEPT:
        return None
    return int(fd.field.def_num)  # a compressed timestamp or an expanded speed/distance


def _number(fd: Any) -> float | None:
    type_name = getattr(fd.type, "name", "")
    raw = type_name in _RAW_TYPES or bool(getattr(fd.type, "values", None))
    value = fd.raw_value if raw else fd.value
    if isinstance(value, tuple):
        value = value[0] if value else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _columns(part: list[tuple[str, dict[str, float]]]) -> FitMessages:
    by_message: dict[str, list[dict[str, float]]] = {}
    for name, values in part:
        by_message.setdefault(name, []).append(values)
    messages: FitMessages = {}
    for name, rows in by_message.items():
        names = dict.fromkeys(key for row in rows for key in row)
        messages[name] = {
            key: np.array([row.get(key, np.nan) for row in rows], dtype=np.float64) for key in names
        }
    return messages
