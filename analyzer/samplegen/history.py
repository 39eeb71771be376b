"""The committed ``sample_data/``: sixteen weeks of one runner's watch exports, from a fixed seed.

The history is a declarative week plan (``WEEKS``); every situation the reports look for has
its place in it (see ``README.md`` written beside the files). Each session gets its own random
stream seeded by (seed, week, session), so editing one week leaves the others unchanged, and
gzip is written with ``mtime=0``: the same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

import numpy as np

from analyzer.model import Activity, Format, Sport
from analyzer.samplegen.fit_writer import fit_bytes
from analyzer.samplegen.gpx_writer import gpx_bytes
from analyzer.samplegen.synth import ActivitySpec, Origin, RouteKind, Segment, synth_activity
from analyzer.samplegen.tcx_writer import tcx_bytes

HISTORY_END = date(2026, 11, 22)  # a Sunday; the history is the 16 Monday-Sunday weeks before it
HISTORY_WEEKS = 16
HISTORY_START = HISTORY_END - timedelta(weeks=HISTORY_WEEKS) + timedelta(days=1)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

HOME: Origin = (47.3700, 8.5400)  # Zurich, 420 m
HOME_ALTITUDE_M = 420.0
TRAILHEAD: Origin = (47.3560, 8.4920)  # foot of the Uetliberg, 520 m
TRAILHEAD_ALTITUDE_M = 520.0
WATCH = "garmin/fr935"
PHONE = "strava/android"
TRUNCATED_FRACTION = 0.7  # the cut falls in the file's last third

Kind = Literal["easy", "long", "intervals", "trail", "ride"]


@dataclass(frozen=True, slots=True)
class Session:
    """One planned activity. ``file`` is the export format, with ".gz" when compressed."""

    day: int  # MON..SUN
    kind: Kind
    km: float
    at: str = "18:30"  # local start
    file: str = "fit"
    climb_m: float | None = None  # None: the kind's usual
    temperature_c: float | None = None  # None: the season's weather
    pause_s: float = 0.0
    twin_gpx: bool = False  # also exported as GPX from another app (a duplicate)
    truncated_at: float | None = None  # the watch died while saving: the file ends at this
    # fraction of its bytes (TRUNCATED_FRACTION: the tail is lost; near 0: nothing readable)
    phone: bool = False  # recorded by a phone app: no heart rate, cadence or barometer
    name: str | None = None
    purpose: str = ""  # non-empty when the session itself is a scenario


@dataclass(frozen=True, slots=True)
class Week:
    theme: str
    sessions: tuple[Session, ...]
    low_cadence: bool = False  # the weeks this runner overstrode: ~152 spm, longer steps


# fmt: off
WEEKS: tuple[Week, ...] = (
    Week("steady base, gentle progression", (
        Session(TUE, "easy", 8), Session(THU, "easy", 6), Session(SAT, "ride", 32, at="09:30"),
        Session(SUN, "long", 13, at="08:30", pause_s=90),
    )),
    Week("steady base, gentle progression", (
        Session(TUE, "easy", 7), Session(WED, "ride", 35, at="18:00"),
        Session(THU, "intervals", 8),
        Session(SUN, "long", 14.5, at="08:30", file="gpx", purpose="GPX exported from Strava"),
    )),
    Week("steady base, gentle progression", (
        Session(TUE, "easy", 7.5, pause_s=60), Session(THU, "easy", 7, file="tcx",
                                                       purpose="TCX exported from Garmin Connect"),
        Session(SAT, "long", 17, at="13:00", temperature_c=28,
                purpose="hot long run: 17 km, ~100 min at 28-30 °C"),
    )),
    Week("steady base, gentle progression", (
        Session(TUE, "easy", 6.5),
        Session(WED, "easy", 6, at="06:45", twin_gpx=True,
                purpose="duplicate: the same run as FIT and as a Strava GPX"),
        Session(THU, "intervals", 8), Session(SAT, "ride", 40, at="09:30"),
        Session(SUN, "long", 13, at="08:30"),
    )),
    Week("steady base, gentle progression", (
        Session(TUE, "easy", 8), Session(WED, "easy", 5, at="06:45"),
        Session(THU, "intervals", 8), Session(SAT, "ride", 38, at="09:30"),
        Session(SUN, "long", 14, at="08:30"),
    )),
    Week("mileage jump: ~50 % more than the week before", (
        Session(MON, "easy", 8), Session(TUE, "easy", 10), Session(WED, "ride", 30, at="18:00"),
        Session(THU, "intervals", 9), Session(FRI, "easy", 7, at="06:45"),
        Session(SUN, "long", 18, at="08:30"),
    )),
    Week("no cross-training for 4 weeks (weeks 7-10)", (
        Session(TUE, "easy", 8, file="gpx", phone=True,
                purpose="phone-app GPX: no heart rate, cadence or barometric altitude"),
        Session(THU, "easy", 8, pause_s=120), Session(SUN, "long", 15, at="08:30"),
    )),
    Week("hilly block: trail runs with 500-800 m descents", (
        Session(TUE, "easy", 8), Session(THU, "trail", 10, at="17:30", climb_m=500),
        Session(SAT, "trail", 14, at="08:30", climb_m=750),
    )),
    Week("hilly block; new road shoes from Tuesday", (
        Session(TUE, "easy", 8, purpose="first run in the new road shoes"),
        Session(WED, "trail", 9, at="17:30", climb_m=450),
        Session(SAT, "trail", 15, at="08:30", climb_m=800, file="fit.gz"),
    )),
    Week("hilly block: trail runs with 550-650 m descents", (
        Session(TUE, "easy", 7), Session(THU, "trail", 10, at="17:30", climb_m=550, file="gpx.gz"),
        Session(SUN, "trail", 13, at="08:30", climb_m=650),
    )),
    Week("low-cadence block: ~152 spm with longer steps at the usual pace", (
        Session(TUE, "easy", 8), Session(THU, "easy", 8),
        Session(SAT, "ride", 35, at="09:30", file="tcx.gz"),
        Session(SUN, "long", 14, at="08:30"),
    ), low_cadence=True),
    Week("low-cadence block; clocks go back on Sunday (UTC+2 -> UTC+1)", (
        Session(TUE, "easy", 8, pause_s=90), Session(THU, "intervals", 8),
        Session(SUN, "long", 15, at="08:30", purpose="first run in winter time (UTC+1)"),
    ), low_cadence=True),
    Week("normal cadence again", (
        Session(TUE, "easy", 7), Session(WED, "ride", 30, at="18:00"),
        Session(THU, "easy", 8, file="tcx"), Session(SAT, "easy", 6, at="10:00"),
        Session(SUN, "long", 15, at="08:30"),
    )),
    Week("long-run spike", (
        Session(TUE, "easy", 6), Session(THU, "easy", 7),
        Session(SUN, "long", 32, at="08:30", pause_s=180, name="Long Run 32 km Zürichsee",
                purpose="long-run spike: 32 km, over twice the longest of the previous 30 days"),
    )),
    Week("easy week after the spike", (
        Session(TUE, "easy", 6, truncated_at=TRUNCATED_FRACTION,
                purpose="damaged: FIT cut at 70 % (battery died while saving)"),
        Session(FRI, "easy", 8, at="23:30",
                purpose="midnight run: starts 23:30 local, ends after 00:00"),
        Session(SAT, "ride", 30, at="14:00"), Session(SUN, "easy", 11, at="09:00"),
    )),
    Week("steady again", (
        Session(TUE, "easy", 7), Session(THU, "easy", 8, pause_s=60),
        Session(SAT, "ride", 35, at="09:30"), Session(SUN, "long", 14, at="08:30"),
    )),
)
# fmt: on


@dataclass(frozen=True, slots=True)
class KindStyle:
    label: str  # in activity names: "Morning Trail Run"
    slug: str  # in file names: "2026-09-26-0832-trail-run.fit"
    sport: Sport
    pace_s_per_km: tuple[float, float]  # drawn uniformly; the speed on the flat
    climb_m: tuple[float, float]
    route: RouteKind


KINDS: dict[Kind, KindStyle] = {
    "easy": KindStyle("Run", "easy-run", Sport.RUNNING, (330, 360), (30, 70), "loop"),
    "long": KindStyle("Run", "long-run", Sport.RUNNING, (345, 370), (60, 150), "out_and_back"),
    "intervals": KindStyle("Run", "intervals", Sport.RUNNING, (330, 350), (10, 20), "out_and_back"),
    "trail": KindStyle(
        "Trail Run", "trail-run", Sport.TRAIL_RUNNING, (345, 365), (400, 800), "loop"
    ),
    "ride": KindStyle("Ride", "ride", Sport.CYCLING, (125, 143), (150, 350), "loop"),
}
CADENCE_AT_3_M_S_SPM = 165.0
LOW_CADENCE_AT_3_M_S_SPM = 152.0


@dataclass(frozen=True, slots=True)
class Shoe:
    name: str
    first_use: date
    start_distance_km: float  # worn before the first recorded run
    retired: date | None = None


OLD_SHOE = "Road shoes (grey)"
OLD_SHOE_FINAL_KM = 790.0  # near the usual 800 km replacement mileage at the end
NEW_SHOE = "Road shoes (blue)"
NEW_SHOE_FROM = HISTORY_START + timedelta(weeks=8)  # Monday of week 9
TRAIL_SHOE = "Trail shoes"


def shoe_for(kind: Kind, local_day: date, km: float) -> str | None:
    """The new pair takes over mid-history; the old one stays in use for short runs."""
    if kind == "ride":
        return None
    if kind == "trail":
        return TRAIL_SHOE
    return OLD_SHOE if local_day < NEW_SHOE_FROM or km < 8 else NEW_SHOE


@dataclass(frozen=True, slots=True)
class PlannedFile:
    filename: str  # relative to the sample folder
    format: Format
    gzip: bool
    truncated_at: float | None  # the fraction of the file's bytes written, when cut short
    activity: Activity
    purpose: str

    @property
    def damaged(self) -> bool:
        return self.truncated_at is not None


# --- building ----------------------------------------------------------------------------------


#: The shoes a session is run in, from its kind, local date and planned km (None: no shoes).
GearFor = Callable[[Kind, date, float], str | None]


def build_history(seed: int = 7) -> list[PlannedFile]:
    """Every file of the sample folder, in time order."""
    return plan_weeks(WEEKS, HISTORY_START, seed, shoe_for)


def plan_weeks(weeks: Sequence[Week], start: date, seed: int, gear: GearFor) -> list[PlannedFile]:
    """Every file of a week plan whose first week starts on Monday ``start``, in time order."""
    planned: list[PlannedFile] = []
    for week_index, week in enumerate(weeks):
        monday = start + timedelta(weeks=week_index)
        for session_index, session in enumerate(week.sessions):
            rng = np.random.default_rng([seed, week_index, session_index])
            planned.extend(planned_files(week, session, monday, rng, gear))
    return sorted(planned, key=lambda p: (p.activity.start_time, p.filename))


def planned_files(
    week: Week, session: Session, monday: date, rng: np.random.Generator, gear: GearFor
) -> list[PlannedFile]:
    """The session's file, and its duplicate export if it has one."""
    local_start = datetime.combine(
        monday + timedelta(days=session.day), time.fromisoformat(session.at)
    )
    local_start += timedelta(seconds=int(rng.integers(0, 300)))  # nobody starts on the minute
    fmt, _, gz = session.file.partition(".")
    stem = f"{local_start:%Y-%m-%d-%H%M}-{KINDS[session.kind].slug}"
    cut = session.truncated_at is not None
    filename = f"{stem}{'-truncated' if cut else ''}.{session.file}"
    shoe = gear(session.kind, local_start.date(), session.km)
    activity = synth_activity(session_spec(week, session, local_start, filename, shoe, rng), rng)
    purpose = session.purpose or week.theme
    files = [
        PlannedFile(filename, Format(fmt), gz == "gz", session.truncated_at, activity, purpose)
    ]
    if session.twin_gpx:
        twin = f"{local_start:%Y-%m-%d}-strava-export.gpx"
        twin_activity = replace(activity, path=twin, format=Format.GPX)
        files.append(PlannedFile(twin, Format.GPX, False, None, twin_activity, purpose))
    return files


