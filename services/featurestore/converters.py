"""Protobuf <-> domain conversions of the feature store, at the edge of the servicer."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
from google.protobuf import timestamp_pb2

from services.common.errors import InvalidArgument
from services.common.handlers import Encoded, varint
from services.featurestore.arrow_schema import ARROW_TYPES
from services.featurestore.materialize import Progress
from services.featurestore.online.lookup import OnlineColumn
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.type.v1 import features_pb2, tabular_pb2, types_pb2

_ARRAY_OF_TYPE = {
    types_pb2.DATA_TYPE_BOOL: "bool_values", types_pb2.DATA_TYPE_INT32: "int64_values",
    types_pb2.DATA_TYPE_INT64: "int64_values", types_pb2.DATA_TYPE_FLOAT32: "float_values",
    types_pb2.DATA_TYPE_FLOAT64: "double_values", types_pb2.DATA_TYPE_STRING: "string_values",
    types_pb2.DATA_TYPE_BYTES: "bytes_values", types_pb2.DATA_TYPE_TIMESTAMP: "timestamp_values",
}
_MATERIALIZE_KIND = {
    "started": fs_pb2.MATERIALIZATION_EVENT_KIND_VIEW_STARTED,
    "progress": fs_pb2.MATERIALIZATION_EVENT_KIND_PROGRESS,
    "view_completed": fs_pb2.MATERIALIZATION_EVENT_KIND_VIEW_COMPLETED,
    "completed": fs_pb2.MATERIALIZATION_EVENT_KIND_COMPLETED,
}


def timestamp_or_none(value: timestamp_pb2.Timestamp, present: bool, field: str) -> datetime | None:
    """A protobuf Timestamp (request field ``field``) as an aware datetime, None when the field is unset."""
    if not present:
        return None
    try:
        return value.ToDatetime(tzinfo=UTC)
    except ValueError as error:
        raise InvalidArgument(field, f"a valid timestamp ({error})") from None


def micros_to_timestamp(micros: int | None) -> timestamp_pb2.Timestamp | None:
    """Microseconds since the epoch as a Timestamp (None stays None)."""
    if micros is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromMicroseconds(int(micros))
    return stamp


def entity_keys(batch: tabular_pb2.ColumnBatch, key_types: dict[str, int], max_rows: int) -> dict[str, pa.Array]:
    """The join key columns of a GetOnlineFeatures request as Arrow arrays of the keys' types."""
    if batch.row_count < 0 or batch.row_count > max_rows:
        raise InvalidArgument("entity_keys.row_count", f"expected 0..{max_rows} rows, got {batch.row_count}",
                              reason="BATCH_TOO_LARGE" if batch.row_count > max_rows else None)
    keys: dict[str, pa.Array] = {}
    for index, column in enumerate(batch.columns):
        if column.name not in key_types:
            continue
        field = f"entity_keys.columns[{index}]"
        if column.null_rows:
            raise InvalidArgument(field, f"join key {column.name!r} must not hold nulls", reason="NULL_KEY")
        which = column.WhichOneof("values")
        dtype = key_types[column.name]
        if which not in (_ARRAY_OF_TYPE[dtype], None):
            raise InvalidArgument(field, f"join key {column.name!r} expects {types_pb2.DataType.Name(dtype)} values, "
                                         f"got {which}", reason="WRONG_TYPE", metadata={"column": column.name})
        values = list(getattr(column, which).values) if which else []
        if len(values) != batch.row_count:
            raise InvalidArgument(field, f"column {column.name!r} holds {len(values)} values for "
                                         f"{batch.row_count} rows", reason="LENGTH_MISMATCH")
        target = ARROW_TYPES[dtype]
        if which == "int64_values":
            array = pa.array(np.asarray(values, dtype=np.int64))
            try:
                if target != array.type:
                    array = array.cast(target)
            except pa.ArrowInvalid:
                raise InvalidArgument(field, f"join key {column.name!r} is out of range for INT32",
                                      reason="WRONG_TYPE") from None
        else:
            array = pa.array(values, target)
        keys[column.name] = array
    return keys


def single_integer_key(batch: tabular_pb2.ColumnBatch, key_types: dict[str, int]) -> bytes | None:
    """The stored form of a one-row batch's key when the selection has one join key, an INT64, and the
    batch is exactly that column with one value: its decimal text, as ``encode_keys`` writes integers.
    None for any other batch, which :func:`entity_keys` then converts (and refuses, when malformed)."""
    if batch.row_count != 1 or len(batch.columns) != 1 or len(key_types) != 1:
        return None
    column = batch.columns[0]
    if key_types.get(column.name) != types_pb2.DATA_TYPE_INT64 or column.null_rows:
        return None
    values = column.int64_values.values if column.WhichOneof("values") == "int64_values" else ()
    return str(values[0]).encode() if len(values) == 1 else None


