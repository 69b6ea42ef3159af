"""Authentication against a real service enforcing it: JWTs (HS256 and RS256), API keys, and what is refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services import catalog
from services.common.auth import (
    ANONYMOUS,
    ApiKey,
    CredentialAuthenticator,
    Principal,
    _VerifiedCache,
    credential_digest,
)
from services.common.errors import PermissionDenied, Unauthenticated
from services.common.server import RunningServer
from services.common.settings import SettingsError
from services.policy.settings import PolicySettings
from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.policy.v1 import policy_service_pb2_grpc
from tests.integration.security.security_kit import (
    AUDIENCE,
    ISSUER,
    ROLE_KEYS,
    Credentials,
    error_info,
    write_credentials,
)

LEEWAY = 30


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    """The identity provider's RS256 signing key (the service holds only the public half)."""
    return _rsa_key()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, rsa_key: rsa.RSAPrivateKey
            ) -> Iterator[tuple[RunningServer, Credentials]]:
    """The policy service enforcing authentication with HS256, RS256 and API keys."""
    folder = tmp_path_factory.mktemp("auth")
    credentials = write_credentials(folder / "auth", ROLE_KEYS)
    public = folder / "jwt-public.pem"
    public.write_bytes(rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    settings = {**credentials.settings(), "jwt_public_key_file": str(public), "jwt_leeway_seconds": LEEWAY}
    running = catalog.start("policy", PolicySettings(port=0, data_dir=str(folder / "policy"), log_level="warning",
                                                     featurestore_address="127.0.0.1:9", **settings))
    yield running, credentials
    running.stop(0)


@pytest.fixture(scope="module")
def channel(service: tuple[RunningServer, Credentials]) -> Iterator[grpc.Channel]:
    """A plaintext channel to the service, carrying no credential by itself."""
    with grpc.insecure_channel(service[0].address) as opened:
        yield opened


def _list(channel: grpc.Channel, header: str | None, **extra: str) -> pb.ListPoliciesResponse:
    metadata = ((("authorization", header),) if header is not None else ()) + tuple(extra.items())
    return policy_service_pb2_grpc.PolicyServiceStub(channel).ListPolicies(pb.ListPoliciesRequest(), timeout=10,
                                                                            metadata=metadata)


def _refused(channel: grpc.Channel, header: str | None, **extra: str) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as caught:
        _list(channel, header, **extra)
    return caught.value.code(), error_info(caught.value).reason


def _rs256(key: rsa.RSAPrivateKey, **claims: object) -> str:
    now = int(time.time())
    body = {"sub": "rita", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "roles": ["viewer"], **claims}
    return jwt.encode(body, key, algorithm="RS256")


def test_valid_tokens_and_keys_are_admitted(channel: grpc.Channel, service: tuple[RunningServer, Credentials],
                                            rsa_key: rsa.RSAPrivateKey) -> None:
    assert service[0].auth_mode == "enforce"
    credentials = service[1]
    admitted = [
        credentials.token("vera", "viewer"),
        _rs256(rsa_key),
        credentials.keys["key-viewer"],
        # Expired ten seconds ago, within the tolerated clock skew.
        credentials.token("vera", "viewer", lifetime=-10),
    ]
    for credential in admitted:
        assert _list(channel, f"Bearer {credential}").policies is not None


@pytest.mark.parametrize(("case", "reason"), [
    ("missing", "CREDENTIAL_MISSING"),
    ("basic scheme", "CREDENTIAL_MALFORMED"),
    ("expired", "TOKEN_EXPIRED"),
    ("wrong secret", "TOKEN_BAD_SIGNATURE"),
    ("wrong rsa key", "TOKEN_BAD_SIGNATURE"),
    ("wrong audience", "TOKEN_WRONG_AUDIENCE"),
    ("wrong issuer", "TOKEN_WRONG_ISSUER"),
    ("unsigned", "TOKEN_ALGORITHM_NOT_ALLOWED"),
    ("no expiry", "TOKEN_CLAIM_MISSING"),
    ("garbage", "TOKEN_MALFORMED"),
    ("unknown api key", "API_KEY_UNKNOWN"),
])
def test_bad_credentials_are_unauthenticated(channel: grpc.Channel, service: tuple[RunningServer, Credentials],
                                             case: str, reason: str) -> None:
    credentials = service[1]
    now = int(time.time())
    headers = {
        "missing": None,
        "basic scheme": "Basic dmVyYTpwYXNzd29yZA==",
        "expired": f"Bearer {credentials.token('vera', 'viewer', lifetime=-LEEWAY - 3600)}",
        "wrong secret": f"Bearer {credentials.token('vera', 'admin', secret='not-the-shared-secret-0123456789')}",
        "wrong rsa key": f"Bearer {_rs256(_rsa_key(), roles=['admin'])}",
        "wrong audience": f"Bearer {credentials.token('vera', 'viewer', audience='someone-else')}",
        "wrong issuer": f"Bearer {credentials.token('vera', 'viewer', issuer='mallory')}",
        "unsigned": "Bearer " + jwt.encode({"sub": "vera", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600,
                                            "roles": ["admin"]}, None, algorithm="none"),
        "no expiry": "Bearer " + jwt.encode({"sub": "vera", "iss": ISSUER, "aud": AUDIENCE, "roles": ["viewer"]},
                                            credentials.secret, algorithm="HS256"),
        "garbage": "Bearer not-a-token",
        "unknown api key": "Bearer sxk_" + "x" * 32,
    }
    assert _refused(channel, headers[case]) == (grpc.StatusCode.UNAUTHENTICATED, reason)


def test_health_and_reflection_stay_open(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    answers = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10)
    names = {s.name for answer in answers for s in answer.list_services_response.service}
    assert "sextant.policy.v1.PolicyService" in names


def test_only_services_may_act_on_behalf_of_a_user(channel: grpc.Channel,
                                                   service: tuple[RunningServer, Credentials]) -> None:
    credentials = service[1]
    code, reason = _refused(channel, f"Bearer {credentials.token('vera', 'admin')}",
                            **{"x-sextant-on-behalf-of": "someone-else"})
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ON_BEHALF_OF_NOT_ALLOWED")
    relayed = _list(channel, f"Bearer {credentials.keys['key-service']}", **{"x-sextant-on-behalf-of": "vera"})
    assert relayed.policies is not None


def test_a_repeated_credential_is_verified_once_and_relayed_users_keep_the_service_roles() -> None:
    secret = b"s" * 32
    authenticator = CredentialAuthenticator(jwt_secret=secret, issuer=ISSUER, audience=AUDIENCE,
                                            api_keys={credential_digest("sxk_svc"): ApiKey(
                                                "svc-registry", frozenset({"service"}), frozenset(),
                                                credential_digest("sxk_svc"))})
    token = jwt.encode({"sub": "dora", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60,
                        "roles": ["data-scientist", "not-a-role"], "scope": "predict"}, secret, algorithm="HS256")
    first = authenticator.authenticate("/m", {"authorization": f"Bearer {token}"})
    assert first == Principal("dora", frozenset({"data-scientist"}), frozenset({"predict"}))
    assert authenticator.authenticate("/m", {"authorization": f"Bearer {token}"}) is first
    relayed = authenticator.authenticate("/m", {"authorization": "Bearer sxk_svc", "x-sextant-on-behalf-of": "dora"})
    assert (relayed.subject, relayed.via, relayed.roles, relayed.on_behalf_of) == (
        "dora", "svc-registry", frozenset({"service"}), "dora")
    with pytest.raises(Unauthenticated):
        authenticator.authenticate("/m", {})
    with pytest.raises(PermissionDenied):
        authenticator.authenticate("/m", {"authorization": f"Bearer {token}", "x-sextant-on-behalf-of": "eve"})
    assert ANONYMOUS.via is None


def test_the_cache_forgets_a_credential_at_its_expiry_and_stays_bounded() -> None:
    cache = _VerifiedCache(capacity=4)
    principal = Principal("dora")
    cache.put(b"a", principal, expires=100.0)
    assert cache.get(b"a", now=99.0) is principal
    assert cache.get(b"a", now=100.0) is None
    for number in range(10):
        cache.put(bytes([number]), principal, expires=100.0)
    assert sum(cache.get(bytes([n]), now=0.0) is not None for n in range(10)) <= 4
    assert cache.get(bytes([9]), now=0.0) is principal


def test_enforcing_without_a_credential_source_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        catalog.start("policy", PolicySettings(port=0, data_dir=str(tmp_path), auth_mode="enforce",
                                               featurestore_address="127.0.0.1:9", log_level="warning"))
    assert "SEXTANT_POLICY_AUTH_MODE" in str(refused.value)


def test_a_refused_mutation_is_audited_and_a_refused_read_is_not(channel: grpc.Channel,
                                                                 service: tuple[RunningServer, Credentials]) -> None:
    credentials = service[1]
    stub = policy_service_pb2_grpc.PolicyServiceStub(channel)
    viewer = (("authorization", f"Bearer {credentials.token('mallory', 'viewer')}"),
              ("x-request-id", "refused-create"))
    with pytest.raises(grpc.RpcError) as caught:
        stub.CreatePolicy(pb.CreatePolicyRequest(), timeout=10, metadata=viewer)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    _refused(channel, f"Bearer {credentials.token('mallory', 'nobody-role')}")
    admin = (("authorization", f"Bearer {credentials.token('ada', 'admin')}"),)
    found = stub.ListAuditRecords(pb.ListAuditRecordsRequest(principal="mallory"), timeout=10, metadata=admin)
    assert [(r.method, r.status_code, r.request_id) for r in found.audit_records] == [
        ("/sextant.policy.v1.PolicyService/CreatePolicy", "PERMISSION_DENIED", "refused-create")]
    assert found.audit_records[0].error_reason == error_info(caught.value).reason


def test_a_token_header_naming_no_algorithm_string_is_unauthenticated(channel: grpc.Channel) -> None:
    import base64
    import json

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    body = {"sub": "vera", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "roles": ["viewer"]}
    for header in ({"alg": ["HS256"], "typ": "JWT"}, {"alg": {"name": "HS256"}}, {"alg": None}):
        token = f"{part(header)}.{part(body)}.c2ln"
        assert _refused(channel, f"Bearer {token}") == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MALFORMED")


def test_a_caller_passing_as_someone_else_is_refused_and_audited(channel: grpc.Channel,
                                                                  service: tuple[RunningServer, Credentials]) -> None:
    credentials = service[1]
    stub = policy_service_pb2_grpc.PolicyServiceStub(channel)
    spoof = (("authorization", f"Bearer {credentials.token('sly', 'data-scientist')}"),
             ("x-sextant-on-behalf-of", "ada"), ("x-request-id", "spoofed-create"))
    with pytest.raises(grpc.RpcError) as caught:
        stub.CreatePolicy(pb.CreatePolicyRequest(), timeout=10, metadata=spoof)
    assert (caught.value.code(), error_info(caught.value).reason) == (grpc.StatusCode.PERMISSION_DENIED,
                                                                      "ON_BEHALF_OF_NOT_ALLOWED")
    admin = (("authorization", f"Bearer {credentials.token('ada', 'admin')}"),)
    found = stub.ListAuditRecords(pb.ListAuditRecordsRequest(principal="sly"), timeout=10, metadata=admin)
    assert [(r.method, r.status_code, r.error_reason, r.request_id) for r in found.audit_records] == [
        ("/sextant.policy.v1.PolicyService/CreatePolicy", "PERMISSION_DENIED", "ON_BEHALF_OF_NOT_ALLOWED",
         "spoofed-create")]
