"""The server kit: error mapping, request ids, health, graceful shutdown on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from services.common.server import BindError
from tests.integration.common import probe

ROOT = Path(__file__).resolve().parents[3]


def _call(channel: grpc.Channel, method: str, payload: bytes = b"", timeout: float = 10) -> bytes:
    return channel.unary_unary(f"/{probe.SERVICE}/{method}")(payload, timeout=timeout)


def _error_infos(error: grpc.RpcError) -> list[error_details_pb2.ErrorInfo]:
    status = rpc_status.from_call(error)
    assert status is not None, "the error must carry a google.rpc.Status"
    infos = []
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            infos.append(info)
    return infos


@pytest.fixture()
def running():
    server = probe.start(grace_seconds=1.0)
    yield server
    server.stop(0)


def test_domain_error_maps_to_its_code_with_one_error_info(running) -> None:
    with grpc.insecure_channel(running.address) as channel, pytest.raises(grpc.RpcError) as caught:
        _call(channel, "NotFound")
    error = caught.value
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert "credit-risk" in error.details()
    infos = _error_infos(error)
    assert len(infos) == 1
    assert infos[0].reason == "MODEL_NOT_FOUND"
    assert infos[0].domain == "probe.sextant"
    assert infos[0].metadata["name"] == "credit-risk"


def test_unexpected_exception_is_internal_without_the_traceback(running) -> None:
    with grpc.insecure_channel(running.address) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            _call(channel, "Crash", timeout=10)
        # The server goes on after a crashing handler.
        assert _call(channel, "Echo", b"still here") == b"still here"
    error = caught.value
    assert error.code() == grpc.StatusCode.INTERNAL
    status = rpc_status.from_call(error)
    text = error.details() + str(status)
    assert probe.SECRET not in text
    assert "Traceback" not in text and "RuntimeError" not in text
    infos = _error_infos(error)
    assert len(infos) == 1 and infos[0].reason == "INTERNAL"
    request_id = infos[0].metadata["request_id"]
    assert request_id and request_id in error.details()


def test_request_id_is_echoed_and_kept_from_the_caller(running) -> None:
    with grpc.insecure_channel(running.address) as channel:
        _response, call = channel.unary_unary(f"/{probe.SERVICE}/Echo").with_call(
            b"x", metadata=(("x-request-id", "req-123"),), timeout=5)
    assert dict(call.trailing_metadata())["x-request-id"] == "req-123"
    with grpc.insecure_channel(running.address) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            channel.unary_unary(f"/{probe.SERVICE}/NotFound")(b"", metadata=(("x-request-id", "req-404"),),
                                                              timeout=5)
    assert dict(caught.value.trailing_metadata())["x-request-id"] == "req-404"


def test_health_and_port_zero(running) -> None:
    assert running.port > 0
    with grpc.insecure_channel(running.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        assert stub.Check(health_pb2.HealthCheckRequest(), timeout=5).status == \
            health_pb2.HealthCheckResponse.SERVING
        assert stub.Check(health_pb2.HealthCheckRequest(service=probe.SERVICE), timeout=5).status == \
            health_pb2.HealthCheckResponse.SERVING


def test_a_taken_port_is_a_clear_bind_error(running) -> None:
    with pytest.raises(BindError, match="is the port taken"):
        probe.start(port=running.port)


def test_metrics_endpoint_counts_rpcs_by_method_and_code() -> None:
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        body = urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5).read().decode()
        return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(body) for sample in family.samples}

    server = probe.start(metrics_port=0)
    try:
        before = scrape()  # the metrics are the process's: other tests' probe servers count too
        with grpc.insecure_channel(server.address) as channel:
            _call(channel, "Echo", b"1")
            with pytest.raises(grpc.RpcError):
                _call(channel, "NotFound")
        after = scrape()
    finally:
        server.stop(0)

    def delta(name: str, code: str, method: str, **extra: str) -> float:
        labels = {"code": code, "method": f"/sextant.probe.v1.ProbeService/{method}", "service": "probe", **extra}
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert delta("sextant_rpc_total", "OK", "Echo") == 1
    assert delta("sextant_rpc_duration_seconds_count", "OK", "Echo") == 1
    assert delta("sextant_rpc_duration_seconds_bucket", "OK", "Echo", le="+Inf") == 1
    assert delta("sextant_rpc_total", "NOT_FOUND", "NotFound") == 1
    assert after[("sextant_rpc_in_flight", (("service", "probe"),))] == 0


def test_sigterm_drains_the_slow_rpc_refuses_new_ones_and_reports_not_serving(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    process = subprocess.Popen([sys.executable, "-m", "tests.integration.common.probe", str(ready), "10"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "the probe server did not start"
            time.sleep(0.05)
        address = f"127.0.0.1:{json.loads(ready.read_text())['port']}"
        channel = grpc.insecure_channel(address)
        statuses: list[int] = []
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(), timeout=30)

        def read_watch() -> None:
            try:
                for reply in watch:
                    statuses.append(reply.status)
                    if reply.status == health_pb2.HealthCheckResponse.NOT_SERVING:
                        # A load balancer stops routing here and lets go of the stream.
                        watch.cancel()
            except grpc.RpcError:
                pass

        watcher = threading.Thread(target=read_watch)
        watcher.start()
        slow_result: dict[str, object] = {}
        marker = tmp_path / "slow-started"

        def slow_call() -> None:
            try:
                slow_result["value"] = _call(channel, "Slow", f"2000:{marker}".encode(), timeout=60)
            except grpc.RpcError as error:
                slow_result["error"] = error.code()

        slow = threading.Thread(target=slow_call)
        slow.start()
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert time.monotonic() < deadline, "the slow call never reached the server"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGTERM)
        refused = None
        deadline = time.monotonic() + 20
        while refused is None and time.monotonic() < deadline:
            with grpc.insecure_channel(address) as fresh:
                try:
                    _call(fresh, "Echo", b"late", timeout=5)
                    time.sleep(0.05)
                except grpc.RpcError as error:
                    refused = error.code()
        # grpc core refuses calls during shutdown with UNAVAILABLE, or CANCELLED on a racing connection.
        assert refused in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
        slow.join(30)
        assert slow_result == {"value": b"done"}
        assert process.wait(30) == 0
        watch.cancel()
        watcher.join(5)
        channel.close()
        assert statuses[0] == health_pb2.HealthCheckResponse.SERVING
        assert health_pb2.HealthCheckResponse.NOT_SERVING in statuses
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
