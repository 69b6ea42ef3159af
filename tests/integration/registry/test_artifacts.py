"""Artifacts: chunked upload verified by size and sha256, ONNX validation, download, nothing half-stored."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.server import RunningServer
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import resources_pb2
from tests.integration.registry.registry_kit import (
    RegistryClient,
    big_onnx,
    big_signature,
    tiny_onnx,
    tiny_signature,
)


def _stored_files(tmp_path: Path) -> list[Path]:
    root = tmp_path / "data" / "artifacts"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _reason(error: grpc.RpcError) -> str:
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


def _state(registry: RegistryClient, model: str, version: int) -> tuple[int, int, int]:
    reply = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name=model, version=version))
    return reply.model_version.status, reply.model_version.update_time.ToNanoseconds(), reply.revision


def test_upload_download_round_trip_with_offset(registry: RegistryClient, tmp_path: Path) -> None:
    registry.create_model("m")
    data = tiny_onnx()
    ready = registry.register("m", data)
    assert ready.status == resources_pb2.MODEL_VERSION_STATUS_READY
    assert [p.name for p in _stored_files(tmp_path)] == [hashlib.sha256(data).hexdigest()]
    header, body = registry.download("m", version=1)
    assert body == data and header.sha256 == hashlib.sha256(data).hexdigest() and header.size_bytes == len(data)
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1))
    header, tail = registry.download("m", alias="staging", offset=100)
    assert tail == data[100:] and header.offset == 100 and header.version == 1
    with pytest.raises(grpc.RpcError) as caught:
        registry.download("m", version=1, offset=len(data) + 1)
    assert caught.value.code() == grpc.StatusCode.OUT_OF_RANGE
    # A second upload to a READY version is refused; an unknown version is NOT_FOUND.
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 1, data)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 7, data)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_damaged_uploads_leave_nothing_behind(registry: RegistryClient, tmp_path: Path) -> None:
    registry.create_model("m")
    data = tiny_onnx()
    registry.create_version("m", data)
    before = _state(registry, "m", 1)
    damaged = [
        (data[:-50], grpc.StatusCode.INVALID_ARGUMENT, "ARTIFACT_TRUNCATED"),
        (data[:10] + bytes([data[10] ^ 0xFF]) + data[11:], grpc.StatusCode.DATA_LOSS, "ARTIFACT_CHECKSUM_MISMATCH"),
        (data + b"x", grpc.StatusCode.DATA_LOSS, "ARTIFACT_SIZE_MISMATCH"),
    ]
    for sent, code, reason in damaged:
        with pytest.raises(grpc.RpcError) as caught:
            registry.upload("m", 1, data, send=sent)
        assert caught.value.code() == code and _reason(caught.value) == reason
        assert _state(registry, "m", 1) == before  # still PENDING, untouched, no event
        assert _stored_files(tmp_path) == []
    assert registry.upload("m", 1, data).status == resources_pb2.MODEL_VERSION_STATUS_READY  # a retry works


def test_not_onnx_or_wrong_signature_fails_the_version(registry: RegistryClient, tmp_path: Path) -> None:
    registry.create_model("m")
    junk = b"definitely not an onnx model" * 10
    registry.create_version("m", junk)
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 1, junk)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and _reason(caught.value) == "ARTIFACT_INVALID"
    assert "chunk: " in caught.value.details()  # the field the bytes came in
    failed = registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", version=1)).model_version
    assert failed.status == resources_pb2.MODEL_VERSION_STATUS_FAILED and "ONNX" in failed.status_message

    wrong = tiny_signature()
    wrong.inputs[0].shape[1] = 5
    registry.create_version("m", tiny_onnx(), signature=wrong)
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 2, tiny_onnx())
    assert _reason(caught.value) == "ARTIFACT_INVALID" and "signature.inputs[0].shape[1]" in caught.value.details()
    labels = tiny_signature()
    labels.class_labels[:] = ["no", "yes"]
    registry.create_version("m", tiny_onnx(1), signature=labels)
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 3, tiny_onnx(1))
    assert "class_labels" in caught.value.details()
    assert _stored_files(tmp_path) == []
    with pytest.raises(grpc.RpcError) as caught:
        registry.download("m", version=1)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_header_must_come_first_and_match_the_version(sqlite_registry: RegistryClient) -> None:
    sqlite_registry.create_model("m")
    data = tiny_onnx()
    sqlite_registry.create_version("m", data)
    with pytest.raises(grpc.RpcError) as caught:
        sqlite_registry.stub.UploadArtifact(iter([pb.UploadArtifactRequest(chunk=data)]), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "header" in caught.value.details()
    with pytest.raises(grpc.RpcError) as caught:
        sqlite_registry.upload("m", 1, data, sha256="0" * 64)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "header.sha256" in caught.value.details()


def test_fifty_megabytes_round_trip(start_registry: Callable[..., RunningServer], tmp_path: Path) -> None:
    client = RegistryClient(start_registry(f"sqlite:///{tmp_path / 'big.db'}").address)
    try:
        client.create_model("big")
        data = big_onnx(50 * 1024 * 1024)
        assert len(data) > 50 * 1024 * 1024
        created = client.create_version("big", data, signature=big_signature()).model_version
        assert client.upload("big", created.version, data).status == resources_pb2.MODEL_VERSION_STATUS_READY
        header, body = client.download("big", version=created.version)
        assert header.size_bytes == len(data) and hashlib.sha256(body).hexdigest() == header.sha256
        assert header.sha256 == hashlib.sha256(data).hexdigest()
    finally:
        client.close()


def test_s3_artifact_store(start_registry: Callable[..., RunningServer], tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    for variable, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                            ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(variable, value)
    s3_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    s3_server.start()
    try:
        host, port = s3_server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        bucket = boto3.client("s3", endpoint_url=endpoint)
        bucket.create_bucket(Bucket="models")
        client = RegistryClient(start_registry(f"sqlite:///{tmp_path / 's3.db'}", artifact_store="s3",
                                               s3_bucket="models", s3_endpoint_url=endpoint).address)
        try:
            client.create_model("m")
            data = tiny_onnx()
            client.create_version("m", data)
            with pytest.raises(grpc.RpcError) as caught:
                client.upload("m", 1, data, send=data[:-1] + b"!")
            assert caught.value.code() == grpc.StatusCode.DATA_LOSS
            assert bucket.list_objects_v2(Bucket="models").get("KeyCount", 0) == 0
            assert client.upload("m", 1, data).status == resources_pb2.MODEL_VERSION_STATUS_READY
            keys = [o["Key"] for o in bucket.list_objects_v2(Bucket="models")["Contents"]]
            assert keys == [f"registry/sha256/{hashlib.sha256(data).hexdigest()}"]
            assert client.download("m", version=1)[1] == data
        finally:
            client.close()
    finally:
        s3_server.stop()
