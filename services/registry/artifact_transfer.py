"""Artifact upload and download for model versions.

An upload streams its chunks straight into the content-addressed store, which writes them to a
temporary file while hashing (the only hash, in a writer thread that overlaps the receive), checks the
declared size and sha256, and hands the path of the complete, verified file to a cheap structural
check: the file must be an ONNX model whose graph inputs and outputs match the version's signature
(``onnx_check.check_structure`` reads only those from the wire format, a few milliseconds for any
size). Only then is the file made durable and moved into place, the version turned VALIDATING (event
VERSION_VALIDATING) and queued for the background validator (``validation``), which loads it in
onnxruntime and turns it READY or FAILED; the call answers at VALIDATING, or, when the header asks
``wait_for_validation``, with the validator's verdict (bounded by the call's deadline). Nothing holds
the whole artifact in memory. A truncated, oversized or corrupted stream therefore stores nothing and
leaves the version PENDING; an artifact that is not a matching ONNX model turns the version FAILED and
is not stored either.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.common.artifacts import ArtifactStore
from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import (
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    OutOfRange,
)
from services.common.interceptors import request_id_var
from services.common.logging import bind_request
from services.registry.event_log import RegistryEventLog
from services.registry.model_catalog import ModelCatalog
from services.registry.onnx_check import ArtifactProblem, check_structure
from services.registry.records import FAILED, PENDING, READY, VALIDATING, ModelVersion, check_name, utcnow
from services.registry.repository import RegistryRepository
from services.registry.validation import BackgroundValidator, ValidationJob

#: The largest chunk a client may send and the size of the chunks a download sends (1 MiB).
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class UploadHeader:
    """The first message of an upload."""

    model_name: str
    version: int
    sha256: str
    size: int
    #: Answer only once the background validation has turned the version READY or FAILED.
    wait_for_validation: bool = False


@dataclass(frozen=True)
class Download:
    """A download about to be streamed: the version, where it starts, and the bytes from there."""

    version: ModelVersion
    offset: int
    chunks: Iterator[bytes]


class ArtifactTransfer:
    """Receives and sends model version artifacts."""

    def __init__(self, database: Database, repository: RegistryRepository, catalog: ModelCatalog,
                 events: RegistryEventLog, store: ArtifactStore, validator: BackgroundValidator) -> None:
        self._db = database
        self._repo = repository
        self._catalog = catalog
        self._events = events
        self._store = store
        self._validator = validator

    def upload(self, header: UploadHeader, chunks: Iterable[bytes], *, wait_until: float | None = None,
               active: Callable[[], bool] | None = None) -> ModelVersion:
        """Receive, verify, check and durably store a PENDING version's artifact; the version is then
        VALIDATING (or, with ``header.wait_for_validation``, READY by ``wait_until`` on the monotonic
        clock, while ``active`` says the caller is still there)."""
        check_name(header.model_name, "header.model_name")
        bind_request(model=header.model_name, version=header.version)
        with self._db.read() as session:
            row = self._catalog.version_row(session, header.model_name, header.version, "header.version")
            record = self._catalog.version(session, row)
        if row.status != PENDING:
            raise FailedPrecondition(f"version {header.version} of {header.model_name!r} is {row.status}, not PENDING",
                                     reason="VERSION_NOT_PENDING",
                                     metadata={"model_name": header.model_name, "version": header.version,
                                               "status": row.status})
        if header.sha256.lower() != row.artifact_sha256:
            raise InvalidArgument("header.sha256", f"expected the version's artifact_sha256 {row.artifact_sha256}")
        if header.size != row.artifact_size:
            raise InvalidArgument("header.size_bytes", f"expected the version's artifact_size_bytes "
                                                       f"{row.artifact_size}, got {header.size}")
        signature = record.signature
        principal = current_principal().subject

        def check(path: Path) -> None:
            problem = check_structure(path, signature)
            if problem is not None:
                raise _Rejected(problem)

        try:
            self._store.put(_checked(chunks, row.artifact_size), expected_sha256=row.artifact_sha256,
                            expected_size=row.artifact_size, validate=check)
        except _Rejected as rejected:
            self._finish(row, FAILED, rejected.problem.message, principal)
            raise _artifact_invalid(header, rejected.problem.message, rejected.problem.path) from None
        stored = self._finish(row, VALIDATING, "", principal)
        if stored.status == VALIDATING:
            self._validator.submit(ValidationJob(row.model_id, row.version, principal, request_id_var.get()))
        if not header.wait_for_validation or stored.status != VALIDATING:
            return stored
        wait_seconds = None if wait_until is None else max(0.0, wait_until - time.monotonic())
        verdict = self._validator.wait(row.model_id, row.version, wait_seconds,
                                       name=f"{header.model_name}/{header.version}", active=active)
        if verdict is None:
            raise DeadlineExceeded(f"version {header.version} of {header.model_name!r} is still VALIDATING at the "
                                   "call's deadline; it turns READY or FAILED later",
                                   reason="VALIDATION_PENDING",
                                   metadata={"model_name": header.model_name, "version": header.version})
        if verdict.version.status == FAILED:
            # The problem is known when this process's worker failed it; another replica's only left its message.
            problem = verdict.problem
            raise _artifact_invalid(header, problem.message if problem else verdict.version.status_message,
                                    problem.path if problem else "artifact")
        return verdict.version

    def _finish(self, row: Any, status: str, message: str, principal: str) -> ModelVersion:
        """Compare-and-set PENDING -> ``status`` with its event; a concurrent upload of the same bytes that
        got there first is success too."""
        with self._db.write() as session:
            changed = self._repo.set_status(session, row.id, expected=PENDING, status=status, message=message,
                                            now=utcnow())
            current = self._catalog.version(session, self._repo.version_row(session, row.model_id, row.version))
            if changed and status == VALIDATING:
                self._events.version_validating(session, current, principal)
            elif changed:
                self._events.version_finished(session, current, principal)
        accepted = {status} if status != VALIDATING else {VALIDATING, READY}
        if not changed and current.status not in accepted:
            raise FailedPrecondition(f"version {current.version} of {current.model_name!r} turned {current.status} "
                                     "during the upload", reason="VERSION_NOT_PENDING",
                                     metadata={"model_name": current.model_name, "version": current.version,
                                               "status": current.status})
        return current

    def download(self, model_name: str, *, number: int = 0, alias: str = "", offset: int = 0) -> Download:
        """A READY version's artifact from ``offset``, in chunks of at most 1 MiB."""
        if offset < 0:
            raise InvalidArgument("offset", f"expected 0 or a positive byte offset, got {offset}")
        if alias:
            version, _ = self._catalog.get_version(model_name, alias=alias)
        elif number:
            version, _ = self._catalog.get_version(model_name, number=number)
        else:
            raise InvalidArgument("selector", "expected exactly one of version or alias")
        bind_request(model=model_name, version=version.version)
        if version.status != READY:
            raise FailedPrecondition(f"version {version.version} of {model_name!r} is {version.status}, not READY",
                                     reason="VERSION_NOT_READY",
                                     metadata={"model_name": model_name, "version": version.version,
                                               "status": version.status})
        if offset > version.artifact_size:
            raise OutOfRange(f"offset {offset} is beyond the artifact's {version.artifact_size} bytes",
                             reason="OFFSET_BEYOND_ARTIFACT",
                             metadata={"offset": offset, "size_bytes": version.artifact_size})
        try:
            source = self._store.read(version.artifact_sha256, CHUNK_BYTES)
        except NotFound:
            raise DataLoss(f"the artifact of version {version.version} of {model_name!r} is missing from the store",
                           reason="ARTIFACT_MISSING", metadata={"sha256": version.artifact_sha256}) from None
        return Download(version, offset, _skip(source, offset))


