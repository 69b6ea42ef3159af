"""Routing and the registry reference path against the REAL registry and feature store (port 0)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import numpy as np
import pytest

from services import catalog
from services.common.server import RunningServer
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_resources
from sextant.monitoring.v1 import alerts_pb2, logs_pb2, resources_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from sextant.registry.v1 import registry_service_pb2 as reg_pb2
from sextant.registry.v1 import registry_service_pb2_grpc as reg_grpc
from sextant.registry.v1 import resources_pb2 as reg_resources
from sextant.type.v1 import model_pb2, types_pb2
from tests.integration.monitoring.conftest import (
    UNREACHABLE,
    Server,
    record,
    settings_for,
    start_server,
    stream,
)

T = types_pb2


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[tuple[Server, grpc.Channel, grpc.Channel]]:
    """Feature store, registry and monitoring, each a real server on port 0 with its own SQLite file."""
    started: list[RunningServer] = []
    fs_settings = catalog.settings_class("featurestore")(
        port=0, data_dir=str(tmp_path / "fs"), database_url=f"sqlite:///{tmp_path / 'fs.db'}",
        policy_address=UNREACHABLE, log_level="warning")
    featurestore = catalog.start("featurestore", fs_settings)
    started.append(featurestore)
    reg_settings = catalog.settings_class("registry")(
        port=0, data_dir=str(tmp_path / "reg"), database_url=f"sqlite:///{tmp_path / 'reg.db'}",
        policy_address=UNREACHABLE, featurestore_address=featurestore.address, staleness_follower=False,
        protected_aliases=(), log_level="warning")
    registry = catalog.start("registry", reg_settings)
    started.append(registry)
    monitoring = start_server(settings_for(tmp_path, f"sqlite:///{tmp_path / 'mon.db'}",
                                           registry_address=registry.address,
                                           featurestore_address=featurestore.address))
    fs_channel = grpc.insecure_channel(featurestore.address)
    reg_channel = grpc.insecure_channel(registry.address)
    try:
        yield monitoring, fs_channel, reg_channel
    finally:
        fs_channel.close()
        reg_channel.close()
        monitoring.stop()
        for running in reversed(started):
            running.stop(0)


def _tiny_onnx() -> tuple[bytes, T.ModelSignature]:
    """A logistic regression on one float input as ONNX, with its signature."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LogisticRegression

    inputs = np.linspace(0, 1, 20, dtype=np.float32).reshape(-1, 1)
    model = LogisticRegression().fit(inputs, (inputs[:, 0] > 0.5).astype(int))
    onx = convert_sklearn(model, initial_types=[("income", FloatTensorType([None, 1]))],
                          options={id(model): {"zipmap": False}}, target_opset=15)
    signature = T.ModelSignature(
        inputs=[T.TensorSpec(name="income", dtype=T.DATA_TYPE_FLOAT32, shape=[-1, 1])],
        outputs=[T.TensorSpec(name="label", dtype=T.DATA_TYPE_INT64, shape=[-1]),
                 T.TensorSpec(name="probabilities", dtype=T.DATA_TYPE_FLOAT32, shape=[-1, 2])],
        class_labels=["0", "1"])
    return onx.SerializeToString(), signature


