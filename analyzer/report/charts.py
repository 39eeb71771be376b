"""The HTML report's charts: matplotlib (Agg) rendering SVG that is embedded inline.

Deterministic: no date or creator metadata, and ``svg.hashsalt`` set per chart, so the same
analysis gives byte-identical SVG, and the clip-path and marker ids of different charts on one
page never collide. Text stays text (``svg.fonttype = none``): smaller files, and no font is
embedded or fetched. User data (shoe names) is escaped for matplotlib's mathtext.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analyzer.model import FloatArray
from analyzer.report import units as u
from analyzer.rules import RULES
from analyzer.settings import Settings
from analyzer.training_load import History, ShoeUse, Week

BLUE, LIGHT_BLUE, GREY = "#3b6ea8", "#a9c4e2", "#8a8a8a"
ORANGE, RED, GREEN, PURPLE = "#d9822b", "#c23b22", "#3d8b4f", "#7a4fa3"
WIDTH_IN, HEIGHT_IN = 5.0, 3.0
WIDE_IN = 10.0  # the charts that span the page: the overview and the weekly distance
CHAR_IN_8PT = 0.075  # a generous width of one character at 8 pt, in inches
MAX_YEAR_TICKS = 12
RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    # The font matplotlib measures the labels with, first: a browser that has it lays them out
    # as measured; one that has not takes its own sans-serif (a short list: each label repeats it).
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
}
MAX_TICKS = 6
LABELLED_CHANGE_PCT = 10.0  # weekly changes at least this large are written above their bar
METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    caption: str
    svg: str


@dataclass(frozen=True, slots=True)
class View:
    """What the detail charts show: the weeks a report shows one by one (``digest``), up to the
    report's "now"; the overview chart shows the whole history by month."""

    first: date  # the first day of the detail weeks
    last: date  # the report's "now"
    recent_first: date  # the first of the last 28 days
    weeks: Sequence[Week]
    period: tuple[date, date]  # the days the report covers (--since/--until), for the overview

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


def mathtext_safe(text: str) -> str:
    """User text as a literal label: matplotlib reads ``$...$`` as mathematics."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')
_ID = re.compile(r'\sid="([^"]+)"')
_REFERENCE = re.compile(r'(?:url\(#|href="#)([^")]+)')
_INDENT = re.compile(r"\n\s+")
_DECIMALS = re.compile(r"(\d\.\d\d)\d+")  # coordinates to 1/100 of a point


def to_svg(figure: Figure, chart_id: str, title: str) -> str:
    """The figure as an inline <svg>: no XML prolog or DOCTYPE, no fixed size (the page's CSS
    scales it), ids nothing refers to removed, no indentation, coordinates to 1/100 of a
    point, and a title for screen readers."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"calfguard-{chart_id}"}):
        figure.savefig(buffer, format="svg", metadata=METADATA, bbox_inches="tight")
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    svg = _SIZE.sub(r"<svg\1", svg, count=1)
    referenced = set(_REFERENCE.findall(svg))
    svg = _ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = _DECIMALS.sub(r"\1", _INDENT.sub("\n", svg))
    label = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    svg = svg.replace("<svg", f'<svg id="{chart_id}" role="img" aria-label="{label}"', 1)
    return svg.strip()


def _figure(height: float = HEIGHT_IN) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_IN, height))
    return figure, figure.subplots()


EPOCH = date(1970, 1, 1)  # matplotlib's default date epoch: x values are days since it


def _x(days: Sequence[date]) -> FloatArray:
    return np.array([float((d - EPOCH).days) for d in days])


