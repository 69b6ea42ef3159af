"""Content-addressed artifact storage: an interface and one module-level class per backend.

Artifacts are stored under their sha256. A write streams to a temporary name while hashing, checks
the expected digest and size, then moves into place, so a truncated or corrupted upload leaves
nothing behind and a reader never sees half a file. Backends are chosen by a ``type`` string:

    store = artifact_store_for("filesystem", root=".sextant/artifacts")
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from services.common.errors import DataLoss, InvalidArgument, NotFound

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_CHUNK_BYTES = 1024 * 1024


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
        hasher = hashlib.sha256()
        size = 0
        tmp = self.root / "tmp" / f"{uuid.uuid4().hex}.part"
        try:
            with open(tmp, "wb") as handle:
                for chunk in chunks:
                    hasher.update(chunk)
                    handle.write(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            digest = hasher.hexdigest()
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
            return ArtifactInfo(digest, size)
        finally:
            tmp.unlink(missing_ok=True)

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
        except ClientError:
            raise NotFound("artifact", sha256) from None
        return ArtifactInfo(sha256.lower(), int(head["ContentLength"]))

    def read(self, sha256: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            body = self._client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        except ClientError:
            raise NotFound("artifact", sha256) from None
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
