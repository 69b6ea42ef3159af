"""Edge conversions: Open Inference Protocol tensors and Sextant tabular columns ↔ numpy arrays,
validated against the session's inputs (bad input is INVALID_ARGUMENT naming the field), and the
serving resources ↔ protobuf.

Raw tensor contents are wrapped with ``np.frombuffer`` (no element-by-element conversion); outputs
always leave as ``raw_output_contents``.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np

from inference import grpc_service_pb2 as oip
from services.common.errors import InvalidArgument
from services.common.handlers import Encoded, varint
from services.serving.sessions import ModelSession, TensorInfo
from sextant.serving.v1 import resources_pb2 as serving_pb
from sextant.type.v1 import features_pb2, tabular_pb2, types_pb2

#: Open Inference Protocol datatype → (typed contents field, numpy dtype).
_CONTENTS: dict[str, tuple[str, np.dtype]] = {
    "FP32": ("fp32_contents", np.dtype(np.float32)),
    "FP64": ("fp64_contents", np.dtype(np.float64)),
    "INT64": ("int64_contents", np.dtype(np.int64)),
    "INT32": ("int_contents", np.dtype(np.int32)),
    "INT16": ("int_contents", np.dtype(np.int16)),
    "INT8": ("int_contents", np.dtype(np.int8)),
    "UINT8": ("uint_contents", np.dtype(np.uint8)),
    "BOOL": ("bool_contents", np.dtype(np.bool_)),
    "BYTES": ("bytes_contents", np.dtype(object)),
}

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16))


def _check_shape(info: TensorInfo, shape: Sequence[int], field: str, max_rows: int) -> int:
    """Validate a requested shape against the input's; returns the element count."""
    if len(shape) != len(info.shape) or any(
            d < 0 or (expected >= 0 and d != expected) for d, expected in zip(shape, info.shape, strict=False)):
        raise InvalidArgument(field, f"input {info.name!r} expects shape {list(info.shape)} (-1 is any size), "
                                     f"got {list(shape)}", reason="SHAPE_MISMATCH",
                              metadata={"tensor": info.name})
    if shape and shape[0] > max_rows:
        raise InvalidArgument(field, f"input {info.name!r} has {shape[0]} rows; at most {max_rows} are allowed",
                              reason="BATCH_TOO_LARGE", metadata={"tensor": info.name, "limit": max_rows})
    count = 1
    for d in shape:
        count *= d
    return count


def check_nan(info: TensorInfo, array: np.ndarray, field: str) -> None:
    """NaN in an input that does not allow it is INVALID_ARGUMENT naming the tensor and the first row."""
    # One sum is cheaper than an element-wise test; NaN (or +inf with -inf) makes the sum NaN, and only
    # then are the elements looked at.
    if info.allow_nan or array.dtype not in _FLOATS or not math.isnan(array.sum()):
        return
    if np.isnan(array).any():
        first = int(np.argwhere(np.isnan(array))[0][0])
        raise InvalidArgument(field, f"input {info.name!r} contains NaN (first in row {first}); the model does "
                                     f"not accept missing values", reason="NAN_NOT_ALLOWED",
                              metadata={"tensor": info.name, "row": first})


def decode_bytes_tensor(raw: bytes, count: int, field: str, name: str) -> np.ndarray:
    """Length-prefixed (4-byte little-endian) BYTES elements as an object array."""
    items = []
    offset = 0
    for _ in range(count):
        if offset + 4 > len(raw):
            break
        (length,) = struct.unpack_from("<I", raw, offset)
        offset += 4
        items.append(raw[offset:offset + length].decode("utf-8", errors="replace"))
        offset += length
    if len(items) != count or offset != len(raw):
        raise InvalidArgument(field, f"input {name!r} expects {count} length-prefixed BYTES elements in "
                                     f"{len(raw)} bytes", reason="RAW_CONTENT_SIZE_MISMATCH",
                              metadata={"tensor": name})
    return np.array(items, dtype=object)


def encode_bytes_tensor(array: np.ndarray) -> bytes:
    """An object/string array as length-prefixed BYTES elements."""
    parts = []
    for item in array.reshape(-1):
        data = item if isinstance(item, bytes) else str(item).encode()
        parts.append(struct.pack("<I", len(data)))
        parts.append(data)
    return b"".join(parts)


