"""What every SDK client shares: the channel, credentials, deadlines, error mapping and paging.

A client owns one channel to its service. The channel carries the caller's credential on every call
as ``authorization: Bearer <credential>`` metadata and fills in the default deadline when a call has
none, both through a client interceptor, so calls made directly on ``client.stub`` get them too.
Every ``grpc.RpcError`` raised by the SDK's own methods is turned into the tree of
:mod:`sextant.errors`.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import grpc
from google.protobuf import descriptor as _descriptor

from sextant import errors
from sextant.channels import DEFAULT_TIMEOUT_SECONDS, open_channel

T = TypeVar("T")

#: Environment variables read when a client is built without the matching argument.
CREDENTIAL_ENV = "SEXTANT_CREDENTIAL"
TLS_CA_ENV = "SEXTANT_TLS_CA_FILE"
TLS_CERT_ENV = "SEXTANT_TLS_CERT_FILE"
TLS_KEY_ENV = "SEXTANT_TLS_KEY_FILE"

#: Deadline of the long-lived streams (watch, training progress) unless the caller gives one.
WATCH_TIMEOUT_SECONDS = 24 * 3600.0
#: Least deadline of bulk transfers (ingest, training sets, artifacts, logs) unless the caller gives one.
BULK_TIMEOUT_SECONDS = 300.0


class _CallDetails(collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
        grpc.ClientCallDetails):
    pass


class _Defaults(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds the credential metadata and the default deadline to every call."""

    def __init__(self, credential: str | None, timeout: float) -> None:
        self._auth = (("authorization", f"Bearer {credential}"),) if credential else ()
        self._timeout = timeout

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata = list(details.metadata or ())
        if self._auth and not any(key == "authorization" for key, _ in metadata):
            metadata.extend(self._auth)
        timeout = self._timeout if details.timeout is None else details.timeout
        return _CallDetails(details.method, timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation: Callable, details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Callable, details: grpc.ClientCallDetails, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Callable, details: grpc.ClientCallDetails,
                               request_iterator: Any) -> Any:
        return continuation(self._details(details), request_iterator)

    def intercept_stream_stream(self, continuation: Callable, details: grpc.ClientCallDetails,
                                request_iterator: Any) -> Any:
        return continuation(self._details(details), request_iterator)


def _read(path: str | os.PathLike | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


class ServiceClient:
    """The base of the per-service clients: one channel, its stub, default deadline and credential.

    ``credential`` is a JWT or an API key (``sxk_…``); ``tls_ca_file`` (the CA that signed the
    server's certificate) switches the channel to TLS, and ``tls_cert_file`` with ``tls_key_file``
    add a client certificate (mutual TLS). Each falls back to its environment variable
    (``SEXTANT_CREDENTIAL``, ``SEXTANT_TLS_CA_FILE``, ``SEXTANT_TLS_CERT_FILE``,
    ``SEXTANT_TLS_KEY_FILE``). ``timeout`` is the default deadline of every call in seconds (bulk
    transfers get at least 300 s, watch streams a day); each method also takes ``timeout=`` for one
    call. Use the client as a context manager, or call :meth:`close`.
    """

    SERVICE: ClassVar[str] = ""
    STUB: ClassVar[type] = object
    DESCRIPTOR: ClassVar[_descriptor.ServiceDescriptor | None] = None

    def __init__(self, address: str, *, credential: str | None = None, tls_ca_file: str | None = None,
                 tls_cert_file: str | None = None, tls_key_file: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.address = address
        self.timeout = timeout
        credential = credential if credential is not None else os.environ.get(CREDENTIAL_ENV) or None
        ca_file = tls_ca_file or os.environ.get(TLS_CA_ENV) or None
        cert_file = tls_cert_file or os.environ.get(TLS_CERT_ENV) or None
        key_file = tls_key_file or os.environ.get(TLS_KEY_ENV) or None
        services = [self.DESCRIPTOR] if self.DESCRIPTOR is not None else []
        self._raw_channel = open_channel(address, services, root_certificates=_read(ca_file),
                                         certificate_chain=_read(cert_file), private_key=_read(key_file))
        self.channel = grpc.intercept_channel(self._raw_channel, _Defaults(credential, timeout))
        self.stub = self.STUB(self.channel)

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._raw_channel.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address!r})"

    def _timeout(self, timeout: float | None) -> float:
        return self.timeout if timeout is None else timeout

    def _bulk(self, timeout: float | None) -> float:
        """The deadline of a bulk transfer: the caller's, else at least ``BULK_TIMEOUT_SECONDS``."""
        return max(self.timeout, BULK_TIMEOUT_SECONDS) if timeout is None else timeout

    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        """A unary (or client-streaming) call with errors mapped to :mod:`sextant.errors`."""
        try:
            return getattr(self.stub, method)(request, timeout=self._timeout(timeout))
        except grpc.RpcError as error:
            raise errors.from_rpc_error(error) from None

    def _stream(self, method: str, request: Any, timeout: float | None = None) -> Iterator[Any]:
        """The responses of a server-streaming call, with errors mapped while iterating."""
        call = getattr(self.stub, method)(request, timeout=self._timeout(timeout))
        try:
            yield from call
        except grpc.RpcError as error:
            raise errors.from_rpc_error(error) from None
        finally:
            call.cancel()

    def _pages(self, method: str, request: Any, items: str, timeout: float | None = None) -> Iterator[Any]:
        """Every item of a paged List call, following ``next_page_token`` until it is empty."""
        while True:
            response = self._call(method, request, timeout)
            yield from getattr(response, items)
            if not response.next_page_token:
                return
            request.page_token = response.next_page_token
