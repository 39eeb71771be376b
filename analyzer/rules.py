"""The assess step: the rule table (docs/findings.md, from evidence.md) turns a History into
findings, each tied to one cause the guide names, with its numbers, advice and evidence.

Rules are data (``RULES``: cause, thresholds a user may override, advice, evidence and its
strength) plus one small pure function each. Rules that compare with the past stay silent
until enough past exists; ``warming_up`` says which still are. Wording stays as honest as the
evidence: "associated with", never "causes".
"""

from __future__ import annotations

import datetime as dt
import enum
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from types import MappingProxyType

import numpy as np

from analyzer.guide import CAUSES, Cause
from analyzer.identity import Placed
from analyzer.metrics.heart import heart_limits
from analyzer.model import Sport
from analyzer.settings import AthleteProfile, Settings
from analyzer.training_load import History, RunContext, Week

HISTORY_DAYS = 28  # before a run or week is compared with "your recent past"


class Severity(enum.IntEnum):
    INFO = 1
    CAUTION = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    cause: Cause
    measurement: str
    thresholds: Mapping[str, float]
    advice: str
    evidence: str
    strength: str
    needs: str  # what history the rule waits for ("" when none)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    cause: Cause
    severity: Severity
    date: dt.date  # the run's local date, or the week's first day
    message: str
    advice: str
    evidence: str
    activity_id: str | None = None
    week_start: dt.date | None = None
    values: Mapping[str, float] = field(default_factory=dict)
    raised_from: Severity | None = None  # the training alone's severity, when the profile raised it


@dataclass(frozen=True, slots=True)
class Assessment:
    findings: list[Finding]
    warming_up: list[tuple[str, str]]  # (rule id, why it is still silent)


def _rule(
    id: str, cause: Cause, measurement: str, thresholds: dict[str, float], evidence: str,
    strength: str, needs: str = "", advice: str | None = None,
) -> Rule:  # fmt: skip
    return Rule(id, cause, measurement, MappingProxyType(thresholds),
                advice or CAUSES[cause].advice, evidence, strength, needs)  # fmt: skip