def session_spec(
    week: Week,
    session: Session,
    local_start: datetime,
    filename: str,
    shoe: str | None,
    rng: np.random.Generator,
) -> ActivitySpec:
    style = KINDS[session.kind]
    offset_s = zurich_utc_offset_s(local_start)
    fmt = session.file.partition(".")[0]
    trail = style.sport is Sport.TRAIL_RUNNING
    km = session.km + float(rng.uniform(0.0, 0.12))  # runners stop the watch a bit past the goal
    return ActivitySpec(
        path=filename,
        format=Format(fmt),
        sport=style.sport,
        start_s=(local_start - timedelta(seconds=offset_s)).replace(tzinfo=UTC).timestamp(),
        utc_offset_s=offset_s,
        segments=pace_plan(session.kind, km * 1000, rng),
        route=style.route,
        origin_deg=TRAILHEAD if trail else HOME,
        base_altitude_m=TRAILHEAD_ALTITUDE_M if trail else HOME_ALTITUDE_M,
        climb_m=session.climb_m or float(rng.uniform(*style.climb_m)),
        altitude_noise_m=3.0 if session.phone else 0.0,
        temperature_c=session.temperature_c or weather_c(local_start, rng),
        temperature_drift_c=2.0 if session.temperature_c else 1.0,  # a hot day gets hotter
        watch_sensors=not session.phone,
        cadence_at_3_m_s_spm=cadence_at_3_m_s_spm(week, session.kind),
        running_dynamics=fmt == "fit" and style.sport.is_running,  # the strap talks to the watch
        pause_s=session.pause_s,
        lap_m=5000.0 if style.sport is Sport.CYCLING else 1000.0,
        name=session.name or f"{time_of_day(local_start)} {style.label}",
        gear=shoe,
        device=PHONE if session.phone else WATCH,
        sub_sport="trail" if trail else None,
    )


