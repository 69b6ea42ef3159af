"""Client channels to Sextant services, for the SDK and for services calling each other.

Every channel has keepalive pings (so a dead peer is noticed while a long stream is idle), the same
message size limit as the servers, and a retry policy that gRPC applies transparently to idempotent
reads (``Get*``, ``List*``) on UNAVAILABLE. Callers pass a deadline on every call; :func:`deadline`
gives the default. Given ``root_certificates`` (PEM of the CA that signed the server) the channel is
TLS, and with ``certificate_chain`` and ``private_key`` as well it presents a client certificate
(mutual TLS).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import grpc
from google.protobuf import descriptor as _descriptor

DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
IDEMPOTENT_PREFIXES = ("Get", "List", "Check")


def retry_service_config(services: Iterable[_descriptor.ServiceDescriptor]) -> str:
    """A gRPC service config retrying the idempotent unary methods of ``services`` on UNAVAILABLE."""
    names = []
    for service in services:
        for method in service.methods:
            if method.name.startswith(IDEMPOTENT_PREFIXES) and not method.client_streaming \
                    and not method.server_streaming:
                names.append({"service": service.full_name, "method": method.name})
    config = {"methodConfig": [{
        "name": names,
        "retryPolicy": {
            "maxAttempts": 4,
            "initialBackoff": "0.05s",
            "maxBackoff": "1s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"],
        },
    }]} if names else {}
    return json.dumps(config)


def open_channel(address: str, services: Iterable[_descriptor.ServiceDescriptor] = (),
                 *, max_message_bytes: int = MAX_MESSAGE_BYTES, root_certificates: bytes | None = None,
                 certificate_chain: bytes | None = None, private_key: bytes | None = None) -> grpc.Channel:
    """A channel to ``address`` with keepalive and retries for ``services``' reads; TLS with a CA given."""
    if bool(certificate_chain) != bool(private_key):
        raise ValueError("certificate_chain and private_key go together (a client certificate needs both)")
    if certificate_chain and not root_certificates:
        raise ValueError("a client certificate needs root_certificates (mutual TLS runs over TLS)")
    options = [
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.keepalive_timeout_ms", 10_000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.enable_retries", 1),
    ]
    config = retry_service_config(services)
    if config != "{}":
        options.append(("grpc.service_config", config))
    if root_certificates:
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates, private_key=private_key,
                                                   certificate_chain=certificate_chain)
        return grpc.secure_channel(address, credentials, options=options)
    return grpc.insecure_channel(address, options=options)