def _reference_profile(values: np.ndarray) -> T.DatasetProfile:
    counts, edges = np.histogram(values, bins=10)
    income = T.ColumnProfile(
        name="income", dtype=T.DATA_TYPE_FLOAT64, count=values.size, mean=float(values.mean()),
        std=float(values.std()), min=float(values.min()), max=float(values.max()),
        histogram=[T.HistogramBin(lower=float(edges[i]), upper=float(edges[i + 1]), count=int(counts[i]))
                   for i in range(10)])
    score = T.ColumnProfile(name="score", dtype=T.DATA_TYPE_FLOAT64, count=values.size, mean=0.5, std=0.29,
                            min=0.0, max=1.0, histogram=[T.HistogramBin(lower=i / 10, upper=(i + 1) / 10,
                                                                        count=values.size // 10) for i in range(10)])
    return T.DatasetProfile(row_count=values.size, columns=[income, score])


def test_registry_reference_and_routing_to_the_feature_owner(suite: tuple[Server, grpc.Channel, grpc.Channel]) -> None:
    monitoring, fs_channel, reg_channel = suite
    featurestore = fs_grpc.FeatureStoreServiceStub(fs_channel)
    registry = reg_grpc.RegistryServiceStub(reg_channel)
    featurestore.ApplyDefinitions(fs_pb2.ApplyDefinitionsRequest(
        entities=[fs_resources.Entity(name="customer", owner_team="risk-data",
                                      join_keys=[fs_resources.JoinKey(name="customer_id", dtype=T.DATA_TYPE_INT64)])],
        feature_views=[fs_resources.FeatureView(
            name="credit_profile", entities=["customer"], owner_team="risk-data",
            source_kind=fs_resources.SOURCE_KIND_BATCH,
            features=[fs_resources.Feature(name="income", dtype=T.DATA_TYPE_FLOAT64)])]), timeout=30)
    resolved = featurestore.ResolveFeatures(fs_pb2.ResolveFeaturesRequest(features={"references": {"references": [
        T.FeatureReference(feature_view="credit_profile", feature="income")]}}), timeout=10).features[0]
    registry.CreateRegisteredModel(reg_pb2.CreateRegisteredModelRequest(model=reg_resources.RegisteredModel(
        name="credit", owner_team="credit-science", domain="credit")), timeout=10)
    rng = np.random.default_rng(21)
    artifact = b"stand-in bytes; the version stays PENDING, which GetModelVersion still answers"
    version = reg_resources.ModelVersion(
        format=reg_resources.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
        signature=T.ModelSignature(
            inputs=[T.TensorSpec(name="income", dtype=T.DATA_TYPE_FLOAT64, shape=[-1],
                                 feature=T.FeatureReference(feature_view="credit_profile", feature="income"))],
            outputs=[T.TensorSpec(name="score", dtype=T.DATA_TYPE_FLOAT64, shape=[-1])], class_labels=["0", "1"]),
        artifact_sha256=hashlib.sha256(artifact).hexdigest(), artifact_size_bytes=len(artifact),
        metrics={"accuracy": 0.8},
        lineage=reg_resources.Lineage(features=[resolved], reference_profile=_reference_profile(rng.normal(50, 10, 5000))))
    registry.CreateModelVersion(reg_pb2.CreateModelVersionRequest(model_name="credit", model_version=version), timeout=10)

    stub = monitoring.stub
    # First sight of the version reads its reference from the registry.
    reference = stub.GetReference(pb.GetReferenceRequest(model_name="credit", model_version=1)).reference
    assert reference.source == resources_pb2.REFERENCE_SOURCE_REGISTRY
    assert list(reference.prediction_columns) == ["score"]
    stub.CreateMonitor(pb.CreateMonitorRequest(monitor=resources_pb2.Monitor(
        name="credit-watch", model_name="credit", model_version=1,
        window=resources_pb2.WindowSpec(row_count=200, min_rows=10))))
    rule = alerts_pb2.AlertRule(
        name="income-psi", monitor="credit-watch",
        metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_FEATURE_DRIFT,
                                            drift_measure=resources_pb2.DRIFT_MEASURE_PSI),
        comparison=model_pb2.COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL, threshold=0.2, for_windows=1)
    stub.CreateAlertRule(pb.CreateAlertRuleRequest(alert_rule=rule))
    accuracy = alerts_pb2.AlertRule(
        name="accuracy-floor", monitor="credit-watch",
        metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_PERFORMANCE_ESTIMATED,
                                            performance_metric=resources_pb2.PERFORMANCE_METRIC_ACCURACY),
        comparison=model_pb2.COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL, threshold=0.0, for_windows=1)
    stub.CreateAlertRule(pb.CreateAlertRuleRequest(alert_rule=accuracy))
    batch = [record(f"r-{i}", {"income": float(v)}, seconds=i, probability=float(p))
             for i, (v, p) in enumerate(zip(rng.normal(80, 10, 200), rng.random(200), strict=True))]
    unknown = [record("ghost-1", {"income": 1.0}, seconds=1, version=9)]
    answer = stub.LogPredictions(stream(batch, unknown))
    assert answer.accepted_count == 200
    assert [logs_pb2.RejectionReason.Name(r.reason) for r in answer.rejections] == [
        "REJECTION_REASON_UNKNOWN_MODEL_VERSION"]

    alerts = {a.alert_rule: a for a in stub.ListAlerts(pb.ListAlertsRequest()).alerts}
    drift = alerts["income-psi"]
    assert drift.state == alerts_pb2.ALERT_STATE_FIRING
    assert drift.routed_team == "risk-data" and drift.routing_reason == alerts_pb2.ROUTING_REASON_FEATURE_OWNER
    assert drift.feature.reference.feature_view == "credit_profile" and drift.feature.fingerprint == resolved.fingerprint
    performance = alerts["accuracy-floor"]
    assert performance.routed_team == "credit-science"
    assert performance.routing_reason == alerts_pb2.ROUTING_REASON_MODEL_OWNER
    report = stub.GetPerformanceReport(pb.GetPerformanceReportRequest(monitor="credit-watch")).report
    training = {m.metric: m.training for m in report.metrics if m.HasField("training")}
    assert training == {resources_pb2.PERFORMANCE_METRIC_ACCURACY: 0.8}

    # A version marked stale in the registry opens an alert for the model's owners (event follower).
    registry.MarkVersionStale(reg_pb2.MarkVersionStaleRequest(model_name="credit", version=1,
                                                              reason="income definition changed"), timeout=10)
    deadline = time.monotonic() + 15
    stale: list[alerts_pb2.Alert] = []
    while not stale:
        assert time.monotonic() < deadline, "no stale-version alert arrived"
        time.sleep(0.1)
        stale = [a for a in stub.ListAlerts(pb.ListAlertsRequest()).alerts
                 if a.source == alerts_pb2.ALERT_SOURCE_REGISTRY_STALE_VERSION]
    (alert,) = stale
    assert alert.state == alerts_pb2.ALERT_STATE_FIRING and alert.model_version == 1
    assert alert.routed_team == "credit-science" and alert.metric.kind == resources_pb2.METRIC_KIND_MODEL_STALE
    assert alert.staleness.message

    # A new production version gets a default monitor following the alias, with the default rules.
    onnx, signature = _tiny_onnx()
    created = registry.CreateModelVersion(reg_pb2.CreateModelVersionRequest(model_name="credit", model_version=(
        reg_resources.ModelVersion(format=reg_resources.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
                                   signature=signature, artifact_sha256=hashlib.sha256(onnx).hexdigest(),
                                   artifact_size_bytes=len(onnx)))), timeout=10).model_version
    header = reg_pb2.UploadArtifactHeader(model_name="credit", version=created.version,
                                          sha256=hashlib.sha256(onnx).hexdigest(), size_bytes=len(onnx),
                                          wait_for_validation=True)
    registry.UploadArtifact(iter([reg_pb2.UploadArtifactRequest(header=header),
                                  reg_pb2.UploadArtifactRequest(chunk=onnx)]), timeout=60)
    registry.SetAlias(reg_pb2.SetAliasRequest(model_name="credit", alias="production", version=created.version),
                      timeout=10)
    deadline = time.monotonic() + 15
    rules: list[alerts_pb2.AlertRule] = []
    while len(rules) < 3:
        assert time.monotonic() < deadline, "the default monitor and rules were not created"
        time.sleep(0.1)
        rules = list(stub.ListAlertRules(pb.ListAlertRulesRequest(monitor="credit-production")).alert_rules)
    monitor = stub.GetMonitor(pb.GetMonitorRequest(name="credit-production")).monitor
    assert monitor.default_created and monitor.alias == "production"
    assert all(r.default_created for r in rules)
    assert {r.metric.kind for r in rules} == {resources_pb2.METRIC_KIND_DATASET_DRIFT_SHARE,
                                              resources_pb2.METRIC_KIND_PREDICTION_DRIFT,
                                              resources_pb2.METRIC_KIND_PERFORMANCE_REALISED}
