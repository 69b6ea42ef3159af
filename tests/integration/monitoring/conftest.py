"""A real monitoring server on port 0, on SQLite and PostgreSQL, and helpers to feed it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from services import catalog
from services.common.server import RunningServer
from services.monitoring.settings import MonitoringSettings
from sextant.monitoring.v1 import alerts_pb2, logs_pb2, resources_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from sextant.monitoring.v1 import monitoring_service_pb2_grpc as pb_grpc
from sextant.type.v1 import model_pb2

# Nothing listens on port 1: the registry, feature store and training service are "not reachable",
# which is what monitoring must cope with while those services are not built.
UNREACHABLE = "127.0.0.1:1"
BASE_SECONDS = 1_790_000_000


def settings_for(tmp_path: Path, database_url: str, **overrides: Any) -> MonitoringSettings:
    """Settings of a test server: port 0, dependencies unreachable unless overridden."""
    values: dict[str, Any] = {"port": 0, "data_dir": str(tmp_path), "database_url": database_url,
                              "registry_address": UNREACHABLE, "featurestore_address": UNREACHABLE,
                              "training_address": UNREACHABLE, "log_level": "warning",
                              "dependency_timeout_seconds": 2.0}
    values.update(overrides)
    return MonitoringSettings(**values)


@dataclass
class Server:
    """A running monitoring server and a stub dialled to it."""

    running: RunningServer
    channel: grpc.Channel
    stub: pb_grpc.MonitoringServiceStub

    def stop(self) -> None:
        """Stop the server and close the channel."""
        self.channel.close()
        self.running.stop(0)


def start_server(settings: MonitoringSettings) -> Server:
    """Start monitoring in this process."""
    running = catalog.start("monitoring", settings)
    channel = grpc.insecure_channel(running.address)
    return Server(running, channel, pb_grpc.MonitoringServiceStub(channel))


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[Server]:
    """A monitoring server on a fresh database (SQLite, then PostgreSQL)."""
    started = start_server(settings_for(tmp_path, database_url))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[Server]:
    """A monitoring server on SQLite only, for tests of computations rather than of storage."""
    started = start_server(settings_for(tmp_path, f"sqlite:///{tmp_path / 'monitoring.db'}"))
    try:
        yield started
    finally:
        started.stop()


def record(request_id: str, inputs: dict[str, Any], *, seconds: int, version: int = 1, model: str = "credit",
           probability: float | None = None, label: str | None = None) -> logs_pb2.PredictionRecord:
    """One prediction record; a probability makes it a binary classifier's prediction."""
    message = logs_pb2.PredictionRecord(request_id=request_id, model_name=model, model_version=version,
                                        alias="production", deployment="credit-api", deployment_team="ml-eng")
    message.prediction_time.FromSeconds(BASE_SECONDS + seconds)
    for name, value in inputs.items():
        target = message.inputs[name]
        if value is None:
            continue
        if isinstance(value, str):
            target.string_value = value
        elif isinstance(value, bool):
            target.bool_value = value
        elif isinstance(value, int):
            target.int64_value = value
        else:
            target.double_value = float(value)
    if probability is not None:
        message.prediction.label = label if label is not None else ("1" if probability >= 0.5 else "0")
        message.prediction.class_probabilities["1"] = probability
        message.prediction.class_probabilities["0"] = 1 - probability
        message.outputs["score"].double_value = probability
    return message


def stream(*batches: Sequence[logs_pb2.PredictionRecord]) -> Iterator[pb.LogPredictionsRequest]:
    """LogPredictions messages, one per batch."""
    for batch in batches:
        yield pb.LogPredictionsRequest(records=logs_pb2.PredictionRecords(records=list(batch)))


def rows(prefix: str, x: np.ndarray, *, start: int = 0, rng: np.random.Generator | None = None,
         with_probability: bool = True) -> list[logs_pb2.PredictionRecord]:
    """Records with a numeric `x`, a categorical `grade`, a binary `owner` and a probability."""
    rng = rng or np.random.default_rng(7)
    grades = rng.choice(["a", "b", "c"], size=x.size, p=[0.5, 0.3, 0.2])
    owners = rng.random(x.size) < 0.3
    probabilities = rng.random(x.size)
    return [record(f"{prefix}-{i}", {"x": float(x[i]), "grade": str(grades[i]), "owner": bool(owners[i])},
                   seconds=start + i, probability=float(probabilities[i]) if with_probability else None)
            for i in range(x.size)]


def set_traffic_reference(stub: pb_grpc.MonitoringServiceStub, start: int, end: int) -> resources_pb2.Reference:
    """Build version 1's reference from the traffic logged in [start, end) seconds."""
    request = pb.SetReferenceRequest(model_name="credit", model_version=1)
    request.from_traffic.start_time.FromSeconds(BASE_SECONDS + start)
    request.from_traffic.end_time.FromSeconds(BASE_SECONDS + end)
    return stub.SetReference(request).reference


def create_monitor(stub: pb_grpc.MonitoringServiceStub, name: str = "credit-watch", rows_per_window: int = 100,
                   **fields: Any) -> resources_pb2.Monitor:
    """A count-window monitor of credit version 1."""
    monitor = resources_pb2.Monitor(name=name, model_name="credit", model_version=1,
                                    window=resources_pb2.WindowSpec(row_count=rows_per_window, min_rows=10), **fields)
    return stub.CreateMonitor(pb.CreateMonitorRequest(monitor=monitor)).monitor


def drift_rule(stub: pb_grpc.MonitoringServiceStub, name: str = "x-drift", for_windows: int = 2,
               **fields: Any) -> alerts_pb2.AlertRule:
    """A rule firing when feature x drifts for `for_windows` windows."""
    rule = alerts_pb2.AlertRule(
        name=name, monitor="credit-watch",
        metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_FEATURE_DRIFT, feature="x"),
        comparison=model_pb2.COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL, threshold=1.0, for_windows=for_windows,
        severity=alerts_pb2.SEVERITY_CRITICAL, **fields)
    return stub.CreateAlertRule(pb.CreateAlertRuleRequest(alert_rule=rule)).alert_rule
