"""Spec builders and polling helpers of the training tests."""

from __future__ import annotations

import time
from typing import Any

import pyarrow as pa
from google.protobuf import duration_pb2

from sextant.training.v1 import resources_pb2, spec_pb2
from sextant.training.v1 import training_service_pb2 as pb
from sextant.type.v1 import features_pb2, model_pb2, types_pb2
from tests.integration.training.conftest import _ipc, entity_rows

S = resources_pb2
TERMINAL = {S.TRAINING_JOB_STATE_SUCCEEDED, S.TRAINING_JOB_STATE_FAILED, S.TRAINING_JOB_STATE_CANCELLED,
            S.TRAINING_JOB_STATE_REJECTED_BY_POLICY}


def spec(model_name: str, *, features: tuple[str, ...] = ("income", "debt_ratio", "region"),
         rows: pa.Table | None = None, domain: str = "credit", estimator: int = spec_pb2.ESTIMATOR_GRADIENT_BOOSTING,
         hyperparameters: dict[str, Any] | None = None, trials: int = 2, evaluation: bool = True,
         **fields: Any) -> spec_pb2.TrainingJobSpec:
    """A small binary classification spec on the lending view."""
    out = spec_pb2.TrainingJobSpec(
        model_name=model_name, owner_team="risk", domain=domain, label_column="approved",
        task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION, **fields)
    out.dataset.entity_rows.ipc_stream = _ipc(rows if rows is not None else entity_rows())
    out.features.CopyFrom(features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(
        references=[types_pb2.FeatureReference(feature_view="credit_profile", feature=f) for f in features])))
    out.model.estimator = estimator
    for name, value in (hyperparameters if hyperparameters is not None else {"n_estimators": 8}).items():
        out.model.hyperparameters[name].CopyFrom(_value(value))
    if trials > 1:
        out.search.strategy = spec_pb2.SEARCH_STRATEGY_GRID
        out.search.parameter_space["max_depth"].int_range.CopyFrom(spec_pb2.IntRange(min=1, max=trials))
        out.search.cv_folds = 2
        out.search.seed = 11
    if evaluation:
        out.evaluation_attributes.add(name="age", feature=types_pb2.FeatureReference(
            feature_view="credit_profile", feature="age"), bin_edges=[62])
        out.evaluation_attributes.add(name="sex", entity_column="sex")
    out.timeout.CopyFrom(duration_pb2.Duration(seconds=300))
    return out


def _value(value: Any) -> types_pb2.Value:
    if isinstance(value, bool):
        return types_pb2.Value(bool_value=value)
    if isinstance(value, int):
        return types_pb2.Value(int64_value=value)
    if isinstance(value, float):
        return types_pb2.Value(double_value=value)
    return types_pb2.Value(string_value=value)


def submit(stub: Any, job_spec: spec_pb2.TrainingJobSpec) -> resources_pb2.TrainingJob:
    """Submit a spec; the job as answered."""
    return stub.SubmitTrainingJob(pb.SubmitTrainingJobRequest(spec=job_spec), timeout=30).job


def wait_for(stub: Any, name: str, states: set[int] = TERMINAL, timeout: float = 120.0) -> resources_pb2.TrainingJob:
    """Poll GetTrainingJob until the job is in one of ``states`` (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        job = stub.GetTrainingJob(pb.GetTrainingJobRequest(name=name), timeout=10).job
        if job.state in states:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {name} still {S.TrainingJobState.Name(job.state)} after {timeout}s: "
                                 f"{job.state_reason}")
        time.sleep(0.2)


def states_seen(stub: Any, name: str) -> list[int]:
    """Every state the job went through, from its event stream."""
    events = stub.WatchTrainingJob(pb.WatchTrainingJobRequest(name=name), timeout=30)
    return [e.event.state_changed.to_state for e in events if e.event.HasField("state_changed")]
