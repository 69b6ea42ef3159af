"""Statistical tests and distances between a reference column and a window summary.

Where both sides kept their raw values (small references built from traffic, windows with at most
``exact_values_limit`` values), Kolmogorov-Smirnov and Wasserstein are computed on those values and
equal ``scipy.stats.ks_2samp`` / ``wasserstein_distance`` exactly. Otherwise they are computed from
the histograms aligned to the reference's edges: the KS statistic is then the largest CDF gap at the
reference's bin edges (a lower bound of the exact statistic, tight when the edges are fine) with the
asymptotic two-sided p-value for that statistic, and Wasserstein integrates the CDF gap assuming
values spread evenly within each bin. PSI, chi-square, the Z-test and Jensen-Shannon only need
counts, so they are exact from the summaries.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.spatial import distance

from services.monitoring.summaries.column import CategoricalSummary, NumericSummary
from services.monitoring.summaries.reference import ReferenceColumn

#: Proportions of zero are replaced by this before PSI takes logarithms (as Evidently does).
PSI_EPSILON = 1e-4


def folded_counts(summary: NumericSummary) -> np.ndarray:
    """The window's counts per reference bin, values below or above the range folded into the end bins."""
    counts = summary.histogram[1:-1].astype(np.float64).copy()
    if counts.size:
        counts[0] += summary.histogram[0]
        counts[-1] += summary.histogram[-1]
    return counts


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index of two count vectors over the same bins."""
    if reference.sum() <= 0 or current.sum() <= 0:
        return 0.0
    ref = reference / reference.sum()
    cur = current / current.sum()
    ref = np.where(ref == 0, PSI_EPSILON, ref)
    cur = np.where(cur == 0, PSI_EPSILON, cur)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def category_vectors(reference: ReferenceColumn, summary: CategoricalSummary) -> tuple[np.ndarray, np.ndarray]:
    """Reference and window counts over the union of categories, in a stable order."""
    keys = sorted(set(reference.categories) | set(summary.categories))
    ref = np.asarray([reference.categories.get(k, 0) for k in keys], dtype=np.float64)
    cur = np.asarray([summary.categories.get(k, 0) for k in keys], dtype=np.float64)
    return ref, cur


def numeric_psi(reference: ReferenceColumn, summary: NumericSummary) -> float:
    """PSI of a numeric column over the reference's bins."""
    return psi(reference.histogram.astype(np.float64), folded_counts(summary))


def kolmogorov_smirnov(reference: ReferenceColumn, summary: NumericSummary) -> tuple[float, float]:
    """(statistic, p-value) of the two-sample KS test."""
    if reference.values is not None and summary.values is not None and len(summary.values):
        result = stats.ks_2samp(reference.values, np.asarray(summary.values))
        return float(result.statistic), float(result.pvalue)
    n, m = float(reference.histogram.sum()), float(summary.n)
    if n <= 0 or m <= 0:
        return 0.0, 1.0
    ref_cdf = np.concatenate([[0.0], np.cumsum(reference.histogram)]) / n
    cur_cdf = np.cumsum(summary.histogram[:-1]) / m
    statistic = float(np.max(np.abs(ref_cdf - cur_cdf)))
    effective = round(n * m / (n + m))
    return statistic, float(stats.kstwo.sf(statistic, max(effective, 1)))


def wasserstein_normed(reference: ReferenceColumn, summary: NumericSummary) -> float:
    """The Wasserstein distance divided by the reference's standard deviation."""
    std = reference.std if reference.std > 0 else 1.0
    if reference.values is not None and summary.values is not None and len(summary.values):
        return float(stats.wasserstein_distance(reference.values, np.asarray(summary.values))) / std
    n, m = float(reference.histogram.sum()), float(summary.n)
    if n <= 0 or m <= 0:
        return 0.0
    edges = reference.edges
    ref_cdf = np.concatenate([[0.0], np.cumsum(reference.histogram)]) / n
    cur_cdf = np.cumsum(summary.histogram[:-1]) / m
    gap = np.abs(ref_cdf - cur_cdf)
    inner = float(np.sum((gap[:-1] + gap[1:]) / 2.0 * np.diff(edges)))
    below = summary.histogram[0] / m * max(edges[0] - summary.minimum, 0.0) / 2.0
    above = summary.histogram[-1] / m * max(summary.maximum - edges[-1], 0.0) / 2.0
    return (inner + below + above) / std


def jensen_shannon(reference: np.ndarray, current: np.ndarray) -> float:
    """The Jensen-Shannon distance (natural logarithm) of two count vectors."""
    if reference.sum() <= 0 or current.sum() <= 0:
        return 0.0
    return float(distance.jensenshannon(reference / reference.sum(), current / current.sum()))


def chi_square(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """(statistic, p-value) of the chi-square goodness of fit of the window to the reference mix.

    Categories absent from the reference get a tiny expected count, so a new category shows as drift
    instead of being ignored.
    """
    if reference.sum() <= 0 or current.sum() <= 0 or reference.size < 2:
        return 0.0, 1.0
    expected = reference / reference.sum() * current.sum()
    expected = np.where(expected == 0, 1e-9, expected)
    expected *= current.sum() / expected.sum()
    result = stats.chisquare(current, expected)
    return float(result.statistic), float(result.pvalue)


def z_test(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """(z, two-sided p-value) of the two-proportion Z-test on the first category's share."""
    n1, n2 = reference.sum(), current.sum()
    if n1 <= 0 or n2 <= 0 or reference.size == 0:
        return 0.0, 1.0
    p1, p2 = reference[0] / n1, current[0] / n2
    pooled = (reference[0] + current[0]) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0, 1.0 if p1 == p2 else 0.0
    z = float((p1 - p2) / spread)
    return z, float(2 * stats.norm.sf(abs(z)))