FRANDSEN = (
    "Frandsen et al., Br J Sports Med 2025;59(17):1203-10 (5,205 runners, 588,071 sessions): "
    "overuse-injury hazard 1.64x for a run 10-30 % longer than the longest of the previous 30 "
    "days, 1.52x for 30-100 %, 2.28x for more than 100 %"
)

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        _rule(
            "session_spike",
            Cause.OVERUSE,
            "a run's distance / the longest run of the 30 days before it",
            {"caution": 1.10, "high": 1.30},
            FRANDSEN,
            "moderate (observational, self-reported injuries); the strongest runner-specific "
            "signal known",
            needs="28 days of history before the run",
            advice="Keep any single run close to your longest of the last month and build "
            "longer runs up in small steps.",
        ),
        _rule(
            "weekly_increase",
            Cause.OVERUSE,
            "running distance this week vs last week, and vs the mean of the previous 4 weeks",
            {"info": 10.0, "caution": 30.0, "min_base_km": 5.0},
            "Nielsen et al., JOSPT 2014; Damsted et al., JOSPT 2019; Buist et al., Am J Sports "
            "Med 2008 (a trial of the 10 % rule found no difference); Frandsen et al. 2025 "
            "found no relationship for the week-to-week ratio",
            "weak: the 10 % rule is a rule of thumb; single-run spikes matter more",
            needs="28 days of history and a complete previous week",
        ),
        _rule(
            "acwr",
            Cause.OVERUSE,
            "acute:chronic ratio of running distance, 7-day vs 28-day EWMA",
            {"info": 1.5},
            "Gabbett, BJSM 2016; Williams et al., BJSM 2017; criticised by Lolli et al., BJSM "
            "2019 and Impellizzeri et al., Sports Med 2021; in runners Frandsen et al. 2025 "
            "found a negative dose-response",
            "weak: context only, never an injury-risk score",
            needs="28 days of history",
        ),
        _rule(
            "monotony",
            Cause.OVERUSE,
            "Foster monotony over 7 days (mean daily distance / SD, rest days zero)",
            {"caution": 2.0},
            "Foster, MSSE 1998 (the outcome studied was illness)",
            "weak for injury; a practitioner convention",
            needs="7 days of history",
            advice="Vary hard and easy days and keep real rest days.",
        ),
        _rule(
            "high_volume",
            Cause.VOLUME,
            "weekly running distance",
            {"info": 64.0},
            "van der Worp et al., PLoS One 2015 (systematic review; differs by sex)",
            "weak: context only",
        ),
        _rule(
            "low_cadence",
            Cause.FORM,
            "time-weighted median cadence of the week's easy road, track and treadmill runs",
            {"caution": 160.0, "high": 150.0},
            "Heiderscheit et al., MSSE 2011 (+5-10 % cadence lowers hip and knee load); Lyght "
            "et al., J Appl Biomech 2016 (+5 % lowers Achilles stress); Luedke et al., MSSE "
            "2016 (<= 166 spm and shin injuries in adolescents)",
            "biomechanics strong, injury evidence weak; cadence rises with speed and falls "
            "with height",
        ),
        _rule(
            "cadence_drop",
            Cause.FORM,
            "a run's cadence vs your own 8-week cadence-vs-speed baseline at its speed",
            {"caution": 5.0},
            "heuristic on the low_cadence evidence",
            "weak (heuristic)",
            needs="5 runs with cadence in the previous 8 weeks",
        ),
        _rule(
            "overstride_proxy",
            Cause.FORM,
            "step length vs what your baseline predicts at the same speed, with a cadence drop",
            {"caution": 5.0},
            "no validated watch threshold exists: a watch cannot see where the foot lands",
            "very weak: a possible sign only",
            needs="5 runs with cadence in the previous 8 weeks",
            advice="A slightly shorter, quicker stride may help; if it persists, a video of "
            "your running or a gait analysis can show whether you overstride.",
        ),
        _rule(
            "form_drift",
            Cause.FORM,
            "last quarter vs first half of a run at similar speed: cadence, contact time",
            {"cadence_pct": -3.0, "contact_time_pct": 5.0},
            "fatigue changes gait (general biomechanics literature)",
            "weak: informational",
            advice="Strength work for calves and hips; keep long runs to a length your form "
            "holds for, and build from there.",
        ),
        _rule(
            "hill_load",
            Cause.SURFACES_HILLS,
            "weekly ascent and descent vs the 4-week mean; a run's descent vs the 30 days before",
            {"ratio": 1.3, "min_week_m": 300.0, "min_run_m": 150.0},
            "Vernillo et al., Sports Med 2017 (uphill: more plantarflexor work); Bontemps et "
            "al., Sports Med 2020 (downhill: eccentric damage, worst when unaccustomed)",
            "weak as a threshold",
            needs="28 days of history",
        ),
        _rule(
            "surface",
            Cause.SURFACES_HILLS,
            "share of the week's running on a surface (trail, track, treadmill, road), against"
            " the 4 weeks before (only when there was running in them)",
            {"new_share": 0.5, "old_share": 0.1},
            "the guide's advice; no threshold evidence",
            "none beyond the guide",
            needs="28 days of history",
        ),
        _rule(
            "intensity_spike",
            Cause.OVERUSE,
            "minutes in heart-rate zones 4-5 (or faster than threshold pace) vs the 4-week mean",
            {"ratio": 1.3, "min_increase_min": 15.0},
            "Schwellnus et al., BJSM 2011 (faster race pace and cramping); Green and Pizzari, "
            "BJSM 2017 (calf strains with high-speed running, team sports)",
            "weak",
            needs="28 days of history",
            advice="Add speed work and hill repeats gradually, like distance.",
        ),
        _rule(
            "heat",
            Cause.HYDRATION,
            "run duration and recorded temperature",
            {"long_min": 90.0, "warm_c": 18.0, "hot_min": 60.0, "hot_c": 25.0},
            "ACSM position stands (Armstrong et al., MSSE 1996; Sawka et al., MSSE 2007: avoid "
            "losing more than 2 % of body mass, avoid drinking more than you sweat); "
            "Schwellnus, BJSM 2009 and 2011 found no dehydration or sodium difference in "
            "runners who cramped",
            "weak: heat may contribute; cramps are multifactorial",
        ),
        _rule(
            "shoe_mileage",
            Cause.FOOTWEAR,
            "distance on each pair of shoes",
            {"caution": 480.0, "high": 800.0},
            "the guide (American Council on Exercise: 300-500 miles); Malisoux et al., Scand J "
            "Med Sci Sports 2015 (runners rotating several pairs: hazard ratio 0.61)",
            "convention, not an injury threshold",
        ),
        _rule(
            "cross_training",
            Cause.MUSCLES,
            "non-running activities in the last 28 days",
            {"days": 28.0},
            "Malisoux et al. 2015 (more hours of other sports, lower risk); Lauersen et al., "
            "BJSM 2014 and 2018 (strength training in sport generally)",
            "weak for runners",
            needs="28 days of history",
        ),
        _rule(
            "warmup",
            Cause.MUSCLES,
            "speed and heart rate of the first 10 minutes vs the rest of runs with hard efforts",
            {"hard_min": 10.0, "easier_fraction": 0.95},
            "the guide's advice; no threshold evidence",
            "none beyond the guide",
        ),
        _rule(
            "age",
            Cause.AGE,
            "the athlete's age, from the profile",
            {"info": 40.0},
            "McKean et al., Clin J Sport Med 2006 (runners 40 and over: more calf and Achilles "
            "injuries); Green and Pizzari 2017 (age and prior calf strain, team sports)",
            "moderate for an association; says nothing about one person",
        ),
    )
}


