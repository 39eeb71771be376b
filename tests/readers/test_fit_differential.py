"""Every FIT file the tests can reach, decoded by the fast decoder and by fitparse: every field
the project uses must agree exactly (fitparse's scaling). Declined files are listed."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import FitDeclined
from analyzer.model import Pause, Sport
from analyzer.readers.fit_decoder import FitFile, decode
from analyzer.readers.fit_fitparse import decode_with_fitparse
from analyzer.samplegen.fit_writer import fit_bytes, fit_multisport_bytes
from tests.corpus import corpus_dir, corpus_files
from tests.factories import T0, activity, full_samples


def generated_files() -> dict[str, bytes]:
    run = activity(full_samples(300), pauses=(Pause(T0 + 50, T0 + 80),), utc_offset_s=-18000)
    legs = [
        activity(full_samples(40, T0), sport=Sport.CYCLING),
        activity(full_samples(60, T0 + 100)),
    ]
    files = {
        "default": fit_bytes(run),
        "big-endian": fit_bytes(run, big_endian=True),
        "compressed-timestamps": fit_bytes(run, compressed_timestamps=True),
        "developer-fields": fit_bytes(run, developer_fields=True),
        "legacy-speed-altitude": fit_bytes(run, legacy_speed_altitude=True),
        "multisport": fit_multisport_bytes(legs, compressed_timestamps=True),
        "chained": fit_bytes(run) + fit_bytes(run, big_endian=True),
    }
    files["truncated"] = files["default"][: len(files["default"]) * 2 // 3]
    return files


def assert_same_messages(ours: FitFile, oracle: FitFile) -> None:
    assert len(ours.parts) == len(oracle.parts)
    for mine, theirs in zip(ours.parts, oracle.parts, strict=True):
        assert sorted(mine) == sorted(theirs)
        for message, columns in mine.items():
            other = theirs[message]
            n = len(next(iter(columns.values())))
            assert n == len(next(iter(other.values()))), message
            for name in sorted(set(columns) | set(other)):
                # fitparse leaves out a field whose every value is invalid; we keep it as NaN.
                a = columns.get(name, np.full(n, np.nan))
                b = other.get(name, np.full(n, np.nan))
                np.testing.assert_array_equal(a, b, err_msg=f"{message}.{name}")
    assert (ours.damage is None) == (oracle.damage is None)


@pytest.mark.parametrize("name", sorted(generated_files()))
def test_generated_files_agree_with_fitparse(name: str) -> None:
    data = generated_files()[name]
    assert_same_messages(decode(data), decode_with_fitparse(data, name))


SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*.fit*")), ids=lambda p: p.name)
def test_sample_data_files_agree_with_fitparse(path: Path) -> None:
    data = read_bytes_of(path)
    assert_same_messages(decode(data), decode_with_fitparse(data, path.name))


def read_bytes_of(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.corpus
@pytest.mark.parametrize("name", corpus_files("fit/*.fit"))
def test_corpus_files_agree_with_fitparse(name: str) -> None:
    data = (corpus_dir() / name).read_bytes()
    try:
        ours = decode(data)
    except FitDeclined as exc:
        pytest.skip(f"declined by the fast decoder ({exc}); fitparse reads it instead")
    assert_same_messages(ours, decode_with_fitparse(data, name))


@pytest.mark.corpus
def test_no_corpus_file_is_declined() -> None:
    """The declined list, kept visible: today the fast decoder takes every corpus file."""
    declined = {}
    for name in corpus_files("fit/*.fit"):
        try:
            decode((corpus_dir() / name).read_bytes())
        except FitDeclined as exc:
            declined[name] = str(exc)
    print("declined:", declined or "none")
    assert declined == {}
