"""Settings the library takes as plain values. The library never reads config files or the
environment: the CLI resolves flags > environment > config file > defaults and passes these in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
