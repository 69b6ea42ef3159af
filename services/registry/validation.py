"""The background validators: turn VALIDATING versions READY or FAILED after onnxruntime loads them.

An upload answers once its artifact is durably stored, its sha256 and size verified and its graph's
inputs and outputs checked against the signature; loading the model in onnxruntime (and comparing the
class labels) takes longer than the whole transfer, so it runs here, in ``validation_workers`` daemon
threads per registry process fed by one queue (as MLflow's versions go from PENDING_REGISTRATION to
READY asynchronously).

A worker loads the stored artifact (the file itself for the filesystem store, a temporary copy for
S3), then compare-and-sets the status from VALIDATING to READY or FAILED with the version-finished
event in the same transaction, so when two replicas validate the same version only one finishes it.
A FAILED version's bytes are removed unless another version that is not FAILED references the digest. On
start every VALIDATING version is queued again: an upload that was acknowledged is never forgotten by
a restart. An unexpected error (the store unreachable) leaves the version VALIDATING and retries it
after ``retry_seconds``.

An upload that asked ``wait_for_validation`` waits on :meth:`BackgroundValidator.wait`, which returns
as soon as the status is no longer VALIDATING (whoever finished it), bounded by the call's deadline.
"""

from __future__ import annotations

import contextlib
import os
import queue
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from services.common.artifacts import ArtifactStore, FilesystemArtifactStore
from services.common.db import Database
from services.common.errors import NotFound
from services.common.logging import get_logger
from services.registry.event_log import RegistryEventLog
from services.registry.model_catalog import ModelCatalog
from services.registry.onnx_check import ArtifactProblem, check_onnx
from services.registry.records import FAILED, READY, VALIDATING, ModelVersion, utcnow
from services.registry.repository import RegistryRepository
from services.registry.staleness import REGISTRY_PRINCIPAL

_log = get_logger("registry.validator")
#: Loads of one version this process may start without finishing (the process died in onnxruntime, an
#: out-of-memory kill, say) before the version is FAILED instead of tried again at every restart.
MAX_ATTEMPTS = 3
#: Verdicts kept for uploads that wait on them (the oldest are forgotten first).
_VERDICTS_KEPT = 1024


@dataclass(frozen=True)
class ValidationJob:
    """One VALIDATING version to validate, with who uploaded it (for the finishing event)."""

    model_id: int
    version: int
    principal: str = REGISTRY_PRINCIPAL
    request_id: str = ""


@dataclass(frozen=True)
class Verdict:
    """A version no longer VALIDATING, and why it failed when this process's worker failed it."""

    version: ModelVersion
    problem: ArtifactProblem | None


