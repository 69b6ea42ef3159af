"""Soak: serving under steady load while the alias it serves moves every second and the monitoring
service (where predictions are logged) stops and restarts. No prediction may fail, no prediction log
may be dropped, and the serving process's resident memory stays flat after warm-up.

Serving runs as a child process so its memory is its own (read from /proc); the registry, the policy
service and monitoring run in this process. The run lasts ``SEXTANT_SOAK_SECONDS`` (default 20).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import numpy as np
import pytest

from inference import grpc_service_pb2 as oip
from inference import grpc_service_pb2_grpc as oip_grpc
from services import catalog
from services.common.server import RunningServer
from services.monitoring.settings import MonitoringSettings
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from sextant.serving.v1 import serving_service_pb2 as serving_pb
from sextant.serving.v1 import serving_service_pb2_grpc
from tests.faults.processes import ServiceProcess
from tests.integration.serving.conftest import N_FEATURES, Registry, tiny_onnx, unused_address

pytestmark = pytest.mark.slow

MODEL = "soaked"
SECONDS = float(os.environ.get("SEXTANT_SOAK_SECONDS", "20"))
CLIENTS = 3
#: Pause between one client's calls: steady load that leaves the 2-core machine room to move aliases.
PACE = 0.005
ALIAS_EVERY = 1.0
MONITORING_EVERY = min(5.0, SECONDS / 3)
#: Allowed growth of serving's RSS from the end of warm-up to the end of the run.
RSS_GROWTH_LIMIT = 64 * 1024 * 1024


def start_monitoring(root: Path, port: int) -> RunningServer:
    """Monitoring on ``port`` (0 the first time; the same port on restarts, where serving looks for it)."""
    return catalog.start("monitoring", MonitoringSettings(
        port=port, data_dir=str(root / "monitoring"), registry_address=unused_address(),
        featurestore_address=unused_address(), training_address=unused_address(), follow_registry_events=False,
        log_level="error", access_log=False))


class Load:
    """Client threads calling ModelInfer at a steady pace, counting answers per version and failures."""

    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)
        self.stub = oip_grpc.GRPCInferenceServiceStub(self.channel)
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.versions: dict[str, int] = {}
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]

    def _client(self) -> None:
        request = oip.ModelInferRequest(model_name=MODEL)
        request.inputs.add(name="features", datatype="FP32", shape=[2, N_FEATURES])
        request.raw_input_contents.append(np.full((2, N_FEATURES), 0.6, dtype=np.float32).tobytes())
        for _ in range(int(SECONDS / PACE) + 1000):  # bounded; `stop` ends it first
            if self.stop.is_set():
                return
            try:
                version = self.stub.ModelInfer(request, timeout=10).model_version
            except grpc.RpcError as error:
                with self._lock:
                    self.failures.append(f"{error.code().name}: {error.details()}")
            else:
                with self._lock:
                    self.versions[version] = self.versions.get(version, 0) + 1
            time.sleep(PACE)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self.channel.close()


class Repeating:
    """A thread running ``action`` every ``interval`` seconds until stopped (bounded by the run length)."""

    def __init__(self, interval: float, action: Callable[[], None]) -> None:
        self.count = 0
        self.errors: list[str] = []
        self._interval = interval
        self._action = action
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._action()
            except Exception as error:  # noqa: BLE001 - reported by the test, not lost with the thread
                self.errors.append(f"{type(error).__name__}: {error}")
            else:
                self.count += 1

    def __enter__(self) -> Repeating:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def test_serving_soak_with_alias_moves_and_monitoring_restarts(tmp_path: Path) -> None:
    policy = catalog.start("policy", PolicySettings(port=0, data_dir=str(tmp_path / "policy"), reg_b_preset="off",
                                                    featurestore_address=unused_address(), log_level="error"))
    registry_server = catalog.start("registry", RegistrySettings(
        port=0, data_dir=str(tmp_path / "registry"), staleness_follower=False, policy_address=policy.address,
        featurestore_address=unused_address(), log_level="error", access_log=False))
    monitoring = [start_monitoring(tmp_path, 0)]
    monitoring_port = monitoring[0].port
    registry = Registry(registry_server.address)
    serving = ServiceProcess("serving", tmp_path / "serving", registry_address=registry_server.address,
                             policy_address=policy.address, monitoring_address=monitoring[0].address,
                             featurestore_address=unused_address(), registry_retry_seconds=0.2)
    try:
        registry.create_model(MODEL)
        versions = [registry.register(MODEL, tiny_onnx()), registry.register(MODEL, tiny_onnx(flip=True))]
        registry.set_alias(MODEL, "production", versions[0])
        serving.start()
        _wait_ready(serving.address)
        moves = iter(range(1, 10**6))

        def move_alias() -> None:
            registry.set_alias(MODEL, "production", versions[next(moves) % 2])

        def restart_monitoring() -> None:
            monitoring[0].stop(0)
            monitoring[0] = start_monitoring(tmp_path, monitoring_port)

        warm_up = min(5.0, SECONDS / 4)
        baseline = None
        samples: list[int] = []
        with Load(serving.address) as load, Repeating(ALIAS_EVERY, move_alias) as alias_moves, \
                Repeating(MONITORING_EVERY, restart_monitoring) as restarts:
            started = time.monotonic()
            while (elapsed := time.monotonic() - started) < SECONDS:
                samples.append(serving.rss_bytes())
                if baseline is None and elapsed >= warm_up:
                    baseline = samples[-1]
                time.sleep(0.2)
        final = serving.rss_bytes()
        with grpc.insecure_channel(serving.address) as channel:
            log = serving_service_pb2_grpc.ServingServiceStub(channel).GetServingStatus(
                serving_pb.GetServingStatusRequest(), timeout=10).prediction_log
    finally:
        serving.stop()
        registry.close()
        monitoring[0].stop(0)
        registry_server.stop(0)
        policy.stop(0)

    assert load.failures == [], f"{len(load.failures)} failed predictions, first: {load.failures[:3]}"
    assert sum(load.versions.values()) > 0
    assert set(load.versions) == {str(v) for v in versions}, load.versions  # both versions were served
    assert alias_moves.errors == [] and restarts.errors == []
    assert log.shipped > 0 and log.dropped == 0, log  # monitoring's restarts lost no prediction log
    assert alias_moves.count >= 1 and restarts.count >= 1
    assert baseline is not None
    growth = max(final, *samples[-5:]) - baseline
    assert growth < RSS_GROWTH_LIMIT, f"serving RSS grew by {growth / 2**20:.1f} MiB after warm-up"


def _wait_ready(address: str, timeout: float = 60.0) -> None:
    """Poll until the model answers (its first request starts the load)."""
    request = oip.ModelInferRequest(model_name=MODEL)
    request.inputs.add(name="features", datatype="FP32", shape=[1, N_FEATURES])
    request.raw_input_contents.append(np.zeros((1, N_FEATURES), dtype=np.float32).tobytes())
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = oip_grpc.GRPCInferenceServiceStub(channel)
        while True:
            try:
                stub.ModelInfer(request, timeout=10)
                return
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                    raise
            time.sleep(0.05)
