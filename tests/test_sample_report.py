"""On sample_data/ the report finds what the sample history was built to contain (see
sample_data/README.md), and nothing it was not."""

from __future__ import annotations

from pathlib import Path

from analyzer.config import read_config
from analyzer.pipeline import analyze

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"

# (rule, severity, local date or week start) -> why the history holds it
EXPECTED = {
    ("heat", "caution", "2026-08-22"): "the hot long run, 103 min at 28-30 C",
    ("weekly_increase", "caution", "2026-09-07"): "week 6: the sudden mileage jump (+49 %)",
    ("surface", "info", "2026-09-21"): "the hilly block moves to trails",
    ("hill_load", "caution", "2026-09-21"): "hilly block, week 1",
    ("hill_load", "caution", "2026-09-24"): "first big descent (500 m)",
    ("hill_load", "caution", "2026-09-26"): "bigger descent (750 m)",
    ("hill_load", "caution", "2026-09-28"): "hilly block, week 2",
    ("hill_load", "caution", "2026-10-05"): "hilly block, week 3",
    ("low_cadence", "caution", "2026-10-12"): "low-cadence block, week 1 (151 spm)",
    ("low_cadence", "caution", "2026-10-19"): "low-cadence block, week 2",
    **{
        (rule, "caution", day): "a low-cadence run with long steps"
        for day in (
            "2026-10-13",
            "2026-10-15",
            "2026-10-18",
            "2026-10-20",
            "2026-10-22",
            "2026-10-25",
        )
        for rule in ("cadence_drop", "overstride_proxy")
    },
    ("intensity_spike", "caution", "2026-10-19"): "intervals resume after the trail block",
    ("weekly_increase", "info", "2026-10-26"): "the build-up before the long run (+16 %)",
    ("weekly_increase", "caution", "2026-11-02"): "the week of the 32 km run",
    ("session_spike", "high", "2026-11-08"): "the 32 km run, 2.1x the recent longest",
    ("acwr", "info", "2026-11-02"): "acute load after the 32 km run (context)",
    ("weekly_increase", "info", "2026-11-16"): "back to normal after the week whose run is "
    "cut short by the damaged file",
    ("shoe_mileage", "caution", "2026-11-17"): "the old pair near its end (788 km)",
    ("age", "info", "2026-11-22"): "the runner is 45 (config)",
}


def test_the_sample_report_finds_exactly_what_the_history_holds() -> None:
    settings, _ = read_config(SAMPLE / "calfguard.toml")
    analysis = analyze([SAMPLE], settings)
    assert analysis.errors == []
    assert analysis.assessment is not None
    found = {(f.rule, f.severity.label, f.date.isoformat()) for f in analysis.assessment.findings}
    assert found == set(EXPECTED)
    assert len(analysis.assessment.findings) == len(EXPECTED)  # no finding twice
    assert analysis.duplicate_of == {
        str(SAMPLE / "2026-08-26-strava-export.gpx"): str(SAMPLE / "2026-08-26-0648-easy-run.fit")
    }
    assert analysis.assessment.warming_up == []
    (shoe,) = [f for f in analysis.assessment.findings if f.rule == "shoe_mileage"]
    assert shoe.message == (
        "Road shoes (grey): 788 km (490 mi), within the 480-800 km after which shoes are "
        "commonly replaced."
    )
