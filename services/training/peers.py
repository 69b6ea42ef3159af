"""The training service's calls to the feature store, the policy service and the registry.

Each method is one conversation with a peer, in protobuf, so the job runner reads as its state
machine. Unreachable peers surface as :class:`~services.common.errors.Unavailable`.
"""

from __future__ import annotations

import grpc
import pyarrow as pa
from google.protobuf import field_mask_pb2

from services.common.dependencies import Dependency
from services.common.errors import InvalidArgument, NotFound, SextantError, Unavailable
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import featurestore_service_pb2_grpc as fs_grpc
from sextant.policy.v1 import decisions_pb2
from sextant.policy.v1 import policy_service_pb2 as policy_pb2
from sextant.policy.v1 import policy_service_pb2_grpc as policy_grpc
from sextant.registry.v1 import registry_service_pb2 as registry_pb2
from sextant.registry.v1 import registry_service_pb2_grpc as registry_grpc
from sextant.registry.v1 import resources_pb2 as registry_resources
from sextant.type.v1 import features_pb2, types_pb2

CHUNK_BYTES = 1024 * 1024


class PeerCallFailed(SextantError):
    """A peer answered a call with an error; ``code`` is its gRPC status code name."""


def _rpc_error(dependency: str, method: str, error: grpc.RpcError) -> SextantError:
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return Unavailable(f"the {dependency} service is unavailable ({method}): {details}",
                           reason=f"{dependency.upper()}_UNAVAILABLE", metadata={"dependency": dependency})
    failure = PeerCallFailed(f"{dependency} {method} failed with {code.name}: {details}",
                             reason=f"{dependency.upper()}_{code.name}", metadata={"dependency": dependency})
    failure.grpc_code = code
    return failure


