"""The sample team: reproducible from its seeds, holding what its README says, and read by the
pipeline as planned, athlete by athlete, with the settings team.toml gives each."""

from __future__ import annotations

import hashlib
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from analyzer.model import Format
from analyzer.pipeline import Analysis, analyze
from analyzer.rules import RULES
from analyzer.samplegen.history import local_date, week_totals
from analyzer.samplegen.team import (
    TEAM_END,
    TEAM_START,
    TEAM_WEEKS,
    AthletePlan,
    build_team,
    spike,
    write_team,
)
from analyzer.team_config import read_team

SAMPLE_TEAM = Path(__file__).resolve().parents[2] / "sample_data" / "team"


@pytest.fixture(scope="module")
def plans() -> dict[str, AthletePlan]:
    return {plan.athlete.id: plan for plan in build_team()}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample_team")
    write_team(root)
    return root


@pytest.fixture(scope="module")
def team(written: Path) -> dict[str, Any]:
    return tomllib.loads((written / "team.toml").read_text())


@pytest.fixture(scope="module")
def analyses(written: Path) -> dict[str, Analysis]:
    """Each athlete as the team run reads them (team_config): their folders, their settings."""
    return {a.id: analyze(a.folders, a.settings) for a in read_team(written).athletes}


def digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- reproducibility and size ------------------------------------------------------------------


def test_same_seeds_give_identical_bytes(written: Path, tmp_path: Path) -> None:
    write_team(tmp_path)
    assert digests(tmp_path) == digests(written)


def test_committed_sample_team_is_a_fresh_generation(written: Path) -> None:
    if not (SAMPLE_TEAM / "README.md").exists():
        pytest.skip("sample_data/team/ not generated yet: make sample-data")
    assert digests(SAMPLE_TEAM) == digests(written), "regenerate: make sample-data"


def test_the_team_is_small(written: Path) -> None:
    assert sum(path.stat().st_size for path in written.rglob("*") if path.is_file()) < 3_000_000


# --- team.toml ---------------------------------------------------------------------------------


def test_team_file_names_every_folder_that_holds_files(
    written: Path, team: dict[str, Any], plans: dict[str, AthletePlan]
) -> None:
    assert team["team"]["no_sync_days"] == 7 and team["defaults"]["timezone"] == "Europe/Zurich"
    ids = [table["id"] for table in team["athletes"]]
    assert ids == list(plans) == ["ana", "ben", "chloe", "dev"]
    named = {folder for table in team["athletes"] for folder in table.get("folders", [table["id"]])}
    holding = {
        path.parent.relative_to(written).as_posix()
        for path in written.rglob("*")
        if path.is_file() and path.parent != written
    }
    assert named == holding
    assert all((written / folder).is_dir() for folder in named)
    chloe = next(table for table in team["athletes"] if table["id"] == "chloe")
    assert chloe["folders"] == ["chloe/watch", "chloe/phone"]


def test_every_athlete_table_is_a_valid_config(written: Path, team: dict[str, Any]) -> None:
    for athlete in read_team(written).athletes:
        settings = athlete.settings
        assert settings.timezone is not None and settings.profile.birth_year is not None
    profiles = {table["id"]: table["athlete"] for table in team["athletes"]}
    assert profiles["ana"]["prior_calf_injury"] is True
    assert 1965 <= profiles["chloe"]["birth_year"] <= 1975
    shoes = {table["id"]: table.get("shoes", []) for table in team["athletes"]}
    assert [bool(pairs) for pairs in shoes.values()] == [False, False, False, True]


# --- the plan holds what README.md says --------------------------------------------------------


def test_everyone_covers_the_same_eight_weeks(plans: dict[str, AthletePlan]) -> None:
    assert TEAM_START.weekday() == 0 and TEAM_END.weekday() == 6
    assert (TEAM_END - TEAM_START).days == 7 * TEAM_WEEKS - 1
    for plan in plans.values():
        first = min(local_date(p.activity) for p in plan.files)
        assert TEAM_START <= first < TEAM_START + timedelta(days=7)
    assert {plans[a].last_day for a in ("ana", "ben", "dev")} == {TEAM_END}
    assert len({plan.athlete.seed for plan in plans.values()}) == len(plans)


