"""Errors as the Python SDK raises them, mirroring the servers' error model.

Every failed call becomes one exception whose class follows the gRPC code and which carries the
``google.rpc.ErrorInfo`` the server sent (reason, domain, metadata) plus any field or precondition
violations, so callers branch on ``error.reason`` instead of parsing messages:

    SextantError
    ├── InvalidArgumentError      INVALID_ARGUMENT, OUT_OF_RANGE     (``field_violations``)
    ├── NotFoundError             NOT_FOUND
    ├── AlreadyExistsError        ALREADY_EXISTS
    ├── FailedPreconditionError   FAILED_PRECONDITION                (``precondition_violations``)
    ├── ConflictError             ABORTED
    ├── PermissionDeniedError     PERMISSION_DENIED
    │   └── UnauthenticatedError  UNAUTHENTICATED                    (no or a bad credential)
    ├── ResourceExhaustedError    RESOURCE_EXHAUSTED
    ├── UnavailableError          UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED  (safe to retry reads)
    ├── DataLossError             DATA_LOSS
    ├── NotImplementedYetError    UNIMPLEMENTED
    └── ServerError               INTERNAL, UNKNOWN                  (``request_id`` to report)
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


@dataclass(frozen=True)
class FieldViolation:
    """A bad request field and what was expected of it."""

    field: str
    description: str


@dataclass(frozen=True)
class PreconditionViolation:
    """An unmet precondition (for example a policy rule that denied the call)."""

    type: str
    subject: str
    description: str


class SextantError(Exception):
    """A call to a Sextant service failed."""

    def __init__(self, code: grpc.StatusCode, message: str, *, reason: str = "", domain: str = "",
                 metadata: dict[str, str] | None = None, field_violations: tuple[FieldViolation, ...] = (),
                 precondition_violations: tuple[PreconditionViolation, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata = metadata or {}
        self.field_violations = field_violations
        self.precondition_violations = precondition_violations

    @property
    def request_id(self) -> str | None:
        """The request id the server logged the failure under, when it sent one."""
        return self.metadata.get("request_id")

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}" + (f" [{self.reason}]" if self.reason else "")


class InvalidArgumentError(SextantError):
    """The request was malformed; ``field_violations`` say which fields."""


class NotFoundError(SextantError):
    """The named resource does not exist."""


class AlreadyExistsError(SextantError):
    """A resource with that name already exists."""


class FailedPreconditionError(SextantError):
    """The system is not in a state that allows the call (a policy denial, for example)."""


class ConflictError(SextantError):
    """A concurrent change won; re-read and retry."""


class PermissionDeniedError(SextantError):
    """The caller is not authenticated or not allowed."""


class UnauthenticatedError(PermissionDeniedError):
    """The call carried no credential, or one the server did not accept (expired, unknown, bad signature)."""


class ResourceExhaustedError(SextantError):
    """A size, rate or quota limit was hit."""


class UnavailableError(SextantError):
    """The service or one of its dependencies could not answer in time; retrying may succeed."""


class DataLossError(SextantError):
    """Bytes were corrupted in transit (for example an artifact checksum mismatch)."""


class NotImplementedYetError(SextantError):
    """The RPC is in the contract but the server does not implement it yet."""


class ServerError(SextantError):
    """The server failed unexpectedly; quote ``request_id`` when reporting it."""


_BY_CODE: dict[grpc.StatusCode, type[SextantError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.OUT_OF_RANGE: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.ABORTED: ConflictError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: UnavailableError,
    grpc.StatusCode.CANCELLED: UnavailableError,
    grpc.StatusCode.DATA_LOSS: DataLossError,
    grpc.StatusCode.UNIMPLEMENTED: NotImplementedYetError,
}


def from_rpc_error(error: grpc.RpcError) -> SextantError:
    """The SDK exception for a failed call, with the server's ErrorInfo and violations unpacked."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, "details") else str(error)
    reason = domain = ""
    metadata: dict[str, str] = {}
    fields: list[FieldViolation] = []
    preconditions: list[PreconditionViolation] = []
    status = rpc_status.from_call(error) if hasattr(error, "trailing_metadata") else None
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR) and not reason:
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, domain, metadata = info.reason, info.domain, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.extend(FieldViolation(v.field, v.description) for v in bad.field_violations)
        elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            preconditions.extend(PreconditionViolation(v.type, v.subject, v.description)
                                 for v in failure.violations)
    cls = _BY_CODE.get(code, ServerError)
    return cls(code, message or code.name, reason=reason, domain=domain, metadata=metadata,
               field_violations=tuple(fields), precondition_violations=tuple(preconditions))
