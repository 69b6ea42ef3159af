"""The SDK's credential and TLS options against a real policy service that enforces authentication
over mutual TLS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services import catalog
from services.common.server import RunningServer
from services.policy.settings import PolicySettings
from sextant import errors
from sextant.cli.certs import DevPki, generate
from sextant.client import PolicyClient, Sextant
from sextant.policy.v1 import policy_service_pb2 as pb
from tests.integration.sdk.stack import MARKETING_POLICY, unused_address
from tests.integration.security.security_kit import Credentials, write_credentials


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A development CA with server and client certificates."""
    return generate(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def credentials(tmp_path_factory: pytest.TempPathFactory) -> Credentials:
    """A JWT secret and one admin API key."""
    return write_credentials(tmp_path_factory.mktemp("credentials"), {"admin": (("admin",), ())})


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory, pki: DevPki, credentials: Credentials
            ) -> Iterator[RunningServer]:
    """The policy service requiring a credential on every call and a client certificate."""
    running = catalog.start("policy", PolicySettings(
        port=0, data_dir=str(tmp_path_factory.mktemp("policy")), featurestore_address=unused_address(),
        log_level="warning", tls_cert_file=str(pki.server_cert), tls_key_file=str(pki.server_key),
        tls_client_ca_file=str(pki.ca_cert), **credentials.settings()))
    yield running
    running.stop(0)


def _tls(pki: DevPki) -> dict[str, str]:
    return {"tls_ca_file": str(pki.ca_cert), "tls_cert_file": str(pki.client_cert),
            "tls_key_file": str(pki.client_key)}


def test_an_api_key_is_sent_on_every_call_including_the_raw_stub(secured: RunningServer, pki: DevPki,
                                                                  credentials: Credentials) -> None:
    with PolicyClient(secured.address, credential=credentials.keys["admin"], **_tls(pki)) as client:
        created = client.apply_policy("by-key", MARKETING_POLICY)
        assert client.stub.GetPolicy(pb.GetPolicyRequest(name="by-key")).policy == created.policy
    assert created.policy.created_by == "admin"


def test_a_jwt_from_the_environment_is_used(secured: RunningServer, pki: DevPki, credentials: Credentials,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEXTANT_CREDENTIAL", credentials.token("ana", "admin"))
    monkeypatch.setenv("SEXTANT_TLS_CA_FILE", str(pki.ca_cert))
    monkeypatch.setenv("SEXTANT_TLS_CERT_FILE", str(pki.client_cert))
    monkeypatch.setenv("SEXTANT_TLS_KEY_FILE", str(pki.client_key))
    with Sextant({"policy": secured.address}) as sx:
        created = sx.policy.apply_policy("by-ana", MARKETING_POLICY)
    assert created.policy.created_by == "ana"


def test_a_missing_credential_is_unauthenticated_and_plaintext_is_unavailable(
        secured: RunningServer, pki: DevPki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEXTANT_CREDENTIAL", raising=False)
    with PolicyClient(secured.address, **_tls(pki)) as client, pytest.raises(errors.UnauthenticatedError) as denied:
        list(client.iter_policies())
    assert denied.value.reason

    with PolicyClient(secured.address, timeout=2.0) as plaintext, pytest.raises(errors.UnavailableError):
        list(plaintext.iter_policies())
