"""The summary of one window: every column's summary, schema errors, serving health, estimates.

All parts merge by addition, so rows are folded in batch by batch as they arrive and a report
never reads raw rows again.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from services.monitoring.ingest.rows import PredictionRows
from services.monitoring.summaries.column import (
    CategoricalSummary,
    ColumnSummary,
    ColumnValues,
    NumericSummary,
    categorical_type_errors,
    summary_for,
    summary_from_json,
    type_errors_for,
)
from services.monitoring.summaries.reference import ReferenceColumn, ReferenceLayout
from services.monitoring.summaries.sketch import QuantileSketch

MISSING_COLUMN = "MISSING_COLUMN"
UNEXPECTED_COLUMN = "UNEXPECTED_COLUMN"
TYPE_MISMATCH = "TYPE_MISMATCH"


class WindowSummary:
    """Mergeable statistics of the rows of one window."""

    def __init__(self) -> None:
        self.rows = 0
        self.schema_errors = 0
        self.issues: dict[str, int] = {}
        self.inputs: dict[str, ColumnSummary] = {}
        self.outputs: dict[str, ColumnSummary] = {}
        self.failed = 0
        self.latency_ms = QuantileSketch()
        # Expected confusion counts from predicted probabilities: predicted label -> true label -> sum.
        self.expected: dict[str, dict[str, float]] = {}
        self.estimated_rows = 0
        # The team running each deployment seen, for routing serving alerts.
        self.teams: dict[str, str] = {}

    def add(self, rows: PredictionRows, layout: ReferenceLayout | None, *, exact_limit: int,
            max_categories: int, exact_budget: int | None = None) -> np.ndarray:
        """Fold a batch of rows in; returns the per-row schema-error mask.

        Raw values are kept per numeric column up to ``exact_limit``, and in total over all columns up
        to ``exact_budget`` (so a window of a very wide model keeps fewer values per column).
        """
        size = rows.size
        if exact_budget is not None:
            columns = len(rows.inputs) + len(rows.outputs) + (len(layout.inputs) + len(layout.outputs) if layout else 0)
            exact_limit = min(exact_limit, exact_budget // max(columns // (2 if layout else 1), 1))
        schema_error = np.zeros(size, bool)
        self.rows += size
        self._add_columns(self.inputs, rows.inputs, layout.inputs if layout else None, schema_error,
                          exact_limit, max_categories, check_schema=True)
        self._add_columns(self.outputs, rows.outputs, layout.outputs if layout else None, np.zeros(size, bool),
                          exact_limit, max_categories, check_schema=False)
        self.schema_errors += int(schema_error.sum())
        self.failed += int((rows.status_code != 0).sum())
        latency = rows.latency_us[rows.latency_us >= 0]
        if latency.size:
            self.latency_ms.add(latency / 1000.0)
        self._add_expected(rows)
        for deployment, team in set(zip(rows.deployment, rows.deployment_team, strict=True)):
            if team:
                self.teams[deployment] = team
        return schema_error

    def _add_columns(self, target: dict[str, ColumnSummary], columns: dict[str, ColumnValues],
                     reference: dict[str, ReferenceColumn] | None, schema_error: np.ndarray, exact_limit: int,
                     max_categories: int, *, check_schema: bool) -> None:
        size = schema_error.size
        expected = reference if reference is not None else {}
        for name, values in columns.items():
            spec = expected.get(name)
            if spec is None and reference is not None:
                present = ~values.absent
                if check_schema and present.any():
                    schema_error |= present
                    self._issue(UNEXPECTED_COLUMN, name, int(present.sum()))
                continue
            summary = target.get(name)
            if summary is None:
                summary = summary_for(spec) if spec is not None else _provisional(values)
                target[name] = summary
            if isinstance(summary, NumericSummary):
                errors = summary.add(values, exact_limit)
            else:
                errors = summary.add(values, max_categories)
            if check_schema:
                if errors.any():
                    schema_error |= errors
                    self._issue(TYPE_MISMATCH, name, int(errors.sum()))
                if values.absent.any():
                    schema_error |= values.absent
                    self._issue(MISSING_COLUMN, name, int(values.absent.sum()))
        for name, spec in expected.items():
            if name in columns:
                continue
            if check_schema:
                schema_error[:] = True
                self._issue(MISSING_COLUMN, name, size)
            summary = target.get(name) or summary_for(spec)
            summary.count += size
            summary.absent += size
            target[name] = summary

    def _issue(self, kind: str, column: str, count: int) -> None:
        key = f"{kind}:{column}"
        self.issues[key] = self.issues.get(key, 0) + count

    def _add_expected(self, rows: PredictionRows) -> None:
        for label, probabilities, status in zip(rows.predicted_label, rows.probabilities, rows.status_code.tolist(),
                                                strict=True):
            if not probabilities or status != 0:
                continue
            predicted = label if label is not None else max(probabilities, key=probabilities.__getitem__)
            cell = self.expected.setdefault(predicted, {})
            for true_label, p in probabilities.items():
                cell[true_label] = cell.get(true_label, 0.0) + float(p)
            self.estimated_rows += 1

    def same_layout(self, other: WindowSummary) -> bool:
        """Whether every column both summarise is summarised alike (kind and reference histogram), so
        that :meth:`merge` can add them."""
        for mine, theirs in ((self.inputs, other.inputs), (self.outputs, other.outputs)):
            for name, summary in theirs.items():
                own = mine.get(name)
                if own is not None and not own.same_layout(summary):  # type: ignore[arg-type]
                    return False
        return True

    def merge(self, other: WindowSummary) -> None:
        """Add another window summary (for example of another replica)."""
        self.rows += other.rows
        self.schema_errors += other.schema_errors
        for key, count in other.issues.items():
            self.issues[key] = self.issues.get(key, 0) + count
        for mine, theirs in ((self.inputs, other.inputs), (self.outputs, other.outputs)):
            for name, summary in theirs.items():
                if name in mine:
                    mine[name].merge(summary)  # type: ignore[arg-type]
                else:
                    mine[name] = summary
        self.failed += other.failed
        self.latency_ms.merge(other.latency_ms)
        for predicted, cells in other.expected.items():
            target = self.expected.setdefault(predicted, {})
            for true_label, value in cells.items():
                target[true_label] = target.get(true_label, 0.0) + value
        self.estimated_rows += other.estimated_rows
        self.teams.update(other.teams)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"rows": self.rows, "se": self.schema_errors, "is": self.issues,
                "in": {k: v.to_json() for k, v in self.inputs.items()},
                "out": {k: v.to_json() for k, v in self.outputs.items()},
                "fail": self.failed, "lat": self.latency_ms.to_json(), "exp": self.expected,
                "exn": self.estimated_rows, "tm": self.teams}

    def to_bytes(self) -> bytes:
        """A compact binary form: a JSON header, then every numpy array (values, histograms, sketches) raw.

        Each array is written as ``{"@": [offset, size, dtype]}`` in the header, in the order the
        encoder meets them; letting the C encoder call back for arrays costs a fraction of walking
        the tree in Python first (a window is rewritten with every message its monitor watches).
        """
        chunks: list[bytes] = []
        offset = 0

        def place(node: Any) -> Any:
            nonlocal offset
            if not isinstance(node, np.ndarray):
                raise TypeError(f"Object of type {type(node).__name__} is not JSON serializable")
            raw = node.tobytes()  # in C order whatever the array's layout
            chunks.append(raw)
            placed = {"@": [offset, int(node.size), node.dtype.str]}
            offset += len(raw)
            return placed

        header = json.dumps(self.to_json(), separators=(",", ":"), default=place).encode()
        return len(header).to_bytes(8, "little") + header + b"".join(chunks)

    @classmethod
    def from_bytes(cls, blob: bytes) -> WindowSummary:
        """Inverse of :meth:`to_bytes`."""
        size = int.from_bytes(blob[:8], "little")
        body = memoryview(blob)[8 + size:]

        def restore(node: dict[str, Any]) -> Any:
            if "@" in node and len(node) == 1:
                start, count, dtype = node["@"]
                kind = np.dtype(dtype)
                return np.frombuffer(body[start:start + count * kind.itemsize], dtype=kind).copy()
            return node

        return cls.from_json(json.loads(blob[8:8 + size], object_hook=restore))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WindowSummary:
        """Inverse of :meth:`to_json`."""
        summary = cls()
        summary.rows, summary.schema_errors, summary.issues = data["rows"], data["se"], dict(data["is"])
        summary.inputs = {k: summary_from_json(v) for k, v in data["in"].items()}
        summary.outputs = {k: summary_from_json(v) for k, v in data["out"].items()}
        summary.failed = data["fail"]
        summary.latency_ms = QuantileSketch.from_json(data["lat"])
        summary.expected = {k: dict(v) for k, v in data["exp"].items()}
        summary.estimated_rows = data["exn"]
        summary.teams = dict(data.get("tm", {}))
        return summary


def schema_errors(rows: PredictionRows, layout: ReferenceLayout | None) -> np.ndarray:
    """The per-row schema-error mask ``WindowSummary().add(rows, layout, ...)`` returns, without the summary.

    Ingest counts data-quality errors in every message but needs the summary itself only for the
    messages a monitor watches; this is the same check as :meth:`WindowSummary._add_columns` makes
    for the inputs of a new summary (unexpected, missing and mistyped columns), at a fraction of the cost.
    """
    schema_error = np.zeros(rows.size, bool)
    reference = layout.inputs if layout else None
    for name, values in rows.inputs.items():
        spec = reference.get(name) if reference is not None else None
        if (reference is None or (spec is not None and spec.numeric)) and values.is_number.all():
            # A number in every row (so none null or absent) of a numeric column: the non-finite are errors.
            schema_error |= ~np.isfinite(values.numbers)
        elif reference is None:
            schema_error |= values.absent | (NumericSummary.type_errors(values) if _provisionally_numeric(values)
                                             else categorical_type_errors(values, True, True))
        elif spec is not None:
            schema_error |= type_errors_for(spec, values) | values.absent
        else:
            # An unexpected column: every row that carries it.
            schema_error |= ~values.absent
    if reference is not None and any(name not in rows.inputs for name in reference):
        schema_error[:] = True
    return schema_error


def _provisionally_numeric(values: ColumnValues) -> bool:
    # No reference yet: numbers go to a sketch-only numeric summary (no edges), text to categories.
    return bool(values.is_number.any() or not values.is_string.any())


def _provisional(values: ColumnValues) -> ColumnSummary:
    if _provisionally_numeric(values):
        return NumericSummary([], float("-inf"), float("inf"))
    return CategoricalSummary(accepts_numbers=True, accepts_text=True)


def aligned(summary: NumericSummary, reference: ReferenceColumn) -> NumericSummary:
    """The summary with its histogram on the reference's edges.

    A summary made before the reference existed or changed has other edges; its histogram is then
    rebuilt from the quantile sketch (approximate within the sketch's relative accuracy), and its
    raw values, when kept, still serve exact statistics.
    """
    edges = reference.edges.tolist()
    if summary.edges == edges:
        return summary
    rebuilt = NumericSummary(edges, reference.minimum, reference.maximum)
    rebuilt.count, rebuilt.nulls, rebuilt.absent, rebuilt.type_errors = (
        summary.count, summary.nulls, summary.absent, summary.type_errors)
    rebuilt.n, rebuilt.total, rebuilt.total_sq = summary.n, summary.total, summary.total_sq
    rebuilt.minimum, rebuilt.maximum, rebuilt.sketch, rebuilt.values = (
        summary.minimum, summary.maximum, summary.sketch, summary.values)
    if summary.values is not None:
        values = np.asarray(summary.values, dtype=np.float64)
        weights = np.ones(values.size)
    else:
        values, weights = summary.sketch.points()
    if values.size and len(edges):
        slots = np.searchsorted(np.asarray(edges), values, side="right")
        slots[(slots == len(edges)) & (values == edges[-1])] = len(edges) - 1
        rebuilt.histogram = np.bincount(slots, weights=weights, minlength=len(edges) + 1).round().astype(np.int64)
        outside = (values < reference.minimum) | (values > reference.maximum)
        rebuilt.out_of_range = int(round(float(weights[outside].sum())))
    return rebuilt
