"""One synthetic activity from a declarative spec: route, terrain, pacing and physiology.

Everything is a pure function of its arguments and a numpy ``Generator``, so the sample history
is reproducible from a seed. The pace plan is laid out on a fine distance grid (speed depends
on the gradient there), sampled at smart-recording times, and ``distance_m`` is then measured on
the generated positions (haversine), so the track and the distance agree as in a real watch file.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from analyzer.model import (
    Activity,
    DeviceTotals,
    FloatArray,
    Format,
    Lap,
    Pause,
    Samples,
    Sport,
    utc_from_posix,
)

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180
GRID_STEP_M = 2.0  # the distance grid the pace plan and terrain are laid out on
ROUTE_STEP_M = 5.0  # spacing of the route polyline the positions are read from

# Decimals a watch records (FIT resolutions), so the data round-trip and text exports stay short.
DEVICE_DECIMALS = {
    "latitude_deg": 7,
    "longitude_deg": 7,
    "distance_m": 2,
    "speed_m_s": 3,
    "altitude_m": 1,
    "heart_rate_bpm": 0,
    "temperature_c": 0,
    "cadence_spm": 1,
    "step_length_m": 3,
    "ground_contact_time_s": 4,
    "vertical_oscillation_m": 4,
    "vertical_ratio_pct": 2,
    "contact_balance_left_pct": 2,
}

RouteKind = Literal["loop", "out_and_back"]
Origin = tuple[float, float]  # (latitude_deg, longitude_deg)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the pace plan: its length and the speed aimed for on the flat."""

    length_m: float
    speed_m_s: float


@dataclass(frozen=True, slots=True)
class ActivitySpec:
    """What to synthesize; the defaults describe an easy road run by this runner."""

    path: str
    format: Format
    sport: Sport
    start_s: float  # POSIX seconds, UTC
    utc_offset_s: int
    segments: tuple[Segment, ...]
    route: RouteKind = "loop"
    origin_deg: Origin = (47.37, 8.54)
    base_altitude_m: float = 420.0
    climb_m: float = 50.0  # total ascent; a loop or an out-and-back descends as much
    altitude_noise_m: float = 0.0  # GPS altitude from phones wanders; barometers do not
    temperature_c: float = 15.0
    temperature_drift_c: float = 1.0  # from start to end
    watch_sensors: bool = True  # False: a phone app with GPS only (no HR, cadence, temperature)
    cadence_at_3_m_s_spm: float | None = 165.0  # None: no step cadence (rides)
    running_dynamics: bool = False  # Garmin HRM chest strap: GCT, vertical oscillation, ...
    pause_s: float = 0.0  # one timer stop around halfway; 0 for none
    cadence_fade_pct: float = 0.0  # cadence lower by this much over the last quarter
    lap_m: float = 1000.0  # auto lap
    name: str | None = None
    gear: str | None = None
    device: str | None = None
    sub_sport: str | None = None

    @property
    def length_m(self) -> float:
        return sum(segment.length_m for segment in self.segments)


def synth_activity(spec: ActivitySpec, rng: np.random.Generator) -> Activity:
    """The activity as the device would record it: terrain and pace laid out on a 2 m grid,
    sampled at smart-recording times, with a timer stop, auto laps and session totals."""
    length_m = spec.length_m
    grid_m = np.linspace(0.0, length_m, round(length_m / GRID_STEP_M) + 1)
    altitude_m = terrain_altitude_m(grid_m, length_m, spec.climb_m, spec.route, rng)
    grade = np.gradient(altitude_m, grid_m)
    effort_m_s = flat_speed_m_s(grid_m, spec.segments) * (1 + 0.03 * smooth_noise(rng, grid_m, 400))
    speed_m_s = effort_m_s * grade_speed_factor(grade, spec.sport)
    clock_s = moving_clock_s(grid_m, speed_m_s)

    moving_s = smart_recording_times_s(float(clock_s[-1]), rng)
    at_m = np.interp(moving_s, clock_s, grid_m)
    lat_deg, lon_deg = route_positions_deg(spec.route, spec.origin_deg, at_m, length_m, rng)
    lat_deg, lon_deg = np.round(lat_deg, 7), np.round(lon_deg, 7)  # before measuring distance
    distance_m = path_distance_m(lat_deg, lon_deg)
    sample_speed_m_s = np.interp(at_m, grid_m, speed_m_s)
    sample_effort_m_s = np.interp(at_m, grid_m, effort_m_s)
    clean_altitude_m = spec.base_altitude_m + np.interp(at_m, grid_m, altitude_m)

    # One timer stop: no samples while stopped, the clock jumps at the first sample after it.
    resume = int(np.searchsorted(at_m, rng.uniform(0.4, 0.7) * length_m)) + 1
    pause_gap_s = np.zeros(len(moving_s))
    if spec.pause_s > 0 and resume < len(moving_s):
        pause_gap_s[resume] = spec.pause_s
    time_s = spec.start_s + moving_s + np.cumsum(pause_gap_s)
    pauses = (
        (Pause(float(time_s[resume - 1]), float(time_s[resume - 1] + spec.pause_s)),)
        if pause_gap_s.any()
        else ()
    )

    channels: dict[str, FloatArray] = {
        "latitude_deg": lat_deg,
        "longitude_deg": lon_deg,
        "distance_m": distance_m,
        "speed_m_s": sample_speed_m_s,
        "altitude_m": clean_altitude_m + spec.altitude_noise_m * smooth_noise(rng, moving_s, 60),
    }
    if spec.watch_sensors:
        channels |= sensor_channels(
            spec, moving_s, sample_speed_m_s, sample_effort_m_s, pause_gap_s, rng
        )
    recorded = {name: np.round(values, DEVICE_DECIMALS[name]) for name, values in channels.items()}
    samples = Samples.from_channels(time_s, **recorded)

    return Activity(
        path=spec.path,
        format=spec.format,
        sport=spec.sport,
        start_time=utc_from_posix(float(time_s[0])),
        samples=samples,
        sub_sport=spec.sub_sport,
        device=spec.device,
        utc_offset_s=spec.utc_offset_s,
        laps=auto_laps(time_s, distance_m, pauses, spec.lap_m),
        pauses=pauses,
        device_totals=device_totals(samples, clean_altitude_m, pauses),
        name=spec.name,
        gear=spec.gear,
    )


