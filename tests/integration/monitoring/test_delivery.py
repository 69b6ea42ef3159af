"""Webhook delivery with retries and a verified HMAC; restart keeps logs, alerts and deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from sextant.monitoring.v1 import alerts_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as pb
from tests.integration.monitoring.conftest import (
    create_monitor,
    drift_rule,
    rows,
    set_traffic_reference,
    settings_for,
    start_server,
    stream,
)
from tests.waiting import eventually

SECRET = "s3cret-for-tests"


class _Receiver(BaseHTTPRequestHandler):
    """Fails the first `failures` posts with 500, then accepts; records every verified body."""

    failures = 2
    attempts: list[bool] = []
    bodies: list[dict[str, object]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers["X-Sextant-Timestamp"]
        expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        verified = hmac.compare_digest(expected, self.headers["X-Sextant-Signature"])
        type(self).attempts.append(verified)
        if len(type(self).attempts) <= type(self).failures:
            self.send_response(500)
        else:
            type(self).bodies.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


def test_webhook_retries_with_backoff_and_signs(tmp_path: Path, database_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEXTANT_TEST_WEBHOOK_SECRET", SECRET)
    _Receiver.attempts, _Receiver.bodies = [], []
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    server = start_server(settings_for(tmp_path, database_url, webhook_allow_http=True,
                                       webhook_initial_backoff_seconds=0.05, webhook_max_backoff_seconds=0.2))
    try:
        sink = alerts_pb2.WebhookSink(name="risk-hook", url=f"http://127.0.0.1:{receiver.server_port}/alerts",
                                      secret_ref="env:SEXTANT_TEST_WEBHOOK_SECRET", max_attempts=5)
        server.stub.CreateWebhookSink(pb.CreateWebhookSinkRequest(webhook_sink=sink))
        rng = np.random.default_rng(9)
        server.stub.LogPredictions(stream(rows("ref", rng.normal(0, 1, 300), rng=rng)))
        set_traffic_reference(server.stub, 0, 300)
        create_monitor(server.stub)
        drift_rule(server.stub, for_windows=1)
        server.stub.LogPredictions(stream(rows("shift", rng.normal(3, 1, 100), start=1000, rng=rng)))
        (alert,) = server.stub.ListAlerts(pb.ListAlertsRequest()).alerts
        assert eventually(lambda: len(_Receiver.bodies) == 1, 20), "the event was never delivered"
        assert _Receiver.attempts == [True, True, True]
        delivered = _Receiver.bodies[0]
        assert delivered["kind"] == "ALERT_EVENT_KIND_FIRING"
        assert delivered["alertChange"]["alert"]["name"] == alert.name  # type: ignore[index]
        assert eventually(lambda: server.stub.GetAlert(pb.GetAlertRequest(name=alert.name)).alert.deliveries[0].state
                          == alerts_pb2.DELIVERY_STATE_DELIVERED, 20)
        (delivery,) = server.stub.GetAlert(pb.GetAlertRequest(name=alert.name)).alert.deliveries
        assert delivery.sink == "risk-hook" and delivery.attempts == 3 and delivery.last_error == ""
        bad = alerts_pb2.WebhookSink(name="bad-hook", url="http://127.0.0.1:1/x", secret_ref="env:NOT_SET_ANYWHERE")
        with pytest.raises(Exception) as error:
            server.stub.CreateWebhookSink(pb.CreateWebhookSinkRequest(webhook_sink=bad))
        assert "secret_ref" in str(error.value)
    finally:
        server.stop()
        receiver.shutdown()


def test_restart_loses_no_acknowledged_log_or_alert_state(tmp_path: Path, database_url: str) -> None:
    settings = settings_for(tmp_path, database_url)
    rng = np.random.default_rng(10)
    reference = rows("ref", rng.normal(0, 1, 300), rng=rng)
    live = rows("live", rng.normal(3, 1, 150), start=1000, rng=rng)
    server = start_server(settings)
    try:
        server.stub.LogPredictions(stream(reference))
        set_traffic_reference(server.stub, 0, 300)
        create_monitor(server.stub)
        drift_rule(server.stub, for_windows=1)
        server.stub.LogPredictions(stream(live))
        (alert,) = server.stub.ListAlerts(pb.ListAlertsRequest()).alerts
        server.stub.AcknowledgeAlert(pb.AcknowledgeAlertRequest(name=alert.name, comment="investigating"))
    finally:
        server.stop()
    restarted = start_server(settings)
    try:
        kept = restarted.stub.GetAlert(pb.GetAlertRequest(name=alert.name)).alert
        assert kept.state == alerts_pb2.ALERT_STATE_ACKNOWLEDGED and kept.comment == "investigating"
        replay = restarted.stub.LogPredictions(stream(reference, live))
        assert (replay.accepted_count, replay.duplicate_count) == (0, 450)
        events = []
        for message in restarted.stub.WatchAlerts(pb.WatchAlertsRequest(after_revision=0), timeout=10):
            events.append(message.event.kind)
            if message.event.kind == alerts_pb2.ALERT_EVENT_KIND_ACKNOWLEDGED:
                break
        assert events == [alerts_pb2.ALERT_EVENT_KIND_FIRING, alerts_pb2.ALERT_EVENT_KIND_ACKNOWLEDGED]
        # The open window still holds the 50 rows logged before the restart; 50 more complete it.
        restarted.stub.LogPredictions(stream(rows("more", rng.normal(3, 1, 50), start=2000, rng=rng)))
        report = restarted.stub.GetDriftReport(pb.GetDriftReportRequest(monitor="credit-watch")).report
        assert report.window.index == 2 and report.window.row_count == 100
        assert len(restarted.stub.ListAlerts(pb.ListAlertsRequest()).alerts) == 1
    finally:
        restarted.stop()
