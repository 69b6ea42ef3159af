"""The training code every dispatcher runs: one trial, the refit with evaluation, the export.

These functions are module-level and take only picklable arguments, so the local process pool and
Dask workers run exactly the same code. They never talk to other services or the database.
"""

from __future__ import annotations

import pickle
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.training import age_probe, evaluation, export, profile
from services.training.dataset import TrainingData
from services.training.estimators import build_pipeline
from services.training.spec import TrainingPlan
from services.training.split import cv_folds
from services.training.trials import metric_of


@dataclass(frozen=True)
class TrialOutcome:
    """The result of one trial: its cross-validated score and mean metrics, or why it failed."""

    score: float | None
    metrics: dict[str, float]
    error: str = ""
    error_code: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Evaluated:
    """The refit model (pickled), its held-out metrics, fairness results and reference profile."""

    model: bytes
    metrics: dict[str, float]
    fairness: list[evaluation.Fairness]
    profile: profile.Profile
    warnings: list[str] = field(default_factory=list)
    age_probes: list[age_probe.AgeProbe] = field(default_factory=list)


@dataclass(frozen=True)
class Exported:
    """The ONNX bytes and the parity gate's result."""

    onnx: bytes
    parity: export.ParityResult


def _pipeline(data: TrainingData, plan: TrainingPlan, params: dict[str, Any]) -> Any:
    return build_pipeline(plan.estimator_path, params, plan.preprocessing, data.numeric_columns,
                          data.categorical_columns)


def _output(pipeline: Any, frame: Any, data: TrainingData, plan: TrainingPlan) -> np.ndarray:
    if not plan.is_classification:
        return np.asarray(pipeline.predict(frame), dtype=np.float64)
    # A fold may lack a class: place the fitted classes' columns into the job's class order.
    fitted = pipeline.predict_proba(frame)
    position = {str(value): i for i, value in enumerate(data.class_values)}
    full = np.zeros((len(frame), len(data.class_values)))
    full[:, [position[str(value)] for value in pipeline.classes_]] = fitted
    return full


def run_trial(data: TrainingData, plan: TrainingPlan, params: dict[str, Any]) -> TrialOutcome:
    """Cross-validate one configuration on the training part."""
    started = time.monotonic()
    n_classes = len(data.class_labels)
    times, label = data.times[data.train_index], data.label[data.train_index]
    scores: list[dict[str, float]] = []
    try:
        for fit_rows, test_rows in cv_folds(times, label, plan):
            fit_index, test_index = data.train_index[fit_rows], data.train_index[test_rows]
            x_fit, y_fit = data.part(fit_index)
            if plan.is_classification and len(np.unique(y_fit)) < 2:
                continue
            pipeline = _pipeline(data, plan, params)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline.fit(x_fit, data.fit_target(y_fit))
            x_test, y_test = data.part(test_index)
            scores.append(metric_of(plan, y_test, _output(pipeline, x_test, data, plan), n_classes))
    except Exception as error:  # noqa: BLE001 - estimators raise many types for rejected values
        code = "ESTIMATOR_REJECTED_HYPERPARAMETERS" if _is_parameter_error(error) else "TRIAL_FAILED"
        return TrialOutcome(None, {}, f"{type(error).__name__}: {error}"[:1000], code,
                            time.monotonic() - started)
    valid = [s for s in scores if plan.metric in s]
    if not valid:
        return TrialOutcome(None, {}, f"no cross-validation fold could compute {plan.metric}", "TRIAL_FAILED",
                            time.monotonic() - started)
    names = set.intersection(*(set(s) for s in valid))
    mean = {name: float(np.mean([s[name] for s in valid])) for name in sorted(names)}
    return TrialOutcome(mean[plan.metric], mean, seconds=time.monotonic() - started)


def _is_parameter_error(error: Exception) -> bool:
    from sklearn.utils._param_validation import InvalidParameterError

    return isinstance(error, (InvalidParameterError, TypeError)) or "parameter" in str(error).lower()


def refit_and_evaluate(data: TrainingData, plan: TrainingPlan, params: dict[str, Any],
                       favorable: int, age_inputs: tuple[age_probe.AgeInput, ...] = ()) -> Evaluated:
    """Refit the winning configuration on the training part and evaluate it on the held-out part; probe
    the age inputs of an empirically derived scoring system."""
    n_classes = len(data.class_labels)
    x_train, y_train = data.part(data.train_index)
    x_hold, y_hold = data.part(data.holdout_index)
    pipeline = _pipeline(data, plan, params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(x_train, data.fit_target(y_train))
    held_out = _output(pipeline, x_hold, data, plan)
    metrics = metric_of(plan, y_hold, held_out, n_classes)
    notes = []
    if plan.is_classification and "roc_auc" not in metrics:
        notes.append("roc_auc is undefined on the held-out part: it holds a single class")
    results = []
    if plan.is_classification:
        predicted = held_out.argmax(axis=1)
        held_attributes = data.evaluation.iloc[data.holdout_index].reset_index(drop=True)
        for name in data.evaluation.columns:
            groups = evaluation.group_of(held_attributes[name], plan.evaluation_bins.get(name, ()))
            results.append(evaluation.fairness(name, groups, y_hold, predicted, favorable))
    summaries = [profile.categorical_summary(c, list(x_train[c])) if c in data.categorical_columns
                 else profile.numeric_summary(c, x_train[c].to_numpy()) for c in x_train.columns]
    train_output = _output(pipeline, x_train, data, plan)
    if plan.is_classification:
        summaries.append(profile.categorical_summary("label", [str(i) for i in train_output.argmax(axis=1)]))
        summaries.append(profile.numeric_summary("probabilities", train_output[:, -1]))
    else:
        summaries.append(profile.numeric_summary("variable", train_output))
    probes = age_probe.probe_all(lambda frame: _favorable_score(pipeline, frame, data, plan, favorable),
                                 x_hold, x_train, age_inputs)
    return Evaluated(pickle.dumps(pipeline), metrics, results, profile.Profile(len(x_train), summaries), notes,
                     probes)


def _favorable_score(pipeline: Any, frame: Any, data: TrainingData, plan: TrainingPlan, favorable: int
                     ) -> np.ndarray:
    output = _output(pipeline, frame, data, plan)
    return output[:, favorable] if plan.is_classification else output


def export_and_check(data: TrainingData, plan: TrainingPlan, model: bytes) -> Exported:
    """Export the refit pipeline to ONNX and run the parity gate."""
    pipeline = pickle.loads(model)  # noqa: S301 - bytes this service pickled itself
    onnx_bytes = export.to_onnx(pipeline, data.numeric_columns, data.categorical_columns,
                                list(data.features.columns), plan.is_classification, plan.target_opset)
    x_hold, _ = data.part(data.holdout_index)
    edges = export.edge_rows(x_hold, data.numeric_columns, data.categorical_columns)
    parity = export.parity_check(onnx_bytes, pipeline, x_hold.reset_index(drop=True), edges,
                                 data.categorical_columns, plan.is_classification, plan.target_opset)
    return Exported(onnx_bytes, parity)
