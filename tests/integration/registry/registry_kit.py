"""Helpers of the registry's integration tests: tiny ONNX models, lineage the real policy service
judges, and thin clients of the registry and of the real policy service and feature store."""

from __future__ import annotations

import functools
import hashlib
import socket
import threading
from collections.abc import Iterator

import grpc
import numpy as np
import pytest

from services.common.server import RunningServer
from services.registry import validation
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc
from sextant.featurestore.v1 import resources_pb2 as fs_resources_pb2
from sextant.policy.v1 import policy_service_pb2, policy_service_pb2_grpc
from sextant.policy.v1 import resources_pb2 as policy_resources_pb2
from sextant.registry.v1 import events_pb2, registry_service_pb2_grpc, resources_pb2
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.type.v1 import model_pb2, types_pb2

CHUNK = 1024 * 1024


@functools.cache
def tiny_onnx(seed: int = 0) -> bytes:
    """A logistic classifier on three float features as ONNX (ai.onnx.ml LinearClassifier, classes 0 and 1,
    a few hundred bytes); seeds differ in weights, hence in bytes. Built with onnx.helper directly so the
    suite does not import scikit-learn and skl2onnx (seconds on a loaded machine)."""
    from onnx import TensorProto, helper

    rng = np.random.RandomState(seed)
    weights = [float(w) for w in rng.randn(3)]
    node = helper.make_node("LinearClassifier", ["features"], ["label", "probabilities"], domain="ai.onnx.ml",
                            coefficients=[-w for w in weights] + weights, intercepts=[0.0, float(rng.randn())],
                            classlabels_ints=[0, 1], post_transform="SOFTMAX")
    graph = helper.make_graph(
        [node], "tiny", [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 1)])
    model.ir_version = 8
    return model.SerializeToString()


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


def fairness(ratio: float) -> types_pb2.FairnessResult:
    """A holdout fairness result on `sex`: selection rate 0.5 for `male`, 0.5 × ``ratio`` for `female`."""
    return types_pb2.FairnessResult(
        attribute="sex", dataset="holdout", reference_group="male", adverse_impact_ratio=ratio,
        groups=[types_pb2.GroupOutcome(group="male", count=400, selection_rate=0.5, true_positive_rate=0.8),
                types_pb2.GroupOutcome(group="female", count=350, selection_rate=0.5 * ratio,
                                       true_positive_rate=0.78)])


def promotable_lineage(*, ratio: float = 0.9, parity: bool = True, **fields: object) -> resources_pb2.Lineage:
    """Lineage the `reg-b` preset judges: a fairness result at ``ratio`` (the preset denies below 0.8)
    and, with ``parity``, a passed ONNX parity report (the preset denies production without one)."""
    lineage = resources_pb2.Lineage(fairness_results=[fairness(ratio)], **{"training_job_id": "job", **fields})
    if parity:
        lineage.parity_report.CopyFrom(types_pb2.ParityReport(passed=True, rows_checked=500, target_opset=15))
    return lineage


class PolicyService:
    """The real policy service started for a test, with a stub to create policies and read decisions."""

    def __init__(self, running: RunningServer) -> None:
        self.running = running
        self.channel = grpc.insecure_channel(running.address)
        self.stub = policy_service_pb2_grpc.PolicyServiceStub(self.channel)
        self.stopped = False

    @property
    def address(self) -> str:
        """Where the policy service listens."""
        return self.running.address

    def create_policy(self, name: str, source: str) -> policy_resources_pb2.Policy:
        """Store a YAML policy (in force at once: the service drops its cache on its own changes)."""
        policy = policy_resources_pb2.Policy(name=name, format=policy_resources_pb2.POLICY_FORMAT_YAML, source=source)
        return self.stub.CreatePolicy(policy_service_pb2.CreatePolicyRequest(policy=policy), timeout=10).policy

    def decision(self, decision_id: str) -> object:
        """The stored decision (a `sextant.policy.v1.Decision`)."""
        return self.stub.GetDecision(policy_service_pb2.GetDecisionRequest(decision_id=decision_id),
                                     timeout=10).decision

    def decisions_about(self, model: str) -> int:
        """How many promotion decisions the policy service logged about ``model`` (first page of 100)."""
        return len(self.stub.ListDecisions(policy_service_pb2.ListDecisionsRequest(model_name=model, page_size=100),
                                           timeout=10).decisions)

    def stop(self) -> None:
        """Close the channel and stop the server (once; a test may stop it early)."""
        if self.stopped:
            return
        self.stopped = True
        self.channel.close()
        self.running.stop(0)


