"""Training histories built for the rule tests: synthetic runs written with the project's own
synthesizer, summarized, and aggregated exactly as the pipeline does."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from analyzer.metrics.summary import ActivitySummary, summarize
from analyzer.model import Format, Sport
from analyzer.pipeline import Analysis
from analyzer.readers import ReadFailure
from analyzer.rules import Assessment, Finding, assess
from analyzer.samplegen.synth import ActivitySpec, Segment, synth_activity
from analyzer.settings import AthleteProfile, Settings
from analyzer.training_load import History, build_history

MONDAY = date(2026, 1, 5)  # the first Monday of the test histories
OFFSET_S = 3600  # the runner lives at UTC+1
PROFILE = AthleteProfile(max_heart_rate_bpm=190, resting_heart_rate_bpm=50)


@dataclasses.dataclass(frozen=True)
class Session:
    day: date
    km: float
    sport: Sport = Sport.RUNNING
    speed_m_s: float = 2.9  # easy pace, about 5:45 min/km
    climb_m: float = 30.0
    cadence_at_3_m_s_spm: float | None = 165.0
    temperature_c: float = 12.0
    hour: int = 18
    extra: tuple[tuple[str, Any], ...] = ()


def steady_weeks(weeks: int, first: date = MONDAY, long_km: float = 12.0) -> list[Session]:
    """Three easy runs and a long run a week with a gentle progression (+2 % a week), and one
    ride: the history that must raise no caution or high finding."""
    sessions = []
    for w in range(weeks):
        monday = first + timedelta(weeks=w)
        grow = 1.02**w
        sessions += [
            Session(monday + timedelta(days=1), round(7.0 * grow, 1)),
            Session(monday + timedelta(days=3), round(7.5 * grow, 1)),
            Session(monday + timedelta(days=5), round(6.0 * grow, 1), hour=9),
            Session(monday + timedelta(days=6), round(long_km * grow, 1), hour=9),
            Session(
                monday + timedelta(days=2),
                25.0,
                Sport.CYCLING,
                speed_m_s=7.0,
                cadence_at_3_m_s_spm=None,
            ),
        ]
    return sessions


def summaries(sessions: Iterable[Session], seed: int = 1) -> list[ActivitySummary]:
    out = []
    for i, session in enumerate(sorted(sessions, key=lambda s: (s.day, s.hour))):
        rng = np.random.default_rng([seed, i])
        local = datetime.combine(session.day, time(session.hour, 0))
        spec = ActivitySpec(
            path=f"{session.day.isoformat()}-{i:03d}.fit",
            format=Format.FIT,
            sport=session.sport,
            start_s=local.replace(tzinfo=UTC).timestamp() - OFFSET_S,
            utc_offset_s=OFFSET_S,
            segments=(Segment(session.km * 1000, session.speed_m_s),),
            climb_m=session.climb_m,
            temperature_c=session.temperature_c,
            cadence_at_3_m_s_spm=session.cadence_at_3_m_s_spm,
            **dict(session.extra),
        )
        out.append(summarize(synth_activity(spec, rng), PROFILE))
    return out


def history(sessions: Iterable[Session], **settings: Any) -> tuple[History, Assessment]:
    options = Settings(**{"profile": PROFILE, **settings})
    built = build_history(summaries(sessions), options)
    assert built is not None
    return built, assess(built, options)


def analysis_of(
    items: Sequence[ActivitySummary], today: date | None = None,
    errors: Sequence[ReadFailure] = (), profile: AthleteProfile = PROFILE,
) -> Analysis:  # fmt: skip
    """Summaries aggregated and assessed as the pipeline does, reported on ``today``."""
    settings = Settings(profile=profile)
    built = build_history(items, settings)
    assert built is not None
    return Analysis(
        settings, list(items), list(errors), built, assess(built, settings),
        today=today or date.today(),
    )  # fmt: skip


def copied(
    template: ActivitySummary, local: datetime, path: str, **changes: Any
) -> ActivitySummary:
    """``template`` moved to the local start ``local`` (at the runners' UTC offset), as the file
    ``path``: a run copied onto the calendar, for long histories built in a second."""
    start = local.replace(tzinfo=UTC) - timedelta(seconds=OFFSET_S)
    return dataclasses.replace(template, id=path, path=path, start_time=start, **changes)


def of_rule(assessment: Assessment, rule: str) -> list[Finding]:
    return [f for f in assessment.findings if f.rule == rule]
