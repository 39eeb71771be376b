"""Deterministic (seeded) mutations of activity files, for the fuzzing tests.

Every mutant is named by the file it came from, the kind of mutation and its parameters, so a
failure can be reproduced from its name alone. Nothing here reads files through calfguard: the
FIT message walker below is written independently of ``analyzer.readers.fit_decoder`` so that a
bug in the decoder cannot hide the same bug in the mutator.
"""

from __future__ import annotations

import gzip
import random
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from types import FrameType

import numpy as np

from analyzer.model import Activity, Samples

FIT_HEADER_MAGIC = b".FIT"


class TimeLimitExceeded(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupts the block after ``seconds`` (main thread only). A blocking system call (an
    open() waiting on a FIFO) is interrupted too; a loop inside C code is not: the subprocess
    batch in test_mutants covers that."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_sound(activities: Iterable[Activity]) -> None:
    """What every activity a reader returns must be, however broken its file was."""
    activities = list(activities)
    assert activities, "a reader returned no activity instead of raising ReadError"
    for activity in activities:
        samples = activity.samples
        assert len(samples) > 0, f"{activity.id}: no samples"
        t = samples.time_s
        assert np.isfinite(t).all(), f"{activity.id}: non-finite time"
        assert (np.diff(t) >= 0).all(), f"{activity.id}: time goes backwards"
        for f in fields(Samples):
            values = getattr(samples, f.name)
            assert values.dtype == np.float64 and values.shape == t.shape, f.name
        assert activity.start_time.timestamp() == t[0], f"{activity.id}: start is not sample 0"
        assert all(isinstance(note, str) and note for note in activity.notes)


@dataclass(frozen=True, slots=True)
class Mutant:
    name: str  # "<source>|<kind>|<parameters>"
    kind: str  # the mutation family, for the outcome table
    data: bytes
    suffix: str  # the name the mutant is read under (".fit", ".gpx", ...)


@dataclass(frozen=True, slots=True)
class FitMessage:
    """One message of a FIT stream, as found by ``fit_messages``."""

    offset: int  # of the header byte
    length: int  # header byte included
    definition: bool
    local: int
    global_num: int  # of the message's definition (-1 when the local type was never defined)


def fit_header(data: bytes) -> tuple[int, int] | None:
    """(header size, declared data size) of a FIT file, or None when it has no FIT header."""
    if len(data) < 12 or data[0] not in (12, 14) or data[8:12] != FIT_HEADER_MAGIC:
        return None
    return data[0], int.from_bytes(data[4:8], "little")


def fit_messages(data: bytes) -> list[FitMessage]:
    """The messages of the first FIT file in ``data``, stopping quietly where it stops making
    sense (the mutator needs boundaries, not a verdict)."""
    header = fit_header(data)
    if header is None:
        return []
    header_size, data_size = header
    end = min(len(data), header_size + data_size) if data_size else len(data)
    pos = header_size
    sizes: dict[int, tuple[int, int]] = {}  # local type -> (data size, global number)
    out: list[FitMessage] = []
    while pos < end:
        byte = data[pos]
        if byte & 0x80:
            local = (byte >> 5) & 0x03
        elif byte & 0x40:
            if pos + 6 > end:
                break
            big = data[pos + 2] == 1
            global_num = int.from_bytes(data[pos + 3 : pos + 5], "big" if big else "little")
            n = data[pos + 5]
            fields_end = pos + 6 + 3 * n
            if fields_end > end:
                break
            size = sum(data[i + 1] for i in range(pos + 6, fields_end, 3))
            length = fields_end - pos
            if byte & 0x20:
                if fields_end >= end:
                    break
                n_dev = data[fields_end]
                dev_end = fields_end + 1 + 3 * n_dev
                if dev_end > end:
                    break
                size += sum(data[i + 1] for i in range(fields_end + 1, dev_end, 3))
                length = dev_end - pos
            sizes[byte & 0x0F] = (size, global_num)
            out.append(FitMessage(pos, length, True, byte & 0x0F, global_num))
            pos += length
            continue
        else:
            local = byte & 0x0F
        if local not in sizes:
            break
        size, global_num = sizes[local]
        if pos + 1 + size > end:
            break
        out.append(FitMessage(pos, 1 + size, False, local, global_num))
        pos += 1 + size
    return out


def with_data_size(data: bytes, data_size: int) -> bytes:
    """The FIT file with its header's data size replaced (a lie, usually)."""
    return data[:4] + (data_size & 0xFFFFFFFF).to_bytes(4, "little") + data[8:]


def _fix_data_size(data: bytes, delta: int) -> bytes:
    """Keeps the header honest after adding or removing ``delta`` bytes of messages."""
    header = fit_header(data)
    if header is None or header[1] == 0:
        return data
    return with_data_size(data, header[1] + delta)


# --- generic byte mutations ----------------------------------------------------------------


def truncations(data: bytes, rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """Cuts at evenly spread points (the header and the very end included) and random ones."""
    n = len(data)
    points = {0, 1, min(n, 11), min(n, 13), max(0, n - 1), max(0, n - 2)}
    points.update(n * k // max(1, count) for k in range(count))
    points.update(rng.randrange(n + 1) for _ in range(count // 2))
    for cut in sorted(p for p in points if p < n):
        yield f"cut@{cut}", data[:cut]


def bit_flips(data: bytes, rng: random.Random, flips: int) -> tuple[str, bytes]:
    out = bytearray(data)
    where = [rng.randrange(len(out)) for _ in range(flips)] if out else []
    for pos in where:
        out[pos] ^= 1 << rng.randrange(8)
    return f"flip{flips}@{','.join(map(str, where[:4]))}", bytes(out)


def random_span(data: bytes, rng: random.Random, max_len: int) -> tuple[str, bytes]:
    if not data:
        return "span@0", data
    start = rng.randrange(len(data))
    length = rng.randint(1, max_len)
    noise = rng.randbytes(length)
    return f"span@{start}+{length}", data[:start] + noise + data[start + length :]


def chunk_edit(data: bytes, rng: random.Random, repeat: bool) -> tuple[str, bytes]:
    """Repeats or drops a random chunk of bytes (FIT files get the structural version below)."""
    if len(data) < 2:
        return "chunk@0", data
    start = rng.randrange(len(data) - 1)
    length = rng.randint(1, min(4096, len(data) - start))
    chunk = data[start : start + length]
    if repeat:
        return f"repeat@{start}+{length}", data[: start + length] + chunk + data[start + length :]
    return f"drop@{start}+{length}", data[:start] + data[start + length :]


def line_edit(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """XML by lines: drop, repeat or swap a line (a track point, a closing tag, ...)."""
    lines = data.splitlines(keepends=True)
    if len(lines) < 3:
        return "lines", data
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    action = rng.choice(("drop", "repeat", "swap"))
    if action == "drop":
        del lines[i]
    elif action == "repeat":
        lines.insert(i, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return f"line-{action}@{i},{j}", b"".join(lines)


# --- FIT structural mutations --------------------------------------------------------------

RECORD = 20


def fit_record_edit(data: bytes, rng: random.Random, duplicate: bool) -> tuple[str, bytes] | None:
    """Duplicates or deletes one record (20) data message, keeping the header's size honest."""
    records = [m for m in fit_messages(data) if not m.definition and m.global_num == RECORD]
    if not records:
        return None
    msg = rng.choice(records)
    body = data[msg.offset : msg.offset + msg.length]
    if duplicate:
        out = data[: msg.offset + msg.length] + body + data[msg.offset + msg.length :]
        return f"dup-record@{msg.offset}", _fix_data_size(out, msg.length)
    out = data[: msg.offset] + data[msg.offset + msg.length :]
    return f"del-record@{msg.offset}", _fix_data_size(out, -msg.length)


def fit_message_edit(data: bytes, rng: random.Random, duplicate: bool) -> tuple[str, bytes] | None:
    """Duplicates or deletes any message (definitions included)."""
    messages = fit_messages(data)
    if not messages:
        return None
    msg = rng.choice(messages)
    body = data[msg.offset : msg.offset + msg.length]
    kind = "def" if msg.definition else "msg"
    if duplicate:
        out = data[: msg.offset + msg.length] + body + data[msg.offset + msg.length :]
        return f"dup-{kind}@{msg.offset}", _fix_data_size(out, msg.length)
    out = data[: msg.offset] + data[msg.offset + msg.length :]
    return f"del-{kind}@{msg.offset}", _fix_data_size(out, -msg.length)


def fit_size_lies(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """The header's data size: zero (unfinished file), too small, too big, enormous."""
    header = fit_header(data)
    if header is None:
        return
    _, size = header
    for lie in (0, 1, size // 2, size - 1, size + 1, size * 2, 0xFFFFFFFF, rng.randrange(1 << 32)):
        yield f"datasize={lie}", with_data_size(data, lie)


def fit_definition_lie(data: bytes, rng: random.Random) -> tuple[str, bytes] | None:
    """A definition lies about its field count, a field's size or a field's base type."""
    definitions = [m for m in fit_messages(data) if m.definition]
    if not definitions:
        return None
    msg = rng.choice(definitions)
    out = bytearray(data)
    n_fields = out[msg.offset + 5]
    what = rng.choice(("count", "size", "type", "arch", "global"))
    if what == "count" or n_fields == 0:
        lie = rng.choice((0, 1, max(0, n_fields - 1), n_fields + 1, 255))
        out[msg.offset + 5] = lie
        return f"def-count@{msg.offset}={lie}", bytes(out)
    field = rng.randrange(n_fields)
    at = msg.offset + 6 + 3 * field
    if what == "size":
        lie = rng.choice((0, 1, 3, out[at + 1] + 1, 255))
        out[at + 1] = lie
        return f"def-size@{at}={lie}", bytes(out)
    if what == "type":
        lie = rng.choice((0x00, 0x07, 0x84, 0x86, 0x88, 0x89, 0x8E, 0x8F, 0x99, 0xFF))
        out[at + 2] = lie
        return f"def-type@{at}={lie:#x}", bytes(out)
    if what == "arch":
        out[msg.offset + 2] ^= 1
        return f"def-arch@{msg.offset}", bytes(out)
    lie = rng.choice((0, 18, 19, 20, 21, 34, 0xFFFF))
    out[msg.offset + 3 : msg.offset + 5] = lie.to_bytes(2, "little")
    return f"def-global@{msg.offset}={lie}", bytes(out)


def fit_local_swap(data: bytes, rng: random.Random) -> tuple[str, bytes] | None:
    """A data message's header names another local type (possibly never defined)."""
    messages = [m for m in fit_messages(data) if not m.definition]
    if not messages:
        return None
    msg = rng.choice(messages)
    out = bytearray(data)
    lie = rng.randrange(16)
    out[msg.offset] = (out[msg.offset] & 0xF0) | lie if not out[msg.offset] & 0x80 else lie
    return f"local@{msg.offset}={lie}", bytes(out)


# --- the mutant stream ---------------------------------------------------------------------


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def mutants(name: str, data: bytes, suffix: str, seed: int, budget: int) -> Iterator[Mutant]:
    """About ``budget`` mutants of one file, deterministic for (name, seed)."""
    rng = random.Random(f"{seed}:{name}")
    is_fit = fit_header(data) is not None
    made = 0

    def emit(kind: str, label: str, mutated: bytes, as_suffix: str = suffix) -> Mutant:
        return Mutant(f"{name}|{kind}|{label}", kind, mutated, as_suffix)

    # Fixed families first: each source gets a few of every kind even with a small budget.
    yield emit("empty", "empty", b"")
    yield emit("truncate", "header-only", data[:14] if is_fit else data[:64])
    swapped = ".gpx" if suffix.endswith(".fit") else ".fit"
    yield emit("suffix-swap", f"as{swapped}", data, swapped)
    made += 3
    if is_fit:
        for label, lied in fit_size_lies(data, rng):
            yield emit("fit-datasize", label, lied)
            made += 1
    per_round: list[Callable[[], tuple[str, str, bytes] | None]] = [
        lambda: ("bitflip", *bit_flips(data, rng, rng.choice((1, 2, 8, 64)))),
        lambda: ("span", *random_span(data, rng, rng.choice((4, 64, 1024)))),
        lambda: ("chunk", *chunk_edit(data, rng, repeat=rng.random() < 0.5)),
    ]
    if is_fit:
        per_round += [
            lambda: _tagged("fit-record", fit_record_edit(data, rng, rng.random() < 0.5)),
            lambda: _tagged("fit-message", fit_message_edit(data, rng, rng.random() < 0.5)),
            lambda: _tagged("fit-definition", fit_definition_lie(data, rng)),
            lambda: _tagged("fit-definition", fit_definition_lie(data, rng)),
            lambda: _tagged("fit-local", fit_local_swap(data, rng)),
        ]
    else:
        per_round += [lambda: ("xml-lines", *line_edit(data, rng))]
    truncs = list(truncations(data, rng, max(4, budget // 6)))
    rng.shuffle(truncs)
    while made < budget:
        if truncs and rng.random() < 0.25:
            label, cut = truncs.pop()
            yield emit("truncate", label, cut)
        else:
            made_one = rng.choice(per_round)()
            if made_one is None:
                continue
            kind, label, mutated = made_one
            if rng.random() < 0.1:  # some mutants arrive gzipped, as a .gz export would
                yield emit(f"{kind}+gzip", label, gzip_bytes(mutated), suffix + ".gz")
            else:
                yield emit(kind, label, mutated)
        made += 1
    # Damaged compression around good content.
    packed = gzip_bytes(data)
    yield emit("gzip-damage", "cut-half", packed[: len(packed) // 2], suffix + ".gz")
    label, flipped = bit_flips(packed, rng, 4)
    yield emit("gzip-damage", label, flipped, suffix + ".gz")


def _tagged(kind: str, made: tuple[str, bytes] | None) -> tuple[str, str, bytes] | None:
    return None if made is None else (kind, *made)
