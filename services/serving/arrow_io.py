"""Arrow IPC at the Predict edge: an ``ArrowTable`` of feature values → session feeds, and model
outputs (or the inputs a model ran on) → an ``ArrowTable``.

Input: one Arrow IPC stream (or, leniently, an IPC file) of one or more record batches whose columns
are the model's inputs, named as in the signature. A scalar input takes a primitive column; an input
with several values per row (shape ``[-1, k]``) takes a ``fixed_size_list<…>[k]`` column, or a
``list<…>`` column whose lists all hold ``k`` values. Accepted value types per input dtype: floats
from floating-point or integer columns, integers from integer columns (range-checked), booleans from
boolean columns, text from string or binary columns; dictionary-encoded columns are decoded first.
Nulls (of a row, or of a value inside a row's list) are missing values, under the deployment's
missing-feature policy exactly like the ``null_rows`` of typed columns. Every mismatch is
INVALID_ARGUMENT naming the column and what was expected.

Numeric columns of one record batch without nulls reach onnxruntime without a copy
(``to_numpy(zero_copy_only)``, read-only views of the request's bytes); several batches are
concatenated once.

Output: one record batch, one column per output: scalar outputs as primitive columns, outputs with
several values per row as (nested) ``fixed_size_list`` columns, so a classifier's probabilities are
``fixed_size_list<float>[k]`` in the order of the response's ``class_labels`` (also stored in the
schema metadata under ``sextant.class_labels`` as a JSON list).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa

from services.common.errors import InvalidArgument
from services.serving.converters import check_nan, fill_missing
from services.serving.sessions import ModelSession, TensorInfo
from sextant.type.v1 import tabular_pb2, types_pb2

#: Schema metadata key of the class labels in an Arrow response.
CLASS_LABELS_KEY = b"sextant.class_labels"
_FILE_MAGIC = b"ARROW1"


def read_table(payload: bytes, field: str) -> pa.Table:
    """The table held by an Arrow IPC stream (or file); malformed bytes are INVALID_ARGUMENT naming ``field``.

    The decoded table is fully validated (offsets, UTF-8) so that a crafted payload cannot make later
    reads go out of bounds."""
    if not payload:
        raise InvalidArgument(field, "expected an Arrow IPC stream, got no bytes", reason="MALFORMED_ARROW")
    buffer = pa.py_buffer(payload)
    try:
        if payload[:len(_FILE_MAGIC)] == _FILE_MAGIC:
            table = pa.ipc.open_file(buffer).read_all()
        else:
            with pa.ipc.open_stream(buffer) as reader:
                table = reader.read_all()
        table.validate(full=True)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise InvalidArgument(field, f"expected an Arrow IPC stream: {error}", reason="MALFORMED_ARROW") from None
    return table


def arrow_feeds(payload: bytes, session: ModelSession, max_rows: int, *, field: str, use_defaults: bool,
                defaults: Mapping[str, types_pb2.Value]) -> tuple[dict[str, np.ndarray], int, list]:
    """Session feeds from an Arrow IPC payload (one column per model input); returns (feeds, rows, defaulted)."""
    table = read_table(payload, f"{field}.ipc_stream")
    rows = table.num_rows
    if rows <= 0:
        raise InvalidArgument(field, "expected at least one row", reason="EMPTY_BATCH")
    if rows > max_rows:
        raise InvalidArgument(field, f"{rows} rows; at most {max_rows} are allowed", reason="BATCH_TOO_LARGE",
                              metadata={"limit": max_rows})
    by_name = session.input_by_name
    feeds: dict[str, np.ndarray] = {}
    defaulted: list[tuple[str, list[int]]] = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        where = f"{field}[{name!r}]"
        info = by_name.get(name)
        if info is None:
            raise InvalidArgument(where, f"model {session.model_name!r} has no input {name!r}; expected columns "
                                         f"{sorted(by_name)}", reason="UNKNOWN_INPUT",
                                  metadata={"tensor": name, "column": name})
        if name in feeds:
            raise InvalidArgument(where, f"column {name!r} is given twice", reason="DUPLICATE_INPUT",
                                  metadata={"tensor": name, "column": name})
        array, missing = _input_array(info, column, rows, where)
        if missing:
            array = fill_missing(array, info, missing, where, use_defaults, defaults)
            defaulted.append((name, missing))
        check_nan(info, array, where)
        feeds[name] = array
    absent = [info.name for info in session.inputs if info.name not in feeds]
    if absent:
        raise InvalidArgument(field, f"missing column(s) {absent} of model {session.model_name!r}",
                              reason="MISSING_INPUT", metadata={"tensor": absent[0], "column": absent[0]})
    return feeds, rows, defaulted


# --- one input column --------------------------------------------------------------------------------

def _input_array(info: TensorInfo, column: pa.ChunkedArray, rows: int, where: str) -> tuple[np.ndarray, list[int]]:
    """One column as the input's array of shape ``(rows, *row_shape)``, and its missing rows."""
    if pa.types.is_dictionary(column.type):  # decoded per batch: batches may carry different dictionaries
        column = column.cast(column.type.value_type)
    array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    row_shape = info.row_shape
    known = [d for d in row_shape if d > 0]
    width = int(np.prod(known)) if len(known) == len(row_shape) else -1  # -1: taken from the data
    missing = array.is_null().to_numpy(zero_copy_only=False) if array.null_count else None
    if _is_list(array.type):
        values, width = _list_values(info, array, width, where)
    elif width in (1, -1) and len(row_shape) <= 1:
        values, width = array, 1
    else:
        raise InvalidArgument(where, f"input {info.name!r} takes {width} values per row: expected a "
                                     f"fixed_size_list<{_expected(info)}>[{width}] column, got {array.type}",
                              reason="DATATYPE_MISMATCH", metadata={"tensor": info.name, "column": info.name})
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    flat = _numpy_values(info, values, where)
    if values.null_count:
        inner = values.is_null().to_numpy(zero_copy_only=False).reshape(rows, width).any(axis=1)
        missing = inner if missing is None else missing | inner
    try:
        shaped = flat.reshape(rows, *row_shape) if row_shape else flat.reshape(rows)
    except ValueError:
        raise InvalidArgument(where, f"input {info.name!r} expects rows of shape {list(row_shape)}, got {width} "
                                     f"values per row", reason="SHAPE_MISMATCH",
                              metadata={"tensor": info.name, "column": info.name}) from None
    return shaped, (np.flatnonzero(missing).tolist() if missing is not None else [])