def _length_tag(message: type, field: str) -> bytes:
    """The wire tag of a length-delimited field (submessage or packed array), from the descriptor."""
    return varint(message.DESCRIPTOR.fields_by_name[field].number << 3 | 2)


# Fixed-width value arrays are merged in their packed wire form (tag, length, little-endian bytes)
# straight from NumPy: one C call per column, no Python object per value. Wire format per
# https://protobuf.dev/programming-guides/encoding/ (packed repeated fields).
_PACKED = {types_pb2.DATA_TYPE_FLOAT64: ("<f8", tabular_pb2.DoubleArray),
           types_pb2.DATA_TYPE_FLOAT32: ("<f4", tabular_pb2.FloatArray),
           types_pb2.DATA_TYPE_BOOL: ("u1", tabular_pb2.BoolArray)}
_PACKED_TAGS = {dtype: (wire, _length_tag(tabular_pb2.Column, _ARRAY_OF_TYPE[dtype]), _length_tag(array, "values"))
                for dtype, (wire, array) in _PACKED.items()}
_VALUES_TAG = _length_tag(fs_pb2.OnlineFeatureColumn, "values")
#: ``row_count = 1`` in wire form (a varint field: tag, then the value).
_ROW_COUNT_KEY = varint(fs_pb2.GetOnlineFeaturesResponse.DESCRIPTOR.fields_by_name["row_count"].number << 3)
_ONE_ROW = _ROW_COUNT_KEY + varint(1)


def online_response_template(columns: list[tuple[str, str, str, int]], resolved_views: list[object]
                             ) -> fs_pb2.GetOnlineFeaturesResponse:
    """The per-request-constant part of a GetOnlineFeaturesResponse: one column per (output name,
    view, feature, dtype) with its names, dtype and value array kind set, and the resolved views."""
    template = fs_pb2.GetOnlineFeaturesResponse(resolved_views=resolved_views)
    for name, view, feature, dtype in columns:
        column = template.columns.add(feature_view=view, feature=feature)
        column.values.name = name
        column.values.dtype = dtype
        getattr(column.values, _ARRAY_OF_TYPE[dtype]).SetInParent()  # the oneof is set even for zero rows
    return template


_COLUMNS_TAG = _length_tag(fs_pb2.GetOnlineFeaturesResponse, "columns")


class OnlineTemplate:
    """A plan's response template, also in wire form for :func:`packed_online_response` and the
    DENSE layout.

    ``prefixes`` maps the length of a column's per-request part (statuses, event times, values) to
    each column's serialized start (tag, length, the template column), built once per length.
    """

    __slots__ = ("message", "head", "columns", "dtype", "prefixes", "dense_head")

    def __init__(self, message: fs_pb2.GetOnlineFeaturesResponse) -> None:
        self.message = message
        without_columns = fs_pb2.GetOnlineFeaturesResponse()
        without_columns.CopyFrom(message)
        del without_columns.columns[:]
        self.head = without_columns.SerializeToString()
        self.columns = [c.SerializeToString() for c in message.columns]
        dtypes = {c.values.dtype for c in message.columns}
        only = dtypes.pop() if len(dtypes) == 1 else None
        #: The one packed dtype of every column, or None (mixed or unpacked types: the general path).
        self.dtype = only if only in _PACKED_TAGS else None
        self.prefixes: dict[int, list[bytes]] = {}
        #: The DENSE layout's response up to its ``dense`` field: the head and every column without values.
        self.dense_head = self.head + b"".join(_COLUMNS_TAG + varint(len(c)) + c for c in self.columns)

    def column_prefixes(self, length: int) -> list[bytes]:
        prefixes = self.prefixes.get(length)
        if prefixes is None:
            prefixes = [_COLUMNS_TAG + varint(len(c) + length) + c for c in self.columns]
            if len(self.prefixes) > 64:
                self.prefixes.clear()
            self.prefixes[length] = prefixes
        return prefixes


