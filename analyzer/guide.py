"""What the running guide says, in our own words: its causes of calf pain, its prevention
advice, its red flags. The guide is a product maker's article; we take its causes and advice
and never mention a product. Every report prints the disclaimer and the red flags.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Cause(enum.StrEnum):
    OVERUSE = "overuse"
    VOLUME = "volume"
    SURFACES_HILLS = "surfaces_hills"
    FORM = "form"
    FOOTWEAR = "footwear"
    HYDRATION = "hydration"
    MUSCLES = "muscles"
    AGE = "age"
    NUTRITION = "nutrition"


@dataclass(frozen=True, slots=True)
class CauseText:
    title: str
    guide_says: str  # what the guide names as the cause
    advice: str  # its prevention advice, paraphrased
    unseen: str | None  # what watch data cannot show about this cause (None: it can)


CAUSES: dict[Cause, CauseText] = {
    Cause.OVERUSE: CauseText(
        "Overuse and sudden spikes",
        "too much running too soon: a sudden jump in weekly distance, speed work or hills, "
        "and too little rest",
        "Build up gradually. The guide's rule of thumb is to raise weekly distance by no more "
        "than about 10 %; keep single runs close to your recent longest, and plan rest days.",
        None,
    ),
    Cause.VOLUME: CauseText(
        "High weekly volume",
        "running more than about 40 miles (64 km) a week",
        "Reach higher weekly distances slowly, and use low-impact cross-training (cycling, "
        "swimming) to add fitness without adding running.",
        None,
    ),
    Cause.SURFACES_HILLS: CauseText(
        "Surfaces and hills",
        "hard surfaces, uneven trails, and uphill and downhill running",
        "Add hills, descents and new surfaces a little at a time; downhill running works the "
        "calf while it lengthens, which it needs time to get used to. Vary your surfaces.",
        "The watch cannot tell concrete from asphalt or grass; only trail, track and treadmill "
        "are seen where the file says so.",
    ),
    Cause.FORM: CauseText(
        "Running form",
        "overstriding (landing far ahead of the body) and a constant forefoot or toe strike",
        "A slightly shorter, quicker stride (5-10 % more steps per minute than your own usual, "
        "not a fixed 180) reduces the load per step. If a change persists, a video or a "
        "professional gait analysis can show what a watch cannot.",
        "Foot strike and where the foot lands cannot be seen without a sensor for it; "
        "cadence and step length are only indirect signs.",
    ),
    Cause.FOOTWEAR: CauseText(
        "Footwear",
        "worn-out shoes (typically after 300-500 miles, 480-800 km) and shoes that fit badly",
        "Replace shoes that have done their distance, and consider rotating more than one pair. "
        "Choose shoes that fit and cushion well.",
        "Shoe fit cannot be seen from watch data; distance per pair needs runs matched to a "
        "pair: Strava gear, or a shoes list with a default pair for runs without gear.",
    ),
    Cause.HYDRATION: CauseText(
        "Hydration and electrolytes",
        "dehydration and low sodium, potassium or magnesium, which can bring cramps",
        "Drink to a plan before, during and after running; on long hot runs include "
        "electrolytes; do not drink far more than you sweat.",
        "How much you drank cannot be seen; only heat and duration are.",
    ),
    Cause.MUSCLES: CauseText(
        "Tight or weak muscles",
        "tight calves, and weak glutes, hamstrings or core that leave the calves to compensate",
        "Strength work for calves, hips and core two or three times a week (calf raises, "
        "seated calf raises, heel drops, single-leg balance), regular calf stretches, an easy "
        "warm-up of 5-10 minutes before running and an easy cool-down after.",
        "Muscle tightness and strength cannot be measured by a watch.",
    ),
    Cause.AGE: CauseText(
        "Age",
        "muscles and tendons lose elasticity with age",
        "With age, allow more recovery between hard sessions and keep up calf strength and "
        "stretching.",
        None,
    ),
    Cause.NUTRITION: CauseText(
        "Nutrition",
        "a poor diet slows muscle repair and recovery",
        "Eat a balanced diet that covers protein, energy and minerals (sodium, potassium, "
        "magnesium).",
        "What you eat cannot be seen from watch data.",
    ),
}

DISCLAIMER = (
    "This report describes training patterns that research associates with running injuries, "
    "including calf pain. It cannot tell what causes anyone's pain, and it is not medical advice."
)

RED_FLAGS: tuple[str, ...] = (
    "sudden severe pain, or a pop felt or heard in the calf",
    "unable to bear weight or to rise on tiptoe",
    "marked swelling, redness or warmth in one calf: a deep vein thrombosis can feel like a calf "
    "strain, so get a same-day medical assessment, and emergency care if you are also "
    "breathless or have chest pain",
    "a calf that is cool to the touch or pale",
    "numbness or tingling in the lower leg or foot",
    "pain out of proportion to the injury, with intense tightness (possible compartment "
    "syndrome: emergency care)",
    "pain that does not improve after a few days of rest, or keeps getting worse",
)
RED_FLAGS_INTRO = "See a doctor promptly if you have any of these:"
