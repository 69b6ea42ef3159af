"""Calls from one Sextant service to another.

A :class:`Dependency` holds one channel (keepalive, retries of idempotent reads) and one stub to a
peer service. Each call carries the current request's id, this service's own credential (when
``service_credential_file`` is set) and the user it acts for (``x-sextant-on-behalf-of``, honoured by
the peer only because the credential holds the ``service`` role) in its metadata, and a deadline no
later than the current request's. A peer that cannot be reached becomes the domain error
:class:`~services.common.errors.Unavailable` naming the dependency, so callers decide what an outage
means for them (the registry refuses to move a protected alias, for example).

How peers are reached (TLS, credential) is the process's :class:`PeerSecurity`, set by
:func:`~services.common.server.create_server` from the service's settings before the first call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import descriptor as _descriptor

from services.common.auth import ANONYMOUS, AUTHORIZATION_HEADER, ON_BEHALF_OF_HEADER, current_principal
from services.common.errors import DeadlineExceeded, Unavailable
from services.common.interceptors import REQUEST_ID_HEADER, remaining_time, request_id_var
from services.common.tls import PeerTls
from sextant.channels import open_channel

_UNREACHABLE = {grpc.StatusCode.UNAVAILABLE}


@dataclass(frozen=True)
class PeerSecurity:
    """How this process reaches its peers: TLS (None: plaintext) and its own credential (None: none)."""

    tls: PeerTls | None = None
    credential: str | None = None


_security = PeerSecurity()
_security_lock = threading.Lock()


def set_peer_security(security: PeerSecurity) -> PeerSecurity:
    """Make ``security`` the process's way of reaching peers; returns the previous one (to restore)."""
    global _security
    with _security_lock:
        previous, _security = _security, security
    return previous


def peer_security() -> PeerSecurity:
    """The process's way of reaching peers."""
    return _security


class Dependency:
    """A lazily connected client to one peer service."""

    def __init__(self, name: str, address: str, stub_class: type, service: _descriptor.ServiceDescriptor,
                 *, timeout: float = 5.0) -> None:
        self.name = name
        self.address = address
        self._stub_class = stub_class
        self._service = service
        self._timeout = timeout
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._stub: Any = None
        self._auth: tuple[tuple[str, str], ...] = ()
        self._security: PeerSecurity | None = None

    @property
    def stub(self) -> Any:
        """The generated stub, connecting on first use (and again if the process's peer security changed)."""
        security = peer_security()
        with self._lock:
            if self._stub is None or security is not self._security:
                if self._channel is not None:
                    self._channel.close()
                tls = security.tls
                self._channel = open_channel(
                    self.address, [self._service], root_certificates=tls.root_certificates if tls else None,
                    certificate_chain=tls.certificate_chain if tls else None,
                    private_key=tls.private_key if tls else None)
                self._auth = (((AUTHORIZATION_HEADER, f"Bearer {security.credential}"),)
                              if security.credential else ())
                self._security = security
                self._stub = self._stub_class(self._channel)
            return self._stub

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """This service's credential, the user it acts for and the request id, for the peer."""
        if self._security is not peer_security():
            self.stub  # noqa: B018 - (re)connects and resolves the credential
        pairs = list(self._auth)
        principal = current_principal()
        # Outside any request (background work) the service acts as itself.
        if principal is not ANONYMOUS:
            pairs.append((ON_BEHALF_OF_HEADER, principal.subject))
        request_id = request_id_var.get()
        if request_id:
            pairs.append((REQUEST_ID_HEADER, request_id))
        return tuple(pairs)

    def call(self, method: str, request: Any, *, timeout: float | None = None) -> Any:
        """Call a unary ``method``; unreachable or too slow peers raise Unavailable/DeadlineExceeded."""
        budget = remaining_time(timeout if timeout is not None else self._timeout)
        try:
            return getattr(self.stub, method)(request, timeout=budget, metadata=self.metadata())
        except grpc.RpcError as error:
            code = error.code() if hasattr(error, "code") else None
            if code in _UNREACHABLE:
                raise Unavailable(f"the {self.name} service at {self.address} is unavailable",
                                  reason=f"{self.name.upper()}_UNAVAILABLE",
                                  metadata={"dependency": self.name, "address": self.address}) from None
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise DeadlineExceeded(f"the {self.name} service did not answer within {budget:.2f}s",
                                       reason=f"{self.name.upper()}_DEADLINE_EXCEEDED",
                                       metadata={"dependency": self.name, "timeout_seconds": round(budget, 3)}
                                       ) from None
            raise

    def close(self) -> None:
        """Close the channel (server shutdown)."""
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = None
            self._stub = None
            self._auth = ()