#: Distinct request layouts (or response shapes) remembered per session; row counts vary by request.
_LAYOUTS_PER_SESSION = 64


def infer_feeds(request: oip.ModelInferRequest, session: ModelSession, max_rows: int) -> tuple[dict, int]:
    """The session feeds of a ModelInferRequest and its row count."""
    raw = request.raw_input_contents
    inputs = request.inputs
    if len(raw) == 1 and len(inputs) == 1:
        # The usual request of a one-input model: one raw tensor. Its name, datatype, shape and byte
        # length were validated by an earlier request of the same layout, so only NaN is left to check.
        tensor = inputs[0]
        data = raw[0]
        layout = session.feed_layouts.get((tensor.name, tensor.datatype, tuple(tensor.shape), len(data)))
        if layout is not None:
            info, shape = layout
            array = np.frombuffer(data, dtype=info.dtype).reshape(shape)
            check_nan(info, array, "inputs[0]")
            return {info.name: array}, shape[0] if shape else 0
    if raw and len(raw) != len(inputs):
        raise InvalidArgument("raw_input_contents", f"expected one entry per input ({len(inputs)}), got {len(raw)}",
                              reason="RAW_CONTENT_COUNT_MISMATCH")
    feeds: dict[str, np.ndarray] = {}
    rows = 0
    by_name = session.input_by_name
    for i, tensor in enumerate(inputs):
        info = by_name.get(tensor.name)
        if info is None:
            raise InvalidArgument(f"inputs[{i}].name", f"model {session.model_name!r} has no input {tensor.name!r}; "
                                                       f"expected one of {sorted(by_name)}",
                                  reason="UNKNOWN_INPUT", metadata={"tensor": tensor.name})
        if tensor.name in feeds:
            raise InvalidArgument(f"inputs[{i}].name", f"input {tensor.name!r} is given twice",
                                  reason="DUPLICATE_INPUT", metadata={"tensor": tensor.name})
        if tensor.datatype != info.datatype:
            raise InvalidArgument(f"inputs[{i}].datatype", f"input {info.name!r} expects {info.datatype}, got "
                                                           f"{tensor.datatype or 'nothing'}",
                                  reason="DATATYPE_MISMATCH", metadata={"tensor": info.name})
        shape = tuple(tensor.shape)
        count = _check_shape(info, shape, f"inputs[{i}].shape", max_rows)
        if raw:
            data = raw[i]
            if info.datatype == "BYTES":
                array = decode_bytes_tensor(data, count, f"raw_input_contents[{i}]", info.name)
            else:
                expected = count * info.dtype.itemsize
                if len(data) != expected:
                    raise InvalidArgument(f"raw_input_contents[{i}]",
                                          f"input {info.name!r} of shape {list(shape)} {info.datatype} needs "
                                          f"{expected} bytes, got {len(data)}", reason="RAW_CONTENT_SIZE_MISMATCH",
                                          metadata={"tensor": info.name, "expected_bytes": expected,
                                                    "actual_bytes": len(data)})
                array = np.frombuffer(data, dtype=info.dtype)
        else:
            field_name, dtype = _CONTENTS.get(info.datatype, ("", None))
            if not field_name:
                raise InvalidArgument(f"inputs[{i}].contents", f"input {info.name!r} of type {info.datatype} must "
                                                               f"be sent in raw_input_contents",
                                      metadata={"tensor": info.name})
            values = getattr(tensor.contents, field_name)
            if len(values) != count:
                raise InvalidArgument(f"inputs[{i}].contents.{field_name}",
                                      f"input {info.name!r} of shape {list(shape)} needs {count} values, got "
                                      f"{len(values)}", reason="CONTENT_SIZE_MISMATCH",
                                      metadata={"tensor": info.name, "expected": count, "actual": len(values)})
            if info.datatype == "BYTES":
                array = np.array([v.decode("utf-8", errors="replace") for v in values], dtype=object)
            else:
                array = np.array(values, dtype=dtype)
        array = array.reshape(shape)
        check_nan(info, array, f"inputs[{i}]")
        feeds[info.name] = array
        if shape:
            rows = max(rows, shape[0])
    if len(feeds) != len(session.inputs):
        missing = [info.name for info in session.inputs if info.name not in feeds]
        raise InvalidArgument("inputs", f"missing input(s) {missing} of model {session.model_name!r}",
                              reason="MISSING_INPUT", metadata={"tensor": missing[0]})
    if len(raw) == 1 and len(session.feed_layouts) < _LAYOUTS_PER_SESSION:
        tensor = inputs[0]
        info = by_name[tensor.name]
        if info.datatype != "BYTES":
            shape = tuple(tensor.shape)
            session.feed_layouts[(tensor.name, tensor.datatype, shape, len(raw[0]))] = (info, shape)
    return feeds, rows