def packed_online_response(template: OnlineTemplate, columns: list[OnlineColumn], rows: int) -> Encoded | None:
    """The response in wire form when every column has the same packed type and all share one status
    and one event-time array (the usual case: one view, no nulls); else None.

    Each column's message is its template followed by the per-request fields, which a parser merges
    into the repeated ``values`` submessage exactly as :func:`fill_online_columns` merges them in
    place; nothing on the way out reads the response's fields, so it is sent without being parsed.
    """
    if template.dtype is None or not columns or len(columns) != len(template.columns):
        return None
    statuses, events = columns[0].statuses, columns[0].event_micros
    for column in columns:
        if column.statuses is not statuses or column.event_micros is not events:
            return None
    wire, array_tag, values_tag = _PACKED_TAGS[template.dtype]
    null_rows = np.flatnonzero(statuses != features_pb2.FEATURE_VALUE_STATUS_PRESENT).tolist()
    size = rows * np.dtype(wire).itemsize
    inner_head = (tabular_pb2.Column(null_rows=null_rows).SerializeToString() + array_tag
                  + varint(len(values_tag) + len(varint(size)) + size) + values_tag + varint(size))
    head = (fs_pb2.OnlineFeatureColumn(statuses=statuses.tolist(), event_time_micros=events.tolist()
                                       ).SerializeToString() + _VALUES_TAG + varint(len(inner_head) + size) + inner_head)
    prefixes = template.column_prefixes(len(head) + size)
    body = b"".join([prefix + head + column.values.astype(wire, copy=False).tobytes()
                     for prefix, column in zip(prefixes, columns, strict=True)])
    return Encoded(b"".join((template.head, body, _ROW_COUNT_KEY, varint(rows))))


def single_online_response(template: OnlineTemplate, values: list[bytes], event_micros: int) -> Encoded | None:
    """The one-row response whose every value is PRESENT, from each column's stored little-endian bytes
    (what :func:`packed_online_response` builds for that case), in wire form: parsing it only for gRPC
    to serialize it again would cost ~27 µs for 50 features. None when the bytes do not fit the
    template's one packed type."""
    if template.dtype is None or len(values) != len(template.columns):
        return None
    wire, array_tag, values_tag = _PACKED_TAGS[template.dtype]
    size = np.dtype(wire).itemsize
    if len(values[0]) != size:  # the lookup gives every value the width of its one type
        return None
    inner_head = array_tag + varint(len(values_tag) + len(varint(size)) + size) + values_tag + varint(size)
    head = (fs_pb2.OnlineFeatureColumn(statuses=[features_pb2.FEATURE_VALUE_STATUS_PRESENT],
                                       event_time_micros=[event_micros]).SerializeToString()
            + _VALUES_TAG + varint(len(inner_head) + size) + inner_head)
    prefixes = template.column_prefixes(len(head) + size)
    body = b"".join(itertools.chain.from_iterable(zip(prefixes, itertools.repeat(head), values)))
    return Encoded(b"".join((template.head, body, _ONE_ROW)))


_DENSE_TAG = _length_tag(fs_pb2.GetOnlineFeaturesResponse, "dense")


def _dense_response(template: OnlineTemplate, values: bytes, statuses: object, events: object, rows: int
                    ) -> Encoded:
    dense = fs_pb2.DenseFeatureValues(dtype=template.dtype, feature_count=len(template.columns), values=values,
                                      statuses=statuses, event_time_micros=events).SerializeToString()
    return Encoded(b"".join((template.dense_head, _DENSE_TAG, varint(len(dense)), dense, _ROW_COUNT_KEY,
                             varint(rows))))


def dense_online_response(template: OnlineTemplate, columns: list[OnlineColumn], rows: int) -> Encoded | None:
    """The response in the DENSE layout (one row-major block of every value), in wire form; None when
    the features do not share one fixed-width type (the caller then answers with columns)."""
    if template.dtype is None or len(columns) != len(template.columns):
        return None
    wire = _PACKED_TAGS[template.dtype][0]
    values = np.stack([c.values.astype(wire, copy=False) for c in columns], axis=1)
    statuses = np.stack([c.statuses for c in columns], axis=1).ravel()
    events = np.stack([c.event_micros for c in columns], axis=1).ravel()
    return _dense_response(template, values.tobytes(), statuses.tolist(), events.tolist(), rows)


def single_dense_response(template: OnlineTemplate, values: list[bytes], event_micros: int) -> Encoded | None:
    """One entity's every-value-PRESENT row (see :func:`single_online_response`) in the DENSE layout."""
    if template.dtype is None or len(values) != len(template.columns):
        return None
    if values and len(values[0]) != np.dtype(_PACKED_TAGS[template.dtype][0]).itemsize:
        return None
    count = len(values)
    return _dense_response(template, b"".join(values), [features_pb2.FEATURE_VALUE_STATUS_PRESENT] * count,
                           [event_micros] * count, 1)


