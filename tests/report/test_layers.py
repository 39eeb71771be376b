"""The report package's two layers: the neutral one imports no rendering library, and no
renderer imports another renderer (so the HTML report never loads rich, nor JSON matplotlib)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import analyzer.report

NEUTRAL = ("digest", "records", "wording", "units", "athlete_line", "team_digest")
RENDERERS = ("terminal", "html_report", "charts", "markdown", "json_report", "csv_report")
PACKAGE = Path(analyzer.report.__file__).parent


def _imported(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_module_of_the_package_is_in_one_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(NEUTRAL) | set(RENDERERS)


@pytest.mark.parametrize("module", RENDERERS)
def test_a_renderer_imports_no_other_renderer(module: str) -> None:
    others = {f"analyzer.report.{m}" for m in RENDERERS if m != module}
    if module == "html_report":
        others.discard("analyzer.report.charts")  # its charts are part of it
    assert not _imported(module) & others


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        *[(f"analyzer.report.{m}", ("rich", "matplotlib", "typer")) for m in NEUTRAL],
        ("analyzer.report.html_report", ("rich", "typer")),
        ("analyzer.report.markdown", ("rich", "matplotlib", "typer")),
        ("analyzer.report.json_report", ("rich", "matplotlib", "typer")),
        ("analyzer.report.csv_report", ("rich", "matplotlib", "typer")),
    ],
)
def test_importing_a_module_loads_no_library_it_does_not_use(
    module: str, absent: tuple[str, ...]
) -> None:
    code = f"import sys, {module}; print(sorted(set({absent!r}) & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
