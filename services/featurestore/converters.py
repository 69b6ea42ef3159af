"""Protobuf <-> domain conversions of the feature store, at the edge of the servicer."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
from google.protobuf import timestamp_pb2

from services.common.errors import InvalidArgument
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
_ARRAY_MESSAGES = {
    "bool_values": tabular_pb2.BoolArray, "int64_values": tabular_pb2.Int64Array,
    "float_values": tabular_pb2.FloatArray, "double_values": tabular_pb2.DoubleArray,
    "string_values": tabular_pb2.StringArray, "bytes_values": tabular_pb2.BytesArray,
}
_MATERIALIZE_KIND = {
    "started": fs_pb2.MATERIALIZATION_EVENT_KIND_VIEW_STARTED,
    "progress": fs_pb2.MATERIALIZATION_EVENT_KIND_PROGRESS,
    "view_completed": fs_pb2.MATERIALIZATION_EVENT_KIND_VIEW_COMPLETED,
    "completed": fs_pb2.MATERIALIZATION_EVENT_KIND_COMPLETED,
}


def timestamp_or_none(value: timestamp_pb2.Timestamp, present: bool) -> datetime | None:
    """A protobuf Timestamp as an aware datetime, None when the field is unset."""
    return value.ToDatetime(tzinfo=UTC) if present else None


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
                array = array.cast(target)
            except pa.ArrowInvalid:
                raise InvalidArgument(field, f"join key {column.name!r} is out of range for INT32",
                                      reason="WRONG_TYPE") from None
        else:
            array = pa.array(values, target)
        keys[column.name] = array
    return keys


def online_columns(columns: list[OnlineColumn]) -> list[fs_pb2.OnlineFeatureColumn]:
    """Looked-up features as OnlineFeatureColumns (null rows hold the type's zero value).

    The features of one view share their status and event-time arrays unless a value is null, so
    each distinct array is converted to a list once.
    """
    lists: dict[int, tuple[list[int], list[int]]] = {}
    times: dict[int, list[int]] = {}
    out = []
    for column in columns:
        dtype = column.ref.feature.dtype
        statuses = lists.get(id(column.statuses))
        if statuses is None:
            statuses = (column.statuses.tolist(),
                        np.flatnonzero(column.statuses != features_pb2.FEATURE_VALUE_STATUS_PRESENT).tolist())
            lists[id(column.statuses)] = statuses
        event = times.get(id(column.event_micros))
        if event is None:
            event = times[id(column.event_micros)] = column.event_micros.tolist()
        values = column.values.tolist()
        if dtype == types_pb2.DATA_TYPE_TIMESTAMP:
            typed = {"timestamp_values": tabular_pb2.TimestampArray(unix_micros=values)}
        else:
            slot = _ARRAY_OF_TYPE[dtype]
            typed = {slot: _ARRAY_MESSAGES[slot](values=values)}
        out.append(fs_pb2.OnlineFeatureColumn(
            values=tabular_pb2.Column(name=column.name, dtype=dtype, null_rows=statuses[1], **typed),
            feature_view=column.ref.view.name, feature=column.ref.feature.name, statuses=statuses[0],
            event_time_micros=event))
    return out


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
