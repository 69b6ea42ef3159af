"""Background validation: an upload answers VALIDATING once the artifact is stored and verified, the
registry's validator then loads it in onnxruntime and turns it READY or FAILED (with its events);
structural problems are still refused synchronously; ``wait_for_validation`` answers with the verdict;
a restart validates what was left VALIDATING; a VALIDATING version cannot be aliased or downloaded."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.server import RunningServer
from services.registry import validation
from sextant.registry.v1 import events_pb2, resources_pb2
from sextant.registry.v1 import registry_service_pb2 as pb
from tests.integration.registry.registry_kit import (
    RegistryClient,
    hold_validation,
    read_events,
    tiny_onnx,
    tiny_signature,
)

S = resources_pb2
K = events_pb2


def _stored_files(tmp_path: Path) -> list[Path]:
    root = tmp_path / "data" / "artifacts" / "sha256"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError("no ErrorInfo")


def _version(registry: RegistryClient, model: str, number: int) -> resources_pb2.ModelVersion:
    return registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name=model, version=number),
                                         timeout=10).model_version


def _settled(registry: RegistryClient, model: str, number: int, timeout: float = 30.0) -> resources_pb2.ModelVersion:
    deadline = time.monotonic() + timeout
    while True:
        version = _version(registry, model, number)
        if version.status != S.MODEL_VERSION_STATUS_VALIDATING or time.monotonic() > deadline:
            return version
        time.sleep(0.05)


def _version_events(registry: RegistryClient, model: str, count: int) -> list[events_pb2.RegistryEvent]:
    return read_events(registry, 0, count, model_names=[model], kinds=[
        K.REGISTRY_EVENT_KIND_VERSION_VALIDATING, K.REGISTRY_EVENT_KIND_VERSION_READY,
        K.REGISTRY_EVENT_KIND_VERSION_FAILED])


def _unloadable_onnx() -> bytes:
    """A well-formed ONNX model with the tiny signature whose node is an operator that does not exist:
    it passes the structural check, onnxruntime refuses to load it."""
    from onnx import TensorProto, helper

    node = helper.make_node("NoSuchOperator", ["features"], ["label", "probabilities"])
    graph = helper.make_graph(
        [node], "unloadable", [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    return model.SerializeToString()


@pytest.fixture
def held_validation(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds the background validator (in this process) until the event is set; set at the end anyway."""
    release = hold_validation(monkeypatch)
    yield release
    release.set()


def test_upload_answers_validating_then_turns_ready(registry: RegistryClient, tmp_path: Path,
                                                    held_validation: threading.Event) -> None:
    registry.create_model("m")
    data = tiny_onnx()
    registry.create_version("m", data)
    answered = registry.upload("m", 1, data, wait=False)
    assert answered.status == S.MODEL_VERSION_STATUS_VALIDATING
    assert [p.name for p in _stored_files(tmp_path)] == [hashlib.sha256(data).hexdigest()]  # durable already
    assert _version(registry, "m", 1).status == S.MODEL_VERSION_STATUS_VALIDATING
    # VALIDATING is a status filters accept, and identical bytes still return the existing version.
    listed = registry.stub.ListModelVersions(pb.ListModelVersionsRequest(
        model_name="m", statuses=[S.MODEL_VERSION_STATUS_VALIDATING]), timeout=10).model_versions
    assert [v.version for v in listed] == [1]
    again = registry.create_version("m", data)
    assert again.already_exists and again.model_version.version == 1
    held_validation.set()
    ready = _settled(registry, "m", 1)
    assert ready.status == S.MODEL_VERSION_STATUS_READY and ready.HasField("ready_time")
    events = _version_events(registry, "m", 2)
    assert [e.kind for e in events] == [K.REGISTRY_EVENT_KIND_VERSION_VALIDATING, K.REGISTRY_EVENT_KIND_VERSION_READY]
    assert events[0].version_validating.model_version.status == S.MODEL_VERSION_STATUS_VALIDATING
    assert events[1].version_ready.model_version.status == S.MODEL_VERSION_STATUS_READY
    assert registry.download("m", version=1)[1] == data


