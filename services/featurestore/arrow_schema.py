"""Arrow at the edge: decoding IPC payloads and checking rows against a feature view's schema.

Stored rows use fixed internal names for the two timestamps (``__event_ts`` and ``__created_ts``,
both ``timestamp[us, UTC]``) so the engines never depend on a view's configured column names.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from services.common.errors import InvalidArgument
from services.featurestore.definitions.fingerprint import created_column, event_column
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import types_pb2

EVENT_TS = "__event_ts"
CREATED_TS = "__created_ts"
TIMESTAMP = pa.timestamp("us", tz="UTC")
#: Accepted event times: from 1900 to 2200 (UTC).
MIN_TIME = datetime(1900, 1, 1, tzinfo=UTC)
MAX_TIME = datetime(2200, 1, 1, tzinfo=UTC)

ARROW_TYPES: dict[int, pa.DataType] = {
    types_pb2.DATA_TYPE_BOOL: pa.bool_(),
    types_pb2.DATA_TYPE_INT32: pa.int32(),
    types_pb2.DATA_TYPE_INT64: pa.int64(),
    types_pb2.DATA_TYPE_FLOAT32: pa.float32(),
    types_pb2.DATA_TYPE_FLOAT64: pa.float64(),
    types_pb2.DATA_TYPE_STRING: pa.string(),
    types_pb2.DATA_TYPE_BYTES: pa.binary(),
    types_pb2.DATA_TYPE_TIMESTAMP: TIMESTAMP,
}


def decode_ipc(payload: bytes, field: str) -> pa.Table:
    """An Arrow IPC stream as a table; malformed bytes are INVALID_ARGUMENT naming ``field``."""
    if not payload:
        raise InvalidArgument(field, "expected an Arrow IPC stream, got no bytes", reason="MALFORMED_ARROW")
    try:
        with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
            return reader.read_all()
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, ValueError) as error:
        raise InvalidArgument(field, f"expected an Arrow IPC stream: {error}", reason="MALFORMED_ARROW") from None


def encode_ipc(table: pa.Table | pa.RecordBatch) -> bytes:
    """A table as Arrow IPC stream bytes."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write(table)
    return sink.getvalue().to_pybytes()


def _lossless(source: pa.DataType, target: pa.DataType) -> bool:
    if source == target:
        return True
    if pa.types.is_integer(source) and pa.types.is_integer(target):
        return source.bit_width <= target.bit_width and (pa.types.is_signed_integer(source)
                                                         or source.bit_width < target.bit_width)
    if pa.types.is_floating(source) and pa.types.is_floating(target):
        return source.bit_width <= target.bit_width
    if pa.types.is_integer(source) and pa.types.is_floating(target):
        return source.bit_width <= (16 if target.bit_width == 32 else 32)
    if target == pa.string():
        return pa.types.is_large_string(source) or pa.types.is_string_view(source)
    if target == pa.binary():
        return pa.types.is_large_binary(source) or pa.types.is_fixed_size_binary(source)
    return bool(pa.types.is_null(source))


def to_utc_timestamps(column: pa.ChunkedArray | pa.Array, field: str) -> pa.ChunkedArray:
    """A timestamp column as ``timestamp[us, UTC]`` (naive means UTC); range-checked."""
    kind = column.type
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(column), TIMESTAMP)])
    if not pa.types.is_timestamp(kind):
        raise InvalidArgument(field, f"expected a timestamp column, got {kind}", reason="WRONG_TYPE")
    if kind.tz is None:
        column = pc.assume_timezone(column, "UTC") if len(column) else column.cast(pa.timestamp(kind.unit, "UTC"))
    elif kind.tz not in ("UTC", "+00:00", "Etc/UTC"):
        column = column.cast(pa.timestamp(kind.unit, "UTC"))
    try:
        column = column.cast(TIMESTAMP, safe=True)
    except pa.ArrowInvalid:
        raise InvalidArgument(field, "timestamps must have at most microsecond precision",
                              reason="TIMESTAMP_OUT_OF_RANGE") from None
    column = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
    if len(column) and column.null_count < len(column):
        low, high = pc.min(column).as_py(), pc.max(column).as_py()
        if low < MIN_TIME or high >= MAX_TIME:
            raise InvalidArgument(field, f"timestamps must lie between {MIN_TIME:%Y-%m-%d} and "
                                         f"{MAX_TIME:%Y-%m-%d}", reason="TIMESTAMP_OUT_OF_RANGE")
    return column


