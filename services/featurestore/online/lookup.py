"""Online lookups: latest values for a batch of entities, with a status and event time per value.

Definitions come from the in-memory snapshot and the row codec of each view version is cached, so
a lookup costs one read of the online store per view; the payloads of a view version decode in one
call into columns, gathered into request order with one ``take`` for the whole table.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from services.common.errors import InvalidArgument
from services.featurestore.arrow_schema import ARROW_TYPES
from services.featurestore.definitions.fingerprint import ttl_micros
from services.featurestore.definitions.references import ResolvedRef
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from services.featurestore.online.codec import RowCodec
from services.featurestore.online.store import OnlineStore, StoredValue, encode_keys
from sextant.type.v1 import features_pb2

PRESENT = features_pb2.FEATURE_VALUE_STATUS_PRESENT
NULL = features_pb2.FEATURE_VALUE_STATUS_NULL
NOT_FOUND = features_pb2.FEATURE_VALUE_STATUS_NOT_FOUND
OUTSIDE_TTL = features_pb2.FEATURE_VALUE_STATUS_OUTSIDE_TTL


@dataclass(frozen=True)
class OnlineColumn:
    """One requested feature's values for every row."""

    ref: ResolvedRef
    name: str
    #: One value per row; the type's zero where the status is not PRESENT (timestamps in microseconds).
    values: np.ndarray
    statuses: np.ndarray
    event_micros: np.ndarray


class OnlineLookup:
    """Reads the online store for resolved references."""

    def __init__(self, store: OnlineStore) -> None:
        self._store = store
        self._codecs: dict[tuple[str, int], RowCodec] = {}
        self._position_cache: dict[tuple, list[int]] = {}

    def clear_cache(self) -> None:
        """Forget cached codecs (definitions changed)."""
        self._codecs = {}
        self._position_cache = {}

    def _decode(self, snapshot: DefinitionSnapshot, view: str, version: int, values: list[StoredValue]
                ) -> tuple[pa.Schema, list[tuple[np.ndarray, np.ndarray]]] | None:
        key = (view, version)
        codec = self._codecs.get(key)
        if codec is None:
            definition = snapshot.versions.get(key)
            if definition is None:
                return None
            codec = RowCodec(pa.schema([pa.field(f.name, ARROW_TYPES[f.dtype]) for f in definition.features]))
            self._codecs[key] = codec
        return codec.schema, codec.decode_columns([v.payload for v in values])

    def _positions(self, view: str, version: int, wanted: tuple[tuple[str, pa.DataType], ...],
                   schema: pa.Schema) -> list[int]:
        key = (view, version, wanted)
        positions = self._position_cache.get(key)
        if positions is None:
            positions = []
            for name, kind in wanted:
                index = schema.get_field_index(name)
                positions.append(index if index >= 0 and schema.field(index).type == kind else -1)
            if len(self._position_cache) > 4096:
                self._position_cache.clear()
            self._position_cache[key] = positions
        return positions

    def lookup(self, snapshot: DefinitionSnapshot, refs: list[ResolvedRef], names: list[str],
               keys: Mapping[str, pa.Array], row_count: int) -> list[OnlineColumn]:
        """Look up every reference for ``row_count`` entities given by key columns."""
        now = int(time.time() * 1_000_000)
        by_view: dict[tuple[str, int], list[int]] = {}
        for index, ref in enumerate(refs):
            by_view.setdefault((ref.view.name, ref.view.version), []).append(index)
        columns: list[OnlineColumn | None] = [None] * len(refs)
        for (view_name, _version), indices in by_view.items():
            view = refs[indices[0]].view
            key_names = [k.name for k in snapshot.join_keys(view)]
            for name in key_names:
                if name not in keys:
                    raise InvalidArgument(f"entity_keys.columns[{name}]",
                                          f"missing join key column {name!r} of feature view {view_name!r}",
                                          reason="MISSING_KEY", metadata={"column": name})
            stored = self._store.read(view_name, encode_keys([keys[n] for n in key_names]))
            found = np.fromiter((s is not None for s in stored), dtype=bool, count=row_count)
            event = np.fromiter((s.event_ts if s is not None else 0 for s in stored), dtype=np.int64,
                                count=row_count)
            ttl = ttl_micros(view)
            status = np.where(found, PRESENT, NOT_FOUND)
            if ttl:
                status = np.where(found & (event < now - ttl), OUTSIDE_TTL, status)
            live = status == PRESENT
            by_version: dict[int, list[int]] = {}
            for row in np.flatnonzero(live).tolist():
                by_version.setdefault(stored[row].version, []).append(row)
            wanted = tuple((refs[i].feature.name, ARROW_TYPES[refs[i].feature.dtype]) for i in indices)
            # Rows are listed in ascending order, so one version holding every row is already in order.
            identity = len(by_version) == 1 and len(next(iter(by_version.values()))) == row_count
            full: list[np.ndarray | None] = [None] * len(wanted)
            valid_full: list[np.ndarray | None] = [None] * len(wanted)
            for version, rows in by_version.items():
                decoded = self._decode(snapshot, view_name, version, [stored[r] for r in rows])
                if decoded is None:
                    continue
                positions, columns_of_version = self._positions(view_name, version, wanted, decoded[0]), decoded[1]
                at = None if identity else np.array(rows, dtype=np.int64)
                for slot, position in enumerate(positions):
                    if position < 0:
                        continue  # this version has no such feature: the value reads as null
                    values, valid = columns_of_version[position]
                    if at is None:
                        full[slot], valid_full[slot] = values, valid
                        continue
                    if full[slot] is None:
                        full[slot] = _zeros(wanted[slot][1], row_count)
                        valid_full[slot] = np.zeros(row_count, dtype=bool)
                    full[slot][at] = values
                    valid_full[slot][at] = valid
            for slot, (_name, kind) in enumerate(wanted):
                if full[slot] is None:
                    full[slot] = _zeros(kind, row_count)
                    valid_full[slot] = np.zeros(row_count, dtype=bool)
            any_live = bool(live.any())
            for slot, index in enumerate(indices):
                col_status = status
                if any_live:
                    col_status = np.where(live & ~valid_full[slot], NULL, status)
                columns[index] = OnlineColumn(refs[index], names[index], full[slot], col_status, event)
        return [c for c in columns if c is not None]



def _zeros(kind: pa.DataType, n: int) -> np.ndarray:
    """A column of ``n`` zero values of a feature type (the placeholder of absent values)."""
    if pa.types.is_string(kind):
        return np.full(n, "", dtype=object)
    if pa.types.is_binary(kind):
        return np.full(n, b"", dtype=object)
    if pa.types.is_timestamp(kind):
        return np.zeros(n, dtype=np.int64)
    return np.zeros(n, dtype=kind.to_pandas_dtype())
