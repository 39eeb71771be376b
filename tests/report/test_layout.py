"""Every terminal output fits the console's width without cutting a word: the report,
activities, weeks and show, on the sample history and on a long, untidy one (long_history.py),
at 80, 100 and 130 columns, in km and mi; and at any width from 60 to 160, no word of an
activity, file or shoe name is cut."""

from __future__ import annotations

import dataclasses
import io
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from analyzer.config import read_config
from analyzer.pipeline import Analysis, analyze
from analyzer.report.terminal import (
    make_console,
    render_activities,
    render_show,
    render_terminal,
    render_weeks,
)
from analyzer.rules import assess
from analyzer.settings import Shoe
from analyzer.training_load import build_history
from tests.report.conftest import CONFIG, ROOT, SAMPLE, flat, run
from tests.report.long_history import DEEP, NAME, SHOE, SLUG, long_analysis

WIDTHS = (80, 100, 130)
UNITS = ("km", "mi")
COMMANDS = ("report", "activities", "weeks", "show")
# every word a table header may hold, whatever the width and units
HEADER_WORDS = {
    "Week", "Runs", "km", "mi", "Change", "vs", "4", "wk", "Longest", "Ascent", "Descent",
    "Cadence", "spm", "m", "ft", "ACWR", "Time", "Monotony", "Other", "sports",
    "Local", "start", "Sport", "Moving", "Pace", "/km", "/mi", "File", "Year", "Weeks", "with",
    "runs",
}  # fmt: skip
RULE = re.compile(r"^─+$")


def rendered(draw: Callable[[Console], None], width: int) -> str:
    """What a command prints at ``width`` columns, as plain text."""
    console = make_console(io.StringIO(), width=width, record=True)
    draw(console)
    return console.export_text()


def draw(command: str, analysis: Analysis, one: Analysis, unit: str) -> Callable[[Console], None]:
    """The terminal output of ``command``; ``show`` shows ``one``'s activities."""
    return {
        "report": lambda c: render_terminal(analysis, c, unit, show_all=True),
        "activities": lambda c: render_activities(analysis.summaries, analysis, c, unit),
        "weeks": lambda c: render_weeks(analysis, c, unit),
        "show": lambda c: render_show(one, c, unit),
    }[command]


def header_lines(out: str) -> list[list[str]]:
    """Each table's header: the two lines above its rule."""
    lines = out.splitlines()
    return [[lines[i - 2].rstrip(), lines[i - 1].rstrip()] for i, line in enumerate(lines)
            if RULE.match(line.strip())]  # fmt: skip


def rejoined(out: str) -> str:
    """``out`` as one line: lines broken after a path's or file name's joint (/ - _ .) joined
    without a space, the other wrapped lines with one."""
    return flat(re.sub(r"(?<=[/\\\-_.]) *\n *", "", out))


def assert_fits(out: str, width: int) -> None:
    """No line wider than the console, nothing cut with an ellipsis, every header word whole."""
    assert max(len(line) for line in out.splitlines()) <= width
    assert "…" not in out
    for header in header_lines(out):
        words = {word for line in header for word in line.split()}
        assert words <= HEADER_WORDS, (words - HEADER_WORDS, header)


def assert_names_whole(out: str, command: str, analysis: Analysis, one: Analysis) -> None:
    """The activity list shows every file name, and `show` the file's path, broken (if at
    all) only between words or at a joint."""
    text = rejoined(out)
    if command == "activities":
        assert [s.path for s in analysis.summaries if Path(s.path).name not in text] == []
    if command == "show":
        assert one.summaries[0].path in text


@pytest.fixture(scope="module")
def long() -> Analysis:
    return long_analysis()


@pytest.fixture(scope="module")
def long_run(long: Analysis) -> Analysis:
    """The long history's first run, alone, as `calfguard show` gives it."""
    return dataclasses.replace(long, summaries=long.summaries[:1])


@pytest.fixture(scope="module")
def sample_run() -> Analysis:
    settings, _ = read_config(CONFIG)
    return analyze([SAMPLE / "2026-08-22-1304-long-run.fit"], settings)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("history", ["sample", "long"])
def test_every_output_fits_every_width(
    request: pytest.FixtureRequest, history: str, command: str, unit: str, width: int
) -> None:
    """The sample, and a long history with long names: ``history`` and ``history_run`` (one
    file of it, for ``show``) are fixtures."""
    analysis: Analysis = request.getfixturevalue(history)
    one: Analysis = request.getfixturevalue(f"{history}_run")
    out = rendered(draw(command, analysis, one, unit), width)
    assert_fits(out, width)
    assert_names_whole(out, command, analysis, one)
    if history == "sample" and command in ("report", "weeks", "activities"):
        assert header_lines(out), "a table"
    if history == "long" and command in ("report", "show"):
        assert SHOE in flat(out)
    if history == "long" and command == "show":
        assert NAME in flat(out)


