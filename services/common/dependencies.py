"""Calls from one Sextant service to another.

A :class:`Dependency` holds one channel (keepalive, retries of idempotent reads) and one stub to a
peer service. Each call carries the current request's id and principal in its metadata and a
deadline no later than the current request's, and a peer that cannot be reached becomes the domain
error :class:`~services.common.errors.Unavailable` naming the dependency, so callers decide what an
outage means for them (the registry refuses to move a protected alias, for example).
"""

from __future__ import annotations

import threading
from typing import Any

import grpc
from google.protobuf import descriptor as _descriptor

from services.common.auth import current_principal
from services.common.errors import DeadlineExceeded, Unavailable
from services.common.interceptors import REQUEST_ID_HEADER, remaining_time, request_id_var
from sextant.channels import open_channel

_UNREACHABLE = {grpc.StatusCode.UNAVAILABLE}


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

    @property
    def stub(self) -> Any:
        """The generated stub, connecting on first use."""
        with self._lock:
            if self._stub is None:
                self._channel = open_channel(self.address, [self._service])
                self._stub = self._stub_class(self._channel)
            return self._stub

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """Request id and principal of the current request, for the peer's logs and audit."""
        pairs = [("x-sextant-principal", current_principal().subject)]
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
