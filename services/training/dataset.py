"""The point-in-time training set of a job as model inputs, label, timestamps and evaluation attributes.

Built from the Arrow table the feature store returns. Numeric features become float32 (the dtype
the ONNX model receives, so scikit-learn and onnxruntime see identical values) with NaN for nulls;
string features become Python strings with "" for nulls. Evaluation-only attributes are kept in a
separate frame that no pipeline ever reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from services.training.spec import TrainingPlan


class DatasetProblem(ValueError):
    """The training set cannot be trained on; ``code`` is the job's reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class TrainingData:
    """Model inputs, label and split of one job; shipped once to every worker."""

    features: pd.DataFrame
    label: np.ndarray  # class indices for classification, float64 for regression
    times: np.ndarray  # datetime64[us]
    class_labels: list[str]
    class_values: np.ndarray  # the class labels as the estimator is fitted on them (int64 or str)
    numeric_columns: list[str]
    categorical_columns: list[str]
    evaluation: pd.DataFrame
    train_index: np.ndarray
    holdout_index: np.ndarray

    def part(self, index: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """The inputs and label of some rows (class indices for classification)."""
        return self.features.iloc[index], self.label[index]

    def fit_target(self, label: np.ndarray) -> np.ndarray:
        """The target an estimator is fitted on: class values (so the ONNX model carries them) or numbers."""
        return self.class_values[label] if len(self.class_values) else label


def build_training_data(table: pa.Table, *, feature_columns: list[str], string_columns: set[str],
                        label_column: str, timestamp_column: str, evaluation_columns: dict[str, str],
                        plan: TrainingPlan) -> TrainingData:
    """Turn the joined table into a :class:`TrainingData`, split included; DatasetProblem when unusable."""
    from services.training.split import split_rows

    if label_column not in table.column_names:
        raise DatasetProblem("LABEL_COLUMN_MISSING", f"the label column {label_column!r} is not in the dataset "
                                                     f"(columns: {', '.join(table.column_names)})")
    if table.num_rows == 0:
        raise DatasetProblem("EMPTY_TRAINING_SET", "the training set has no rows")
    categorical = [c for c in feature_columns if c in string_columns or c in plan.extra_categorical_columns]
    unknown = [c for c in plan.extra_categorical_columns if c not in feature_columns]
    if unknown:
        raise DatasetProblem("UNKNOWN_CATEGORICAL_COLUMN", f"categorical columns {unknown} are not features "
                                                           f"of the job ({', '.join(feature_columns)})")
    numeric = [c for c in feature_columns if c not in categorical]
    frame = {}
    for name in feature_columns:
        column = table.column(name)
        if name in categorical:
            frame[name] = np.array(["" if v is None else str(v) for v in column.to_pylist()], dtype=object)
        else:
            frame[name] = np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
                                     ).astype(np.float32)
    features = pd.DataFrame(frame, columns=feature_columns)
    labels_raw = table.column(label_column).to_pylist()
    keep = np.array([v is not None for v in labels_raw])
    if not keep.any():
        raise DatasetProblem("EMPTY_TRAINING_SET", f"every row has a null label in {label_column!r}")
    times = np.asarray(table.column(timestamp_column).cast(pa.timestamp("us")).to_numpy(zero_copy_only=False))
    evaluation = pd.DataFrame({name: table.column(col).to_pylist() for name, col in evaluation_columns.items()},
                              index=pd.RangeIndex(table.num_rows))
    features, times, evaluation = features[keep].reset_index(drop=True), times[keep], \
        evaluation[keep].reset_index(drop=True)
    values = [v for v, k in zip(labels_raw, keep, strict=True) if k]
    if plan.is_classification:
        texts = {_label_text(v) for v in values}
        integer_labels = all(_is_int(t) for t in texts)
        class_labels = sorted(texts, key=int) if integer_labels else sorted(texts)
        if len(class_labels) < 2:
            raise DatasetProblem("SINGLE_CLASS_TRAINING_SET", f"the label {label_column!r} holds a single class "
                                                              f"({class_labels[0]!r}); a classifier needs two")
        if plan.task == "binary" and len(class_labels) > 2:
            raise DatasetProblem("TOO_MANY_CLASSES", f"binary classification but the label has "
                                                     f"{len(class_labels)} classes")
        position = {label: i for i, label in enumerate(class_labels)}
        label = np.array([position[_label_text(v)] for v in values], dtype=np.int64)
        class_values = np.array([int(t) for t in class_labels], dtype=np.int64) if integer_labels else \
            np.array(class_labels, dtype=object)
    else:
        class_labels, class_values = [], np.array([])
        try:
            label = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise DatasetProblem("LABEL_NOT_NUMERIC", f"regression needs a numeric label; {label_column!r} "
                                                      f"is not") from None
    train_index, holdout_index = split_rows(times, label, plan)
    if plan.is_classification and len(np.unique(label[train_index])) < 2:
        raise DatasetProblem("SINGLE_CLASS_TRAINING_SET", "the training part holds a single class")
    return TrainingData(features=features, label=label, times=times, class_labels=class_labels, class_values=class_values,
                        numeric_columns=numeric, categorical_columns=categorical, evaluation=evaluation,
                        train_index=train_index, holdout_index=holdout_index)


def _label_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True
