"""ONNX export with skl2onnx and the parity gate that compares onnxruntime with scikit-learn.

The model gets one input per feature column, named by the column, shaped ``[-1, 1]``: float32 for
numeric columns (NaN means missing) and string for categorical ones ("" means missing).
Classifiers are exported with ``zipmap=False`` and answer ``label`` (int64 class index) and
``probabilities`` (float32, one column per class, in ``class_labels`` order); regressors answer
``variable`` (float32 ``[-1, 1]``). The opset of the default domain is pinned by the server.

The gate runs both on the held-out rows plus edge rows built from them (unseen categories, missing
values, extreme magnitudes): labels must be identical, probabilities within 1e-4, regression
outputs within 1e-5 relative (relative to max(|sklearn value|, 1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

PROBABILITY_TOLERANCE = 1e-4
RELATIVE_TOLERANCE = 1e-5
ML_OPSET = 3
EXTREME = 1e9


@dataclass(frozen=True)
class ParityResult:
    """The parity gate's numbers; ``passed`` when every check is within tolerance."""

    passed: bool
    rows_checked: int
    edge_rows_checked: int
    label_mismatches: int
    max_abs_probability_diff: float
    max_relative_diff: float
    target_opset: int
    failing_rows: int

    def summary(self) -> str:
        """The gate's outcome in one sentence."""
        if self.passed:
            return f"parity gate passed on {self.rows_checked} rows ({self.edge_rows_checked} edge rows)"
        return (f"parity gate failed: {self.label_mismatches} label mismatches, max probability difference "
                f"{self.max_abs_probability_diff:.3g} (tolerance {PROBABILITY_TOLERANCE:g}), max relative "
                f"difference {self.max_relative_diff:.3g} (tolerance {RELATIVE_TOLERANCE:g}) on "
                f"{self.failing_rows} of {self.rows_checked} rows")


def to_onnx(pipeline: Any, numeric_columns: list[str], categorical_columns: list[str], column_order: list[str],
            classification: bool, target_opset: int) -> bytes:
    """The fitted pipeline as ONNX bytes."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    categorical = set(categorical_columns)
    initial_types = [(name, StringTensorType([None, 1]) if name in categorical else FloatTensorType([None, 1]))
                     for name in column_order]
    options = {id(pipeline.steps[-1][1]): {"zipmap": False}} if classification else {}
    model = convert_sklearn(pipeline, initial_types=initial_types, options=options,
                            target_opset={"": target_opset, "ai.onnx.ml": ML_OPSET})
    return model.SerializeToString()


def feeds(frame: pd.DataFrame, categorical_columns: list[str]) -> dict[str, np.ndarray]:
    """onnxruntime inputs for a frame of model inputs."""
    categorical = set(categorical_columns)
    return {name: (np.asarray(frame[name].to_numpy(dtype=object)).reshape(-1, 1) if name in categorical
                   else np.asarray(frame[name].to_numpy(dtype=np.float32)).reshape(-1, 1))
            for name in frame.columns}


def edge_rows(sample: pd.DataFrame, numeric_columns: list[str], categorical_columns: list[str]) -> pd.DataFrame:
    """Rows that probe what held-out data rarely shows: unseen categories, missing values, extremes."""
    base = sample.head(min(len(sample), 4)).reset_index(drop=True)
    variants = []
    for transform in (_missing_all, _unseen, _extreme(EXTREME), _extreme(-EXTREME)):
        variants.append(transform(base.copy(), numeric_columns, categorical_columns))
    for column in numeric_columns + categorical_columns:
        single = base.head(1).copy()
        single[column] = "" if column in categorical_columns else np.float32(np.nan)
        variants.append(single)
    return pd.concat(variants, ignore_index=True)


def _missing_all(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    for column in numeric:
        frame[column] = np.float32(np.nan)
    for column in categorical:
        frame[column] = ""
    return frame


def _unseen(frame: pd.DataFrame, _numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    for column in categorical:
        frame[column] = "__sextant_unseen_category__"
    return frame


def _extreme(value: float) -> Any:
    def transform(frame: pd.DataFrame, numeric: list[str], _categorical: list[str]) -> pd.DataFrame:
        for column in numeric:
            frame[column] = np.float32(value)
        return frame
    return transform


def parity_check(onnx_bytes: bytes, pipeline: Any, holdout: pd.DataFrame, edges: pd.DataFrame,
                 categorical_columns: list[str], classification: bool, target_opset: int) -> ParityResult:
    """Compare onnxruntime with scikit-learn on held-out and edge rows."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(onnx_bytes, sess_options=options, providers=["CPUExecutionProvider"])
    rows = pd.concat([holdout, edges], ignore_index=True)
    outputs = session.run(None, feeds(rows, categorical_columns))
    if classification:
        label, probabilities = np.asarray(outputs[0]).reshape(-1), np.asarray(outputs[1], dtype=np.float64)
        expected_probabilities = pipeline.predict_proba(rows)
        expected_label = np.asarray(pipeline.predict(rows)).reshape(-1)
        diff = np.abs(probabilities - expected_probabilities)
        mismatched = label != expected_label
        failing = mismatched | (diff.max(axis=1) > PROBABILITY_TOLERANCE)
        max_prob = float(np.nanmax(diff)) if diff.size else 0.0
        if np.isnan(diff).any():
            max_prob, failing = float("inf"), failing | np.isnan(diff).any(axis=1)
        return ParityResult(passed=not failing.any(), rows_checked=len(rows), edge_rows_checked=len(edges),
                            label_mismatches=int(mismatched.sum()), max_abs_probability_diff=max_prob,
                            max_relative_diff=0.0, target_opset=target_opset, failing_rows=int(failing.sum()))
    predicted = np.asarray(outputs[0], dtype=np.float64).reshape(-1)
    expected = np.asarray(pipeline.predict(rows), dtype=np.float64).reshape(-1)
    relative = np.abs(predicted - expected) / np.maximum(np.abs(expected), 1.0)
    relative = np.where(np.isnan(relative), np.inf, relative)
    failing = relative > RELATIVE_TOLERANCE
    return ParityResult(passed=not failing.any(), rows_checked=len(rows), edge_rows_checked=len(edges),
                        label_mismatches=0, max_abs_probability_diff=0.0,
                        max_relative_diff=float(relative.max()) if relative.size else 0.0,
                        target_opset=target_opset, failing_rows=int(failing.sum()))