def requested_outputs(names: Sequence[str], session: ModelSession, field: str) -> list[str]:
    """The output names to compute: the requested ones in request order, or every output.

    ``field`` is a format string taking the output's index, for example ``outputs[{}].name``."""
    if not names:
        return session.output_names
    for j, name in enumerate(names):
        if name not in session.output_by_name:
            raise InvalidArgument(field.format(j), f"model {session.model_name!r} has no output {name!r}; expected "
                                                   f"one of {session.output_names}", reason="UNKNOWN_OUTPUT",
                                  metadata={"tensor": name})
    return list(names)


def infer_response(request: oip.ModelInferRequest, session: ModelSession, names: list[str],
                   results: list[np.ndarray]) -> oip.ModelInferResponse:
    """A ModelInferResponse with raw_output_contents in the order of ``outputs``."""
    response = oip.ModelInferResponse(model_name=session.model_name, model_version=session.version_text,
                                      id=request.id)
    outputs = response.outputs
    raw = response.raw_output_contents
    for name, array in zip(names, results, strict=True):
        info = session.output_by_name[name]
        outputs.add(name=name, datatype=info.datatype, shape=array.shape)
        raw.append(encode_bytes_tensor(array) if info.datatype == "BYTES" else array.tobytes())
    return response


_ID_TAG = varint(oip.ModelInferResponse.DESCRIPTOR.fields_by_name["id"].number << 3 | 2)
_RAW_OUTPUT_TAG = varint(oip.ModelInferResponse.DESCRIPTOR.fields_by_name["raw_output_contents"].number << 3 | 2)
_NO_ID = oip.ModelInferRequest()


def encoded_infer_response(request: oip.ModelInferRequest, session: ModelSession, names: list[str],
                           results: list[np.ndarray]) -> Encoded:
    """The wire form of :func:`infer_response`'s message, without building it.

    Everything but the id and the tensors' bytes (model, version, the outputs' names, datatypes and
    shapes) is serialized once per output shape and session; a message's fields may come in any order
    on the wire, so the id and the raw contents are appended to that prefix."""
    key = (tuple(names), tuple([array.shape for array in results]))
    prefix = session.response_prefixes.get(key)
    if prefix is None:
        message = infer_response(_NO_ID, session, names, results)
        del message.raw_output_contents[:]
        prefix = message.SerializeToString()
        if len(session.response_prefixes) < _LAYOUTS_PER_SESSION:
            session.response_prefixes[key] = prefix
    parts = [prefix]
    if request.id:
        data = request.id.encode()
        parts += (_ID_TAG, varint(len(data)), data)
    output_by_name = session.output_by_name
    for name, array in zip(names, results, strict=True):
        data = encode_bytes_tensor(array) if output_by_name[name].datatype == "BYTES" else array.tobytes()
        parts += (_RAW_OUTPUT_TAG, varint(len(data)), data)
    return Encoded(b"".join(parts))


# --- Sextant tabular columns -------------------------------------------------------------------------

_COLUMN_VALUES = {
    "float_values": np.dtype(np.float32), "double_values": np.dtype(np.float64),
    "int64_values": np.dtype(np.int64), "bool_values": np.dtype(np.bool_),
    "string_values": np.dtype(object), "bytes_values": np.dtype(object),
    "timestamp_values": np.dtype(np.int64),
}
_NUMERIC = {"float_values", "double_values", "int64_values", "bool_values", "timestamp_values"}