def one_entity_response(template: OnlineTemplate, values: list[bytes], event_micros: int, *, dense: bool
                        ) -> Encoded | None:
    """One entity's every-value-PRESENT row in wire form, as columns or in the DENSE layout; None when
    the bytes do not fit the template (the caller then takes the batch path). Nothing on the way out
    reads the response's fields (an audited read records the request's features, not the values)."""
    if dense:
        return single_dense_response(template, values, event_micros)
    return single_online_response(template, values, event_micros)


def online_response(template: OnlineTemplate, columns: list[OnlineColumn], rows: int, *, dense: bool
                    ) -> fs_pb2.GetOnlineFeaturesResponse | Encoded:
    """The response for looked-up columns: the DENSE block when asked for and the types allow it, else
    the packed wire form when it applies, else the template filled column by column."""
    if dense:
        response = dense_online_response(template, columns, rows)
        if response is not None:
            return response
    response = packed_online_response(template, columns, rows)
    if response is not None:
        return response
    message = fs_pb2.GetOnlineFeaturesResponse()
    message.CopyFrom(template.message)
    message.row_count = rows
    fill_online_columns(message, columns)
    return message


def fill_online_columns(response: fs_pb2.GetOnlineFeaturesResponse, columns: list[OnlineColumn]) -> None:
    """Fill the columns of ``response`` (a copy of :func:`online_response_template`) with looked-up values.

    Null rows hold the type's zero. The features of a view share their status and event-time arrays
    unless one holds a null: each distinct pair is serialized once and merged into its columns in C.
    Float and bool values go in as packed bytes from NumPy, other types with one ``extend``.
    """
    shared: dict[tuple[int, int], tuple[bytes, bytes, list[int]]] = {}
    # Every packed column of one type and shared arrays has the same length, so the bytes before its
    # values (statuses, event times, null rows, tags and lengths) are built once per request.
    heads: dict[tuple[int, int, int], bytes] = {}
    rows = response.row_count
    for out, column in zip(response.columns, columns, strict=True):
        key = (id(column.statuses), id(column.event_micros))
        common = shared.get(key)
        if common is None:
            null_rows = np.flatnonzero(column.statuses != features_pb2.FEATURE_VALUE_STATUS_PRESENT).tolist()
            common = shared[key] = (
                fs_pb2.OnlineFeatureColumn(statuses=column.statuses.tolist(),
                                           event_time_micros=column.event_micros.tolist()).SerializeToString(),
                tabular_pb2.Column(null_rows=null_rows).SerializeToString(), null_rows)
        dtype = column.ref.feature.dtype
        packed = _PACKED_TAGS.get(dtype)
        if packed is not None:
            wire, array_tag, values_tag = packed
            head = heads.get((*key, dtype))
            if head is None:
                size = rows * np.dtype(wire).itemsize
                array_size = len(values_tag) + len(varint(size)) + size
                inner_head = common[1] + array_tag + varint(array_size) + values_tag + varint(size)
                head = heads[(*key, dtype)] = (common[0] + _VALUES_TAG + varint(len(inner_head) + size)
                                               + inner_head)
            out.MergeFromString(head + column.values.astype(wire, copy=False).tobytes())
            continue
        out.MergeFromString(common[0])
        values = out.values
        values.null_rows.extend(common[2])
        if dtype == types_pb2.DATA_TYPE_TIMESTAMP:
            values.timestamp_values.unix_micros.extend(column.values.tolist())
        else:
            getattr(values, _ARRAY_OF_TYPE[dtype]).values.extend(column.values.tolist())


def progress(p: Progress) -> fs_pb2.MaterializeFeaturesResponse:
    """A materialization progress report as a response message."""
    out = fs_pb2.MaterializeFeaturesResponse(
        kind=_MATERIALIZE_KIND[p.kind], feature_view=p.view, feature_view_version=p.version, rows_read=p.rows_read,
        rows_written=p.rows_written, rows_total=p.rows_total, views_completed=p.views_completed,
        views_total=p.views_total, progress=(p.views_completed / p.views_total) if p.views_total else 1.0)
    if p.start is not None:
        out.start_time.FromDatetime(p.start)
    out.end_time.FromDatetime(p.end)
    if p.watermark is not None:
        out.watermark.FromDatetime(p.watermark)
    return out
