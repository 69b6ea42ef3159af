"""Column values of one batch, and the mergeable summary of a column in one window.

A numeric column's summary counts values into the reference's histogram edges (plus an underflow
and an overflow bin), so its histogram lines up with the reference without any rescan; it also
keeps count, sum, sum of squares, min, max, a quantile sketch, and the raw values while there are
at most ``exact_values_limit`` of them. A categorical column's summary counts categories. Summaries
of the same column merge by addition, across batches, windows and replicas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.monitoring.summaries.reference import ReferenceColumn
from services.monitoring.summaries.sketch import QuantileSketch
from sextant.type.v1 import types_pb2

OTHER_CATEGORY = "__other__"
# The largest integer magnitude below which every integer is exactly a float64.
_FLOAT64_EXACT = 2 ** 53


@dataclass
class ColumnValues:
    """One column of a batch: values as numbers and/or text, with null and absence masks.

    A row is at most one of number, text, null and absent (a row none of them is a value that is
    neither, such as bytes); the summaries rely on it.
    """

    numbers: np.ndarray          # float64; NaN where the value is not a number
    strings: np.ndarray | None   # object; None where the value is not text (or bool as "true"/"false")
    is_number: np.ndarray        # bool
    is_string: np.ndarray        # bool
    null: np.ndarray             # bool: an explicit null
    absent: np.ndarray           # bool: the row did not carry the column at all

    @property
    def size(self) -> int:
        """The number of rows."""
        return int(self.null.size)


def values_from_arrow(array: pa.Array | pa.ChunkedArray) -> ColumnValues:
    """Column values of an Arrow column (numeric, boolean or string)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    size = len(array)
    null = array.is_null().to_numpy(zero_copy_only=False) if array.null_count else np.zeros(size, bool)
    absent = np.zeros(size, bool)
    kind = array.type
    if pa.types.is_floating(kind) or (pa.types.is_integer(kind) and _exact_as_float64(array)):
        # The same numbers Arrow's cast gives, for a fraction of the cost of calling it.
        numbers = array.to_numpy(zero_copy_only=False).astype(np.float64)
        if array.null_count:
            numbers = np.where(null, np.nan, numbers)
        return ColumnValues(numbers, None, ~null, np.zeros(size, bool), null, absent)
    if pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        # Integers beyond 2**53 (and decimals) have no exact float64: they are summarised as the nearest
        # one (Arrow's checked cast would refuse them and fail the whole message).
        numbers = pc.cast(array, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        if array.null_count:
            numbers = np.where(null, np.nan, numbers)
        return ColumnValues(numbers, None, ~null, np.zeros(size, bool), null, absent)
    if pa.types.is_boolean(kind):
        texts = np.asarray(pc.if_else(array, "true", "false").to_pylist(), dtype=object)
        return ColumnValues(np.full(size, np.nan), texts, np.zeros(size, bool), ~null, null, absent)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        texts = np.asarray(array.to_pylist(), dtype=object)
        return ColumnValues(np.full(size, np.nan), texts, np.zeros(size, bool), ~null, null, absent)
    texts = np.asarray([None if v is None else str(v) for v in array.to_pylist()], dtype=object)
    return ColumnValues(np.full(size, np.nan), texts, np.zeros(size, bool), ~null, null, absent)


def _exact_as_float64(array: pa.Array) -> bool:
    # Whether every value of an integer array converts to float64 exactly (|v| <= 2**53).
    if array.type.bit_width <= 32:
        return True
    if array.null_count or not len(array):
        return False
    raw = array.to_numpy()
    return bool(raw.min() >= -_FLOAT64_EXACT) and bool(raw.max() <= _FLOAT64_EXACT)


ABSENT = object()


def values_from_python(items: list[Any]) -> ColumnValues:
    """Column values from Python scalars per row: ``None`` is null, :data:`ABSENT` a missing key."""
    size = len(items)
    numbers = np.full(size, np.nan)
    strings = np.empty(size, dtype=object)
    is_number = np.zeros(size, bool)
    is_string = np.zeros(size, bool)
    null = np.zeros(size, bool)
    absent = np.zeros(size, bool)
    for i, item in enumerate(items):
        if item is ABSENT:
            absent[i] = True
        elif item is None:
            null[i] = True
        elif isinstance(item, bool):
            strings[i] = "true" if item else "false"
            is_string[i] = True
        elif isinstance(item, (int, float)):
            numbers[i] = float(item)
            is_number[i] = True
        elif isinstance(item, str):
            strings[i] = item
            is_string[i] = True
        else:
            strings[i] = str(item)
    return ColumnValues(numbers, strings, is_number, is_string, null, absent)


class NumericSummary:
    """The summary of a numeric column in a window."""

    kind = "numeric"

    def __init__(self, edges: list[float], ref_min: float, ref_max: float) -> None:
        self.edges = edges
        self.ref_min = ref_min
        self.ref_max = ref_max
        self.count = 0
        self.nulls = 0
        self.absent = 0
        self.type_errors = 0
        self.n = 0
        self.total = 0.0
        self.total_sq = 0.0
        self.minimum = float("inf")
        self.maximum = float("-inf")
        self.out_of_range = 0
        self.histogram = np.zeros(len(edges) + 1, dtype=np.int64)
        self.sketch = QuantileSketch()
        self.values: np.ndarray | None = np.zeros(0)

    @staticmethod
    def type_errors(data: ColumnValues) -> np.ndarray:
        """The rows a numeric summary counts as type errors: text, or a number that is not finite."""
        return _numeric_type_errors(data, data.is_number & np.isfinite(data.numbers))

    def add(self, data: ColumnValues, exact_limit: int) -> np.ndarray:
        """Add a batch's values; returns the per-row type-error mask."""
        finite = np.isfinite(data.numbers)
        if finite.all() and data.is_number.all():
            # Every row a finite number (so none null or absent): the masks need no work.
            values = data.numbers
            type_error = np.zeros(data.size, bool)
        else:
            finite &= data.is_number
            type_error = _numeric_type_errors(data, finite)
            values = data.numbers[finite]
            self.nulls += int(data.null.sum())
            self.absent += int(data.absent.sum())
            self.type_errors += int(type_error.sum())
        self.count += data.size
        if values.size:
            self.n += int(values.size)
            self.total += float(values.sum())
            self.total_sq += float(np.dot(values, values))
            self.minimum = min(self.minimum, float(values.min()))
            self.maximum = max(self.maximum, float(values.max()))
            if self.edges:
                self.out_of_range += int(((values < self.ref_min) | (values > self.ref_max)).sum())
                self.histogram += np.bincount(self._slots(values), minlength=self.histogram.size)
            else:
                # A provisional summary (no reference): one bin, and its range holds every finite value.
                if self.ref_min > -np.inf or self.ref_max < np.inf:
                    self.out_of_range += int(((values < self.ref_min) | (values > self.ref_max)).sum())
                self.histogram[0] += values.size
            self.sketch.add(values)
            if self.values is not None:
                if self.values.size + values.size <= exact_limit:
                    self.values = np.concatenate([self.values, values])
                else:
                    self.values = None
        return type_error

    def _slots(self, values: np.ndarray) -> np.ndarray:
        edges = np.asarray(self.edges)
        slots = np.searchsorted(edges, values, side="right")
        if edges.size == 0:
            return slots
        # The last edge is inclusive: a value equal to it belongs to the last inner bin.
        slots[(slots == edges.size) & (values == edges[-1])] = edges.size - 1
        return slots

    def same_layout(self, other: ColumnSummary) -> bool:
        """Whether ``other`` counts into the same histogram against the same reference range."""
        return (isinstance(other, NumericSummary) and list(self.edges) == list(other.edges)
                and (self.ref_min, self.ref_max) == (other.ref_min, other.ref_max))

    def merge(self, other: NumericSummary) -> None:
        """Add another summary of the same column with the same edges."""
        self.count += other.count
        self.nulls += other.nulls
        self.absent += other.absent
        self.type_errors += other.type_errors
        self.n += other.n
        self.total += other.total
        self.total_sq += other.total_sq
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)
        self.out_of_range += other.out_of_range
        self.histogram += other.histogram
        self.sketch.merge(other.sketch)
        self.values = (None if self.values is None or other.values is None
                       else np.concatenate([self.values, other.values]))

    @property
    def mean(self) -> float:
        """The mean of the values, 0 when there are none."""
        return self.total / self.n if self.n else 0.0

    @property
    def std(self) -> float:
        """The population standard deviation of the values."""
        if not self.n:
            return 0.0
        return float(np.sqrt(max(self.total_sq / self.n - self.mean ** 2, 0.0)))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, except ``v``: the kept raw values as an array (stored as raw bytes)."""
        return {"k": self.kind, "e": self.edges, "rmin": self.ref_min, "rmax": self.ref_max, "c": self.count,
                "nu": self.nulls, "ab": self.absent, "te": self.type_errors, "n": self.n, "s": self.total,
                "ss": self.total_sq, "mi": self.minimum if self.n else None, "ma": self.maximum if self.n else None,
                "oor": self.out_of_range, "h": self.histogram, "sk": self.sketch.to_json(),
                "v": self.values}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NumericSummary:
        """Inverse of :meth:`to_json`."""
        summary = cls(list(data["e"]), data["rmin"], data["rmax"])
        summary.count, summary.nulls, summary.absent = data["c"], data["nu"], data["ab"]
        summary.type_errors, summary.n, summary.total, summary.total_sq = data["te"], data["n"], data["s"], data["ss"]
        summary.minimum = data["mi"] if data["mi"] is not None else float("inf")
        summary.maximum = data["ma"] if data["ma"] is not None else float("-inf")
        summary.out_of_range = data["oor"]
        summary.histogram = np.asarray(data["h"], dtype=np.int64)
        summary.sketch = QuantileSketch.from_json(data["sk"])
        summary.values = None if data["v"] is None else np.asarray(data["v"], dtype=np.float64)
        return summary

    def to_profile(self, name: str, dtype: int) -> types_pb2.ColumnProfile:
        """The window's profile of the column, for plots next to the reference."""
        probabilities = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
        quantiles = self.sketch.quantiles(probabilities)
        edges = self.edges
        bins = [types_pb2.HistogramBin(lower=edges[i], upper=edges[i + 1], count=int(self.histogram[i + 1]))
                for i in range(len(edges) - 1)]
        if bins:
            bins[0].count += int(self.histogram[0])
            bins[-1].count += int(self.histogram[-1])
        return types_pb2.ColumnProfile(
            name=name, dtype=dtype, count=self.count, null_count=self.nulls, mean=self.mean, std=self.std,
            min=self.minimum if self.n else 0.0, max=self.maximum if self.n else 0.0,
            quantiles=quantiles, quantile_probabilities=probabilities if quantiles else [], histogram=bins)