def test_a_model_onnxruntime_refuses_turns_failed_and_its_bytes_go(registry: RegistryClient,
                                                                   tmp_path: Path) -> None:
    registry.create_model("m")
    data = _unloadable_onnx()
    registry.create_version("m", data)
    answered = registry.upload("m", 1, data, wait=False)
    assert answered.status == S.MODEL_VERSION_STATUS_VALIDATING
    failed = _settled(registry, "m", 1)
    assert failed.status == S.MODEL_VERSION_STATUS_FAILED
    assert "not a loadable ONNX model" in failed.status_message and "NoSuchOperator" in failed.status_message
    events = _version_events(registry, "m", 2)
    assert [e.kind for e in events] == [K.REGISTRY_EVENT_KIND_VERSION_VALIDATING, K.REGISTRY_EVENT_KIND_VERSION_FAILED]
    assert events[1].version_failed.model_version.status_message == failed.status_message
    deadline = time.monotonic() + 10
    while _stored_files(tmp_path) and time.monotonic() < deadline:  # removed just after the status commits
        time.sleep(0.05)
    assert _stored_files(tmp_path) == []


def test_wait_for_validation_answers_with_the_verdict(registry: RegistryClient, tmp_path: Path) -> None:
    registry.create_model("m")
    data = tiny_onnx()
    registry.create_version("m", data)
    assert registry.upload("m", 1, data, wait=True).status == S.MODEL_VERSION_STATUS_READY
    bad = _unloadable_onnx()
    registry.create_version("m", bad)
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 2, bad, wait=True)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = _info(caught.value)
    assert info.reason == "ARTIFACT_INVALID" and info.metadata["signature_path"] == "artifact"
    assert "chunk: " in caught.value.details() and "NoSuchOperator" in caught.value.details()
    assert _version(registry, "m", 2).status == S.MODEL_VERSION_STATUS_FAILED
    assert [p.name for p in _stored_files(tmp_path)] == [hashlib.sha256(data).hexdigest()]


def test_structural_problems_are_refused_before_anything_is_stored(registry: RegistryClient,
                                                                   tmp_path: Path) -> None:
    registry.create_model("m")
    junk = b"definitely not an onnx model" * 10
    registry.create_version("m", junk)
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 1, junk, wait=False)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _info(caught.value).reason == "ARTIFACT_INVALID" and _info(caught.value).metadata["signature_path"] == "artifact"
    assert _version(registry, "m", 1).status == S.MODEL_VERSION_STATUS_FAILED
    wrong = tiny_signature()
    wrong.outputs[1].dtype = wrong.inputs[0].dtype + 1  # FLOAT32 -> the next type
    registry.create_version("m", tiny_onnx(), signature=wrong)
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 2, tiny_onnx(), wait=False)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _info(caught.value).metadata["signature_path"] == "signature.outputs[1].dtype"
    assert _version(registry, "m", 2).status == S.MODEL_VERSION_STATUS_FAILED
    assert _stored_files(tmp_path) == []


def test_a_validating_version_cannot_be_aliased_or_downloaded(registry: RegistryClient,
                                                              held_validation: threading.Event) -> None:
    registry.create_model("m")
    data = tiny_onnx()
    registry.create_version("m", data)
    registry.upload("m", 1, data, wait=False)
    with pytest.raises(grpc.RpcError) as caught:
        registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1), timeout=10)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _info(caught.value).metadata["status"] == "VALIDATING"
    with pytest.raises(grpc.RpcError) as caught:
        registry.download("m", version=1)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as caught:  # `latest` means the highest READY version
        registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_name="m", latest=True), timeout=10)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    # A wait bounded by a deadline that comes first says so, and the version stays VALIDATING.
    registry.create_version("m", tiny_onnx(1))
    with pytest.raises(grpc.RpcError) as caught:
        registry.upload("m", 2, tiny_onnx(1), wait=True, timeout=2)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert _version(registry, "m", 2).status == S.MODEL_VERSION_STATUS_VALIDATING
    held_validation.set()
    assert _settled(registry, "m", 1).status == S.MODEL_VERSION_STATUS_READY
    assert _settled(registry, "m", 2).status == S.MODEL_VERSION_STATUS_READY
    registry.stub.SetAlias(pb.SetAliasRequest(model_name="m", alias="staging", version=1), timeout=10)


