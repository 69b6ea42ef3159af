"""A mergeable quantile sketch with relative accuracy (the DDSketch idea).

Each non-zero value ``x`` falls in bucket ``ceil(log_gamma(|x|))`` of its sign; counts of equal
buckets add, so two sketches merge exactly by adding counts, whatever order rows arrived in. A
quantile read back is within ``alpha`` relative error of a true sample quantile. Buckets are kept as
sorted numpy arrays of keys and counts, so adding a batch or merging costs a few vector operations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

ALPHA = 0.01
_GAMMA = (1 + ALPHA) / (1 - ALPHA)
_LOG_GAMMA = math.log(_GAMMA)
# Values closer to zero than this are counted as zero.
_MIN_MAGNITUDE = 1e-9
_EMPTY = np.zeros(0, dtype=np.int64)
# Widest key range two sketches are combined on densely (a few thousand buckets cover 1e-9 to 1e300).
_DENSE_SPAN = 65_536


def _combine(keys_a: np.ndarray, counts_a: np.ndarray, keys_b: np.ndarray,
             counts_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if keys_a.size == 0:
        return keys_b, counts_b
    if keys_b.size == 0:
        return keys_a, counts_a
    low = min(int(keys_a.min()), int(keys_b.min()))
    span = max(int(keys_a.max()), int(keys_b.max())) - low + 1
    if span <= _DENSE_SPAN and counts_a.all() and counts_b.all():
        # Keys are unique on each side and span little, so adding the counts on a dense range
        # gives what sorting the union does, several times faster.
        dense = np.zeros(span, dtype=np.int64)
        dense[keys_a - low] += counts_a
        dense[keys_b - low] += counts_b
        present = np.flatnonzero(dense)
        return present + low, dense[present]
    keys, inverse = np.unique(np.concatenate([keys_a, keys_b]), return_inverse=True)
    counts = np.bincount(inverse, weights=np.concatenate([counts_a, counts_b]), minlength=keys.size)
    return keys, counts.astype(np.int64)


class QuantileSketch:
    """Bucket counts of positive and negative magnitudes plus a zero count."""

    def __init__(self) -> None:
        self.positive_keys, self.positive_counts = _EMPTY, _EMPTY
        self.negative_keys, self.negative_counts = _EMPTY, _EMPTY
        self.zeros = 0

    @property
    def count(self) -> int:
        """The number of values summarised."""
        return int(self.zeros + self.positive_counts.sum() + self.negative_counts.sum())

    def add(self, values: np.ndarray) -> None:
        """Add finite float values."""
        if values.size == 0:
            return
        magnitude = np.abs(values)
        small = magnitude < _MIN_MAGNITUDE
        zeros = int(small.sum())
        self.zeros += zeros
        # Mostly every value is positive: then the magnitudes are the values, and no selection is needed.
        signs = (True,) if not zeros and values.min() > 0 else (True, False)
        for positive in signs:
            selected = (magnitude if len(signs) == 1
                        else magnitude[((values > 0) if positive else (values < 0)) & ~small])
            if selected.size == 0:
                continue
            raw = np.ceil(np.log(selected) / _LOG_GAMMA).astype(np.int64)
            low = int(raw.min())
            # Keys span a few thousand at most (|x| from 1e-9 to 1e300), so counting beats sorting.
            dense = np.bincount(raw - low)
            present = np.flatnonzero(dense)
            keys, counts = present + low, dense[present]
            if positive:
                self.positive_keys, self.positive_counts = _combine(self.positive_keys, self.positive_counts,
                                                                    keys, counts.astype(np.int64))
            else:
                self.negative_keys, self.negative_counts = _combine(self.negative_keys, self.negative_counts,
                                                                    keys, counts.astype(np.int64))

    def merge(self, other: QuantileSketch) -> None:
        """Add another sketch's counts to this one."""
        self.positive_keys, self.positive_counts = _combine(self.positive_keys, self.positive_counts,
                                                            other.positive_keys, other.positive_counts)
        self.negative_keys, self.negative_counts = _combine(self.negative_keys, self.negative_counts,
                                                            other.negative_keys, other.negative_counts)
        self.zeros += other.zeros

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(representative values ascending, counts): the sketch as a weighted sample."""
        negative = -_value(self.negative_keys[::-1])
        positive = _value(self.positive_keys)
        zero = np.asarray([0.0] if self.zeros else [])
        values = np.concatenate([negative, zero, positive])
        counts = np.concatenate([self.negative_counts[::-1].astype(np.float64),
                                 np.asarray([float(self.zeros)] if self.zeros else []),
                                 self.positive_counts.astype(np.float64)])
        return values, counts

    def quantiles(self, probabilities: list[float]) -> list[float]:
        """Approximate quantiles at ``probabilities`` (0 to 1); empty when the sketch is empty."""
        values, counts = self.points()
        if counts.sum() == 0:
            return []
        cumulative = np.cumsum(counts)
        total = cumulative[-1]
        result = []
        for p in probabilities:
            position = int(np.searchsorted(cumulative, p * (total - 1) + 1, side="left"))
            result.append(float(values[min(position, len(values) - 1)]))
        return result

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form whose arrays the window summary stores as raw bytes."""
        return {"pk": self.positive_keys, "pc": self.positive_counts, "nk": self.negative_keys,
                "nc": self.negative_counts, "z": self.zeros}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuantileSketch:
        """Inverse of :meth:`to_json`."""
        sketch = cls()
        sketch.positive_keys = np.asarray(data["pk"], dtype=np.int64)
        sketch.positive_counts = np.asarray(data["pc"], dtype=np.int64)
        sketch.negative_keys = np.asarray(data["nk"], dtype=np.int64)
        sketch.negative_counts = np.asarray(data["nc"], dtype=np.int64)
        sketch.zeros = int(data["z"])
        return sketch


def _value(keys: np.ndarray) -> np.ndarray:
    # The bucket's midpoint in the relative sense: 2 * gamma^k / (gamma + 1).
    return 2.0 * np.power(_GAMMA, keys.astype(np.float64)) / (_GAMMA + 1.0)