# A previous calf injury raises the overuse findings one level (docs/findings.md): the reviews
# find previous injury associated with another, but none tested how it changes load's effect.
PRIOR_INJURY_EVIDENCE = (
    "Hulme et al., Sports Med 2017;47(5):869-86 (systematic review of 73 studies: a history of "
    "previous injury associated with more running-related injuries); van der Worp et al., PLoS "
    "One 2015;10(2):e0114937 (systematic review: strong and moderate evidence that previous "
    "injury is associated with running injuries); Green and Pizzari, BJSM 2017;51(16):1189-94 "
    "(a previous calf strain and age the strongest risk factors for another, team sports and "
    "triathlon)"
)
PRIOR_INJURY_STRENGTH = (
    "moderate for the association (observational studies); no study tested whether a previous "
    "injury makes a change in training riskier, so the raise is a precaution"
)


def assess(history: History, settings: Settings) -> Assessment:
    limits = {
        rid: {**rule.thresholds, **settings.thresholds.get(rid, {})} for rid, rule in RULES.items()
    }
    findings = [f for rid, check in CHECKS.items() for f in check(history, limits[rid], settings)]
    if settings.profile.prior_calf_injury:
        findings = [raised(f) if weighs_more(f) else f for f in findings]
    findings.sort(key=lambda f: (-f.severity, f.date, f.rule), reverse=False)
    return Assessment(findings, warming_up(history))


#: Overuse rules a previous injury does not raise: acwr is context, never a risk score.
CONTEXT_ONLY = frozenset({"acwr"})


def weighs_more(finding: Finding) -> bool:
    """Whether a previous calf injury raises the finding: an overuse one that is a risk signal."""
    return finding.cause is Cause.OVERUSE and finding.rule not in CONTEXT_ONLY


def raised(finding: Finding) -> Finding:
    """``finding`` one severity level higher for a runner with a previous calf injury, saying so
    in its message and evidence; a high finding has no higher level and stays as it is."""
    if finding.severity is Severity.HIGH:
        return finding
    return replace(
        finding,
        severity=Severity(finding.severity + 1),
        message=f"{finding.message} Raised from {finding.severity.label}: a previous calf injury "
        "is associated with a higher risk of another.",
        evidence=f"{finding.evidence} Raised for a previous calf injury: {PRIOR_INJURY_EVIDENCE}. "
        f"Strength: {PRIOR_INJURY_STRENGTH}.",
        raised_from=finding.severity,
    )


