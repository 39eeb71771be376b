"""Every test runs with its own empty cache and config folders, and without CALFGUARD_*
settings from the developer's environment (except the corpus location): a developer's
config file or store never changes what a test sees, and tests never write to them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_session_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same for fixtures shared by a module or the session, which run before any test's
    own folders exist: never the developer's store or config."""
    home = tmp_path_factory.mktemp("session-user")
    names = [n for n in os.environ if n.startswith("CALFGUARD_") and n != "CALFGUARD_CORPUS"]
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", *names)}
    for name in names:
        del os.environ[name]
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(autouse=True)
def _isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for name in list(os.environ):
        if name.startswith("CALFGUARD_") and name != "CALFGUARD_CORPUS":
            monkeypatch.delenv(name)
    Path(home / "cache").mkdir()


#: The day every test runs on, unless it says otherwise (``analyze(today=...)``): the sample
#: history's last day, so that no report a test checks changes with the calendar.
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True, scope="session")
def _today_is_fixed() -> Iterator[None]:
    import analyzer.pipeline

    original = analyzer.pipeline.today_in
    analyzer.pipeline.today_in = lambda zone: TODAY
    try:
        yield
    finally:
        analyzer.pipeline.today_in = original


@pytest.fixture(autouse=True, scope="session")
def _json_reports_match_the_schema() -> Iterator[None]:
    """Every JSON report any test produces (``json_pieces``, whoever calls it: render_json,
    the CLI) is validated against docs/report.schema.json, so the schema cannot drift from the
    output. Patched once for the session, without ``monkeypatch``."""
    import json

    import analyzer.cli
    from analyzer.pipeline import Analysis
    from analyzer.report import json_report
    from tests.report.schema_check import Checked, validate_report

    original = json_report.json_pieces

    def checked(analysis: Analysis) -> Iterator[str]:
        pieces = list(original(analysis))
        validate_report(json.loads("".join(pieces)))
        Checked.reports += 1
        return iter(pieces)

    targets = [m for m in (json_report, analyzer.cli) if getattr(m, "json_pieces", None)]
    for module in targets:
        module.json_pieces = checked  # type: ignore[attr-defined]
    yield
    for module in targets:
        module.json_pieces = original  # type: ignore[attr-defined]