def cadence_at_3_m_s_spm(week: Week, kind: Kind) -> float | None:
    """Steps/min at 3 m/s; None for rides (pedal cadence is not steps)."""
    if KINDS[kind].sport is Sport.CYCLING:
        return None
    return LOW_CADENCE_AT_3_M_S_SPM if week.low_cadence else CADENCE_AT_3_M_S_SPM


def pace_plan(kind: Kind, length_m: float, rng: np.random.Generator) -> tuple[Segment, ...]:
    """Speeds on the flat: steady, or 6 x 800 m fast with 400 m jogs inside a warm-up/cool-down."""
    steady = Segment(length_m, 1000 / float(rng.uniform(*KINDS[kind].pace_s_per_km)))
    if kind != "intervals":
        return (steady,)
    fast_m_s = 1000 / float(rng.uniform(245, 255))  # 4:05-4:15 min/km
    jog_m_s = 1000 / 390.0
    reps = ([Segment(800, fast_m_s), Segment(400, jog_m_s)] * 6)[:-1]
    warm_up_m = 1500.0
    cool_down_m = length_m - warm_up_m - sum(rep.length_m for rep in reps)
    return (Segment(warm_up_m, steady.speed_m_s), *reps, Segment(cool_down_m, steady.speed_m_s))


def zurich_utc_offset_s(local: datetime) -> int:
    """CET (+1 h), or CEST (+2 h) from the last Sunday of March to the last Sunday of October.

    The switches happen at 01:00 UTC; the repeated October hour counts as summer time.
    """

    def last_sunday_0100_utc(month: int) -> datetime:
        last_day = date(local.year, month, 31)
        return datetime.combine(last_day - timedelta(days=(last_day.weekday() - SUN) % 7), time(1))

    summer = last_sunday_0100_utc(3) <= local - timedelta(hours=2) < last_sunday_0100_utc(10)
    return 7200 if summer else 3600


