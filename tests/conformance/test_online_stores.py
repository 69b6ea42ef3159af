"""Every online store backend behaves the same: SQLite, PostgreSQL and Redis (a real redis-server).

Values are replaced only by rows with a later (event time, created time); reads return values in
key order with None for unknown keys (and the columnar read used by lookups agrees with them);
deleting a view removes its values and no other view's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from services.featurestore.online.store import OnlineRows, OnlineStore, encode_keys, open_online_store
from tests.integration.featurestore.helpers import redis_server


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server listening only on a unix socket in tmp_path."""
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OnlineStore]:
    """One online store per backend."""
    if request.param == "sqlite":
        backend = open_online_store("sqlite", f"sqlite:///{tmp_path / 'online.db'}")
    elif request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        backend = open_online_store("postgresql", cluster.create_database(f"online_{time.monotonic_ns()}"))
    else:
        backend = open_online_store("redis", request.getfixturevalue("redis_url"))
    try:
        yield backend
    finally:
        backend.close()


def _rows(keys: list[bytes], event: list[int], created: list[int], payloads: list[bytes], version: int = 1
          ) -> OnlineRows:
    return OnlineRows(keys, np.array(event, np.int64), np.array(created, np.int64), payloads, version)


def test_only_newer_rows_replace_values(store: OnlineStore) -> None:
    store.write("v", _rows([b"1", b"2"], [100, 100], [5, 5], [b"a1", b"b1"]))
    store.write("v", _rows([b"1", b"2"], [99, 100], [9, 6], [b"a0", b"b2"], version=2))
    store.write("v", _rows([b"2"], [100, ], [4], [b"b-old"]))
    found = store.read("v", [b"2", b"1", b"3", b"2"])
    assert [f.payload if f else None for f in found] == [b"b2", b"a1", None, b"b2"]
    assert (found[0].version, found[0].event_ts, found[0].created_ts) == (2, 100, 6)
    assert store.read("v", []) == []


def test_columnar_reads_match_value_reads(store: OnlineStore) -> None:
    store.write("v", _rows([b"1", b"2"], [100, 200], [5, 6], [b"a", b"b"], version=3))
    keys = [b"2", b"9", b"1", b"2"]
    rows = store.read_rows("v", keys)
    assert rows.position.tolist()[1] == -1
    by_key = [None if p < 0 else (int(rows.version[p]), int(rows.event_ts[p]), rows.payloads[p])
              for p in rows.position.tolist()]
    expected = [None if v is None else (v.version, v.event_ts, v.payload) for v in store.read("v", keys)]
    assert by_key == expected == [(3, 200, b"b"), None, (3, 100, b"a"), (3, 200, b"b")]
    assert store.read_rows("v", [b"9"]).position.tolist() == [-1]
    assert store.read_rows("v", []).position.tolist() == []


def test_views_are_separate_and_deletable(store: OnlineStore) -> None:
    store.write("one", _rows([b"k"], [1], [1], [b"x"]))
    store.write("two", _rows([b"k"], [1], [1], [b"y"]))
    store.delete_view("one")
    assert store.read("one", [b"k"]) == [None]
    assert store.read("two", [b"k"])[0].payload == b"y"


def test_binary_payloads_and_many_keys_round_trip(store: OnlineStore) -> None:
    keys = [str(i).encode() for i in range(2500)]
    payloads = [bytes([i % 256, 0, 255]) * 3 for i in range(2500)]
    store.write("big", _rows(keys, list(range(2500)), [0] * 2500, payloads))
    found = store.read("big", keys[::-1])
    assert [f.payload for f in found] == payloads[::-1]


def test_key_encoding_is_stable_across_types() -> None:
    import pyarrow as pa

    assert encode_keys([pa.array([1, 22], pa.int64())]) == [b"1", b"22"]
    assert encode_keys([pa.array([1], pa.int32()), pa.array(["x"])]) == [b"1\x1fx"]
    assert encode_keys([pa.array([b"\x00\xff"], pa.binary())]) == [b"00ff"]
