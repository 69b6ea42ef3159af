"""Data quality of a window's inputs against the reference: nulls, range, unseen categories, schema."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.monitoring.summaries.column import OTHER_CATEGORY, CategoricalSummary, NumericSummary
from services.monitoring.summaries.reference import ReferenceColumn, ReferenceLayout
from services.monitoring.summaries.window import WindowSummary, aligned


@dataclass
class FeatureQualityResult:
    """The quality of one input in one window."""

    feature: str
    count: int
    null_count: int
    reference_null_rate: float
    numeric: bool
    out_of_range_count: int = 0
    reference_min: float = 0.0
    reference_max: float = 0.0
    unseen_count: int = 0
    unseen: list[tuple[str, int]] = field(default_factory=list)
    type_errors: int = 0

    @property
    def valid(self) -> int:
        """Values that are neither null nor absent nor of the wrong type."""
        return max(self.count - self.null_count - self.type_errors, 0)

    @property
    def null_rate(self) -> float:
        """The share of nulls (absent values count as null)."""
        return self.null_count / self.count if self.count else 0.0

    @property
    def out_of_range_rate(self) -> float:
        """The share of values outside the reference's [min, max]."""
        return self.out_of_range_count / self.count if self.count else 0.0

    @property
    def unseen_rate(self) -> float:
        """The share of values never seen in the reference."""
        return self.unseen_count / self.count if self.count else 0.0


@dataclass
class QualityResult:
    """The quality of a window."""

    features: list[FeatureQualityResult]
    schema_issues: list[tuple[str, str, int]]
    schema_error_count: int
    rows: int

    @property
    def schema_error_rate(self) -> float:
        """The share of rows with a schema mismatch."""
        return self.schema_error_count / self.rows if self.rows else 0.0


def feature_quality(name: str, reference: ReferenceColumn | None, summary: object) -> FeatureQualityResult:
    """The quality of one input."""
    ref_null_rate = reference.null_count / reference.count if reference and reference.count else 0.0
    if isinstance(summary, NumericSummary):
        if reference is not None and reference.numeric:
            summary = aligned(summary, reference)
        return FeatureQualityResult(
            name, summary.count, summary.nulls + summary.absent, ref_null_rate, True,
            out_of_range_count=summary.out_of_range if reference is not None else 0,
            reference_min=reference.minimum if reference else 0.0,
            reference_max=reference.maximum if reference else 0.0, type_errors=summary.type_errors)
    assert isinstance(summary, CategoricalSummary)
    known = reference.categories if reference is not None else {}
    unseen = sorted(((label, count) for label, count in summary.categories.items()
                     if reference is not None and label not in known and label != OTHER_CATEGORY),
                    key=lambda item: (-item[1], item[0]))
    return FeatureQualityResult(name, summary.count, summary.nulls + summary.absent, ref_null_rate, False,
                                unseen_count=sum(c for _, c in unseen), unseen=unseen[:10],
                                type_errors=summary.type_errors)


def window_quality(summary: WindowSummary, layout: ReferenceLayout | None, features: list[str]) -> QualityResult:
    """The quality report of a window for the monitored inputs."""
    results = []
    for name in features:
        column = summary.inputs.get(name)
        if column is None:
            continue
        results.append(feature_quality(name, layout.inputs.get(name) if layout else None, column))
    issues = []
    for key, count in sorted(summary.issues.items()):
        kind, _, column = key.partition(":")
        issues.append((kind, column, count))
    return QualityResult(results, issues, summary.schema_errors, summary.rows)
