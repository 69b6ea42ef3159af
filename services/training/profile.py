"""The reference profile of a model: mergeable summaries of its training features and predictions.

Numeric columns: count, nulls, mean, std, min, max, quantiles and a 10-bin histogram between min
and max. Categorical columns: count, nulls, distinct count and the 20 most frequent categories.
Monitoring compares live traffic with this profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
BINS = 10
TOP_CATEGORIES = 20


@dataclass(frozen=True)
class ColumnSummary:
    """A summary of one column (numeric or categorical)."""

    name: str
    numeric: bool
    count: int
    null_count: int
    mean: float = 0.0
    std: float = 0.0
    minimum: float = 0.0
    maximum: float = 0.0
    quantiles: tuple[float, ...] = ()
    histogram: tuple[tuple[float, float, int], ...] = ()
    top_categories: tuple[tuple[str, int], ...] = ()
    distinct_count: int = 0


@dataclass(frozen=True)
class Profile:
    """Summaries of a table's columns."""

    row_count: int
    columns: list[ColumnSummary] = field(default_factory=list)


def numeric_summary(name: str, values: np.ndarray) -> ColumnSummary:
    """The summary of a numeric column (NaN counts as null)."""
    values = np.asarray(values, dtype=np.float64)
    present = values[~np.isnan(values)]
    if present.size == 0:
        return ColumnSummary(name, True, len(values), len(values))
    low, high = float(present.min()), float(present.max())
    counts, edges = np.histogram(present, bins=BINS, range=(low, high if high > low else low + 1.0))
    return ColumnSummary(
        name, True, len(values), int(len(values) - present.size), float(present.mean()), float(present.std()),
        low, high, tuple(float(q) for q in np.quantile(present, QUANTILES)),
        tuple((float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(BINS)),
        distinct_count=int(len(np.unique(present))))


def categorical_summary(name: str, values: list[str], missing: str = "") -> ColumnSummary:
    """The summary of a categorical column (``missing`` counts as null)."""
    present = [v for v in values if v != missing]
    unique, counts = np.unique(np.asarray(present, dtype=object).astype(str), return_counts=True) if present \
        else (np.array([]), np.array([]))
    order = np.argsort(-counts, kind="stable")[:TOP_CATEGORIES]
    return ColumnSummary(name, False, len(values), len(values) - len(present),
                         top_categories=tuple((str(unique[i]), int(counts[i])) for i in order),
                         distinct_count=len(unique))