class CategoricalSummary:
    """The summary of a categorical (or binary) column in a window."""

    kind = "categorical"

    def __init__(self, accepts_numbers: bool, accepts_text: bool) -> None:
        self.accepts_numbers = accepts_numbers
        self.accepts_text = accepts_text
        self.count = 0
        self.nulls = 0
        self.absent = 0
        self.type_errors = 0
        self.categories: dict[str, int] = {}

    def add(self, data: ColumnValues, max_categories: int) -> np.ndarray:
        """Add a batch's values; returns the per-row type-error mask."""
        ok_number = data.is_number if self.accepts_numbers else np.zeros(data.size, bool)
        ok_text = data.is_string if self.accepts_text else np.zeros(data.size, bool)
        type_error = categorical_type_errors(data, self.accepts_numbers, self.accepts_text)
        self.count += data.size
        self.nulls += int(data.null.sum())
        self.absent += int(data.absent.sum())
        self.type_errors += int(type_error.sum())
        labels: list[str] = []
        if ok_number.any():
            labels.extend(_number_label(x) for x in data.numbers[ok_number].tolist())
        if ok_text.any() and data.strings is not None:
            labels.extend(data.strings[ok_text].tolist())
        if labels:
            unique, counts = np.unique(np.asarray(labels, dtype=object), return_counts=True)
            for label, count in zip(unique.tolist(), counts.tolist(), strict=True):
                self._count(str(label), int(count), max_categories)
        return type_error

    def _count(self, label: str, count: int, max_categories: int) -> None:
        if label in self.categories or len(self.categories) < max_categories:
            self.categories[label] = self.categories.get(label, 0) + count
        else:
            self.categories[OTHER_CATEGORY] = self.categories.get(OTHER_CATEGORY, 0) + count

    @property
    def n(self) -> int:
        """The number of valid non-null values."""
        return sum(self.categories.values())

    def same_layout(self, other: ColumnSummary) -> bool:
        """Whether ``other`` is a categorical summary accepting the same kinds of values."""
        return (isinstance(other, CategoricalSummary)
                and (self.accepts_numbers, self.accepts_text) == (other.accepts_numbers, other.accepts_text))

    def merge(self, other: CategoricalSummary, max_categories: int = 1_000_000) -> None:
        """Add another summary of the same column."""
        self.count += other.count
        self.nulls += other.nulls
        self.absent += other.absent
        self.type_errors += other.type_errors
        for label, count in other.categories.items():
            self._count(label, count, max_categories)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"k": self.kind, "an": self.accepts_numbers, "at": self.accepts_text, "c": self.count,
                "nu": self.nulls, "ab": self.absent, "te": self.type_errors, "cat": self.categories}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CategoricalSummary:
        """Inverse of :meth:`to_json`."""
        summary = cls(data["an"], data["at"])
        summary.count, summary.nulls, summary.absent, summary.type_errors = (
            data["c"], data["nu"], data["ab"], data["te"])
        summary.categories = {str(k): int(v) for k, v in data["cat"].items()}
        return summary

    def to_profile(self, name: str, dtype: int) -> types_pb2.ColumnProfile:
        """The window's profile of the column."""
        top = sorted(self.categories.items(), key=lambda item: (-item[1], item[0]))[:50]
        return types_pb2.ColumnProfile(
            name=name, dtype=dtype, count=self.count, null_count=self.nulls,
            top_categories=[types_pb2.CategoryCount(value=v, count=c) for v, c in top],
            distinct_count=len(self.categories))


