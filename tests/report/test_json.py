"""The JSON report: the contract's names, the schema in docs/, and the table commands' parts."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from analyzer.pipeline import Analysis, analyze
from analyzer.report.json_report import render_json
from analyzer.report.wording import QUALITY_KINDS
from analyzer.samplegen.fit_writer import FILE_TYPE_COURSE, fit_bytes
from tests.factories import activity, full_samples
from tests.report.conftest import CONFIG, SAMPLE, run
from tests.report.schema_check import Checked, schema, validate_part, validate_report

# design.md, "Interfaces that users and scripts depend on": these names are a contract.
CONTRACT = {
    "activities": {"id", "path", "format", "sport", "start_time", "local_date", "distance_m",
                   "moving_time_s", "elapsed_time_s", "ascent_m", "descent_m",
                   "avg_cadence_spm", "avg_step_length_m", "duplicate_of"},
    "weeks": {"week_start", "running_distance_m", "running_count"},
    "findings": {"rule", "cause", "severity", "date", "message", "advice", "evidence"},
    "errors": {"path", "reason"},
    "not_activities": {"path", "reason"},
}  # fmt: skip


def _json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    code, doc = _json("report", "--config", str(CONFIG), str(SAMPLE))
    assert code == 0
    return doc


def test_the_contract_names_are_required_by_the_schema(document: dict[str, Any]) -> None:
    definitions = {"activities": "activity", "weeks": "week", "findings": "finding",
                   "errors": "error", "not_activities": "not_activity"}  # fmt: skip
    for key, names in CONTRACT.items():
        required = set(schema()["$defs"][definitions[key]]["required"])
        assert names <= required, key
        for row in document[key]:
            assert names <= set(row)
    assert schema()["properties"]["schema_version"] == {
        "const": "1.0", "description": "The version of this document's structure."
    }  # fmt: skip


def test_the_sample_report_validates(document: dict[str, Any]) -> None:
    validate_report(document)
    assert document["schema_version"] == "1.0"
    assert len(document["activities"]) == 63 and len(document["weeks"]) == 16
    assert len(document["findings"]) == 30


def test_every_json_report_of_the_session_is_validated() -> None:
    before = Checked.reports
    code, _ = _json("report", str(SAMPLE / "2026-08-04-1834-easy-run.fit"))
    assert code == 0
    assert Checked.reports == before + 1  # tests/conftest.py wraps json_pieces everywhere


def test_the_schema_rejects_what_it_should(document: dict[str, Any]) -> None:
    for mutate in (
        lambda d: d.pop("red_flags"),
        lambda d: d["activities"][0].pop("distance_m"),
        lambda d: d["activities"][0].update(distance_m="8 km"),
        lambda d: d["findings"][0].update(severity="severe"),
        lambda d: d["weeks"][0].update(week_start="03/08/2026"),
        lambda d: d.update(unexpected=1),
        lambda d: d.update(schema_version="2.0"),
    ):
        broken = json.loads(json.dumps(document))
        mutate(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate_report(broken)


def test_every_schema_property_is_described() -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert "description" in sub or "$ref" in sub, f"{where}.{name}"
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(schema(), "$")
    assert set(schema()["$defs"]["quality_note"]["properties"]["kind"]["enum"]) == set(
        QUALITY_KINDS
    )


def test_recent_and_data_quality(document: dict[str, Any], sample: Analysis) -> None:
    h = sample.history
    assert h is not None
    first = h.last_day - timedelta(days=27)
    runs = [p for p in h.runs if p.local_date >= first]
    assert document["recent"] == {
        "first_day": first.isoformat(),
        "last_day": h.last_day.isoformat(),
        "as_of_basis": "today",  # the tests run on the sample's last day (tests/conftest.py)
        "today": h.last_day.isoformat(),
        "last_run_day": h.last_day.isoformat(),
        "runs": len(runs),
        "running_distance_m": sum(p.summary.distance_m for p in runs),
        "running_time_s": sum(p.summary.moving_time_s for p in runs),
        "longest_run_m": max(p.summary.distance_m for p in runs),
        "findings": 7,
        "earlier_findings": 23,
    }
    kinds = {n["kind"] for n in document["data_quality"]}
    assert {"duplicate", "file_note", "distance_gps", "cadence_doubled", "no_offset"} <= kinds
    duplicate = next(n for n in document["data_quality"] if n["kind"] == "duplicate")
    assert duplicate["path"].endswith("2026-08-26-strava-export.gpx")
    # The sample team inside sample_data/: skipped, said, and none of its runs counted.
    (team,) = [n for n in document["data_quality"] if n["kind"] == "team_folder"]
    assert Path(team["path"]) == SAMPLE / "team"
    assert [n["path"] for n in document["not_activities"]] == [team["path"]]
    assert not any("team" in Path(p.summary.path).parts for p in h.runs)


def test_no_files_and_unreadable_files_still_validate(tmp_path: Path) -> None:
    """The command line writes no report then (exit 2); the library still renders one."""
    empty = json.loads(render_json(analyze([tmp_path])))
    assert empty["period"] == {"first_day": None, "last_day": None}
    assert empty["red_flags"] and empty["disclaimer"]
    assert {c["status"] for c in empty["causes"]} <= {"nothing_seen", "cannot_be_seen"}
    (tmp_path / "bad.tcx").write_text("<TrainingCenterDatabase>", encoding="utf-8")
    course = fit_bytes(activity(full_samples(60)), file_type=FILE_TYPE_COURSE)
    (tmp_path / "plan.fit").write_bytes(course)
    bad = json.loads(render_json(analyze([tmp_path, tmp_path / "missing.fit"])))
    assert [e["path"] for e in bad["errors"]] == [
        str(tmp_path / "bad.tcx"), str(tmp_path / "missing.fit")
    ]  # fmt: skip
    assert [f["path"] for f in bad["not_activities"]] == [str(tmp_path / "plan.fit")]
    kinds = [n["kind"] for n in bad["data_quality"]]
    assert kinds == ["unreadable", "unreadable", "not_activity"]
    validate_report(bad)


def test_render_json_is_stable(sample: Analysis) -> None:
    assert render_json(sample) == render_json(sample)


def test_table_commands_print_parts_of_the_same_document() -> None:
    code, activities = _json("activities", "--config", str(CONFIG), str(SAMPLE))
    assert code == 0 and len(activities["activities"]) == 63
    for row in activities["activities"]:
        validate_part("activity", row)
    code, weeks = _json("weeks", "--config", str(CONFIG), str(SAMPLE))
    assert code == 0 and len(weeks["weeks"]) == 16
    for row in weeks["weeks"]:
        validate_part("week", row)
    assert weeks["period"] == {"first_day": "2026-08-04", "last_day": "2026-11-22"}
    code, shown = _json("show", str(SAMPLE / "2026-11-10-1833-easy-run-truncated.fit"))
    assert code == 0 and len(shown["activities"]) == 1
    validate_part("activity", shown["activities"][0])
    for note in shown["data_quality"]:
        validate_part("quality_note", note)
    assert any("truncated" in n["message"] for n in shown["data_quality"])


def test_docs_describe_every_schema_field() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "report.md").read_text("utf-8")
    whole = schema()
    for name in whole["properties"]:
        assert f"| `{name}` |" in docs, name
    for definition in ("activity", "week", "finding", "cause_status", "shoe", "error",
                       "not_activity", "quality_note"):  # fmt: skip
        for name, sub in whole["$defs"][definition]["properties"].items():
            assert f"| `{name}` |" in docs, f"{definition}.{name}"
            for inner in sub.get("properties", {}):
                assert f"| `{name}.{inner}` |" in docs, f"{definition}.{name}.{inner}"
