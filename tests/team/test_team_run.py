"""A team run over the committed sample team (sample_data/team/, whose plan is known: samplegen's
team module), on the test day (tests/conftest.py: 2026-11-22, the team's last Sunday)."""

from __future__ import annotations

import gc
import json
import math
import shutil
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import analyzer.pipeline
import analyzer.team
from analyzer.engines.local import LocalEngine
from analyzer.metrics.summary import ActivitySummary
from analyzer.report.athlete_line import AthleteLine, Attention
from analyzer.report.team_digest import reasons, team_document
from analyzer.samplegen.team import build_team, spike
from analyzer.store import Store
from analyzer.team import REPORT_FILES, TeamRun, run_team
from analyzer.team_config import read_team
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TEAM = ROOT / "sample_data" / "team"
SCHEMA = json.loads((ROOT / "docs" / "team.schema.json").read_text())
LOCAL = partial(LocalEngine, 1)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("team")
    shutil.copytree(SAMPLE_TEAM, root / "team")
    return root


def _run(place: Path, engine: object = LOCAL, out: str = "out") -> TeamRun:
    with Store.open(place / "store.sqlite3") as store:
        return run_team(read_team(place / "team"), engine, out=place / out, store=store)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def first(place: Path) -> TeamRun:
    return _run(place)


@pytest.fixture(scope="module")
def lines(first: TeamRun) -> dict[str, AthleteLine]:
    return {line.id: line for line in first.lines}


def _outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_every_athlete_is_read_and_reported(first: TeamRun, place: Path) -> None:
    assert [line.id for line in first.lines] == ["ana", "ben", "chloe", "dev"]  # team order
    assert first.analysed == 4 and first.today == TODAY
    plans = {p.athlete.id: p for p in build_team()}
    assert first.stats.files == sum(len(p.files) for p in plans.values())
    assert first.stats.parsed == first.stats.files - first.stats.unchanged - first.stats.reused
    for line in first.lines:
        assert line.reports == tuple(f"{line.id}/{name}" for name in REPORT_FILES.values())
        for name in line.reports:
            assert (place / "out" / name).stat().st_size > 1000


def test_ana_needs_action_with_her_load_and_spike(lines: dict[str, AthleteLine]) -> None:
    ana = lines["ana"]
    last_week_km, mean_km, longest_km, before_km = spike(
        next(p for p in build_team() if p.athlete.id == "ana")
    )
    assert ana.as_of == TODAY
    # Summaries measure the tracks; the plan gives the device's totals: within 1 %.
    assert ana.last_7_days_m / 1000 == pytest.approx(last_week_km, rel=0.01)
    assert ana.baseline_week_m / 1000 == pytest.approx(mean_km, rel=0.01)
    assert ana.spike_ratio == pytest.approx(longest_km / before_km, rel=0.01)
    assert ana.spike_day == TODAY
    assert ana.prior_calf_injury
    assert ana.attention is Attention.ACT
    # A first run: every caution and high finding of the last 4 weeks is new.
    assert (ana.new_high, ana.new_caution) == (ana.current_high, ana.current_caution)
    assert ana.new_high >= 2
    assert {f.rule for f in ana.new} == {"session_spike", "weekly_increase"}


def test_ana_s_previous_calf_injury_raises_her_overuse_findings_and_says_so(
    lines: dict[str, AthleteLine], place: Path
) -> None:
    """The same files without the injury in her profile: what was raised is named, one
    level below, in the overview."""
    team = read_team(place / "team")
    ana = next(a for a in team.athletes if a.id == "ana")
    unhurt = replace(ana.settings, profile=replace(ana.settings.profile, prior_calf_injury=False))
    (plain,) = run_team(replace(team, athletes=(replace(ana, settings=unhurt),)), LOCAL).lines
    assert not plain.prior_calf_injury
    before = {f.text: f.severity for f in plain.new}  # info findings are never new
    for finding in lines["ana"].new:
        was = before.get(finding.text, "info")
        assert finding.raised_from == (was if was != finding.severity else None)
    assert sorted(str(f.raised_from) for f in lines["ana"].new) == [
        "None",
        "caution",
        "caution",
        "info",
    ]
    spike_text = next(r for r in reasons(lines["ana"]) if "raised from info" in r)
    assert spike_text.startswith("new caution (raised from info: a previous calf injury): ")


def test_the_others_as_planned(lines: dict[str, AthleteLine]) -> None:
    ben, chloe, dev = lines["ben"], lines["chloe"], lines["dev"]
    assert (ben.attention, ben.new, ben.problems) == (Attention.OK, (), [])
    assert math.isclose(ben.load_ratio, 1.0, rel_tol=0.02)
    assert chloe.last_activity == TODAY - timedelta(days=12)
    assert (chloe.days_without_activity, chloe.no_sync) == (12, True)
    assert chloe.problems == ["no activity for 12 days"]
    assert chloe.attention is Attention.DATA
    assert dev.unreadable == 1
    (named,) = dev.unreadable_named
    assert named.endswith(
        "/team/dev/2026-11-03-1834-easy-run-truncated.fit: truncated at byte 70: the last "
        "message is incomplete"
    )
    assert dev.attention is Attention.WATCH  # new caution findings: hills and shoes
    assert {f.rule for f in dev.new} == {"hill_load", "shoe_mileage"}


