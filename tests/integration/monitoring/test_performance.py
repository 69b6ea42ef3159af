"""Performance from late outcomes, and the label-free estimate tracking the realised value."""

from __future__ import annotations

import numpy as np
import pytest

from sextant.monitoring.v1 import logs_pb2, resources_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from tests.integration.monitoring.conftest import (
    Server,
    create_monitor,
    record,
    rows,
    set_traffic_reference,
    stream,
)


def _metrics(report: object) -> dict[int, object]:
    return {m.metric: m for m in report.metrics}  # type: ignore[attr-defined]


def _outcomes(pairs: list[tuple[str, str]]) -> pb.LogOutcomesRequest:
    return pb.LogOutcomesRequest(outcomes=[logs_pb2.Outcome(request_id=r, class_label=label) for r, label in pairs])


def test_late_outcomes_update_performance(server: Server) -> None:
    rng = np.random.default_rng(8)
    server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 100), rng=rng)))
    set_traffic_reference(server.stub, 0, 100)
    create_monitor(server.stub, rows_per_window=40)
    probabilities = rng.random(40)
    truth = ["1" if rng.random() < p else "0" for p in probabilities]
    batch = [record(f"p-{i}", {"x": 0.0, "grade": "a", "owner": True}, seconds=500 + i, probability=float(p))
             for i, p in enumerate(probabilities)]
    # Some outcomes arrive before their predictions: they are kept and joined later.
    early = server.stub.LogOutcomes(_outcomes([(f"p-{i}", truth[i]) for i in range(5)]))
    assert (early.accepted_count, early.unmatched_count) == (5, 5)
    server.stub.LogPredictions(stream(batch))
    before = server.stub.GetPerformanceReport(pb.GetPerformanceReportRequest(monitor="credit-watch")).report
    assert before.prediction_count == 40 and before.labelled_count == 5 and before.insufficient_labels
    assert _metrics(before)[resources_pb2.PERFORMANCE_METRIC_ACCURACY].HasField("estimated")
    assert not _metrics(before)[resources_pb2.PERFORMANCE_METRIC_ACCURACY].HasField("realised")

    late = server.stub.LogOutcomes(_outcomes([(f"p-{i}", truth[i]) for i in range(40)]))
    assert (late.accepted_count, late.duplicate_count, late.unmatched_count) == (35, 5, 0)
    after = server.stub.GetPerformanceReport(pb.GetPerformanceReportRequest(monitor="credit-watch")).report
    assert after.labelled_count == 40 and after.label_coverage == 1.0 and not after.insufficient_labels
    predicted = ["1" if p >= 0.5 else "0" for p in probabilities]
    accuracy = np.mean([a == b for a, b in zip(predicted, truth, strict=True)])
    metrics = _metrics(after)
    assert metrics[resources_pb2.PERFORMANCE_METRIC_ACCURACY].realised == pytest.approx(accuracy)
    from sklearn.metrics import roc_auc_score

    y = np.asarray([t == "1" for t in truth], dtype=float)
    assert metrics[resources_pb2.PERFORMANCE_METRIC_ROC_AUC].realised == pytest.approx(roc_auc_score(y, probabilities))
    assert metrics[resources_pb2.PERFORMANCE_METRIC_BRIER].realised == pytest.approx(np.mean((probabilities - y) ** 2))
    assert list(after.realised_confusion.labels) == ["0", "1"] and sum(after.realised_confusion.cells) == 40

    # A corrected outcome replaces the earlier one.
    flipped = "0" if truth[0] == "1" else "1"
    corrected = server.stub.LogOutcomes(_outcomes([("p-0", flipped)]))
    assert corrected.updated_count == 1
    rejected = server.stub.LogOutcomes(pb.LogOutcomesRequest(outcomes=[logs_pb2.Outcome(request_id="p-1")]))
    assert rejected.rejected_count == 1
    assert logs_pb2.RejectionReason.Name(rejected.rejections[0].reason) == "REJECTION_REASON_MISSING_LABEL"


def test_estimated_accuracy_tracks_realised_on_calibrated_data(sqlite_server: Server) -> None:
    rng = np.random.default_rng(20261126)
    sqlite_server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 100), rng=rng)))
    set_traffic_reference(sqlite_server.stub, 0, 100)
    create_monitor(sqlite_server.stub, rows_per_window=1000)
    # Calibrated by construction: the label is drawn with the predicted probability.
    probabilities = rng.beta(2, 2, 1000)
    truth = np.where(rng.random(1000) < probabilities, "1", "0")
    batch = [record(f"c-{i}", {"x": 0.0, "grade": "a", "owner": True}, seconds=500 + i, probability=float(p))
             for i, p in enumerate(probabilities)]
    sqlite_server.stub.LogPredictions(stream(batch[:600], batch[600:]))
    sqlite_server.stub.LogOutcomes(_outcomes([(f"c-{i}", str(truth[i])) for i in range(1000)]))
    report = sqlite_server.stub.GetPerformanceReport(pb.GetPerformanceReportRequest(monitor="credit-watch")).report
    metrics = _metrics(report)
    for metric in (resources_pb2.PERFORMANCE_METRIC_ACCURACY, resources_pb2.PERFORMANCE_METRIC_F1):
        assert metrics[metric].estimated == pytest.approx(metrics[metric].realised, abs=0.03)
    expected_accuracy = float(np.mean(np.maximum(probabilities, 1 - probabilities)))
    assert metrics[resources_pb2.PERFORMANCE_METRIC_ACCURACY].estimated == pytest.approx(expected_accuracy, rel=1e-9)
    assert sum(report.estimated_confusion.cells) == pytest.approx(1000)
