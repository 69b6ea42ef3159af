"""Prediction logging to the REAL monitoring service: shipped in batches, spilled to the journal while
monitoring is down and replayed without loss or duplicates when it comes back."""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc
import numpy as np
import pytest

from services import catalog
from services.monitoring.settings import MonitoringSettings
from sextant.monitoring.v1 import logs_pb2, monitoring_service_pb2_grpc
from sextant.monitoring.v1 import monitoring_service_pb2 as mon_pb
from sextant.serving.v1 import serving_service_pb2 as pb
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx, unused_address

MODEL = "ltv"


@pytest.fixture(scope="module")
def model(registry: Registry) -> int:
    """`ltv` v1 at production."""
    registry.create_model(MODEL)
    version = registry.register(MODEL, tiny_onnx())
    registry.set_alias(MODEL, "production", version)
    return version


def start_monitoring(tmp_path_factory: pytest.TempPathFactory, address: str = "127.0.0.1:0"):
    """The real monitoring service (its own dependencies unreachable)."""
    return catalog.start("monitoring", MonitoringSettings(
        port=int(address.rsplit(":", 1)[1]), data_dir=str(tmp_path_factory.mktemp("monitoring")),
        registry_address=unused_address(), featurestore_address=unused_address(),
        training_address=unused_address(), log_level="warning"))


def log_stats(serving: Serving) -> pb.GetServingStatusResponse:
    """The serving replica's prediction-log counters."""
    return serving.sextant.GetServingStatus(pb.GetServingStatusRequest(), timeout=10).prediction_log


def wait_shipped(serving: Serving, count: int) -> None:
    """Poll until ``count`` predictions were acknowledged (bounded)."""
    for _ in range(400):
        if log_stats(serving).shipped >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"only {log_stats(serving)} shipped")


def stored_once(monitoring_address: str, request_ids: list[str]) -> mon_pb.LogPredictionsResponse:
    """Send the same (request_id, row 0) keys again: monitoring reports them all as duplicates."""
    records = logs_pb2.PredictionRecords(records=[logs_pb2.PredictionRecord(
        request_id=r, row_index=0, model_name=MODEL, model_version=1) for r in request_ids])
    for record in records.records:
        record.prediction_time.GetCurrentTime()
        record.prediction.label = "1"
    with grpc.insecure_channel(monitoring_address) as channel:
        stub = monitoring_service_pb2_grpc.MonitoringServiceStub(channel)
        return stub.LogPredictions(iter([mon_pb.LogPredictionsRequest(records=records)]), timeout=10)


def test_predictions_are_shipped_to_monitoring(model: int, start_serving: Callable[..., Serving],
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    monitoring = start_monitoring(tmp_path_factory)
    try:
        serving = start_serving(monitoring_address=monitoring.address, prediction_log_flush_seconds=0.05)
        serving.wait_ready(MODEL)
        ids = [f"ship-{i}" for i in range(6)]
        for request_id in ids:
            serving.infer(MODEL, np.full((1, 3), 0.5, dtype=np.float32), id=request_id)
        wait_shipped(serving, 7)  # the readiness probe's prediction and the six
        stats = log_stats(serving)
        assert stats.spilled == 0 and stats.dropped == 0
        again = stored_once(monitoring.address, ids)
        assert again.duplicate_count == len(ids) and again.accepted_count == 0
    finally:
        monitoring.stop(0)


def test_journal_spills_while_monitoring_is_down_and_replays(model: int, start_serving: Callable[..., Serving],
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    address = unused_address()
    serving = start_serving(monitoring_address=address, prediction_log_flush_seconds=0.05,
                            prediction_log_retry_seconds=0.1)
    serving.wait_ready(MODEL)
    ids = [f"spill-{i}" for i in range(5)]
    for request_id in ids:
        serving.infer(MODEL, np.full((1, 3), 0.2, dtype=np.float32), id=request_id)
    for _ in range(400):
        if log_stats(serving).spilled >= 6:
            break
        time.sleep(0.05)
    stats = log_stats(serving)
    assert stats.spilled >= 6 and stats.journal_bytes > 0 and stats.shipped == 0
    monitoring = start_monitoring(tmp_path_factory, address)
    try:
        wait_shipped(serving, 6)
        stats = log_stats(serving)
        assert stats.journal_bytes == 0 and stats.dropped == 0
        again = stored_once(monitoring.address, ids)
        assert again.duplicate_count == len(ids) and again.accepted_count == 0
    finally:
        monitoring.stop(0)
