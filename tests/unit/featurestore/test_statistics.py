"""Statistics accumulated at ingest merge exactly for counts and moments."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from services.featurestore.statistics import merge_rows, profile
from tests.integration.featurestore.helpers import T, feature, view

VIEW = view("v", [feature("x"), feature("tier", T.DATA_TYPE_STRING)])


def _rows(values: list[float | None], tiers: list[str | None]) -> pa.Table:
    return pa.table({"x": pa.array(values, pa.float64()), "tier": pa.array(tiers, pa.string())})


def test_merging_two_ingests_equals_profiling_their_union() -> None:
    rng = np.random.default_rng(1)
    first, second = rng.normal(5, 2, 300).tolist(), rng.normal(7, 1, 200).tolist()
    times = pa.chunked_array([pa.array([1, 2], pa.int64()).cast(pa.timestamp("us", tz="UTC"))])
    state = merge_rows(None, _rows(first + [None], ["a"] * 301), VIEW, times)
    state = merge_rows(state, _rows(second, ["b"] * 150 + [None] * 50), VIEW, times)
    result, start, end = profile(state, VIEW, [])
    x, tier = result.columns
    union = np.array(first + second)
    assert result.row_count == 501 and (x.count, x.null_count) == (501, 1)
    assert abs(x.mean - union.mean()) < 1e-9 and abs(x.std - union.std()) < 1e-9
    assert (x.min, x.max) == (union.min(), union.max())
    assert abs(sum(b.count for b in x.histogram) - 500) <= 10
    assert [(c.value, c.count) for c in tier.top_categories] == [("a", 301), ("b", 150)]
    assert tier.null_count == 50 and (start, end) == (1, 2)
    only_x, _, _ = profile(state, VIEW, ["x"])
    assert [c.name for c in only_x.columns] == ["x"]