class Peers:
    """Clients of the three services a job talks to."""

    def __init__(self, featurestore_address: str, policy_address: str, registry_address: str, *,
                 timeout: float) -> None:
        self.featurestore = Dependency("featurestore", featurestore_address, fs_grpc.FeatureStoreServiceStub,
                                       fs_pb2.DESCRIPTOR.services_by_name["FeatureStoreService"], timeout=timeout)
        self.policy = Dependency("policy", policy_address, policy_grpc.PolicyServiceStub,
                                 policy_pb2.DESCRIPTOR.services_by_name["PolicyService"], timeout=timeout)
        self.registry = Dependency("registry", registry_address, registry_grpc.RegistryServiceStub,
                                   registry_pb2.DESCRIPTOR.services_by_name["RegistryService"], timeout=timeout)
        self._timeout = timeout

    def _call(self, dependency: Dependency, method: str, request: object, timeout: float | None = None) -> object:
        try:
            return dependency.call(method, request, timeout=timeout)
        except grpc.RpcError as error:
            raise _rpc_error(dependency.name, method, error) from None

    def resolve_features(self, selection: features_pb2.FeatureSelection) -> fs_pb2.ResolveFeaturesResponse:
        """The selection resolved to view versions; unknown references listed in ``missing``."""
        return self._call(self.featurestore, "ResolveFeatures",
                          fs_pb2.ResolveFeaturesRequest(features=selection, allow_missing=True))

    def evaluate_training(self, request: policy_pb2.EvaluateTrainingRequest) -> decisions_pb2.Decision:
        """The policy decision on a job about to fetch data."""
        return self._call(self.policy, "EvaluateTraining", request).decision

    def historical_features(self, request: fs_pb2.GetHistoricalFeaturesRequest, timeout: float
                            ) -> tuple[fs_pb2.HistoricalFeaturesHeader, pa.Table]:
        """The point-in-time training set: header (resolved features) and the joined table."""
        header = None
        tables = []
        try:
            stream = self.featurestore.stub.GetHistoricalFeatures(request, timeout=timeout,
                                                                  metadata=self.featurestore.metadata())
            for message in stream:
                if message.WhichOneof("content") == "header":
                    header = message.header
                else:
                    with pa.ipc.open_stream(pa.py_buffer(message.chunk.ipc_stream)) as reader:
                        tables.append(reader.read_all())
        except grpc.RpcError as error:
            raise _rpc_error("featurestore", "GetHistoricalFeatures", error) from None
        if header is None:
            raise Unavailable("the feature store ended GetHistoricalFeatures without a header",
                              reason="FEATURESTORE_BAD_STREAM")
        table = pa.concat_tables(tables) if tables else pa.table({c: pa.array([], pa.null()) for c in header.columns})
        return header, table

    def get_model(self, name: str) -> registry_resources.RegisteredModel | None:
        """The registered model, or None when it does not exist."""
        try:
            return self._call(self.registry, "GetRegisteredModel",
                              registry_pb2.GetRegisteredModelRequest(name=name)).model
        except PeerCallFailed as error:
            if getattr(error, "grpc_code", None) == grpc.StatusCode.NOT_FOUND:
                return None
            raise

    def get_version(self, name: str, version: int) -> registry_resources.ModelVersion | None:
        """A model version with its lineage, or None when the model or version does not exist."""
        try:
            return self._call(self.registry, "GetModelVersion", registry_pb2.GetModelVersionRequest(
                model_name=name, version=version, view=registry_resources.MODEL_VERSION_VIEW_FULL)).model_version
        except PeerCallFailed as error:
            if getattr(error, "grpc_code", None) == grpc.StatusCode.NOT_FOUND:
                return None
            if getattr(error, "grpc_code", None) == grpc.StatusCode.INVALID_ARGUMENT:
                raise InvalidArgument("model_version", f"a model version the registry accepts ({error})") from None
            raise

    def create_model(self, model: registry_resources.RegisteredModel) -> None:
        """Create the registered model (a concurrent creation by another job is fine)."""
        try:
            self._call(self.registry, "CreateRegisteredModel", registry_pb2.CreateRegisteredModelRequest(model=model))
        except PeerCallFailed as error:
            if getattr(error, "grpc_code", None) != grpc.StatusCode.ALREADY_EXISTS:
                raise

    def create_version(self, name: str, version: registry_resources.ModelVersion
                       ) -> registry_pb2.CreateModelVersionResponse:
        """A new PENDING version (or the existing one with the same artifact)."""
        return self._call(self.registry, "CreateModelVersion",
                          registry_pb2.CreateModelVersionRequest(model_name=name, model_version=version))

    def upload_artifact(self, name: str, version: int, sha256: str, data: bytes) -> registry_resources.ModelVersion:
        """Upload the ONNX bytes of a PENDING version; the answer is the READY version (the call waits for
        the registry's onnxruntime validation, so the job reports a version that can be served)."""
        def messages():  # noqa: ANN202 - a request iterator
            yield registry_pb2.UploadArtifactRequest(header=registry_pb2.UploadArtifactHeader(
                model_name=name, version=version, sha256=sha256, size_bytes=len(data), wait_for_validation=True))
            for offset in range(0, len(data), CHUNK_BYTES):
                yield registry_pb2.UploadArtifactRequest(chunk=data[offset:offset + CHUNK_BYTES])
        try:
            response = self.registry.stub.UploadArtifact(messages(), timeout=max(self._timeout, 60.0),
                                                         metadata=self.registry.metadata())
        except grpc.RpcError as error:
            raise _rpc_error("registry", "UploadArtifact", error) from None
        return response.model_version

    def fail_version(self, name: str, version: int, message: str) -> None:
        """Abandon a PENDING version whose artifact will not come: the registry marks it FAILED."""
        self._call(self.registry, "UpdateModelVersion", registry_pb2.UpdateModelVersionRequest(
            model_version=registry_resources.ModelVersion(
                model_name=name, version=version, status=registry_resources.MODEL_VERSION_STATUS_FAILED,
                status_message=message),
            update_mask=field_mask_pb2.FieldMask(paths=["status"])))

    def close(self) -> None:
        """Close the channels."""
        for dependency in (self.featurestore, self.policy, self.registry):
            dependency.close()


def arrow_ipc(table: pa.Table) -> types_pb2.ArrowTable:
    """A table as an ArrowTable message."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return types_pb2.ArrowTable(ipc_stream=sink.getvalue().to_pybytes())


__all__ = ["NotFound", "PeerCallFailed", "Peers", "arrow_ipc"]
