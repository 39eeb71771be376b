"""The shortcuts in cadence.py give the very bits of the numpy code they replace.

Each is checked against that code, kept here as the reference: the weighted quantiles (one
sort for several, no sort at all for equal weights) and the weighted mean (np.average's
arithmetic). Equality is exact, not approximate.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.metrics.cadence import weighted_mean, weighted_quantile, weighted_quantiles
from analyzer.model import FloatArray

QS = (0.0, 0.1, 0.5, 0.9, 1.0)


def reference_quantile(values: FloatArray, weights: FloatArray, q: float) -> float:
    """weighted_quantile as first written: a stable sort per call."""
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    order = np.argsort(values[ok], kind="stable")
    v, w = values[ok][order], weights[ok][order]
    cumulative = np.cumsum(w)
    return float(v[np.searchsorted(cumulative, q * cumulative[-1])])


def reference_mean(values: FloatArray, weights: FloatArray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return float("nan")
    return float(np.average(values[ok], weights=weights[ok]))


def same(a: float, b: float) -> bool:
    """Equal to the bit that matters: NaN with NaN, and the sign of a zero."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


# Few distinct values (ties, and both zeros) and few distinct weights (often all equal, the
# no-sort path), plus NaN, infinities and non-positive weights that must be left out.
values_st = st.lists(
    st.one_of(
        st.sampled_from([0.0, -0.0, 1.0, 2.5, 160.0, 170.0, math.nan, math.inf, -math.inf]),
        st.floats(-1e3, 1e3),
    ),
    min_size=0,
    max_size=60,
)
weights_st = st.one_of(
    st.sampled_from([1.0, 2.0, 0.1, 1e-300]).map(lambda w: [w] * 60),
    st.lists(st.sampled_from([1.0, 2.0, 0.1, 0.0, -1.0, 5.0, math.nan]), min_size=60, max_size=60),
    st.lists(st.floats(0.0, 10.0), min_size=60, max_size=60),
)


@settings(max_examples=400, deadline=None)
@given(values=values_st, weights=weights_st)
def test_weighted_quantiles_equal_one_sort_per_quantile(
    values: list[float], weights: list[float]
) -> None:
    v, w = np.array(values, dtype=np.float64), np.array(weights[: len(values)], dtype=np.float64)
    got = weighted_quantiles(v, w, QS)
    for q, value in zip(QS, got, strict=True):
        want = reference_quantile(v, w, q)
        assert same(value, want), (q, value, want)
        assert same(weighted_quantile(v, w, q), want)


@settings(max_examples=300, deadline=None)
@given(values=values_st, weights=weights_st)
def test_weighted_mean_equals_np_average(values: list[float], weights: list[float]) -> None:
    v, w = np.array(values, dtype=np.float64), np.array(weights[: len(values)], dtype=np.float64)
    assert same(weighted_mean(v, w), reference_mean(v, w))
