"""Every artifact store backend: content-addressed, verified, nothing half-written.

The same suite runs against the filesystem store and the S3 store (against a real S3-compatible
server, moto's, on loopback).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.artifacts import ArtifactStore, FilesystemArtifactStore, S3ArtifactStore
from services.common.errors import DataLoss, InvalidArgument, NotFound


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._server.port}"
    finally:
        server.stop()


class _Backend:
    """A store under test plus a way to list what it holds."""

    def __init__(self, store: ArtifactStore, listing) -> None:
        self.store = store
        self.listing = listing


@pytest.fixture(params=["filesystem", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> _Backend:
    if request.param == "filesystem":
        store = FilesystemArtifactStore(tmp_path / "artifacts")
        return _Backend(store, lambda: [p for p in (tmp_path / "artifacts").rglob("*") if p.is_file()])
    import boto3

    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"artifacts-{uuid.uuid4().hex[:8]}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, **credentials).create_bucket(Bucket=bucket)
    store = S3ArtifactStore(bucket, endpoint_url=endpoint, prefix="models/", spool_dir=str(tmp_path / "spool"),
                            **credentials)

    def listing() -> list[str]:
        objects = store._client.list_objects_v2(Bucket=bucket).get("Contents", [])
        spooled = [p for p in (tmp_path / "spool").rglob("*") if p.is_file()]
        return [o["Key"] for o in objects] + [str(p) for p in spooled]

    return _Backend(store, listing)


def test_put_read_round_trip(backend: _Backend) -> None:
    store = backend.store
    data = os.urandom(3 * 1024 * 1024 + 17)
    digest = hashlib.sha256(data).hexdigest()
    info = store.put((data[i:i + 65536] for i in range(0, len(data), 65536)), expected_sha256=digest,
                     expected_size=len(data))
    assert info.sha256 == digest and info.size == len(data)
    assert store.exists(digest)
    assert b"".join(store.read(digest, 1 << 20)) == data
    assert store.info(digest).size == len(data)
    # Storing the same bytes again is idempotent.
    assert store.put([data]).sha256 == digest


def test_checksum_mismatch_stores_nothing(backend: _Backend) -> None:
    store = backend.store
    with pytest.raises(DataLoss) as caught:
        store.put([b"abc"], expected_sha256="0" * 64)
    assert caught.value.reason == "ARTIFACT_CHECKSUM_MISMATCH"
    assert backend.listing() == []


def test_truncated_stream_stores_nothing(backend: _Backend) -> None:
    store = backend.store

    def broken():
        yield b"a" * 1000
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.put(broken())
    with pytest.raises(DataLoss):
        store.put([b"a" * 10], expected_size=20)
    assert backend.listing() == []


def test_keys_must_be_digests(backend: _Backend) -> None:
    store = backend.store
    with pytest.raises(InvalidArgument):
        store.exists("../../etc/passwd")
    with pytest.raises(NotFound):
        store.read("a" * 64)


def test_delete(backend: _Backend) -> None:
    info = backend.store.put([b"to be deleted"])
    backend.store.delete(info.sha256)
    assert not backend.store.exists(info.sha256)
    assert backend.listing() == []


def test_a_failed_validation_stores_nothing(backend: _Backend) -> None:
    seen: list[bytes] = []

    def reject(path: Path) -> None:
        seen.append(path.read_bytes())
        raise InvalidArgument("artifact", "expected an ONNX model")

    with pytest.raises(InvalidArgument):
        backend.store.put([b"not ", b"onnx"], validate=reject)
    assert seen == [b"not onnx"], "the validator sees the complete, verified bytes"
    assert backend.listing() == []
    info = backend.store.put([b"fine"], validate=lambda path: None)
    assert backend.store.exists(info.sha256)


def test_s3_refusals_other_than_a_missing_object_are_unavailable(s3_endpoint: str, tmp_path: Path) -> None:
    """Only an absent object is NotFound; anything else S3 answers (here: no such bucket) is worth retrying."""
    from services.common.errors import Unavailable

    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    store = S3ArtifactStore("no-such-bucket", endpoint_url=s3_endpoint, prefix="models/",
                            spool_dir=str(tmp_path / "spool"), **credentials)
    with pytest.raises(Unavailable):
        store.read("a" * 64)  # (a HEAD cannot tell: S3 answers a bare 404 for a missing bucket too)
