"""Server bootstrap shared by every service.

``create_server`` builds a sync gRPC server with a thread pool (measured on this machine it answered
more requests per second than grpc.aio, and serving's hot path depends on it), registers the
service's handlers, the standard health service and reflection, binds ``host:port`` (port 0 returns
the real port; TLS, and mutual TLS, when the settings name certificates), sets how the process reaches
its peers (TLS, its own credential) and starts the Prometheus endpoint. ``serve`` runs it until SIGTERM or SIGINT, then
reports NOT_SERVING, lets in-flight RPCs drain for the grace period and stops.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import start_http_server

from services.common.auth import authenticator_for, read_service_credential
from services.common.dependencies import PeerSecurity, set_peer_security
from services.common.interceptors import DenialListener, ServerInterceptor
from services.common.logging import get_logger
from services.common.settings import ServiceSettings, SettingsError, env_name
from services.common.tls import peer_tls, server_credentials


class BindError(RuntimeError):
    """The server could not bind its address (usually: the port is taken)."""


@dataclass
class RunningServer:
    """A started server: its real port, its health servicer and how to stop it."""

    service: str
    server: grpc.Server
    port: int
    health: health.HealthServicer
    service_names: tuple[str, ...]
    metrics_port: int | None = None
    #: ``enforce`` or ``none`` (development: every caller admitted).
    auth_mode: str = "none"
    #: ``off``, ``tls`` or ``mutual``.
    tls: str = "off"
    _on_stop: list[Callable[[], None]] = field(default_factory=list)
    _on_drain: list[Callable[[], None]] = field(default_factory=list)

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>`` style address clients can dial."""
        return f"127.0.0.1:{self.port}"

    def add_stop_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after the server has drained (close databases, stop background threads)."""
        self._on_stop.append(callback)

    def add_drain_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when draining starts: end long-lived streams so they do not hold the grace."""
        self._on_drain.append(callback)

    def stop(self, grace: float) -> None:
        """Report NOT_SERVING, refuse new RPCs, let in-flight ones finish within ``grace`` seconds."""
        self.health.enter_graceful_shutdown()
        stopped = self.server.stop(grace)
        # Event feeds end now (subscribers resume from their last revision elsewhere); unary calls
        # and uploads in flight keep the grace period to finish.
        for callback in self._on_drain:
            callback()
        self._on_drain.clear()
        stopped.wait()
        for callback in reversed(self._on_stop):
            callback()
        self._on_stop.clear()


def create_server(
    service: str,
    settings: ServiceSettings,
    register: Callable[[grpc.Server], Iterable[str]],
    *,
    extra_interceptors: Sequence[grpc.ServerInterceptor] = (),
    access_log: bool = True,
    denial_listener: DenialListener | None = None,
) -> RunningServer:
    """Build, bind and start a server; ``register`` adds handlers and returns their full service names."""
    log = get_logger("server")
    try:
        authenticator = authenticator_for(settings)
    except ValueError as error:
        raise SettingsError(env_name(service, "auth_mode"), str(error)) from None
    if not authenticator.enforcing:
        log.warning("authentication is off: every caller is admitted (development mode)")
    credentials = server_credentials(service, settings)
    security = _peer_security(service, settings)
    options = [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        # Without this, Linux lets a second server bind the same port and split the traffic.
        ("grpc.so_reuseport", 0),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ]
    server = grpc.server(
        ThreadPoolExecutor(max_workers=settings.max_workers, thread_name_prefix=f"{service}-rpc"),
        interceptors=[ServerInterceptor(service, authenticator, access_log=access_log,
                                        denial_listener=denial_listener), *extra_interceptors],
        options=options,
        maximum_concurrent_rpcs=None,
    )
    names = tuple(register(server))
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server)
    address = f"{settings.host}:{settings.port}"
    try:
        port = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    except RuntimeError as error:
        raise BindError(f"{service}: cannot listen on {address} (is the port taken?)") from error
    if port == 0:
        raise BindError(f"{service}: cannot listen on {address} (is the port taken?)")
    server.start()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    for name in names:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    metrics_port = None
    if settings.metrics_port >= 0:
        try:
            http_server, _thread = start_http_server(settings.metrics_port, addr=settings.host)
        except OSError as error:
            server.stop(0)
            raise BindError(f"{service}: cannot serve metrics on {settings.host}:{settings.metrics_port} "
                            f"({error.strerror})") from error
        metrics_port = http_server.server_port
    tls = "mutual" if settings.tls_client_ca_file else "tls" if credentials else "off"
    auth_mode = "enforce" if authenticator.enforcing else "none"
    log.info("serving", address=f"{settings.host}:{port}", services=list(names), metrics_port=metrics_port,
             tls=tls, auth=auth_mode)
    running = RunningServer(service, server, port, health_servicer, names, metrics_port, auth_mode, tls)
    if metrics_port is not None:
        running.add_stop_callback(http_server.shutdown)
    if security is not None:
        previous = set_peer_security(security)
        running.add_stop_callback(lambda: set_peer_security(previous))
    return running


def _peer_security(service: str, settings: ServiceSettings) -> PeerSecurity | None:
    """How this service reaches its peers, or None when the settings leave it at plaintext, no credential."""
    tls = peer_tls(service, settings)
    try:
        credential = read_service_credential(settings.service_credential_file)
    except OSError as error:
        raise SettingsError(env_name(service, "service_credential_file"),
                            f"cannot read {settings.service_credential_file}: {error.strerror}") from None
    if tls is None and credential is None:
        return None
    return PeerSecurity(tls, credential)


def serve(running: RunningServer, grace: float, ready_file: str | None = None) -> None:
    """Block until SIGTERM or SIGINT, then stop gracefully.

    When ``ready_file`` is given, the server's pid and ports are written there (atomically) once it
    serves, so a supervisor such as ``sextant up`` can find a port chosen by the OS.
    """
    log = get_logger("server")
    stopping = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal received, draining", signal=signal.Signals(signum).name, grace_seconds=grace)
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if ready_file:
        write_ready_file(Path(ready_file), running)
    stopping.wait()
    running.stop(grace)
    log.info("stopped")


def write_ready_file(path: Path, running: RunningServer) -> None:
    """Write ``{"pid", "port", "metrics_port", "services", "auth_mode", "tls"}`` to ``path`` (temp file, rename).

    ``sextant status`` reads ``auth_mode`` to say when a service runs open (development mode).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "port": running.port, "metrics_port": running.metrics_port,
                               "services": list(running.service_names), "auth_mode": running.auth_mode,
                               "tls": running.tls}))
    os.replace(tmp, path)
