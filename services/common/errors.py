"""The error model of every Sextant service, in one place.

Domain code raises these; the server's error interceptor turns them into a canonical gRPC status
carrying exactly one ``google.rpc.ErrorInfo`` (reason in UPPER_SNAKE, domain ``<service>.sextant``,
metadata holding every variable of the message) and, where given, a ``BadRequest`` with field
violations or a ``PreconditionFailure``. Anything else raised by a handler becomes INTERNAL with the
request id only; its traceback is logged, never sent.

    SextantError                      (base; never raised directly)
    ├── InvalidArgument               INVALID_ARGUMENT   bad input, names the field
    ├── NotFound                      NOT_FOUND          an unknown resource
    ├── AlreadyExists                 ALREADY_EXISTS     a create that collides
    ├── FailedPrecondition            FAILED_PRECONDITION the system is not in the state the call needs
    ├── Aborted                       ABORTED            a compare-and-set or concurrency conflict lost
    ├── OutOfRange                    OUT_OF_RANGE       a position or revision past the end
    ├── PermissionDenied              PERMISSION_DENIED  the principal may not do this
    ├── Unauthenticated               UNAUTHENTICATED    no or bad credentials
    ├── ResourceExhausted             RESOURCE_EXHAUSTED a quota, rate or size limit
    ├── Unavailable                   UNAVAILABLE        a dependency or the database is down; retry
    ├── DeadlineExceeded              DEADLINE_EXCEEDED  the work did not finish in time
    ├── DataLoss                      DATA_LOSS          bytes arrived corrupted (checksum mismatch)
    ├── Unimplemented                 UNIMPLEMENTED      the RPC is not built yet
    └── Internal                      INTERNAL           a bug; the message is safe to show
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

#: Longest message or metadata value sent. Errors often quote the caller's input, and a status larger
#: than gRPC's metadata limit (16 KiB) never reaches the client: it sees RESOURCE_EXHAUSTED instead.
MAX_TEXT = 1024


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request: its path (``feature_view.features[2].dtype``) and what was expected."""

    field: str
    description: str


@dataclass(frozen=True)
class PreconditionViolation:
    """One unmet precondition: its type (``POLICY``), its subject and what is wrong."""

    type: str
    subject: str
    description: str


class SextantError(Exception):
    """Base of every error a handler may raise on purpose.

    ``reason`` is the ErrorInfo reason (UPPER_SNAKE); ``metadata`` holds every variable of the message,
    as strings, so clients can act without parsing text.
    """

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    default_reason: str = "INTERNAL"

    def __init__(self, message: str, *, reason: str | None = None,
                 metadata: Mapping[str, object] | None = None,
                 field_violations: Sequence[FieldViolation] = (),
                 precondition_violations: Sequence[PreconditionViolation] = ()) -> None:
        message = clip(message)
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata = {str(k): clip(str(v)) for k, v in (metadata or {}).items()}
        self.field_violations = tuple(FieldViolation(clip(v.field, MAX_TEXT // 4), clip(v.description))
                                      for v in field_violations)
        self.precondition_violations = tuple(precondition_violations)

    def to_status(self, domain: str) -> grpc.Status:
        """The gRPC status to abort with: code, message and the rich details."""
        return rpc_status.to_status(self.to_proto(domain))

    def to_proto(self, domain: str) -> status_pb2.Status:
        """The ``google.rpc.Status`` with one ErrorInfo first and optional violations after it."""
        details = [error_details_pb2.ErrorInfo(reason=self.reason, domain=domain, metadata=self.metadata)]
        if self.field_violations:
            details.append(error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                for v in self.field_violations]))
        if self.precondition_violations:
            details.append(error_details_pb2.PreconditionFailure(violations=[
                error_details_pb2.PreconditionFailure.Violation(type=v.type, subject=v.subject,
                                                                description=v.description)
                for v in self.precondition_violations]))
        packed = []
        for detail in details:
            wrapper = any_pb2.Any()
            wrapper.Pack(detail)
            packed.append(wrapper)
        return status_pb2.Status(code=_CODE_NUMBERS[self.code], message=self.message, details=packed)


class InvalidArgument(SextantError):
    """The request is malformed; ``field`` names the field and the message what was expected."""

    code = grpc.StatusCode.INVALID_ARGUMENT
    default_reason = "INVALID_ARGUMENT"

    def __init__(self, field: str, expected: str, *, reason: str | None = None,
                 metadata: Mapping[str, object] | None = None) -> None:
        merged = {"field": field, **(metadata or {})}
        super().__init__(f"{field}: {expected}", reason=reason, metadata=merged,
                         field_violations=[FieldViolation(field, expected)])
        self.field = field


class NotFound(SextantError):
    """An unknown resource; ``kind`` and ``name`` say which."""

    code = grpc.StatusCode.NOT_FOUND
    default_reason = "NOT_FOUND"

    def __init__(self, kind: str, name: str, *, reason: str | None = None,
                 metadata: Mapping[str, object] | None = None) -> None:
        merged = {"kind": kind, "name": name, **(metadata or {})}
        super().__init__(f"{kind} {name!r} not found", reason=reason or f"{kind.upper()}_NOT_FOUND",
                         metadata=merged)


class AlreadyExists(SextantError):
    """A create collides with an existing resource."""

    code = grpc.StatusCode.ALREADY_EXISTS
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(SextantError):
    """The system is not in the state the call needs (for example: a policy denied it)."""

    code = grpc.StatusCode.FAILED_PRECONDITION
    default_reason = "FAILED_PRECONDITION"


