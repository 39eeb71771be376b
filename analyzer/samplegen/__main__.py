"""``python -m analyzer.samplegen FOLDER``: regenerates the sample folder from the fixed seed."""

from __future__ import annotations

import sys
from pathlib import Path

from analyzer.samplegen.history import is_generated, write_history


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m analyzer.samplegen FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    if folder.is_dir():
        # Files an earlier plan wrote may have other names; leave anything else alone.
        for old in folder.iterdir():
            if old.is_file() and is_generated(old.name):
                old.unlink()
    paths = write_history(folder)
    size_mb = sum(path.stat().st_size for path in paths) / 1e6
    print(f"{folder}: {len(paths)} files, {size_mb:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