def _default_for(value: types_pb2.Value | None) -> object:
    if value is None:
        return None
    kind = value.WhichOneof("kind")
    if kind == "timestamp_value":
        return value.timestamp_value.ToMicroseconds()
    return getattr(value, kind) if kind else None


class InputColumn(NamedTuple):
    """One typed column bound for a model input: where it came from (the field path named in errors),
    the column itself and, for fetched features, a mask of the rows whose status is not PRESENT."""

    where: str
    column: tabular_pb2.Column
    statuses: object = None  # the column's repeated FeatureValueStatus (fetched features only)


def column_feeds(batch: tabular_pb2.ColumnBatch, session: ModelSession, max_rows: int, *, field: str,
                 use_defaults: bool, defaults: Mapping[str, types_pb2.Value], matrices: list | None = None
                 ) -> tuple[dict, int, list]:
    """Session feeds from typed columns (one per model input); returns (feeds, rows, defaulted)."""
    rows = batch.row_count
    if rows <= 0 and batch.columns:
        rows = _column_length(batch.columns[0])
    columns = [InputColumn(f"{field}.columns[{j}]", column) for j, column in enumerate(batch.columns)]
    return input_feeds(columns, rows, session, max_rows, field=field, use_defaults=use_defaults, defaults=defaults,
                       matrices=matrices)


def input_feeds(columns: Sequence[InputColumn], rows: int, session: ModelSession, max_rows: int, *, field: str,
                use_defaults: bool, defaults: Mapping[str, types_pb2.Value], block: FetchedBlock | None = None,
                matrices: list | None = None) -> tuple[dict, int, list]:
    """Session feeds from typed columns, and from a block of fetched features; returns (feeds, rows,
    defaulted).

    Scalar numeric columns (the usual tabular case) are converted together: the columns of one source
    type are read into one ``(columns, rows)`` array in a single pass, cast once, their missing rows
    (``null_rows`` and non-PRESENT statuses) handled with one mask, NaN checked once; each feed is a
    contiguous row of that array. Other columns (text, multi-element) are converted one by one. A
    block's inputs are taken from its matrix in the same way, without a column per input.

    When ``matrices`` is given, each group's (input names, array) is appended to it: the feeds of those
    inputs are the rows of that ``(inputs, rows)`` array, which the prediction log stacks whole instead
    of gathering every input of every prediction one by one."""
    if rows <= 0:
        raise InvalidArgument(f"{field}.row_count", "expected at least one row", reason="EMPTY_BATCH")
    if rows > max_rows:
        raise InvalidArgument(f"{field}.row_count", f"{rows} rows; at most {max_rows} are allowed",
                              reason="BATCH_TOO_LARGE", metadata={"limit": max_rows})
    feeds: dict[str, np.ndarray] = {}
    defaulted: list[tuple[str, list[int]]] = []
    groups: dict[tuple[str, np.dtype], list[tuple[TensorInfo, InputColumn, object]]] = {}
    by_name = session.input_by_name
    for item in columns:
        where, column = item.where, item.column
        info = by_name.get(column.name)
        if info is None:
            raise InvalidArgument(f"{where}.name", f"model {session.model_name!r} has no input {column.name!r}; "
                                                   f"expected one of {sorted(by_name)}",
                                  reason="UNKNOWN_INPUT", metadata={"tensor": column.name})
        if info.name in feeds:
            raise InvalidArgument(f"{where}.name", f"input {info.name!r} is given twice", reason="DUPLICATE_INPUT",
                                  metadata={"tensor": info.name})
        kind = column.WhichOneof("values")
        if kind is None:
            raise InvalidArgument(f"{where}.values", f"column {info.name!r} carries no values",
                                  metadata={"tensor": info.name})
        row_shape = info.shape[1:]
        is_text = info.dtype == object
        if is_text != (kind in ("string_values", "bytes_values")) or (not is_text and kind not in _NUMERIC):
            raise InvalidArgument(f"{where}.dtype", f"input {info.name!r} expects {info.datatype}, got "
                                                    f"{kind.removesuffix('_values')} values",
                                  reason="DATATYPE_MISMATCH", metadata={"tensor": info.name})
        if not is_text and row_shape in ((), (1,)) and (not column.element_shape
                                                         or tuple(column.element_shape) == row_shape):
            values = getattr(column, kind)
            values = values.unix_micros if kind == "timestamp_values" else values.values
            if len(values) != rows:
                raise InvalidArgument(f"{where}.{kind}", f"input {info.name!r} needs {rows} values for {rows} rows, "
                                                         f"got {len(values)}", reason="CONTENT_SIZE_MISMATCH",
                                      metadata={"tensor": info.name, "expected": rows, "actual": len(values)})
            groups.setdefault((kind, info.dtype), []).append((info, item, values))
            feeds[info.name] = _PENDING
            continue
        array, missing = _single_column(info, item, kind, rows, where)
        if missing:
            array = fill_missing(array, info, missing, where, use_defaults, defaults)
            defaulted.append((info.name, missing))
        check_nan(info, array, where)
        feeds[info.name] = array
    for (kind, dtype), members in groups.items():
        _scalar_group(feeds, defaulted, kind, dtype, members, rows, use_defaults, defaults, matrices)
    if block is not None:
        _block_feeds(feeds, defaulted, block, rows, use_defaults, defaults, matrices)
    missing_inputs = [info.name for info in session.inputs if info.name not in feeds]
    if missing_inputs:
        raise InvalidArgument(f"{field}.columns", f"missing column(s) {missing_inputs} of model "
                                                  f"{session.model_name!r}",
                              reason="MISSING_INPUT", metadata={"tensor": missing_inputs[0]})
    return feeds, rows, defaulted


