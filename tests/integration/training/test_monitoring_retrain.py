"""Monitoring's `retrain` alert action against the REAL training service: a firing alert reruns the job
named in the model version's lineage (read from the real registry) and the new job records the alert."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.monitoring.v1 import alerts_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as mon_pb
from sextant.registry.v1 import registry_service_pb2 as registry_pb2
from sextant.registry.v1 import resources_pb2 as registry_resources
from sextant.training.v1 import training_service_pb2 as pb
from sextant.type.v1 import model_pb2, types_pb2
from tests.integration.monitoring.conftest import (
    create_monitor,
    drift_rule,
    rows,
    set_traffic_reference,
    settings_for,
    start_server,
    stream,
)
from tests.integration.training.conftest import Stack, StartTraining
from tests.integration.training.helpers import S, spec, submit

T = types_pb2


def _register_version_trained_by(stack: Stack, job_id: str) -> None:
    """Version 1 of `credit` (PENDING is enough: GetModelVersion answers it) with the job in its lineage."""
    income = types_pb2.FeatureReference(feature_view="credit_profile", feature="income")
    resolved = stack.featurestore_stub.ResolveFeatures(fs_pb2.ResolveFeaturesRequest(
        features={"references": {"references": [income]}}), timeout=10).features[0]
    stack.registry_stub.CreateRegisteredModel(registry_pb2.CreateRegisteredModelRequest(
        model=registry_resources.RegisteredModel(name="credit", owner_team="risk", domain="credit")), timeout=10)
    artifact = b"stand-in bytes: the version stays PENDING"
    version = registry_resources.ModelVersion(
        format=registry_resources.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
        signature=T.ModelSignature(inputs=[T.TensorSpec(name="income", dtype=T.DATA_TYPE_FLOAT64, shape=[-1],
                                                        feature=income)],
                                   outputs=[T.TensorSpec(name="label", dtype=T.DATA_TYPE_INT64, shape=[-1])],
                                   class_labels=["0", "1"]),
        artifact_sha256=hashlib.sha256(artifact).hexdigest(), artifact_size_bytes=len(artifact),
        lineage=registry_resources.Lineage(training_job_id=job_id, features=[resolved]))
    created = stack.registry_stub.CreateModelVersion(registry_pb2.CreateModelVersionRequest(
        model_name="credit", model_version=version), timeout=10).model_version
    assert created.version == 1


def test_a_retrain_alert_submits_a_rerun_of_the_versions_training_job(
        stack: Stack, start_training: StartTraining, tmp_path: Path) -> None:
    training, stub = start_training()
    # The original job names an unknown feature, so it (and its rerun) end at the policy check quickly.
    original = submit(stub, spec("credit", features=("income", "shoe_size"), trials=1, evaluation=False))
    _register_version_trained_by(stack, original.name)
    monitoring = start_server(settings_for(tmp_path / "monitoring", f"sqlite:///{tmp_path / 'monitoring.db'}",
                                           training_address=training.address))
    try:
        rng = np.random.default_rng(8)
        monitoring.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 400), rng=rng)))
        set_traffic_reference(monitoring.stub, 0, 400)
        create_monitor(monitoring.stub, rows_per_window=100)
        drift_rule(monitoring.stub, for_windows=1, action=alerts_pb2.RULE_ACTION_RETRAIN)
        monitoring.stub.LogPredictions(stream(rows("w1", rng.normal(3.0, 1, 100), start=1100, rng=rng)))
        (alert,) = monitoring.stub.ListAlerts(mon_pb.ListAlertsRequest()).alerts
    finally:
        monitoring.stop()

    assert alert.state == alerts_pb2.ALERT_STATE_FIRING
    assert alert.retrain_error == "" and alert.retrain_job_id not in ("", original.name)
    job = stub.GetTrainingJob(pb.GetTrainingJobRequest(name=alert.retrain_job_id), timeout=10).job
    assert job.origin.kind == S.JOB_ORIGIN_KIND_RERUN and job.origin.alert_id == alert.name
    assert job.origin.source_job_id == original.name and alert.name in job.origin.reason
    assert job.origin.source_model_version == model_pb2.ModelVersionReference(model_name="credit", version=1)
    assert job.spec.model_name == "credit" and job.spec.features == original.spec.features
