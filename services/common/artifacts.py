"""Content-addressed artifact storage: an interface and one module-level class per backend.

Artifacts are stored under their sha256. A write streams to a temporary name while hashing (in a
writer thread, so receiving the next bytes overlaps hashing and writing the previous ones), checks
the expected digest and size, makes the file durable, then moves into place, so a truncated or corrupted upload leaves
nothing behind and a reader never sees half a file. Backends are chosen by a ``type`` string:

    store = artifact_store_for("filesystem", root=".sextant/artifacts")
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from services.common.errors import DataLoss, InvalidArgument, NotFound, Unavailable

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_CHUNK_BYTES = 1024 * 1024
#: Chunks a put may hold between the receiving thread and the writer thread (about 8 MiB of 1 MiB chunks).
_PIPELINE_DEPTH = 8
#: How often a put flushes what it wrote so far, so the final fsync is short.
_SYNC_EVERY_BYTES = 16 * 1024 * 1024


Validator = Callable[[Path], None]


@dataclass(frozen=True)
class ArtifactInfo:
    """A stored artifact: its sha256 (hex) and size in bytes."""

    sha256: str
    size: int


class ArtifactStore(Protocol):
    """What every backend provides."""

    def put(self, chunks: Iterable[bytes], *, expected_sha256: str | None = None,
            expected_size: int | None = None, validate: Validator | None = None) -> ArtifactInfo:
        """Store the concatenated ``chunks``; raises DataLoss when digest or size disagree.

        ``validate`` is called with the path of the complete, verified temporary file before it is
        stored; whatever it raises aborts the put and nothing is stored.
        """
        ...

    def exists(self, sha256: str) -> bool:
        """Whether an artifact with this digest is stored."""
        ...

    def info(self, sha256: str) -> ArtifactInfo:
        """Size of a stored artifact; NotFound when absent."""
        ...

    def read(self, sha256: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[bytes]:
        """The artifact's bytes in chunks of at most ``chunk_bytes``."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove an artifact (no error when absent)."""
        ...


def validate_sha256(value: str, field: str = "sha256") -> str:
    """A lower-case hex sha256, or InvalidArgument naming ``field``."""
    lowered = value.lower()
    if not _SHA256.match(lowered):
        raise InvalidArgument(field, "expected 64 hexadecimal characters (a sha256 digest)")
    return lowered


class FilesystemArtifactStore:
    """Artifacts as files under ``root/sha256/<2 chars>/<digest>`` (the embedded default)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        digest = validate_sha256(sha256)
        return self.root / "sha256" / digest[:2] / digest

    def put(self, chunks: Iterable[bytes], *, expected_sha256: str | None = None,
            expected_size: int | None = None, validate: Validator | None = None) -> ArtifactInfo:
        expected = validate_sha256(expected_sha256, "expected_sha256") if expected_sha256 else None
        tmp = self.root / "tmp" / f"{uuid.uuid4().hex}.part"
        try:
            with _PipelinedFile(tmp) as writer:
                for chunk in chunks:
                    writer.write(chunk)
                digest, size = writer.finish()
            if expected_size is not None and size != expected_size:
                raise DataLoss(f"artifact size {size} does not match the declared {expected_size}",
                               reason="ARTIFACT_SIZE_MISMATCH",
                               metadata={"received_bytes": size, "expected_bytes": expected_size})
            if expected is not None and digest != expected:
                raise DataLoss(f"artifact sha256 {digest} does not match the declared {expected}",
                               reason="ARTIFACT_CHECKSUM_MISMATCH",
                               metadata={"received_sha256": digest, "expected_sha256": expected})
            if validate is not None:
                validate(tmp)
            final = self._path(digest)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_directory(final.parent)  # the rename itself must survive a crash
            return ArtifactInfo(digest, size)
        finally:
            tmp.unlink(missing_ok=True)

    def path(self, sha256: str) -> Path:
        """Where a stored artifact's file is (whether or not it exists)."""
        return self._path(sha256)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def info(self, sha256: str) -> ArtifactInfo:
        path = self._path(sha256)
        try:
            return ArtifactInfo(sha256.lower(), path.stat().st_size)
        except FileNotFoundError:
            raise NotFound("artifact", sha256) from None

    def read(self, sha256: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[bytes]:
        path = self._path(sha256)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the generator below
        except FileNotFoundError:
            raise NotFound("artifact", sha256) from None
        return _read_chunks(handle, chunk_bytes)

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)


