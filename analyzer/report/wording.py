"""The reports' fixed words, shared by every format: rule titles, what the severities mean,
the sentence that says no finding is not an all-clear, data-quality headings, sport labels.

Part of the neutral layer (with ``digest``, ``records`` and ``units``): it imports no rendering
library, so every renderer can use it.
"""

from __future__ import annotations

from analyzer.model import Sport
from analyzer.rules import RULES

#: Short, plain names for the rules, in the reports' own words.
RULE_TITLES: dict[str, str] = {
    "session_spike": "Single-run spike",
    "weekly_increase": "Weekly increase",
    "acwr": "Acute:chronic ratio",
    "monotony": "Monotony",
    "high_volume": "High weekly volume",
    "low_cadence": "Low cadence",
    "cadence_drop": "Cadence drop",
    "overstride_proxy": "Possible overstriding",
    "form_drift": "Form drift",
    "hill_load": "Hill load",
    "surface": "Surface change",
    "intensity_spike": "Intensity spike",
    "heat": "Heat",
    "shoe_mileage": "Shoe mileage",
    "cross_training": "No cross-training",
    "warmup": "Warm-up",
    "age": "Age",
}
assert RULE_TITLES.keys() == RULES.keys()

SEVERITY_MEANING = "high and caution mark patterns associated with injury; info is context only"

#: Said where findings are listed by their first sentence only, which does not say it.
RAISED_MEANING = (
    "Overuse findings are one level higher than the training alone gives: the profile records "
    "a previous calf injury"
)

NOT_ALL_CLEAR = (
    "No finding is not an all-clear: some causes cannot be seen in watch data, and the red "
    "flags below always apply."
)

#: Data-quality note kinds, in the order reports list them, with their heading.
QUALITY_KINDS: dict[str, str] = {
    "unreadable": "Files that could not be read",
    "not_activity": "Not activities, skipped (planned routes and courses)",
    "team_folder": "Team folders, skipped (not one runner's files)",
    "duplicate": "Duplicates set aside (one activity recorded or exported twice; the most "
    "complete copy is kept)",
    "implausible": "Not counted as training load: they cannot be what they say (if one is "
    "right, say so with --set-sport PATTERN=SPORT or the config file's [sports])",
    "sport_inferred": "Sport not stated in the file: inferred from the data",
    "sport_assumed": "Sport not stated in the file, and the data does not settle it (low "
    "confidence; --set-sport PATTERN=SPORT corrects it)",
    "file_note": "Damaged or unusual files, read as far as they go",
    "elevation_gps": "Elevation from GPS altitude (noisier than a barometer; smoothed before "
    "ascent and descent are counted)",
    "no_elevation": "No altitude recorded: ascent and descent unknown",
    "distance_gps": "Distance from GPS positions (the file has no distance channel)",
    "gps_jumps": "GPS jumps dropped as implausible",
    "no_distance": "No distance recorded (no GPS, no foot pod)",
    "cadence_doubled": "Cadence recorded per foot, doubled to steps per minute",
    "no_offset": "No UTC offset in the file: placed on the local calendar by the time zone at "
    "the start position, else the runner's file nearest in time, else the configured zone, "
    "else this computer's",
}
#: Kinds whose notes name one activity (``path#session`` in a multisport file), not a file.
BY_ACTIVITY = frozenset({"duplicate", "implausible", "sport_inferred", "sport_assumed"})
#: Kinds so common (every FIT file stores cadence per foot) that reports give only a count.
ROUTINE_KINDS = frozenset({"cadence_doubled", "no_offset"})
SKIPPED_SILENTLY = (
    "Files that are not FIT, GPX or TCX (notes, pictures, CSV) are skipped without comment."
)


#: The sports as a runner says them.
SPORT_LABELS = {
    Sport.RUNNING: "run", Sport.TRAIL_RUNNING: "trail run", Sport.TREADMILL: "treadmill",
    Sport.TRACK: "track", Sport.WALKING: "walk", Sport.HIKING: "hike", Sport.CYCLING: "ride",
    Sport.SWIMMING: "swim", Sport.OTHER: "other",
}  # fmt: skip


def sport_label(sport: Sport) -> str:
    return SPORT_LABELS.get(sport, sport.value)
