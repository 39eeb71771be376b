"""The committed ``sample_data/team/``: eight weeks of four runners of one club, for
``calfguard team``.

Each athlete is a week plan of their own, built with the single sample's pieces (``history``)
from a seed of their own, and ends on the single sample's last day (``HISTORY_END``) unless
the athlete stopped syncing. ``team.toml`` beside them gives the profiles, shoes and folders;
``README.md`` says who is who and, from the plan, what the team run should show. Same seed,
same bytes (see ``history``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from analyzer.readers.sources import TEAM_FILE
from analyzer.rules import RULES
from analyzer.samplegen.history import (
    HISTORY_END,
    MON,
    SAT,
    SUN,
    THU,
    TUE,
    GearFor,
    Kind,
    PlannedFile,
    Session,
    Shoe,
    Week,
    activities_csv,
    file_bytes,
    local_date,
    plan_weeks,
    shoe_km,
    shoe_toml,
    unique_runs,
    week_totals,
)

TEAM_WEEKS = 8
TEAM_END = HISTORY_END  # the single sample's last Sunday
TEAM_START = TEAM_END - timedelta(weeks=TEAM_WEEKS) + timedelta(days=1)
TEAM_NAME = "Sample Running Club"
NO_SYNC_DAYS = 7
TIMEZONE = "Europe/Zurich"
#: A watch that crashed just after starting: the file holds its header and part of the first
#: definitions, no record (about 200 bytes are needed before the first one).
UNREADABLE_FRACTION = 0.002


def no_shoes(kind: Kind, day: date, km: float) -> str | None:
    return None


def no_pairs(planned: list[PlannedFile]) -> list[Shoe]:
    return []


@dataclass(frozen=True, slots=True)
class Athlete:
    id: str
    name: str
    seed: int
    profile: dict[str, object]  # the team file's [athletes.athlete]
    weeks: tuple[Week, ...]
    sees: str  # what the coach should see in the team overview (README.md)
    folders: tuple[str, ...] = ()  # subfolders: a run's first export, then its copies
    gear: GearFor = no_shoes
    shoes: Callable[[list[PlannedFile]], list[Shoe]] = no_pairs


# --- the athletes ------------------------------------------------------------------------------

# fmt: off
ANA_STEADY = Week("steady: 3 runs, about 30 km", (
    Session(TUE, "easy", 8, file="gpx.gz"), Session(THU, "easy", 7.5, file="tcx.gz"),
    Session(SUN, "long", 14, at="08:30", file="fit.gz"),
))
ANA_WEEKS = (
    *[ANA_STEADY] * 6,
    Week("more: a fourth run and a longer long run", (
        Session(TUE, "easy", 8, file="gpx.gz"), Session(THU, "easy", 8, file="tcx.gz"),
        Session(SAT, "easy", 6, at="10:00", file="gpx.gz"),
        Session(SUN, "long", 16, at="08:30", file="fit.gz"),
    )),
    Week("the jump: about half again her 4-week mean, with a 26 km long run", (
        Session(MON, "easy", 6, file="gpx.gz"), Session(TUE, "easy", 10, file="fit.gz"),
        Session(THU, "easy", 10, file="fit.gz"),
        Session(SUN, "long", 26, at="08:30", file="fit.gz", name="Long Run 26 km",
                purpose="long-run spike: 26 km, 1.6x her longest of the previous 30 days"),
    )),
)

BEN_WEEK = (
    Session(TUE, "easy", 8, file="tcx.gz", climb_m=40),
    Session(THU, "easy", 9, file="fit.gz", climb_m=40),
    Session(SUN, "long", 14, at="08:30", file="gpx.gz", climb_m=80),
)
BEN_RIDE = Session(SAT, "ride", 30, at="09:30", file="gpx.gz")
BEN_WEEKS = tuple(
    Week("steady: 3 runs, about 31 km, and a ride every other week",
         BEN_WEEK + ((BEN_RIDE,) if week % 2 == 0 else ()))
    for week in range(TEAM_WEEKS)
)

CHLOE_WEEK = (
    Session(TUE, "easy", 7, file="fit.gz"), Session(THU, "easy", 6, file="fit.gz"),
    Session(SUN, "long", 12, at="09:00", file="gpx.gz"),
)
CHLOE_WEEKS = (
    *[Week("ordinary: 3 runs, about 25 km", CHLOE_WEEK)] * 2,
    Week("ordinary; Thursday's run also exported from her phone", (
        CHLOE_WEEK[0],
        Session(THU, "easy", 6, file="fit.gz", twin_gpx=True,
                purpose="duplicate: the watch file, and a GPX copy in her phone folder"),
        CHLOE_WEEK[2],
    )),
    *[Week("ordinary: 3 runs, about 25 km", CHLOE_WEEK)] * 3,
    Week("her last run: nothing synced after Tuesday", (
        Session(TUE, "easy", 7, file="fit.gz",
                purpose="her last file: 12 days before the others' last day"),
    )),
    Week("nothing synced", ()),
)

DEV_FOOTHILLS = Week("hilly: trail runs with 350-550 m of descent", (
    Session(TUE, "easy", 8, file="fit.gz"),
    Session(THU, "trail", 10, at="17:30", climb_m=350, file="gpx.gz"),
    Session(SUN, "trail", 16, at="08:30", climb_m=550, file="gpx.gz"),
))
DEV_MOUNTAINS = (
    Session(TUE, "easy", 8, file="fit.gz"),
    Session(THU, "trail", 10, at="17:30", climb_m=600, file="gpx.gz"),
    Session(SUN, "trail", 17, at="08:30", climb_m=1100, file="gpx.gz"),
)
DEV_WEEKS = (
    *[DEV_FOOTHILLS] * 4,
    Week("mountain block: 600 and 1100 m descents", DEV_MOUNTAINS),
    Week("mountain block; on Tuesday the watch crashed and he started again", (
        Session(TUE, "easy", 8, file="fit", truncated_at=UNREADABLE_FRACTION,
                purpose="unreadable: the watch crashed just after starting (0.2 % written)"),
        replace(DEV_MOUNTAINS[0], at="18:45"), *DEV_MOUNTAINS[1:],
    )),
    *[Week("mountain block: 600 and 1100 m descents", DEV_MOUNTAINS)] * 2,
)
# fmt: on

DEV_ROAD = "Road shoes (white)"
DEV_TRAIL = "Trail shoes (orange)"
DEV_TRAIL_FINAL_KM = 650.0  # within the 480-800 km after which shoes are commonly replaced


def dev_gear(kind: Kind, day: date, km: float) -> str | None:
    return None if kind == "ride" else DEV_TRAIL if kind == "trail" else DEV_ROAD


def dev_shoes(planned: list[PlannedFile]) -> list[Shoe]:
    """Start distances that put the trail pair near 650 km at the end."""
    runs = unique_runs([p for p in planned if not p.damaged])  # what the files will show
    return [
        Shoe(DEV_ROAD, date(2026, 6, 1), 180.0),
        Shoe(DEV_TRAIL, date(2025, 11, 1), round(DEV_TRAIL_FINAL_KM - shoe_km(runs, DEV_TRAIL), 1)),
    ]


ATHLETES = (
    Athlete(
        "ana", "Ana", 21,
        {"birth_year": 1993, "sex": "female", "height_m": 1.65, "max_heart_rate_bpm": 192,
         "resting_heart_rate_bpm": 48, "prior_calf_injury": True},
        ANA_WEEKS,
        "overuse in her last weeks (a weekly jump and a long-run spike), with a prior calf "
        "injury in her profile",
    ),
    Athlete(
        "ben", "Ben", 22,
        {"birth_year": 1996, "sex": "male", "height_m": 1.82, "max_heart_rate_bpm": 195,
         "resting_heart_rate_bpm": 45},
        BEN_WEEKS,
        "steady, sensible training: nothing to act on",
    ),
    Athlete(
        "chloe", "Chloe", 23,
        {"birth_year": 1969, "sex": "female", "height_m": 1.63, "max_heart_rate_bpm": 178,
         "resting_heart_rate_bpm": 55},
        CHLOE_WEEKS,
        "stopped syncing: no file for 12 days (the team's no_sync_days is 7); 57 years old",
        folders=("watch", "phone"),
    ),
    Athlete(
        "dev", "Dev", 24,
        {"birth_year": 1988, "sex": "male", "height_m": 1.78, "max_heart_rate_bpm": 188,
         "resting_heart_rate_bpm": 50},
        DEV_WEEKS,
        "hills: a mountain block after four hilly weeks; one unreadable file; his trail "
        "shoes near 650 km",
        gear=dev_gear,
        shoes=dev_shoes,
    ),
)  # fmt: skip


# --- building ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AthletePlan:
    athlete: Athlete
    files: list[PlannedFile]  # file names relative to the athlete's folder (ROOT/id)
    shoes: list[Shoe]

    @property
    def folders(self) -> list[str]:
        """The athlete's folders, relative to the team file."""
        return [f"{self.athlete.id}/{sub}" for sub in self.athlete.folders] or [self.athlete.id]

    @property
    def readable(self) -> list[PlannedFile]:
        """The files calfguard reads: the team's one damaged file is unreadable."""
        return [p for p in self.files if not p.damaged]

    @property
    def last_day(self) -> date:
        return max(local_date(p.activity) for p in self.readable)