class BackgroundValidator:
    """One worker thread validating VALIDATING versions in the order they were queued."""

    def __init__(self, database: Database, repository: RegistryRepository, catalog: ModelCatalog,
                 events: RegistryEventLog, store: ArtifactStore, *, workers: int = 1,
                 attempts_dir: Path | None = None, max_attempts: int = MAX_ATTEMPTS, poll_seconds: float = 0.5,
                 retry_seconds: float = 5.0) -> None:
        self._db = database
        self._repo = repository
        self._catalog = catalog
        self._events = events
        self._store = store
        self._poll = poll_seconds
        self._retry = retry_seconds
        self._attempts_dir = attempts_dir
        self._max_attempts = max_attempts
        if attempts_dir is not None:
            attempts_dir.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[ValidationJob | None] = queue.Queue()
        self._stopping = threading.Event()
        self._finished = threading.Condition()
        self._generation = 0
        self._problems: OrderedDict[tuple[int, int], ArtifactProblem] = OrderedDict()
        self._threads = [threading.Thread(target=self._run, name=f"registry-validator-{i}", daemon=True)
                         for i in range(max(1, workers))]

    def start(self) -> None:
        """Queue every VALIDATING version (left by a previous process or another replica), then start."""
        with self._db.read() as session:
            pending = self._repo.validating_versions(session)
        for model_id, number in pending:
            self._queue.put(ValidationJob(model_id, number))
        if pending:
            _log.info("requeued versions left VALIDATING", count=len(pending))
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the validation in progress (if any); queued jobs stay VALIDATING for the next start."""
        self._stopping.set()
        deadline = time.monotonic() + timeout
        for _worker in self._threads:
            self._queue.put(None)  # one wake-up per worker
        for thread in self._threads:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
        with self._finished:
            self._finished.notify_all()

    def submit(self, job: ValidationJob) -> None:
        """Queue a version that has just turned VALIDATING."""
        self._queue.put(job)

    def wait(self, model_id: int, number: int, timeout: float | None, *, name: str = "",
             active: Callable[[], bool] | None = None) -> Verdict | None:
        """The version once it is no longer VALIDATING; None when ``timeout`` seconds pass first (or the
        validator stops); NotFound (naming ``name``, ``model/version``) when it was deleted meanwhile."""
        deadline = None if timeout is None else time.monotonic() + timeout
        key = (model_id, number)
        while True:
            with self._finished:
                seen = self._generation  # a verdict after this read wakes the wait below at once
            with self._db.read() as session:
                row = self._repo.version_row(session, model_id, number)
                if row is None:
                    raise NotFound("model_version", name or f"{model_id}/{number}")
                current = self._catalog.version(session, row)
            if current.status != VALIDATING:
                with self._finished:
                    return Verdict(current, self._problems.get(key))
            remaining = None if deadline is None else deadline - time.monotonic()
            if self._stopping.is_set() or (remaining is not None and remaining <= 0) or (
                    active is not None and not active()):
                return None
            with self._finished:
                if self._generation == seen:
                    self._finished.wait(self._poll if remaining is None else min(self._poll, remaining))

    # -- the worker --------------------------------------------------------------------------

    def _run(self) -> None:
        import onnxruntime  # noqa: F401 - loaded here, off the request path, before the first job needs it

        while not self._stopping.is_set():
            job = self._queue.get()
            if job is None or self._stopping.is_set():
                return
            try:
                self._validate(job)
            except Exception as error:  # noqa: BLE001 - the worker must survive anything; retry later
                _log.warning("validation failed unexpectedly; will retry", model_id=job.model_id,
                             version=job.version, error=str(error))
                self._retry_later(job)

    def _retry_later(self, job: ValidationJob) -> None:
        timer = threading.Timer(self._retry, lambda: None if self._stopping.is_set() else self._queue.put(job))
        timer.daemon = True
        timer.start()

    def _validate(self, job: ValidationJob) -> None:
        with self._db.read() as session:
            row = self._repo.version_row(session, job.model_id, job.version)
            if row is None or row.status != VALIDATING:
                return  # deleted, or finished by another replica
            version = self._catalog.version(session, row)
        log = _log.bind(model=version.model_name, version=version.version)
        marker = self._begin_attempt(job)
        if marker is not None and marker[1] > self._max_attempts:
            problem = ArtifactProblem("artifact", f"validating it stopped the registry {marker[1] - 1} times "
                                                  "(onnxruntime crashed or ran out of memory loading it)")
        else:
            try:
                with self._local_copy(version.artifact_sha256) as path:
                    problem = check_onnx(path, version.signature)
            except NotFound:
                problem = ArtifactProblem("artifact", "the stored artifact is missing")
            finally:
                # The load ended with the process alive (whatever it found, or a store error to retry):
                # only a load the process died in stays counted.
                if marker is not None:
                    marker[0].unlink(missing_ok=True)
        status = READY if problem is None else FAILED
        message = "" if problem is None else problem.message
        with self._db.write() as session:
            changed = self._repo.set_status(session, row.id, expected=VALIDATING, status=status, message=message,
                                            now=utcnow())
            if changed:
                current = self._catalog.version(session, self._repo.version_row(session, job.model_id, job.version))
                self._events.version_finished(session, current, job.principal, request_id=job.request_id)
            # Decided in the same write transaction as the verdict: any other version not FAILED (PENDING
            # ones included, whose upload may be writing the same bytes) keeps the file.
            unused = changed and status == FAILED and not self._repo.artifact_referenced(session,
                                                                                          version.artifact_sha256)
        if marker is not None:
            marker[0].unlink(missing_ok=True)  # the verdict for a version tried too often
        if not changed:
            log.info("version already finished elsewhere")
        else:
            log.info("version validated", status=status, problem=message or None)
            if unused:
                self._remove(version.artifact_sha256)
        with self._finished:
            if problem is not None:
                self._problems[(job.model_id, job.version)] = problem
                while len(self._problems) > _VERDICTS_KEPT:
                    self._problems.popitem(last=False)
            self._generation += 1
            self._finished.notify_all()

    def _begin_attempt(self, job: ValidationJob) -> tuple[Path, int] | None:
        """Count a load about to start in a local marker file (removed when it finishes); (path, count)."""
        if self._attempts_dir is None:
            return None
        path = self._attempts_dir / f"{job.model_id}-{job.version}"
        try:
            count = int(path.read_text() or 0) + 1
        except (FileNotFoundError, ValueError):
            count = 1
        tmp = path.with_suffix(".tmp")
        tmp.write_text(str(count))
        os.replace(tmp, path)  # before the load: a crash during it must leave the count behind
        return path, count

    def _remove(self, sha256: str) -> None:
        try:
            self._store.delete(sha256)
        except Exception as error:  # noqa: BLE001 - an orphan file is harmless; log and go on
            _log.warning("could not remove a failed version's artifact", sha256=sha256, error=str(error))

    @contextlib.contextmanager
    def _local_copy(self, sha256: str) -> Iterator[Path]:
        """The stored artifact as a local file: the store's own for the filesystem, else a temporary copy."""
        if isinstance(self._store, FilesystemArtifactStore):
            path = self._store.path(sha256)
            if not path.is_file():
                raise NotFound("artifact", sha256)
            yield path
            return
        handle, name = tempfile.mkstemp(suffix=".onnx")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in self._store.read(sha256):
                    out.write(chunk)
            yield Path(name)
        finally:
            Path(name).unlink(missing_ok=True)