def _is_list(kind: pa.DataType) -> bool:
    return pa.types.is_fixed_size_list(kind) or pa.types.is_list(kind) or pa.types.is_large_list(kind)


def _list_values(info: TensorInfo, array: pa.Array, width: int, where: str) -> tuple[pa.Array, int]:
    """The values of a list column, ``width`` slots per row (null rows hold null slots)."""
    if pa.types.is_fixed_size_list(array.type):
        size = array.type.list_size
        _check_width(info, width, size, where)
        _check_flat(info, array, where)
        # `.values` ignores a slice's offset and `.flatten()` drops null rows; slice the child instead.
        return array.values.slice(array.offset * size, len(array) * size), size
    _check_flat(info, array, where)
    # Offsets and gathers rather than a cast to fixed_size_list: pyarrow 26 crashes casting all-null lists.
    offsets = array.offsets.to_numpy(zero_copy_only=False)
    lengths = np.diff(offsets)
    valid = ~array.is_null().to_numpy(zero_copy_only=False) if array.null_count else None
    sizes = np.unique(lengths if valid is None else lengths[valid])
    if sizes.size > 1:
        raise InvalidArgument(where, f"input {info.name!r} expects equally many values in every row, got lists "
                                     f"of {sizes.tolist()} values", reason="SHAPE_MISMATCH",
                              metadata={"tensor": info.name, "column": info.name})
    size = int(sizes[0]) if sizes.size else max(width, 1)
    _check_width(info, width, size, where)
    if valid is None:
        return array.values.slice(int(offsets[0]), len(array) * size), size
    index = (offsets[:-1, None] + np.arange(size)).reshape(-1)
    return array.values.take(pa.array(index, mask=np.repeat(~valid, size))), size


def _check_width(info: TensorInfo, width: int, size: int, where: str) -> None:
    if width > 0 and size != width:
        raise InvalidArgument(where, f"input {info.name!r} expects {width} values per row, got lists of {size}",
                              reason="SHAPE_MISMATCH", metadata={"tensor": info.name, "column": info.name})


