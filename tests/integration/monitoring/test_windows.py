"""Time windows completed by the background evaluator, metric series and the list of drift reports."""

from __future__ import annotations

import time
from pathlib import Path

import grpc
import numpy as np
import pytest
from google.protobuf import duration_pb2

from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from sextant.monitoring.v1 import resources_pb2
from tests.integration.monitoring.conftest import (
    rows,
    set_traffic_reference,
    settings_for,
    start_server,
    stream,
)


def test_time_windows_complete_and_feed_series_and_reports(tmp_path: Path, database_url: str) -> None:
    server = start_server(settings_for(tmp_path, database_url, window_grace_seconds=0.0, window_check_seconds=0.05))
    try:
        rng = np.random.default_rng(12)
        server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 200), rng=rng)))
        set_traffic_reference(server.stub, 0, 200)
        monitor = resources_pb2.Monitor(name="hourly", model_name="credit", model_version=1,
                                        window=resources_pb2.WindowSpec(duration=duration_pb2.Duration(seconds=60),
                                                                        min_rows=10))
        server.stub.CreateMonitor(pb.CreateMonitorRequest(monitor=monitor))
        # Two minutes of traffic long past: 60 rows in each epoch-aligned minute (BASE + 580 is a whole minute).
        server.stub.LogPredictions(stream(rows("a", rng.normal(0, 1, 60), start=580, rng=rng),
                                          rows("b", rng.normal(2, 1, 60), start=640, rng=rng)))
        deadline = time.monotonic() + 10
        while server.stub.GetMonitor(pb.GetMonitorRequest(name="hourly")).monitor.last_window_index < 2:
            assert time.monotonic() < deadline, "the evaluator never completed the windows"
            time.sleep(0.05)
        selector = resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_PREDICTION_COUNT)
        (series,) = server.stub.GetMetricSeries(pb.GetMetricSeriesRequest(monitor="hourly", metric=selector)).series
        assert [(p.window_index, p.value) for p in series.points] == [(1, 60.0), (2, 60.0)]
        assert series.points[1].start_time.seconds - series.points[0].start_time.seconds == 60
        drift = resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_FEATURE_DRIFT,
                                             drift_measure=resources_pb2.DRIFT_MEASURE_PSI)
        per_feature = server.stub.GetMetricSeries(pb.GetMetricSeriesRequest(monitor="hourly", metric=drift)).series
        assert sorted(s.metric.feature for s in per_feature) == ["grade", "owner", "x"]
        x = next(s for s in per_feature if s.metric.feature == "x")
        assert x.points[1].value > x.points[0].value
        listed = server.stub.ListDriftReports(pb.ListDriftReportsRequest(monitor="hourly", page_size=1))
        assert [r.window.index for r in listed.reports] == [2] and listed.next_page_token
        second = server.stub.ListDriftReports(pb.ListDriftReportsRequest(monitor="hourly", page_size=1,
                                                                         page_token=listed.next_page_token))
        assert [r.window.index for r in second.reports] == [1] and not second.next_page_token
        with pytest.raises(grpc.RpcError) as error:
            server.stub.GetMetricSeries(pb.GetMetricSeriesRequest(monitor="hourly"))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    finally:
        server.stop()


def test_monitor_validation_and_not_found(tmp_path: Path) -> None:
    server = start_server(settings_for(tmp_path, f"sqlite:///{tmp_path / 'm.db'}"))
    try:
        no_window = resources_pb2.Monitor(name="m1", model_name="credit")
        with pytest.raises(grpc.RpcError) as error:
            server.stub.CreateMonitor(pb.CreateMonitorRequest(monitor=no_window))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "monitor.window" in error.value.details()
        with pytest.raises(grpc.RpcError) as error:
            server.stub.GetDriftReport(pb.GetDriftReportRequest(monitor="nope"))
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as error:
            server.stub.ListMonitors(pb.ListMonitorsRequest(page_size=-1))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        # The registry is not reachable: a version without a stored reference cannot be read.
        with pytest.raises(grpc.RpcError) as error:
            server.stub.GetReference(pb.GetReferenceRequest(model_name="credit", model_version=3))
        assert error.value.code() == grpc.StatusCode.UNAVAILABLE
        with pytest.raises(grpc.RpcError) as error:
            server.stub.ListAuditRecords(pb.ListAuditRecordsRequest(order_by="colour"))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    finally:
        server.stop()