def build_team() -> list[AthletePlan]:
    plans = []
    for athlete in ATHLETES:
        planned = plan_weeks(athlete.weeks, TEAM_START, athlete.seed, athlete.gear)
        files = sorted_into(planned, athlete.folders)
        plans.append(AthletePlan(athlete, files, athlete.shoes(planned)))
    return plans


def sorted_into(planned: list[PlannedFile], folders: tuple[str, ...]) -> list[PlannedFile]:
    """Each run's first export into the first folder, its copies into the second."""
    if not folders:
        return planned
    first, copies = folders
    seen: set[datetime] = set()
    out = []
    for p in planned:
        folder = copies if p.activity.start_time in seen else first
        seen.add(p.activity.start_time)
        name = f"{folder}/{p.filename}"
        out.append(replace(p, filename=name, activity=replace(p.activity, path=name)))
    return out


def spike(plan: AthletePlan) -> tuple[float, float, float, float]:
    """The last week's km and the mean of the 4 weeks before it; the longest run of the last
    week and the longest of the 30 days before it."""
    weekly = [t.run_km for t in week_totals(plan.readable, TEAM_START, TEAM_WEEKS)]
    runs = unique_runs(plan.readable)
    longest = max(
        (a for a in runs if local_date(a) >= TEAM_END - timedelta(days=6)),
        key=lambda a: a.device_totals.distance_m,
    )
    before = [
        a.device_totals.distance_m
        for a in runs
        if timedelta(0) < longest.start_time - a.start_time <= timedelta(days=30)
    ]
    return (
        weekly[-1],
        sum(weekly[-5:-1]) / 4,
        longest.device_totals.distance_m / 1000,
        max(before) / 1000,
    )


