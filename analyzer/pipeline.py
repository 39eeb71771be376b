"""One way through: discover -> read -> summarize (-> store -> aggregate -> assess, later).

Returns plain results; the CLI renders them. A bad file becomes an entry in ``errors``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from analyzer.metrics.summary import ActivitySummary, summarize
from analyzer.readers import ReadFailure, iter_read


@dataclass(slots=True)
class Analysis:
    summaries: list[ActivitySummary] = field(default_factory=list)
    errors: list[ReadFailure] = field(default_factory=list)


def analyze(paths: Iterable[str | os.PathLike[str]]) -> Analysis:
    analysis = Analysis()
    for item in iter_read(paths):
        if isinstance(item, ReadFailure):
            analysis.errors.append(item)
        else:
            analysis.summaries.extend(summarize(activity) for activity in item)
    analysis.summaries.sort(key=lambda s: (s.start_time, s.id))
    return analysis
