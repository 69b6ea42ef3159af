"""TLS and mutual TLS from settings, with certificates written by ``sextant certs``."""

from __future__ import annotations

import argparse
import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services import catalog
from services.common.server import RunningServer, write_ready_file
from services.common.settings import SettingsError
from services.policy.settings import PolicySettings
from sextant.channels import open_channel
from sextant.cli import certs
from sextant.cli.certs import DevPki, generate
from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.policy.v1 import policy_service_pb2_grpc


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """The development CA the servers trust."""
    return generate(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """Another CA, which no server trusts, with its own client certificate."""
    return generate(tmp_path_factory.mktemp("stranger"), client_name="stranger")


def _start(folder: Path, pki: DevPki, *, mutual: bool) -> RunningServer:
    settings = {"tls_cert_file": str(pki.server_cert), "tls_key_file": str(pki.server_key)}
    if mutual:
        settings["tls_client_ca_file"] = str(pki.ca_cert)
    return catalog.start("policy", PolicySettings(port=0, data_dir=str(folder), featurestore_address="127.0.0.1:9",
                                                  log_level="warning", **settings))


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory, pki: DevPki) -> Iterator[RunningServer]:
    """The policy service serving TLS (no client certificate needed)."""
    running = _start(tmp_path_factory.mktemp("tls"), pki, mutual=False)
    yield running
    running.stop(0)


@pytest.fixture(scope="module")
def mtls_server(tmp_path_factory: pytest.TempPathFactory, pki: DevPki) -> Iterator[RunningServer]:
    """The policy service requiring a client certificate signed by the development CA."""
    running = _start(tmp_path_factory.mktemp("mtls"), pki, mutual=True)
    yield running
    running.stop(0)


def _outcome(channel: grpc.Channel) -> grpc.StatusCode:
    """OK when a call gets through, else the code it failed with."""
    with channel:
        try:
            policy_service_pb2_grpc.PolicyServiceStub(channel).ListPolicies(pb.ListPoliciesRequest(), timeout=5)
        except grpc.RpcError as error:
            return error.code()
    return grpc.StatusCode.OK


def _tls(address: str, ca: DevPki, client: DevPki | None = None) -> grpc.Channel:
    return open_channel(address, root_certificates=ca.ca_cert.read_bytes(),
                        certificate_chain=client.client_cert.read_bytes() if client else None,
                        private_key=client.client_key.read_bytes() if client else None)


def test_tls_server_answers_tls_clients_only(tls_server: RunningServer, pki: DevPki, stranger: DevPki) -> None:
    assert _outcome(_tls(tls_server.address, pki)) == grpc.StatusCode.OK
    assert _outcome(_tls(f"localhost:{tls_server.port}", pki)) == grpc.StatusCode.OK
    assert _outcome(open_channel(tls_server.address)) == grpc.StatusCode.UNAVAILABLE
    # A client that trusts another CA refuses the server's certificate.
    assert _outcome(_tls(tls_server.address, stranger)) == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls_rejects_unknown_and_missing_client_certificates(mtls_server: RunningServer, pki: DevPki,
                                                                    stranger: DevPki) -> None:
    assert _outcome(_tls(mtls_server.address, pki, client=pki)) == grpc.StatusCode.OK
    assert _outcome(_tls(mtls_server.address, pki, client=stranger)) == grpc.StatusCode.UNAVAILABLE
    assert _outcome(_tls(mtls_server.address, pki)) == grpc.StatusCode.UNAVAILABLE
    assert _outcome(open_channel(mtls_server.address)) == grpc.StatusCode.UNAVAILABLE
    # Health checks need the handshake too: mutual TLS guards the whole listener.
    with _tls(mtls_server.address, pki, client=pki) as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert health.status == health_pb2.HealthCheckResponse.SERVING


def test_the_ready_file_tells_status_how_a_service_is_protected(tmp_path: Path, tls_server: RunningServer,
                                                                 mtls_server: RunningServer) -> None:
    for running, expected in ((tls_server, "tls"), (mtls_server, "mutual")):
        write_ready_file(tmp_path / "ready.json", running)
        ready = json.loads((tmp_path / "ready.json").read_text())
        assert (ready["tls"], ready["auth_mode"], ready["port"]) == (expected, "none", running.port)


def test_half_configured_tls_refuses_to_start(tmp_path: Path, pki: DevPki) -> None:
    with pytest.raises(SettingsError) as refused:
        catalog.start("policy", PolicySettings(port=0, data_dir=str(tmp_path), featurestore_address="127.0.0.1:9",
                                               log_level="warning", tls_cert_file=str(pki.server_cert)))
    assert refused.value.variable == "SEXTANT_POLICY_TLS_KEY_FILE"


def test_sextant_certs_writes_a_ca_server_and_client_certificate(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    certs.add_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "certs"
    args = parser.parse_args(["certs", "--out", str(out), "--host", "sextant.example.com", "--days", "30"])
    assert certs.run(args) == 0
    ca = x509.load_pem_x509_certificate((out / "ca.pem").read_bytes())
    server = x509.load_pem_x509_certificate((out / "server.pem").read_bytes())
    client = x509.load_pem_x509_certificate((out / "client.pem").read_bytes())
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "registry", "serving", "sextant.example.com"} <= set(names.get_values_for_type(x509.DNSName))
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    for leaf in (server, client):
        assert leaf.issuer == ca.subject
        leaf.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (out / "ca-key.pem").stat().st_mode & 0o077 == 0
    # A second run keeps the CA unless asked to replace it.
    assert certs.run(args) == 1
    assert x509.load_pem_x509_certificate((out / "ca.pem").read_bytes()) == ca
    assert certs.run(parser.parse_args(["certs", "--out", str(out), "--force"])) == 0
    assert x509.load_pem_x509_certificate((out / "ca.pem").read_bytes()) != ca
