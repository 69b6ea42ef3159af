"""Alert lifecycle: a shifted stream fires after `for` windows, resolves when it returns, no duplicates."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from sextant.monitoring.v1 import alerts_pb2, resources_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from sextant.type.v1 import model_pb2
from tests.integration.monitoring.conftest import (
    Server,
    create_monitor,
    drift_rule,
    rows,
    set_traffic_reference,
    stream,
)

OPEN = [alerts_pb2.ALERT_STATE_PENDING, alerts_pb2.ALERT_STATE_FIRING, alerts_pb2.ALERT_STATE_ACKNOWLEDGED,
        alerts_pb2.ALERT_STATE_SILENCED]


def _prepare(server: Server, rng: np.random.Generator) -> None:
    server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 400), rng=rng)))
    set_traffic_reference(server.stub, 0, 400)
    create_monitor(server.stub, rows_per_window=100)


def _window(server: Server, index: int, shift: float, rng: np.random.Generator) -> None:
    server.stub.LogPredictions(stream(rows(f"w{index}", rng.normal(shift, 1, 100), start=1000 + index * 100, rng=rng)))


def _events(server: Server, after: int = 0) -> list[alerts_pb2.AlertEvent]:
    latest = server.stub.ListAlerts(pb.ListAlertsRequest()).alerts
    last = max((a.revision for a in latest), default=0)
    events = []
    if last <= after:
        return events
    for message in server.stub.WatchAlerts(pb.WatchAlertsRequest(after_revision=after), timeout=10):
        events.append(message.event)
        if message.event.revision >= last:
            break
    return events


def test_shifted_stream_fires_after_for_windows_and_resolves(server: Server) -> None:
    rng = np.random.default_rng(3)
    _prepare(server, rng)
    drift_rule(server.stub, for_windows=2, resolve_after_windows=1)
    _window(server, 1, 0.0, rng)
    assert server.stub.ListAlerts(pb.ListAlertsRequest()).alerts == []
    _window(server, 2, 3.0, rng)
    (pending,) = server.stub.ListAlerts(pb.ListAlertsRequest()).alerts
    assert pending.state == alerts_pb2.ALERT_STATE_PENDING and pending.consecutive_windows == 1
    _window(server, 3, 3.0, rng)
    (firing,) = server.stub.ListAlerts(pb.ListAlertsRequest(states=OPEN)).alerts
    assert firing.name == pending.name and firing.state == alerts_pb2.ALERT_STATE_FIRING
    assert firing.consecutive_windows == 2 and firing.window.index == 3
    assert firing.model_name == "credit" and firing.model_version == 1 and firing.metric.feature == "x"
    assert firing.severity == alerts_pb2.SEVERITY_CRITICAL and firing.measured_value == 1.0
    assert firing.report.kind == alerts_pb2.REPORT_KIND_DRIFT and firing.report.uri.endswith("/credit-watch/3")
    # The feature store and registry are unreachable here, so the default team gets it, with the reason.
    assert firing.routing_reason == alerts_pb2.ROUTING_REASON_DEFAULT_TEAM and firing.routed_team == "ml-platform"
    _window(server, 4, 3.0, rng)
    assert len(server.stub.ListAlerts(pb.ListAlertsRequest()).alerts) == 1, "never a second open alert"
    _window(server, 5, 0.0, rng)
    (resolved,) = server.stub.ListAlerts(pb.ListAlertsRequest()).alerts
    assert resolved.state == alerts_pb2.ALERT_STATE_RESOLVED and resolved.HasField("resolve_time")

    kinds = [e.kind for e in _events(server)]
    assert kinds == [alerts_pb2.ALERT_EVENT_KIND_OPENED, alerts_pb2.ALERT_EVENT_KIND_FIRING,
                     alerts_pb2.ALERT_EVENT_KIND_UPDATED, alerts_pb2.ALERT_EVENT_KIND_RESOLVED]
    # A subscriber resuming after the second event receives exactly the rest.
    first_two = _events(server)[:2]
    rest = _events(server, after=first_two[-1].revision)
    assert [e.kind for e in rest] == kinds[2:]

    # The condition returning opens a new alert, not the old one again.
    _window(server, 6, 3.0, rng)
    alerts = server.stub.ListAlerts(pb.ListAlertsRequest()).alerts
    assert len(alerts) == 2 and alerts[0].name != resolved.name


def test_people_acknowledge_silence_and_resolve(server: Server) -> None:
    rng = np.random.default_rng(4)
    _prepare(server, rng)
    drift_rule(server.stub, for_windows=1, action=alerts_pb2.RULE_ACTION_RETRAIN)
    _window(server, 1, 3.0, rng)
    (alert,) = server.stub.ListAlerts(pb.ListAlertsRequest()).alerts
    assert alert.state == alerts_pb2.ALERT_STATE_FIRING
    # The training service is not reachable in this test: the retrain attempt is recorded as failed.
    assert alert.retrain_job_id == "" and "training" in alert.retrain_error
    acknowledged = server.stub.AcknowledgeAlert(pb.AcknowledgeAlertRequest(name=alert.name, comment="on it")).alert
    assert acknowledged.state == alerts_pb2.ALERT_STATE_ACKNOWLEDGED and acknowledged.comment == "on it"
    request = pb.SilenceAlertRequest(name=alert.name)
    request.silence_until.GetCurrentTime()
    request.silence_until.seconds += 3600
    silenced = server.stub.SilenceAlert(request).alert
    assert silenced.state == alerts_pb2.ALERT_STATE_SILENCED
    request.silence_until.seconds += 40 * 86400
    with pytest.raises(grpc.RpcError) as error:
        server.stub.SilenceAlert(request)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    resolved = server.stub.ResolveAlert(pb.ResolveAlertRequest(name=alert.name)).alert
    assert resolved.state == alerts_pb2.ALERT_STATE_RESOLVED
    with pytest.raises(grpc.RpcError) as error:
        server.stub.AcknowledgeAlert(pb.AcknowledgeAlertRequest(name=alert.name))
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as error:
        server.stub.GetAlert(pb.GetAlertRequest(name="al-missing"))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_rule_validation_names_the_field(sqlite_server: Server) -> None:
    rng = np.random.default_rng(6)
    _prepare(sqlite_server, rng)
    bad = alerts_pb2.AlertRule(name="perf", monitor="credit-watch",
                               metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_PERFORMANCE_REALISED),
                               comparison=model_pb2.COMPARISON_OPERATOR_LESS_THAN, threshold=0.7)
    with pytest.raises(grpc.RpcError) as error:
        sqlite_server.stub.CreateAlertRule(pb.CreateAlertRuleRequest(alert_rule=bad))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "alert_rule.metric.performance_metric" in error.value.details()
    bad.metric.performance_metric = resources_pb2.PERFORMANCE_METRIC_ACCURACY
    bad.monitor = "nope"
    with pytest.raises(grpc.RpcError) as error:
        sqlite_server.stub.CreateAlertRule(pb.CreateAlertRuleRequest(alert_rule=bad))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    rule = drift_rule(sqlite_server.stub)
    assert rule.revision == 1 and rule.etag
    update = pb.UpdateAlertRuleRequest(alert_rule=alerts_pb2.AlertRule(name=rule.name, threshold=0.5, etag="stale"))
    update.update_mask.paths.append("threshold")
    with pytest.raises(grpc.RpcError) as error:
        sqlite_server.stub.UpdateAlertRule(update)
    assert error.value.code() == grpc.StatusCode.ABORTED
    update.alert_rule.etag = rule.etag
    updated = sqlite_server.stub.UpdateAlertRule(update).alert_rule
    assert updated.revision == 2 and updated.threshold == 0.5
    with pytest.raises(grpc.RpcError) as error:
        sqlite_server.stub.DeleteMonitor(pb.DeleteMonitorRequest(name="credit-watch"))
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    sqlite_server.stub.DeleteMonitor(pb.DeleteMonitorRequest(name="credit-watch", force=True))
    assert sqlite_server.stub.ListAlertRules(pb.ListAlertRulesRequest()).alert_rules == []
