"""Metrics of predictions against labels, and fairness across the groups of protected attributes.

Classification metrics take class indices and the probability matrix (columns in class order);
multiclass precision, recall and F1 are macro averages and ROC AUC is one-vs-rest macro. A metric
that is undefined on the given rows (ROC AUC with one class present) is left out rather than
reported as a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def classification_metrics(y_true: np.ndarray, probabilities: np.ndarray, n_classes: int) -> dict[str, float]:
    """ROC AUC, accuracy, precision, recall, F1, log loss and Brier score."""
    from sklearn import metrics

    predicted = probabilities.argmax(axis=1)
    labels = list(range(n_classes))
    binary = n_classes == 2
    average = "binary" if binary else "macro"
    out = {
        "accuracy": float(metrics.accuracy_score(y_true, predicted)),
        "precision": float(metrics.precision_score(y_true, predicted, average=average, labels=labels if not binary
                                                   else None, zero_division=0)),
        "recall": float(metrics.recall_score(y_true, predicted, average=average, labels=labels if not binary
                                             else None, zero_division=0)),
        "f1": float(metrics.f1_score(y_true, predicted, average=average, labels=labels if not binary else None,
                                     zero_division=0)),
        "log_loss": float(metrics.log_loss(y_true, np.clip(probabilities, 1e-15, 1), labels=labels)),
    }
    one_hot = np.eye(n_classes)[y_true]
    out["brier"] = float(np.mean(np.sum((probabilities - one_hot) ** 2, axis=1))) if not binary else \
        float(metrics.brier_score_loss(y_true, probabilities[:, 1]))
    if len(np.unique(y_true)) == n_classes:
        out["roc_auc"] = float(metrics.roc_auc_score(y_true, probabilities[:, 1]) if binary else
                               metrics.roc_auc_score(y_true, probabilities, multi_class="ovr", labels=labels))
    return out


def regression_metrics(y_true: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R²."""
    from sklearn import metrics

    out = {"rmse": float(np.sqrt(metrics.mean_squared_error(y_true, predicted))),
           "mae": float(metrics.mean_absolute_error(y_true, predicted))}
    if len(y_true) > 1:
        out["r2"] = float(metrics.r2_score(y_true, predicted))
    return out


@dataclass(frozen=True)
class GroupOutcome:
    """Outcome statistics of one group."""

    group: str
    count: int
    selection_rate: float
    true_positive_rate: float
    positive_count: int


@dataclass(frozen=True)
class Fairness:
    """Fairness of a model's decisions across the groups of one attribute."""

    attribute: str
    groups: list[GroupOutcome]
    adverse_impact_ratio: float
    equal_opportunity_difference: float
    reference_group: str


def group_of(values: pd.Series, edges: tuple[float, ...]) -> list[str]:
    """Group names of attribute values: each value, or bins between ascending edges (lower edge inclusive)."""
    if not edges:
        return ["<null>" if v is None or (isinstance(v, float) and np.isnan(v)) else _text(v) for v in values]
    names = [f"<{_text(edges[0])}"] + [f"{_text(lo)}-{_text(hi)}" for lo, hi in zip(edges, edges[1:], strict=False)] \
        + [f"{_text(edges[-1])}+"]
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append("<null>")
        else:
            out.append(names[int(np.searchsorted(np.asarray(edges), float(v), side="right"))])
    return out


def fairness(attribute: str, groups: list[str], y_true: np.ndarray, predicted: np.ndarray,
             favorable: int) -> Fairness:
    """Selection rate and true positive rate per group, adverse impact ratio, equal opportunity difference."""
    frame = pd.DataFrame({"group": groups, "positive": y_true == favorable, "selected": predicted == favorable})
    outcomes = []
    for name, part in frame.groupby("group", sort=True):
        positives = int(part.positive.sum())
        tpr = float((part.selected & part.positive).sum() / positives) if positives else 0.0
        outcomes.append(GroupOutcome(str(name), len(part), float(part.selected.mean()), tpr, positives))
    rates = [g.selection_rate for g in outcomes]
    reference = outcomes[int(np.argmax(rates))]
    ratio = float(min(rates) / reference.selection_rate) if reference.selection_rate > 0 else 1.0
    tprs = [g.true_positive_rate for g in outcomes if g.positive_count]
    difference = float(max(tprs) - min(tprs)) if tprs else 0.0
    return Fairness(attribute, outcomes, ratio, difference, reference.group)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
