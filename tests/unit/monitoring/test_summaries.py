"""Mergeable summaries and the drift methods computed from them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from services.monitoring.drift import methods
from services.monitoring.drift.report import JENSEN_SHANNON, KS, WASSERSTEIN, automatic_method, column_drift
from services.monitoring.summaries.column import NumericSummary, summary_for, values_from_arrow
from services.monitoring.summaries.reference import column_from_profile
from services.monitoring.summaries.sketch import ALPHA, QuantileSketch
from services.monitoring.summaries.window import aligned
from sextant.type.v1 import types_pb2


def _profile(values: np.ndarray, bins: int = 50) -> types_pb2.ColumnProfile:
    counts, edges = np.histogram(values, bins=bins)
    return types_pb2.ColumnProfile(
        name="x", dtype=types_pb2.DATA_TYPE_FLOAT64, count=values.size, mean=float(values.mean()),
        std=float(values.std()), min=float(values.min()), max=float(values.max()),
        histogram=[types_pb2.HistogramBin(lower=float(edges[i]), upper=float(edges[i + 1]), count=int(counts[i]))
                   for i in range(bins)])


def _summary(reference: object, values: np.ndarray, exact_limit: int = 0) -> NumericSummary:
    import pyarrow as pa

    summary = summary_for(reference)  # type: ignore[arg-type]
    summary.add(values_from_arrow(pa.array(values)), exact_limit)  # type: ignore[arg-type]
    return summary  # type: ignore[return-value]


def test_sketch_quantiles_are_within_relative_accuracy_and_merge_exactly() -> None:
    rng = np.random.default_rng(1)
    values = rng.lognormal(0, 1, 20_000)
    whole, left, right = QuantileSketch(), QuantileSketch(), QuantileSketch()
    whole.add(values)
    left.add(values[:7000])
    right.add(values[7000:])
    left.merge(right)
    for key, value in whole.to_json().items():
        np.testing.assert_array_equal(left.to_json()[key], value)
    for p, estimate in zip([0.1, 0.5, 0.9, 0.99], whole.quantiles([0.1, 0.5, 0.9, 0.99]), strict=True):
        truth = np.quantile(values, p)
        assert abs(estimate - truth) <= 2 * ALPHA * truth + 1e-9


def test_summaries_merge_to_the_one_shot_summary() -> None:
    rng = np.random.default_rng(2)
    reference = column_from_profile(_profile(rng.normal(0, 1, 5000)))
    values = rng.normal(0.3, 1.1, 4000)
    one_shot = _summary(reference, values, exact_limit=10_000)
    merged = _summary(reference, values[:1500], exact_limit=10_000)
    merged.merge(_summary(reference, values[1500:], exact_limit=10_000))
    merged_json, one_shot_json = merged.to_json(), one_shot.to_json()
    # Counts, histogram, sketch and kept values are identical; float sums agree to rounding.
    for key in ("s", "ss"):
        assert merged_json.pop(key) == pytest.approx(one_shot_json.pop(key), rel=1e-12)
    for key in ("h", "v"):
        np.testing.assert_array_equal(merged_json.pop(key), one_shot_json.pop(key))
    for key, value in one_shot_json.pop("sk").items():
        np.testing.assert_array_equal(merged_json["sk"][key], value)
    merged_json.pop("sk")
    assert merged_json == one_shot_json
    assert merged.n == 4000 and merged.mean == pytest.approx(values.mean()) and merged.std == pytest.approx(values.std())


def test_histogram_statistics_approximate_the_exact_ones() -> None:
    rng = np.random.default_rng(3)
    reference_values = rng.normal(0, 1, 50_000)
    reference = column_from_profile(_profile(reference_values, bins=100))
    current = rng.normal(0.2, 1.0, 50_000)
    summary = _summary(reference, current)
    assert summary.values is None, "beyond the limit the raw values are not kept"
    statistic, p_value = methods.kolmogorov_smirnov(reference, summary)
    exact = stats.ks_2samp(reference_values, current)
    # Histogram KS is the CDF gap at the reference's edges: a lower bound, close for fine edges.
    assert statistic <= exact.statistic + 1e-12 and statistic == pytest.approx(exact.statistic, abs=0.01)
    assert p_value < 1e-10 and exact.pvalue < 1e-10
    distance = methods.wasserstein_normed(reference, summary)
    assert distance == pytest.approx(stats.wasserstein_distance(reference_values, current) / reference_values.std(),
                                     rel=0.05)
    assert automatic_method(reference) == WASSERSTEIN


def test_psi_chi_square_and_z_test_match_direct_formulas() -> None:
    ref, cur = np.array([50.0, 30, 20]), np.array([30.0, 30, 40])
    r, c = ref / ref.sum(), cur / cur.sum()
    assert methods.psi(ref, cur) == pytest.approx(float(np.sum((c - r) * np.log(c / r))))
    statistic, p_value = methods.chi_square(ref, cur)
    expected = stats.chisquare(cur, r * cur.sum())
    assert (statistic, p_value) == pytest.approx((expected.statistic, expected.pvalue))
    z, p = methods.z_test(np.array([30.0, 70]), np.array([45.0, 55]))
    pooled = 75 / 200
    assert z == pytest.approx((0.3 - 0.45) / np.sqrt(pooled * (1 - pooled) * (2 / 100)))
    assert p == pytest.approx(2 * stats.norm.sf(abs(z)))


def test_small_reference_and_categories_choose_evidently_defaults() -> None:
    rng = np.random.default_rng(4)
    small = column_from_profile(_profile(rng.normal(0, 1, 500)))
    assert automatic_method(small) == KS
    categories = types_pb2.ColumnProfile(name="g", dtype=types_pb2.DATA_TYPE_STRING, count=5000,
                                         top_categories=[types_pb2.CategoryCount(value=v, count=c)
                                                         for v, c in (("a", 3000), ("b", 1500), ("c", 500))])
    column = column_from_profile(categories)
    assert automatic_method(column) == JENSEN_SHANNON


def test_a_summary_made_before_the_reference_is_rebinned_from_its_sketch() -> None:
    rng = np.random.default_rng(5)
    reference = column_from_profile(_profile(rng.normal(0, 1, 5000), bins=10))
    provisional = NumericSummary([], float("-inf"), float("inf"))
    import pyarrow as pa

    values = rng.normal(0, 1, 20_000)
    provisional.add(values_from_arrow(pa.array(values)), 0)
    rebinned = aligned(provisional, reference)
    direct = np.histogram(np.clip(values, reference.edges[0], reference.edges[-1]), bins=reference.edges)[0]
    folded = methods.folded_counts(rebinned)
    assert folded.sum() == pytest.approx(20_000, abs=10)
    assert np.abs(folded - direct).max() <= 0.02 * 20_000
    result = column_drift("x", reference, rebinned)
    assert not result.drifted
