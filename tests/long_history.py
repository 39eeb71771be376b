"""Ten years of one runner (January 2015 to July 2024, then one walk in January 2025), as
summaries, in a second or two: a few runs and rides are synthesized and summarized for real
(``rules_history``), and every session of the ten years is one of them, scaled to its distance
and moved to its day. For the report tests and the HTML benchmark on long histories.

The years have what real ones have: training blocks that build and drop back, a marathon each
autumn (a single-run spike), a three-month break in 2019, rides most weeks, walks, shoes
replaced every 700-odd kilometres, and the last run long before the last activity.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache

import numpy as np

from analyzer.metrics.summary import ActivitySummary
from analyzer.model import Sport
from analyzer.pipeline import Analysis
from tests.rules_history import Session, analysis_of, copied, summaries

FIRST_MONDAY = date(2015, 1, 5)
LAST_RUN = date(2024, 7, 14)  # a Sunday
LAST_WALK = date(2025, 1, 14)
BREAK = (date(2019, 3, 4), date(2019, 6, 2))  # an injury: no running
SHOE_KM = 720.0


@cache
def _templates() -> dict[str, ActivitySummary]:
    """One real summary per kind of session, each 10 km (rides 30 km, walks 5 km)."""
    day = date(2026, 1, 5)
    made = summaries([
        Session(day, 10.0),
        Session(day, 10.0, speed_m_s=3.4, cadence_at_3_m_s_spm=170.0, climb_m=120.0),
        Session(day, 10.0, Sport.TRAIL_RUNNING, speed_m_s=2.6, climb_m=450.0),
        Session(day, 30.0, Sport.CYCLING, speed_m_s=7.0, cadence_at_3_m_s_spm=None),
        Session(day, 5.0, Sport.WALKING, speed_m_s=1.4, cadence_at_3_m_s_spm=None),
    ])  # fmt: skip
    return dict(zip(("easy", "tempo", "trail", "ride", "walk"), made, strict=True))


def _session(kind: str, day: date, km: float, index: int, shoe: str | None) -> ActivitySummary:
    template = _templates()[kind]
    scale = km * 1000 / template.distance_m
    local = datetime.combine(day, time(18 if kind != "ride" else 8, 0))
    return copied(
        template,
        local,
        f"{day.isoformat()}-{index:04d}.fit",
        gear=shoe if template.sport.is_running else None,
        distance_m=template.distance_m * scale,
        moving_time_s=template.moving_time_s * scale,
        elapsed_time_s=template.elapsed_time_s * scale,
        timer_time_s=template.timer_time_s * scale,
    )


def ten_years(seed: int = 3) -> list[ActivitySummary]:
    rng = np.random.default_rng(seed)
    out: list[ActivitySummary] = []
    shoe, shoe_km = 1, 0.0
    monday = FIRST_MONDAY
    week = 0
    while monday <= LAST_RUN:
        block = week % 12  # a 12-week block: build for 9 weeks, then 3 easier
        base_km = 30 + 15 * np.sin(week / 52 * 2 * np.pi) + (2.5 * block if block < 9 else -5)
        resting = BREAK[0] <= monday <= BREAK[1]
        marathon = monday.month == 10 and monday.day <= 7
        plan: list[tuple[str, int, float]] = []
        if not resting:
            easy = max(base_km, 12) / 4
            plan += [("easy", 1, easy), ("tempo", 3, easy * 0.9), ("easy", 5, easy * 0.8)]
            long_km = 42.2 if marathon else easy * 1.6
            plan.append(("trail" if week % 5 == 0 else "easy", 6, long_km))
        if week % 3 != 1:
            plan.append(("ride", 2, 25 + 20 * rng.random()))
        if rng.random() < 0.3:
            plan.append(("walk", 4, 3 + 4 * rng.random()))
        for kind, weekday, km in plan:
            day = monday + timedelta(days=weekday)
            if day > LAST_RUN:
                continue
            km = round(km * (0.9 + 0.2 * rng.random()), 1)
            running = kind in ("easy", "tempo", "trail")
            if running:
                shoe_km += km
                if shoe_km > SHOE_KM:
                    shoe, shoe_km = shoe + 1, km
            out.append(_session(kind, day, km, len(out), f"Road shoe {shoe}" if running else None))
        monday += timedelta(weeks=1)
        week += 1
    out.append(_session("walk", LAST_WALK, 4.0, len(out), None))
    return sorted(out, key=lambda s: (s.start_time, s.id))


def ten_year_analysis(today: date = date(2026, 12, 4)) -> Analysis:
    """``ten_years`` aggregated and assessed, reported on ``today`` (by default long after the
    last run, as in the report that prompted this history)."""
    return analysis_of(ten_years(), today)
