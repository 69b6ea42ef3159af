"""Model quality per window: realised from outcomes, and estimated from probabilities before them.

Realised metrics join the window's predictions with the outcomes that have arrived (so a late
outcome changes the next report). The estimate is confidence-based (CBPE): for calibrated
probabilities, the expected confusion matrix is the sum over predictions of the predicted class's
row of probabilities, so expected accuracy, precision, recall and F1 follow without any label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn import metrics as skm

from sextant.type.v1 import model_pb2

ACCURACY, PRECISION, RECALL, F1 = "accuracy", "precision", "recall", "f1"
ROC_AUC, LOG_LOSS, CALIBRATION_ERROR, BRIER = "roc_auc", "log_loss", "calibration_error", "brier"
RMSE, MAE, R2 = "rmse", "mae", "r2"
CLASSIFICATION_METRICS = (ROC_AUC, ACCURACY, PRECISION, RECALL, F1, LOG_LOSS, CALIBRATION_ERROR, BRIER)
REGRESSION_METRICS = (RMSE, MAE, R2)
#: Metrics where smaller is better (their "drop" is measured value minus training value).
ERROR_METRICS = frozenset({LOG_LOSS, CALIBRATION_ERROR, BRIER, RMSE, MAE})


@dataclass
class MetricValues:
    """One metric: realised, estimated and training values (None when unknown)."""

    realised: float | None = None
    estimated: float | None = None
    training: float | None = None


@dataclass
class PerformanceResult:
    """The performance of one window."""

    task: int
    positive_class: str
    prediction_count: int
    labelled_count: int
    insufficient_labels: bool
    metrics: dict[str, MetricValues] = field(default_factory=dict)
    realised_confusion: tuple[list[str], list[float]] | None = None
    estimated_confusion: tuple[list[str], list[float]] | None = None

    @property
    def label_coverage(self) -> float:
        """The share of predictions with an outcome."""
        return self.labelled_count / self.prediction_count if self.prediction_count else 0.0


def positive_class_of(labels: list[str], class_labels: list[str]) -> str:
    """The class treated as positive in binary metrics."""
    if len(class_labels) == 2:
        return class_labels[1]
    for candidate in ("1", "true", "yes", "positive"):
        if candidate in labels:
            return candidate
    return sorted(labels)[-1] if labels else ""


def estimate(expected: dict[str, dict[str, float]], task: int, positive: str
             ) -> tuple[dict[str, float], tuple[list[str], list[float]]] | None:
    """Estimated metrics and the expected confusion matrix from the summed probabilities."""
    if not expected:
        return None
    labels = sorted(set(expected) | {t for cells in expected.values() for t in cells})
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for predicted, cells in expected.items():
        for true_label, value in cells.items():
            matrix[index[true_label], index[predicted]] += value
    values = _confusion_metrics(matrix, labels, task, positive)
    return values, (labels, matrix.ravel().tolist())


def _confusion_metrics(matrix: np.ndarray, labels: list[str], task: int, positive: str) -> dict[str, float]:
    total = matrix.sum()
    if total <= 0:
        return {}
    result = {ACCURACY: float(np.trace(matrix) / total)}
    binary = task == model_pb2.MODEL_TASK_BINARY_CLASSIFICATION or (task != model_pb2.MODEL_TASK_MULTICLASS_CLASSIFICATION
                                                                    and len(labels) <= 2)
    classes = [labels.index(positive)] if binary and positive in labels else list(range(len(labels)))
    precisions, recalls, f1s = [], [], []
    for k in classes:
        tp = matrix[k, k]
        predicted = matrix[:, k].sum()
        actual = matrix[k, :].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        precisions.append(precision)
        recalls.append(recall)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    result[PRECISION] = float(np.mean(precisions))
    result[RECALL] = float(np.mean(recalls))
    result[F1] = float(np.mean(f1s))
    return result


def realised(rows: list[Any], task: int, class_labels: list[str]) -> tuple[dict[str, float], str,
                                                                            tuple[list[str], list[float]] | None]:
    """(metrics, positive class, confusion matrix) from labelled (prediction, outcome) rows."""
    regression = task == model_pb2.MODEL_TASK_REGRESSION or (
        task == model_pb2.MODEL_TASK_UNSPECIFIED and rows and rows[0].value is not None)
    if regression:
        pairs = [(r.predicted_value, r.value) for r in rows if r.predicted_value is not None and r.value is not None]
        if not pairs:
            return {}, "", None
        predicted, actual = np.asarray(pairs, dtype=np.float64).T
        result = {RMSE: float(np.sqrt(np.mean((predicted - actual) ** 2))),
                  MAE: float(np.mean(np.abs(predicted - actual)))}
        if actual.size > 1 and np.var(actual) > 0:
            result[R2] = float(skm.r2_score(actual, predicted))
        return result, "", None
    usable = []
    for row in rows:
        probabilities = json.loads(row.probabilities) if row.probabilities else None
        label = row.predicted_label
        if label is None and probabilities:
            label = max(probabilities, key=probabilities.__getitem__)
        if label is not None and row.class_label is not None:
            usable.append((label, row.class_label, probabilities))
    if not usable:
        return {}, "", None
    labels = sorted({u[0] for u in usable} | {u[1] for u in usable} | set(class_labels)
                    | {k for u in usable if u[2] for k in u[2]})
    positive = positive_class_of(labels, class_labels)
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for predicted, actual, _ in usable:
        matrix[index[actual], index[predicted]] += 1
    result = _confusion_metrics(matrix, labels, task, positive)
    with_probabilities = [u for u in usable if u[2]]
    if with_probabilities:
        truth = [u[1] for u in with_probabilities]
        probs = np.asarray([[u[2].get(label, 0.0) for label in labels] for u in with_probabilities])
        probs = np.clip(probs, 1e-15, 1.0)
        result[LOG_LOSS] = float(skm.log_loss(truth, probs / probs.sum(axis=1, keepdims=True), labels=labels))
        confidence = probs.max(axis=1)
        correct = np.asarray([labels[int(np.argmax(p))] == t for p, t in zip(probs, truth, strict=True)], dtype=float)
        bins = np.minimum((confidence * 10).astype(int), 9)
        result[CALIBRATION_ERROR] = float(sum(abs(correct[bins == b].mean() - confidence[bins == b].mean())
                                              * (bins == b).sum() for b in range(10) if (bins == b).any())
                                          / len(truth))
        present = sorted(set(truth))
        if len(labels) == 2 or (len(present) == 2 and positive in present):
            y = np.asarray([t == positive for t in truth], dtype=float)
            p_pos = probs[:, index[positive]]
            result[BRIER] = float(np.mean((p_pos - y) ** 2))
            if len(present) == 2:
                result[ROC_AUC] = float(skm.roc_auc_score(y, p_pos))
        elif len(present) == len(labels) and len(labels) > 2:
            result[ROC_AUC] = float(skm.roc_auc_score(truth, probs / probs.sum(axis=1, keepdims=True),
                                                      multi_class="ovr", labels=labels))
    return result, positive, (labels, matrix.ravel().tolist())
