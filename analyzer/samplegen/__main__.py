"""``python -m analyzer.samplegen FOLDER``: regenerates the sample folder from the fixed seed;
``python -m analyzer.samplegen team FOLDER``: the sample team (``sample_data/team/``)."""

from __future__ import annotations

import sys
from pathlib import Path

from analyzer.readers.sources import TEAM_FILE
from analyzer.samplegen.history import EXTRA_FILES, is_generated, write_history
from analyzer.samplegen.team import write_team

USAGE = "usage: python -m analyzer.samplegen [team] FOLDER"


def main(argv: list[str]) -> int:
    if len(argv) == 1:
        folder, team = Path(argv[0]), False
    elif len(argv) == 2 and argv[0] == "team":
        folder, team = Path(argv[1]), True
    else:
        print(USAGE, file=sys.stderr)
        return 2
    if folder.is_dir():
        # Files an earlier plan wrote may have other names; leave anything else alone.
        generated = (*EXTRA_FILES, TEAM_FILE) if team else EXTRA_FILES
        for old in folder.rglob("*") if team else folder.iterdir():
            if old.is_file() and (old.name in generated or is_generated(old.name)):
                old.unlink()
    paths = write_team(folder) if team else write_history(folder)
    size_mb = sum(path.stat().st_size for path in paths) / 1e6
    print(f"{folder}: {len(paths)} files, {size_mb:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