class _PipelinedFile:
    """Writes and hashes a file in a writer thread while the caller keeps producing chunks.

    The caller's thread (a gRPC handler receiving the upload) only hands each chunk to a small bounded
    queue; the writer thread hashes it and writes it (both release the GIL, so the two overlap), and a
    syncer thread flushes every ~16 MB with ``fdatasync`` so writeback overlaps the receive and the
    final ``fsync`` has little left to do. A writer failure surfaces in the caller's next ``write`` or
    in ``finish``; leaving the ``with`` block early (the stream failed) stops both threads.
    """

    def __init__(self, path: Path) -> None:
        self._handle = open(path, "wb", buffering=0)  # noqa: SIM115 - closed by __exit__
        self._fd = self._handle.fileno()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_PIPELINE_DEPTH)
        self._hasher = hashlib.sha256()
        self._size = 0
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._sync_wanted = threading.Event()
        self._sync_idle = threading.Event()
        self._sync_idle.set()
        self._writer = threading.Thread(target=self._write_loop, name="artifact-writer", daemon=True)
        self._syncer = threading.Thread(target=self._sync_loop, name="artifact-syncer", daemon=True)
        self._writer.start()
        self._syncer.start()

    def __enter__(self) -> _PipelinedFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._sync_wanted.set()
        if self._writer.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)
        self._writer.join()
        self._syncer.join()
        self._handle.close()

    def write(self, chunk: bytes) -> None:
        """Queue ``chunk``; raises what the writer failed with, if it did."""
        self._hand_over(chunk)

    def finish(self) -> tuple[str, int]:
        """Wait for the last chunk to be written and the file to be durable; (sha256 hex, size)."""
        self._hand_over(None)
        self._writer.join()
        if self._error is not None:
            raise self._error
        self._sync_idle.wait()
        # Linux reports a write-back error once per open file: when the syncer's fdatasync consumed it,
        # the final fsync succeeds, so the syncer's error must be looked at after it is idle.
        if self._error is not None:
            raise self._error
        os.fsync(self._fd)
        if self._error is not None:
            raise self._error
        return self._hasher.hexdigest(), self._size

    def _hand_over(self, item: bytes | None) -> None:
        """Queue ``item`` once there is room, checking meanwhile that the writer is still working."""
        while True:
            if self._error is not None:
                raise self._error
            if not self._writer.is_alive():
                raise OSError("the artifact writer stopped")
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _write_loop(self) -> None:
        synced = 0
        try:
            while not self._stop.is_set():
                chunk = self._queue.get()
                if chunk is None:
                    return
                self._hasher.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self._fd, view):]
                self._size += len(chunk)
                if self._size - synced >= _SYNC_EVERY_BYTES:
                    synced = self._size
                    self._sync_idle.clear()
                    self._sync_wanted.set()
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
            self._error = error
        finally:
            self._stop.set()
            self._sync_wanted.set()

    def _sync_loop(self) -> None:
        while True:
            self._sync_wanted.wait()
            self._sync_wanted.clear()
            stopping = self._stop.is_set()
            try:
                if not stopping:
                    os.fdatasync(self._fd)
            except OSError as error:
                self._error = self._error or error
            finally:
                if not self._sync_wanted.is_set():
                    self._sync_idle.set()
            if stopping:
                self._sync_idle.set()
                return


def _s3_error(error: Exception, sha256: str) -> NotFound | Unavailable:
    """NotFound for an object S3 says is absent; Unavailable (worth retrying) for any other refusal."""
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    if code in ("404", "NoSuchKey", "NotFound"):
        return NotFound("artifact", sha256)
    return Unavailable(f"the artifact store did not answer for {sha256}: {code or error}",
                       reason="ARTIFACT_STORE_UNAVAILABLE", metadata={"sha256": sha256})


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_chunks(handle: object, chunk_bytes: int) -> Iterator[bytes]:
    with handle:  # type: ignore[attr-defined]
        while chunk := handle.read(chunk_bytes):  # type: ignore[attr-defined]
            yield chunk


class S3ArtifactStore:
    """Artifacts as objects ``<prefix>sha256/<digest>`` in an S3-compatible bucket (MinIO, Ceph, AWS).

    An upload is spooled to a local temporary file while it is hashed and only sent to the bucket once
    its digest and size are verified, so the bucket never holds a corrupted or partial object.
    """

    def __init__(self, bucket: str, endpoint_url: str | None = None, prefix: str = "",
                 spool_dir: str | None = None, **client_options: str) -> None:
        import boto3  # an optional dependency: `pip install sextant[s3]`

        self.bucket = bucket
        self.prefix = prefix
        self._client = boto3.client("s3", endpoint_url=endpoint_url, **client_options)
        self._spool = FilesystemArtifactStore(spool_dir or os.path.join(os.getcwd(), ".sextant", "s3-spool"))

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}sha256/{validate_sha256(sha256)}"

    def put(self, chunks: Iterable[bytes], *, expected_sha256: str | None = None,
            expected_size: int | None = None, validate: Validator | None = None) -> ArtifactInfo:
        info = self._spool.put(chunks, expected_sha256=expected_sha256, expected_size=expected_size,
                               validate=validate)
        try:
            if not self.exists(info.sha256):
                path = self._spool._path(info.sha256)
                self._client.upload_file(str(path), self.bucket, self._key(info.sha256))
        finally:
            self._spool.delete(info.sha256)
        return info

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def info(self, sha256: str) -> ArtifactInfo:
        from botocore.exceptions import ClientError

        try:
            head = self._client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except ClientError as error:
            raise _s3_error(error, sha256) from None
        return ArtifactInfo(sha256.lower(), int(head["ContentLength"]))

    def read(self, sha256: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            body = self._client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        except ClientError as error:
            raise _s3_error(error, sha256) from None
        return _read_chunks(body, chunk_bytes)

    def delete(self, sha256: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._key(sha256))


ARTIFACT_STORE_TYPES: dict[str, type] = {"filesystem": FilesystemArtifactStore, "s3": S3ArtifactStore}


def artifact_store_for(kind: str, **options: str) -> ArtifactStore:
    """The artifact store of type ``kind`` built from its options."""
    try:
        cls = ARTIFACT_STORE_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown artifact store type {kind!r}; known: {', '.join(ARTIFACT_STORE_TYPES)}") from None
    return cls(**options)