class Aborted(SextantError):
    """A concurrent change won (compare-and-set lost); the caller may re-read and retry."""

    code = grpc.StatusCode.ABORTED
    default_reason = "ABORTED"


class OutOfRange(SextantError):
    """A position or revision beyond what exists."""

    code = grpc.StatusCode.OUT_OF_RANGE
    default_reason = "OUT_OF_RANGE"


class PermissionDenied(SextantError):
    """The authenticated principal may not perform the call."""

    code = grpc.StatusCode.PERMISSION_DENIED
    default_reason = "PERMISSION_DENIED"


class Unauthenticated(SextantError):
    """Credentials are missing, expired or invalid."""

    code = grpc.StatusCode.UNAUTHENTICATED
    default_reason = "UNAUTHENTICATED"


class ResourceExhausted(SextantError):
    """A size, quota or rate limit was exceeded."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    default_reason = "RESOURCE_EXHAUSTED"


class Unavailable(SextantError):
    """A dependency or the database cannot be reached; the call may be retried."""

    code = grpc.StatusCode.UNAVAILABLE
    default_reason = "UNAVAILABLE"


class DeadlineExceeded(SextantError):
    """The work did not complete before the deadline."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED
    default_reason = "DEADLINE_EXCEEDED"


class DataLoss(SextantError):
    """Bytes arrived corrupted, for example an artifact whose sha256 does not match."""

    code = grpc.StatusCode.DATA_LOSS
    default_reason = "DATA_LOSS"


class Unimplemented(SextantError):
    """The RPC exists in the contract but is not built yet."""

    code = grpc.StatusCode.UNIMPLEMENTED
    default_reason = "NOT_IMPLEMENTED"


class Internal(SextantError):
    """A fault inside the server whose message is safe to show (never a traceback)."""

    code = grpc.StatusCode.INTERNAL
    default_reason = "INTERNAL"


_CODE_NUMBERS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: code_pb2.OK,
    grpc.StatusCode.CANCELLED: code_pb2.CANCELLED,
    grpc.StatusCode.UNKNOWN: code_pb2.UNKNOWN,
    grpc.StatusCode.INVALID_ARGUMENT: code_pb2.INVALID_ARGUMENT,
    grpc.StatusCode.DEADLINE_EXCEEDED: code_pb2.DEADLINE_EXCEEDED,
    grpc.StatusCode.NOT_FOUND: code_pb2.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS: code_pb2.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED: code_pb2.PERMISSION_DENIED,
    grpc.StatusCode.RESOURCE_EXHAUSTED: code_pb2.RESOURCE_EXHAUSTED,
    grpc.StatusCode.FAILED_PRECONDITION: code_pb2.FAILED_PRECONDITION,
    grpc.StatusCode.ABORTED: code_pb2.ABORTED,
    grpc.StatusCode.OUT_OF_RANGE: code_pb2.OUT_OF_RANGE,
    grpc.StatusCode.UNIMPLEMENTED: code_pb2.UNIMPLEMENTED,
    grpc.StatusCode.INTERNAL: code_pb2.INTERNAL,
    grpc.StatusCode.UNAVAILABLE: code_pb2.UNAVAILABLE,
    grpc.StatusCode.DATA_LOSS: code_pb2.DATA_LOSS,
    grpc.StatusCode.UNAUTHENTICATED: code_pb2.UNAUTHENTICATED,
}


def internal_status(request_id: str, domain: str) -> grpc.Status:
    """The status for an unexpected exception: INTERNAL with the request id and nothing else."""
    error = Internal(f"internal error; quote request id {request_id} when reporting it",
                     reason="INTERNAL", metadata={"request_id": request_id})
    return error.to_status(domain)


#: Codes a peer service answered that pass through unchanged: they describe the caller's request.
_PASSED_THROUGH = frozenset({
    grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED, grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
})


class PeerError(SextantError):
    """An error another Sextant service answered that a handler let escape."""

    def __init__(self, code: grpc.StatusCode, message: str, *, reason: str,
                 metadata: Mapping[str, object] | None = None) -> None:
        super().__init__(message, reason=reason, metadata=metadata)
        self.code = code


def from_peer_error(error: grpc.RpcError) -> SextantError:
    """The canonical error for a peer's failure no handler caught.

    Codes that describe the request (bad argument, not found, precondition, permission, limits,
    unavailability) pass through with the peer's reason; a peer's internal failure, a refused service
    credential or an unknown code become UNAVAILABLE (the dependency cannot do its part right now), so a
    client never sees a peer's failure as this service's INTERNAL.
    """
    code = error.code() if hasattr(error, "code") else None
    details = (error.details() if hasattr(error, "details") else "") or ""
    peer_reason = ""
    try:
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except (AttributeError, ValueError, TypeError):
        status = None
    if status is not None:
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                peer_reason = info.reason
                break
    name = code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN"
    if code in _PASSED_THROUGH:
        return PeerError(code, details or name, reason=peer_reason or name, metadata={"peer_code": name})
    return PeerError(grpc.StatusCode.UNAVAILABLE, f"a dependency failed ({name}): {details}",
                     reason="DEPENDENCY_FAILED", metadata={"peer_code": name, "peer_reason": peer_reason})
