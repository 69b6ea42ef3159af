"""The user behind a service-to-service call is the one recorded, end to end, over mutual TLS.

The real registry and policy service both enforce authentication and mutual TLS. A data scientist
registers a version; an ML engineer points the protected `production` alias at it, so the registry
asks the policy service, authenticating with its own service key and naming the engineer in
``x-sextant-on-behalf-of``. The decision log must name the engineer as the principal and the
registry's service account as the caller, and the alias history must name the engineer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from services import catalog
from services.common.server import RunningServer
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from sextant.channels import open_channel
from sextant.cli.certs import DevPki, generate
from sextant.policy.v1 import policy_service_pb2 as policy_pb
from sextant.policy.v1 import policy_service_pb2_grpc
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import registry_service_pb2_grpc
from sextant.type.v1 import governance_pb2
from tests.integration.registry.registry_kit import RegistryClient, promotable_lineage, tiny_onnx
from tests.integration.security.security_kit import (
    ROLE_KEYS,
    Credentials,
    error_info,
    with_credential,
    write_credentials,
)


def tls_settings(pki: DevPki) -> dict[str, object]:
    """Serve mutual TLS and call peers over it with the development PKI."""
    return {"tls_cert_file": str(pki.server_cert), "tls_key_file": str(pki.server_key),
            "tls_client_ca_file": str(pki.ca_cert), "tls_ca_file": str(pki.ca_cert)}


def client_channel(address: str, pki: DevPki) -> grpc.Channel:
    """A mutual-TLS channel presenting the development client certificate."""
    return open_channel(address, root_certificates=pki.ca_cert.read_bytes(),
                        certificate_chain=pki.client_cert.read_bytes(), private_key=pki.client_key.read_bytes())


@dataclass
class Stack:
    """Policy and registry enforcing authentication over mutual TLS."""

    policy: RunningServer
    registry: RunningServer
    credentials: Credentials
    pki: DevPki

    def registry_as(self, credential: str) -> RegistryClient:
        """A registry client over mutual TLS sending ``credential``."""
        client = RegistryClient.__new__(RegistryClient)
        client.channel = client_channel(self.registry.address, self.pki)
        client.stub = registry_service_pb2_grpc.RegistryServiceStub(with_credential(client.channel, credential))
        return client


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The two services, the registry holding the `key-service` service account's key."""
    folder: Path = tmp_path_factory.mktemp("propagation")
    pki = generate(folder / "pki")
    credentials = write_credentials(folder / "auth", ROLE_KEYS)
    policy = catalog.start("policy", PolicySettings(
        port=0, data_dir=str(folder / "policy"), featurestore_address="127.0.0.1:9", log_level="warning",
        **credentials.settings(), **tls_settings(pki)))
    try:
        registry = catalog.start("registry", RegistrySettings(
            port=0, data_dir=str(folder / "registry"), policy_address=policy.address,
            featurestore_address="127.0.0.1:9", staleness_follower=False, log_level="warning",
            **credentials.settings(service_key="key-service"), **tls_settings(pki)))
    except BaseException:
        policy.stop(0)
        raise
    yield Stack(policy, registry, credentials, pki)
    registry.stop(0)
    policy.stop(0)


def test_the_decision_log_and_alias_history_record_the_user_not_the_service(stack: Stack) -> None:
    credentials = stack.credentials
    scientist = stack.registry_as(credentials.token("dana", "data-scientist"))
    engineer = stack.registry_as(credentials.token("erin", "ml-engineer"))
    try:
        scientist.create_model("credit-risk")
        version = scientist.register("credit-risk", tiny_onnx(0), lineage=promotable_lineage())
        assert version.creator == "dana"
        with pytest.raises(grpc.RpcError) as denied:
            scientist.stub.SetAlias(pb.SetAliasRequest(model_name="credit-risk", alias="production",
                                                       version=version.version, reason="ship it"), timeout=30)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert error_info(denied.value).metadata["required"] == "one of the roles ml-engineer, admin, service"

        moved = engineer.stub.SetAlias(pb.SetAliasRequest(model_name="credit-risk", alias="production",
                                                          version=version.version, reason="ship it"), timeout=30)
        assert moved.verdict == governance_pb2.POLICY_VERDICT_ALLOW and moved.change.decision_id
        history = engineer.stub.ListAliasHistory(pb.ListAliasHistoryRequest(model_name="credit-risk",
                                                                            alias="production"), timeout=10).entries
        assert [entry.principal for entry in history] == ["erin"]
    finally:
        scientist.close()
        engineer.close()

    with client_channel(stack.policy.address, stack.pki) as channel:
        auditor = policy_service_pb2_grpc.PolicyServiceStub(with_credential(channel, credentials.token("ada", "admin")))
        decision = auditor.GetDecision(policy_pb.GetDecisionRequest(decision_id=moved.change.decision_id),
                                       timeout=10).decision
    assert (decision.principal, decision.caller) == ("erin", "key-service")


def test_a_user_cannot_pass_as_the_relayed_user(stack: Stack) -> None:
    with client_channel(stack.policy.address, stack.pki) as channel:
        stub = policy_service_pb2_grpc.PolicyServiceStub(with_credential(
            channel, stack.credentials.token("erin", "ml-engineer"), x_sextant_on_behalf_of="ada"))
        with pytest.raises(grpc.RpcError) as refused:
            stub.ListPolicies(policy_pb.ListPoliciesRequest(), timeout=10)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_info(refused.value).reason == "ON_BEHALF_OF_NOT_ALLOWED"


def test_serving_follows_the_registry_with_its_own_credential(stack: Stack, tmp_path: Path) -> None:
    import time

    from services.serving.settings import ServingSettings
    from sextant.serving.v1 import serving_service_pb2, serving_service_pb2_grpc

    serving = catalog.start("serving", ServingSettings(
        port=0, data_dir=str(tmp_path / "serving"), registry_address=stack.registry.address,
        policy_address=stack.policy.address, featurestore_address="127.0.0.1:9",
        monitoring_address="127.0.0.1:9", log_level="warning",
        **stack.credentials.settings(service_key="key-service"), **tls_settings(stack.pki)))
    try:
        with client_channel(serving.address, stack.pki) as channel:
            stub = serving_service_pb2_grpc.ServingServiceStub(
                with_credential(channel, stack.credentials.token("vera", "viewer")))
            deadline = time.monotonic() + 20
            while True:
                status = stub.GetServingStatus(serving_service_pb2.GetServingStatusRequest(), timeout=10)
                registry = next(d for d in status.dependencies if d.service == "registry")
                if registry.reachable or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        assert status.authentication_enabled
        # The registry's event stream is open: serving authenticated it with its service key.
        assert registry.reachable and status.registry_event_revision > 0
    finally:
        serving.stop(0)
