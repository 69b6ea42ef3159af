"""FilesystemArtifactStore.put: hashing and writing in a writer thread, periodic flushes, and the same
all-or-nothing outcome as a plain write (nothing stored from a failed put, no thread left behind)."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common import artifacts
from services.common.artifacts import FilesystemArtifactStore
from services.common.errors import DataLoss

MIB = 1024 * 1024


def _chunks(data: bytes) -> list[bytes]:
    return [data[i:i + MIB] for i in range(0, len(data), MIB)]


def _leftovers(store: FilesystemArtifactStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()]


def _pipeline_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name in ("artifact-writer", "artifact-syncer")]


def test_round_trip_and_periodic_flushes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flushes: list[int] = []
    real = os.fdatasync
    monkeypatch.setattr(artifacts.os, "fdatasync", lambda fd: (flushes.append(fd), real(fd))[1])
    store = FilesystemArtifactStore(tmp_path)
    data = os.urandom(40 * MIB + 123)
    digest = hashlib.sha256(data).hexdigest()
    info = store.put(iter(_chunks(data)), expected_sha256=digest, expected_size=len(data))
    assert (info.sha256, info.size) == (digest, len(data))
    assert store.path(digest).read_bytes() == data
    assert b"".join(store.read(digest)) == data
    assert len(flushes) >= 1  # 40 MiB crossed the 16 MiB flush mark at least once before the final fsync
    assert _leftovers(store) == [store.path(digest)]
    assert _pipeline_threads() == []


@pytest.mark.parametrize(("declared_size", "declared_sha", "reason"), [
    (5 * MIB + 1, None, "ARTIFACT_SIZE_MISMATCH"),
    (None, "0" * 64, "ARTIFACT_CHECKSUM_MISMATCH"),
])
def test_mismatch_is_data_loss_and_stores_nothing(tmp_path: Path, declared_size: int | None,
                                                 declared_sha: str | None, reason: str) -> None:
    store = FilesystemArtifactStore(tmp_path)
    with pytest.raises(DataLoss) as caught:
        store.put(iter(_chunks(os.urandom(5 * MIB))), expected_sha256=declared_sha, expected_size=declared_size)
    assert caught.value.reason == reason
    assert _leftovers(store) == []
    assert _pipeline_threads() == []


def test_a_failing_stream_stores_nothing(tmp_path: Path) -> None:
    store = FilesystemArtifactStore(tmp_path)

    def truncated() -> Iterator[bytes]:
        yield from _chunks(os.urandom(20 * MIB))
        raise ConnectionError("the client went away")

    with pytest.raises(ConnectionError):
        store.put(truncated())
    assert _leftovers(store) == []
    assert _pipeline_threads() == []


def test_the_validate_hook_sees_the_complete_file_and_can_refuse(tmp_path: Path) -> None:
    store = FilesystemArtifactStore(tmp_path)
    data = os.urandom(3 * MIB)
    seen: list[bytes] = []

    def refuse(path: Path) -> None:
        seen.append(path.read_bytes())
        raise ValueError("not a model")

    with pytest.raises(ValueError, match="not a model"):
        store.put(iter(_chunks(data)), validate=refuse)
    assert seen == [data]
    assert _leftovers(store) == []


def test_a_write_failure_reaches_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FilesystemArtifactStore(tmp_path)

    def disk_full(_fd: int, _data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(artifacts.os, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        store.put(iter(_chunks(os.urandom(30 * MIB))))
    monkeypatch.undo()
    assert _leftovers(store) == []
    assert _pipeline_threads() == []