_PENDING = np.empty(0)
_PRESENT = features_pb2.FEATURE_VALUE_STATUS_PRESENT
_SUPPLIED = features_pb2.FEATURE_VALUE_STATUS_SUPPLIED


def _scalar_group(feeds: dict, defaulted: list, kind: str, dtype: np.dtype,
                  members: list[tuple[TensorInfo, InputColumn, object]], rows: int, use_defaults: bool,
                  defaults: Mapping[str, types_pb2.Value], matrices: list | None) -> None:
    """Convert scalar columns of one source kind and target dtype together (see :func:`input_feeds`)."""
    count = len(members)
    matrix = np.fromiter(chain.from_iterable(values for _, _, values in members), dtype=_COLUMN_VALUES[kind],
                         count=count * rows).reshape(count, rows)
    if matrix.dtype != dtype:
        matrix = matrix.astype(dtype)
    missing = None
    with_status = [j for j, (_, item, _) in enumerate(members) if item.statuses is not None]
    if with_status:
        statuses = np.fromiter(chain.from_iterable(members[j][1].statuses for j in with_status), dtype=np.int32,
                               count=len(with_status) * rows).reshape(len(with_status), rows)
        missing = np.zeros((count, rows), dtype=bool)
        missing[with_status] = (statuses != _PRESENT) & (statuses != _SUPPLIED)
    for j, (info, item, _) in enumerate(members):
        null_rows = item.column.null_rows
        if null_rows:
            index = np.asarray(null_rows, dtype=np.int64)
            outside = index[(index < 0) | (index >= rows)]
            if outside.size:
                raise InvalidArgument(f"{item.where}.null_rows", f"row {int(outside[0])} is outside the {rows} rows",
                                      metadata={"tensor": info.name, "row": int(outside[0])})
            if missing is None:
                missing = np.zeros((count, rows), dtype=bool)
            missing[j, index] = True
    _finish_group(feeds, defaulted, dtype, [(info, item.where) for info, item, _ in members], matrix, missing, rows,
                  use_defaults, defaults, matrices)


