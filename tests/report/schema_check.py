"""The JSON Schema in docs/, and checks against it that any test can use."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "report.schema.json"


class Checked:
    """How many JSON reports the session-wide check (tests/conftest.py) has validated."""

    reports = 0


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def validate_report(document: Any) -> None:
    """Raises jsonschema.ValidationError when ``document`` does not match the schema."""
    jsonschema.validate(
        document,
        schema(),
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.FormatChecker(),
    )


def validate_part(definition: str, item: Any) -> None:
    """Checks one item against ``#/$defs/<definition>`` (the table commands print parts)."""
    whole = schema()
    sub = {"$defs": whole["$defs"], "$ref": f"#/$defs/{definition}"}
    jsonschema.validate(
        item, sub, cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker()
    )