def _date_axis(ax: Axes, first: date, last: date) -> None:
    """At most ``MAX_TICKS`` ticks: on the 1st of months, or on Mondays for under 9 weeks;
    the year under the first tick and under each tick where it changes."""
    monthly = (last - first).days > 62
    if monthly:
        ticks = [date(y, m, 1) for y in range(first.year, last.year + 1) for m in range(1, 13)]
    else:
        monday = first - timedelta(days=first.weekday())
        ticks = [monday + timedelta(weeks=i) for i in range((last - monday).days // 7 + 2)]
    ticks = [t for t in ticks if first - timedelta(days=3) <= t <= last + timedelta(days=3)]
    ticks = ticks[:: max(1, -(-len(ticks) // MAX_TICKS))]
    name: Callable[[date], str] = (lambda t: u.MONTHS[t.month - 1]) if monthly else u.day
    ax.set_xticks(_x(ticks), _tick_labels(ticks, name))


def _tick_labels(ticks: Sequence[date], name: Callable[[date], str]) -> list[str]:
    """Each tick's ``name``, with the year under the first and wherever the year changes."""
    return [
        f"{name(t)}\n{t.year}" if i == 0 or t.year != ticks[i - 1].year else name(t)
        for i, t in enumerate(ticks)
    ]


def _legend(ax: Axes, handles: list[Artist] | None = None, ncols: int = 2) -> None:
    """The legend above the plot, where it never hides data."""
    kwargs = {"handles": handles} if handles is not None else {}
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=ncols, borderaxespad=0,
              **kwargs)  # fmt: skip


def _threshold(settings: Settings, rule: str, name: str) -> float:
    value = settings.thresholds.get(rule, {}).get(name, RULES[rule].thresholds[name])
    return float(value)


# --- the charts -------------------------------------------------------------------------------


def _week_ticks(ax: Axes, weeks: Sequence[Week]) -> None:
    """Week starts as ticks (at most ``MAX_TICKS``), counted back from the latest week so that
    it is always labelled; the year under the first tick and where it changes."""
    step = max(1, -(-len(weeks) // MAX_TICKS))
    ticked = list(range(len(weeks) - 1, -1, -step))[::-1]  # counted back from the latest week
    starts = [weeks[i].week_start for i in ticked]
    ax.set_xticks([float(i) for i in ticked], _tick_labels(starts, u.day))
    ax.grid(axis="x", visible=False)


def _spaced(x: Sequence[float], widths: Sequence[float], order: Sequence[int]) -> list[int]:
    """The labels (centred at ``x``, ``widths`` wide, in the same units) that fit without
    touching a label already placed, taken in ``order`` (the most important first)."""
    placed: list[tuple[float, float]] = []
    chosen = []
    for i in order:
        left, right = x[i] - widths[i] / 2, x[i] + widths[i] / 2
        if all(right <= a or left >= b for a, b in placed):
            placed.append((left, right))
            chosen.append(i)
    return sorted(chosen)


def weekly_distance(history: History, settings: Settings, unit: str, view: View) -> Figure:
    """Distance bars with the change on the week before where it is large (as many as fit,
    the largest first); the ratio in a panel of its own."""
    weeks = view.weeks
    figure = Figure(figsize=(WIDE_IN, HEIGHT_IN * 1.3))
    ax, ratio = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    x = np.arange(len(weeks))
    km = np.array([u.distance_value(w.running_distance_m, unit) for w in weeks])
    colors = [BLUE if w.complete else LIGHT_BLUE for w in weeks]
    ax.bar(x, km, color=colors, width=0.7)
    top = float(km.max()) if len(km) and km.max() > 0 else 1.0
    change = np.array([w.change_vs_last_week_pct for w in weeks])
    large = [i for i in range(len(weeks)) if np.isfinite(change[i])
             and abs(change[i]) >= LABELLED_CHANGE_PCT]  # fmt: skip
    texts = {i: f"{change[i]:+.0f}%" for i in large}
    # A label's width in bars: its characters at 8 pt, over the plot's width per bar.
    bar_in = WIDE_IN * 0.85 / max(len(weeks), 1)
    widths = [len(texts.get(i, "")) * CHAR_IN_8PT / bar_in + 0.3 for i in range(len(weeks))]
    for i in _spaced([float(i) for i in x], widths, sorted(large, key=lambda i: -abs(change[i]))):
        color = RED if change[i] > 30 else ORANGE if change[i] > 10 else GREY
        ax.text(i, km[i] + top * 0.02, texts[i], ha="center", va="bottom", fontsize=8,
                color=color)  # fmt: skip
    ax.set_ylim(0, top * 1.15)
    ax.set_ylabel(f"{u.distance_label(unit)} per week")
    _legend(ax, [
        Patch(color=BLUE, label=f"running distance ({u.distance_label(unit)})"),
        Patch(color=LIGHT_BLUE, label="partial week"),
    ])  # fmt: skip
    acwr = np.array([w.acwr_ewma for w in weeks])
    ratio.plot(x, acwr, color=PURPLE, marker="o", markersize=3.5, linewidth=1.4)
    info = _threshold(settings, "acwr", "info")
    ratio.axhline(info, color=PURPLE, linestyle=":", linewidth=1)
    ratio.text(-0.4, info, f"{info:g}", color=PURPLE, va="bottom", fontsize=8)
    finite = acwr[np.isfinite(acwr)]
    ratio.set_ylim(0, max(2.0, float(finite.max()) * 1.15 if len(finite) else 2.0))
    ratio.set_ylabel("acute:chronic")
    _week_ticks(ratio, weeks)
    return figure


def run_spikes(history: History, settings: Settings, unit: str, view: View) -> Figure | None:
    contexts = [c for c in history.contexts if view.holds(c.placed.local_date)]
    if not contexts:
        return None
    figure, ax = _figure()
    day_list = [c.placed.local_date for c in contexts]
    days = _x(day_list)
    distance = np.array([u.distance_value(c.placed.summary.distance_m, unit) for c in contexts])
    longest = np.array([u.distance_value(c.longest_previous_m, unit) for c in contexts])
    caution = _threshold(settings, "session_spike", "caution")
    high = _threshold(settings, "session_spike", "high")
    ax.step(days, longest, where="mid", color=GREY, linewidth=1.2,
            label="longest in the prior 30 days")  # fmt: skip
    ax.plot(days, longest * caution, color=ORANGE, linestyle="--", linewidth=0.9,
            label=f"{caution:g}x (caution)")  # fmt: skip
    ax.plot(days, longest * high, color=RED, linestyle=":", linewidth=0.9,
            label=f"{high:g}x (high)")  # fmt: skip
    ratio = np.array([c.spike_ratio for c in contexts])
    judged = np.array([c.history_days >= 28 for c in contexts])
    colors = [
        RED if j and r > high else ORANGE if j and r > caution else BLUE
        for r, j in zip(ratio, judged, strict=True)
    ]
    ax.scatter(days, distance, c=colors, s=18, zorder=3, label="a run")
    warm_end = history.first_day + timedelta(days=28)
    if day_list[0] < warm_end:
        (start,), (end,) = _x([day_list[0] - timedelta(days=1)]), _x([min(warm_end, day_list[-1])])
        ax.axvspan(float(start), float(end), color="#f2f2f2", zorder=0,
                   label="first 28 days: not judged")  # fmt: skip
    ax.set_ylabel(u.distance_label(unit))
    ax.set_ylim(bottom=0)
    _date_axis(ax, max(history.first_day, view.first), view.last)
    _legend(ax)
    return figure


def cadence_speed(history: History, settings: Settings, unit: str, view: View) -> Figure | None:
    points = [
        c for c in history.contexts
        if view.holds(c.placed.local_date)
        and np.isfinite(c.placed.summary.cadence.mean_spm)
        and np.isfinite(c.placed.summary.moving_speed_m_s)
    ]  # fmt: skip
    if not points:
        return None
    figure, ax = _figure()
    speed = np.array([u.speed_value(c.placed.summary.moving_speed_m_s, unit) for c in points])
    cadence = np.array([c.placed.summary.cadence.mean_spm for c in points])
    expected = np.array([c.expected_cadence_spm for c in points])
    known = np.isfinite(expected)
    if known.any():
        ax.vlines(speed[known], expected[known], cadence[known], color="#c8c8c8",
                  linewidth=0.8, zorder=2)  # fmt: skip
        ax.scatter(speed[known], expected[known], marker="_", s=60, color=GREEN, zorder=3,
                   label="your 8-week prediction")  # fmt: skip
    drop = _threshold(settings, "cadence_drop", "caution")
    below = np.array([c.cadence_vs_baseline_pct <= -drop for c in points])
    is_recent = np.array([c.placed.local_date >= view.recent_first for c in points])
    for mask, color, label in (
        (~below & ~is_recent, LIGHT_BLUE, "earlier runs"),
        (~below & is_recent, BLUE, "last 4 weeks"),
        (below, RED, f"{drop:g} %+ below prediction"),
    ):
        if mask.any():
            ax.scatter(speed[mask], cadence[mask], s=20, color=color, label=label, zorder=4)
    low = _threshold(settings, "low_cadence", "caution")
    ax.axhline(low, color=ORANGE, linestyle="--", linewidth=0.9,
               label=f"{low:g} spm")  # fmt: skip
    ax.set_xlabel(f"moving speed ({u.speed_label(unit)})")
    ax.set_ylabel("mean cadence (steps/min)")
    _legend(ax)
    return figure


def overview(history: History, settings: Settings, unit: str, view: View) -> Figure | None:
    """Running distance per calendar month over the report's period, the detail weeks shaded;
    only when the period is longer than them."""
    daily = history.daily
    first = daily.index(max(view.period[0], daily.first_day))
    last = daily.index(min(view.period[1], history.last_day)) + 1
    if daily.day(first) >= view.first:
        return None
    months = [(d.year, d.month) for d in (daily.day(i) for i in range(first, last))]
    labels = sorted(set(months))
    index = {m: i for i, m in enumerate(labels)}
    per_month = np.zeros(len(labels))
    np.add.at(per_month, [index[m] for m in months], daily.running_distance_m[first:last])
    figure = Figure(figsize=(WIDE_IN, HEIGHT_IN))
    ax = figure.subplots()
    x = np.arange(len(labels))
    ax.bar(x, [u.distance_value(m, unit) for m in per_month], color=BLUE, width=0.85,
           label=f"running distance per month ({u.distance_label(unit)})")  # fmt: skip
    first = index[(view.first.year, view.first.month)]
    last = index.get((view.last.year, view.last.month), len(labels) - 1)
    ax.axvspan(first - 0.5, last + 0.5, color="#f2e6c9", zorder=0,
               label="the weeks shown in detail below")  # fmt: skip
    januaries = [i for i, (_, month) in enumerate(labels) if month == 1 or i == 0]
    step = max(1, -(-len(januaries) // MAX_YEAR_TICKS))
    ticks = januaries[::step]
    ax.set_xticks(ticks, [str(labels[i][0]) for i in ticks])
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.tick_params(axis="x", pad=7)  # the first year clear of the y axis's 0
    ax.grid(axis="x", visible=False)
    ax.set_ylabel(f"{u.distance_label(unit)} per month")
    _legend(ax)
    return figure


def hills(history: History, settings: Settings, unit: str, view: View) -> Figure:
    weeks = view.weeks
    figure, ax = _figure()
    x = np.arange(len(weeks))
    up = np.array([u.height_value(w.ascent_m, unit) for w in weeks])
    down = np.array([u.height_value(w.descent_m, unit) for w in weeks])
    ax.bar(x, up, color=ORANGE, width=0.7, label="ascent")
    ax.bar(x, -down, color=BLUE, width=0.7, label="descent")
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.set_ylabel(f"{u.height_label(unit)} per week (descent below 0)")
    _week_ticks(ax, weeks)
    _legend(ax)
    return figure


def shoes(history: History, settings: Settings, unit: str, view: View) -> Figure | None:
    pairs = [s for s in shown_shoes(history, view) if s.distance_m > 0]
    if not pairs:
        return None
    figure = Figure(figsize=(WIDTH_IN, 0.9 + 0.45 * len(pairs)))
    ax = figure.subplots()
    y = np.arange(len(pairs))[::-1]
    before = np.array([u.distance_value(s.start_distance_m, unit) for s in pairs])
    total = np.array([u.distance_value(s.distance_m, unit) for s in pairs])
    ax.barh(y, before, color=LIGHT_BLUE, height=0.6, label="before these files")
    ax.barh(y, total - before, left=before, color=BLUE, height=0.6, label="in these files")
    names = [mathtext_safe(s.name + (" (retired)" if s.retired else "")) for s in pairs]
    ax.set_yticks(y, names)
    for name, color in (("caution", ORANGE), ("high", RED)):
        limit = u.distance_value(_threshold(settings, "shoe_mileage", name) * 1000, unit)
        label = f"{limit:.0f} {u.distance_label(unit)} ({name})"
        ax.axvline(limit, color=color, linestyle="--", linewidth=0.9, label=label)
    ax.set_xlabel(u.distance_label(unit))
    ax.grid(axis="y", visible=False)
    _legend(ax, ncols=2)
    return figure


def shown_shoes(history: History, view: View) -> list[ShoeUse]:
    """The pairs run in during the detail weeks, or not run in at all in these files; without
    any, the three last used."""
    pairs = [s for s in history.shoes if s.last_run is None or s.last_run >= view.first]
    if pairs:
        return pairs
    used = sorted((s for s in history.shoes if s.last_run), key=lambda s: s.last_run or view.first)
    return used[-3:]


def fitness(history: History, settings: Settings, unit: str, view: View) -> Figure | None:
    daily = history.daily
    first = max(daily.index(max(view.first, daily.first_day)), 0)
    last = min(daily.index(view.last), len(daily) - 1) + 1
    if first >= last or not np.any(daily.trimp[first:last] > 0):
        return None
    figure, ax = _figure()
    days = _x([daily.day(i) for i in range(first, last)])
    s = history.series
    ax.plot(days, s.fitness[first:last], color=BLUE, linewidth=1.6, label="fitness (42 d)")
    ax.plot(days, s.fatigue[first:last], color=ORANGE, linewidth=1.2, label="fatigue (7 d)")
    ax.plot(days, s.form[first:last], color=GREEN, linewidth=1.2, label="form")
    ax.axhline(0, color="#444444", linewidth=0.6)
    ax.set_ylabel("TRIMP per day")
    _date_axis(ax, daily.day(first), daily.day(last - 1))
    _legend(ax, ncols=3)
    return figure


ChartMaker = Callable[[History, Settings, str, View], Figure | None]

#: (id, title, caption, maker), in the order the report shows them.
CHARTS: tuple[tuple[str, str, str, ChartMaker], ...] = (
    ("chart-overview", "Every month of the history",
     "Running distance per calendar month since the first file; the shaded months are the "
     "weeks shown one by one in the charts and tables below.",
     overview),
    ("chart-weekly", "Weekly running distance",
     "Bars: running distance per week (lighter: a week the files start or end inside), with "
     "the change on the week before where it is 10 % or more. Line: the acute:chronic ratio "
     "(7-day against 28-day exponentially weighted distance), context only and never an "
     "injury-risk score.",
     weekly_distance),
    ("chart-spikes", "Each run against the longest of the previous 30 days",
     "A run well beyond the longest run of the previous 30 days is the strongest "
     "runner-specific signal known (Frandsen et al. 2025): red points are above the high "
     "line, orange above the caution line.",
     run_spikes),
    ("chart-cadence", "Cadence against speed",
     "Cadence rises with speed, so each run is compared with what your own runs of the "
     "previous 8 weeks predict at its speed (the green line).",
     cadence_speed),
    ("chart-hills", "Weekly ascent and descent",
     "Downhill running loads the calf while it lengthens; sudden increases in descent are "
     "associated with calf soreness, worst when unaccustomed.",
     hills),
    ("chart-shoes", "Distance per pair of shoes",
     "Shoes are commonly replaced after 480-800 km (300-500 mi): a convention, not an "
     "injury threshold.",
     shoes),
    ("chart-fitness", "Fitness, fatigue and form",
     "Heart-rate training load (TRIMP) averaged over 42 days (fitness) and 7 days (fatigue); "
     "form is their difference. Context, not an injury predictor.",
     fitness),
)  # fmt: skip


#: The charts drawn across the page's width; the others share a row on a wide screen.
WIDE_CHARTS = frozenset({"chart-overview", "chart-weekly"})


def charts(history: History | None, settings: Settings, unit: str, view: View) -> list[Chart]:
    """Every chart the history can draw, as inline SVG."""
    if history is None:
        return []
    out = []
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        for chart_id, title, caption, make in CHARTS:
            figure = make(history, settings, unit, view)
            if figure is not None:
                out.append(Chart(chart_id, title, caption, to_svg(figure, chart_id, title)))
    return out
