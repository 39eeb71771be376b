"""An athlete's line in the team overview: what a coach scans first, and how much attention it
asks for. Made from the athlete's analysis where it runs (a worker), completed by the team run
with what is new since its last run (``team``), and kept in the store as JSON (a rerun over
unchanged folders shows it again without making it).
"""

from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from analyzer.pipeline import Analysis
from analyzer.readers.sources import NOT_FOUND
from analyzer.report.digest import Digest, first_sentence
from analyzer.rules import Severity

__all__ = [
    "AthleteLine", "Attention", "NewFinding", "athlete_line", "by_attention", "new_finding",
]  # fmt: skip

#: The days of "this week's load", and the weeks before them that are its baseline.
LOAD_DAYS = 7
BASELINE_WEEKS = 4
#: Unreadable files named in the line (the athlete's report lists them all).
UNREADABLE_NAMED = 10


class Attention(enum.IntEnum):
    """How much an athlete's line asks of the coach, most first."""

    OK = 0
    DATA = 1  # the files say too little: no sync for a while, unreadable files
    WATCH = 2  # a new caution finding, or a high one still current
    ACT = 3  # a new high finding since the last run


@dataclass(frozen=True, slots=True)
class NewFinding:
    """A caution or high finding the athlete's previous run did not report (at that level)."""

    severity: str  # "caution" or "high"
    rule: str
    day: date
    text: str  # the finding's first sentence, with its numbers
    raised_from: str | None = None  # the training alone's severity, raised by the profile