def warming_up(history: History) -> list[tuple[str, str]]:
    """Rules still silent at the end of the history for want of past, with what they wait for."""
    days = (history.last_day - history.first_day).days + 1
    silent = []
    for rid, rule in RULES.items():
        if "28 days" in rule.needs and days < HISTORY_DAYS:
            silent.append((rid, f"needs {rule.needs}; the files cover {days} days"))
        elif "5 runs" in rule.needs and history.contexts and history.contexts[-1].baseline_runs < 5:
            silent.append((rid, f"needs {rule.needs}"))
    return silent


# --- the checks: each (history, thresholds, settings) -> findings ------------------------------

Limits = Mapping[str, float]


def _finding(rule_id: str, severity: Severity, day: date, message: str, *,
             activity: str | None = None, week: date | None = None,
             **values: float) -> Finding:  # fmt: skip
    """A finding of ``rule_id``; ``values`` are the numbers behind the message, as fields."""
    rule = RULES[rule_id]
    evidence = f"{rule.evidence}. Strength: {rule.strength}."
    return Finding(rule_id, rule.cause, severity, day, message, rule.advice, evidence,
                   activity, week, MappingProxyType(values))  # fmt: skip


def _pct(change: float) -> str:
    """``+12 %``, ``-17 %``, and ``0 %`` (not ``-0 %``) under half a percent."""
    return "0 %" if round(change) == 0 else f"{change:+.0f} %"


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f} km"


def _judged(ctx_days: int) -> bool:
    return ctx_days >= HISTORY_DAYS


