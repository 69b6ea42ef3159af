"""A tiny service on the common server kit, for testing the kit itself (no contract needed).

Run as a script it serves until SIGTERM, writing its ready file like every Sextant service.
Methods take and return raw bytes: ``Echo`` answers its input, ``Slow`` sleeps the number of
milliseconds in its input first (touching the marker file named after a colon), ``NotFound`` raises a domain error and ``Crash`` an unexpected one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import grpc

from services.common.errors import NotFound
from services.common.logging import configure_logging
from services.common.server import RunningServer, create_server, serve
from services.common.settings import ServiceSettings

SERVICE = "sextant.probe.v1.ProbeService"
SECRET = "s3cr3t-detail-that-must-not-leak"


def _echo(request: bytes, _context: grpc.ServicerContext) -> bytes:
    return request


def _slow(request: bytes, _context: grpc.ServicerContext) -> bytes:
    # The request is "<milliseconds>[:<marker file>]"; the marker tells a test the call has begun.
    millis, _, marker = request.decode().partition(":")
    if marker:
        Path(marker).touch()
    time.sleep(int(millis or "0") / 1000)
    return b"done"


def _not_found(_request: bytes, _context: grpc.ServicerContext) -> bytes:
    raise NotFound("model", "credit-risk")


def _crash(_request: bytes, _context: grpc.ServicerContext) -> bytes:
    raise RuntimeError(SECRET)


def _register(server: grpc.Server) -> list[str]:
    handlers = {name: grpc.unary_unary_rpc_method_handler(fn) for name, fn in
                {"Echo": _echo, "Slow": _slow, "NotFound": _not_found, "Crash": _crash}.items()}
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    return [SERVICE]


def start(**overrides: object) -> RunningServer:
    """Start the probe on a free port in this process."""
    return create_server("probe", ServiceSettings(**overrides), _register)


if __name__ == "__main__":
    configure_logging("probe")
    grace = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    running = start(grace_seconds=grace)
    serve(running, grace, ready_file=sys.argv[1])
