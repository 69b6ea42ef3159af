"""Hot swap: an alias moves in the real registry while clients keep calling; and restarts while the
registry is down serve the last known versions from the disk cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import grpc
import numpy as np

from inference import grpc_service_pb2 as oip
from services import catalog
from services.registry.settings import RegistrySettings
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx, unused_address

MODEL = "upsell"


def test_alias_move_under_load_fails_no_request(registry: Registry, serving: Serving) -> None:
    registry.create_model(MODEL)
    v1 = registry.register(MODEL, tiny_onnx())
    v2 = registry.register(MODEL, tiny_onnx(flip=True))
    registry.set_alias(MODEL, "production", v1)
    serving.wait_ready(MODEL)
    failures: list[str] = []
    seen: list[tuple[float, str]] = []
    stop = threading.Event()
    rows = np.full((1, 3), 0.7, dtype=np.float32)

    def client() -> None:
        for _ in range(20_000):  # bounded: ends well before this when `stop` is set
            if stop.is_set():
                return
            try:
                seen.append((time.monotonic(), serving.infer(MODEL, rows).model_version))
            except grpc.RpcError as error:
                failures.append(error.code().name)

    threads = [threading.Thread(target=client) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    moved_at = time.monotonic()
    registry.set_alias(MODEL, "production", v2)
    deadline = moved_at + 20
    while time.monotonic() < deadline and not any(v == str(v2) for _t, v in seen[-50:]):
        time.sleep(0.05)
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    first_new = next(t for t, v in seen if v == str(v2))
    assert first_new - moved_at < 20
    after = [v for t, v in seen if t > first_new + 0.05]
    assert after and set(after) == {str(v2)}


def test_restart_with_registry_down_serves_cached_versions(stack: dict, registry: Registry,
                                                           start_serving: Callable[..., Serving],
                                                           tmp_path_factory) -> None:
    name = "retention"
    registry.create_model(name)
    version = registry.register(name, tiny_onnx())
    registry.set_alias(name, "production", version)
    data_dir = tmp_path_factory.mktemp("cached")
    first = start_serving(data_dir=data_dir)
    first.wait_ready(name)
    first.close()
    second = start_serving(data_dir=data_dir, registry_address=unused_address())
    second.wait_ready(name, timeout=10)
    response = second.infer(name, np.zeros((1, 3), dtype=np.float32))
    assert response.model_version == str(version)
    ready = second.oip.ModelReady(oip.ModelReadyRequest(name=name))
    assert ready.ready


def test_follower_resumes_after_registry_restart(tmp_path_factory, stack: dict,
                                                 start_serving: Callable[..., Serving]) -> None:
    root = tmp_path_factory.mktemp("own-registry")
    settings = RegistrySettings(port=0, data_dir=str(root), staleness_follower=False,
                                policy_address=stack["policy"].address, featurestore_address=unused_address(),
                                log_level="warning", protected_aliases=())
    own = catalog.start("registry", settings)
    client = Registry(own.address)
    try:
        client.create_model("winback")
        v1 = client.register("winback", tiny_onnx())
        v2 = client.register("winback", tiny_onnx(flip=True))
        client.set_alias("winback", "production", v1)
        serving = start_serving(registry_address=own.address)
        serving.wait_ready("winback")
        port = own.port
        own.stop(0)
        client.close()
        own = catalog.start("registry", RegistrySettings(**{**settings.__dict__, "port": port}))
        client = Registry(own.address)
        client.set_alias("winback", "production", v2)
        for _ in range(400):
            if serving.infer("winback", np.zeros((1, 3), dtype=np.float32)).model_version == str(v2):
                break
            time.sleep(0.05)
        assert serving.infer("winback", np.zeros((1, 3), dtype=np.float32)).model_version == str(v2)
    finally:
        client.close()
        own.stop(0)
