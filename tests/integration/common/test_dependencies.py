"""Calls between services: a reachable peer answers, an unreachable one is Unavailable by name."""

from __future__ import annotations

import socket

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.dependencies import Dependency
from services.common.errors import Unavailable
from tests.integration.common import probe

HEALTH = health_pb2.DESCRIPTOR.services_by_name["Health"]


def test_reachable_peer_answers() -> None:
    server = probe.start()
    try:
        peer = Dependency("probe", server.address, health_pb2_grpc.HealthStub, HEALTH, timeout=5)
        reply = peer.call("Check", health_pb2.HealthCheckRequest())
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        peer.close()
    finally:
        server.stop(0)


def test_unreachable_peer_is_unavailable_naming_it() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    # Nothing listens on the port any more: the call must fail fast with a named Unavailable.
    peer = Dependency("policy", f"127.0.0.1:{port}", health_pb2_grpc.HealthStub, HEALTH, timeout=2)
    with pytest.raises(Unavailable) as caught:
        peer.call("Check", health_pb2.HealthCheckRequest())
    assert caught.value.reason == "POLICY_UNAVAILABLE"
    assert caught.value.metadata["dependency"] == "policy"
    peer.close()


def test_a_peer_error_no_handler_caught_stays_canonical() -> None:
    import grpc

    from services.common.errors import from_peer_error
    from sextant.policy.v1 import policy_service_pb2, policy_service_pb2_grpc

    server = probe.start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            with pytest.raises(grpc.RpcError) as not_found:
                health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
            with pytest.raises(grpc.RpcError) as unimplemented:
                policy_service_pb2_grpc.PolicyServiceStub(channel).GetPolicy(
                    policy_service_pb2.GetPolicyRequest(name="p"), timeout=5)
    finally:
        server.stop(0)
    # A code that describes the request passes through; a peer that cannot do its part is UNAVAILABLE.
    passed = from_peer_error(not_found.value)
    assert passed.code == grpc.StatusCode.NOT_FOUND and passed.metadata["peer_code"] == "NOT_FOUND"
    failed = from_peer_error(unimplemented.value)
    assert failed.code == grpc.StatusCode.UNAVAILABLE and failed.reason == "DEPENDENCY_FAILED"
    assert failed.metadata["peer_code"] == "UNIMPLEMENTED"


def test_the_audit_records_a_peer_error_with_the_code_its_client_was_answered() -> None:
    import grpc

    from services.common import audit

    server = probe.start()
    try:
        with grpc.insecure_channel(server.address) as channel, pytest.raises(grpc.RpcError) as not_found:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="no.such.Service"),
                                                      timeout=5)
    finally:
        server.stop(0)
    assert audit._outcome(None, not_found.value)[0] == "NOT_FOUND"  # type: ignore[arg-type]