def weather_c(local: datetime, rng: np.random.Generator) -> float:
    """Zurich air temperature: a seasonal cycle peaking in late July, warmest mid-afternoon."""
    season = math.cos(2 * math.pi * (local.timetuple().tm_yday - 200) / 365.25)
    hour = local.hour + local.minute / 60
    return 10.5 + 9.5 * season + 3.0 * math.cos(2 * math.pi * (hour - 15) / 24) + rng.normal(0, 1.5)


DAY_PARTS = {5: "Morning", 11: "Lunch", 14: "Afternoon", 18: "Evening", 22: "Night"}  # from hour


def time_of_day(local: datetime) -> str:
    """The word apps put in activity names ("Morning Run")."""
    started = [hour for hour in DAY_PARTS if hour <= local.hour]
    return DAY_PARTS[max(started)] if started else "Night"


# --- shoes -------------------------------------------------------------------------------------


def unique_runs(planned: list[PlannedFile]) -> list[Activity]:
    """Each recorded run once (a duplicate export has the same start time)."""
    seen: dict[datetime, Activity] = {}
    for p in planned:
        if p.activity.sport.is_running:
            seen.setdefault(p.activity.start_time, p.activity)
    return list(seen.values())


def shoes(planned: list[PlannedFile]) -> list[Shoe]:
    """The runner's shoes, with start distances that put the old pair near 800 km at the end."""
    runs = unique_runs(planned)

    def first_day(name: str) -> date:
        return min(local_date(a) for a in runs if a.gear == name)

    return [
        Shoe("Road shoes (old red)", date(2024, 9, 14), 0.0, retired=date(2026, 3, 1)),
        Shoe(OLD_SHOE, date(2026, 3, 1), round(OLD_SHOE_FINAL_KM - shoe_km(runs, OLD_SHOE), 1)),
        Shoe(TRAIL_SHOE, date(2025, 5, 10), 212.0),
        Shoe(NEW_SHOE, first_day(NEW_SHOE), 0.0),
    ]


