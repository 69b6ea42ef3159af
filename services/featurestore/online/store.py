"""The online store interface, the value encoding every backend shares, and the backend factory.

A stored value is the latest row of one entity in one view: its event and created times in
microseconds, the view version that wrote it, and its feature values packed by the version's
RowCodec (the reader knows the codec from the version). Reads therefore decode whole batches of
rows into columns instead of building one Python object per value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.featurestore.arrow_schema import CREATED_TS, EVENT_TS
from services.featurestore.online.codec import RowCodec

KEY_SEPARATOR = "\x1f"
_SEPARATOR_BYTES = KEY_SEPARATOR.encode()


@dataclass(frozen=True)
class OnlineRows:
    """Rows to write: encoded entity keys, times, and one serialized payload per row."""

    keys: list[bytes]
    event_ts: np.ndarray
    created_ts: np.ndarray
    payloads: list[bytes]
    version: int


class StoredValue(NamedTuple):
    """One stored row as read back (a named tuple: the read path builds one per entity)."""

    version: int
    event_ts: int
    created_ts: int
    payload: bytes


@dataclass(frozen=True)
class StoredRows:
    """The stored rows of a batch of keys, as columns: what the lookup path reads.

    ``position[i]`` is the index of key ``i``'s row in ``version``/``event_ts``/``payloads``, or -1
    where the key has no stored value; a key asked twice may share one row.
    """

    position: np.ndarray
    version: np.ndarray
    event_ts: np.ndarray
    payloads: Sequence[bytes]

    @classmethod
    def from_values(cls, values: Sequence[StoredValue | None]) -> StoredRows:
        """Rows from one optional value per key."""
        found = [v for v in values if v is not None]
        position = np.full(len(values), -1, dtype=np.intp)
        position[[i for i, v in enumerate(values) if v is not None]] = np.arange(len(found), dtype=np.intp)
        return cls(position, np.array([v.version for v in found], dtype=np.int64),
                   np.array([v.event_ts for v in found], dtype=np.int64), [v.payload for v in found])


class OnlineStore(ABC):
    """Latest value per entity per view; a write only replaces an older (event, created) time."""

    @abstractmethod
    def write(self, view: str, rows: OnlineRows) -> int:
        """Store rows where they are newer than the stored value; returns the rows offered."""

    @abstractmethod
    def read(self, view: str, keys: Sequence[bytes]) -> list[StoredValue | None]:
        """The stored value of each key, None where there is none, in key order."""

    def read_rows(self, view: str, keys: Sequence[bytes]) -> StoredRows:
        """The stored values of ``keys`` as columns; backends override it to skip per-row objects."""
        return StoredRows.from_values(self.read(view, keys))

    def read_one(self, view: str, key: bytes) -> StoredValue | None:
        """The stored value of one key, or None; backends override it for a serving request's single
        entity."""
        return self.read(view, [key])[0]

    @abstractmethod
    def delete_view(self, view: str) -> None:
        """Remove every value of a view."""

    def close(self) -> None:  # noqa: B027 - an optional hook, not every backend holds resources
        """Release connections."""


def encode_keys(columns: Sequence[pa.Array | pa.ChunkedArray]) -> list[bytes]:
    """Entity keys as bytes: key values in text form joined by a unit separator."""
    if all(pa.types.is_integer(c.type) and not c.null_count for c in columns):
        # The request path's usual keys: NumPy writes integers' decimal text, as Arrow's cast does.
        parts = [np.asarray(c).astype("S20").tolist() for c in columns]
        return parts[0] if len(parts) == 1 else [_SEPARATOR_BYTES.join(key) for key in zip(*parts, strict=True)]
    texts = []
    for column in columns:
        if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            texts.append(pa.array([v.hex() for v in column.to_pylist()], pa.string()))
        else:
            texts.append(pc.cast(column, pa.string()))
    joined = texts[0] if len(texts) == 1 else pc.binary_join_element_wise(*texts, KEY_SEPARATOR)
    return [s.encode() for s in joined.to_pylist()]


def latest_rows(table: pa.Table, key_names: Sequence[str], feature_names: Sequence[str],
                version: int) -> OnlineRows:
    """The latest row per entity of ``table`` (stored schema), encoded for the online store."""
    if table.num_rows == 0:
        return OnlineRows([], np.array([], np.int64), np.array([], np.int64), [], version)
    ordered = table.sort_by([(k, "ascending") for k in key_names]
                            + [(EVENT_TS, "ascending"), (CREATED_TS, "ascending")])
    keys = encode_keys([ordered.column(k) for k in key_names])
    last: dict[bytes, int] = {}
    for index, key in enumerate(keys):
        last[key] = index
    indices = np.fromiter(last.values(), dtype=np.int64)
    latest = ordered.take(pa.array(indices))
    features = latest.select(list(feature_names))
    payloads = RowCodec(features.schema).encode(features)
    return OnlineRows(list(last.keys()), latest.column(EVENT_TS).cast(pa.int64()).to_numpy(),
                      latest.column(CREATED_TS).cast(pa.int64()).to_numpy(), payloads, version)


def open_online_store(kind: str, url: str) -> OnlineStore:
    """The backend named by ``kind`` (`sqlite`, `postgresql`, `redis`) at ``url``."""
    if kind == "redis":
        from services.featurestore.online.redis_store import RedisOnlineStore

        return RedisOnlineStore(url)
    from services.featurestore.online.sql_store import SqlOnlineStore

    return SqlOnlineStore(url, expected_dialect=kind)
