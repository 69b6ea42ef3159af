"""``sextant certs``: a development CA and the certificates TLS and mutual TLS need.

Writes into one folder: ``ca.pem`` / ``ca-key.pem`` (the CA), ``server.pem`` / ``server-key.pem``
(valid for 127.0.0.1, localhost and every service name, so one certificate serves the whole local or
compose stack, and also a client identity for services calling each other) and ``client.pem`` / ``client-key.pem`` (a client identity for mutual TLS, usable by
services calling each other and by the SDK). Keys are ECDSA P-256 and written readable by the owner
only. For development: production certificates come from the organisation's own CA.

    sextant certs --out .sextant/certs
    SEXTANT_REGISTRY_TLS_CERT_FILE=.sextant/certs/server.pem ...
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Host names of the services in the local and compose stacks.
SERVICE_NAMES = ("featurestore", "training", "registry", "serving", "monitoring", "policy")
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class DevPki:
    """Paths of the files :func:`generate` wrote."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sextant development"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: x509.Name, key: ec.EllipticCurvePrivateKey, days: int) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=days)))


def _leaf(subject: str, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, days: int,
          usages: Sequence[x509.ObjectIdentifier], names: Sequence[str]) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (_builder(subject, ca_cert.subject, key, days)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage(list(usages)), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write(path: Path, data: bytes, *, private: bool = False) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    if private:
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def generate(folder: Path, *, hosts: Sequence[str] = (), client_name: str = "sextant-client",
             days: int = DEFAULT_DAYS) -> DevPki:
    """Write a fresh development CA, a server and a client certificate into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (_builder("Sextant development CA", _name("Sextant development CA"), ca_key, days)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    names = list(dict.fromkeys(("localhost", "127.0.0.1", "::1", *SERVICE_NAMES, *hosts)))
    # Services present their server certificate when they call each other, so it serves both ends.
    server_cert, server_key = _leaf("sextant-server", ca_cert, ca_key, days,
                                    (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH), names)
    client_cert, client_key = _leaf(client_name, ca_cert, ca_key, days, (ExtendedKeyUsageOID.CLIENT_AUTH,),
                                    [client_name] if client_name else [])
    pem = serialization.Encoding.PEM
    return DevPki(
        ca_cert=_write(folder / "ca.pem", ca_cert.public_bytes(pem)),
        ca_key=_write(folder / "ca-key.pem", _pem_key(ca_key), private=True),
        server_cert=_write(folder / "server.pem", server_cert.public_bytes(pem)),
        server_key=_write(folder / "server-key.pem", _pem_key(server_key), private=True),
        client_cert=_write(folder / "client.pem", client_cert.public_bytes(pem)),
        client_key=_write(folder / "client-key.pem", _pem_key(client_key), private=True),
    )


def add_parser(commands: Any) -> None:
    """Add ``sextant certs`` to the CLI's subcommands."""
    certs = commands.add_parser("certs", help="write a development CA and server/client certificates for TLS")
    certs.add_argument("--out", default=".sextant/certs", help="folder to write into (default: .sextant/certs)")
    certs.add_argument("--host", action="append", default=[], metavar="NAME",
                       help="an extra host name or IP address for the server certificate (repeatable)")
    certs.add_argument("--client-name", default="sextant-client", help="common name of the client certificate")
    certs.add_argument("--days", type=int, default=DEFAULT_DAYS, help="validity in days (default: 365)")
    certs.add_argument("--force", action="store_true", help="overwrite certificates already in the folder")
    certs.add_argument("--json", action="store_true", help="print the written paths as JSON")


def run(args: argparse.Namespace) -> int:
    """Body of ``sextant certs``; returns the exit code."""
    folder = Path(args.out)
    if args.days < 1:
        print("sextant: USAGE: --days must be at least 1", file=sys.stderr)
        return 2
    if (folder / "ca.pem").exists() and not args.force:
        print(f"sextant: CA_EXISTS: {folder} already holds a CA; pass --force to replace it", file=sys.stderr)
        return 1
    pki = generate(folder, hosts=args.host, client_name=args.client_name, days=args.days)
    if getattr(args, "json", False):
        print(json.dumps({key: str(value) for key, value in vars(pki).items()}))
        return 0
    print(f"wrote a development CA and certificates to {folder}")
    print("  servers: SEXTANT_<SERVICE>_TLS_CERT_FILE=" + str(pki.server_cert)
          + " SEXTANT_<SERVICE>_TLS_KEY_FILE=" + str(pki.server_key))
    print("  mutual TLS: SEXTANT_<SERVICE>_TLS_CLIENT_CA_FILE=" + str(pki.ca_cert))
    print("  service to service: SEXTANT_<SERVICE>_TLS_CA_FILE=" + str(pki.ca_cert))
    print(f"  SDK: SEXTANT_TLS_CA_FILE={pki.ca_cert} SEXTANT_TLS_CERT_FILE={pki.client_cert} "
          f"SEXTANT_TLS_KEY_FILE={pki.client_key}")
    print("for development only: keep ca-key.pem private")
    return 0
