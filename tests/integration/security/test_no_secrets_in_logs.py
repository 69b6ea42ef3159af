"""Secrets and credentials never reach the logs, whatever the calls carried.

The real registry and policy service run enforcing authentication at the debug level; calls carry
valid and invalid tokens and API keys, and one makes the registry call the policy service with its
own service key. The captured output must show the calls (so the capture works) and contain none of
the secret, the tokens (nor their signatures) or the keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import structlog

from services import catalog
from services.policy.settings import PolicySettings
from services.registry.settings import RegistrySettings
from sextant.policy.v1 import policy_service_pb2 as policy_pb
from sextant.policy.v1 import policy_service_pb2_grpc
from sextant.registry.v1 import registry_service_pb2 as pb
from sextant.registry.v1 import registry_service_pb2_grpc
from tests.integration.registry.registry_kit import RegistryClient, promotable_lineage, tiny_onnx
from tests.integration.security.security_kit import ROLE_KEYS, with_credential, write_credentials


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put structlog back as it was: the services bind it to this test's capture, which closes after it."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


@pytest.mark.usefixtures("restored_logging")
def test_no_secret_token_or_key_appears_in_the_logs(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    credentials = write_credentials(tmp_path / "auth", ROLE_KEYS)
    common = {"log_level": "debug", "log_format": "json", "access_log": True, "featurestore_address": "127.0.0.1:9"}
    policy = catalog.start("policy", PolicySettings(port=0, data_dir=str(tmp_path / "policy"),
                                                    **credentials.settings(), **common))
    registry = catalog.start("registry", RegistrySettings(
        port=0, data_dir=str(tmp_path / "registry"), policy_address=policy.address, staleness_follower=False,
        **credentials.settings(service_key="key-service"), **common))
    valid = {"scientist": credentials.token("dana", "data-scientist"),
             "engineer": credentials.token("erin", "ml-engineer"),
             "viewer key": credentials.keys["key-viewer"]}
    invalid = [credentials.token("mallory", "admin", secret="a-guessed-secret-of-sufficient-size"),
               credentials.token("mallory", "admin", lifetime=-7200),
               credentials.token("mallory", "admin", audience="elsewhere"),
               "sxk_" + "guessed-key-material-0123456789",
               "eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2lnbmF0dXJl"]
    refused = 0
    try:
        channel = grpc.insecure_channel(registry.address)
        scientist = RegistryClient.__new__(RegistryClient)
        scientist.channel = channel
        scientist.stub = registry_service_pb2_grpc.RegistryServiceStub(with_credential(channel, valid["scientist"]))
        scientist.create_model("credit-risk")
        version = scientist.register("credit-risk", tiny_onnx(0), lineage=promotable_lineage())
        engineer = registry_service_pb2_grpc.RegistryServiceStub(with_credential(channel, valid["engineer"]))
        # A protected alias: the registry calls the policy service with its own service key.
        engineer.SetAlias(pb.SetAliasRequest(model_name="credit-risk", alias="production", version=version.version,
                                             reason="ship it"), timeout=30)
        with grpc.insecure_channel(policy.address) as policy_channel:
            viewer = policy_service_pb2_grpc.PolicyServiceStub(with_credential(policy_channel, valid["viewer key"]))
            viewer.ListPolicies(policy_pb.ListPoliciesRequest(), timeout=10)
            for credential in invalid:
                stub = policy_service_pb2_grpc.PolicyServiceStub(with_credential(policy_channel, credential))
                with pytest.raises(grpc.RpcError) as caught:
                    stub.ListPolicies(policy_pb.ListPoliciesRequest(), timeout=10)
                refused += caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        channel.close()
    finally:
        registry.stop(0)
        policy.stop(0)
    assert refused == len(invalid)
    out, err = capfd.readouterr()
    logs = out + err
    # The capture holds the calls: accepted ones with their principal, refused ones with their code.
    assert '"principal": "erin"' in logs and '"principal": "dana"' in logs
    assert logs.count('"code": "UNAUTHENTICATED"') >= len(invalid)
    secrets = [credentials.secret, credentials.keys["key-service"], *valid.values(), *invalid]
    secrets += [token.rsplit(".", 1)[-1] for token in [*valid.values(), *invalid] if token.count(".") == 2]
    leaked = [secret[:12] + "…" for secret in secrets if secret in logs]
    assert leaked == []
