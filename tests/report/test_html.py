"""The HTML report: one self-contained file (nothing to fetch), every user text escaped,
the charts drawn by matplotlib as inline SVG, deterministic."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analyzer.guide import CAUSES, DISCLAIMER, RED_FLAGS
from analyzer.pipeline import Analysis, analyze
from analyzer.report.charts import CHARTS, mathtext_safe
from analyzer.report.html_report import esc, render_html
from analyzer.samplegen.gpx_writer import gpx_bytes
from tests.factories import activity, full_samples
from tests.report.conftest import CONFIG, SAMPLE, run

HOSTILE = "<script>alert(1)</script>"


class _Collect(HTMLParser):
    """Every id, every URL-bearing attribute, and the tags, of a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
                self.urls.append(value or "")


def parse(document: str) -> _Collect:
    collected = _Collect()
    collected.feed(document)
    return collected


def assert_self_contained(document: str) -> None:
    """Nothing in the page can make a request: no external src/href/url(), no script, no
    stylesheet link, no @import, and a Content-Security-Policy that forbids every fetch."""
    parsed = parse(document)
    for url in parsed.urls:
        assert url.startswith(("#", "data:")), url
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", document):
        assert url.startswith(("#", "data:")), url
    assert not {"script", "link", "iframe", "object", "embed", "base"} & set(parsed.tags)
    assert "@import" not in document
    assert not re.search(r"(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//", document, re.I)
    assert "default-src 'none'" in document


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    target = tmp_path_factory.mktemp("html") / "report.html"
    result = run("report", "--config", str(CONFIG), str(SAMPLE), "--format", "html",
                 "--output", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    return target.read_text(encoding="utf-8")


def test_self_contained(report_html: str) -> None:
    assert report_html.startswith("<!DOCTYPE html>")
    assert_self_contained(report_html)
    assert len(report_html.encode()) < 400_000


def test_charts_are_inline_svg_with_unique_ids(report_html: str) -> None:
    parsed = parse(report_html)
    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    # The sample's 16 weeks are all shown one by one: no overview chart by month.
    drawn = [chart_id for chart_id, *_ in CHARTS if chart_id != "chart-overview"]
    for chart_id in drawn:
        assert f'<svg id="{chart_id}" role="img"' in report_html
    assert report_html.count("<svg") == len(drawn) == 6
    assert "<?xml" not in report_html and "<!DOCTYPE svg" not in report_html


def test_content(report_html: str) -> None:
    assert esc(DISCLAIMER) in report_html
    for flag in RED_FLAGS:
        assert f"<li>{esc(flag)}</li>" in report_html
    for cause in CAUSES:
        assert f'id="cause-{cause.value}"' in report_html
    assert report_html.count('<span class="badge high">high</span>') == 2  # now + its cause
    assert '<span class="n">13</span><span class="l">runs</span>' in report_html
    assert '<span class="n">133.8 km</span><span class="l">running distance</span>' in report_html
    assert "All activities (63)" in report_html
    assert "Road shoes (grey)" in report_html
    assert "@media print" in report_html and "@media (max-width: 640px)" in report_html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in report_html


def test_deterministic(sample: Analysis) -> None:
    assert render_html(sample) == render_html(sample)


def test_miles(sample: Analysis) -> None:
    document = render_html(sample, "mi")
    assert '<span class="n">83.2 mi</span>' in document
    assert "19.9 mi, 2.1x your longest run" in document
    assert "moving speed (mph)" in document  # the cadence chart's axis


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    run_ = dataclasses.replace(activity(full_samples(900)), name=HOSTILE)
    hostile_file = tmp_path / 'x"><img src=x onerror=alert(2)>.gpx'
    hostile_file.write_bytes(gpx_bytes(run_))
    config = tmp_path / "calfguard.toml"
    config.write_text(
        '[[shoes]]\nname = "Cheap $x$ <b>shoes</b> & co"\nstart_distance_km = 100\n'
        "default = true\n",
        encoding="utf-8",
    )
    target = tmp_path / "report.html"
    result = run("report", "--config", str(config), str(tmp_path), "--format", "html",
                 "--output", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    document = target.read_text(encoding="utf-8")
    assert HOSTILE not in document and "<img" not in document and "<b>" not in document
    assert esc(HOSTILE) in document
    assert esc('x"><img src=x onerror=alert(2)>.gpx') in document
    assert "Cheap $x$ &lt;b&gt;shoes&lt;/b&gt; &amp; co" in document  # table and chart label
    assert_self_contained(document)


def test_mathtext_is_never_triggered_by_user_text() -> None:
    assert mathtext_safe("a $b$ c\\") == "a \\$b\\$ c\\\\"


def test_no_history_still_renders_the_red_flags(tmp_path: Path) -> None:
    document = render_html(analyze([tmp_path]))  # the command line says "no files" instead
    assert "No activities could be read" in document and "<svg" not in document
    assert all(f"<li>{esc(flag)}</li>" in document for flag in RED_FLAGS)
    assert_self_contained(document)


# --- ten years: an overview, and the recent weeks in detail -----------------------------------


@pytest.fixture(scope="module")
def ten_years_html() -> str:
    from tests.long_history import ten_year_analysis

    return render_html(ten_year_analysis())


def _section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    return page[start : page.find("<h2", start + 4)]


def test_a_long_history_gets_an_overview_by_month_and_by_year(ten_years_html: str) -> None:
    from tests.long_history import ten_years

    assert '<svg id="chart-overview" role="img"' in ten_years_html
    years = _section(ten_years_html, "Year by year")
    rows = re.findall(r'<tr><td class="text">(\d{4})</td><td>(\d+)</td><td>(\d+)</td>', years)
    assert [r[0] for r in rows] == [str(y) for y in range(2015, 2026)]
    runs_2016 = [s for s in ten_years() if s.sport.is_running and s.start_time.year == 2016]
    km_2016 = sum(s.distance_m for s in runs_2016) / 1000
    assert rows[1] == ("2016", str(len(runs_2016)), f"{km_2016:.0f}")
    assert rows[-1][1:] == ("0", "0")  # 2025: one walk, no runs


def test_a_long_history_shows_the_26_weeks_up_to_now_one_by_one(ten_years_html: str) -> None:
    weeks = _section(ten_years_html, "Weekly load")
    starts = re.findall(r'<tr(?: class="partial")?><td class="text">(\d+ \w+ \d{4})\*?</td>', weeks)
    assert (len(starts), starts[0], starts[-1]) == (26, "15 Jan 2024", "8 Jul 2024")
    assert "<code>calfguard weeks</code> lists every week." in weeks
    activities = re.search(r"<summary>Activities since 15 Jan 2024 \((\d+)\)</summary>",
                           ten_years_html)  # fmt: skip
    assert activities is not None
    listed = int(activities.group(1))
    assert ten_years_html.count("<code>20") == listed  # one file name per row listed
    earlier = re.search(r"(\d+) earlier activities: <code>calfguard activities</code>",
                        ten_years_html)  # fmt: skip
    assert earlier is not None and int(earlier.group(1)) + listed == 2435


def test_weekly_ticks_are_counted_back_from_the_latest_week_and_carry_its_year() -> None:
    """Weeks from 28 Jul 2025 to 5 Jan 2026: every 4th week is ticked, and the last week, the
    first of 2026, is one of them, with its year (ticks counted from the first week ended on
    15 Dec 2025, and 2026 was nowhere on the axis)."""
    from types import SimpleNamespace

    from matplotlib.figure import Figure

    from analyzer.report.charts import _week_ticks

    first = date(2025, 7, 28)
    weeks = [SimpleNamespace(week_start=first + timedelta(weeks=i)) for i in range(24)]
    ax = Figure().subplots()
    _week_ticks(ax, weeks)  # type: ignore[arg-type]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["18 Aug\n2025", "15 Sep", "13 Oct", "10 Nov", "8 Dec", "5 Jan\n2026"]
    assert labels[-1] == "5 Jan\n2026" and list(ax.get_xticks())[-1] == 23.0


def test_a_rule_card_lists_the_most_important_findings_and_counts_the_rest() -> None:
    from collections import Counter

    from analyzer.report.html_report import FINDINGS_LISTED
    from tests.long_history import ten_year_analysis

    analysis = ten_year_analysis()
    assert analysis.assessment is not None
    page = render_html(analysis)
    per_rule = Counter(f.rule for f in analysis.assessment.findings)
    assert max(per_rule.values()) > FINDINGS_LISTED
    for rule, total in per_rule.items():
        card = re.search(rf'<div class="card \w+" id="rule-{rule}">(.*?)</ul>', page, re.S)
        assert card is not None, rule
        assert card.group(1).count('<span class="badge') == min(total, FINDINGS_LISTED)
        more = re.search(r"and (\d+) more \((\d+ \w+ )?[^)]*\d{4}\)", card.group(1))
        assert (int(more.group(1)) if more else 0) == max(total - FINDINGS_LISTED, 0), rule
