"""What one parse task does, wherever an engine runs it: load a file's bytes (unless given),
hash them, read and summarize the activities, and encode the summaries for the store.

A task gets files, never samples, and returns summaries, never samples: what crosses a process
(or network) boundary is small. Nothing here raises for a bad file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from analyzer.errors import ReadError
from analyzer.metrics.summary import ActivitySummary, summarize
from analyzer.readers import (
    ReadFailure,
    Source,
    internal_failure,
    read_failure,
    read_source,
    source_bytes,
)
from analyzer.readers.strava import StravaMeta
from analyzer.settings import AthleteProfile
from analyzer.summary_rows import encode_summaries


@dataclass(frozen=True, slots=True)
class ParseJob:
    """What a task needs: the file's bytes, or for a plain file its loader (never a handle),
    and the bytes' hash when it is known already. ``index`` is the file's place in the run."""

    index: int
    path: str
    load: Callable[[], bytes]
    hash: str | None
    meta: StravaMeta | None
    profile: AthleteProfile


@dataclass(frozen=True, slots=True)
class Parsed:
    index: int
    path: str
    outcome: list[ActivitySummary] | ReadFailure
    encoded: str | None  # the summaries (without their path) or the failure reason, for the store
    keep: bool  # False: not stored (an internal error is retried next run)
    hash: str | None  # the bytes' hash; None when they could not be loaded


def given_bytes(data: bytes) -> bytes:
    """A loader for bytes already in hand (a ``partial`` of it pickles with them)."""
    return data


def load_bytes(source: Source) -> bytes | ReadFailure:
    """The source's bytes, or why they cannot be had."""
    try:
        return source_bytes(source)
    except ReadError as exc:
        return read_failure(exc)
    except Exception as exc:  # whatever else a loader raises ends this file, not the run
        return ReadFailure(source.path, f"cannot read: {exc}")


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data).hexdigest()


def parse(job: ParseJob) -> Parsed:
    """Loads (unless given the bytes), reads and summarizes one file."""
    data = load_bytes(Source(job.path, job.load, True, job.meta))
    if isinstance(data, ReadFailure):  # not stored: the next run tries again
        return Parsed(job.index, job.path, data, None, False, None)
    digest = job.hash or content_hash(data)
    source = Source(job.path, partial(given_bytes, data), True, job.meta)
    try:
        summaries = [summarize(activity, job.profile) for activity in read_source(source)]
    except ReadError as exc:
        return Parsed(job.index, job.path, read_failure(exc), exc.reason, True, digest)
    except Exception as exc:  # a bug must not end a nightly batch: report it, retry next run
        return Parsed(job.index, job.path, internal_failure(job.path, exc), None, False, digest)
    encoded = encode_summaries(summaries, job.path)
    return Parsed(job.index, job.path, summaries, encoded, encoded is not None, digest)


def parse_batch(jobs: Sequence[ParseJob]) -> list[Parsed]:
    """One task for several files: fewer round trips for small files."""
    return [parse(job) for job in jobs]
