"""Mergeable summaries and the drift methods computed from them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from scipy import stats

from services.monitoring.drift import methods
from services.monitoring.drift.report import JENSEN_SHANNON, KS, WASSERSTEIN, automatic_method, column_drift
from services.monitoring.ingest.rows import PredictionRows
from services.monitoring.summaries.column import (
    ABSENT,
    NumericSummary,
    summary_for,
    values_from_arrow,
    values_from_python,
)
from services.monitoring.summaries.reference import column_from_profile, layout_from_profile
from services.monitoring.summaries.sketch import ALPHA, QuantileSketch, _combine
from services.monitoring.summaries.window import WindowSummary, aligned, schema_errors
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


def _rows(inputs: dict[str, list[object]]) -> PredictionRows:
    size = len(next(iter(inputs.values())))
    return PredictionRows(
        model_name="m", model_version=1, alias=["production"] * size, deployment=[""] * size,
        deployment_team=[""] * size, request_id=[f"r{i}" for i in range(size)],
        row_index=np.zeros(size, np.int64), prediction_us=np.arange(size, dtype=np.int64),
        status_code=np.zeros(size, np.int64), latency_us=np.full(size, -1, np.int64), predicted_label=[None] * size,
        predicted_value=np.full(size, np.nan), probabilities=[None] * size,
        inputs={name: values_from_python(values) for name, values in inputs.items()})


def test_the_schema_check_alone_flags_the_rows_the_window_summary_flags() -> None:
    def column(name: str, dtype: int, categories: dict[str, int] | None = None) -> types_pb2.ColumnProfile:
        profile = types_pb2.ColumnProfile(name=name, dtype=dtype, count=10, min=0.0, max=1.0)
        profile.histogram.add(lower=0.0, upper=1.0, count=10)
        profile.top_categories.extend(types_pb2.CategoryCount(value=v, count=c) for v, c in (categories or {}).items())
        return profile

    profile = types_pb2.DatasetProfile(row_count=10, columns=[
        column("x", types_pb2.DATA_TYPE_FLOAT64), column("grade", types_pb2.DATA_TYPE_STRING, {"a": 6, "b": 4}),
        column("owner", types_pb2.DATA_TYPE_BOOL, {"true": 5, "false": 5}),
        column("tier", types_pb2.DATA_TYPE_INT64, {"1": 5, "2": 3, "3": 2}),
        column("any", types_pb2.DATA_TYPE_UNSPECIFIED, {"a": 10}), column("y", types_pb2.DATA_TYPE_FLOAT64),
        column("gone", types_pb2.DATA_TYPE_FLOAT64)])
    mixed = {
        "x": [0.5, "high", float("nan"), float("inf"), None, ABSENT, 2, True],
        "grade": ["a", 3.0, None, ABSENT, "zz", "b", False, "a"],
        "owner": [True, False, 1.0, "yes", None, ABSENT, True, True],
        "tier": [1, 2, "three", None, 3.5, ABSENT, 1, 2],
        "any": ["a", 1, None, ABSENT, b"raw", True, 0.5, "b"],
        "surprise": [ABSENT, 1.0, ABSENT, "s", ABSENT, ABSENT, None, ABSENT],
        "y": [0.5, float("nan"), 2, float("-inf"), 3, 4, 5, 6],
    }
    texts = {"t": ["a", "b", None, ABSENT, "c", "a", "b", "c"], "n": [1, 2, 3, None, ABSENT, 4, 5, 6],
             "y": [1.0, 2.0, float("inf"), 4.0, 5.0, 6.0, 7.0, 8.0]}
    full = layout_from_profile(profile, [])
    without_gone = layout_from_profile(types_pb2.DatasetProfile(row_count=10, columns=profile.columns[:-1]), [])
    for inputs, layout in ((mixed, full), (mixed, without_gone), (mixed, None), (texts, None)):
        rows = _rows(inputs)
        expected = WindowSummary().add(rows, layout, exact_limit=100, max_categories=10)
        assert schema_errors(rows, layout).tolist() == expected.tolist()
    assert not schema_errors(_rows(mixed), without_gone).all()


@pytest.mark.parametrize("array", [
    pa.array([1, -2, None, 2 ** 53, -(2 ** 53)], pa.int64()), pa.array([1, 2, 3], pa.int8()),
    pa.array([7, None], pa.uint32()), pa.array([2 ** 63 + 1], pa.uint64()), pa.array([2 ** 53 + 1], pa.int64()),
    pa.array([1.5, None, float("nan"), float("inf")], pa.float32()), pa.array([0.25, -1.0], pa.float16()),
    pa.array([], pa.int64()), pa.chunked_array([pa.array([1, 2]), pa.array([3, None])]),
])
def test_numeric_arrow_columns_read_as_arrows_cast_to_float64_reads_them(array: pa.Array) -> None:
    combined = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    # Integers a float64 cannot hold exactly are read as the nearest float64, not refused.
    cast = pc.cast(combined, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
    values = values_from_arrow(array)
    null = combined.is_null().to_numpy(zero_copy_only=False)
    assert np.array_equal(values.numbers, np.where(null, np.nan, cast), equal_nan=True)
    assert values.numbers.dtype == np.float64
    assert values.null.tolist() == null.tolist() and values.is_number.tolist() == (~null).tolist()


def test_sketches_combine_as_the_sorted_union_of_their_buckets() -> None:
    rng = np.random.default_rng(9)
    for spread in (1.0, 5.0, 30.0):
        left, right = QuantileSketch(), QuantileSketch()
        left.add(rng.normal(0, 1, 300) * np.exp(rng.normal(0, spread, 300)))
        right.add(np.concatenate([rng.lognormal(0, spread, 200), np.zeros(3), -rng.lognormal(0, 1, 50)]))
        for mine, counts_mine, theirs, counts_theirs in (
                (left.positive_keys, left.positive_counts, right.positive_keys, right.positive_counts),
                (left.negative_keys, left.negative_counts, right.negative_keys, right.negative_counts)):
            keys, inverse = np.unique(np.concatenate([mine, theirs]), return_inverse=True)
            counts = np.bincount(inverse, weights=np.concatenate([counts_mine, counts_theirs])).astype(np.int64)
            combined = _combine(mine, counts_mine, theirs, counts_theirs)
            assert combined[0].tolist() == keys.tolist() and combined[1].tolist() == counts.tolist()
            assert combined[0].dtype == keys.dtype and combined[1].dtype == counts.dtype
