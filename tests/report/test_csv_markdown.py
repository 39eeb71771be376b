"""CSV (activities, weeks, findings, with unit-carrying headers) and Markdown."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from analyzer.guide import CAUSES, DISCLAIMER, RED_FLAGS
from analyzer.pipeline import Analysis
from analyzer.report.csv_report import flatten
from analyzer.report.markdown import md
from tests.report.conftest import CONFIG, SAMPLE, flat, run

UNIT_SUFFIXES = ("_m", "_s", "_m_s", "_spm", "_bpm", "_pct", "_c", "_spm_per_m_s", "_count")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_report_csv_writes_three_files(tmp_path: Path, sample: Analysis) -> None:
    target = tmp_path / "out"
    result = run("report", "--config", str(CONFIG), str(SAMPLE), "--format", "csv",
                 "--output", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [
        "activities.csv", "findings.csv", "weeks.csv"
    ]  # fmt: skip
    activities = _rows((target / "activities.csv").read_text(encoding="utf-8"))
    weeks = _rows((target / "weeks.csv").read_text(encoding="utf-8"))
    findings = _rows((target / "findings.csv").read_text(encoding="utf-8"))
    assert (len(activities), len(weeks), len(findings)) == (63, 16, 30)
    header = list(activities[0])
    assert header[:4] == ["id", "path", "format", "sport"]
    for column in (
        "distance_m",
        "moving_time_s",
        "cadence_median_spm",
        "cadence_p90_spm",
        "elevation_descent_m",
        "heart_zone1_time_s",
        "heart_zone5_time_s",
        "dynamics_ground_contact_time_s",
        "device_totals_ascent_m",
        "quality_distance_source",
        "quality_channels",
        "warm_up_rest_speed_m_s",
    ):
        assert column in header, column  # fmt: skip
    assert list(weeks[0])[:3] == ["week_start", "running_distance_m", "running_time_s"]
    assert list(findings[0]) == [
        "rule", "cause", "severity", "date", "message", "advice", "evidence", "activity_id",
        "week_start", "values_json", "raised_from",
    ]  # fmt: skip
    assert {row["raised_from"] for row in findings} == {""}  # no previous injury in the profile
    by_id = {row["id"]: row for row in activities}
    for s in sample.summaries:
        assert float(by_id[s.id]["distance_m"]) == s.distance_m
    duplicates = [row for row in activities if row["duplicate_of"]]
    assert [Path(r["path"]).name for r in duplicates] == ["2026-08-26-strava-export.gpx"]
    assert findings[0]["rule"] == "session_spike" and findings[0]["severity"] == "high"


def test_numeric_csv_columns_carry_their_unit() -> None:
    text = run("activities", "--config", str(CONFIG), str(SAMPLE), "--format", "csv").stdout
    rows = _rows(text)
    unitless = {"trimp", "heart_trimp", "cadence_slope_spm_per_m_s", "quality_rejected_gps_jumps"}
    for column in rows[0]:
        values = [r[column] for r in rows if r[column]]
        numeric = values and all(re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", v) for v in values)
        if numeric and column not in unitless:
            assert column.endswith(UNIT_SUFFIXES), column


def test_csv_needs_an_output_folder() -> None:
    result = run("report", str(SAMPLE), "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --format csv needs --output DIR")


def test_flatten() -> None:
    row = {"a_m": 1.0, "heart": {"zone_time_s": [1, 2, 3, 4, 5], "trimp": None},
           "quality": {"notes": ["x", "y"], "ok": True}}  # fmt: skip
    assert flatten(row) == {
        "a_m": 1.0, "heart_zone1_time_s": 1, "heart_zone2_time_s": 2, "heart_zone3_time_s": 3,
        "heart_zone4_time_s": 4, "heart_zone5_time_s": 5, "heart_trimp": None,
        "quality_notes": "x; y", "quality_ok": True,
    }  # fmt: skip


def test_markdown_report_sections() -> None:
    result = run("report", "--config", str(CONFIG), str(SAMPLE), "--format", "markdown")
    assert result.exit_code == 0
    text = result.stdout
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[:3] == ["# calfguard report", "## What matters most now (the last 4 weeks)",
                            "## Weekly load"]  # fmt: skip
    assert headings[3] == "## The guide's causes of calf pain, and what the data says"
    assert [h for h in headings if h.startswith("## ")][-4:] == [
        "## Evidence behind these findings", "## Rules still warming up", "## Red flags",
        "## Data quality",
    ]  # fmt: skip
    assert len([h for h in headings if h.startswith("### ")]) == len(CAUSES)
    assert "- **Last 4 weeks** 26 Oct - 22 Nov 2026: 13 runs, 133.8 km" in text
    now = text[text.index("## What matters most now") : text.index("## Weekly load")]
    assert now.count("\n| high |") == 1 and now.count("\n| info |") == 4
    weekly = text[text.index("## Weekly load") : text.index("## The guide's causes")]
    assert len([line for line in weekly.splitlines() if line.startswith("| ")]) == 2 + 16
    assert "| 7 Sep 2026 | 5 | 52.3 | +49 % |" in weekly
    assert flat(DISCLAIMER) in flat(text)
    for flag in RED_FLAGS:
        assert f"- {md(flag)}" in text
    assert "Frandsen et al., Br J Sports Med 2025" in text


def test_markdown_in_miles_and_escaped() -> None:
    text = run("report", "--config", str(CONFIG), str(SAMPLE), "--format", "markdown",
               "--units", "mi").stdout  # fmt: skip
    assert "19.9 mi, 2.1x your longest run" in text
    assert md("a|b *c* <d> [e](f) _g_") == r"a\|b \*c\* &lt;d&gt; \[e\](f) \_g\_"
