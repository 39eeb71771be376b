"""The config file (TOML) -> Settings, and the resolution of every setting from its layers:
flags > environment (``CALFGUARD_*``) > config file > defaults. Called by the CLI only; the
library takes Settings.

Every error names the key (or variable) at fault (``ConfigError``). The format is documented
in docs/config.md:

    timezone = "Europe/Zurich"      # for files without a UTC offset
    week_start = "monday"
    units = "km"                    # or "mi"
    db = "~/calfguard/store.sqlite3"  # the store (default: the user cache folder)
    jobs = 2                        # worker processes (default: the CPU count)
    lock_timeout = 30               # seconds to wait for another run on the same store

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

    [sports]                        # what a file is, over the file and the inference
    "2026-05-01-commute.gpx" = "cycling"
    "treadmill/*.tcx" = "treadmill"
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analyzer.errors import ConfigError
from analyzer.local_calendar import WEEKDAYS
from analyzer.model import Sport
from analyzer.readers.common import sport_from_text
from analyzer.rules import RULES, Rule
from analyzer.settings import AthleteProfile, Settings, Sex, Shoe

_TOP = {
    "timezone", "week_start", "units", "db", "jobs", "lock_timeout", "athlete", "shoes",
    "thresholds", "sports", "engine", "scheduler",
}  # fmt: skip
ENGINES = ("local", "dask")
_ATHLETE = {
    "birth_year", "sex", "height_m", "max_heart_rate_bpm", "resting_heart_rate_bpm",
    "threshold_pace", "prior_calf_injury",
}  # fmt: skip
_SHOE = {"name", "first_use", "start_distance_km", "retired", "default"}


def read_config(path: Path) -> tuple[Settings, str]:
    """Settings and display units from a TOML file."""
    return settings_from_mapping(read_table(path), str(path))


def read_table(path: Path) -> dict[str, Any]:
    """The config file's TOML, or a ``ConfigError`` that says why not."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


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
        sport_overrides=sport_overrides(_table(data, "sports", source), f"{source}: sports"),
    )
    units = data.get("units", "km")
    if units not in ("km", "mi"):
        raise ConfigError(f"{source}: units must be 'km' or 'mi', not {units!r}")
    return settings, units


def sport_overrides(entries: Mapping[str, object], where: str) -> tuple[tuple[str, Sport], ...]:
    """(path pattern, sport) pairs; a pattern matches a file's path from the right (a file
    name, ``folder/*.gpx``, or a whole path)."""
    out = []
    for pattern, name in entries.items():
        sport = sport_from_text(str(name))
        if not pattern.strip() or (sport is Sport.OTHER and str(name).strip().lower() != "other"):
            known = ", ".join(s.value for s in Sport)
            raise ConfigError(
                f"{where}: {pattern!r} = {name!r}: expected a file pattern and one of {known}"
            )
        out.append((pattern.strip(), sport))
    return tuple(out)


def sport_flags(values: Sequence[str]) -> tuple[tuple[str, Sport], ...]:
    """``--set-sport PATTERN=SPORT`` flags as overrides."""
    entries: dict[str, object] = {}
    for value in values:
        pattern, equals, name = value.rpartition("=")
        if not equals:
            raise ConfigError(
                f"--set-sport: expected PATTERN=SPORT (e.g. ride.gpx=cycling), not {value!r}"
            )
        entries[pattern] = name
    return sport_overrides(entries, "--set-sport")


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


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{source}: {key} must be a table ([{key}])")
    return value


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


# --- resolution: flags > environment > config file > defaults -------------------------------------

#: The environment variables calfguard reads, and the setting each one sets.
ENVIRONMENT = {
    "CALFGUARD_CONFIG": "config",
    "CALFGUARD_TIMEZONE": "timezone",
    "CALFGUARD_UNITS": "units",
    "CALFGUARD_WEEK_START": "week_start",
    "CALFGUARD_DB": "db",
    "CALFGUARD_JOBS": "jobs",
    "CALFGUARD_LOCK_TIMEOUT": "lock_timeout",
    "CALFGUARD_ENGINE": "engine",
    "CALFGUARD_DASK_SCHEDULER": "scheduler",
}
_VARIABLE = {key: name for name, key in ENVIRONMENT.items()}
DEFAULT_LOCK_TIMEOUT_S = 30.0
CONFIG_NAME = "config.toml"


def default_config_path() -> Path:
    """``config.toml`` in the user's config folder (``~/.config/calfguard/`` on Linux)."""
    from platformdirs import user_config_path

    return user_config_path("calfguard") / CONFIG_NAME