# --- writing -----------------------------------------------------------------------------------


def write_team(root: Path) -> list[Path]:
    plans = build_team()
    contents: dict[str, bytes] = {}
    for plan in plans:
        for p in plan.files:
            contents[f"{plan.athlete.id}/{p.filename}"] = file_bytes(p)
        if plan.shoes:  # files carry no gear: Strava's list says which runs used which pair
            contents[f"{plan.athlete.id}/activities.csv"] = activities_csv(plan.files).encode()
    contents[TEAM_FILE] = team_toml(plans).encode()
    contents["README.md"] = readme_text(plans, contents).encode()
    paths = []
    for name, data in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return f"[{', '.join(toml_value(item) for item in value)}]"
    return str(value)


def team_toml(plans: list[AthletePlan]) -> str:
    lines = [
        "# calfguard team file: calfguard team sample_data/team/",
        "# Generated by python -m analyzer.samplegen team sample_data/team (make sample-data).",
        "[team]",
        f'name = "{TEAM_NAME}"',
        f"no_sync_days = {NO_SYNC_DAYS}",
        "",
        "[defaults]",
        f'timezone = "{TIMEZONE}"  # GPX and TCX files do not record their UTC offset',
    ]
    for plan in plans:
        athlete = plan.athlete
        lines += ["", "[[athletes]]", f'id = "{athlete.id}"', f'name = "{athlete.name}"']
        if athlete.folders:
            lines.append(f"folders = {toml_value(plan.folders)}")
        lines += ["", "[athletes.athlete]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in athlete.profile.items()]
        for shoe in plan.shoes:
            lines += ["", *shoe_toml(shoe, "athletes.shoes")]
    return "\n".join(lines) + "\n"


def readme_text(plans: list[AthletePlan], contents: dict[str, bytes]) -> str:
    by_id = {plan.athlete.id: plan for plan in plans}
    who = []
    for plan in plans:
        a = plan.athlete
        files = len(plan.files)
        unreadable = files - len(plan.readable)
        first = min(local_date(p.activity) for p in plan.readable)
        who.append(
            f"| `{a.id}` | {a.name} | {', '.join(f'`{f}/`' for f in plan.folders)} "
            f"| {a.profile['birth_year']} | {files} | {unreadable} | {first} "
            f"| {plan.last_day:%a %Y-%m-%d} | {a.sees} |"
        )
    totals = {p.athlete.id: week_totals(p.readable, TEAM_START, TEAM_WEEKS) for p in plans}
    weeks = []
    for index in range(TEAM_WEEKS):
        cells = " | ".join(f"{totals[p.athlete.id][index].run_km:.1f}" for p in plans)
        descent = totals["dev"][index].descent_m
        weeks.append(
            f"| {index + 1} | {TEAM_START + timedelta(weeks=index)} | {cells} | {descent:.0f} |"
        )
    last_km, mean_km, long_km, longest_km = spike(by_id["ana"])
    others = max(plan.last_day for plan in plans)
    chloe = by_id["chloe"].last_day
    dev_shoe = next(s for s in by_id["dev"].shoes if s.name == DEV_TRAIL)
    return README_TEMPLATE.format(
        start=TEAM_START,
        end=TEAM_END,
        name=TEAM_NAME,
        no_sync=NO_SYNC_DAYS,
        who="\n".join(who),
        ids=" | ".join(f"{p.athlete.id} km" for p in plans),
        rule="|".join("---:" for _ in plans),
        weeks="\n".join(weeks),
        last_km=last_km,
        mean_km=mean_km,
        week_ratio=last_km / mean_km,
        week_caution=RULES["weekly_increase"].thresholds["caution"],
        long_km=long_km,
        longest_km=longest_km,
        long_ratio=long_km / longest_km,
        spike_high=RULES["session_spike"].thresholds["high"],
        last_day=others,
        chloe_day=chloe,
        chloe_gap=(others - chloe).days,
        shoe=DEV_TRAIL,
        shoe_start=dev_shoe.start_distance_km,
        shoe_final=DEV_TRAIL_FINAL_KM,
        count=sum(len(p.files) for p in plans),
        size_kb=sum(len(data) for data in contents.values()) / 1024,
    )


README_TEMPLATE = """\
# Sample team

Eight weeks ({start} to {end}, Monday to Sunday, Zurich local time) of the
four runners of the "{name}", for a coach's nightly `calfguard team sample_data/team/`.
Generated from fixed seeds by `python -m analyzer.samplegen team sample_data/team`
(`make sample-data`). Do not edit by hand: `tests/samplegen/test_team.py` checks that
these files are byte-identical to a fresh generation and that the numbers below are the plan's.

`team.toml` names the athletes, their profiles and folders, the time zone for all of them
(`[defaults]`) and Dev's shoes; an athlete with no activity for {no_sync} days is flagged.

| Id | Name | Folders | Born | Files | Unreadable | First day | Last day | What a coach should see |
|---|---|---|---:|---:|---:|---|---|---|
{who}

Weekly running km (each run once, readable files only), and Dev's weekly descent in metres:

| Week | Monday | {ids} | dev descent m |
|---:|---|{rule}|---:|
{weeks}

What the team run is expected to show:

- **ana**: overuse findings in her last weeks. Her last week holds {last_km:.1f} km, against
  a mean of {mean_km:.1f} km over the 4 weeks before: {week_ratio:.2f}x (`weekly_increase`
  cautions above +{week_caution:.0f} %). Its {long_km:.1f} km long run is {long_ratio:.2f}x
  her longest run of the 30 days before ({longest_km:.1f} km; `session_spike` is high above
  {spike_high:.2f}x). Her profile records a prior calf injury.
- **ben**: nothing that needs acting on: the same three runs every week, a ride every other
  week.
- **chloe**: her last file is from {chloe_day}, {chloe_gap} days before the others' last day
  ({last_day}): she stopped syncing. Her files are in two folders, `chloe/watch/` and
  `chloe/phone/`; the phone folder holds a GPX copy of one watch run, which counts once.
  Born in 1969 (the `age` rule's note).
- **dev**: hilly running from the start, then a mountain block from week 5 (`hill_load`).
  One FIT file is unreadable: the watch crashed just after starting, and he started it again
  (the run itself is in the next file). His trail shoes ("{shoe}", {shoe_start:.1f} km
  before these files) end near {shoe_final:.0f} km (`shoe_mileage`); his `activities.csv`
  says which runs used which pair.

{count} activity files, {size_kb:.0f} KiB in all.
"""
