"""The one server interceptor every Sextant service runs.

For each call, before the handler: a request id (taken from ``x-request-id`` or minted), the peer and
the principal (from the authentication hook) are bound to the logging context, the permission table
is checked when authentication is enforced (so PERMISSION_DENIED comes before any NOT_FOUND) and the
deadline is recorded for outgoing calls. After it: one access-log line, the latency histogram by method and code,
and the error mapping: a :class:`~services.common.errors.SextantError` becomes its canonical status
with one ErrorInfo; anything unexpected becomes INTERNAL carrying only the request id, with the
traceback logged here and never sent.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from services.common import auth
from services.common.call_metrics import CallHistogram, ScrapeTimeCollector
from services.common.errors import SextantError, from_peer_error, internal_status
from services.common.logging import bind_request, clear_request, get_logger
from services.common.permissions import authorize

_LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                    10, 30)


class RpcMetrics(ScrapeTimeCollector):
    """Every server's RPC metrics: latency and count by (service, method, code), calls in flight by
    service. Updated once per call under one lock and exported at scrape time (see
    services.common.call_metrics)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency: dict[tuple[str, str, str], CallHistogram] = {}
        self._in_flight: dict[str, int] = {}

    def started(self, service: str) -> None:
        """A call began."""
        with self._lock:
            self._in_flight[service] = self._in_flight.get(service, 0) + 1

    def finished(self, service: str, method: str, code: str, seconds: float) -> None:
        """A call ended with ``code`` after ``seconds``."""
        key = (service, method, code)
        with self._lock:
            self._in_flight[service] -= 1
            histogram = self._latency.get(key)
            if histogram is None:
                histogram = self._latency[key] = CallHistogram(_LATENCY_BUCKETS)
            histogram.observe(seconds)

    def collect(self) -> Iterator[Metric]:
        """The Prometheus families (called by the registry on every scrape)."""
        with self._lock:
            latency = [(list(key), h.buckets(), h.total, h.count) for key, h in self._latency.items()]
            in_flight = dict(self._in_flight)
        labels = ["service", "method", "code"]
        durations = HistogramMetricFamily("sextant_rpc_duration_seconds",
                                          "Server-side RPC latency by method and status code.", labels=labels)
        totals = CounterMetricFamily("sextant_rpc", "RPCs handled by method and status code.", labels=labels)
        for values, buckets, total, count in latency:
            durations.add_metric(values, buckets, total)
            totals.add_metric(values, count)
        gauge = GaugeMetricFamily("sextant_rpc_in_flight", "RPCs being handled now.", labels=["service"])
        for service, count in in_flight.items():
            gauge.add_metric([service], count)
        yield from (durations, totals, gauge)


RPC_METRICS = RpcMetrics()
REGISTRY.register(RPC_METRICS)

#: Absolute ``time.monotonic()`` deadline of the request being handled, for propagation to dependencies.
request_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("sextant_deadline", default=None)
#: The id of the request being handled.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("sextant_request_id", default="")

REQUEST_ID_HEADER = "x-request-id"


#: Told about every call refused by the permission table: (method, principal, error, request id, peer).
DenialListener = Callable[[str, auth.Principal, SextantError, str, str], None]


class _Aborted(Exception):
    """Marks that the handler already aborted the call through its context."""