def shoe_km(runs: list[Activity], name: str) -> float:
    """The km the runs put on one pair."""
    return sum(float(a.samples.distance_m[-1]) for a in runs if a.gear == name) / 1000


def local_date(activity: Activity) -> date:
    local = activity.local_start_time
    assert local is not None  # every synthetic activity has its offset
    return local.date()


def week_index(activity: Activity, start: date = HISTORY_START) -> int:
    """0 for the first Monday-Sunday week of the history (of a plan starting on ``start``)."""
    return (local_date(activity) - start).days // 7


# --- writing -----------------------------------------------------------------------------------

ENCODERS: dict[Format, Callable[[Activity], bytes]] = {
    Format.FIT: fit_bytes,
    Format.GPX: gpx_bytes,
    Format.TCX: tcx_bytes,
}
EXTRA_FILES = ("README.md", "calfguard.toml", "notes.txt", "activities.csv")
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")


def file_bytes(planned: PlannedFile) -> bytes:
    data = ENCODERS[planned.format](planned.activity)
    if planned.truncated_at is not None:
        data = data[: int(len(data) * planned.truncated_at)]
    return gzip.compress(data, mtime=0) if planned.gzip else data


def is_generated(name: str) -> bool:
    """Whether a file name in the sample folder is one this generator writes (or wrote before)."""
    return name in EXTRA_FILES or name.lower().endswith(ACTIVITY_SUFFIXES)


def write_history(folder: Path, seed: int = 7) -> list[Path]:
    planned = build_history(seed)
    folder.mkdir(parents=True, exist_ok=True)
    contents = {p.filename: file_bytes(p) for p in planned}
    contents["README.md"] = readme_text(planned, contents).encode()
    contents["calfguard.toml"] = config_toml(shoes(planned)).encode()
    contents["notes.txt"] = NOTES.encode()
    contents["activities.csv"] = activities_csv(planned).encode()
    paths = []
    for name, data in contents.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