class FeatureStore:
    """The real feature store started for a test, with one entity and views applied on request."""

    def __init__(self, running: RunningServer) -> None:
        self.running = running
        self.channel = grpc.insecure_channel(running.address)
        self.stub = featurestore_service_pb2_grpc.FeatureStoreServiceStub(self.channel)

    @property
    def address(self) -> str:
        """Where the feature store listens."""
        return self.running.address

    def apply_view(self, name: str, revision_tag: str) -> tuple[fs_resources_pb2.FeatureView, int]:
        """Apply batch view ``name`` (feature `income` of entity `customer`) tagged ``rev=revision_tag``;
        a new tag makes a new view version. Returns the view as stored and the store's revision."""
        request = fs_pb2.ApplyDefinitionsRequest(
            entities=[fs_resources_pb2.Entity(name="customer", owner_team="risk", join_keys=[
                fs_resources_pb2.JoinKey(name="customer_id", dtype=types_pb2.DATA_TYPE_INT64)])],
            feature_views=[fs_resources_pb2.FeatureView(
                name=name, entities=["customer"], owner_team="risk", tags={"rev": revision_tag},
                source_kind=fs_resources_pb2.SOURCE_KIND_BATCH,
                features=[fs_resources_pb2.Feature(name="income", dtype=types_pb2.DATA_TYPE_FLOAT64)])])
        reply = self.stub.ApplyDefinitions(request, timeout=30)
        (stored,) = [v for v in reply.feature_views if v.name == name]
        return stored, reply.revision

    def stop(self) -> None:
        """Close the channel and stop the server."""
        self.channel.close()
        self.running.stop(0)


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
               size: int | None = None, send: bytes | None = None, wait: bool = True,
               timeout: float = 120) -> resources_pb2.ModelVersion:
        """Stream ``send`` (default ``data``) under a header declaring ``data``'s digest and size; with
        ``wait`` (the default here: most tests need the version READY) the call answers after validation."""
        header = pb.UploadArtifactHeader(model_name=model, version=version,
                                         sha256=sha256 or hashlib.sha256(data).hexdigest(),
                                         size_bytes=len(data) if size is None else size, wait_for_validation=wait)
        body = data if send is None else send

        def messages() -> Iterator[pb.UploadArtifactRequest]:
            yield pb.UploadArtifactRequest(header=header)
            for start in range(0, len(body), CHUNK):
                yield pb.UploadArtifactRequest(chunk=body[start:start + CHUNK])

        return self.stub.UploadArtifact(messages(), timeout=timeout).model_version

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


def read_events(client: RegistryClient, after: int, count: int,
                **filters: object) -> list[events_pb2.RegistryEvent]:
    """The next ``count`` registry events after revision ``after`` (the stream is then cancelled)."""
    call = client.stub.WatchRegistryEvents(pb.WatchRegistryEventsRequest(after_revision=after, **filters), timeout=20)
    events = []
    try:
        for reply in call:
            events.append(reply.event)
            if len(events) == count:
                break
    finally:
        call.cancel()
    return events


def unused_address() -> str:
    """An address where nothing listens (for "dependency unreachable" cases)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{closed.getsockname()[1]}"


def hold_validation(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold the registry's background validator (of the servers in this process) until the event is set."""
    release = threading.Event()
    real = validation.check_onnx

    def held(data: object, signature: object) -> object:
        release.wait(30)
        return real(data, signature)

    monkeypatch.setattr(validation, "check_onnx", held)
    return release