def _left_validating(start_registry: Callable[..., RunningServer], database_url: str,
                     monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A registry that stopped with version m/1 uploaded but still VALIDATING; returns its bytes."""
    def unreachable(_data: object, _signature: object) -> object:
        raise OSError("the artifact store is unreachable")  # the validator keeps the version and retries

    monkeypatch.setattr(validation, "check_onnx", unreachable)
    first = start_registry(database_url)
    client = RegistryClient(first.address)
    try:
        client.create_model("m")
        data = tiny_onnx()
        client.create_version("m", data)
        assert client.upload("m", 1, data, wait=False).status == S.MODEL_VERSION_STATUS_VALIDATING
        time.sleep(0.3)
        assert _version(client, "m", 1).status == S.MODEL_VERSION_STATUS_VALIDATING
    finally:
        client.close()
    first.stop(0)
    monkeypatch.undo()
    return data


def test_a_restart_validates_what_was_left_validating(start_registry: Callable[..., RunningServer],
                                                     database_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = _left_validating(start_registry, database_url, monkeypatch)
    second = start_registry(database_url)
    client = RegistryClient(second.address)
    try:
        assert _settled(client, "m", 1).status == S.MODEL_VERSION_STATUS_READY
        assert client.download("m", version=1)[1] == data
    finally:
        client.close()


def test_a_version_whose_load_kept_killing_the_registry_is_failed_not_retried(
        start_registry: Callable[..., RunningServer], database_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _left_validating(start_registry, database_url, monkeypatch)
    # As the marker stands after MAX_ATTEMPTS loads the process died in (written before each load).
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        model_id = connection.execute(sa.text("SELECT id FROM registered_models WHERE name = 'm'")).scalar_one()
    engine.dispose()
    attempts = tmp_path / "data" / "validation-attempts"
    attempts.mkdir(parents=True, exist_ok=True)
    (attempts / f"{model_id}-1").write_text(str(validation.MAX_ATTEMPTS))
    second = start_registry(database_url)
    client = RegistryClient(second.address)
    try:
        failed = _settled(client, "m", 1)
        assert failed.status == S.MODEL_VERSION_STATUS_FAILED
        assert f"stopped the registry {validation.MAX_ATTEMPTS} times" in failed.status_message
        assert not list(attempts.iterdir())
    finally:
        client.close()


def test_failed_bytes_stay_while_another_version_uses_them(registry: RegistryClient, tmp_path: Path) -> None:
    data = tiny_onnx()
    registry.create_model("a")
    registry.create_model("b")
    assert registry.register("a", data).status == S.MODEL_VERSION_STATUS_READY
    # Same bytes, but class labels the model does not carry: only the onnxruntime validation sees it.
    labels = tiny_signature()
    labels.class_labels[:] = ["no", "yes"]
    registry.create_version("b", data, signature=labels)
    assert registry.upload("b", 1, data, wait=False).status == S.MODEL_VERSION_STATUS_VALIDATING
    failed = _settled(registry, "b", 1)
    assert failed.status == S.MODEL_VERSION_STATUS_FAILED and "class_labels" in failed.status_message
    assert [p.name for p in _stored_files(tmp_path)] == [hashlib.sha256(data).hexdigest()]
    assert registry.download("a", version=1)[1] == data


def test_two_replicas_finish_a_version_once(start_registry: Callable[..., RunningServer], database_url: str,
                                            held_validation: threading.Event) -> None:
    first = RegistryClient(start_registry(database_url).address)
    try:
        first.create_model("m")
        data = tiny_onnx()
        first.create_version("m", data)
        assert first.upload("m", 1, data, wait=False).status == S.MODEL_VERSION_STATUS_VALIDATING
        # A second replica on the same database queues the VALIDATING version at its start too.
        second = RegistryClient(start_registry(database_url).address)
        try:
            held_validation.set()
            assert _settled(second, "m", 1).status == S.MODEL_VERSION_STATUS_READY
            time.sleep(0.5)  # both workers have had their turn
            second.create_model("end")  # a marker: a second verdict would come before it
            assert [e.kind for e in read_events(second, 0, 5)] == [
                K.REGISTRY_EVENT_KIND_MODEL_CREATED, K.REGISTRY_EVENT_KIND_VERSION_CREATED,
                K.REGISTRY_EVENT_KIND_VERSION_VALIDATING, K.REGISTRY_EVENT_KIND_VERSION_READY,
                K.REGISTRY_EVENT_KIND_MODEL_CREATED]
        finally:
            second.close()
    finally:
        first.close()
