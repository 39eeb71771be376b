"""Renders the pictures in docs/report.md from sample_data/ (``make docs-images``).

- terminal-report.svg: the terminal report at 80 columns, as rich records it (its SVG template
  without the web font it would otherwise link to);
- html-report.png and html-report-phone.png: the HTML report in headless Chromium;
- html-report-ten-years.png: the HTML report on ten years of running (tests/long_history.py),
  reported long after its last run.

Each is made as if on the sample history's last day (``SAMPLE_TODAY``), so the pictures do not
change with the calendar.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from PIL import Image
from rich.console import CONSOLE_SVG_FORMAT, Console

from analyzer.config import read_config
from analyzer.pipeline import analyze
from analyzer.report.html_report import render_html
from analyzer.report.terminal import render_terminal

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "img"
SAMPLE_TODAY = date(2026, 11, 22)


def main() -> int:
    os.chdir(ROOT)  # relative paths in the pictures, as a user would type them
    settings, _ = read_config(Path("sample_data/calfguard.toml"))
    analysis = analyze(["sample_data"], settings, today=SAMPLE_TODAY)
    console = Console(record=True, width=80, force_terminal=True, color_system="truecolor",
                      highlight=False, emoji=False, file=io.StringIO())  # fmt: skip
    render_terminal(analysis, console)
    template = re.sub(r"@font-face \{\{.*?\}\}\s*", "", CONSOLE_SVG_FORMAT, flags=re.S)
    template = template.replace('"Fira Code", ', "")
    svg = console.export_svg(title="calfguard report", code_format=template)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)  # the generator's credit line
    (OUT / "terminal-report.svg").write_text(svg, encoding="utf-8")
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium not found: HTML screenshots not made", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    from tests.long_history import ten_year_analysis

    pages = (
        (render_html(analysis), (("html-report.png", "1280,2000"),
                                 ("html-report-phone.png", "412,1800"))),
        (render_html(ten_year_analysis()), (("html-report-ten-years.png", "1280,2600"),)),
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for n, (html, shots) in enumerate(pages):
            page = Path(tmp) / f"report-{n}.html"
            page.write_text(html, encoding="utf-8")
            for name, size in shots:
                shot = Path(tmp) / name
                subprocess.run(
                    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--hide-scrollbars",
                     f"--user-data-dir={tmp}/profile", f"--screenshot={shot}",
                     f"--window-size={size}", page.as_uri()],
                    check=True, capture_output=True,
                )  # fmt: skip
                image = Image.open(shot).convert("RGB")
                image.quantize(colors=128).save(OUT / name, optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