def _finish_group(feeds: dict, defaulted: list, dtype: np.dtype, inputs: list[tuple[TensorInfo, str]],
                  matrix: np.ndarray, missing: np.ndarray | None, rows: int, use_defaults: bool,
                  defaults: Mapping[str, types_pb2.Value], matrices: list | None) -> None:
    """NaN check, missing values and feeds of a group: ``matrix`` and ``missing`` hold one row per
    input of ``inputs`` (its tensor and the field named in errors), ``matrix`` already of ``dtype``."""
    if dtype in _FLOATS:
        check = matrix if missing is None else np.where(missing, 0, matrix)
        bad = np.isnan(check.sum(axis=1))
        if bad.any():
            for j in np.flatnonzero(bad):
                info, where = inputs[j]
                if not info.allow_nan:
                    first = int(np.flatnonzero(np.isnan(check[j]))[0])
                    raise InvalidArgument(where, f"input {info.name!r} contains NaN (first in row {first}); the "
                                                 f"model does not accept missing values", reason="NAN_NOT_ALLOWED",
                                          metadata={"tensor": info.name, "row": first})
    if missing is not None and missing.any():
        for j in np.flatnonzero(missing.any(axis=1)):
            info, where = inputs[j]
            null_rows = np.flatnonzero(missing[j])
            first = int(null_rows[0])
            if not use_defaults:
                raise InvalidArgument(where, f"input {info.name!r} has no value in row {first}",
                                      reason="MISSING_FEATURE", metadata={"tensor": info.name, "row": first})
            default = _default_for(defaults.get(info.name))
            if default is None:
                if dtype not in _FLOATS:
                    raise InvalidArgument(where, f"input {info.name!r} has no value in row {first} and no "
                                                 f"default", reason="MISSING_FEATURE",
                                          metadata={"tensor": info.name, "row": first})
                default = np.nan
            matrix[j, null_rows] = default
            defaulted.append((info.name, null_rows.tolist()))
    for j, (info, _) in enumerate(inputs):
        feeds[info.name] = matrix[j].reshape(rows, *info.shape[1:])
    if matrices is not None:
        matrices.append((tuple(info.name for info, _ in inputs), matrix))


class FetchedBlock(NamedTuple):
    """Fetched features as one block (the feature store's DENSE layout): ``values`` and ``missing``
    are ``(rows, features)``; feature ``f`` feeds ``inputs[f]`` (its tensor and the field named in
    errors), and by dtype ``groups`` maps each target dtype to its features' positions. Its inputs
    are never among the columns converted with it (the lookup refuses a supplied value for a
    feature-fed input before any conversion)."""

    values: np.ndarray
    missing: np.ndarray | None
    inputs: list[tuple[TensorInfo, str]]
    groups: dict[np.dtype, list[int]]


def _block_feeds(feeds: dict, defaulted: list, block: FetchedBlock, rows: int, use_defaults: bool,
                 defaults: Mapping[str, types_pb2.Value], matrices: list | None) -> None:
    """The feeds of a block's inputs, one group per target dtype (see :func:`_finish_group`)."""
    for dtype, positions in block.groups.items():
        # (features, rows), a copy of this group's columns in the input's dtype (the block stays as read).
        matrix = block.values.T[positions].astype(dtype, copy=False)
        missing = block.missing.T[positions] if block.missing is not None else None
        _finish_group(feeds, defaulted, dtype, [block.inputs[f] for f in positions], matrix, missing, rows,
                      use_defaults, defaults, matrices)


def _single_column(info: TensorInfo, item: InputColumn, kind: str, rows: int, where: str
                   ) -> tuple[np.ndarray, list[int]]:
    """One text or multi-element column as an array, and its missing rows."""
    column = item.column
    row_shape = tuple(d if d >= 0 else -1 for d in info.row_shape)
    per_row = 1
    for d in row_shape:
        per_row *= d if d > 0 else 1
    if column.element_shape and tuple(column.element_shape) != row_shape and -1 not in row_shape:
        raise InvalidArgument(f"{where}.element_shape", f"input {info.name!r} expects elements of shape "
                                                        f"{list(row_shape)}, got {list(column.element_shape)}",
                              reason="SHAPE_MISMATCH", metadata={"tensor": info.name})
    if column.element_shape and -1 in row_shape:
        per_row = 1
        for d in column.element_shape:
            per_row *= d
    values = getattr(column, kind)
    values = values.unix_micros if kind == "timestamp_values" else values.values
    if len(values) != rows * per_row:
        raise InvalidArgument(f"{where}.{kind}", f"input {info.name!r} needs {rows * per_row} values for {rows} "
                                                 f"rows, got {len(values)}", reason="CONTENT_SIZE_MISMATCH",
                              metadata={"tensor": info.name, "expected": rows * per_row, "actual": len(values)})
    if kind == "bytes_values":
        array = np.array([v.decode("utf-8", errors="replace") for v in values], dtype=object)
    elif kind == "string_values":
        array = np.array(list(values), dtype=object)
    else:
        array = np.fromiter(values, dtype=_COLUMN_VALUES[kind], count=len(values))
        if array.dtype != info.dtype:
            array = array.astype(info.dtype)
    shape = (rows, *(d if d > 0 else per_row for d in row_shape)) if row_shape else (rows,)
    array = array.reshape(shape)
    missing = set(column.null_rows)
    if item.statuses is not None:
        statuses = np.fromiter(item.statuses, dtype=np.int32, count=len(item.statuses))
        missing.update(np.flatnonzero((statuses != _PRESENT) & (statuses != _SUPPLIED)).tolist())
    return array, sorted(missing)