#: The sample runner, as her config file describes her (the synthesizer's heart-rate model
#: rests near 62 bpm and reaches the mid-170s in intervals).
ATHLETE_TOML = """\
# calfguard config for the sample runner: calfguard report --config sample_data/calfguard.toml
timezone = "Europe/Zurich"  # GPX and TCX files do not record their UTC offset

[athlete]
birth_year = 1981
sex = "female"
height_m = 1.68
max_heart_rate_bpm = 186
resting_heart_rate_bpm = 50

# The runner's shoes. start_distance_km: worn before the first file in this folder.
"""


def config_toml(shoe_list: list[Shoe]) -> str:
    lines = [ATHLETE_TOML]
    for shoe in shoe_list:
        lines += [*shoe_toml(shoe, "shoes"), ""]
    return "\n".join(lines)


def shoe_toml(shoe: Shoe, table: str) -> list[str]:
    """One pair as a config file's ``[[shoes]]`` table (or a team file's ``athletes.shoes``)."""
    lines = [
        f"[[{table}]]",
        f'name = "{shoe.name}"',
        f"first_use = {shoe.first_use.isoformat()}",
        f"start_distance_km = {shoe.start_distance_km:.1f}",
    ]
    if shoe.retired is not None:
        lines.append(f"retired = {shoe.retired.isoformat()}")
    return lines


STRAVA_TYPES = {Sport.RUNNING: "Run", Sport.TRAIL_RUNNING: "Trail Run", Sport.CYCLING: "Ride"}
FIRST_ACTIVITY_ID = 15_300_000_000
STRAVA_COLUMNS = (
    "Activity ID",
    "Activity Date",
    "Activity Name",
    "Activity Type",
    "Elapsed Time",
    "Distance",
    "Activity Gear",
    "Filename",
)


def activities_csv(planned: list[PlannedFile]) -> str:
    """A Strava bulk-export ``activities.csv``: how the readers learn each file's shoes.

    Activity files carry no gear; Strava's list names each file's activity, type and gear.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STRAVA_COLUMNS)
    for index, p in enumerate(planned):
        a, utc = p.activity, p.activity.start_time
        writer.writerow(
            [
                FIRST_ACTIVITY_ID + index,
                f"{utc:%b} {utc.day}, {utc.year}, {utc.hour % 12 or 12}:{utc:%M:%S} "
                + ("AM" if utc.hour < 12 else "PM"),  # Strava's UTC format, locale-free
                a.name,
                STRAVA_TYPES[a.sport],
                round(a.device_totals.elapsed_time_s),
                f"{a.device_totals.distance_m / 1000:.2f}",
                a.gear or "",
                p.filename,
            ]
        )
    return out.getvalue()


NOTES = """\
Training diary (not an activity file: calfguard skips it)

