"""Helpers of the registry's integration tests: tiny ONNX models and a thin client."""

from __future__ import annotations

import functools
import hashlib
import socket
from collections.abc import Iterator

import grpc
import numpy as np

from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import registry_service_pb2_grpc, resources_pb2
from sextant.type.v1 import model_pb2, types_pb2

CHUNK = 1024 * 1024


@functools.cache
def tiny_onnx(seed: int = 0) -> bytes:
    """A LogisticRegression on three float features as ONNX (a few hundred bytes); seeds differ in bytes."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(seed)
    features = rng.rand(40, 3).astype(np.float32)
    labels = (features[:, 0] > 0.5).astype(int)
    model = LogisticRegression().fit(features, labels)
    onx = convert_sklearn(model, initial_types=[("features", FloatTensorType([None, 3]))],
                          options={id(model): {"zipmap": False}}, target_opset=15)
    return onx.SerializeToString()


def tiny_signature() -> types_pb2.ModelSignature:
    """The signature of :func:`tiny_onnx`."""
    return types_pb2.ModelSignature(
        inputs=[types_pb2.TensorSpec(name="features", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 3])],
        outputs=[types_pb2.TensorSpec(name="label", dtype=types_pb2.DATA_TYPE_INT64, shape=[-1]),
                 types_pb2.TensorSpec(name="probabilities", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 2])],
        class_labels=["0", "1"])


def big_onnx(size_bytes: int) -> bytes:
    """An Identity model over 4 floats carrying a random initializer, ``size_bytes`` large or a bit more."""
    import onnx
    from onnx import TensorProto, helper

    floats = size_bytes // 4
    padding = onnx.TensorProto(name="padding", data_type=TensorProto.FLOAT, dims=[floats],
                               raw_data=np.random.default_rng(7).integers(0, 2**20, floats, dtype=np.int32)
                               .astype(np.float32).tobytes())
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "big",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])], initializer=[padding])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    return model.SerializeToString()


def big_signature() -> types_pb2.ModelSignature:
    """The signature of :func:`big_onnx`."""
    return types_pb2.ModelSignature(
        inputs=[types_pb2.TensorSpec(name="x", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 4])],
        outputs=[types_pb2.TensorSpec(name="y", dtype=types_pb2.DATA_TYPE_FLOAT32, shape=[-1, 4])])


class RegistryClient:
    """A thin test client over the generated stub, with the few steps every test repeats."""

    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 8 * CHUNK)])
        self.stub = registry_service_pb2_grpc.RegistryServiceStub(self.channel)

    def create_model(self, name: str, **fields: object) -> resources_pb2.RegisteredModel:
        """Create a model owned by team `risk` in domain `credit`."""
        model = resources_pb2.RegisteredModel(name=name, owner_team="risk", domain="credit", **fields)
        return self.stub.CreateRegisteredModel(pb.CreateRegisteredModelRequest(model=model), timeout=10).model

    def create_version(self, model: str, data: bytes, signature: types_pb2.ModelSignature | None = None,
                       **fields: object) -> pb.CreateModelVersionResponse:
        """Create a PENDING version declaring ``data``'s sha256 and size."""
        version = resources_pb2.ModelVersion(
            format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
            signature=signature or tiny_signature(), artifact_sha256=hashlib.sha256(data).hexdigest(),
            artifact_size_bytes=len(data), **fields)
        return self.stub.CreateModelVersion(pb.CreateModelVersionRequest(model_name=model, model_version=version),
                                            timeout=10)

    def upload(self, model: str, version: int, data: bytes, *, sha256: str | None = None,
               size: int | None = None, send: bytes | None = None) -> resources_pb2.ModelVersion:
        """Stream ``send`` (default ``data``) under a header declaring ``data``'s digest and size."""
        header = pb.UploadArtifactHeader(model_name=model, version=version,
                                         sha256=sha256 or hashlib.sha256(data).hexdigest(),
                                         size_bytes=len(data) if size is None else size)
        body = data if send is None else send

        def messages() -> Iterator[pb.UploadArtifactRequest]:
            yield pb.UploadArtifactRequest(header=header)
            for start in range(0, len(body), CHUNK):
                yield pb.UploadArtifactRequest(chunk=body[start:start + CHUNK])

        return self.stub.UploadArtifact(messages(), timeout=120).model_version

    def register(self, model: str, data: bytes | None = None, **fields: object) -> resources_pb2.ModelVersion:
        """Create and upload a version; returns it READY."""
        data = data if data is not None else tiny_onnx()
        created = self.create_version(model, data, **fields).model_version
        return self.upload(model, created.version, data)

    def download(self, model: str, **selector: object) -> tuple[pb.ArtifactHeader, bytes]:
        """Header and bytes of a download."""
        header = None
        parts = []
        for message in self.stub.DownloadArtifact(pb.DownloadArtifactRequest(model_name=model, **selector),
                                                  timeout=120):
            if message.WhichOneof("content") == "header":
                header = message.header
            else:
                parts.append(message.chunk)
        return header, b"".join(parts)

    def close(self) -> None:
        """Close the channel."""
        self.channel.close()


def unused_address() -> str:
    """An address where nothing listens (for "dependency unreachable" cases)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{closed.getsockname()[1]}"
