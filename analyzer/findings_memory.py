"""What the previous run over the same paths reported, so that ``--fail-on`` fires on new
findings only.

Each run's findings are kept in the store under a digest of its paths, as ``rule|date|what``
keys with their severity; the next run compares its own with them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from analyzer.errors import StoreError
from analyzer.pipeline import Analysis
from analyzer.rules import Finding, Severity
from analyzer.store import Store, digest_paths

__all__ = [
    "finding_keys", "is_new", "keyed_findings", "new_findings", "restoring_athletes",
    "restoring_findings",
    "swap_findings",
]  # fmt: skip

#: Seconds to wait for the store when putting findings back after a failed report.
RESTORE_LOCK_TIMEOUT_S = 5.0


def keyed_findings(analysis: Analysis) -> list[tuple[str, Finding]]:
    """Each reported finding with its key, ``rule|date|what``: ``what`` is the week, or the
    activity by its start time (so renaming a file does not make its findings new). A
    finding about neither (a pair of shoes, the athlete's age) is keyed by its rule and its
    message without numbers, not by its date, which moves with every new run."""
    starts = _starts(analysis)
    findings = analysis.assessment.findings if analysis.assessment else []
    return [(_key(finding, starts), finding) for finding in findings]


def finding_keys(analysis: Analysis) -> dict[str, int]:
    """Each finding's key -> its severity (the highest, when two share a key)."""
    keys: dict[str, int] = {}
    for key, finding in keyed_findings(analysis):
        keys[key] = max(keys.get(key, 0), int(finding.severity))
    return keys


def is_new(key: str, severity: int, previous: Mapping[str, int] | None) -> bool:
    """Whether the previous run (None: there was none) did not report the finding at this
    severity or higher."""
    return (previous or {}).get(key, 0) < severity


def new_findings(
    analysis: Analysis, previous: Mapping[str, int] | None, at_least: Severity
) -> list[Finding]:
    """Findings of ``at_least`` that the previous run did not report at that severity or
    higher (all of them when there was no previous run)."""
    return [
        finding
        for key, finding in keyed_findings(analysis)
        if finding.severity >= at_least and is_new(key, finding.severity, previous)
    ]


def swap_findings(
    analysis: Analysis, store: Store | None, paths: Sequence[Path], windowed: bool
) -> dict[str, int] | None:
    """Keeps this run's findings for the next run over the same paths; returns the previous
    run's (None: no previous run, or no store, and then every finding is new). A run limited
    by --since/--until sees only some of them, so it adds its own to those kept rather than
    replacing them: an ad-hoc look at last month must not make tonight's run mail old news."""
    if store is None:
        return None
    scope = digest_paths(paths)
    previous = store.previous_findings(scope)
    keys = finding_keys(analysis)
    if windowed and previous is not None:
        keys = {key: max(keys.get(key, 0), previous.get(key, 0)) for key in previous | keys}
    store.record_findings(scope, keys)
    return previous


@contextlib.contextmanager
def restoring_findings(
    db: Path, paths: Sequence[Path] | None, previous: dict[str, int] | None
) -> Iterator[None]:
    """If the report cannot be written, the previous run's findings are put back in the store
    at ``db`` (``paths`` None: no store was used), so that the next run still counts this
    run's as new (best effort)."""
    try:
        yield
    except BaseException:
        if paths is not None:
            with contextlib.suppress(StoreError), Store.open(db, RESTORE_LOCK_TIMEOUT_S) as store:
                store.record_findings(digest_paths(paths), previous)
        raise


@contextlib.contextmanager
def restoring_athletes(
    db: Path | None, previous: Mapping[str, Mapping[str, int] | None]
) -> Iterator[None]:
    """``restoring_findings`` for a team run: if the overview cannot be written, each athlete
    analysed (id -> their previous run's findings) gets those back, and is analysed again
    by the next run rather than shown as unchanged (best effort; ``db`` None: no store)."""
    try:
        yield
    except BaseException:
        if db is not None and previous:
            with contextlib.suppress(StoreError), Store.open(db, RESTORE_LOCK_TIMEOUT_S) as store:
                store.forget_athletes(previous)
        raise


def _starts(analysis: Analysis) -> dict[str, str]:
    """Activity id -> start time (UTC, ISO)."""
    if analysis.history is None:
        return {}
    placed = (*analysis.history.runs, *analysis.history.others)
    return {p.summary.id: p.summary.start_time.isoformat() for p in placed}


def _key(finding: Finding, starts: Mapping[str, str]) -> str:
    if finding.activity_id is not None:
        what = "run " + starts.get(finding.activity_id, finding.activity_id)
    elif finding.week_start is not None:
        what = f"week {finding.week_start.isoformat()}"
    else:
        return f"{finding.rule}||{_NUMBERS.sub('#', finding.message)}"
    return f"{finding.rule}|{finding.date.isoformat()}|{what}"


_NUMBERS = re.compile(r"\d+(?:[.,:]\d+)*")
