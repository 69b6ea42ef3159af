"""The filesystem artifact store: content-addressed, verified, nothing half-written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from services.common.artifacts import FilesystemArtifactStore
from services.common.errors import DataLoss, InvalidArgument, NotFound


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_put_read_round_trip(tmp_path: Path) -> None:
    store = FilesystemArtifactStore(tmp_path)
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


def test_checksum_mismatch_stores_nothing(tmp_path: Path) -> None:
    store = FilesystemArtifactStore(tmp_path)
    with pytest.raises(DataLoss) as caught:
        store.put([b"abc"], expected_sha256="0" * 64)
    assert caught.value.reason == "ARTIFACT_CHECKSUM_MISMATCH"
    assert _files(tmp_path) == []


def test_truncated_stream_stores_nothing(tmp_path: Path) -> None:
    store = FilesystemArtifactStore(tmp_path)

    def broken():
        yield b"a" * 1000
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.put(broken())
    with pytest.raises(DataLoss):
        store.put([b"a" * 10], expected_size=20)
    assert _files(tmp_path) == []


def test_keys_must_be_digests(tmp_path: Path) -> None:
    store = FilesystemArtifactStore(tmp_path)
    with pytest.raises(InvalidArgument):
        store.exists("../../etc/passwd")
    with pytest.raises(NotFound):
        store.read("a" * 64)
