"""Fixtures of the serving service's integration tests: the REAL policy and registry services, tiny
skl2onnx models registered through the registry's RPCs, and serving servers on port 0."""

from __future__ import annotations

import functools
import hashlib
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import numpy as np
import pytest

from inference import grpc_service_pb2 as oip
from inference import grpc_service_pb2_grpc as oip_grpc
from services import catalog
from services.common.server import RunningServer
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from services.serving.settings import ServingSettings
from sextant.registry.v1 import registry_service_pb2 as reg
from sextant.registry.v1 import registry_service_pb2_grpc, resources_pb2
from sextant.serving.v1 import serving_service_pb2_grpc
from sextant.type.v1 import model_pb2, types_pb2

N_FEATURES = 3


@functools.cache
def tiny_onnx(flip: bool = False) -> bytes:
    """A LogisticRegression on three float features as ONNX; ``flip`` learns the opposite labels."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(3)
    features = rng.rand(60, N_FEATURES).astype(np.float32)
    labels = (features[:, 0] > 0.5).astype(int)
    if flip:
        labels = 1 - labels
    model = LogisticRegression().fit(features, labels)
    onx = convert_sklearn(model, initial_types=[("features", FloatTensorType([None, N_FEATURES]))],
                          options={id(model): {"zipmap": False}}, target_opset=15)
    return onx.SerializeToString()


def tiny_signature() -> types_pb2.ModelSignature:
    """The signature of :func:`tiny_onnx`."""
    return types_pb2.ModelSignature(
        inputs=[types_pb2.TensorSpec(name="features", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, N_FEATURES])],
        outputs=[types_pb2.TensorSpec(name="label", dtype=types_pb2.DATA_TYPE_INT64, shape=[-1]),
                 types_pb2.TensorSpec(name="probabilities", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 2])],
        class_labels=["0", "1"])


def unused_address() -> str:
    """An address where nothing listens (a dependency that is down)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{closed.getsockname()[1]}"


class Registry:
    """A client of the real registry with the steps the tests repeat."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.channel = grpc.insecure_channel(address)
        self.stub = registry_service_pb2_grpc.RegistryServiceStub(self.channel)

    def create_model(self, name: str) -> None:
        """Create a registered model owned by team `ml` in domain `marketing`."""
        self.stub.CreateRegisteredModel(reg.CreateRegisteredModelRequest(model=resources_pb2.RegisteredModel(
            name=name, owner_team="ml", domain="marketing")), timeout=10)

    def register(self, name: str, data: bytes, tags: dict[str, str] | None = None) -> int:
        """Create a version of ``data``, upload it and return its number (READY)."""
        version = resources_pb2.ModelVersion(
            format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
            signature=tiny_signature(), artifact_sha256=hashlib.sha256(data).hexdigest(),
            artifact_size_bytes=len(data), tags=tags or {})
        created = self.stub.CreateModelVersion(reg.CreateModelVersionRequest(model_name=name, model_version=version),
                                               timeout=10).model_version
        if created.status == resources_pb2.MODEL_VERSION_STATUS_READY:
            return created.version
        header = reg.UploadArtifactHeader(model_name=name, version=created.version,
                                          sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
                                          wait_for_validation=True)
        messages = iter([reg.UploadArtifactRequest(header=header), reg.UploadArtifactRequest(chunk=data)])
        return self.stub.UploadArtifact(messages, timeout=30).model_version.version

    def set_alias(self, name: str, alias: str, version: int) -> None:
        """Point ``alias`` at ``version`` (policy-gated for `production`)."""
        self.stub.SetAlias(reg.SetAliasRequest(model_name=name, alias=alias, version=version, reason="test"),
                           timeout=10)

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()


class Serving:
    """Stubs of one serving server."""

    def __init__(self, running: RunningServer) -> None:
        self.running = running
        self.address = running.address
        self.channel = grpc.insecure_channel(self.address)
        self.sextant = serving_service_pb2_grpc.ServingServiceStub(self.channel)
        self.oip = oip_grpc.GRPCInferenceServiceStub(self.channel)

    def infer(self, model: str, rows: np.ndarray, **fields: object) -> oip.ModelInferResponse:
        """ModelInfer with raw FP32 contents."""
        request = oip.ModelInferRequest(model_name=model, **fields)
        request.inputs.add(name="features", datatype="FP32", shape=list(rows.shape))
        request.raw_input_contents.append(rows.astype(np.float32).tobytes())
        return self.oip.ModelInfer(request, timeout=10)

    def wait_ready(self, model: str, version: str = "", timeout: float = 30.0) -> None:
        """Poll until ``model`` answers (its first request starts the load)."""
        deadline = time.monotonic() + timeout
        rows = np.zeros((1, N_FEATURES), dtype=np.float32)
        while True:
            try:
                self.infer(model, rows, model_version=version)
                return
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def close(self) -> None:
        """Close the channel and stop the server."""
        self.channel.close()
        self.running.stop(0)


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The real policy service (no presets) and the real registry (feature-store follower off)."""
    root = tmp_path_factory.mktemp("stack")
    policy = catalog.start("policy", PolicySettings(port=0, data_dir=str(root / "policy"), reg_b_preset="off",
                                                    featurestore_address=unused_address(), log_level="warning"))
    registry = catalog.start("registry", RegistrySettings(
        port=0, data_dir=str(root / "registry"), staleness_follower=False, policy_address=policy.address,
        featurestore_address=unused_address(), log_level="warning"))
    client = Registry(registry.address)
    yield {"policy": policy, "registry": registry, "client": client, "root": root}
    client.close()
    registry.stop(0)
    policy.stop(0)


@pytest.fixture(scope="package")
def registry(stack: dict[str, object]) -> Registry:
    """The registry client."""
    return stack["client"]  # type: ignore[return-value]


@pytest.fixture(scope="module")
def start_serving(stack: dict[str, object], tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[Callable[..., Serving]]:
    """Starts serving servers wired to the stack; keyword arguments override settings."""
    started: list[Serving] = []

    def start(data_dir: Path | None = None, **overrides: object) -> Serving:
        values: dict[str, object] = {
            "port": 0, "data_dir": str(data_dir or tmp_path_factory.mktemp("serving")),
            "registry_address": stack["registry"].address, "policy_address": stack["policy"].address,
            "featurestore_address": unused_address(), "monitoring_address": unused_address(),
            "registry_retry_seconds": 0.1, "log_level": "warning", **overrides}
        serving = Serving(catalog.start("serving", ServingSettings(**values)))
        started.append(serving)
        return serving

    yield start
    for serving in started:
        serving.close()


@pytest.fixture(scope="module")
def serving(start_serving: Callable[..., Serving]) -> Serving:
    """One serving server shared by a test module."""
    return start_serving()
