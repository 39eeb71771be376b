"""A team: who its athletes are, where their files are, and each one's settings.

``calfguard team ROOT`` reads one of two layouts (docs/team.md):

- a team file, ``ROOT/team.toml`` (or ROOT itself naming a ``.toml`` file)::

      [team]
      name = "Riverside Running Club"   # optional, shown in the overview
      no_sync_days = 7                  # an athlete with no activity for this long is flagged

      [defaults]                        # any athlete keys below, for every athlete
      timezone = "Europe/Zurich"

      [[athletes]]
      id = "ana"                        # unique: letters, digits, '.', '_', '-'
      name = "Ana"                      # optional
      folders = ["ana", "/mnt/sync/ana-phone"]   # relative to the team file; default [id]
      [athletes.athlete]                # then a runner's config keys: the profile, shoes, ...
      prior_calf_injury = true

- or one folder per athlete (the folder's name is the id), each with an optional
  ``calfguard.toml``: that runner's config file.

An athlete's keys are a runner's config file's (docs/config.md) without the run's own
(``db``, ``jobs``, ``lock_timeout``, ``engine``, ``scheduler``: the team run's). Errors name the
file and the athlete (``ConfigError``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.config import read_table, settings_from_mapping
from analyzer.errors import ConfigError
from analyzer.readers.sources import TEAM_FILE, holds_team_file
from analyzer.settings import Settings

__all__ = ["ATHLETE_CONFIG", "TEAM_FILE", "Athlete", "Team", "read_team"]

ATHLETE_CONFIG = "calfguard.toml"
#: An athlete with no activity for this many days is flagged in the overview (by default).
NO_SYNC_DAYS = 7
#: The keys of a runner's config file that belong to the run, not to an athlete.
RUN_KEYS = frozenset({"db", "jobs", "lock_timeout", "engine", "scheduler"})
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True, slots=True)
class Athlete:
    id: str  # the folder name, or the team file's; names their reports and their memory
    name: str  # for people; the id when not given
    folders: tuple[Path, ...]
    settings: Settings
    units: str  # "km" or "mi", for their reports


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    athletes: list[Athlete]  # in the order given (the team file's, or by folder name)
    no_sync_days: int
    source: str  # the team file, or the root folder


def read_team(root: Path) -> Team:
    """The team at ``root``: its team file, else one athlete per subfolder."""
    if root.is_file():
        return _from_file(root)
    if not root.is_dir():
        raise ConfigError(f"{root}: no such team folder or team file")
    if (root / TEAM_FILE).is_file():
        return _from_file(root / TEAM_FILE)
    return _from_folders(root)


def _from_folders(root: Path) -> Team:
    athletes = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        config = folder / ATHLETE_CONFIG
        table = _athlete_keys(read_table(config), str(config)) if config.is_file() else {}
        settings, units = settings_from_mapping(table, str(config))
        athletes.append(Athlete(folder.name, folder.name, (folder,), settings, units))
    if not athletes:
        raise ConfigError(
            f"{root}: no athletes: the team folder has neither a {TEAM_FILE} nor a folder per "
            "athlete"
        )
    return Team(root.resolve().name, athletes, NO_SYNC_DAYS, str(root))


def _from_file(path: Path) -> Team:
    data = read_table(path)
    source = str(path)
    unknown = sorted(set(data) - {"team", "defaults", "athletes"})
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r} (known: athletes, defaults, team)")
    team = _mapping(data.get("team", {}), f"{source}: [team]")
    extra = sorted(set(team) - {"name", "no_sync_days"})
    if extra:
        raise ConfigError(f"{source}: [team]: unknown key {extra[0]!r} (known: name, no_sync_days)")
    no_sync = team.get("no_sync_days", NO_SYNC_DAYS)
    if isinstance(no_sync, bool) or not isinstance(no_sync, int) or not 1 <= no_sync <= 366:
        raise ConfigError(f"{source}: [team] no_sync_days: a whole number of days from 1 to 366")
    defaults = _athlete_keys(_mapping(data.get("defaults", {}), f"{source}: [defaults]"),
                             f"{source}: [defaults]")  # fmt: skip
    entries = data.get("athletes", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{source}: no athletes: add [[athletes]] tables with an id each")
    athletes: list[Athlete] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries):
        athlete = _athlete(entry, defaults, path.parent, f"{source}: athletes[{number}]")
        if athlete.id in seen:
            raise ConfigError(f"{source}: athlete id {athlete.id!r} is given twice")
        seen.add(athlete.id)
        athletes.append(athlete)
    name = team.get("name") or path.resolve().parent.name
    return Team(str(name), athletes, no_sync, source)


def _athlete(entry: object, defaults: Mapping[str, Any], base: Path, where: str) -> Athlete:
    table = dict(_mapping(entry, where))
    athlete_id = table.pop("id", None)
    if not isinstance(athlete_id, str) or not _ID.fullmatch(athlete_id):
        raise ConfigError(
            f"{where}: id must be 1-100 letters, digits, '.', '_' or '-' (starting with a "
            f"letter or digit), not {athlete_id!r}: it names the athlete's report folder"
        )
    where = f"{where} ({athlete_id})"
    name = table.pop("name", athlete_id)
    folders = table.pop("folders", [athlete_id])
    if not isinstance(folders, list) or not folders or not all(isinstance(f, str) for f in folders):
        raise ConfigError(f"{where}: folders must be a list of folder names")
    team_folder = next((f for f in folders if holds_team_file(base / f)), None)
    if team_folder is not None:  # discovery skips a folder holding a team file
        raise ConfigError(
            f"{where}: folder {team_folder!r} holds the team file {TEAM_FILE}: an athlete's "
            "files go in a folder of their own"
        )
    settings, units = settings_from_mapping(_merged(defaults, _athlete_keys(table, where)), where)
    return Athlete(athlete_id, str(name), tuple(base / f for f in folders), settings, units)


def _athlete_keys(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    run_keys = sorted(RUN_KEYS & set(table))
    if run_keys:
        raise ConfigError(
            f"{where}: {run_keys[0]!r} is the team run's setting, not an athlete's (give it on "
            "the command line, in the environment or in calfguard's own config file)"
        )
    return dict(table)


def _merged(defaults: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """The athlete's keys over the team's defaults; tables (the profile, a rule's thresholds,
    sports) are merged key by key, at any depth, so an athlete may give only their birth year
    or one threshold."""
    merged = dict(defaults)
    for key, value in own.items():
        base = merged.get(key)
        both = isinstance(base, Mapping) and isinstance(value, Mapping)
        merged[key] = _merged(base, value) if both else value  # type: ignore[arg-type]
    return merged


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table")
    return value
