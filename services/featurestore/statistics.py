"""Feature statistics accumulated at ingest: mergeable per-feature summaries of a view version.

Each ingest summarises its rows and merges the summary into the version's stored state: exact
counts, nulls, sums, extremes and category counts, plus a bottom-k sample (every value gets a random
priority and the k smallest priorities are kept, which stays a uniform sample after any number of
merges) from which quantiles and the histogram are estimated.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import types_pb2

SAMPLE_SIZE = 4096
TOP_CATEGORIES = 1000
QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
HISTOGRAM_BINS = 10
_NUMERIC = {types_pb2.DATA_TYPE_INT32, types_pb2.DATA_TYPE_INT64, types_pb2.DATA_TYPE_FLOAT32,
            types_pb2.DATA_TYPE_FLOAT64, types_pb2.DATA_TYPE_TIMESTAMP}
_CATEGORICAL = {types_pb2.DATA_TYPE_STRING, types_pb2.DATA_TYPE_BOOL}


def _bottom_k(priorities: np.ndarray, values: np.ndarray) -> str:
    """The values with the SAMPLE_SIZE smallest priorities, packed as base64 (priorities, values)."""
    if len(priorities) > SAMPLE_SIZE:
        keep = np.argpartition(priorities, SAMPLE_SIZE)[:SAMPLE_SIZE]
        priorities, values = priorities[keep], values[keep]
    packed = np.concatenate([priorities.astype("<f8"), values.astype("<f8")]).tobytes()
    return base64.b64encode(packed).decode()


def _unpack(sample: str | None) -> tuple[np.ndarray, np.ndarray]:
    if not sample:
        return np.empty(0), np.empty(0)
    packed = np.frombuffer(base64.b64decode(sample), dtype="<f8")
    half = len(packed) // 2
    return packed[:half], packed[half:]


def _summarise(column: pa.ChunkedArray, dtype: int, rng: np.random.Generator) -> dict[str, Any]:
    summary: dict[str, Any] = {"count": len(column), "nulls": column.null_count}
    valid = pc.drop_null(column)
    if dtype in _NUMERIC and len(valid):
        if dtype == types_pb2.DATA_TYPE_TIMESTAMP:
            valid = valid.cast(pa.int64())
        values = valid.to_numpy().astype(np.float64)
        finite = values[np.isfinite(values)]
        summary.update(sum=float(finite.sum()), sumsq=float((finite ** 2).sum()), n=len(finite),
                       min=float(finite.min()) if len(finite) else None,
                       max=float(finite.max()) if len(finite) else None)
        summary["sample"] = _bottom_k(rng.random(len(finite)), finite)
    elif dtype in _CATEGORICAL and len(valid):
        counts = pc.value_counts(valid.cast(pa.string()))
        summary["categories"] = {str(v): int(c) for v, c in zip(counts.field("values").to_pylist(),
                                                                  counts.field("counts").to_pylist(), strict=True)}
    return summary


def _merge(state: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    merged = {"count": state.get("count", 0) + part["count"], "nulls": state.get("nulls", 0) + part["nulls"]}
    if "sum" in part or "sum" in state:
        merged["sum"] = state.get("sum", 0.0) + part.get("sum", 0.0)
        merged["sumsq"] = state.get("sumsq", 0.0) + part.get("sumsq", 0.0)
        merged["n"] = state.get("n", 0) + part.get("n", 0)
        lows = [v for v in (state.get("min"), part.get("min")) if v is not None]
        highs = [v for v in (state.get("max"), part.get("max")) if v is not None]
        merged["min"] = min(lows) if lows else None
        merged["max"] = max(highs) if highs else None
        left, right = _unpack(state.get("sample")), _unpack(part.get("sample"))
        merged["sample"] = _bottom_k(np.concatenate([left[0], right[0]]), np.concatenate([left[1], right[1]]))
    if "categories" in part or "categories" in state:
        categories = dict(state.get("categories", {}))
        for value, count in part.get("categories", {}).items():
            categories[value] = categories.get(value, 0) + count
        merged["categories"] = dict(sorted(categories.items(), key=lambda kv: -kv[1])[:TOP_CATEGORIES])
    return merged


def merge_rows(state_bytes: bytes | None, rows: pa.Table, view: resources_pb2.FeatureView,
               event_ts: pa.ChunkedArray) -> bytes:
    """The stored state after merging ``rows`` (in the stored schema) into it."""
    state = json.loads(state_bytes) if state_bytes else {"row_count": 0, "columns": {}}
    rng = np.random.default_rng()
    for feature in view.features:
        part = _summarise(rows.column(feature.name), feature.dtype, rng)
        state["columns"][feature.name] = _merge(state["columns"].get(feature.name, {}), part)
    state["row_count"] += rows.num_rows
    if len(event_ts):
        low, high = pc.min(event_ts).value, pc.max(event_ts).value
        state["start"] = min(low, state.get("start", low))
        state["end"] = max(high, state.get("end", high))
    return json.dumps(state, separators=(",", ":")).encode()


def profile(state_bytes: bytes | None, view: resources_pb2.FeatureView,
            features: list[str]) -> tuple[types_pb2.DatasetProfile, int | None, int | None]:
    """The DatasetProfile of a stored state, and the covered event-time range in microseconds."""
    state = json.loads(state_bytes) if state_bytes else {"row_count": 0, "columns": {}}
    result = types_pb2.DatasetProfile(row_count=state["row_count"])
    result.create_time.GetCurrentTime()
    for feature in view.features:
        if features and feature.name not in features:
            continue
        column = state["columns"].get(feature.name, {})
        out = types_pb2.ColumnProfile(name=feature.name, dtype=feature.dtype, count=column.get("count", 0),
                                      null_count=column.get("nulls", 0))
        n = column.get("n", 0)
        if n:
            mean = column["sum"] / n
            out.mean = mean
            out.std = math.sqrt(max(column["sumsq"] / n - mean * mean, 0.0))
            out.min, out.max = column["min"], column["max"]
            sample = _unpack(column["sample"])[1]
            out.quantile_probabilities.extend(QUANTILES)
            out.quantiles.extend(float(q) for q in np.quantile(sample, QUANTILES))
            counts, edges = np.histogram(sample, bins=HISTOGRAM_BINS, range=(column["min"], column["max"]))
            scale = n / len(sample)
            for b in range(HISTOGRAM_BINS):
                out.histogram.add(lower=float(edges[b]), upper=float(edges[b + 1]), count=int(round(counts[b] * scale)))
            out.distinct_count = len(set(sample.tolist())) if len(sample) == n else 0
        categories = column.get("categories")
        if categories:
            for value, count in list(categories.items())[:20]:
                out.top_categories.add(value=value, count=count)
            out.distinct_count = len(categories)
        result.columns.append(out)
    return result, state.get("start"), state.get("end")
