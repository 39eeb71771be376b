"""One way through: discover -> read -> summarize -> aggregate -> assess.

Returns plain results; the CLI renders them. A bad file becomes an entry in ``errors`` and the
rest of the batch goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.load import History, build_history
from analyzer.metrics.summary import ActivitySummary, summarize
from analyzer.readers import ReadFailure, iter_read
from analyzer.rules import Assessment, assess
from analyzer.settings import Settings


@dataclass(slots=True)
class Analysis:
    settings: Settings
    summaries: list[ActivitySummary] = field(default_factory=list)
    errors: list[ReadFailure] = field(default_factory=list)
    history: History | None = None
    assessment: Assessment | None = None

    @property
    def duplicate_of(self) -> dict[str, str]:
        """Set-aside id -> the id kept in its place."""
        if self.history is None:
            return {}
        return {d.set_aside_id: d.kept_id for d in self.history.duplicates}


def summarize_paths(
    paths: Iterable[str | os.PathLike[str]], settings: Settings
) -> tuple[list[ActivitySummary], list[ReadFailure]]:
    summaries: list[ActivitySummary] = []
    errors: list[ReadFailure] = []
    for item in iter_read(paths):
        if isinstance(item, ReadFailure):
            errors.append(item)
        else:
            summaries.extend(summarize(activity, settings.profile) for activity in item)
    summaries.sort(key=lambda s: (s.start_time, s.id))
    return summaries, errors


def analyze(paths: Iterable[str | os.PathLike[str]], settings: Settings | None = None) -> Analysis:
    settings = settings or Settings()
    summaries, errors = summarize_paths(paths, settings)
    history = build_history(summaries, settings)
    assessment = assess(history, settings) if history is not None else None
    return Analysis(settings, summaries, errors, history, assessment)