def test_the_overview_is_sorted_by_attention_and_matches_its_schema(first: TeamRun) -> None:
    document = team_document(first)
    jsonschema.validate(
        document, SCHEMA, cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.FormatChecker(),
    )  # fmt: skip
    assert [(a["id"], a["attention"]) for a in document["athletes"]] == [
        ("ana", "act"), ("dev", "watch"), ("chloe", "data"), ("ben", "ok"),
    ]  # fmt: skip


def test_a_rerun_over_unchanged_folders_makes_nothing_again(first: TeamRun, place: Path) -> None:
    before = _outputs(place / "out")
    again = _run(place)
    assert again.analysed == 0 and again.stats.files == 0
    assert again.lines == [line.shown_again() for line in first.lines]
    assert _outputs(place / "out") == before


def test_the_next_day_analyses_everyone_and_parses_nothing(
    first: TeamRun, place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyzer.pipeline, "today_in", lambda zone: TODAY + timedelta(days=1))
    later = _run(place, out="out-next-day")
    assert later.analysed == 4
    assert later.stats.parsed == 0 and later.stats.unchanged == first.stats.files
    # Nothing new since yesterday's run; the same findings are still current.
    assert all(line.new == () for line in later.lines)
    assert [line.current_high for line in later.lines] == [
        line.current_high for line in first.lines
    ]


def test_a_renamed_athlete_folder_is_not_parsed_again(first: TeamRun, place: Path) -> None:
    """One folder per athlete (no team file): renaming ben's folder keeps his files' results."""
    root = place / "folders"
    shutil.copytree(place / "team" / "ben", root / "ben")
    with Store.open(place / "folders.sqlite3") as store:
        cold = run_team(read_team(root), LOCAL, out=place / "folders-out", store=store)
        (root / "ben").rename(root / "benjamin")
        renamed = run_team(read_team(root), LOCAL, out=place / "folders-out", store=store)
    assert cold.stats.parsed == cold.stats.files
    assert renamed.stats.parsed == 0 and renamed.stats.reused == cold.stats.files
    assert [line.id for line in renamed.lines] == ["benjamin"]
    assert renamed.lines[0].activities == cold.lines[0].activities


def test_one_athletes_broken_files_leave_the_others_alone(place: Path) -> None:
    root = place / "broken"
    for athlete in ("ana", "ben"):
        shutil.copytree(place / "team" / athlete, root / athlete)
    clean = run_team(read_team(root), LOCAL, out=place / "clean-out")
    (root / "ana" / "garbage.fit").write_bytes(b"not a fit file at all")
    (root / "ana" / "empty.gpx").write_bytes(b"")
    broken = run_team(read_team(root), LOCAL, out=place / "broken-out")
    ana, ben = broken.lines
    assert ana.unreadable == 2 and ana.activities == clean.lines[0].activities
    assert ben == clean.lines[1]
    for name in REPORT_FILES.values():
        assert (place / "broken-out" / "ben" / name).read_bytes() == (
            place / "clean-out" / "ben" / name
        ).read_bytes()


def test_lines_survive_the_store(first: TeamRun) -> None:
    for line in first.lines:
        assert AthleteLine.from_json(json.loads(json.dumps(line.to_json()))) == line


def test_a_line_without_runs(tmp_path: Path) -> None:
    (tmp_path / "team" / "walker").mkdir(parents=True)
    (tmp_path / "team" / "walker" / "notes.txt").write_text("no activities here")
    run = run_team(read_team(tmp_path / "team"), LOCAL)
    (line,) = run.lines
    folder = str(tmp_path / "team" / "walker")
    assert (line.activities, line.files, line.missing, line.reports) == (0, 0, (folder,), ())
    assert math.isnan(line.load_ratio) and line.as_of is None
    assert line.attention is Attention.DATA
    assert line.problems == ["no activity could be read", f"nothing found in {folder}"]


def test_a_folder_that_is_not_there_is_named_not_counted_as_an_unreadable_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "team.toml").write_text(
        '[[athletes]]\nid = "gus"\nfolders = ["/mnt/not-mounted/gus"]\n'
    )
    (line,) = run_team(read_team(tmp_path), LOCAL).lines
    assert (line.not_found, line.unreadable, line.unreadable_named) == (
        ("/mnt/not-mounted/gus",),
        0,
        (),
    )
    assert line.problems == ["no activity could be read", "not found: /mnt/not-mounted/gus"]
    assert line.attention is Attention.DATA
    jsonschema.validate(team_document(TeamRun(read_team(tmp_path), lines=[line])), SCHEMA)


def test_without_an_output_folder_no_report_is_made(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_reports(*args: object) -> str:
        raise AssertionError("a report was made with nowhere to write it")

    monkeypatch.setattr(analyzer.team, "_render", no_reports)
    run = run_team(read_team(place / "team"), LOCAL)
    assert [line.reports for line in run.lines] == [()] * 4


def test_one_chunk_of_athletes_is_held_at_a_time(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What keeps the client's memory flat in the number of athletes: when a chunk's files
    are read, no summary of the chunk before is still alive."""

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, ActivitySummary) for o in gc.get_objects())

    read = analyzer.team.collect_groups
    held: list[int] = []
    sizes: list[int] = []

    def reading(*args: Any, **kwargs: Any) -> Any:
        held.append(alive() - before)
        collected = read(*args, **kwargs)
        sizes.append(sum(len(c.summaries) for c in collected))
        return collected

    monkeypatch.setattr(analyzer.team, "collect_groups", reading)
    before = alive()
    run_team(read_team(place / "team"), LOCAL, chunk_athletes=1)
    assert len(held) == 4 and all(sizes)  # four chunks, each with summaries
    assert held == [0, 0, 0, 0]