def _artifact_invalid(header: UploadHeader, message: str, path: str) -> InvalidArgument:
    return InvalidArgument("chunk", message, reason="ARTIFACT_INVALID",
                           metadata={"model_name": header.model_name, "version": header.version,
                                     "signature_path": path})


class _Rejected(Exception):
    """Raised by the store's validator to abort a put whose artifact does not match the signature."""

    def __init__(self, problem: ArtifactProblem) -> None:
        super().__init__(problem.problem)
        self.problem = problem


def _checked(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The chunks as they arrive, refusing oversized chunks, more than ``size`` bytes, or fewer.

    The store hashes and checks the digest; this only stops a stream early (before it fills the disk)
    and names a short stream INVALID_ARGUMENT rather than a digest mismatch.
    """
    received = 0
    for index, chunk in enumerate(chunks):
        if len(chunk) > CHUNK_BYTES:
            raise InvalidArgument("chunk", f"expected chunks of at most {CHUNK_BYTES} bytes, message "
                                           f"{index + 1} carries {len(chunk)}")
        received += len(chunk)
        if received > size:
            raise DataLoss(f"the stream carries more than the declared {size} bytes",
                           reason="ARTIFACT_SIZE_MISMATCH",
                           metadata={"received_bytes": received, "expected_bytes": size})
        yield chunk
    if received < size:
        raise InvalidArgument("chunk", f"the stream ended after {received} of the declared {size} bytes",
                              reason="ARTIFACT_TRUNCATED", metadata={"received_bytes": received, "expected_bytes": size})


def _skip(chunks: Iterator[bytes], offset: int) -> Iterator[bytes]:
    remaining = offset
    for chunk in chunks:
        if remaining >= len(chunk):
            remaining -= len(chunk)
            continue
        yield chunk[remaining:] if remaining else chunk
        remaining = 0
