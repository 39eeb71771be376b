"""HTML benchmark (make bench): the report page for ten years of running.

The history is ``tests/long_history.ten_years`` (2,435 activities, January 2015 to July 2024
and a walk in January 2025), aggregated and assessed once; then ``render_html`` is timed five
times (matplotlib imported and warm, as in a report run) and the page's size is measured.

Targets (issue 14): the page in under 1 s and under 400 KB.

Usage: .venv/bin/python bench/bench_html.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.report.html_report import render_html
from tests.long_history import ten_year_analysis

TARGET_S = 1.0
TARGET_KB = 400


def main() -> int:
    analysis = ten_year_analysis()
    render_html(analysis)  # the first page pays for matplotlib's font cache and imports
    seconds = []
    for _ in range(5):
        started = time.perf_counter()
        page = render_html(analysis)
        seconds.append(time.perf_counter() - started)
    size_kb = len(page.encode("utf-8")) / 1024
    median = statistics.median(seconds)
    print(f"HTML report, ten years ({len(analysis.summaries)} activities)")
    print(f"  render  {median:.2f} s median of 5 (best {min(seconds):.2f} s)  "
          f"[target < {TARGET_S:g} s: {'ok' if median < TARGET_S else 'MISSED'}]")  # fmt: skip
    print(f"  size    {size_kb:.0f} KB  [target < {TARGET_KB} KB: "
          f"{'ok' if size_kb < TARGET_KB else 'MISSED'}]")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