def sensor_channels(
    spec: ActivitySpec,
    moving_s: FloatArray,
    speed_m_s: FloatArray,
    effort_m_s: FloatArray,
    pause_gap_s: FloatArray,
    rng: np.random.Generator,
) -> dict[str, FloatArray]:
    """What the watch and chest strap add to GPS: temperature, heart rate, steps, dynamics."""
    temperature_c = np.round(  # the watch reads whole degrees
        spec.temperature_c
        + spec.temperature_drift_c * moving_s / moving_s[-1]
        + 0.3 * smooth_noise(rng, moving_s, 60)
    )
    channels = {
        "temperature_c": temperature_c,
        "heart_rate_bpm": heart_rate_bpm(
            moving_s, effort_m_s, temperature_c, pause_gap_s, spec.sport, rng
        ),
    }
    if spec.cadence_at_3_m_s_spm is None:
        return channels
    cadence_spm = running_cadence_spm(speed_m_s, spec.cadence_at_3_m_s_spm, rng)
    # Fatigue late in a run: fewer, longer steps at the same speed over the last quarter.
    late = moving_s > 0.75 * moving_s[-1]
    cadence_spm = np.where(late, cadence_spm * (1 - spec.cadence_fade_pct / 100), cadence_spm)
    channels["cadence_spm"] = cadence_spm
    channels["step_length_m"] = speed_m_s * 60.0 / cadence_spm
    if spec.running_dynamics:
        channels |= running_dynamics(
            speed_m_s, channels["step_length_m"], spec.cadence_at_3_m_s_spm, rng
        )
    return channels


# --- terrain and route -------------------------------------------------------------------------


def terrain_altitude_m(
    at_m: FloatArray, length_m: float, climb_m: float, route: RouteKind, rng: np.random.Generator
) -> FloatArray:
    """Altitude above the start along the route: a few smooth hills scaled to ``climb_m``.

    A loop's profile is periodic so it ends where it started; an out-and-back retraces itself.
    """
    amplitudes = rng.uniform(0.3, 1.0, 3)
    phases = rng.uniform(0, 2 * np.pi, 3)
    # A loop spans whole sine periods; an out-and-back half periods out, mirrored back.
    along = at_m if route == "loop" else np.minimum(at_m, length_m - at_m)
    k = np.arange(1, 4)[:, None]
    waves = amplitudes[:, None] * np.sin(2 * np.pi * k * along / length_m + phases[:, None])
    shape: FloatArray = waves.sum(axis=0)
    shape -= shape[0]
    ascent = float(np.clip(np.diff(shape), 0, None).sum())
    return shape * (climb_m / ascent if ascent > 0 else 0.0)


