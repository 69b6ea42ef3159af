"""Online lookups: latest values for a batch of entities, with a status and event time per value.

Definitions come from the in-memory snapshot and the row codec of each view version is cached, so
a lookup costs one read of the online store per view; the payloads of a view version decode with a
few NumPy calls per feature type into columns, and the statuses of all the view's features come
from one validity matrix. Features without nulls share one status array, which the protobuf edge
then converts once.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from services.common.errors import InvalidArgument
from services.featurestore.arrow_schema import ARROW_TYPES
from services.featurestore.definitions.fingerprint import ttl_micros
from services.featurestore.definitions.references import ResolvedRef
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from services.featurestore.online.codec import RowCodec
from services.featurestore.online.store import OnlineStore, encode_keys
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import features_pb2

#: Feature types whose stored bytes are their wire bytes in a response (little-endian doubles and
#: floats, bools as one byte 0/1), so a single entity's values are copied as they are stored.
_SINGLE_KINDS = frozenset({pa.float64(), pa.float32(), pa.bool_()})
#: Reads a payload's validity bytes, the tuple they form when nothing is null, reads its value bytes.
_SingleLayout = tuple[Callable[[bytes], tuple[int, ...]], tuple[int, ...], Callable[[bytes], list[bytes]]]

PRESENT = features_pb2.FEATURE_VALUE_STATUS_PRESENT
NULL = features_pb2.FEATURE_VALUE_STATUS_NULL
NOT_FOUND = features_pb2.FEATURE_VALUE_STATUS_NOT_FOUND
OUTSIDE_TTL = features_pb2.FEATURE_VALUE_STATUS_OUTSIDE_TTL


@dataclass(slots=True)
class OnlineColumn:
    """One requested feature's values for every row."""

    ref: ResolvedRef
    name: str
    #: One value per row; the type's zero where the status is not PRESENT (timestamps in microseconds).
    values: np.ndarray
    statuses: np.ndarray
    event_micros: np.ndarray


#: (view version, indices of its references, join key names, (feature, Arrow type) per reference, TTL µs)
_ViewGroup = tuple[resources_pb2.FeatureView, list[int], list[str], tuple[tuple[str, pa.DataType], ...], int]


_Positions = tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]


