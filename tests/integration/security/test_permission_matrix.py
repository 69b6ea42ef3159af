"""Every RPC × every role against the six real services enforcing authentication.

Each RPC of every contract is called (with an empty request) by a token of each role and by a serving
key that carries only the ``predict`` scope. Where the permission table denies, the answer must be
PERMISSION_DENIED from the table itself (reason ROLE_REQUIRED / SCOPE_REQUIRED, before any handler
could answer NOT_FOUND); where it allows, the call must get past authentication and authorization
(the handler may then reject the empty request, or a stream may run until its deadline).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor as _descriptor
from google.protobuf import message_factory

from services import catalog
from services.common.auth import PREDICT_SCOPE, ROLES, Principal
from services.common.permissions import rule_for
from services.common.server import RunningServer
from sextant.registry.v1 import registry_service_pb2 as registry_pb
from sextant.registry.v1 import registry_service_pb2_grpc
from tests.integration.security.security_kit import ROLE_KEYS, Credentials, error_info, write_credentials

NOWHERE = "127.0.0.1:9"
STREAM_DEADLINE = 1.0
#: Callers of the matrix: one token per role, and the serving key (no role, scope predict).
CALLERS = (*ROLES, "predict-key")


def _settings(name: str, folder: Path, credentials: Credentials) -> object:
    extra: dict[str, dict[str, object]] = {
        "featurestore": {"policy_address": NOWHERE},
        "policy": {"featurestore_address": NOWHERE},
        "registry": {"policy_address": NOWHERE, "featurestore_address": NOWHERE, "staleness_follower": False},
        "training": {"featurestore_address": NOWHERE, "policy_address": NOWHERE, "registry_address": NOWHERE,
                     "monitoring_address": NOWHERE, "local_processes": 1},
        "serving": {"registry_address": NOWHERE, "featurestore_address": NOWHERE, "monitoring_address": NOWHERE,
                    "policy_address": NOWHERE, "registry_follower": False, "prediction_logging": False},
        "monitoring": {"registry_address": NOWHERE, "featurestore_address": NOWHERE, "training_address": NOWHERE,
                       "follow_registry_events": False},
    }
    return catalog.settings_class(name)(port=0, data_dir=str(folder / name), log_level="warning",
                                        **credentials.settings(), **extra[name])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, RunningServer], Credentials]]:
    """The six services enforcing authentication, each on its own port."""
    folder = tmp_path_factory.mktemp("matrix")
    credentials = write_credentials(folder / "auth", ROLE_KEYS)
    started: dict[str, RunningServer] = {}
    try:
        for name in catalog.SERVICES:
            started[name] = catalog.start(name, _settings(name, folder, credentials))
        yield started, credentials
    finally:
        for running in started.values():
            running.stop(0)


def _methods() -> list[tuple[str, _descriptor.MethodDescriptor]]:
    found = []
    for name, entry in catalog.SERVICES.items():
        for contract in entry.contracts:
            module, _, service = contract.partition(":")
            descriptor = __import__(module, fromlist=["DESCRIPTOR"]).DESCRIPTOR.services_by_name[service]
            found.extend((name, method) for method in descriptor.methods)
    return found


METHODS = _methods()


def _credential(credentials: Credentials, caller: str) -> str:
    if caller == "predict-key":
        return credentials.keys["svc-serving-client"]
    return credentials.token(f"user-{caller}", caller)


def _principal(caller: str) -> Principal:
    if caller == "predict-key":
        return Principal("svc-serving-client", frozenset(), frozenset({PREDICT_SCOPE}))
    return Principal(f"user-{caller}", frozenset({caller}))


def _call(channel: grpc.Channel, method: _descriptor.MethodDescriptor, credential: str) -> grpc.StatusCode:
    """Call ``method`` with an empty request; the status code it ends with (OK when it succeeds)."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    request = message_factory.GetMessageClass(method.input_type)()
    metadata = (("authorization", f"Bearer {credential}"),)
    kwargs = {"request_serializer": lambda m: m.SerializeToString(), "response_deserializer": lambda b: b}
    try:
        if method.client_streaming and method.server_streaming:
            for _ in channel.stream_stream(path, **kwargs)(iter(()), timeout=STREAM_DEADLINE, metadata=metadata):
                break
        elif method.client_streaming:
            channel.stream_unary(path, **kwargs)(iter(()), timeout=STREAM_DEADLINE, metadata=metadata)
        elif method.server_streaming:
            stream = channel.unary_stream(path, **kwargs)(request, timeout=STREAM_DEADLINE, metadata=metadata)
            for _ in stream:
                break
            stream.cancel()
        else:
            channel.unary_unary(path, **kwargs)(request, timeout=10, metadata=metadata)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.PERMISSION_DENIED:
            reason = error_info(error).reason
            return grpc.StatusCode.PERMISSION_DENIED if reason in ("ROLE_REQUIRED", "SCOPE_REQUIRED") else reason
        return error.code()
    return grpc.StatusCode.OK


def test_every_rpc_answers_every_role_as_the_table_says(stack: tuple[dict[str, RunningServer], Credentials]) -> None:
    servers, credentials = stack
    channels = {name: grpc.insecure_channel(running.address) for name, running in servers.items()}
    tokens = {caller: _credential(credentials, caller) for caller in CALLERS}
    cases = [(name, method, caller) for name, method in METHODS for caller in CALLERS]

    def run(case: tuple[str, _descriptor.MethodDescriptor, str]) -> tuple[str, str, bool, object]:
        name, method, caller = case
        full = f"/{method.containing_service.full_name}/{method.name}"
        allowed = rule_for(full).allows(_principal(caller))
        return full, caller, allowed, _call(channels[name], method, tokens[caller])

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(run, cases))
    finally:
        for channel in channels.values():
            channel.close()
    assert len(results) == len(METHODS) * len(CALLERS) and len(METHODS) > 100
    wrong = [(full, caller, "allowed" if allowed else "denied", code) for full, caller, allowed, code in results
             if (code == grpc.StatusCode.PERMISSION_DENIED) == allowed
             or code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.UNKNOWN)
             or (allowed and isinstance(code, str))]
    assert wrong == []
    # The matrix is not trivial: both answers occur for every caller.
    for caller in CALLERS:
        answers = {allowed for _, who, allowed, _ in results if who == caller}
        assert answers == {True, False}, caller


def test_denial_comes_before_not_found(stack: tuple[dict[str, RunningServer], Credentials]) -> None:
    servers, credentials = stack
    request = registry_pb.MoveAliasRequest(model_name="no-such-model", alias="production", version=3, reason="go")
    answers = {}
    with grpc.insecure_channel(servers["registry"].address) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        for caller in ("viewer", "ml-engineer"):
            with pytest.raises(grpc.RpcError) as caught:
                stub.MoveAlias(request, timeout=10,
                               metadata=(("authorization", f"Bearer {credentials.token('u', caller)}"),))
            answers[caller] = (caught.value.code(), error_info(caught.value))
    code, info = answers["viewer"]
    assert code == grpc.StatusCode.PERMISSION_DENIED and info.reason == "ROLE_REQUIRED"
    assert info.metadata["required"] == "one of the roles ml-engineer, admin, service"
    assert answers["ml-engineer"][0] == grpc.StatusCode.NOT_FOUND
