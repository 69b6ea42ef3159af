"""The registry client: models, versions, artifact upload/download and alias promotion."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import grpc

from sextant import errors
from sextant.client._base import ServiceClient
from sextant.client.definitions import enum_value
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import registry_service_pb2_grpc as pb_grpc
from sextant.registry.v1 import resources_pb2
from sextant.type.v1 import model_pb2, types_pb2

#: The registry accepts artifact chunks of at most 1 MiB.
ARTIFACT_CHUNK_BYTES = 1024 * 1024

_ONNX_TYPES = {1: types_pb2.DATA_TYPE_FLOAT32, 11: types_pb2.DATA_TYPE_FLOAT64, 6: types_pb2.DATA_TYPE_INT32,
               7: types_pb2.DATA_TYPE_INT64, 8: types_pb2.DATA_TYPE_STRING, 9: types_pb2.DATA_TYPE_BOOL}


def onnx_signature(artifact: bytes) -> types_pb2.ModelSignature:
    """The signature of an ONNX model read from its graph's inputs and outputs (unknown dimensions as -1)."""
    import onnx  # only needed when the caller did not give a signature

    graph = onnx.load_from_string(artifact).graph

    def spec(value: Any) -> types_pb2.TensorSpec:
        tensor = value.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else -1 for d in tensor.shape.dim]
        return types_pb2.TensorSpec(name=value.name, dtype=_ONNX_TYPES.get(tensor.elem_type, 0), shape=shape)

    return types_pb2.ModelSignature(inputs=[spec(v) for v in graph.input], outputs=[spec(v) for v in graph.output])


def _artifact_bytes(artifact: bytes | str | os.PathLike) -> bytes:
    return artifact if isinstance(artifact, bytes) else Path(artifact).read_bytes()


