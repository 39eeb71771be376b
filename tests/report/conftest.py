"""Shared fixtures: the committed sample history, analysed once, and a CLI runner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from analyzer.cli import app
from analyzer.config import read_config
from analyzer.pipeline import Analysis, analyze

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
CONFIG = SAMPLE / "calfguard.toml"
ANSI = re.compile(r"\x1b\[")


def run(*args: str, env: dict[str, str | None] | None = None, columns: int = 80) -> Result:
    """The command line, as a script would call it (not a terminal), at ``columns`` wide."""
    environment: dict[str, str | None] = {
        "COLUMNS": str(columns),
        "NO_COLOR": None,
        "FORCE_COLOR": None,
        **(env or {}),
    }
    return CliRunner().invoke(app, list(args), env=environment)


def flat(text: str) -> str:
    """Text with every run of whitespace as one space: wrapped lines compare as one."""
    return " ".join(text.split())


@pytest.fixture(scope="session")
def sample() -> Analysis:
    settings, _ = read_config(CONFIG)
    return analyze([SAMPLE], settings)