def cast_column(column: pa.ChunkedArray, target: pa.DataType, field: str) -> pa.ChunkedArray:
    """``column`` as ``target`` when the conversion is lossless, else INVALID_ARGUMENT naming it."""
    if target == TIMESTAMP:
        return to_utc_timestamps(column, field)
    if not _lossless(column.type, target):
        raise InvalidArgument(field, f"expected {target}, got {column.type}", reason="WRONG_TYPE",
                              metadata={"column": field.rsplit(".", 1)[-1], "expected": str(target),
                                        "actual": str(column.type)})
    return column.cast(target) if column.type != target else column


def view_schema(view: resources_pb2.FeatureView, keys: list[resources_pb2.JoinKey]) -> pa.Schema:
    """The stored (offline) schema of a view version."""
    fields = [pa.field(k.name, ARROW_TYPES[k.dtype]) for k in keys]
    fields += [pa.field(EVENT_TS, TIMESTAMP), pa.field(CREATED_TS, TIMESTAMP)]
    fields += [pa.field(f.name, ARROW_TYPES[f.dtype]) for f in view.features]
    return pa.schema(fields)


def conform_rows(table: pa.Table, view: resources_pb2.FeatureView, keys: list[resources_pb2.JoinKey],
                 commit_time: datetime, field: str) -> pa.Table:
    """Check incoming rows against the view and return them in the stored schema.

    Unknown, missing or mistyped columns, null keys or event times and out-of-range times are
    INVALID_ARGUMENT naming ``field`` and the column. Rows without a created time get ``commit_time``.
    """
    names = table.column_names
    if len(set(names)) != len(names):
        raise InvalidArgument(field, "column names must be unique", reason="DUPLICATE_COLUMN")
    event_name, created_name = event_column(view), created_column(view)
    expected = {k.name for k in keys} | {event_name, created_name} | {f.name for f in view.features}
    for name in names:
        if name not in expected:
            raise InvalidArgument(f"{field}.{name}", f"unknown column {name!r} for feature view {view.name!r}",
                                  reason="UNKNOWN_COLUMN", metadata={"column": name})
    for name in [k.name for k in keys] + [event_name] + [f.name for f in view.features]:
        if name not in names:
            raise InvalidArgument(f"{field}.{name}", f"missing column {name!r}", reason="MISSING_COLUMN",
                                  metadata={"column": name})
    columns: dict[str, pa.ChunkedArray] = {}
    for key in keys:
        column = cast_column(table.column(key.name), ARROW_TYPES[key.dtype], f"{field}.{key.name}")
        if column.null_count:
            raise InvalidArgument(f"{field}.{key.name}", "join keys must not be null", reason="NULL_KEY",
                                  metadata={"column": key.name})
        columns[key.name] = column
    event = to_utc_timestamps(table.column(event_name), f"{field}.{event_name}")
    if event.null_count:
        raise InvalidArgument(f"{field}.{event_name}", "event timestamps must not be null",
                              reason="NULL_TIMESTAMP", metadata={"column": event_name})
    columns[EVENT_TS] = event
    commit = pa.scalar(commit_time, TIMESTAMP)
    if created_name in names:
        created = to_utc_timestamps(table.column(created_name), f"{field}.{created_name}")
        columns[CREATED_TS] = pc.coalesce(created, commit) if created.null_count else created
    else:
        columns[CREATED_TS] = pa.chunked_array([pa.array([commit_time] * 0, TIMESTAMP)]) if not len(table) \
            else pa.chunked_array([pa.repeat(commit, len(table))])
    for feature in view.features:
        columns[feature.name] = cast_column(table.column(feature.name), ARROW_TYPES[feature.dtype],
                                            f"{field}.{feature.name}")
    schema = view_schema(view, keys)
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)
