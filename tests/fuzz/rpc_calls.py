"""Calling any method of the suite generically, by its descriptor, and judging the status it answers."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from google.protobuf import descriptor as _descriptor
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc

#: Which server process answers each gRPC service, and the module holding its descriptor.
CONTRACTS = {
    "featurestore": ("sextant.featurestore.v1.featurestore_service_pb2", "FeatureStoreService"),
    "training": ("sextant.training.v1.training_service_pb2", "TrainingService"),
    "registry": ("sextant.registry.v1.registry_service_pb2", "RegistryService"),
    "serving": ("sextant.serving.v1.serving_service_pb2", "ServingService"),
    "monitoring": ("sextant.monitoring.v1.monitoring_service_pb2", "MonitoringService"),
    "policy": ("sextant.policy.v1.policy_service_pb2", "PolicyService"),
    "inference": ("inference.grpc_service_pb2", "GRPCInferenceService"),
}
#: The process serving each contract (the Open Inference Protocol is served by serving).
SERVER_OF = {name: name for name in CONTRACTS} | {"inference": "serving"}
#: Codes bad input must never produce: a handler bug (INTERNAL/UNKNOWN) or a hang (DEADLINE_EXCEEDED).
FORBIDDEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED,
             grpc.StatusCode.DATA_LOSS}
#: Methods where DATA_LOSS is the contract's answer to bytes that do not match their declared digest.
DATA_LOSS_MEANINGFUL = {"sextant.registry.v1.RegistryService/UploadArtifact",
                        "sextant.registry.v1.RegistryService/DownloadArtifact"}
CALL_TIMEOUT = 30.0
#: Responses read from a server stream before the call is cancelled.
MAX_RESPONSES = 100


@dataclass(frozen=True)
class Rpc:
    """One method of one contract."""

    contract: str
    method: _descriptor.MethodDescriptor

    @property
    def server(self) -> str:
        """Name of the process that answers it."""
        return SERVER_OF[self.contract]

    @property
    def path(self) -> str:
        """``/package.Service/Method``."""
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    def __str__(self) -> str:
        return f"{self.method.containing_service.name}.{self.method.name}"


def service_descriptor(contract: str) -> _descriptor.ServiceDescriptor:
    """The service descriptor of one contract."""
    module, service = CONTRACTS[contract]
    return importlib.import_module(module).DESCRIPTOR.services_by_name[service]


def fuzzable(method: _descriptor.MethodDescriptor) -> bool:
    """Every method but the long-lived ones: watch feeds (they wait for events) and bidi streams."""
    if method.server_streaming:
        return not method.client_streaming and not method.name.startswith("Watch")
    return True


def fuzzable_rpcs() -> list[Rpc]:
    """Every unary, client-streaming and finite server-streaming method of the seven contracts."""
    return [Rpc(contract, method) for contract in CONTRACTS for method in service_descriptor(contract).methods
            if fuzzable(method)]


def call(channel: grpc.Channel, rpc: Rpc, requests: Sequence[Message]) -> grpc.StatusCode:
    """Send ``requests`` (one, or a client stream) and return the status code answered."""
    try:
        if rpc.method.server_streaming:
            responses = channel.unary_stream(rpc.path, request_serializer=_serialize)(requests[0],
                                                                                       timeout=CALL_TIMEOUT)
            for _count, _response in zip(range(MAX_RESPONSES), responses, strict=False):
                pass
            responses.cancel()
        elif rpc.method.client_streaming:
            stub = channel.stream_unary(rpc.path, request_serializer=_serialize)
            stub(iter(requests), timeout=CALL_TIMEOUT)
        else:
            stub = channel.unary_unary(rpc.path, request_serializer=_serialize)
            stub(requests[0], timeout=CALL_TIMEOUT)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def send_raw(channel: grpc.Channel, path: str, payload: bytes) -> grpc.RpcError | None:
    """Send ``payload`` as the request bytes of a unary method; the error answered, if any."""
    try:
        channel.unary_unary(path)(payload, timeout=CALL_TIMEOUT)
    except grpc.RpcError as error:
        return error
    return None


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def forbidden(rpc: Rpc, code: grpc.StatusCode) -> bool:
    """Whether ``code`` is an unacceptable answer of ``rpc`` to a malformed request."""
    full = rpc.path.lstrip("/")
    return code in FORBIDDEN and not (code == grpc.StatusCode.DATA_LOSS and full in DATA_LOSS_MEANINGFUL)


def serving_status(channel: grpc.Channel) -> int:
    """The overall health the server reports."""
    stub = health_pb2_grpc.HealthStub(channel)
    return stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10).status


def describe(requests: Sequence[Message], limit: int = 600) -> str:
    """A short text of the requests for failure messages (huge fields would flood the report)."""
    text = " | ".join(str(message) for message in requests)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