@pytest.mark.parametrize("command", ("report", "activities", "weeks"))
@pytest.mark.parametrize("width", WIDTHS)
def test_a_path_wider_than_the_console_breaks_only_after_a_slash(
    long: Analysis, command: str, width: int
) -> None:
    out = rendered(draw(command, long, long, "km"), width)
    path = f"{DEEP}/{SLUG}.fit"
    assert len(path) > width
    assert path in re.sub(r"/ *\n *", "/", out)


def test_a_file_name_wider_than_its_column_breaks_between_its_parts(long: Analysis) -> None:
    out = rendered(draw("activities", long, long, "km"), 80)
    first = out.splitlines()[5:9]  # the first activity's row and the lines its file name wraps to
    assert [line[52:].rstrip() for line in first] == [
        "2024-09-02-0607-sunday-long-",
        "run-along-the-lakeshore-",
        "with-the-club-and-",
        "friends.fit",
    ]
    assert {line[:52].strip() for line in first[1:]} == {""}


def test_the_tables_headers_at_80_columns(sample: Analysis, long: Analysis) -> None:
    """The weekly table keeps all its everyday columns on the sample; the long history's
    year labels and five-digit feet push ascent out. The activity list leaves out moving time
    and ascent, so that the file name has room."""

    def headers(command: str, analysis: Analysis, unit: str) -> list[str]:
        (header,) = header_lines(rendered(draw(command, analysis, analysis, unit), 80))
        return header

    assert headers("weeks", sample, "km") == [
        "                                      Longest  Ascent  Descent  Cadence",
        "Week    Runs    km            Change       km       m        m      spm  ACWR",
    ]
    assert headers("weeks", long, "mi") == [
        "                                           Longest  Descent  Cadence",
        "Week         Runs    mi            Change       mi       ft      spm  ACWR",
    ]
    assert headers("activities", sample, "km") == [
        "                                    Pace  Cadence",
        "Local start       Sport         km   /km      spm  File",
    ]
    assert headers("activities", long, "mi") == [
        "                                     Pace  Cadence",
        "Local start       Sport         mi    /mi      spm  File",
    ]


def test_the_docs_show_the_activity_list_as_it_is_at_80_columns(sample: Analysis) -> None:
    docs = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    (snippet,) = [b for b in re.findall(r"```\n(.*?)```", docs, re.S) if "Local start" in b]
    lines = {line.rstrip() for line in rendered(draw("activities", sample, sample, "km"), 80)
             .splitlines()}  # fmt: skip
    assert [line for line in snippet.splitlines() if line not in lines] == []


def test_the_commands_fit_their_terminal_and_output_files(sample: Analysis, tmp_path: Path) -> None:
    """Through the command line: the terminal's width (COLUMNS), and the 120 columns of
    `activities --output`."""
    for command in ("report", "activities", "weeks"):
        out = run(command, "--config", str(CONFIG), str(SAMPLE), columns=80).stdout
        assert_fits(out, 80)
        assert_names_whole(out, command, sample, sample)
    target = tmp_path / "activities.txt"
    run("activities", "--config", str(CONFIG), str(SAMPLE), "--output", str(target))
    out = target.read_text(encoding="utf-8")
    assert_fits(out, 120)
    assert_names_whole(out, "activities", sample, sample)


words = st.text(alphabet=string.ascii_letters, min_size=1, max_size=10)
names = st.lists(words, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(width=st.integers(60, 160), name=names, shoe=names, unit=st.sampled_from(UNITS))
def test_no_word_of_a_name_is_cut(
    long: Analysis, width: int, name: str, shoe: str, unit: str
) -> None:
    """An activity named ``name``, in a file named after it, run in shoes named ``shoe``:
    each name appears whole (its words in order, wrapped only between them) in the
    activity list, in `show`, and in the report's shoe finding."""
    settings = dataclasses.replace(long.settings, shoes=(Shoe(shoe, start_distance_m=900_000.0),))
    runs = [
        dataclasses.replace(s, path=f"{name} {i}.fit", id=f"{name} {i}.fit", name=name, gear=shoe)
        for i, s in enumerate(long.summaries[-12:])
    ]
    history = build_history(runs, settings)
    assert history is not None
    analysis = Analysis(settings, runs, [], history, assess(history, settings))
    one = dataclasses.replace(analysis, summaries=runs[:1])
    shown = {"activities": [f"{name} 0.fit"], "show": [name, shoe], "report": [shoe]}
    for command, names_shown in shown.items():
        out = rendered(draw(command, analysis, one, unit), width)
        assert max(len(line) for line in out.splitlines()) <= width
        assert "…" not in out
        for expected in names_shown:
            assert expected in flat(out), command
