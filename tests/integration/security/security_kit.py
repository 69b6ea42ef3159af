"""What the security tests share: credential files, token minting and channels that carry a credential."""

from __future__ import annotations

import collections
import dataclasses
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jwt
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services import catalog
from services.common.auth import ROLES, new_api_key
from services.common.server import RunningServer
from tests.secret_watch import issue

ISSUER = "sextant-test-issuer"
AUDIENCE = "sextant-test"


@dataclass
class Credentials:
    """An HS256 secret and API keys written where services read them, and tokens minted with the secret."""

    folder: Path
    secret: str
    #: API key name -> the key in clear (the file holds only its sha256).
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def secret_file(self) -> Path:
        """File of the shared HS256 secret."""
        return self.folder / "jwt-secret"

    @property
    def keys_file(self) -> Path:
        """JSON file of the API keys' digests."""
        return self.folder / "api-keys.json"

    def token(self, subject: str, *roles: str, scopes: Iterable[str] = (), lifetime: float = 600,
              audience: str = AUDIENCE, issuer: str = ISSUER, secret: str | None = None) -> str:
        """A signed HS256 JWT (negative ``lifetime``: already expired)."""
        now = int(time.time())
        claims: dict[str, Any] = {"sub": subject, "iss": issuer, "aud": audience, "iat": now,
                                  "exp": now + int(lifetime), "roles": list(roles)}
        if scopes:
            claims["scope"] = " ".join(scopes)
        return issue(jwt.encode(claims, secret or self.secret, algorithm="HS256"))

    def settings(self, service_key: str | None = None) -> dict[str, object]:
        """Settings overrides enforcing authentication with these credentials."""
        values: dict[str, object] = {"auth_mode": "enforce", "jwt_secret_file": str(self.secret_file),
                                     "api_keys_file": str(self.keys_file), "jwt_issuer": ISSUER,
                                     "jwt_audience": AUDIENCE, "jwt_leeway_seconds": 5}
        if service_key is not None:
            path = self.folder / f"{service_key}.credential"
            path.write_text(self.keys[service_key] + "\n")
            values["service_credential_file"] = str(path)
        return values


def write_credentials(folder: Path, api_keys: dict[str, tuple[Iterable[str], Iterable[str]]]) -> Credentials:
    """Write a fresh secret and API keys (name -> (roles, scopes)) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    credentials = Credentials(folder, issue(secrets.token_urlsafe(32)))
    credentials.secret_file.write_text(credentials.secret + "\n")
    entries = []
    for name, (roles, scopes) in api_keys.items():
        key, digest = new_api_key()
        credentials.keys[name] = issue(key)
        entries.append({"name": name, "roles": sorted(roles), "scopes": sorted(scopes), "sha256": digest})
    credentials.keys_file.write_text(json.dumps({"keys": entries}))
    return credentials


class _CallDetails(collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
        grpc.ClientCallDetails):
    pass


class _Metadata(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds fixed metadata pairs to every call."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self._pairs = pairs

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        return _CallDetails(details.method, details.timeout, [*(details.metadata or ()), *self._pairs],
                            details.credentials, getattr(details, "wait_for_ready", None),
                            getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation: Callable, details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Callable, details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Callable, details: grpc.ClientCallDetails, requests: Any) -> Any:
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation: Callable, details: grpc.ClientCallDetails, requests: Any) -> Any:
        return continuation(self._details(details), requests)


def with_credential(channel: grpc.Channel, credential: str | None, **extra: str) -> grpc.Channel:
    """``channel`` sending ``authorization: Bearer <credential>`` (and ``extra`` headers) on every call."""
    pairs = ((("authorization", f"Bearer {credential}"),) if credential else ()) + tuple(
        (name.replace("_", "-"), value) for name, value in extra.items())
    return grpc.intercept_channel(channel, _Metadata(pairs))


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    """The ErrorInfo of a failed call."""
    status = rpc_status.from_call(error)
    assert status is not None, f"no rich status on {error.code()}: {error.details()}"
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError("the status carries no ErrorInfo")


#: One API key per role plus a serving key that may only predict.
ROLE_KEYS: dict[str, tuple[Iterable[str], Iterable[str]]] = {
    **{f"key-{role}": ((role,), ()) for role in ROLES},
    "svc-serving-client": ((), ("predict",)),
}


def start_service(name: str, tmp_path: Path, database_url: str = "", **overrides: Any) -> RunningServer:
    """Any service on port 0 with its dependencies pointing at a port nobody listens on."""
    cls = catalog.settings_class(name)
    fields = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {"port": 0, "data_dir": str(tmp_path / name), "database_url": database_url,
                              "log_level": "warning"}
    values.update({f: "127.0.0.1:1" for f in fields if f.endswith("_address") and f != "dask_scheduler_address"})
    return catalog.start(name, cls(**{**values, **overrides}))
