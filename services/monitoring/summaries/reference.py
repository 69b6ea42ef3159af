"""A reference profile in the form the summaries and drift methods use.

A reference column is read once from its ``ColumnProfile`` (uploaded, from the registry, or built from
traffic) and never rescanned: numeric columns keep their histogram edges and counts, categorical
columns their category counts. A reference built from a small amount of traffic also keeps the raw
values of each numeric column, so Kolmogorov-Smirnov can be computed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sextant.type.v1 import types_pb2

NUMERIC_KIND = "numeric"
CATEGORICAL_KIND = "categorical"
BINARY_KIND = "binary"

_NUMERIC_DTYPES = {types_pb2.DATA_TYPE_INT32, types_pb2.DATA_TYPE_INT64, types_pb2.DATA_TYPE_FLOAT32,
                   types_pb2.DATA_TYPE_FLOAT64}
# Integer columns with at most this many distinct values whose profile lists every category are
# treated as categorical.
_MAX_INTEGER_CATEGORIES = 10


@dataclass
class ReferenceColumn:
    """One column of a reference: its kind and the statistics drift and quality compare with."""

    name: str
    dtype: int
    kind: str
    count: int
    null_count: int
    mean: float = 0.0
    std: float = 0.0
    minimum: float = 0.0
    maximum: float = 0.0
    edges: np.ndarray = field(default_factory=lambda: np.zeros(0))
    histogram: np.ndarray = field(default_factory=lambda: np.zeros(0))
    categories: dict[str, int] = field(default_factory=dict)
    values: np.ndarray | None = None

    @property
    def non_null(self) -> int:
        """The number of non-null values."""
        return self.count - self.null_count

    @property
    def numeric(self) -> bool:
        """Whether values are summarised as numbers (histogram) rather than categories."""
        return self.kind == NUMERIC_KIND


@dataclass
class ReferenceLayout:
    """Every column of a reference, split into model inputs and prediction outputs."""

    row_count: int
    inputs: dict[str, ReferenceColumn]
    outputs: dict[str, ReferenceColumn]


def column_from_profile(profile: types_pb2.ColumnProfile, values: list[float] | None = None) -> ReferenceColumn:
    """The reference column of one ``ColumnProfile``."""
    categories = {c.value: int(c.count) for c in profile.top_categories}
    numeric_dtype = profile.dtype in _NUMERIC_DTYPES
    integer = profile.dtype in (types_pb2.DATA_TYPE_INT32, types_pb2.DATA_TYPE_INT64)
    non_null = profile.count - profile.null_count
    complete_categories = categories and sum(categories.values()) >= non_null
    if numeric_dtype and not (complete_categories and (
            len(categories) <= 2 or (integer and len(categories) <= _MAX_INTEGER_CATEGORIES))):
        kind = NUMERIC_KIND
    else:
        kind = BINARY_KIND if 0 < len(categories) <= 2 and complete_categories else CATEGORICAL_KIND
    column = ReferenceColumn(name=profile.name, dtype=profile.dtype, kind=kind, count=int(profile.count),
                             null_count=int(profile.null_count), mean=profile.mean, std=profile.std,
                             minimum=profile.min, maximum=profile.max, categories=categories)
    if kind == NUMERIC_KIND:
        column.edges, column.histogram = _histogram_of(profile)
        if values is not None:
            column.values = np.asarray(values, dtype=np.float64)
    return column


def _histogram_of(profile: types_pb2.ColumnProfile) -> tuple[np.ndarray, np.ndarray]:
    if profile.histogram:
        edges = [b.lower for b in profile.histogram] + [profile.histogram[-1].upper]
        counts = [b.count for b in profile.histogram]
        return np.asarray(edges, dtype=np.float64), np.asarray(counts, dtype=np.float64)
    # No histogram: ten bins between min and max with counts spread from the quantiles when given,
    # otherwise uniformly (an approximation the report cannot do better than).
    low, high = profile.min, profile.max
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, 11)
    non_null = max(profile.count - profile.null_count, 0)
    if profile.quantiles and len(profile.quantiles) == len(profile.quantile_probabilities):
        cdf = np.interp(edges, np.asarray(profile.quantiles), np.asarray(profile.quantile_probabilities),
                        left=0.0, right=1.0)
        counts = np.diff(cdf) * non_null
    else:
        counts = np.full(10, non_null / 10.0)
    return edges, counts


def layout_from_profile(profile: types_pb2.DatasetProfile, prediction_columns: list[str],
                        exact_values: dict[str, list[float]] | None = None) -> ReferenceLayout:
    """The layout of a whole ``DatasetProfile``."""
    exact_values = exact_values or {}
    inputs: dict[str, ReferenceColumn] = {}
    outputs: dict[str, ReferenceColumn] = {}
    for column in profile.columns:
        target = outputs if column.name in prediction_columns else inputs
        target[column.name] = column_from_profile(column, exact_values.get(column.name))
    return ReferenceLayout(int(profile.row_count), inputs, outputs)