@dataclass(frozen=True, slots=True)
class Flags:
    """What the command line said; None for a flag not given."""

    config: Path | None = None
    timezone: str | None = None
    units: str | None = None
    week_start: str | None = None
    db: Path | None = None
    jobs: int | None = None
    lock_timeout: float | None = None
    sports: tuple[str, ...] = ()  # --set-sport PATTERN=SPORT, before the config's [sports]
    engine: str | None = None
    scheduler: str | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    """The effective settings of a run, and where each came from (for ``config show``)."""

    settings: Settings
    units: str
    db: Path
    jobs: int
    lock_timeout_s: float
    config_file: Path | None  # the file read, if any
    origins: Mapping[str, str]  # setting -> "flag --x", "environment CALFGUARD_X", ...
    engine: str = "local"  # where files are parsed: "local" processes or a "dask" cluster
    scheduler: str | None = None  # the Dask scheduler's address (engine "dask")


def resolve(
    flags: Flags,
    environ: Mapping[str, str],
    *,
    default_config: Path,
    default_db: Path,
    default_jobs: int,
) -> Resolved:
    """Every setting from the first layer that has it: flags, environment, config file,
    defaults. A config file named by flag or variable must exist; the default one is read
    only when it does."""
    origins: dict[str, str] = {}

    def layer(key: str, flag: object) -> tuple[object, str] | None:
        if flag is not None:
            return flag, f"flag --{key.replace('_', '-')}"
        variable = _VARIABLE[key]
        if environ.get(variable, "") != "":
            return environ[variable], f"environment {variable}"
        return None

    config_file: Path | None = None
    chosen = layer("config", flags.config)
    if chosen is not None:
        config_file = Path(str(chosen[0])).expanduser()
        origins["config"] = chosen[1]
        if not config_file.is_file():
            raise ConfigError(f"{chosen[1]}: config file {config_file} does not exist")
    elif default_config.is_file():
        config_file = default_config
        origins["config"] = "default location"
    else:
        origins["config"] = f"default location ({default_config} does not exist)"
    table = read_table(config_file) if config_file is not None else {}
    where = str(config_file)
    settings, units = settings_from_mapping(table, where)
    in_file = f"config file {config_file}"
    for key in ("timezone", "week_start", "units"):
        origins[key] = in_file if key in table else "default"

    def value(key: str, flag: object) -> tuple[object, str] | None:
        chosen = layer(key, flag)
        if chosen is None and key in table:
            return table[key], f"{where}: {key}"
        return chosen

    if (got := value("timezone", flags.timezone)) is not None:
        settings = replace(settings, timezone=zone(got[0], _label(got[1], "timezone")))
        origins["timezone"] = _origin(got[1], in_file)
    if (got := value("week_start", flags.week_start)) is not None:
        settings = replace(settings, week_start=weekday(got[0], _label(got[1], "week_start")))
        origins["week_start"] = _origin(got[1], in_file)
    if (got := value("units", flags.units)) is not None:
        units = str(got[0])
        if units not in ("km", "mi"):
            raise ConfigError(f"{_label(got[1], 'units')}: must be 'km' or 'mi', not {units!r}")
        origins["units"] = _origin(got[1], in_file)
    db, origins["db"] = default_db, "default"
    if (got := value("db", flags.db)) is not None:
        db, origins["db"] = Path(str(got[0])).expanduser(), _origin(got[1], in_file)
    jobs, origins["jobs"] = default_jobs, "default (the CPUs this process may use)"
    if (got := value("jobs", flags.jobs)) is not None:
        jobs = _whole(got[0], _label(got[1], "jobs"), 1, 1024)
        origins["jobs"] = _origin(got[1], in_file)
    lock_timeout, origins["lock_timeout"] = DEFAULT_LOCK_TIMEOUT_S, "default"
    if (got := value("lock_timeout", flags.lock_timeout)) is not None:
        lock_timeout = _seconds(got[0], _label(got[1], "lock_timeout"))
        origins["lock_timeout"] = _origin(got[1], in_file)
    engine, origins["engine"] = "local", "default"
    if (got := value("engine", flags.engine)) is not None:
        engine, origins["engine"] = str(got[0]), _origin(got[1], in_file)
        if engine not in ENGINES:
            raise ConfigError(
                f"{_label(got[1], 'engine')}: must be one of {', '.join(ENGINES)}, not {engine!r}"
            )
    scheduler, origins["scheduler"] = None, "default"
    if (got := value("scheduler", flags.scheduler)) is not None:
        scheduler, origins["scheduler"] = str(got[0]), _origin(got[1], in_file)
    if engine == "dask" and not scheduler:
        raise ConfigError(
            "--engine dask needs the scheduler's address: --scheduler tcp://HOST:8786, "
            "CALFGUARD_DASK_SCHEDULER or scheduler in the config file"
        )
    for part in ("athlete", "shoes", "thresholds", "sports"):
        origins[part] = in_file if part in table else "default"
    if flags.sports:  # the first pattern that matches wins: the flags' come first
        flagged = sport_flags(flags.sports)
        mine = {pattern for pattern, _ in flagged}
        kept = tuple(o for o in settings.sport_overrides if o[0] not in mine)
        settings = replace(settings, sport_overrides=flagged + kept)
        origins["sports"] = "flag --set-sport" + (f" and {in_file}" if "sports" in table else "")
    return Resolved(
        settings, units, db, jobs, lock_timeout, config_file, origins, engine, scheduler
    )