class OnlineLookup:
    """Reads the online store for resolved references."""

    def __init__(self, store: OnlineStore) -> None:
        self._store = store
        self._codecs: dict[tuple[str, int], RowCodec] = {}
        self._position_cache: dict[tuple, tuple[tuple, _Positions]] = {}
        self._group_cache: dict[int, tuple[list[ResolvedRef], DefinitionSnapshot, list[_ViewGroup]]] = {}
        self._layouts: dict[tuple[str, int, int], tuple[tuple, _SingleLayout | None]] = {}

    def clear_cache(self) -> None:
        """Forget cached codecs (definitions changed)."""
        self._codecs = {}
        self._position_cache = {}
        self._group_cache = {}
        self._layouts = {}

    def _codec(self, snapshot: DefinitionSnapshot, view: str, version: int) -> RowCodec | None:
        key = (view, version)
        codec = self._codecs.get(key)
        if codec is None:
            definition = snapshot.versions.get(key)
            if definition is None:
                return None
            codec = RowCodec(pa.schema([pa.field(f.name, ARROW_TYPES[f.dtype]) for f in definition.features]))
            self._codecs[key] = codec
        return codec

    def _positions(self, view: str, version: int, wanted: tuple[tuple[str, pa.DataType], ...],
                   schema: pa.Schema) -> _Positions:
        """Index of each wanted feature in a version's schema (-1 where it is absent or retyped), the
        wanted slots the version has, and those as (slot, index) pairs."""
        # Keyed by the identity of ``wanted`` (a cached group's tuple, kept alive by the entry):
        # hashing its Arrow types on every request cost more than the rest of this method.
        key = (view, version, id(wanted))
        entry = self._position_cache.get(key)
        cached = entry[1] if entry is not None and entry[0] is wanted else None
        if cached is None:
            found = []
            for name, kind in wanted:
                index = schema.get_field_index(name)
                found.append(index if index >= 0 and schema.field(index).type == kind else -1)
            positions = np.array(found, dtype=np.intp)
            present = np.flatnonzero(positions >= 0)
            cached = (positions, present, [(slot, found[slot]) for slot in present.tolist()])
            if len(self._position_cache) > 4096:
                self._position_cache.clear()
            self._position_cache[key] = (wanted, cached)
        return cached

    def _view_groups(self, snapshot: DefinitionSnapshot, refs: list[ResolvedRef]) -> list[_ViewGroup]:
        """The references grouped by view version with what a read needs, derived once per plan."""
        cached = self._group_cache.get(id(refs))
        if cached is not None and cached[0] is refs and cached[1] is snapshot:
            return cached[2]
        by_view: dict[tuple[str, int], list[int]] = {}
        for index, ref in enumerate(refs):
            by_view.setdefault((ref.view.name, ref.view.version), []).append(index)
        groups = []
        for indices in by_view.values():
            view = refs[indices[0]].view
            wanted = tuple((refs[i].feature.name, ARROW_TYPES[refs[i].feature.dtype]) for i in indices)
            groups.append((view, indices, [k.name for k in snapshot.join_keys(view)], wanted, ttl_micros(view)))
        if len(self._group_cache) > 4096:
            self._group_cache.clear()
        self._group_cache[id(refs)] = (refs, snapshot, groups)
        return groups

    def lookup(self, snapshot: DefinitionSnapshot, refs: list[ResolvedRef], names: list[str],
               keys: Mapping[str, pa.Array], row_count: int) -> list[OnlineColumn]:
        """Look up every reference for ``row_count`` entities given by key columns."""
        now = int(time.time() * 1_000_000)
        columns: list[OnlineColumn | None] = [None] * len(refs)
        for view, indices, key_names, wanted, ttl in self._view_groups(snapshot, refs):
            view_name = view.name
            for name in key_names:
                if name not in keys:
                    raise InvalidArgument(f"entity_keys.columns[{name}]",
                                          f"missing join key column {name!r} of feature view {view_name!r}",
                                          reason="MISSING_KEY", metadata={"column": name})
            stored = self._store.read_rows(view_name, encode_keys([keys[n] for n in key_names]))
            position = stored.position
            found = position >= 0
            row = np.where(found, position, 0)  # the stored row of each key (any row where none)
            event = np.where(found, stored.event_ts[row], 0) if len(stored.event_ts) else np.zeros(row_count, np.int64)
            status = np.where(found, PRESENT, NOT_FOUND)
            if ttl:
                status = np.where(found & (event < now - ttl), OUTSIDE_TTL, status)
            live = status == PRESENT
            live_rows = np.flatnonzero(live)
            by_version: dict[int, np.ndarray] = {}
            if live_rows.size:
                live_versions = stored.version[row[live_rows]]
                first = int(live_versions[0])
                if (live_versions == first).all():
                    by_version[first] = live_rows
                else:
                    for version in np.unique(live_versions).tolist():
                        by_version[version] = live_rows[live_versions == version]
            values, valid = self._gather(snapshot, view_name, wanted, stored.payloads, row, by_version, row_count)
            # One matrix operation finds the null values of every feature of the view; only features
            # that hold a null get a status array of their own, the others share the view's.
            nulls = valid
            np.logical_not(valid, out=nulls)
            nulls &= live
            with_null = nulls.any(axis=1)
            statuses = [status] * len(indices)
            for slot in np.flatnonzero(with_null).tolist():
                statuses[slot] = np.where(nulls[slot], NULL, status)
            for index, column_values, column_status in zip(indices, values, statuses, strict=True):
                columns[index] = OnlineColumn(refs[index], names[index], column_values, column_status, event)
        return [c for c in columns if c is not None]

    def single(self, snapshot: DefinitionSnapshot, refs: list[ResolvedRef], keys: Mapping[str, pa.Array]
               ) -> tuple[list[bytes], int] | None:
        """One entity's values as the little-endian bytes of each reference, and their event time.

        The common case of a serving request (one entity, one view of fixed-width features, the row
        found, within its TTL, without nulls) read straight from the payload's bytes, without the
        column machinery of :meth:`lookup`. None whenever the case is any other (a missing key column,
        an unknown entity, a value outside its TTL, a null, a version without every wanted feature,
        mixed types): :meth:`lookup` then answers, statuses and errors included.
        """
        group = self._one_group(snapshot, refs)
        if group is None:
            return None
        view, _indices, key_names, wanted, ttl = group
        if any(name not in keys for name in key_names):
            return None
        stored = self._store.read_rows(view.name, encode_keys([keys[n] for n in key_names]))
        if len(stored.position) != 1 or stored.position[0] < 0:
            return None
        row = int(stored.position[0])
        return self._single_values(snapshot, view.name, wanted, ttl, int(stored.version[row]),
                                   int(stored.event_ts[row]), stored.payloads[row])

    def single_key(self, snapshot: DefinitionSnapshot, refs: list[ResolvedRef], key: bytes
                   ) -> tuple[list[bytes], int] | None:
        """:meth:`single` for an entity whose one join key is already in its stored form (see
        ``encode_keys``): the usual serving request, an integer customer id, read with one indexed
        SELECT and no Arrow arrays. None as :meth:`single`, and also when the view has several keys."""
        group = self._one_group(snapshot, refs)
        if group is None:
            return None
        view, _indices, key_names, wanted, ttl = group
        if len(key_names) != 1:
            return None
        stored = self._store.read_one(view.name, key)
        if stored is None:
            return None
        return self._single_values(snapshot, view.name, wanted, ttl, int(stored.version), int(stored.event_ts),
                                   stored.payload)

    def _one_group(self, snapshot: DefinitionSnapshot, refs: list[ResolvedRef]) -> _ViewGroup | None:
        """The references' view group when they all come from one view (the one-entity paths' case)."""
        groups = self._view_groups(snapshot, refs)
        return groups[0] if len(groups) == 1 else None

    def _single_values(self, snapshot: DefinitionSnapshot, view_name: str, wanted: tuple[tuple[str, pa.DataType], ...],
                       ttl: int, version: int, event: int, payload: bytes) -> tuple[list[bytes], int] | None:
        if ttl and event < int(time.time() * 1_000_000) - ttl:
            return None
        layout = self._single_layout(snapshot, view_name, version, wanted)
        if layout is None:
            return None
        validity, all_valid, values = layout
        if validity(payload) != all_valid:
            return None  # a null: the batch path gives it its status
        return values(payload), event

    def _single_layout(self, snapshot: DefinitionSnapshot, view_name: str, version: int,
                       wanted: tuple[tuple[str, pa.DataType], ...]) -> _SingleLayout | None:
        """How to read the wanted features out of one of a version's packed payloads (the validity bytes,
        what they are when nothing is null, the value bytes), when every one is there with one
        fixed-width type of the packed wire forms; else None."""
        key = (view_name, version, id(wanted))  # ``wanted`` is a cached group's tuple, kept alive by the entry
        entry = self._layouts.get(key)
        if entry is not None and entry[0] is wanted:
            return entry[1]
        layout = None
        codec = self._codec(snapshot, view_name, version)
        if codec is not None and codec.packed and wanted:
            positions, _present, _pairs = self._positions(view_name, version, wanted, codec.schema)
            kinds = {kind for _name, kind in wanted}
            if (positions >= 0).all() and len(kinds) == 1 and next(iter(kinds)) in _SINGLE_KINDS:
                fields = codec.dtype.fields
                slots = positions.tolist()
                # itemgetter reads every byte or slice in one C call; the extra last item makes its result a
                # tuple even for one feature, and is dropped.
                validity = operator.itemgetter(*[int(fields[f"n{p}"][1]) for p in slots], -1)
                spans = [slice(int(fields[f"v{p}"][1]), int(fields[f"v{p}"][1]) + fields[f"v{p}"][0].itemsize)
                         for p in slots]
                values = operator.itemgetter(*spans, slice(0, 0))
                layout = (lambda payload: validity(payload)[:-1], (1,) * len(slots),
                          lambda payload: list(values(payload)[:-1]))
        if len(self._layouts) > 4096:
            self._layouts.clear()
        self._layouts[key] = (wanted, layout)
        return layout

    def _gather(self, snapshot: DefinitionSnapshot, view_name: str, wanted: tuple[tuple[str, pa.DataType], ...],
                payloads: Sequence[bytes], stored_row: np.ndarray, by_version: dict[int, np.ndarray], row_count: int
                ) -> tuple[list[np.ndarray], np.ndarray]:
        """The wanted features' values in request order, and their (features, rows) validity matrix.

        ``by_version`` lists the request rows (ascending) that are live, by the version that wrote
        them; ``stored_row`` maps each request row to its index in ``payloads``.
        """
        values: list[np.ndarray | None] = [None] * len(wanted)
        valid = np.zeros((len(wanted), row_count), dtype=bool)
        # Rows are listed in ascending order, so one version holding every row is already in order.
        identity = len(by_version) == 1 and len(next(iter(by_version.values()))) == row_count
        for version, rows in by_version.items():
            codec = self._codec(snapshot, view_name, version)
            if codec is None:
                continue
            chosen = [payloads[i] for i in stored_row[rows].tolist()]
            if codec.packed:
                decoded, decoded_valid = codec.decode_block(chosen)
            else:
                pairs = codec.decode_columns(chosen)
                decoded = [p[0] for p in pairs]
                decoded_valid = np.array([p[1] for p in pairs], dtype=bool).reshape(len(pairs), len(rows))
            positions, present, pairs = self._positions(view_name, version, wanted, codec.schema)
            if identity and len(pairs) == len(wanted):
                # The usual case: every row live under one version that has every wanted feature.
                valid[:] = decoded_valid[positions]
                return [decoded[position] for position in positions.tolist()], valid
            # A feature this version does not have reads as null.
            if identity:
                valid[present] = decoded_valid[positions[present]]
            else:
                valid[np.ix_(present, rows)] = decoded_valid[positions[present]]
            for slot, position in pairs:
                if identity:
                    values[slot] = decoded[position]
                    continue
                if values[slot] is None:
                    values[slot] = _zeros(wanted[slot][1], row_count)
                values[slot][rows] = decoded[position]  # type: ignore[index]
        for slot, (_name, kind) in enumerate(wanted):
            if values[slot] is None:
                values[slot] = _zeros(kind, row_count)
        return values, valid  # type: ignore[return-value]


def _zeros(kind: pa.DataType, n: int) -> np.ndarray:
    """A column of ``n`` zero values of a feature type (the placeholder of absent values)."""
    if pa.types.is_string(kind):
        return np.full(n, "", dtype=object)
    if pa.types.is_binary(kind):
        return np.full(n, b"", dtype=object)
    if pa.types.is_timestamp(kind):
        return np.zeros(n, dtype=np.int64)
    return np.zeros(n, dtype=kind.to_pandas_dtype())
