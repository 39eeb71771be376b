"""The config file (TOML) -> Settings. Called by the CLI only; the library takes Settings.

Every error names the key at fault (``ConfigError``). The format is documented in
docs/config.md:

    timezone = "Europe/Zurich"      # for files without a UTC offset
    week_start = "monday"
    units = "km"                    # or "mi"

    [athlete]
    birth_year = 1981
    sex = "female"                  # or "male"
    height_m = 1.70
    max_heart_rate_bpm = 188
    resting_heart_rate_bpm = 52
    threshold_pace = "4:50"         # min:s per km
    prior_calf_injury = false

    [[shoes]]
    name = "Road shoes (blue)"
    first_use = 2026-09-29
    start_distance_km = 0
    retired = 2027-01-01            # optional
    default = true                  # runs without gear on their date go to this pair

    [thresholds.session_spike]      # override any rule's threshold (docs/findings.md)
    caution = 1.15
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analyzer.calendar import WEEKDAYS
from analyzer.errors import ConfigError
from analyzer.rules import RULES, Rule
from analyzer.settings import AthleteProfile, Settings, Sex, Shoe

_TOP = {"timezone", "week_start", "units", "athlete", "shoes", "thresholds"}
_ATHLETE = {
    "birth_year", "sex", "height_m", "max_heart_rate_bpm", "resting_heart_rate_bpm",
    "threshold_pace", "prior_calf_injury",
}  # fmt: skip
_SHOE = {"name", "first_use", "start_distance_km", "retired", "default"}


def read_config(path: Path) -> tuple[Settings, str]:
    """Settings and display units from a TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    return settings_from_mapping(data, str(path))


def settings_from_mapping(data: Mapping[str, Any], source: str = "config") -> tuple[Settings, str]:
    _known(data, _TOP, source)
    thresholds = _thresholds(data.get("thresholds", {}), RULES, source)
    settings = Settings(
        profile=_athlete(data.get("athlete", {}), source),
        timezone=zone(data["timezone"], f"{source}: timezone") if "timezone" in data else None,
        week_start=weekday(data.get("week_start", "monday"), f"{source}: week_start"),
        shoes=tuple(
            _shoe(s, f"{source}: shoes[{i}]") for i, s in enumerate(_list(data, "shoes", source))
        ),
        thresholds=thresholds,
    )
    units = data.get("units", "km")
    if units not in ("km", "mi"):
        raise ConfigError(f"{source}: units must be 'km' or 'mi', not {units!r}")
    return settings, units


def zone(name: object, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: unknown time zone {name!r} (use an IANA name such as Europe/Zurich)"
        ) from exc


def weekday(name: object, where: str) -> int:
    text = str(name).strip().lower()
    if text not in WEEKDAYS:
        raise ConfigError(f"{where}: {name!r} is not a weekday name")
    return WEEKDAYS.index(text)


def pace_s_per_km(text: object, where: str) -> float:
    """ "4:50" (min:s per km) -> 290.0."""
    try:
        minutes, seconds = str(text).split(":")
        value = int(minutes) * 60 + float(seconds)
    except ValueError as exc:
        raise ConfigError(
            f"{where}: pace must look like 4:50 (min:s per km), not {text!r}"
        ) from exc
    if not 120 <= value <= 1200:
        raise ConfigError(f"{where}: pace {text!r} is outside 2:00-20:00 per km")
    return value


def _known(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
        )


def _number(
    table: Mapping[str, Any], key: str, where: str, low: float, high: float
) -> float | None:
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(
            f"{where}.{key}: expected a number from {low:g} to {high:g}, not {value!r}"
        )
    return float(value)


def _athlete(table: Mapping[str, Any], source: str) -> AthleteProfile:
    where = f"{source}: athlete"
    _known(table, _ATHLETE, where)
    birth = _number(table, "birth_year", where, 1900, date.today().year)
    sex = table.get("sex")
    if sex is not None and sex not in ("female", "male"):
        raise ConfigError(f"{where}.sex: 'female' or 'male', not {sex!r}")
    injury = table.get("prior_calf_injury")
    if injury is not None and not isinstance(injury, bool):
        raise ConfigError(f"{where}.prior_calf_injury: true or false, not {injury!r}")
    pace = table.get("threshold_pace")
    return AthleteProfile(
        birth_year=int(birth) if birth is not None else None,
        sex=Sex(sex) if sex else None,
        height_m=_number(table, "height_m", where, 1.0, 2.5),
        max_heart_rate_bpm=_number(table, "max_heart_rate_bpm", where, 100, 240),
        resting_heart_rate_bpm=_number(table, "resting_heart_rate_bpm", where, 25, 120),
        threshold_pace_s_per_km=pace_s_per_km(pace, f"{where}.threshold_pace") if pace else None,
        prior_calf_injury=injury,
    )


def _list(data: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError(f"{source}: {key} must be a list of tables ([[{key}]])")
    return value


def _shoe(table: Mapping[str, Any], where: str) -> Shoe:
    _known(table, _SHOE, where)
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}.name: every pair needs a name")
    for key in ("first_use", "retired"):
        if key in table and not isinstance(table[key], date):
            raise ConfigError(f"{where}.{key}: expected a date like 2026-09-29")
    start_km = _number(table, "start_distance_km", where, 0, 10_000) or 0.0
    return Shoe(
        name=name.strip(),
        first_use=table.get("first_use"),
        start_distance_m=start_km * 1000,
        retired=table.get("retired"),
        default=bool(table.get("default", False)),
    )


def _thresholds(
    table: Mapping[str, Any], rules: Mapping[str, Rule], source: str
) -> dict[str, dict[str, float]]:
    _known(table, set(rules), f"{source}: thresholds")
    out: dict[str, dict[str, float]] = {}
    for rule_id, values in table.items():
        where = f"{source}: thresholds.{rule_id}"
        _known(values, set(rules[rule_id].thresholds), where)
        out[rule_id] = {}
        for key in values:
            number = _number(values, key, where, -1e6, 1e6)
            assert number is not None
            out[rule_id][key] = number
    return out