def _label(origin: str, key: str) -> str:
    """How an error names where a bad value came from."""
    if origin.startswith("environment "):
        return origin.removeprefix("environment ")
    if origin.startswith("flag "):
        return origin.removeprefix("flag ")
    return origin  # "<file>: key"


def _origin(origin: str, in_file: str) -> str:
    return origin if origin.startswith(("flag ", "environment ")) else in_file


def _whole(value: object, where: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ConfigError(f"{where}: expected a whole number from {low} to {high}, not {value!r}")
    return number


def _seconds(value: object, where: str) -> float:
    try:
        number = float(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 86_400:
        raise ConfigError(f"{where}: expected seconds from 0 to 86400, not {value!r}")
    return number


def parse_day(text: str, where: str, today: date) -> date:
    """A report-period bound: an ISO date (2026-11-01), or days/weeks before ``today``
    (``30d``, ``8w``; ``0d`` is today)."""
    raw = text.strip().lower()
    if raw[-1:] in ("d", "w") and raw[:-1].isdigit():
        days = int(raw[:-1]) * (7 if raw.endswith("w") else 1)
        return today - timedelta(days=days)
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigError(
            f"{where}: expected a date like 2026-11-01, or 30d / 8w before today, not {text!r}"
        ) from exc


def show(resolved: Resolved) -> str:
    """The effective settings as TOML, each commented with where it came from."""
    s = resolved.settings
    o = resolved.origins
    lines = [
        "# calfguard's effective settings; precedence: flags > environment > config file > "
        "defaults",
        _line("# config file", str(resolved.config_file or "none"), o["config"]),
        _line("timezone", s.timezone and str(s.timezone), o["timezone"]),
        _line("week_start", WEEKDAYS[s.week_start], o["week_start"]),
        _line("units", resolved.units, o["units"]),
        _line("db", str(resolved.db), o["db"]),
        _line("jobs", resolved.jobs, o["jobs"]),
        _line("lock_timeout", resolved.lock_timeout_s, o["lock_timeout"]),
        _line("engine", resolved.engine, o["engine"]),
        _line("scheduler", resolved.scheduler, o["scheduler"]),
        "",
        f"[athlete]  # {o['athlete']}",
    ]
    profile = s.profile
    for key in sorted(_ATHLETE):
        raw = getattr(profile, "threshold_pace_s_per_km" if key == "threshold_pace" else key)
        if key == "threshold_pace" and raw is not None:
            raw = f"{int(raw // 60)}:{raw % 60:04.1f}".replace(".0", "")
        lines.append(_toml(key, raw.value if isinstance(raw, Sex) else raw))
    for shoe in s.shoes:
        lines += ["", f"[[shoes]]  # {o['shoes']}", _toml("name", shoe.name)]
        lines.append(_toml("first_use", shoe.first_use))
        lines.append(_toml("start_distance_km", shoe.start_distance_m / 1000))
        lines.append(_toml("retired", shoe.retired))
        lines.append(_toml("default", shoe.default))
    for rule_id, values in sorted(s.thresholds.items()):
        lines += ["", f"[thresholds.{rule_id}]  # {o['thresholds']}"]
        lines += [_toml(key, number) for key, number in sorted(values.items())]
    if s.sport_overrides:
        lines += ["", f"[sports]  # {o['sports']}"]
        lines += [_toml(json.dumps(p), sport.value) for p, sport in s.sport_overrides]
    return "\n".join(lines) + "\n"


def _line(key: str, value: object, origin: str) -> str:
    text = _toml(key, value)
    return f"{text:<52} # {origin}"


def _toml(key: str, value: object) -> str:
    if value is None:
        return f"# {key} = (not set)"
    if key.startswith("#"):
        return f"{key} = {value}"
    if isinstance(value, bool):
        return f"{key} = {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"{key} = {value:g}" if isinstance(value, float) else f"{key} = {value}"
    if isinstance(value, date):
        return f"{key} = {value.isoformat()}"
    return f"{key} = {json.dumps(str(value), ensure_ascii=False)}"
