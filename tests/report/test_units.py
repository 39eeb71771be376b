"""Display units: the only place km, miles, feet and paces are spelled out."""

from __future__ import annotations

from datetime import date

import pytest

from analyzer.report import units as u


def test_distances_heights_speeds_and_paces() -> None:
    assert u.distance(8106.97) == "8.11 km"
    assert u.distance(8106.97, "mi") == "5.04 mi"
    assert u.distance(1609.344, "mi", 1) == "1.0 mi"
    assert u.distance(float("nan")) == "-" and u.distance(None) == "-"
    assert u.height(38.2) == "38 m" and u.height(38.2, "mi") == "125 ft"
    assert u.step_length(1.0289) == "1.03 m" and u.step_length(1.0289, "mi") == "3.38 ft"
    assert u.speed(2.807) == "10.1 km/h" and u.speed(2.807, "mi") == "6.3 mph"
    assert u.pace(2.807) == "5:56 /km" and u.pace(2.807, "mi") == "9:33 /mi"
    assert u.pace(0.0) == "-" and u.pace(0.1) == "-"  # 2:46:40 /km is not a running pace


def test_other_quantities() -> None:
    assert u.duration(2888) == "48:08" and u.duration(11683) == "3:14:43"
    assert u.percent(49.4) == "+49 %" and u.percent(-0.3) == "0 %" and u.percent(-40) == "-40 %"
    assert u.cadence(163.9) == "164 spm" and u.ratio(1.6789) == "1.68"
    assert u.temperature(21.13) == "21.1 °C" and u.share(0.75) == "75 %"
    assert u.count(1, "run") == "1 run" and u.count(2, "activity", "activities") == "2 activities"


def test_dates() -> None:
    assert u.day(date(2026, 11, 8)) == "8 Nov"
    assert u.period(date(2026, 8, 4), date(2026, 11, 22)) == "4 Aug - 22 Nov 2026"
    assert u.period(date(2025, 12, 29), date(2026, 1, 4)) == "29 Dec 2025 - 4 Jan 2026"
    assert u.period(date(2026, 10, 19), date(2026, 10, 19)) == "19 Oct 2026"


@pytest.mark.parametrize(
    ("km_text", "mi_text"),
    [
        ("32.1 km, 2.1x your longest run in the previous 30 days (15.0 km)",
         "19.9 mi, 2.1x your longest run in the previous 30 days (9.3 mi)"),
        ("Road shoes (grey): 788 km (490 mi), past the 480-800 km",
         "Road shoes (grey): 788 km (490 mi), past the 480-800 km"),
        ("first 10 minutes at 12.0 km/h against 10.5 km/h for the rest",
         "first 10 minutes at 7.5 mph against 6.5 mph for the rest"),
        ("64 km (40 mi) the guide mentions", "64 km (40 mi) the guide mentions"),
    ],
)  # fmt: skip
def test_finding_messages_in_miles(km_text: str, mi_text: str) -> None:
    assert u.message(km_text, "km") == km_text
    assert u.message(km_text, "mi") == mi_text


def test_unknown_units_are_refused() -> None:
    with pytest.raises(ValueError, match="units must be one of"):
        u.distance(1.0, "furlongs")