def fill_missing(array: np.ndarray, info: TensorInfo, null_rows: list[int], where: str, use_defaults: bool,
                 defaults: Mapping[str, types_pb2.Value]) -> np.ndarray:
    """A copy of ``array`` with ``null_rows`` set to the input's default (NaN for a floating-point input
    without one); INVALID_ARGUMENT (MISSING_FEATURE) when the deployment rejects missing values."""
    rows = array.shape[0]
    bad = [r for r in null_rows if r < 0 or r >= rows]
    if bad:
        raise InvalidArgument(f"{where}.null_rows", f"row {bad[0]} is outside the {rows} rows",
                              metadata={"tensor": info.name, "row": bad[0]})
    if not use_defaults:
        raise InvalidArgument(where, f"input {info.name!r} has no value in row {null_rows[0]}",
                              reason="MISSING_FEATURE", metadata={"tensor": info.name, "row": null_rows[0]})
    default = _default_for(defaults.get(info.name))
    if default is None:
        if info.dtype not in _FLOATS:
            raise InvalidArgument(where, f"input {info.name!r} has no value in row {null_rows[0]} and no default",
                                  reason="MISSING_FEATURE", metadata={"tensor": info.name, "row": null_rows[0]})
        default = np.nan
    array = array.copy()
    array[null_rows] = default
    return array


def _column_length(column: tabular_pb2.Column) -> int:
    kind = column.WhichOneof("values")
    if kind is None:
        return 0
    values = getattr(column, kind)
    return len(values.unix_micros if kind == "timestamp_values" else values.values)


_OUTPUT_KIND = {
    np.dtype(np.float32): ("float_values", types_pb2.DATA_TYPE_FLOAT32),
    np.dtype(np.float64): ("double_values", types_pb2.DATA_TYPE_FLOAT64),
    np.dtype(np.int64): ("int64_values", types_pb2.DATA_TYPE_INT64),
    np.dtype(np.int32): ("int64_values", types_pb2.DATA_TYPE_INT32),
    np.dtype(np.bool_): ("bool_values", types_pb2.DATA_TYPE_BOOL),
}


def output_columns(names: Sequence[str], results: Sequence[np.ndarray], rows: int) -> tabular_pb2.TabularData:
    """Model outputs as typed columns, one per output, rows in request order."""
    batch = tabular_pb2.ColumnBatch(row_count=rows)
    for name, array in zip(names, results, strict=True):
        column = batch.columns.add(name=name, element_shape=array.shape[1:])
        kind, dtype = _OUTPUT_KIND.get(array.dtype, ("string_values", types_pb2.DATA_TYPE_STRING))
        column.dtype = dtype
        flat = array.reshape(-1)
        if kind == "string_values":
            column.string_values.values.extend(str(v) for v in flat)
        else:
            getattr(column, kind).values.extend(flat.tolist())
    return tabular_pb2.TabularData(columns=batch)


def input_columns(feeds: Mapping[str, np.ndarray], rows: int) -> tabular_pb2.TabularData:
    """The values a model ran on, as typed columns (for return_features)."""
    return output_columns(list(feeds), [np.asarray(v) for v in feeds.values()], rows)


def served_version(role: int, alias: str, version: int, state: int, pending: int, pending_state: int,
                   message: str = "") -> serving_pb.ServedVersion:
    """One role's served version."""
    return serving_pb.ServedVersion(role=role, alias=alias, model_version=version, state=state,
                                    pending_version=pending, pending_state=pending_state, message=message)
