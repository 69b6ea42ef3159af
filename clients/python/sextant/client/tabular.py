"""Tables in and out of the SDK: pandas DataFrames and pyarrow Tables to the wire formats and back.

Two wire formats carry tables: Arrow IPC streams (``sextant.type.v1.ArrowTable``: ingest, training
sets, entity rows, prediction logs) and typed columns (``sextant.type.v1.ColumnBatch``: online
features, predictions). Every function here accepts a DataFrame, a pyarrow Table or a mapping of
column name to values, and results come back as DataFrames (``to_pandas``) unless asked for Arrow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from google.protobuf import timestamp_pb2

from sextant.type.v1 import tabular_pb2, types_pb2

Tabular = pd.DataFrame | pa.Table | Mapping[str, Sequence[Any]]

#: Target size of one Arrow chunk on a stream, well under the 16 MiB message limit.
CHUNK_BYTES = 4 * 1024 * 1024


def to_arrow(data: Tabular) -> pa.Table:
    """``data`` as a pyarrow Table (a DataFrame's index is dropped unless it is named)."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, pd.DataFrame):
        named_index = any(name is not None for name in data.index.names)
        return pa.Table.from_pandas(data, preserve_index=named_index)
    if isinstance(data, Mapping):
        return pa.table(dict(data))
    raise TypeError(f"expected a pandas DataFrame, a pyarrow Table or a mapping of columns, got {type(data).__name__}")


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """``table`` as a DataFrame, keeping timestamps as pandas timestamps."""
    return table.to_pandas()


def encode_ipc(table: pa.Table) -> bytes:
    """``table`` as the bytes of one Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def decode_ipc(payload: bytes) -> pa.Table:
    """The table held by the bytes of one Arrow IPC stream."""
    with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
        return reader.read_all()


def arrow_message(data: Tabular) -> types_pb2.ArrowTable:
    """``data`` as an ``ArrowTable`` message."""
    return types_pb2.ArrowTable(ipc_stream=encode_ipc(to_arrow(data)))


def chunks(table: pa.Table, chunk_bytes: int = CHUNK_BYTES, max_rows: int | None = None) -> Iterator[pa.Table]:
    """Consecutive slices of ``table`` of about ``chunk_bytes`` each (at least one row, at most ``max_rows``)."""
    rows = table.num_rows
    per_row = max(1, table.nbytes // max(rows, 1))
    step = max(1, chunk_bytes // per_row)
    if max_rows:
        step = min(step, max_rows)
    for start in range(0, max(rows, 1), step):
        yield table.slice(start, step)


_DTYPE_OF_ARROW = (
    (pa.types.is_boolean, types_pb2.DATA_TYPE_BOOL, "bool_values"),
    (pa.types.is_int32, types_pb2.DATA_TYPE_INT32, "int64_values"),
    (pa.types.is_integer, types_pb2.DATA_TYPE_INT64, "int64_values"),
    (lambda t: pa.types.is_float32(t) or pa.types.is_float16(t), types_pb2.DATA_TYPE_FLOAT32, "float_values"),
    (pa.types.is_floating, types_pb2.DATA_TYPE_FLOAT64, "double_values"),
    (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), types_pb2.DATA_TYPE_STRING, "string_values"),
    (lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t), types_pb2.DATA_TYPE_BYTES, "bytes_values"),
    (pa.types.is_timestamp, types_pb2.DATA_TYPE_TIMESTAMP, "timestamp_values"),
)


def _scalar_kind(arrow_type: pa.DataType, name: str) -> tuple[int, str]:
    for test, dtype, kind in _DTYPE_OF_ARROW:
        if test(arrow_type):
            return dtype, kind
    if pa.types.is_dictionary(arrow_type):
        return _scalar_kind(arrow_type.value_type, name)
    raise TypeError(f"column {name!r} has type {arrow_type}, which has no Sextant column type")


def _column(name: str, array: pa.ChunkedArray) -> tabular_pb2.Column:
    arrow_type = array.type
    element_shape: list[int] = []
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        lengths = {len(v) for v in array.to_pylist() if v is not None}
        if len(lengths) > 1:
            raise ValueError(f"column {name!r} holds lists of different lengths {sorted(lengths)}")
        element_shape = [lengths.pop() if lengths else 0]
        arrow_type = arrow_type.value_type
    dtype, kind = _scalar_kind(arrow_type, name)
    column = tabular_pb2.Column(name=name, dtype=dtype, element_shape=element_shape)
    values = array.to_pylist()
    nulls = [i for i, v in enumerate(values) if v is None]
    column.null_rows.extend(nulls)
    zero: Any = _zero(kind, element_shape)
    values = [zero if v is None else v for v in values]
    if element_shape:
        values = [item for row in values for item in row]
    if kind == "timestamp_values":
        column.timestamp_values.unix_micros.extend(_micros(v) for v in values)
    elif kind == "bytes_values":
        column.bytes_values.values.extend(bytes(v) for v in values)
    else:
        getattr(column, kind).values.extend(values)
    return column


def _zero(kind: str, element_shape: list[int]) -> Any:
    zero = {"bool_values": False, "string_values": "", "bytes_values": b"",
            "timestamp_values": 0, "int64_values": 0}.get(kind, 0.0)
    return [zero] * element_shape[0] if element_shape else zero


def _micros(value: Any) -> int:
    if isinstance(value, int):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp() * 1_000_000)


def timestamp_message(value: dt.datetime | str) -> timestamp_pb2.Timestamp:
    """A ``Timestamp`` from a datetime or an ISO 8601 string (naive values are UTC)."""
    moment = pd.Timestamp(value)
    if moment.tzinfo is None:
        moment = moment.tz_localize("UTC")
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.to_pydatetime())
    return stamp


def column_batch(data: Tabular) -> tabular_pb2.ColumnBatch:
    """``data`` as typed columns; nulls go to ``null_rows``, list columns get an ``element_shape``."""
    table = to_arrow(data)
    return tabular_pb2.ColumnBatch(row_count=table.num_rows,
                                   columns=[_column(name, table.column(name)) for name in table.column_names])


def column_values(column: tabular_pb2.Column, rows: int | None = None) -> list[Any]:
    """The values of a typed column as a Python list, ``None`` at ``null_rows``; rows of multi-element
    columns are lists."""
    kind = column.WhichOneof("values")
    if kind is None:
        return [None] * (rows or 0)
    if kind == "timestamp_values":
        values: list[Any] = [pd.Timestamp(v, unit="us", tz="UTC") for v in column.timestamp_values.unix_micros]
    else:
        values = list(getattr(column, kind).values)
    size = int(np.prod(column.element_shape)) if column.element_shape else 1
    if size != 1 or column.element_shape:
        shape = list(column.element_shape)
        values = [np.asarray(values[i:i + size]).reshape(shape).tolist() for i in range(0, len(values), size)]
    for row in column.null_rows:
        if 0 <= row < len(values):
            values[row] = None
    return values


def batch_to_pandas(batch: tabular_pb2.ColumnBatch) -> pd.DataFrame:
    """Typed columns as a DataFrame."""
    return pd.DataFrame({column.name: column_values(column, batch.row_count) for column in batch.columns})


def tabular_to_pandas(data: tabular_pb2.TabularData) -> pd.DataFrame:
    """A ``TabularData`` (typed columns or Arrow) as a DataFrame."""
    if data.WhichOneof("format") == "arrow":
        return to_pandas(decode_ipc(data.arrow.ipc_stream))
    return batch_to_pandas(data.columns)