def test_ana_jumps_in_her_last_week(plans: dict[str, AthletePlan]) -> None:
    last_km, mean_km, long_km, longest_km = spike(plans["ana"])
    assert last_km / mean_km > 1 + RULES["weekly_increase"].thresholds["caution"] / 100
    assert long_km / longest_km > RULES["session_spike"].thresholds["high"]


def test_ben_is_steady(plans: dict[str, AthletePlan]) -> None:
    weekly = [t.run_km for t in week_totals(plans["ben"].readable, TEAM_START, TEAM_WEEKS)]
    assert max(weekly) / min(weekly) < 1.05


def test_chloe_stopped_syncing_12_days_before_the_others(plans: dict[str, AthletePlan]) -> None:
    assert plans["chloe"].last_day == TEAM_END - timedelta(days=12)
    phone = [p for p in plans["chloe"].files if p.filename.startswith("phone/")]
    assert len(phone) == 1 and phone[0].format is Format.GPX
    (watch,) = [
        p
        for p in plans["chloe"].files
        if p.filename.startswith("watch/") and p.activity.start_time == phone[0].activity.start_time
    ]
    assert watch.format is Format.FIT


def test_dev_has_exactly_one_damaged_file(plans: dict[str, AthletePlan]) -> None:
    damaged = [p for plan in plans.values() for p in plan.files if p.damaged]
    assert [p.filename for p in damaged] == [p.filename for p in plans["dev"].files if p.damaged]
    (cut,) = damaged
    assert cut.format is Format.FIT and not cut.gzip


def test_readme_states_the_plans_numbers(written: Path, plans: dict[str, AthletePlan]) -> None:
    readme = (written / "README.md").read_text()
    last_km, mean_km, long_km, longest_km = spike(plans["ana"])
    for number in (last_km, mean_km, long_km, longest_km):
        assert f"{number:.1f} km" in readme
    assert f"{last_km / mean_km:.2f}x" in readme and f"{long_km / longest_km:.2f}x" in readme
    for plan in plans.values():
        assert f"| `{plan.athlete.id}` |" in readme and f"{plan.last_day:%a %Y-%m-%d}" in readme
    assert "12 days before the others' last day" in readme


# --- what the pipeline reads -------------------------------------------------------------------


def test_the_pipeline_reads_each_athlete_as_planned(
    analyses: dict[str, Analysis], plans: dict[str, AthletePlan]
) -> None:
    for athlete, analysis in analyses.items():
        plan = plans[athlete]
        assert len(analysis.summaries) == len(plan.readable), athlete
        assert len(analysis.errors) == len(plan.files) - len(plan.readable), athlete
        assert analysis.history is not None and analysis.history.last_day == plan.last_day
        assert analysis.history.implausible == [], athlete
    (error,) = analyses["dev"].errors
    assert error.path.endswith("-truncated.fit")
    # The phone copy is recognised as the watch run it copies: it counts once.
    assert len(analyses["chloe"].duplicate_of) == 1
    assert all(not a.duplicate_of for name, a in analyses.items() if name != "chloe")


def test_ana_has_overuse_findings_in_her_last_weeks(analyses: dict[str, Analysis]) -> None:
    assessment = analyses["ana"].assessment
    assert assessment is not None
    recent = TEAM_END - timedelta(weeks=2)
    overuse = {
        (f.rule, f.severity.label)
        for f in assessment.findings
        if f.rule in ("session_spike", "weekly_increase") and f.date > recent
    }
    assert {("session_spike", "high"), ("weekly_increase", "caution")} <= overuse


def test_ben_has_nothing_to_act_on(analyses: dict[str, Analysis]) -> None:
    assessment = analyses["ben"].assessment
    assert assessment is not None and assessment.findings == []


def test_dev_shows_his_hills_and_his_shoes(analyses: dict[str, Analysis]) -> None:
    assessment = analyses["dev"].assessment
    assert assessment is not None
    rules = {f.rule for f in assessment.findings if f.severity.label == "caution"}
    assert {"hill_load", "shoe_mileage"} <= rules
    assert all(f.date >= date(2026, 10, 26) for f in assessment.findings if f.rule == "hill_load")