2026-08-22  Hot long run at lunchtime, 28-30 degrees. Drank 1 l, still cooked.
2026-09-13  Big week. Calves a bit tight.
2026-10-01  New blue road shoes feel great. Uetliberg descents are hard on the calves.
2026-10-20  Stride feels long and loping lately.
2026-11-08  32 km along the lake! Left calf sore in the evening.
2026-11-10  Watch battery died while saving, the file is cut short.
2026-11-13  Late run after work, home after midnight.
"""


def clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def readme_text(planned: list[PlannedFile], contents: dict[str, bytes]) -> str:
    rows = []
    for p in planned:
        a, totals = p.activity, p.activity.device_totals
        flags = ", ".join(flag for flag, on in (("gzip", p.gzip), ("damaged", p.damaged)) if on)
        rows.append(
            f"| `{p.filename}` | {a.local_start_time:%a %Y-%m-%d %H:%M} | {a.sport.value} "
            f"| {totals.distance_m / 1000:.1f} | {clock(totals.timer_time_s)} "
            f"| {totals.descent_m:.0f} | {flags} | {p.purpose} |"
        )
    size_kb = sum(len(data) for data in contents.values()) / 1024
    return README_TEMPLATE.format(
        start=HISTORY_START,
        end=HISTORY_END,
        weeks=week_rows(planned),
        count=len(planned),
        size_kb=size_kb,
        rows="\n".join(rows),
    )


@dataclass(frozen=True, slots=True)
class WeekTotals:
    monday: date
    runs: int  # each recorded run once
    run_km: float
    descent_m: float  # of the runs
    rides: int


def week_totals(planned: list[PlannedFile], start: date, weeks: int) -> list[WeekTotals]:
    """Per Monday-Sunday week of a plan starting on ``start``: its runs and rides."""
    runs = unique_runs(planned)
    rides = [p.activity for p in planned if p.activity.sport is Sport.CYCLING]
    totals = []
    for index in range(weeks):
        week_runs = [a for a in runs if week_index(a, start) == index]
        totals.append(
            WeekTotals(
                monday=start + timedelta(weeks=index),
                runs=len(week_runs),
                run_km=sum(a.device_totals.distance_m for a in week_runs) / 1000,
                descent_m=sum(a.device_totals.descent_m for a in week_runs),
                rides=sum(week_index(a, start) == index for a in rides),
            )
        )
    return totals


def week_rows(planned: list[PlannedFile]) -> str:
    """The weekly overview: runs (each once), their km and descent, rides, and the theme."""
    totals = week_totals(planned, HISTORY_START, len(WEEKS))
    return "\n".join(
        f"| {index + 1} | {t.monday} | {t.runs} | {t.run_km:.1f} | {t.descent_m:.0f} "
        f"| {t.rides} | {week.theme} |"
        for index, (week, t) in enumerate(zip(WEEKS, totals, strict=True))
    )


README_TEMPLATE = """\
# Sample data

Sixteen weeks ({start} to {end}, Monday to Sunday, Zurich local time) of one runner's watch
exports, generated from a fixed seed by `python -m analyzer.samplegen sample_data`
(`make sample-data`). Do not edit by hand: `tests/samplegen/test_history.py` checks that these
files are byte-identical to a fresh generation.

The history exercises every pattern the report looks for:

- weeks 1-5: steady running, 3-5 runs and 27-35 km a week, gentle progression;
- week 3: a hot long run (about 100 min at 28-30 °C);
- week 6: a sudden mileage jump (about +50 % on week 5);
- weeks 7-10: four weeks without cross-training (rides in most other weeks);
- weeks 8-10: a hilly block of trail runs with 450-800 m of descent each;
- weeks 11-12: a low-cadence block (about 152 instead of 165 spm, longer steps, same pace);
- week 14: a 32 km long run, over twice the longest run of the previous 30 days;
- new road shoes from week 9 (used for runs of 8 km and more), while the old pair, kept for
  shorter runs, ends near 800 km;
- one run exported twice (FIT and GPX), one run across midnight, one truncated FIT file,
  one phone-app GPX without heart rate or cadence, and FIT, GPX and TCX files, plain and
  gzipped, mixed as they come from different apps;
- files that are not activities: this README, `notes.txt` (the readers skip both),
  `calfguard.toml` (the runner's config: time zone, athlete profile, and each shoe's
  first use and mileage before this folder) and `activities.csv`
  (a Strava-style list giving each file's name, type and shoes, which files do not carry).

Running dynamics (ground contact time, vertical oscillation and ratio, balance) are only in
the FIT files from the watch; GPX and TCX cannot carry them.

| Week | Monday | Runs | Run km | Descent m | Rides | Theme |
|---:|---|---:|---:|---:|---:|---|
{weeks}

{count} activity files, {size_kb:.0f} KiB. Descent in metres; time is timer time.

| File | Local start | Sport | km | Time | Descent | Flags | Purpose |
|---|---|---|---:|---:|---:|---|---|
{rows}
"""
