"""The drift of every monitored column of a window, with methods chosen like Evidently's defaults.

Automatic choice: with at most 1000 reference rows, Kolmogorov-Smirnov for numeric columns,
chi-square for categorical ones and the Z-test for binary ones; with more, the Wasserstein distance
normed by the reference standard deviation for numeric columns and the Jensen-Shannon distance for
the others. PSI is reported for every column. Any column's method and threshold can be overridden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from services.monitoring.drift import methods
from services.monitoring.summaries.column import CategoricalSummary, ColumnSummary, NumericSummary
from services.monitoring.summaries.reference import BINARY_KIND, NUMERIC_KIND, ReferenceColumn

KS = "ks"
CHI_SQUARE = "chi_square"
Z_TEST = "z_test"
WASSERSTEIN = "wasserstein_normed"
JENSEN_SHANNON = "jensen_shannon"
PSI = "psi"

#: Methods whose result is a p-value compared with the threshold (drift when below it).
P_VALUE_METHODS = frozenset({KS, CHI_SQUARE, Z_TEST})
DEFAULT_THRESHOLDS = {KS: 0.05, CHI_SQUARE: 0.05, Z_TEST: 0.05, WASSERSTEIN: 0.1, JENSEN_SHANNON: 0.1, PSI: 0.1}
#: Up to this many reference rows, the test-based methods are chosen (Evidently's rule).
SMALL_REFERENCE_ROWS = 1000
DEFAULT_DRIFT_SHARE = 0.5


@dataclass(frozen=True)
class DriftOverride:
    """A per-column replacement of the method (None keeps the automatic one) or threshold."""

    method: str | None = None
    threshold: float | None = None


@dataclass
class ColumnDriftResult:
    """The drift of one column in one window."""

    feature: str
    kind: str
    method: str
    overridden: bool
    statistic: float
    p_value: float | None
    psi: float
    threshold: float
    drifted: bool
    reference_count: int
    current_count: int


@dataclass
class DriftResult:
    """The drift of a window: per input, per prediction column, and the dataset share."""

    features: list[ColumnDriftResult] = field(default_factory=list)
    predictions: list[ColumnDriftResult] = field(default_factory=list)
    drift_share: float = 0.0
    drift_share_threshold: float = DEFAULT_DRIFT_SHARE
    insufficient_data: bool = False

    @property
    def drifted_count(self) -> int:
        """The number of drifted inputs."""
        return sum(1 for column in self.features if column.drifted)

    @property
    def dataset_drifted(self) -> bool:
        """Whether the share of drifted inputs reached its threshold."""
        return bool(self.features) and self.drift_share >= self.drift_share_threshold


def automatic_method(reference: ReferenceColumn) -> str:
    """The method Evidently's defaults pick for a column of this reference."""
    small = reference.count <= SMALL_REFERENCE_ROWS
    if reference.kind == NUMERIC_KIND:
        return KS if small else WASSERSTEIN
    if reference.kind == BINARY_KIND:
        return Z_TEST if small else JENSEN_SHANNON
    return CHI_SQUARE if small else JENSEN_SHANNON


def column_drift(name: str, reference: ReferenceColumn, summary: ColumnSummary,
                 override: DriftOverride | None = None) -> ColumnDriftResult:
    """The drift of one column, with the automatic or overridden method."""
    method = (override.method if override and override.method else None) or automatic_method(reference)
    if not reference.numeric and method in (KS, WASSERSTEIN):
        # KS and Wasserstein need ordered values; for categories Jensen-Shannon stands in.
        method = JENSEN_SHANNON
    threshold = override.threshold if override and override.threshold is not None else DEFAULT_THRESHOLDS[method]
    overridden = bool(override and (override.method or override.threshold is not None))
    p_value: float | None = None
    if isinstance(summary, NumericSummary):
        psi_value = methods.numeric_psi(reference, summary)
        statistic, p_value = _numeric_statistic(method, reference, summary, psi_value)
        current_count = summary.n
    else:
        assert isinstance(summary, CategoricalSummary)
        ref, cur = methods.category_vectors(reference, summary)
        psi_value = methods.psi(ref, cur)
        statistic, p_value = _categorical_statistic(method, reference, ref, cur, psi_value)
        current_count = summary.n
    if method in P_VALUE_METHODS:
        drifted = p_value is not None and p_value < threshold
    else:
        p_value = None
        drifted = statistic >= threshold
    return ColumnDriftResult(feature=name, kind=reference.kind, method=method, overridden=overridden,
                             statistic=statistic, p_value=p_value, psi=psi_value, threshold=threshold,
                             drifted=bool(drifted and current_count > 0), reference_count=reference.non_null,
                             current_count=current_count)


def _numeric_statistic(method: str, reference: ReferenceColumn, summary: NumericSummary,
                       psi_value: float) -> tuple[float, float | None]:
    if method == KS:
        return methods.kolmogorov_smirnov(reference, summary)
    if method == WASSERSTEIN:
        return methods.wasserstein_normed(reference, summary), None
    if method == JENSEN_SHANNON:
        return methods.jensen_shannon(reference.histogram.astype(np.float64), methods.folded_counts(summary)), None
    if method == PSI:
        return psi_value, None
    if method in (CHI_SQUARE, Z_TEST):
        ref = reference.histogram.astype(np.float64)
        cur = methods.folded_counts(summary)
        return methods.chi_square(ref, cur) if method == CHI_SQUARE else methods.z_test(ref, cur)
    raise ValueError(method)


def _categorical_statistic(method: str, reference: ReferenceColumn, ref: np.ndarray, cur: np.ndarray,
                           psi_value: float) -> tuple[float, float | None]:
    if method == CHI_SQUARE:
        return methods.chi_square(ref, cur)
    if method == Z_TEST:
        return methods.z_test(ref, cur)
    if method == JENSEN_SHANNON:
        return methods.jensen_shannon(ref, cur), None
    if method == PSI:
        return psi_value, None
    raise ValueError(method)