class ServerInterceptor(grpc.ServerInterceptor):
    """Request id, logging context, authentication, access log, metrics and error mapping."""

    def __init__(self, service: str, authenticator: auth.Authenticator, *, access_log: bool = True,
                 denial_listener: DenialListener | None = None) -> None:
        self._service = service
        self._denial_listener = denial_listener
        self._domain = f"{service}.sextant"
        self._auth = authenticator
        self._enforcing = authenticator.enforcing
        self._access_log = access_log
        self._log = get_logger("rpc")
        self._handlers: dict[str, Any] = {}

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        # Runs on the server's single polling thread for every call, so it does no per-call work: the
        # wrapped handler of a method (with the interceptors after this one) is built once and reused,
        # and the call's metadata is read by the handler on its worker thread. Only methods that have a
        # handler are remembered, so the table is bounded by the services' RPCs.
        method = details.method
        wrapped = self._handlers.get(method)
        if wrapped is not None:
            return wrapped
        handler = continuation(details)
        if handler is None:
            return None
        if method.startswith(("/grpc.health.v1.", "/grpc.reflection.")):
            wrapped = handler
        elif handler.unary_unary:
            wrapped = handler._replace(unary_unary=self._wrap_unary(handler.unary_unary, method))
        elif handler.stream_unary:
            wrapped = handler._replace(stream_unary=self._wrap_unary(handler.stream_unary, method))
        elif handler.unary_stream:
            wrapped = handler._replace(unary_stream=self._wrap_stream(handler.unary_stream, method))
        else:
            wrapped = handler._replace(stream_stream=self._wrap_stream(handler.stream_stream, method))
        return self._handlers.setdefault(method, wrapped)

    def _begin(self, method: str, metadata: dict[str, str], context: grpc.ServicerContext, request_id: str) -> Any:
        """Bind the request's context, authenticate and authorize; returns the token resetting the principal."""
        request_id_var.set(request_id)
        RPC_METRICS.started(self._service)
        # Trailing metadata rides with the status, so echoing the id costs no extra frame.
        context.set_trailing_metadata(((REQUEST_ID_HEADER, request_id),))
        try:
            principal = self._auth.authenticate(method, metadata)
        except SextantError as refusal:
            bind_request(request_id=request_id, peer=context.peer(), method=method)
            if isinstance(refusal, auth.RelayRefused) and self._denial_listener is not None:
                # An authenticated caller tried to pass as someone else: as auditable as a role refusal.
                self._denial_listener(method, refusal.principal, refusal, request_id, context.peer())
            raise
        if principal.via:
            bind_request(request_id=request_id, peer=context.peer(), principal=principal.subject, via=principal.via,
                         method=method)
        else:
            bind_request(request_id=request_id, peer=context.peer(), principal=principal.subject, method=method)
        if self._enforcing:
            # Before the handler, so a caller without the role learns nothing about what exists.
            try:
                authorize(method, principal)
            except SextantError as refusal:
                if self._denial_listener is not None:
                    self._denial_listener(method, principal, refusal, request_id, context.peer())
                raise
        remaining = context.time_remaining()
        request_deadline.set(time.monotonic() + remaining if remaining is not None else None)
        return auth.set_current_principal(principal)

    def _end(self, method: str, started: float, code: grpc.StatusCode, token: Any) -> None:
        elapsed = time.perf_counter() - started
        RPC_METRICS.finished(self._service, method, code.name, elapsed)
        if self._access_log:
            self._log.info("rpc", code=code.name, duration_ms=round(elapsed * 1000, 3))
        if token is not None:
            try:
                auth.reset_current_principal(token)
            except ValueError:
                # A stream the client cancelled is finalised on another thread, in another context.
                auth.set_current_principal(auth.ANONYMOUS)
        request_deadline.set(None)
        clear_request()

    def _fail(self, error: BaseException, context: grpc.ServicerContext, request_id: str) -> grpc.StatusCode:
        """Abort the call for ``error``; returns the code it was answered with."""
        if isinstance(error, SextantError):
            status = error.to_status(self._domain)
            if error.code == grpc.StatusCode.INTERNAL:
                self._log.error("internal error", reason=error.reason, error=error.message)
            context.abort_with_status(_with_request_id(status, request_id))
        already = _code_of(context)
        if already is not None and already != grpc.StatusCode.OK:
            raise _Aborted() from error
        self._log.error("unhandled exception", exc_info=error)
        context.abort_with_status(_with_request_id(internal_status(request_id, self._domain), request_id))
        raise AssertionError("unreachable")  # abort_with_status always raises

    def _wrap_unary(self, behavior: Callable[..., Any], method: str) -> Callable[..., Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            with _CallScope(self, method, context):
                return behavior(request, context)

        return handle

    def _wrap_stream(self, behavior: Callable[..., Iterator[Any]], method: str) -> Callable[..., Iterator[Any]]:
        def handle(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            with _CallScope(self, method, context):
                yield from behavior(request, context)

        return handle


class _CallScope:
    """Everything around one call, unary or streaming: begin, error boundary, metrics and log.

    A class rather than a generator-based context manager: it runs on every call, and entering and
    leaving a generator (its StopIteration included) costs several microseconds more."""

    __slots__ = ("_context", "_method", "_owner", "_request_id", "_started", "_token")

    def __init__(self, owner: ServerInterceptor, method: str, context: grpc.ServicerContext) -> None:
        self._owner = owner
        self._method = method
        self._context = context

    def __enter__(self) -> None:
        self._started = time.perf_counter()
        self._token = None
        context = self._context
        metadata = {key: value for key, value in (context.invocation_metadata() or ()) if isinstance(value, str)}
        self._request_id = metadata.get(REQUEST_ID_HEADER) or os.urandom(16).hex()
        try:
            self._token = self._owner._begin(self._method, metadata, context, self._request_id)
        except BaseException as error:
            # A refused call (authentication, permissions) ends here: answered and recorded like any other.
            self.__exit__(type(error), error, None)
            raise

    def __exit__(self, _kind: object, error: BaseException | None, _traceback: object) -> bool:
        context = self._context
        code = grpc.StatusCode.OK
        try:
            if error is None:
                code = _code_of(context) or grpc.StatusCode.OK
            elif isinstance(error, GeneratorExit):
                code = grpc.StatusCode.CANCELLED
            elif isinstance(error, _Aborted):
                code = _code_of(context) or grpc.StatusCode.UNKNOWN
            elif isinstance(error, Exception):  # the error boundary of the server
                if isinstance(error, grpc.RpcError) and isinstance(error, grpc.Call):
                    error = from_peer_error(error)  # a peer's answer no handler caught: keep it canonical
                code = getattr(error, "code", None) if isinstance(error, SextantError) else None
                code = code or _code_of(context) or grpc.StatusCode.INTERNAL
                try:
                    self._owner._fail(error, context, self._request_id)
                except Exception:
                    code = _code_of(context) or code
                    raise
        finally:
            self._owner._end(self._method, self._started, code, self._token)
        return False


def _with_request_id(status: grpc.Status, request_id: str) -> grpc.Status:
    """``status`` with the request id added to its trailing metadata (aborting replaces the trailers)."""
    if not request_id:
        return status
    return status._replace(  # type: ignore[attr-defined]
        trailing_metadata=(*status.trailing_metadata, (REQUEST_ID_HEADER, request_id)))


def _code_of(context: grpc.ServicerContext) -> grpc.StatusCode | None:
    """The status code a handler set on its context, if any."""
    try:
        return context.code()
    except (AttributeError, NotImplementedError):
        return None


def remaining_time(default: float) -> float:
    """Seconds a call to a dependency may take: the default, capped by the current request's deadline."""
    deadline = request_deadline.get()
    if deadline is None:
        return default
    return max(0.0, min(default, deadline - time.monotonic()))