@dataclass(frozen=True, slots=True)
class AthleteLine:
    id: str
    name: str
    as_of: date | None  # the athlete's report's "now" (report.digest)
    last_activity: date | None
    days_without_activity: int | None  # from the last activity to today
    no_sync: bool  # days_without_activity >= the team's no_sync_days
    activities: int
    files: int
    unreadable: int
    unreadable_named: tuple[str, ...]  # "path: reason", the first UNREADABLE_NAMED of them
    missing: tuple[str, ...]  # folders given where no activity file was found
    last_7_days_m: float  # running distance of the 7 days up to as_of
    baseline_week_m: float  # mean running distance of the 4 weeks before those 7 days
    spike_ratio: float  # the longest run of those 7 days / the longest of the 30 days before it
    spike_day: date | None
    current_high: int  # findings of the report's last 4 weeks
    current_caution: int
    prior_calf_injury: bool
    not_found: tuple[str, ...] = ()  # folders given that do not exist (not mounted, mistyped)
    new: tuple[NewFinding, ...] = ()  # since the last run: set by the team run
    reports: tuple[str, ...] = ()  # the athlete's report files, relative to the output folder
    unchanged: bool = False  # shown from the last run: nothing the reports depend on changed

    @property
    def load_ratio(self) -> float:
        """The last 7 days' distance over the baseline week (NaN without a baseline)."""
        if not self.baseline_week_m > 0:
            return math.nan
        return self.last_7_days_m / self.baseline_week_m

    @property
    def new_high(self) -> int:
        return sum(1 for f in self.new if f.severity == "high")

    @property
    def new_caution(self) -> int:
        return sum(1 for f in self.new if f.severity == "caution")

    @property
    def attention(self) -> Attention:
        if self.new_high:
            return Attention.ACT
        if self.new_caution or self.current_high:
            return Attention.WATCH
        if self.problems:
            return Attention.DATA
        return Attention.OK

    @property
    def problems(self) -> list[str]:
        """What is wrong with the athlete's data, for people."""
        out = []
        if self.activities == 0:
            out.append("no activity could be read")
        elif self.last_activity is None:
            out.append(
                f"none of the {self.activities} activities read can be counted (their report "
                "says why)"
            )
        elif self.no_sync and self.days_without_activity is not None:
            out.append(f"no activity for {self.days_without_activity} days")
        if self.unreadable:
            out.append(f"{self.unreadable} unreadable file{'s' if self.unreadable != 1 else ''}")
        out.extend(f"nothing found in {folder}" for folder in self.missing)
        out.extend(f"not found: {folder}" for folder in self.not_found)
        return out

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(asdict(self))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AthleteLine:
        days = {"as_of", "last_activity", "spike_day"}
        values: dict[str, Any] = {
            k: date.fromisoformat(v) if k in days and v else v for k, v in data.items()
        }
        values["missing"] = tuple(data["missing"])
        values["unreadable_named"] = tuple(data["unreadable_named"])
        values["reports"] = tuple(data["reports"])
        values["not_found"] = tuple(data.get("not_found", ()))
        values["spike_ratio"] = math.nan if data["spike_ratio"] is None else data["spike_ratio"]
        values["new"] = tuple(
            NewFinding(
                f["severity"],
                f["rule"],
                date.fromisoformat(f["day"]),
                f["text"],
                f.get("raised_from"),
            )
            for f in data["new"]
        )
        return cls(**values)

    def shown_again(self) -> AthleteLine:
        """The line of a rerun over the same files: nothing is new since the last run."""
        return replace(self, new=(), unchanged=True)


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO days, NaN as null."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def athlete_line(
    athlete_id: str, name: str, analysis: Analysis, d: Digest, no_sync_days: int
) -> AthleteLine:
    """The line of an athlete's analysis (what is new is the team run's to add)."""
    history = analysis.history
    placed = [*history.runs, *history.others] if history is not None else []
    last_activity = max((p.local_date for p in placed), default=None)
    days_without = (d.today - last_activity).days if last_activity is not None else None
    last_7 = baseline = 0.0
    spike, spike_day = math.nan, None
    if history is not None and d.as_of is not None:
        load_from = d.as_of - timedelta(days=LOAD_DAYS - 1)
        baseline_from = load_from - timedelta(weeks=BASELINE_WEEKS)
        for run in history.runs:
            if load_from <= run.local_date <= d.as_of:
                last_7 += run.summary.distance_m
            elif baseline_from <= run.local_date < load_from:
                baseline += run.summary.distance_m / BASELINE_WEEKS
        for context in history.contexts:
            day = context.placed.local_date
            ratio = context.spike_ratio
            if load_from <= day <= d.as_of and math.isfinite(ratio) and not ratio <= spike:
                spike, spike_day = ratio, day
    current = d.current
    not_found = tuple(e.path for e in analysis.errors if e.reason == NOT_FOUND)
    unreadable = [e for e in analysis.errors if e.reason != NOT_FOUND]
    return AthleteLine(
        id=athlete_id,
        name=name,
        as_of=d.as_of,
        last_activity=last_activity,
        days_without_activity=days_without,
        no_sync=days_without is not None and days_without >= no_sync_days,
        activities=len(analysis.summaries),
        files=analysis.stats.files,
        unreadable=len(unreadable),
        unreadable_named=tuple(f"{e.path}: {e.reason}" for e in unreadable[:UNREADABLE_NAMED]),
        missing=tuple(analysis.empty_paths),
        last_7_days_m=last_7,
        baseline_week_m=baseline,
        spike_ratio=spike,
        spike_day=spike_day,
        current_high=sum(1 for f in current if f.severity is Severity.HIGH),
        current_caution=sum(1 for f in current if f.severity is Severity.CAUTION),
        prior_calf_injury=bool(analysis.settings.profile.prior_calf_injury),
        not_found=not_found,
    )


def by_attention(lines: list[AthleteLine]) -> list[AthleteLine]:
    """Most attention first: what is new, then what is current, then the load against the
    athlete's own baseline and the spike, then data problems; ties by id."""

    def key(line: AthleteLine) -> tuple[float, ...] | tuple[Any, ...]:
        ratio = line.load_ratio
        return (
            -line.attention, -line.new_high, -line.new_caution, -line.current_high,
            -line.current_caution, -(ratio if math.isfinite(ratio) else 0.0),
            -(line.spike_ratio if math.isfinite(line.spike_ratio) else 0.0),
            -len(line.problems), line.id,
        )  # fmt: skip

    return sorted(lines, key=key)


def new_finding(
    severity: Severity, rule: str, day: date, message: str, raised_from: Severity | None
) -> NewFinding:
    raised = raised_from.name.lower() if raised_from is not None else None
    return NewFinding(severity.name.lower(), rule, day, first_sentence(message), raised)