class RegistryClient(ServiceClient):
    """Client of ``sextant.registry.v1.RegistryService``."""

    SERVICE = "registry"
    STUB = pb_grpc.RegistryServiceStub
    DESCRIPTOR = pb.DESCRIPTOR.services_by_name["RegistryService"]

    def create_model(self, name: str, *, owner_team: str = "", domain: str = "", description: str = "",
                     tags: Mapping[str, str] | None = None,
                     timeout: float | None = None) -> resources_pb2.RegisteredModel:
        """Register a model name."""
        model = resources_pb2.RegisteredModel(name=name, owner_team=owner_team, domain=domain,
                                              description=description, tags=dict(tags or {}))
        return self._call("CreateRegisteredModel", pb.CreateRegisteredModelRequest(model=model), timeout).model

    def get_model(self, name: str, *, timeout: float | None = None) -> resources_pb2.RegisteredModel:
        """One registered model with its aliases and latest version."""
        return self._call("GetRegisteredModel", pb.GetRegisteredModelRequest(name=name), timeout).model

    def iter_models(self, *, owner_team: str = "", domain: str = "", name_prefix: str = "", page_size: int = 0,
                    timeout: float | None = None) -> Iterator[resources_pb2.RegisteredModel]:
        """Every registered model matching the filters, page after page."""
        request = pb.ListRegisteredModelsRequest(owner_team=owner_team, domain=domain, name_prefix=name_prefix,
                                                 page_size=page_size)
        return self._pages("ListRegisteredModels", request, "models", timeout)

    def get_version(self, model_name: str, version: int = 0, *, alias: str = "",
                    timeout: float | None = None) -> resources_pb2.ModelVersion:
        """A version by number, by ``alias``, or the latest READY version when neither is given."""
        request = pb.GetModelVersionRequest(model_name=model_name, view=resources_pb2.MODEL_VERSION_VIEW_FULL)
        if version:
            request.version = version
        elif alias:
            request.alias = alias
        else:
            request.latest = True
        return self._call("GetModelVersion", request, timeout).model_version

    def iter_versions(self, model_name: str = "", *, statuses: Sequence[int] = (), alias: str = "",
                      page_size: int = 0, order_by: str = "",
                      timeout: float | None = None) -> Iterator[resources_pb2.ModelVersion]:
        """The versions of one model (or of all), page after page."""
        request = pb.ListModelVersionsRequest(model_name=model_name, statuses=list(statuses), alias=alias,
                                              page_size=page_size, order_by=order_by)
        return self._pages("ListModelVersions", request, "model_versions", timeout)

    def upload_model(self, model_name: str, artifact: bytes | str | os.PathLike, *,
                     signature: types_pb2.ModelSignature | None = None, task: str | int = "binary_classification",
                     metrics: Mapping[str, float] | None = None, params: Mapping[str, str] | None = None,
                     tags: Mapping[str, str] | None = None, description: str = "",
                     timeout: float | None = None, wait: bool = True) -> resources_pb2.ModelVersion:
        """Create a version of an ONNX model (bytes or a file path) and stream its artifact in 1 MiB
        chunks with its sha256. With ``wait`` (the default) the registry answers after its onnxruntime
        validation and this returns the READY version (or raises InvalidArgument, the version FAILED);
        without, it returns as soon as the artifact is stored and verified, the version VALIDATING
        (poll :meth:`get_version` until it turns READY or FAILED). An identical artifact already
        registered returns that version. Without ``signature`` it is read from the ONNX graph."""
        data = _artifact_bytes(artifact)
        digest = hashlib.sha256(data).hexdigest()
        version = resources_pb2.ModelVersion(
            format=resources_pb2.MODEL_FORMAT_ONNX, task=enum_value(model_pb2.ModelTask, "MODEL_TASK_", task, "task"),
            signature=signature if signature is not None else onnx_signature(data), artifact_sha256=digest,
            artifact_size_bytes=len(data), metrics=dict(metrics or {}), params=dict(params or {}),
            tags=dict(tags or {}), description=description)
        created = self._call("CreateModelVersion", pb.CreateModelVersionRequest(
            model_name=model_name, model_version=version), timeout).model_version
        if created.status == resources_pb2.MODEL_VERSION_STATUS_VALIDATING and wait:
            # The same bytes were uploaded before and are still being validated: wait for the verdict.
            return self._settled(model_name, created.version, self._bulk(timeout))
        if created.status != resources_pb2.MODEL_VERSION_STATUS_PENDING:
            return created
        header = pb.UploadArtifactHeader(model_name=model_name, version=created.version, sha256=digest,
                                         size_bytes=len(data), wait_for_validation=wait)

        def messages() -> Iterator[pb.UploadArtifactRequest]:
            yield pb.UploadArtifactRequest(header=header)
            for start in range(0, len(data), ARTIFACT_CHUNK_BYTES):
                yield pb.UploadArtifactRequest(chunk=data[start:start + ARTIFACT_CHUNK_BYTES])

        return self._call("UploadArtifact", messages(), self._bulk(timeout)).model_version

    def _settled(self, model_name: str, number: int, timeout: float | None) -> resources_pb2.ModelVersion:
        """Poll a VALIDATING version until it is READY (returned) or FAILED (InvalidArgument), within ``timeout``."""
        deadline = time.monotonic() + (timeout or 300.0)
        while True:
            current = self.get_version(model_name, number)
            if current.status == resources_pb2.MODEL_VERSION_STATUS_FAILED:
                raise errors.InvalidArgumentError(grpc.StatusCode.INVALID_ARGUMENT, current.status_message,
                                                  reason="ARTIFACT_INVALID")
            if current.status != resources_pb2.MODEL_VERSION_STATUS_VALIDATING:
                return current
            if time.monotonic() >= deadline:
                raise errors.UnavailableError(grpc.StatusCode.DEADLINE_EXCEEDED,
                                              f"version {number} of {model_name!r} is still VALIDATING",
                                              reason="VALIDATION_PENDING")
            time.sleep(0.2)

    def download_model(self, model_name: str, version: int = 0, *, alias: str = "",
                       timeout: float | None = None) -> bytes:
        """A READY version's artifact bytes (by number or alias), checked against its sha256."""
        request = pb.DownloadArtifactRequest(model_name=model_name)
        if alias and not version:
            request.alias = alias
        else:
            request.version = version or self.get_version(model_name, timeout=timeout).version
        header, parts = None, []
        for message in self._stream("DownloadArtifact", request, self._bulk(timeout)):
            if message.WhichOneof("content") == "header":
                header = message.header
            else:
                parts.append(message.chunk)
        data = b"".join(parts)
        if header is not None and hashlib.sha256(data).hexdigest() != header.sha256:
            raise errors.DataLossError(grpc.StatusCode.DATA_LOSS, "the downloaded artifact does not match its sha256",
                                reason="ARTIFACT_CHECKSUM_MISMATCH")
        return data

    def promote(self, model_name: str, alias: str, version: int, *, expected_version: int = 0, reason: str = "",
                timeout: float | None = None) -> pb.SetAliasResponse:
        """Point ``alias`` at ``version`` (creating it if needed), compare-and-set on
        ``expected_version`` when given (ConflictError if another change won). Protected aliases
        (``production``) pass the policy service first: a denial raises FailedPreconditionError with
        one precondition violation per broken rule."""
        request = pb.SetAliasRequest(model_name=model_name, alias=alias, version=version,
                                     expected_version=expected_version, reason=reason)
        return self._call("SetAlias", request, timeout)

    def rollback(self, model_name: str, alias: str, *, reason: str = "",
                 timeout: float | None = None) -> pb.MoveAliasResponse:
        """Move ``alias`` back to the version it held before its last change."""
        request = pb.MoveAliasRequest(model_name=model_name, alias=alias, to_previous=True, reason=reason)
        return self._call("MoveAlias", request, timeout)

    def get_alias(self, model_name: str, alias: str, *, timeout: float | None = None) -> resources_pb2.Alias:
        """One alias and the version it points at."""
        return self._call("GetAlias", pb.GetAliasRequest(model_name=model_name, alias=alias), timeout).alias

    def iter_alias_history(self, model_name: str, *, alias: str = "", page_size: int = 0,
                           timeout: float | None = None) -> Iterator[resources_pb2.AliasHistoryEntry]:
        """The alias changes of a model, newest first, page after page."""
        request = pb.ListAliasHistoryRequest(model_name=model_name, alias=alias, page_size=page_size)
        return self._pages("ListAliasHistory", request, "entries", timeout)
