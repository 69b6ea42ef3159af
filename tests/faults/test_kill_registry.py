"""kill -9 of the registry while versions are created and uploaded: after a restart on the same
SQLite file and artifact folder, every version whose upload was acknowledged (VALIDATING: stored and
verified, validation still to run) turns READY with intact bytes, and no version the registry shows
as READY lacks its artifact."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable

import grpc
import onnx

from sextant.registry.v1 import registry_service_pb2 as reg
from sextant.registry.v1 import registry_service_pb2_grpc, resources_pb2
from sextant.type.v1 import model_pb2
from tests.faults.processes import ServiceProcess, write_until_killed
from tests.integration.serving.conftest import tiny_onnx, tiny_signature, unused_address

MODEL = "killed"


@functools.cache
def _base_model() -> onnx.ModelProto:
    return onnx.load_from_string(tiny_onnx())


def artifact(i: int) -> bytes:
    """A distinct valid ONNX file per ``i`` (content-addressed versions would otherwise coincide)."""
    model = onnx.ModelProto()
    model.CopyFrom(_base_model())
    model.doc_string = f"artifact {i}"
    return model.SerializeToString()


def register(stub: registry_service_pb2_grpc.RegistryServiceStub, data: bytes, *,
             wait: bool = False) -> resources_pb2.ModelVersion:
    """CreateModelVersion then UploadArtifact; the version as acknowledged by the upload (VALIDATING, or
    READY with ``wait``)."""
    digest = hashlib.sha256(data).hexdigest()
    version = resources_pb2.ModelVersion(
        format=resources_pb2.MODEL_FORMAT_ONNX, task=model_pb2.MODEL_TASK_BINARY_CLASSIFICATION,
        signature=tiny_signature(), artifact_sha256=digest, artifact_size_bytes=len(data))
    created = stub.CreateModelVersion(reg.CreateModelVersionRequest(model_name=MODEL, model_version=version),
                                      timeout=10).model_version
    header = reg.UploadArtifactHeader(model_name=MODEL, version=created.version, sha256=digest, size_bytes=len(data),
                                      wait_for_validation=wait)
    half = len(data) // 2
    messages = iter([reg.UploadArtifactRequest(header=header), reg.UploadArtifactRequest(chunk=data[:half]),
                     reg.UploadArtifactRequest(chunk=data[half:])])
    return stub.UploadArtifact(messages, timeout=10).model_version


def settled(stub: registry_service_pb2_grpc.RegistryServiceStub, number: int,
            timeout: float = 60.0) -> resources_pb2.ModelVersion:
    """``number`` once it is no longer VALIDATING (the registry validates in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        found = stub.GetModelVersion(reg.GetModelVersionRequest(model_name=MODEL, version=number),
                                     timeout=10).model_version
        if found.status != resources_pb2.MODEL_VERSION_STATUS_VALIDATING or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def download(stub: registry_service_pb2_grpc.RegistryServiceStub, version: int) -> bytes:
    """The artifact bytes of ``version``."""
    chunks = stub.DownloadArtifact(reg.DownloadArtifactRequest(model_name=MODEL, version=version), timeout=10)
    return b"".join(c.chunk for c in chunks if c.WhichOneof("content") == "chunk")


def test_acknowledged_versions_survive_kill_9(spawn: Callable[..., ServiceProcess]) -> None:
    registry = spawn("registry", policy_address=unused_address(), featurestore_address=unused_address(),
                     staleness_follower=False)
    registry.start()
    acknowledged: dict[int, str] = {}
    with grpc.insecure_channel(registry.address) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        stub.CreateRegisteredModel(reg.CreateRegisteredModelRequest(model=resources_pb2.RegisteredModel(
            name=MODEL, owner_team="ml", domain="marketing")), timeout=10)

        def write(i: int) -> None:
            version = register(stub, artifact(i))  # acknowledged once stored: validation may not have run yet
            assert version.status in (resources_pb2.MODEL_VERSION_STATUS_VALIDATING,
                                      resources_pb2.MODEL_VERSION_STATUS_READY)
            acknowledged[version.version] = version.artifact_sha256

        write_until_killed(registry, write, acknowledged)

    registry.start()
    with grpc.insecure_channel(registry.address) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        for number, digest in acknowledged.items():
            found = settled(stub, number)  # a version left VALIDATING by the kill is validated after the restart
            assert found.status == resources_pb2.MODEL_VERSION_STATUS_READY, found.status_message
            assert found.artifact_sha256 == digest
            assert hashlib.sha256(download(stub, number)).hexdigest() == digest
        listed = stub.ListModelVersions(reg.ListModelVersionsRequest(model_name=MODEL, page_size=1000),
                                        timeout=10).model_versions
        assert set(acknowledged) <= {v.version for v in listed}
        for version in listed:
            if version.status == resources_pb2.MODEL_VERSION_STATUS_READY:
                assert hashlib.sha256(download(stub, version.version)).hexdigest() == version.artifact_sha256
        # The registry still takes writes after the crash.
        assert register(stub, artifact(10_000), wait=True).status == resources_pb2.MODEL_VERSION_STATUS_READY