ColumnSummary = NumericSummary | CategoricalSummary


def summary_for(reference: ReferenceColumn) -> ColumnSummary:
    """An empty summary of a column, aligned to its reference."""
    if reference.numeric:
        return NumericSummary(reference.edges.tolist(), reference.minimum, reference.maximum)
    return CategoricalSummary(*_accepted_kinds(reference))


def type_errors_for(reference: ReferenceColumn, data: ColumnValues) -> np.ndarray:
    """The type-error mask ``summary_for(reference).add(data, ...)`` returns, without building the summary."""
    if reference.numeric:
        return NumericSummary.type_errors(data)
    return categorical_type_errors(data, *_accepted_kinds(reference))


def _accepted_kinds(reference: ReferenceColumn) -> tuple[bool, bool]:
    # (accepts numbers, accepts text) of a categorical reference column.
    text = reference.dtype in (types_pb2.DATA_TYPE_STRING, types_pb2.DATA_TYPE_BOOL, types_pb2.DATA_TYPE_BYTES,
                               types_pb2.DATA_TYPE_UNSPECIFIED)
    return not text or reference.dtype == types_pb2.DATA_TYPE_UNSPECIFIED, text


def _numeric_type_errors(data: ColumnValues, finite: np.ndarray) -> np.ndarray:
    type_error = ~data.null & ~data.absent & ~data.is_number
    type_error |= data.is_number & ~finite
    return type_error


def categorical_type_errors(data: ColumnValues, accepts_numbers: bool, accepts_text: bool) -> np.ndarray:
    """The rows a categorical summary counts as type errors: values of a kind it does not accept."""
    type_error = ~data.null & ~data.absent
    if accepts_numbers:
        type_error &= ~data.is_number
    if accepts_text:
        type_error &= ~data.is_string
    return type_error


def summary_from_json(data: dict[str, Any]) -> ColumnSummary:
    """A summary from its JSON form."""
    return NumericSummary.from_json(data) if data["k"] == "numeric" else CategoricalSummary.from_json(data)


def _number_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
