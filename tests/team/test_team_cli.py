"""calfguard team: what a coach's cron job sees (exit codes, stderr first, --fail-on across the
team, the files written) and the team file's errors, each naming the file and the athlete."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from analyzer.errors import ConfigError
from analyzer.team_config import read_team
from tests.team.test_team_run import SAMPLE_TEAM

TRUNCATED = "dev/2026-11-03-1834-easy-run-truncated.fit"


def team(*args: str) -> Result:
    from analyzer.cli import app

    return CliRunner().invoke(app, ["team", *args], env={"COLUMNS": "120", "NO_COLOR": "1"})


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE_TEAM, tmp_path / "team")
    return tmp_path / "team"


def test_a_nightly_run_writes_everything_and_says_what_it_could_not_read(
    copy: Path, tmp_path: Path
) -> None:
    out, db = tmp_path / "out", str(tmp_path / "store.sqlite3")
    first = team(str(copy), "--out", str(out), "--db", db, "--fail-on", "high", "--quiet")
    assert first.exit_code == 3  # Ana's new high findings
    assert first.stderr.splitlines()[0] == (
        f"Error: dev: {copy}/{TRUNCATED}: truncated at byte 70: the last message is incomplete"
    )
    assert "new finding(s) at high or above" not in first.stderr  # --quiet: errors only
    assert sorted(p.name for p in out.iterdir()) == [
        "ana", "ben", "chloe", "dev", "index.html", "team.json",
    ]  # fmt: skip
    document = json.loads((out / "team.json").read_text())
    assert [a["id"] for a in document["athletes"]] == ["ana", "dev", "chloe", "ben"]
    page = (out / "index.html").read_text()
    assert '<a href="ana/report.html">Ana</a>' in page and "Red flags." in page
    assert first.stdout.startswith("calfguard team: Sample Running Club\n")
    # The next night (the same day here): nothing new; dev's file is still unreadable.
    again = team(str(copy), "--out", str(out), "--db", db, "--fail-on", "high")
    assert again.exit_code == 1
    assert "4 athletes (4 unchanged since the last run)" in again.stdout
    from analyzer.cli import app

    info = CliRunner().invoke(app, ["cache", "info", "--db", db])
    assert "team athletes (calfguard team): 4\n" in info.stdout


def test_fail_on_without_a_store_counts_everything_as_new(copy: Path) -> None:
    done = team(str(copy), "--no-cache", "--fail-on", "caution", "-f", "json")
    assert done.exit_code == 3
    document = json.loads(done.stdout)
    levels = {a["id"]: a["attention"] for a in document["athletes"]}
    assert levels["ana"] == "act" and levels["ben"] == "ok"


def test_without_out_only_the_overview_is_printed(copy: Path) -> None:
    done = team(str(copy), "--no-cache", "-f", "html")
    assert done.exit_code == 1
    assert done.stdout.startswith("<!DOCTYPE html>") and "<a href=" not in done.stdout


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[athletes]]\nid = "a b"\n', "id must be 1-100 letters, digits"),
        ('[[athletes]]\nid = "a"\n[[athletes]]\nid = "a"\n', "athlete id 'a' is given twice"),
        ('[[athletes]]\nid = "a"\ndb = "x.sqlite3"\n', "'db' is the team run's setting"),
        ('[team]\nname = "x"\n', "no athletes: add [[athletes]] tables"),
        ('[team]\nnosync = 3\n[[athletes]]\nid = "a"\n', "[team]: unknown key 'nosync'"),
        (
            '[[athletes]]\nid = "a"\n[athletes.athlete]\nbirth_year = "old"\n',
            "(a): athlete.birth_year",
        ),
        ("[[athletes]\n", "is not valid TOML"),
    ],
)
def test_a_bad_team_file_is_exit_2_naming_the_file_and_the_athlete(
    tmp_path: Path, toml: str, message: str
) -> None:
    (tmp_path / "team.toml").write_text(toml)
    done = team(str(tmp_path), "--no-cache")
    assert done.exit_code == 2
    assert done.stderr.startswith("Error: ") and message in done.stderr
    assert str(tmp_path / "team.toml") in done.stderr
    assert done.stdout == ""


def test_errors_without_a_team(tmp_path: Path) -> None:
    missing = team(str(tmp_path / "nowhere"), "--no-cache")
    assert (missing.exit_code, missing.stderr) == (
        2, f"Error: {tmp_path / 'nowhere'}: no such team folder or team file\n",
    )  # fmt: skip
    empty = team(str(tmp_path), "--no-cache")
    assert empty.exit_code == 2 and "no athletes: the team folder has neither" in empty.stderr
    bad = team(str(tmp_path), "--no-cache", "--reports", "json,pdf")
    assert bad.exit_code == 2 and "'pdf': the formats are json, markdown, html" in bad.stderr


def test_a_folder_per_athlete_with_their_own_config(tmp_path: Path) -> None:
    for athlete in ("ana", "ben"):
        shutil.copytree(SAMPLE_TEAM / athlete, tmp_path / athlete)
    (tmp_path / "ana" / "calfguard.toml").write_text(
        'timezone = "Europe/Zurich"\nunits = "mi"\n[athlete]\nprior_calf_injury = true\n'
    )
    (tmp_path / ".hidden").mkdir()
    found = read_team(tmp_path)
    assert [a.id for a in found.athletes] == ["ana", "ben"]
    ana, ben = found.athletes
    assert (ana.units, ana.settings.profile.prior_calf_injury) == ("mi", True)
    assert (ben.units, ben.settings.profile.prior_calf_injury, ben.settings.timezone) == (
        "km", None, None,
    )  # fmt: skip


def test_defaults_merge_under_each_athletes_tables(tmp_path: Path) -> None:
    (tmp_path / "team.toml").write_text(
        '[defaults]\ntimezone = "Europe/Zurich"\n[defaults.athlete]\nmax_heart_rate_bpm = 190\n'
        "[defaults.thresholds.session_spike]\ncaution = 1.2\nhigh = 1.5\n"
        '[[athletes]]\nid = "a"\nfolders = ["x", "/abs/y"]\n[athletes.thresholds.session_spike]\n'
        "high = 1.4\n"
        "[athletes.athlete]\nbirth_year = 1980\n"
    )
    (athlete,) = read_team(tmp_path / "team.toml").athletes
    assert athlete.folders == (tmp_path / "x", Path("/abs/y"))
    profile = athlete.settings.profile
    assert (profile.birth_year, profile.max_heart_rate_bpm) == (1980, 190.0)
    assert str(athlete.settings.timezone) == "Europe/Zurich"
    assert athlete.settings.thresholds["session_spike"] == {"caution": 1.2, "high": 1.4}
    with pytest.raises(ConfigError, match="no such team folder"):
        read_team(tmp_path / "missing")


def test_an_athlete_folder_holding_the_team_file_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    """A one-runner read skips a folder holding team.toml: an athlete cannot be given it."""
    (tmp_path / "team.toml").write_text('[[athletes]]\nid = "a"\nfolders = ["."]\n')
    with pytest.raises(ConfigError) as raised:
        read_team(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 'team.toml'}: athletes[0] (a): folder '.' holds the team file team.toml: "
        "an athlete's files go in a folder of their own"
    )


def test_an_overview_that_cannot_be_written_leaves_the_news_for_the_next_run(
    copy: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "store.sqlite3")
    failed = team(str(copy), "--db", db, "--fail-on", "high", "-o", str(tmp_path / "no" / "x"))
    assert failed.exit_code == 2 and "cannot write the report to" in failed.stderr
    assert team(str(copy), "--db", db, "--fail-on", "high").exit_code == 3  # still new
    assert team(str(copy), "--db", db, "--fail-on", "high").exit_code == 1  # now reported


def test_an_athlete_folder_gone_for_a_night_keeps_their_reports_and_their_news(
    copy: Path, tmp_path: Path
) -> None:
    out, db = tmp_path / "out", str(tmp_path / "store.sqlite3")
    assert team(str(copy), "--out", str(out), "--db", db, "--fail-on", "high").exit_code == 3
    reports = {p.name: p.read_bytes() for p in (out / "ana").iterdir()}
    (copy / "ana").rename(tmp_path / "ana-unmounted")
    (copy / "ana").mkdir()
    gone = team(str(copy), "--out", str(out), "--db", db, "--fail-on", "high")
    assert gone.exit_code == 1
    assert f"Error: ana: {copy / 'ana'}: no activity file found" in gone.stderr
    assert {p.name: p.read_bytes() for p in (out / "ana").iterdir()} == reports
    (copy / "ana").rmdir()
    (tmp_path / "ana-unmounted").rename(copy / "ana")
    back = team(str(copy), "--out", str(out), "--db", db, "--fail-on", "high")
    assert back.exit_code == 1  # dev's unreadable file; nothing of ana's is news again
