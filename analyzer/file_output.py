"""Writing a report file so that a run that fails half-way never leaves half a report where
the last one was: it is written beside its final name and renamed into place."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

__all__ = ["replace_file", "write_pieces"]


def replace_file(output: Path, pieces: Iterable[str]) -> None:
    """Writes ``pieces`` to ``output`` in one step for its readers; raises ``OSError``."""
    final = output.resolve() if output.is_symlink() else output  # the link stays a link
    partial = final.with_name(f".{final.name}.{os.getpid()}.partial")
    try:
        with partial.open("w", encoding="utf-8") as stream:
            write_pieces(pieces, stream)
        with contextlib.suppress(OSError):  # the report it replaces keeps its permissions
            shutil.copymode(final, partial)
        partial.replace(final)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def write_pieces(pieces: Iterable[str], stream: TextIO) -> None:
    """Writes short pieces a few tens of kB at a time (one write each would be slow)."""
    pending: list[str] = []
    size = 0
    for piece in pieces:
        pending.append(piece)
        size += len(piece)
        if size >= 1 << 16:
            stream.write("".join(pending))
            pending, size = [], 0
    stream.write("".join(pending))