def session_spike(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for ctx in h.contexts:
        ratio = ctx.spike_ratio
        if not _judged(ctx.history_days) or not np.isfinite(ratio) or ratio <= lim["caution"]:
            continue
        severity = Severity.HIGH if ratio > lim["high"] else Severity.CAUTION
        s = ctx.placed.summary
        more = " (more than double)" if ratio > 2.0 else ""
        yield _finding(
            "session_spike", severity, ctx.placed.local_date,
            f"{_km(s.distance_m)}, {ratio:.1f}x your longest run in the previous 30 days "
            f"({_km(ctx.longest_previous_m)}){more}. Runs this much longer than the recent "
            f"longest are associated with more overuse injuries.",
            activity=s.id, ratio=ratio, distance_m=s.distance_m,
            longest_previous_m=ctx.longest_previous_m,
        )  # fmt: skip


def _complete_weeks(h: History) -> Iterator[tuple[int, Week]]:
    """Complete weeks that start at least 28 days into the history."""
    for i, week in enumerate(h.weeks):
        if week.complete and (week.week_start - h.first_day).days >= HISTORY_DAYS:
            yield i, week


def weekly_increase(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for i, week in _complete_weeks(h):
        last = h.weeks[i - 1]
        base_ok = last.running_distance_m >= lim["min_base_km"] * 1000
        vs_last = week.change_vs_last_week_pct if base_ok else float("nan")
        vs_mean = week.change_vs_4_week_mean_pct
        if (np.isfinite(vs_last) and vs_last > lim["caution"]) or (
            np.isfinite(vs_mean) and vs_mean > lim["caution"]
        ):
            severity = Severity.CAUTION
        elif np.isfinite(vs_last) and vs_last > lim["info"]:
            severity = Severity.INFO
        else:
            continue
        changes = []
        if np.isfinite(vs_last):
            changes.append(f"{_pct(vs_last)} on last week ({_km(last.running_distance_m)})")
        if np.isfinite(vs_mean):  # the mean itself, from the change on it (never -100 %)
            mean_m = week.running_distance_m / (1 + vs_mean / 100)
            changes.append(f"{_pct(vs_mean)} on the 4-week mean ({_km(mean_m)})")
        if not (np.isfinite(vs_last) and vs_last > lim[severity.label]):
            # Raised to its level by the mean alone (say, a week below the one before, well
            # above weeks lightened by a break): said first, as the finding is about it.
            changes.reverse()
        parts = [f"{_km(week.running_distance_m)} this week", *changes]
        yield _finding(
            "weekly_increase", severity, week.week_start,
            ", ".join(parts) + ". The 10 % rule is a rule of thumb; single-run spikes are the "
            "stronger signal.",
            week=week.week_start, distance_m=week.running_distance_m,
            change_vs_last_week_pct=vs_last, change_vs_4_week_mean_pct=vs_mean,
        )  # fmt: skip


def acwr(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for _i, week in _complete_weeks(h):
        if np.isfinite(week.acwr_ewma) and week.acwr_ewma > lim["info"]:
            yield _finding(
                "acwr", Severity.INFO, week.week_start,
                f"Acute:chronic distance ratio {week.acwr_ewma:.2f} at the end of the week "
                f"(rolling 7/28: {week.acwr_rolling:.2f}). Context only: this ratio is not an "
                f"injury-risk score.",
                week=week.week_start, acwr_ewma=week.acwr_ewma, acwr_rolling=week.acwr_rolling,
            )  # fmt: skip


def monotony(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for week in h.weeks:
        if week.complete and np.isfinite(week.monotony) and week.monotony > lim["caution"]:
            yield _finding(
                "monotony", Severity.CAUTION, week.week_start,
                f"Training monotony {week.monotony:.1f} (strain {week.strain:.0f}): days of "
                f"very similar distance with few rest days.",
                week=week.week_start, monotony=week.monotony, strain=week.strain,
            )  # fmt: skip


def high_volume(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for week in h.weeks:
        if week.running_distance_m > lim["info"] * 1000:
            yield _finding(
                "high_volume", Severity.INFO, week.week_start,
                f"{_km(week.running_distance_m)} this week, above the "
                f"{lim['info']:.0f} km (40 mi) the guide mentions.",
                week=week.week_start, distance_m=week.running_distance_m,
            )  # fmt: skip


_ROAD = frozenset({Sport.RUNNING, Sport.TRACK, Sport.TREADMILL})
EASY_HARD_FRACTION = 0.2  # a run with less than this share of hard minutes counts as easy


def _easy_road(p: Placed) -> bool:
    s = p.summary
    hard = s.intensity.hard_time_s
    return s.sport in _ROAD and not (
        np.isfinite(hard) and s.moving_time_s > 0 and hard > EASY_HARD_FRACTION * s.moving_time_s
    )


def low_cadence(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for week in h.weeks:
        end = week.week_start + timedelta(days=7)
        runs = [p for p in h.runs_by_day.between(week.week_start, end) if _easy_road(p)]
        points = [(p.summary.cadence.median_spm, p.summary.moving_time_s) for p in runs
                  if np.isfinite(p.summary.cadence.median_spm)]  # fmt: skip
        if not points:
            continue
        values, weights = np.array(points).T
        median = float(np.average(values, weights=weights))
        if median >= lim["caution"]:
            continue
        severity = Severity.HIGH if median < lim["high"] else Severity.CAUTION
        yield _finding(
            "low_cadence", severity, week.week_start,
            f"Median cadence {median:.0f} steps/min over {len(points)} easy run(s), below "
            f"{lim['caution']:.0f}. A lower cadence means longer steps and more load per step; "
            f"aim for 5-10 % above your own usual, not a fixed number.",
            week=week.week_start, median_cadence_spm=median, runs=float(len(points)),
        )  # fmt: skip


def _baselined(h: History) -> Iterator[RunContext]:
    for ctx in h.contexts:
        if ctx.placed.summary.sport in _ROAD and np.isfinite(ctx.cadence_vs_baseline_pct):
            yield ctx


def cadence_drop(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for ctx in _baselined(h):
        drop = -ctx.cadence_vs_baseline_pct
        if drop >= lim["caution"]:
            s = ctx.placed.summary
            yield _finding(
                "cadence_drop", Severity.CAUTION, ctx.placed.local_date,
                f"Cadence {s.cadence.mean_spm:.0f} steps/min, {drop:.1f} % below what your "
                f"previous 8 weeks predict at this speed ({ctx.expected_cadence_spm:.0f}; "
                f"{ctx.baseline_basis}).",
                activity=s.id, cadence_spm=s.cadence.mean_spm,
                expected_cadence_spm=ctx.expected_cadence_spm, drop_pct=drop,
            )  # fmt: skip


def overstride_proxy(h: History, lim: Limits, s_: Settings) -> Iterator[Finding]:
    drop_limit = RULES["cadence_drop"].thresholds["caution"]
    drop_limit = s_.thresholds.get("cadence_drop", {}).get("caution", drop_limit)
    for ctx in _baselined(h):
        longer = ctx.step_length_vs_baseline_pct
        if longer >= lim["caution"] and -ctx.cadence_vs_baseline_pct >= drop_limit:
            s = ctx.placed.summary
            height = s_.profile.height_m
            ratio = f", {s.cadence.step_length_m / height:.2f} of your height" if height else ""
            yield _finding(
                "overstride_proxy", Severity.CAUTION, ctx.placed.local_date,
                f"Steps of {s.cadence.step_length_m:.2f} m{ratio}, {longer:.1f} % longer than "
                f"your baseline predicts at this speed, with fewer steps per minute: a possible "
                f"sign of overstriding, which a watch cannot confirm.",
                activity=s.id, step_length_m=s.cadence.step_length_m, longer_pct=longer,
            )  # fmt: skip


def form_drift(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for p in h.runs:
        d = p.summary.dynamics
        cad_bad = np.isfinite(d.cadence_drift_pct) and d.cadence_drift_pct <= lim["cadence_pct"]
        gct_bad = (
            np.isfinite(d.contact_time_drift_pct)
            and d.contact_time_drift_pct >= lim["contact_time_pct"]
        )
        if cad_bad or gct_bad:
            parts = []
            if np.isfinite(d.cadence_drift_pct):
                parts.append(f"cadence {d.cadence_drift_pct:+.1f} %")
            if np.isfinite(d.contact_time_drift_pct):
                parts.append(f"ground contact time {d.contact_time_drift_pct:+.1f} %")
            yield _finding(
                "form_drift", Severity.INFO, p.local_date,
                f"In the last quarter of the run at similar speed: {', '.join(parts)} against "
                f"the first half, a pattern associated with fatigue.",
                activity=p.summary.id, cadence_drift_pct=d.cadence_drift_pct,
                contact_time_drift_pct=d.contact_time_drift_pct,
            )  # fmt: skip


def hill_load(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for i, week in _complete_weeks(h):
        previous = h.weeks[max(i - 4, 0) : i]
        if len(previous) < 4:
            continue
        parts: list[str] = []
        means = {}
        for label, value, past in (
            ("descent", week.descent_m, [w.descent_m for w in previous]),
            ("ascent", week.ascent_m, [w.ascent_m for w in previous]),
        ):
            mean = means[label] = float(np.mean(past))
            if value >= lim["min_week_m"] and value > lim["ratio"] * mean:
                ratio = f"{value / mean:.1f}x" if mean > 0 else "far above"
                parts.append(f"{value:.0f} m of {label}, {ratio} your 4-week mean ({mean:.0f} m)")
        if parts:
            yield _finding(
                "hill_load", Severity.CAUTION, week.week_start,
                f"This week: {'; '.join(parts)}.", week=week.week_start,
                descent_m=week.descent_m, mean_descent_m=means["descent"],
                ascent_m=week.ascent_m, mean_ascent_m=means["ascent"],
            )  # fmt: skip
    starts = [p.summary.start_time for p in h.runs]  # in order: the 30 days are a slice
    for ctx in h.contexts:
        s = ctx.placed.summary
        descent = s.elevation.descent_m
        if not _judged(ctx.history_days) or not np.isfinite(descent) or descent < lim["min_run_m"]:
            continue
        start = s.start_time - timedelta(days=30)
        before = [p.summary.elevation.descent_m
                  for p in h.runs[bisect_left(starts, start) : bisect_left(starts, s.start_time)]
                  if np.isfinite(p.summary.elevation.descent_m)]  # fmt: skip
        most = max(before, default=0.0)
        if descent > lim["ratio"] * most:
            yield _finding(
                "hill_load", Severity.CAUTION, ctx.placed.local_date,
                f"{descent:.0f} m of descent in one run, the most in 30 days (previous most "
                f"{most:.0f} m). Unaccustomed downhill running loads the calf eccentrically.",
                activity=s.id, descent_m=descent, previous_most_m=most,
            )  # fmt: skip


def _surface(sport: Sport) -> str:
    return {Sport.TRAIL_RUNNING: "trail", Sport.TRACK: "track", Sport.TREADMILL: "treadmill"}.get(
        sport, "road"
    )


def surface(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    def shares(start: date, days: int) -> dict[str, float]:
        end = start + timedelta(days=days)
        totals: dict[str, float] = {}
        for p in h.runs_by_day.between(start, end):
            key = _surface(p.summary.sport)
            totals[key] = totals.get(key, 0.0) + p.summary.distance_m
        whole = sum(totals.values())
        return {k: v / whole for k, v in totals.items()} if whole > 0 else {}

    for _i, week in _complete_weeks(h):
        now = shares(week.week_start, 7)
        before = shares(week.week_start - timedelta(days=28), 28)
        if not before:  # no running to change from: a return after a break is load, not surface
            continue
        for name, share in now.items():
            if share > lim["new_share"] and before.get(name, 0.0) < lim["old_share"]:
                yield _finding(
                    "surface", Severity.INFO, week.week_start,
                    f"{share:.0%} of this week's running was on {name}, against "
                    f"{before.get(name, 0.0):.0%} in the 4 weeks before.",
                    week=week.week_start, share=share, previous_share=before.get(name, 0.0),
                )  # fmt: skip


def intensity_spike(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for i, week in _complete_weeks(h):
        past = [w.hard_time_s for w in h.weeks[max(i - 4, 0) : i]]
        if len(past) < 4:
            continue
        mean_min, now_min = float(np.mean(past)) / 60, week.hard_time_s / 60
        if now_min > lim["ratio"] * mean_min and now_min - mean_min >= lim["min_increase_min"]:
            yield _finding(
                "intensity_spike", Severity.CAUTION, week.week_start,
                f"{now_min:.0f} minutes of hard running this week against a 4-week mean of "
                f"{mean_min:.0f}.",
                week=week.week_start, hard_min=now_min, mean_hard_min=mean_min,
            )  # fmt: skip


def heat(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for p in h.runs:
        s = p.summary
        minutes, temp = s.moving_time_s / 60, s.heat.mean_c
        if not np.isfinite(temp):
            continue
        if (minutes >= lim["long_min"] and temp >= lim["warm_c"]) or (
            minutes >= lim["hot_min"] and temp >= lim["hot_c"]
        ):
            yield _finding(
                "heat", Severity.CAUTION, p.local_date,
                f"{minutes:.0f} minutes at a recorded {temp:.0f} C on average (max "
                f"{s.heat.max_c:.0f} C; wrist sensors read warm). Long runs in the heat may "
                f"contribute to dehydration and cramps.",
                activity=s.id, minutes=minutes, mean_temperature_c=temp,
            )  # fmt: skip


def shoe_mileage(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    for shoe in h.shoes:
        km = shoe.distance_m / 1000
        if (shoe.retired is not None and shoe.retired <= h.last_day) or km < lim["caution"]:
            continue
        severity = Severity.HIGH if km >= lim["high"] else Severity.CAUTION
        where = (
            f"past the {lim['high']:.0f} km"
            if severity is Severity.HIGH
            else f"within the {lim['caution']:.0f}-{lim['high']:.0f} km"
        )
        yield _finding(
            "shoe_mileage", severity, shoe.last_run or h.last_day,
            f"{shoe.name}: {km:.0f} km ({km / 1.609344:.0f} mi), {where} after which shoes are "
            "commonly replaced.",
            distance_m=shoe.distance_m,
        )  # fmt: skip


def cross_training(h: History, lim: Limits, _: Settings) -> Iterator[Finding]:
    days = int(lim["days"])
    if (h.last_day - h.first_day).days + 1 < days:
        return
    since = h.last_day - timedelta(days=days - 1)
    if not any(p.local_date >= since for p in h.others):
        yield _finding(
            "cross_training",
            Severity.INFO,
            h.last_day,
            f"No cross-training (cycling, swimming, strength...) in the files for the last "
            f"{days} days. Strength work itself rarely leaves a watch file: this only says the "
            f"folder holds none.",
        )


def warmup(h: History, lim: Limits, settings: Settings) -> Iterator[Finding]:
    """Runs with hard efforts whose first 10 minutes were already hard: by heart rate (at or
    above the zone-4 floor) where it was recorded, else by speed against the rest of the run."""
    for p in h.runs:
        s = p.summary
        w = s.warm_up
        hard_s = s.intensity.hard_time_s
        if not (np.isfinite(hard_s) and hard_s >= lim["hard_min"] * 60):
            continue
        zone4_bpm = heart_limits(settings.profile, p.local_date).zone_floors_bpm[2]
        if np.isfinite(w.first_10min_hr_bpm):
            no_easier_opening = w.first_10min_hr_bpm >= zone4_bpm
            how = (f"heart rate averaged {w.first_10min_hr_bpm:.0f} bpm in the first 10 minutes, "
                   f"at or above your zone 4 ({zone4_bpm:.0f} bpm)")  # fmt: skip
        else:
            no_easier_opening = w.first_10min_speed_m_s >= lim["easier_fraction"] * w.rest_speed_m_s
            how = (f"first 10 minutes at {w.first_10min_speed_m_s * 3.6:.1f} km/h against "
                   f"{w.rest_speed_m_s * 3.6:.1f} km/h for the rest")  # fmt: skip
        if no_easier_opening:
            yield _finding(
                "warmup", Severity.INFO, p.local_date,
                f"A run with {hard_s / 60:.0f} hard minutes and no easier opening: {how}.",
                activity=s.id, first_10min_hr_bpm=w.first_10min_hr_bpm,
                first_10min_speed_m_s=w.first_10min_speed_m_s, rest_speed_m_s=w.rest_speed_m_s,
            )  # fmt: skip


def age(h: History, lim: Limits, settings: Settings) -> Iterator[Finding]:
    # On the last run's day, not the last activity's: a walk months after the last run would
    # date it after the report's "now" (the last run, then), among the earlier findings.
    day = max((p.local_date for p in h.runs), default=h.last_day)
    years = athlete_age(settings.profile, day)
    if years is not None and years >= lim["info"]:
        yield _finding(
            "age",
            Severity.INFO,
            day,
            f"At {years}, calf and Achilles problems are more common in runners; give the "
            f"caution findings above more weight and allow more recovery.",
            age_years=float(years),
        )


def athlete_age(profile: AthleteProfile, on: date) -> int | None:
    return None if profile.birth_year is None else on.year - profile.birth_year


Check = Callable[[History, Limits, Settings], Iterator[Finding]]
CHECKS: dict[str, Check] = {
    "session_spike": session_spike, "weekly_increase": weekly_increase, "acwr": acwr,
    "monotony": monotony, "high_volume": high_volume, "low_cadence": low_cadence,
    "cadence_drop": cadence_drop, "overstride_proxy": overstride_proxy, "form_drift": form_drift,
    "hill_load": hill_load, "surface": surface, "intensity_spike": intensity_spike,
    "heat": heat, "shoe_mileage": shoe_mileage, "cross_training": cross_training,
    "warmup": warmup, "age": age,
}  # fmt: skip
assert CHECKS.keys() == RULES.keys()


@dataclass(frozen=True, slots=True)
class CauseStatus:
    cause: Cause
    title: str
    status: str  # "seen": findings; "nothing_seen": measured, nothing found; "cannot_be_seen"
    findings: int
    worst: Severity | None
    advice: str
    unseen: str | None  # what watch data cannot show about this cause


def cause_overview(findings: list[Finding]) -> list[CauseStatus]:
    """Every cause the guide names, so that silence is never read as "all clear"."""
    measurable = {rule.cause for rule in RULES.values()}
    out = []
    for cause, text in CAUSES.items():
        mine = [f for f in findings if f.cause is cause]
        if mine:
            status = "seen"
        elif cause in measurable:
            status = "nothing_seen"
        else:
            status = "cannot_be_seen"
        worst = max((f.severity for f in mine), default=None)
        out.append(
            CauseStatus(cause, text.title, status, len(mine), worst, text.advice, text.unseen)
        )
    return out
