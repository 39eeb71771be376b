"""Temperature over the moving part of a run, from the device's temperature channel.

A watch's sensor sits against the wrist and reads body heat as well as air, often several
degrees warm (docs/heart-heat.md); the times at or above 18 and 25 C are what the heat rule
reads (evidence.md), so they carry that bias and are reported as recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analyzer.metrics.cadence import weighted_mean, weights_s
from analyzer.metrics.motion import Motion
from analyzer.model import Samples

#: Outside this no run happens: numbers a converter wrote for "no reading" (FIT's 127).
PLAUSIBLE_TEMPERATURE_C = (-50.0, 60.0)
WARM_C = 18.0
HOT_C = 25.0


@dataclass(frozen=True, slots=True)
class Heat:
    mean_c: float
    max_c: float
    time_at_or_above_18c_s: float
    time_at_or_above_25c_s: float


def heat(samples: Samples, motion: Motion) -> Heat:
    temperature = samples.temperature_c
    low, high = PLAUSIBLE_TEMPERATURE_C
    mask = motion.moving & (temperature >= low) & (temperature <= high)  # NaN compares false
    values = temperature[mask]
    weights = weights_s(motion, mask)
    return Heat(
        mean_c=weighted_mean(values, weights),
        max_c=float(values.max()) if len(values) else math.nan,
        time_at_or_above_18c_s=float(weights[values >= WARM_C].sum()),
        time_at_or_above_25c_s=float(weights[values >= HOT_C].sum()),
    )
