"""The command line: the only module that imports typer and rich's console.

Each command is thin: resolve settings, call the library, render, and turn library errors into
one ``Error: ...`` line (no traceback unless ``--debug``). Exit codes, for cron:
0 success; 1 the report was produced but some files could not be read; 2 bad usage.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from analyzer import __version__
from analyzer.config import read_config, zone
from analyzer.errors import ConfigError
from analyzer.pipeline import analyze
from analyzer.report.json_report import render_json
from analyzer.report.terminal import render_terminal
from analyzer.settings import Settings

EXIT_OK = 0
EXIT_UNREADABLE_FILES = 1
EXIT_USAGE = 2

app = typer.Typer(
    help="Training patterns associated with calf pain, from your watch exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(enum.StrEnum):
    terminal = "terminal"
    json = "json"


class Units(enum.StrEnum):
    km = "km"
    mi = "mi"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"calfguard {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """calfguard reads FIT, GPX and TCX files (gzipped or not, folders, Strava exports)."""


@app.command()
def report(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to analyse.")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.terminal,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    units: Annotated[Units, typer.Option(help="Display units.")] = Units.km,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA time zone for files that do not record their UTC offset."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Config file (TOML): athlete, shoes, time zone, thresholds."),
    ] = None,
) -> None:
    """Analyse activities and print the report."""
    settings = _settings(config, timezone)
    analysis = analyze(paths, settings)
    if output_format is OutputFormat.json:
        _emit(render_json(analysis), output)
    else:
        console = _console(output)
        render_terminal(analysis, console, units.value)
        if output is not None:
            output.write_text(console.export_text(), encoding="utf-8")
    raise typer.Exit(EXIT_UNREADABLE_FILES if analysis.errors else EXIT_OK)


def _settings(config: Path | None, timezone: str | None) -> Settings:
    """Flags over the config file over defaults."""
    try:
        settings = read_config(config)[0] if config is not None else Settings()
        if timezone is not None:
            settings = replace(settings, timezone=zone(timezone, "--timezone"))
    except ConfigError as exc:
        _fail(str(exc))
    return settings


def _console(output: Path | None) -> Console:
    if output is None:
        return Console()
    return Console(record=True, file=open("/dev/null", "w"), width=120)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    app()
