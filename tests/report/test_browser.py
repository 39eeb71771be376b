"""The HTML report in a real headless Chromium (Debian's ``chromium``; ``make chromium``
installs it): it renders offline with its charts, logs nothing to the console, and makes no
network request. Screenshots (desktop and phone) are saved under artifacts/ for a person to
look at."""

from __future__ import annotations

import html
import json
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from tests.long_history import ten_year_analysis
from tests.report.conftest import CONFIG, ROOT, SAMPLE, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium, or `make chromium`)",
)
ARTIFACTS = ROOT / "artifacts"


def _closed_port() -> int:
    """A local port nothing listens on: the proxy every request would have to go through."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chromium(page: Path, tmp: Path, *extra: str) -> tuple[str, str, list[str]]:
    """Runs headless Chromium on ``page``: (standard output, standard error, the URLs the page
    itself requested according to Chromium's network log)."""
    assert CHROMIUM is not None
    profile, netlog = tmp / "profile", tmp / "netlog.json"
    done = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--proxy-server=127.0.0.1:{_closed_port()}", f"--log-net-log={netlog}",
            *extra, page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr, _page_requests(netlog)


def _page_requests(netlog: Path) -> list[str]:
    """URLs requested on behalf of a page opened from a file (the browser's own background
    requests, which no page asked for, are not the page's doing)."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for event in log["events"]:
        params = event.get("params") or {}
        started = types.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params
        from_page = "file://" in str(params.get("network_isolation_key", ""))
        if started and from_page and not params["url"].startswith(("file:", "data:")):
            urls.append(params["url"])
    return urls


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("browser") / "report.html"
    # No store: a module's fixture runs before each test's own empty cache folder exists.
    result = run("report", "--config", str(CONFIG), str(SAMPLE), "--format", "html",
                 "--output", str(target), "--no-cache")  # fmt: skip
    assert result.exit_code == 0, result.output
    return target


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """A page that logs to the console and fetches an image is caught by both checks."""
    page = tmp_path / "canary.html"
    page.write_text(
        "<!DOCTYPE html><html><body><img src='http://calfguard.invalid/x.png'>"
        "<script>console.error('canary')</script></body></html>",
        encoding="utf-8",
    )
    _, stderr, requests = chromium(page, tmp_path, "--dump-dom")
    assert any("canary" in line for line in _console(stderr))
    assert requests == ["http://calfguard.invalid/x.png"]


def test_renders_offline_with_its_charts_no_console_errors_no_requests(
    report_file: Path, tmp_path: Path
) -> None:
    dom, stderr, requests = chromium(report_file, tmp_path, "--dump-dom")
    assert requests == []
    assert _console(stderr) == []
    for chart in ("chart-weekly", "chart-spikes", "chart-cadence", "chart-hills",
                  "chart-shoes", "chart-fitness"):  # fmt: skip
        assert f'<svg id="{chart}"' in dom
    assert dom.count("<path") > 100  # the charts were parsed and drawn, not left as text
    assert "Red flags" in dom and "What matters most now" in dom


@pytest.mark.parametrize(("name", "size"), [("desktop", "1280,2400"), ("phone", "412,2400")])
def test_screenshots(report_file: Path, tmp_path: Path, name: str, size: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"report-{name}.png"
    target.unlink(missing_ok=True)
    _, stderr, requests = chromium(
        report_file, tmp_path, f"--screenshot={target}", f"--window-size={size}"
    )
    assert requests == [] and _console(stderr) == []
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 50_000  # a page with text and charts, not a blank one


# --- a long history: no label on top of another ---------------------------------------------

#: Run in the page (a copy without its Content-Security-Policy, which forbids scripts): every
#: pair of text boxes in one chart that overlap by more than a pixel each way.
_OVERLAPS = """<script>
window.addEventListener("load", () => {
  const found = [];
  for (const svg of document.querySelectorAll("svg")) {
    const boxes = [...svg.querySelectorAll("text")]
      .map(t => [t.textContent, t.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && r.height > 0);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 1 && h > 1) found.push(`${svg.id}: "${a}" / "${b}"`);
      }
    }
  }
  const out = document.createElement("pre");
  out.id = "overlaps";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>"""


def overlapping_labels(page_html: str, tmp: Path, width_px: int) -> list[str]:
    page = tmp / f"checked-{width_px}.html"
    without_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page_html)
    page.write_text(without_csp.replace("</body>", _OVERLAPS + "</body>"), encoding="utf-8")
    dom, stderr, _ = chromium(
        page, tmp, "--dump-dom", f"--window-size={width_px},3000", "--virtual-time-budget=5000"
    )
    assert _console(stderr) == []
    found = re.search(r'<pre id="overlaps">(.*?)</pre>', dom, re.S)
    assert found is not None, "the check did not run"
    return list(json.loads(html.unescape(found.group(1))))


def test_the_overlap_check_can_fail(tmp_path: Path) -> None:
    page = (
        '<!DOCTYPE html><html><body><svg id="canary" width="200" height="50">'
        '<text x="10" y="30">+25%</text><text x="14" y="32">+30%</text>'
        '<text x="120" y="30">apart</text></svg></body></html>'
    )
    assert overlapping_labels(page, tmp_path, 800) == ['canary: "+25%" / "+30%"']


@pytest.fixture(scope="module")
def ten_year_page() -> str:
    from analyzer.report.html_report import render_html

    return render_html(ten_year_analysis())


@pytest.mark.parametrize("width_px", [1280, 412])
def test_a_ten_year_history_has_no_overlapping_labels(
    ten_year_page: str, tmp_path: Path, width_px: int
) -> None:
    assert overlapping_labels(ten_year_page, tmp_path, width_px) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page = tmp_path / "ten-years.html"
    page.write_text(ten_year_page, encoding="utf-8")
    target = ARTIFACTS / f"report-ten-years-{width_px}.png"
    _, stderr, requests = chromium(
        page, tmp_path, f"--screenshot={target}", f"--window-size={width_px},4000"
    )
    assert requests == [] and _console(stderr) == []
    assert target.stat().st_size > 50_000


@pytest.mark.parametrize("width_px", [1280, 412])
def test_the_sample_report_has_no_overlapping_labels(
    report_file: Path, tmp_path: Path, width_px: int
) -> None:
    page = report_file.read_text(encoding="utf-8")
    assert overlapping_labels(page, tmp_path, width_px) == []
