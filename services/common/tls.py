"""TLS for the servers and for the calls services make to each other, from settings.

A server with ``tls_cert_file`` and ``tls_key_file`` serves TLS only; with ``tls_client_ca_file`` as
well, every client must present a certificate signed by that CA (mutual TLS) or the handshake fails.
A service with ``tls_ca_file`` calls its peers over TLS, verifying them with that CA and presenting
its own certificate (the same ``tls_cert_file``) so mutual TLS works between services. ``sextant
certs`` writes a development CA and certificates for all of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc

from services.common.settings import ServiceSettings, SettingsError, env_name


def _read(service: str, settings: ServiceSettings, field_name: str) -> bytes:
    path = getattr(settings, field_name)
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SettingsError(env_name(service, field_name), f"cannot read {path}: {error.strerror}") from None


def server_credentials(service: str, settings: ServiceSettings) -> grpc.ServerCredentials | None:
    """The server's TLS credentials, or None to serve plaintext (no ``tls_cert_file``)."""
    if not settings.tls_cert_file and not settings.tls_key_file:
        if settings.tls_client_ca_file:
            raise SettingsError(env_name(service, "tls_client_ca_file"),
                                "mutual TLS needs tls_cert_file and tls_key_file as well")
        return None
    if not settings.tls_cert_file or not settings.tls_key_file:
        missing = "tls_key_file" if settings.tls_cert_file else "tls_cert_file"
        raise SettingsError(env_name(service, missing), "tls_cert_file and tls_key_file go together")
    pair = [(_read(service, settings, "tls_key_file"), _read(service, settings, "tls_cert_file"))]
    if settings.tls_client_ca_file:
        return grpc.ssl_server_credentials(pair, root_certificates=_read(service, settings, "tls_client_ca_file"),
                                           require_client_auth=True)
    return grpc.ssl_server_credentials(pair)


@dataclass(frozen=True)
class PeerTls:
    """What a service needs to call its peers over TLS: their CA and, for mutual TLS, its own identity."""

    root_certificates: bytes
    certificate_chain: bytes | None = None
    private_key: bytes | None = None

    def channel_credentials(self) -> grpc.ChannelCredentials:
        """gRPC channel credentials for a peer."""
        return grpc.ssl_channel_credentials(root_certificates=self.root_certificates, private_key=self.private_key,
                                            certificate_chain=self.certificate_chain)


def peer_tls(service: str, settings: ServiceSettings) -> PeerTls | None:
    """TLS for calls to peers, or None when they are called in plaintext (no ``tls_ca_file``)."""
    if not settings.tls_ca_file:
        return None
    identity = settings.tls_cert_file and settings.tls_key_file
    return PeerTls(_read(service, settings, "tls_ca_file"),
                   _read(service, settings, "tls_cert_file") if identity else None,
                   _read(service, settings, "tls_key_file") if identity else None)