def route_positions_deg(
    route: RouteKind, origin: Origin, at_m: FloatArray, length_m: float, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude at distances ``at_m`` along a loop or out-and-back from ``origin``."""
    if route == "loop":
        x_m, y_m = loop_polyline_m(length_m, rng)
        along_m = at_m
    else:
        x_m, y_m = out_polyline_m(length_m / 2, rng)
        along_m = np.minimum(at_m, length_m - at_m)  # the way back retraces the way out
    step_m = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x_m), np.diff(y_m)))])
    x_at = np.interp(along_m, step_m, x_m)
    y_at = np.interp(along_m, step_m, y_m)
    lat0, lon0 = origin
    lat_deg = lat0 + y_at / M_PER_DEG_LAT
    lon_deg = lon0 + x_at / (M_PER_DEG_LAT * math.cos(math.radians(lat0)))
    return lat_deg, lon_deg


def loop_polyline_m(length_m: float, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """A closed, gently wobbly loop of the given perimeter starting at (0, 0), in metres."""
    theta = np.linspace(0, 2 * np.pi, max(round(length_m / ROUTE_STEP_M), 64) + 1)
    wobble = rng.uniform(0.1, 0.3) * np.sin(2 * theta + rng.uniform(0, 2 * np.pi))
    radius = 1 + wobble + rng.uniform(0, 0.1) * np.sin(3 * theta + rng.uniform(0, 2 * np.pi))
    angle = rng.uniform(0, 2 * np.pi) + rng.choice([-1.0, 1.0]) * theta
    x, y = radius * np.cos(angle), radius * np.sin(angle)
    scale = length_m / float(np.hypot(np.diff(x), np.diff(y)).sum())
    return (x - x[0]) * scale, (y - y[0]) * scale


def out_polyline_m(length_m: float, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """A meandering path of the given length from (0, 0), like a lakeside or riverside path."""
    along = np.linspace(0, length_m, max(round(length_m / ROUTE_STEP_M), 2) + 1)
    heading = rng.uniform(0, 2 * np.pi) + 0.5 * np.sin(
        2 * np.pi * along / rng.uniform(2000, 4000) + rng.uniform(0, 2 * np.pi)
    )
    step = np.diff(along)
    x = np.concatenate([[0.0], np.cumsum(step * np.cos(heading[:-1]))])
    y = np.concatenate([[0.0], np.cumsum(step * np.sin(heading[:-1]))])
    return x, y


def haversine_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    distance_m: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))
    return distance_m


def path_distance_m(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """Cumulative distance along the track, as a watch accumulates it."""
    legs = haversine_m(lat_deg[:-1], lon_deg[:-1], lat_deg[1:], lon_deg[1:])
    return np.concatenate([[0.0], np.cumsum(legs)])


# --- pacing and recording ----------------------------------------------------------------------


def flat_speed_m_s(at_m: FloatArray, segments: tuple[Segment, ...]) -> FloatArray:
    ends_m = np.cumsum([segment.length_m for segment in segments])
    speeds = np.array([segment.speed_m_s for segment in segments])
    return speeds[np.minimum(np.searchsorted(ends_m, at_m, side="right"), len(speeds) - 1)]


def grade_speed_factor(grade: FloatArray, sport: Sport) -> FloatArray:
    """How much the gradient slows or speeds up the same effort.

    Running follows Tobler's hiking function (fastest on a slight descent); cycling loses
    much more speed uphill and gains more downhill.
    """
    if sport is Sport.CYCLING:
        return np.clip(1 - 6 * grade, 0.35, 1.5)
    return np.exp(-3.5 * (np.abs(grade + 0.05) - 0.05))


def moving_clock_s(at_m: FloatArray, speed_m_s: FloatArray) -> FloatArray:
    """Moving time at each grid distance."""
    mean_speed = (speed_m_s[1:] + speed_m_s[:-1]) / 2
    return np.concatenate([[0.0], np.cumsum(np.diff(at_m) / mean_speed)])


def smart_recording_times_s(moving_s: float, rng: np.random.Generator) -> FloatArray:
    """Whole-second sample times 1-5 s apart, like Garmin smart recording, up to the first
    at or after the finish (the watch records at the finish on its next tick)."""
    times = np.concatenate([[0], np.cumsum(rng.integers(1, 6, int(moving_s) + 1))])
    return times[: np.searchsorted(times, moving_s) + 1].astype(np.float64)


def smooth_noise(rng: np.random.Generator, like: FloatArray, window: int) -> FloatArray:
    """Unit-variance noise averaged over ``window`` neighbouring points (one per item of like)."""
    white = rng.standard_normal(len(like) + window - 1)
    return np.convolve(white, np.ones(window) / math.sqrt(window), mode="valid")


# --- physiology --------------------------------------------------------------------------------

HR_REST_BPM = 62.0
HR_PAUSED_BPM = 100.0  # standing at a traffic light, still breathing hard
HR_LAG_S = 30.0
HR_BPM_PER_RUNNING_M_S = 27.0
HR_BPM_PER_CYCLING_M_S = 9.0  # riding at 7.5 m/s is about as hard as running at 2.5 m/s


def heart_rate_bpm(
    moving_s: FloatArray,
    effort_m_s: FloatArray,
    temperature_c: FloatArray,
    pause_gap_s: FloatArray,
    sport: Sport,
    rng: np.random.Generator,
) -> FloatArray:
    """Heart rate following effort with a lag, higher and drifting faster in the heat."""
    heat_c = np.clip(temperature_c - 15, 0, None)
    drift_bpm_per_h = 2 + 0.5 * heat_c  # cardiac drift: dehydration and heat
    target = (
        HR_REST_BPM
        + (HR_BPM_PER_CYCLING_M_S if sport is Sport.CYCLING else HR_BPM_PER_RUNNING_M_S)
        * effort_m_s
        + 1.0 * heat_c
        + drift_bpm_per_h * moving_s / 3600
    )
    hr = np.empty(len(moving_s))
    level = 90.0  # just warmed up
    previous_s = 0.0
    for i, (now_s, gap_s) in enumerate(zip(moving_s, pause_gap_s, strict=True)):
        level = HR_PAUSED_BPM + (level - HR_PAUSED_BPM) * math.exp(-gap_s / HR_LAG_S)
        level = target[i] + (level - target[i]) * math.exp(-(now_s - previous_s) / HR_LAG_S)
        hr[i], previous_s = level, now_s
    return np.asarray(np.round(hr + rng.normal(0, 1.0, len(hr))), dtype=np.float64)


def running_cadence_spm(
    speed_m_s: FloatArray, cadence_at_3_m_s_spm: float, rng: np.random.Generator
) -> FloatArray:
    """This runner adds about 6 steps/min per m/s; the rest of the speed comes from step length."""
    return cadence_at_3_m_s_spm + 6.0 * (speed_m_s - 3.0) + rng.normal(0, 1.2, len(speed_m_s))


def running_dynamics(
    speed_m_s: FloatArray,
    step_length_m: FloatArray,
    cadence_at_3_m_s_spm: float,
    rng: np.random.Generator,
) -> dict[str, FloatArray]:
    """Chest-strap running dynamics; long, slow steps bounce more and stay longer on the ground."""
    overstride = (165.0 - cadence_at_3_m_s_spm) / 13.0  # 1.0 in the low-cadence block
    n = len(speed_m_s)
    ground_contact_s = 0.250 - 0.04 * (speed_m_s - 3) + 0.012 * overstride + rng.normal(0, 0.004, n)
    oscillation_m = 0.085 + 0.008 * (speed_m_s - 3) + 0.010 * overstride + rng.normal(0, 0.002, n)
    return {
        "ground_contact_time_s": ground_contact_s,
        "vertical_oscillation_m": oscillation_m,
        "vertical_ratio_pct": 100 * oscillation_m / step_length_m,
        "contact_balance_left_pct": 49.8 + rng.normal(0, 0.4, n),
    }


# --- summaries the device writes ---------------------------------------------------------------


def paused_s(start_s: float, end_s: float, pauses: tuple[Pause, ...]) -> float:
    return sum(max(0.0, min(p.end_s, end_s) - max(p.start_s, start_s)) for p in pauses)


def auto_laps(
    time_s: FloatArray, distance_m: FloatArray, pauses: tuple[Pause, ...], lap_m: float
) -> tuple[Lap, ...]:
    """A lap at the first sample past each ``lap_m``, and a last partial lap to the finish."""
    marks_m = np.arange(lap_m, distance_m[-1], lap_m)
    bounds = np.unique(np.concatenate([[0], np.searchsorted(distance_m, marks_m)]))
    bounds = np.append(bounds[bounds < len(time_s) - 1], len(time_s) - 1)
    laps = []
    for first, last in itertools.pairwise(bounds):
        start_s, end_s = float(time_s[first]), float(time_s[last])
        laps.append(
            Lap(
                start_time=utc_from_posix(start_s),
                elapsed_time_s=end_s - start_s,
                timer_time_s=end_s - start_s - paused_s(start_s, end_s, pauses),
                distance_m=round(float(distance_m[last] - distance_m[first]), 2),
            )
        )
    return tuple(laps)


def device_totals(
    samples: Samples, clean_altitude_m: FloatArray, pauses: tuple[Pause, ...]
) -> DeviceTotals:
    """Session totals as the watch computes them (barometric altitude, so without noise)."""
    climb = np.diff(clean_altitude_m)
    start_s, end_s = float(samples.time_s[0]), float(samples.time_s[-1])
    cadence = samples.cadence_spm
    return DeviceTotals(
        distance_m=float(samples.distance_m[-1]),
        elapsed_time_s=end_s - start_s,
        timer_time_s=end_s - start_s - paused_s(start_s, end_s, pauses),
        ascent_m=round(float(climb[climb > 0].sum()), 1),
        descent_m=round(float(-climb[climb < 0].sum()), 1),
        avg_cadence_spm=round(float(cadence.mean()), 1) if samples.has("cadence_spm") else math.nan,
    )