def _check_flat(info: TensorInfo, array: pa.Array, where: str) -> None:
    if _is_list(array.type.value_type):
        raise InvalidArgument(where, f"input {info.name!r} expects one list of {_expected(info)} values per row, "
                                     f"got nested lists ({array.type})", reason="DATATYPE_MISMATCH",
                              metadata={"tensor": info.name, "column": info.name})


def _expected(info: TensorInfo) -> str:
    kind = info.dtype.kind
    if kind == "O":
        return "string"
    if kind == "f":
        return "floating-point or integer"
    if kind in "iu":
        return "integer"
    return "boolean"


def _accepts(info: TensorInfo, kind: pa.DataType) -> bool:
    dtype_kind = info.dtype.kind
    if dtype_kind == "O":
        return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
                or pa.types.is_binary(kind) or pa.types.is_large_binary(kind))
    if dtype_kind == "f":
        return pa.types.is_floating(kind) or pa.types.is_integer(kind)
    if dtype_kind in "iu":
        return pa.types.is_integer(kind)
    return pa.types.is_boolean(kind)


def _numpy_values(info: TensorInfo, values: pa.Array, where: str) -> np.ndarray:
    """Flat values as numpy of the input's dtype; zero-copy for primitive values without nulls."""
    if not _accepts(info, values.type):
        raise InvalidArgument(where, f"input {info.name!r} ({info.datatype}) expects {_expected(info)} values, "
                                     f"got {values.type}", reason="DATATYPE_MISMATCH",
                              metadata={"tensor": info.name, "column": info.name, "arrow_type": str(values.type)})
    if info.dtype.kind == "O":
        if values.null_count:
            values = values.fill_null(b"" if pa.types.is_binary(values.type) or pa.types.is_large_binary(
                values.type) else "")
        flat = values.to_numpy(zero_copy_only=False)
        if flat.size and isinstance(flat[0], bytes):
            flat = np.array([v.decode("utf-8", errors="replace") for v in flat], dtype=object)
        return flat
    if pa.types.is_integer(values.type) and info.dtype.kind in "iu" and values.type != pa.from_numpy_dtype(info.dtype):
        try:
            values = values.cast(pa.from_numpy_dtype(info.dtype), safe=True)
        except pa.ArrowInvalid:
            raise InvalidArgument(where, f"input {info.name!r} ({info.datatype}) got a value outside its range "
                                         f"(column type {values.type})", reason="VALUE_OUT_OF_RANGE",
                                  metadata={"tensor": info.name, "column": info.name}) from None
    if values.null_count:
        values = values.fill_null(pa.scalar(False if pa.types.is_boolean(values.type) else 0, values.type))
    flat = values.to_numpy(zero_copy_only=False)
    return flat if flat.dtype == info.dtype else flat.astype(info.dtype)


# --- responses ------------------------------------------------------------------------------------------

def arrow_table(names: Sequence[str], arrays: Sequence[np.ndarray], class_labels: Sequence[str] = ()
                ) -> tabular_pb2.TabularData:
    """Named arrays (first dimension = rows) as a TabularData holding one Arrow IPC stream of one batch."""
    columns = [_to_arrow(np.asarray(array)) for array in arrays]
    metadata = {CLASS_LABELS_KEY: json.dumps(list(class_labels)).encode()} if class_labels else None
    schema = pa.schema([pa.field(name, column.type) for name, column in zip(names, columns, strict=True)],
                       metadata=metadata)
    batch = pa.RecordBatch.from_arrays(columns, schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(batch)
    return tabular_pb2.TabularData(arrow=types_pb2.ArrowTable(ipc_stream=sink.getvalue().to_pybytes()))


def _to_arrow(array: np.ndarray) -> pa.Array:
    """One array as an Arrow column: primitive for one value per row, nested fixed-size lists otherwise."""
    if array.ndim == 0:
        array = array.reshape(1)
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.dtype == object:
        values = pa.array([v if isinstance(v, (str, bytes)) else str(v) for v in flat.tolist()])
    else:
        values = pa.array(flat)
    for size in reversed(array.shape[1:]):
        values = pa.FixedSizeListArray.from_arrays(values, size)
    return values
