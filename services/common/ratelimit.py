"""Limits every service enforces before a handler runs: rows per call and calls per minute.

Rows per call (setting ``max_rows_per_call``): the RPCs that carry or ask for rows are declared in
:data:`ROW_FIELDS` with the request fields holding them. Rows are counted from the message (a
ColumnBatch's ``row_count``, the record batches of an Arrow IPC stream, a repeated field's length);
client streams add up over the whole stream. Serving limits its prediction RPCs itself (see below
:data:`ROW_FIELDS`). Too many rows answer INVALID_ARGUMENT with
reason ``TOO_MANY_ROWS`` and a field violation naming the field, the limit and the count: the request
itself is at fault and must be split, so retrying it unchanged cannot succeed (RESOURCE_EXHAUSTED is
kept for limits that clear with time). A payload that cannot be decoded counts 0 rows here and is
left to the handler to reject with its own error.

Calls per minute (setting ``rate_limit_per_minute``, 0 disables): the expensive RPCs in
:data:`RATE_LIMITED` draw from a token bucket per (principal, method) holding a minute's worth of
calls and refilling continuously. An empty bucket answers RESOURCE_EXHAUSTED, reason
``RATE_LIMITED``, with a ``google.rpc.RetryInfo`` saying when a call will be admitted again. Buckets
live in memory, per process: with N replicas a principal may make up to N times the limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pyarrow as pa
from google.protobuf import any_pb2, duration_pb2
from google.protobuf import message as _message
from google.rpc import error_details_pb2, status_pb2

from services.common import audit, auth
from services.common.errors import InvalidArgument, ResourceExhausted

#: RPCs that carry or ask for rows, by RPC name, with the request fields holding the rows.
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "IngestBatch": ("chunk",),
    "PushFeatures": ("rows",),
    "GetOnlineFeatures": ("entity_keys",),
    "GetHistoricalFeatures": ("entity_rows",),
    "UploadEntityRows": ("rows",),
    "LogPredictions": ("records.records", "table.rows"),
    "LogOutcomes": ("outcomes",),
    "EvaluateTraining": ("sample",),
    "DetectProxies": ("sample",),
}
# The prediction RPCs (Predict, PredictStream, ModelInfer, ModelStreamInfer) are not counted here: serving
# decodes their rows anyway and refuses more than min(max_batch_rows, max_rows_per_call) per request, in
# band on its streams, so counting them here would decode every prediction twice on the hot path.

#: Expensive RPCs limited per principal and minute.
RATE_LIMITED = frozenset({"SubmitTrainingJob", "RerunTrainingJob", "GetHistoricalFeatures", "DetectProxies"})


# -- counting rows -------------------------------------------------------------------------------

def _arrow_rows(payload: bytes) -> int:
    if not payload:
        return 0
    try:
        with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
            return sum(batch.num_rows for batch in reader)
    except (pa.ArrowException, ValueError, OSError):
        # Not decodable: counted as no rows; the handler refuses the payload naming its field.
        return 0


def _rows_in(value: Any) -> int:
    """Rows held by one field value (a message or a repeated field)."""
    if not isinstance(value, _message.Message):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            return 0
        return len(value)
    fields = value.DESCRIPTOR.fields_by_name
    if "ipc_stream" in fields:
        return _arrow_rows(value.ipc_stream)
    if "row_count" in fields and "columns" in fields:
        return max(value.row_count, 0)
    if value.DESCRIPTOR.oneofs_by_name.get("format") is not None:
        which = value.WhichOneof("format")
        return _rows_in(getattr(value, which)) if which else 0
    return 0


def _field(message: Any, path: str) -> tuple[Any, bool]:
    """The value at a dotted ``path`` and whether every part of it is set."""
    current = message
    for part in path.split("."):
        fields = current.DESCRIPTOR.fields_by_name
        if part not in fields:
            return None, False
        descriptor = fields[part]
        is_message = descriptor.message_type is not None and not _is_repeated(descriptor)
        if is_message and not current.HasField(part):
            return None, False
        current = getattr(current, part)
    return current, True


def _is_repeated(descriptor: Any) -> bool:
    label = getattr(descriptor, "is_repeated", None)
    if label is not None:
        return bool(label)
    return descriptor.label == descriptor.LABEL_REPEATED


def count_rows(method_name: str, message: Any) -> list[tuple[str, int]]:
    """(field, rows) for each row-carrying field of ``message``, a request of ``method_name``."""
    counts = []
    for path in ROW_FIELDS.get(method_name, ()):
        value, present = _field(message, path)
        if present:
            counts.append((path, _rows_in(value)))
    return counts


def too_many_rows(field: str, rows: int, limit: int) -> InvalidArgument:
    """The error for a call carrying more rows than ``limit``."""
    return InvalidArgument(field, f"at most {limit} rows per call (max_rows_per_call), got {rows}; split the "
                                  "request", reason="TOO_MANY_ROWS", metadata={"limit": limit, "rows": rows})


# -- rate limiting -------------------------------------------------------------------------------

class RateLimited(ResourceExhausted):
    """A principal called an expensive RPC more often than its per-minute limit."""

    def __init__(self, method: str, principal: str, limit: int, retry_after: float) -> None:
        super().__init__(f"{principal} may call {method} at most {limit} times per minute; retry in "
                         f"{retry_after:.1f}s", reason="RATE_LIMITED",
                         metadata={"method": method, "principal": principal, "limit_per_minute": limit,
                                   "retry_after_seconds": f"{retry_after:.3f}"})
        self.retry_after = retry_after

    def to_proto(self, domain: str) -> status_pb2.Status:
        """The status with a RetryInfo after the ErrorInfo."""
        status = super().to_proto(domain)
        seconds = math.floor(self.retry_after)
        delay = duration_pb2.Duration(seconds=seconds, nanos=int((self.retry_after - seconds) * 1e9))
        packed = any_pb2.Any()
        packed.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        status.details.append(packed)
        return status


class TokenBuckets:
    """Token buckets per key holding ``per_minute`` tokens, refilled continuously; thread-safe."""

    #: Above this many buckets, full ones are dropped (they behave exactly like a new bucket).
    MAX_BUCKETS = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[Any, tuple[float, float]] = {}

    def take(self, key: Any) -> float:
        """Take a token for ``key``; returns 0 when admitted, else the seconds until a token is free."""
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - stamp) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.MAX_BUCKETS:
                    self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self._rate

    def _prune(self, now: float) -> None:
        full = [key for key, (tokens, stamp) in self._buckets.items()
                if tokens + (now - stamp) * self._rate >= self._capacity]
        for key in full:
            del self._buckets[key]


# -- the interceptor -----------------------------------------------------------------------------

class LimitsInterceptor(grpc.ServerInterceptor):
    """Enforces ``max_rows_per_call`` and ``rate_limit_per_minute`` before handlers run."""

    def __init__(self, max_rows: int, rate_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_rows = max_rows
        self._rate = rate_per_minute
        self._buckets = TokenBuckets(rate_per_minute, clock) if rate_per_minute > 0 else None

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None:
            return None
        method = details.method
        name = method.rsplit("/", 1)[-1]
        limited = self._buckets is not None and name in RATE_LIMITED
        counted = name in ROW_FIELDS
        if not (limited or counted):
            return handler
        if handler.unary_unary:
            return handler._replace(unary_unary=self._unary(handler.unary_unary, method, name, limited))
        if handler.unary_stream:
            return handler._replace(unary_stream=self._unary_stream(handler.unary_stream, method, name, limited))
        if handler.stream_unary:
            return handler._replace(stream_unary=self._streaming_in(handler.stream_unary, method, name, limited))
        return handler._replace(stream_stream=self._streaming_in(handler.stream_stream, method, name, limited))

    def _admit(self, method: str, name: str, limited: bool) -> None:
        if not limited or self._buckets is None:
            return
        # The user the call is for: a service relaying calls for many users does not share one bucket.
        subject = auth.current_principal().subject
        wait = self._buckets.take((subject, method))
        if wait > 0:
            raise RateLimited(method, subject, self._rate, wait)

    def _check(self, name: str, message: Any, seen: int = 0, index: int | None = None) -> int:
        """Count the rows of one request message; raise when the call's total passes the limit."""
        total = seen
        for path, rows in count_rows(name, message):
            total += rows
            audit.note_rows(rows)
            if total > self._max_rows:
                raise too_many_rows(path if index is None else f"messages[{index}].{path}", total, self._max_rows)
        return total

    def _unary(self, behavior: Callable[..., Any], method: str, name: str, limited: bool) -> Callable[..., Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            self._admit(method, name, limited)
            self._check(name, request)
            return behavior(request, context)

        return handle

    def _unary_stream(self, behavior: Callable[..., Iterator[Any]], method: str, name: str,
                      limited: bool) -> Callable[..., Iterator[Any]]:
        def handle(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            self._admit(method, name, limited)
            self._check(name, request)
            yield from behavior(request, context)

        return handle

    def _streaming_in(self, behavior: Callable[..., Any], method: str, name: str, limited: bool
                      ) -> Callable[..., Any]:
        def counted(messages: Iterator[Any]) -> Iterator[Any]:
            seen = 0
            for index, message in enumerate(messages):
                seen = self._check(name, message, seen, index)
                yield message

        def handle(request_iterator: Iterator[Any], context: grpc.ServicerContext) -> Any:
            self._admit(method, name, limited)
            return behavior(counted(request_iterator), context)

        return handle
