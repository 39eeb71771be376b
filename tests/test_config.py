"""Settings from their layers: flags > environment (CALFGUARD_*) > config file > defaults;
`calfguard config show`; every error names the key or variable at fault."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from analyzer.cli import app
from analyzer.config import (
    ENVIRONMENT,
    Flags,
    Resolved,
    parse_day,
    resolve,
    settings_from_mapping,
    show,
)
from analyzer.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
FILE = """\
timezone = "Asia/Tokyo"
week_start = "sunday"
units = "mi"
jobs = 3

[athlete]
birth_year = 1975
sex = "male"
threshold_pace = "4:50"
prior_calf_injury = true

[[shoes]]
name = "Racers"
first_use = 2026-01-02
start_distance_km = 120.5
default = true

[thresholds.session_spike]
caution = 1.2
"""


def resolved(
    tmp_path: Path, flags: Flags | None = None, env: dict[str, str] | None = None
) -> Resolved:
    return resolve(
        flags or Flags(),
        env or {},
        default_config=tmp_path / "config" / "config.toml",
        default_db=tmp_path / "cache" / "store.sqlite3",
        default_jobs=2,
    )


def write_default(tmp_path: Path, text: str = FILE) -> Path:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_without_any_layer(tmp_path: Path) -> None:
    r = resolved(tmp_path)
    assert (r.settings.timezone, r.settings.week_start, r.units) == (None, 0, "km")
    assert (r.db, r.jobs, r.lock_timeout_s, r.config_file) == (
        tmp_path / "cache" / "store.sqlite3", 2, 30.0, None,
    )  # fmt: skip
    assert r.origins["timezone"] == "default" and "does not exist" in r.origins["config"]


def test_flags_over_environment_over_file_over_defaults(tmp_path: Path) -> None:
    config = write_default(tmp_path)
    env = {"CALFGUARD_TIMEZONE": "Europe/Zurich", "CALFGUARD_JOBS": "4", "CALFGUARD_DB": "~/x.db"}
    r = resolved(tmp_path, Flags(timezone="America/Denver", lock_timeout=5), env)
    assert str(r.settings.timezone) == "America/Denver"  # flag over environment and file
    assert r.jobs == 4  # environment over file
    assert r.db == Path("~/x.db").expanduser()
    assert r.settings.week_start == 6 and r.units == "mi"  # file over defaults
    assert r.lock_timeout_s == 5.0
    assert r.settings.profile.birth_year == 1975 and r.settings.shoes[0].name == "Racers"
    assert r.origins == {
        "config": "default location",
        "timezone": "flag --timezone",
        "week_start": f"config file {config}",
        "units": f"config file {config}",
        "db": "environment CALFGUARD_DB",
        "jobs": "environment CALFGUARD_JOBS",
        "lock_timeout": "flag --lock-timeout",
        "engine": "default",
        "scheduler": "default",
        "athlete": f"config file {config}",
        "shoes": f"config file {config}",
        "thresholds": f"config file {config}",
        "sports": "default",
    }


def test_a_config_file_named_by_flag_or_environment_replaces_the_default(tmp_path: Path) -> None:
    write_default(tmp_path)
    other = tmp_path / "other.toml"
    other.write_text('units = "km"\n')
    by_env = resolved(tmp_path, env={"CALFGUARD_CONFIG": str(other)})
    assert by_env.config_file == other and by_env.units == "km"
    assert by_env.settings.profile.birth_year is None  # the default file is not read as well
    assert resolved(tmp_path, Flags(config=other)).origins["config"] == "flag --config"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CALFGUARD_JOBS": "many"}, "CALFGUARD_JOBS: expected a whole number from 1 to 1024"),
        ({"CALFGUARD_UNITS": "furlongs"}, "CALFGUARD_UNITS: must be 'km' or 'mi'"),
        ({"CALFGUARD_TIMEZONE": "Mars/Base"}, "CALFGUARD_TIMEZONE: unknown time zone"),
        ({"CALFGUARD_WEEK_START": "funday"}, "CALFGUARD_WEEK_START: 'funday' is not a weekday"),
        ({"CALFGUARD_LOCK_TIMEOUT": "-1"}, "CALFGUARD_LOCK_TIMEOUT: expected seconds"),
        ({"CALFGUARD_CONFIG": "/no/such.toml"}, "environment CALFGUARD_CONFIG: config file"),
    ],
)
def test_a_bad_variable_is_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(")):
        resolved(tmp_path, env=env)


def test_an_empty_variable_counts_as_unset(tmp_path: Path) -> None:
    assert resolved(tmp_path, env={"CALFGUARD_JOBS": ""}).jobs == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 'blue'\n", "unknown key 'colour'"),
        ("jobs = 'lots'\n", "config.toml: jobs: expected a whole number"),
        ("units = 'yards'\n", "units must be 'km' or 'mi'"),
        ("[athlete]\nsex = 'x'\n", "athlete.sex: 'female' or 'male'"),
        ("[athlete]\nmax_hr = 190\n", "athlete: unknown key 'max_hr'"),
        ("[athlete]\nthreshold_pace = '4.50'\n", "athlete.threshold_pace: pace must look like"),
        ("[[shoes]]\nfirst_use = 2026-01-01\n", "shoes[0].name: every pair needs a name"),
        ("[thresholds.nonsense]\nhigh = 1\n", "thresholds: unknown key 'nonsense'"),
        ("[thresholds.session_spike]\nextreme = 2\n", "thresholds.session_spike: unknown key"),
        ("timezone = \n", "is not valid TOML"),
    ],
)
def test_a_bad_config_file_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    write_default(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        resolved(tmp_path)
    assert message in str(caught.value) and "config.toml" in str(caught.value)


def test_show_is_toml_that_reads_back_as_the_same_settings(tmp_path: Path) -> None:
    write_default(tmp_path)
    r = resolved(tmp_path, env={"CALFGUARD_TIMEZONE": "Europe/Zurich"})
    text = show(r)
    assert "# environment CALFGUARD_TIMEZONE" in text and "# default" in text
    settings, units = settings_from_mapping(tomllib.loads(text))
    assert settings == r.settings and units == r.units


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def test_config_show_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    (config_home / "calfguard").mkdir(parents=True)
    (config_home / "calfguard" / "config.toml").write_text(FILE)
    result = cli("config", "show", "--units", "km", env={"CALFGUARD_WEEK_START": "tuesday"})
    assert result.exit_code == 0, result.output
    lines = {line.split("=")[0].strip(): line for line in result.stdout.splitlines() if "=" in line}
    assert lines["units"].endswith("# flag --units")
    assert (
        '"tuesday"' in lines["week_start"]
        and "environment CALFGUARD_WEEK_START" in lines["week_start"]
    )
    assert '"Asia/Tokyo"' in lines["timezone"] and "config file" in lines["timezone"]
    assert str(config_home / "calfguard" / "config.toml") in lines["# config file"]
    bad = cli("config", "show", env={"CALFGUARD_UNITS": "parsecs"})
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: CALFGUARD_UNITS: ")


def test_environment_and_flags_reach_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    gpx = "2026-08-26-strava-export.gpx"  # GPX records no UTC offset

    def report(*args: str) -> dict[str, Any]:
        result = cli("report", str(SAMPLE / gpx), "--format", "json", "--no-cache", *args)
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.stdout))

    monkeypatch.setenv("CALFGUARD_TIMEZONE", "America/New_York")
    from_env = report()
    assert from_env["settings"]["timezone"] == "America/New_York"
    from_flag = report("--timezone", "Europe/Zurich")
    assert from_flag["settings"]["timezone"] == "Europe/Zurich"
    # Where the run happened places it, before any configured zone: Zurich in summer.
    for document in (from_env, from_flag):
        (run,) = document["activities"]
        assert run["local_start_time"].endswith("+02:00")
        assert (run["utc_offset_source"], run["timezone_name"]) == ("position", "Europe/Zurich")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11-01", date(2026, 11, 1)), ("30d", date(2026, 10, 3)), ("8w", date(2026, 9, 7)),
     ("0d", date(2026, 11, 2))],
)  # fmt: skip
def test_report_period_bounds(text: str, expected: date) -> None:
    assert parse_day(text, "--since", today=date(2026, 11, 2)) == expected


def test_every_variable_and_command_is_documented() -> None:
    config_doc = (ROOT / "docs" / "config.md").read_text()
    cron_doc = (ROOT / "docs" / "cron.md").read_text()
    for name in ENVIRONMENT:
        assert f"`{name}`" in config_doc, name
    for command in ("calfguard cache rebuild", "calfguard cache info", "calfguard config show"):
        assert command in config_doc + cron_doc, command
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in cron_doc


def test_the_engine_and_its_scheduler_come_from_each_layer(tmp_path: Path) -> None:
    assert (resolved(tmp_path).engine, resolved(tmp_path).scheduler) == ("local", None)
    write_default(tmp_path, 'engine = "dask"\nscheduler = "tcp://file:8786"\n')
    from_file = resolved(tmp_path)
    assert (from_file.engine, from_file.scheduler) == ("dask", "tcp://file:8786")
    env = {"CALFGUARD_DASK_SCHEDULER": "tcp://env:8786"}
    assert resolved(tmp_path, env=env).scheduler == "tcp://env:8786"
    flags = Flags(engine="local", scheduler="tcp://flag:8786")
    chosen = resolved(tmp_path, flags, env)
    assert (chosen.engine, chosen.scheduler) == ("local", "tcp://flag:8786")
    assert chosen.origins["engine"] == "flag --engine"
    assert chosen.origins["scheduler"] == "flag --scheduler"
