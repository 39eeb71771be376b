"""Settings the library takes as plain values. The library never reads config files or the
environment: the CLI resolves flags > environment > config file > defaults and passes these in.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo

from analyzer.model import Sport


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True, slots=True)
class AthleteProfile:
    """All optional: a missing value lowers confidence in what needs it; it never crashes."""

    birth_year: int | None = None
    sex: Sex | None = None
    height_m: float | None = None
    max_heart_rate_bpm: float | None = None
    resting_heart_rate_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    prior_calf_injury: bool | None = None

    def fingerprint(self) -> str:
        """Changes whenever a value that per-run metrics depend on changes (for the store)."""
        return "|".join(
            str(v)
            for v in (
                self.sex,
                self.height_m,
                self.max_heart_rate_bpm,
                self.resting_heart_rate_bpm,
                self.threshold_pace_s_per_km,
                self.birth_year,
            )
        )


@dataclass(frozen=True, slots=True)
class Shoe:
    """A pair of shoes from the shoes list. Runs are matched by gear name (Strava exports);
    runs without gear go to the ``default`` pair in use on their date."""

    name: str
    first_use: date | None = None
    start_distance_m: float = 0.0  # worn before the first file the folder holds
    retired: date | None = None
    default: bool = False

    def in_use(self, on: date) -> bool:
        started = self.first_use is None or self.first_use <= on
        return started and (self.retired is None or on < self.retired)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the pipeline needs beyond the files; every field has a default."""

    profile: AthleteProfile = field(default_factory=AthleteProfile)
    timezone: tzinfo | None = None  # for files that do not record their UTC offset
    week_start: int = 0  # 0 = Monday ... 6 = Sunday
    shoes: tuple[Shoe, ...] = ()
    # rule id -> threshold name -> value, overriding the rule table's defaults
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # (path pattern, sport): the runner's word on what a file is, over the file and inference
    sport_overrides: tuple[tuple[str, Sport], ...] = ()
