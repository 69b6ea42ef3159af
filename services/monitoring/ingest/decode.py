"""Decoding of LogPredictions messages (row records or Arrow tables) into validated rows.

Each message is checked on its own: a message that cannot be read at all is rejected whole; within a
readable message each bad record or row is rejected individually and the rest is kept.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.monitoring.ingest.rows import OutcomeRecord, PredictionRows, Rejection
from services.monitoring.summaries.column import ABSENT, values_from_arrow, values_from_python
from sextant.monitoring.v1 import logs_pb2, monitoring_service_pb2

_DAY_US = 86_400 * 1_000_000
_RESERVED_PREFIX = "__"
_PROBABILITY_PREFIX = "__probability:"
_MICROS_UTC = pa.timestamp("us", tz="UTC")


def _now_us() -> int:
    return int(time.time() * 1_000_000)


def _time_problem(micros: int, now_us: int) -> bool:
    return micros < 0 or micros > now_us + _DAY_US


def decode_message(request: monitoring_service_pb2.LogPredictionsRequest, message_index: int,
                   max_rows: int) -> tuple[list[PredictionRows], list[Rejection], int]:
    """(row groups by model version, rejections, number of rows rejected) of one stream message."""
    payload = request.WhichOneof("payload")
    if payload == "records":
        return _decode_records(request.records.records, message_index, max_rows)
    if payload == "table":
        return _decode_table(request.table, message_index, max_rows)
    return [], [Rejection(message_index, 0, "MALFORMED_MESSAGE", "payload", "the message carries no payload",
                          whole_message=True)], 0


def _value_of(value: object) -> object:
    kind = value.WhichOneof("kind")  # type: ignore[attr-defined]
    if kind is None:
        return None
    if kind == "timestamp_value":
        stamp = value.timestamp_value  # type: ignore[attr-defined]
        return stamp.seconds * 1_000_000 + stamp.nanos // 1000
    if kind == "bytes_value":
        return value.bytes_value.hex()  # type: ignore[attr-defined]
    return getattr(value, kind)


def _decode_records(records: object, message_index: int, max_rows: int
                    ) -> tuple[list[PredictionRows], list[Rejection], int]:
    records = list(records)  # type: ignore[call-overload]
    if len(records) > max_rows:
        return [], [Rejection(message_index, 0, "TOO_MANY_ROWS", "records.records",
                              f"the message holds {len(records)} records; the limit is {max_rows}",
                              whole_message=True)], len(records)
    now_us = _now_us()
    rejections: list[Rejection] = []
    groups: dict[tuple[str, int], list[tuple[int, logs_pb2.PredictionRecord]]] = defaultdict(list)
    for position, record in enumerate(records):
        problem = _record_problem(record, now_us)
        if problem:
            reason, field, text = problem
            rejections.append(Rejection(message_index, position, reason, f"records.records[{position}].{field}",
                                        text, request_id=record.request_id, row_index=record.row_index))
            continue
        groups[(record.model_name, record.model_version)].append((position, record))
    result = []
    for (model_name, model_version), members in groups.items():
        input_names = sorted({name for _, r in members for name in r.inputs})
        output_names = sorted({name for _, r in members for name in r.outputs})
        rows = [r for _, r in members]
        predicted_label: list[str | None] = []
        predicted_value = np.full(len(rows), np.nan)
        probabilities: list[dict[str, float] | None] = []
        for i, record in enumerate(rows):
            kind = record.prediction.WhichOneof("kind") if record.HasField("prediction") else None
            predicted_label.append(record.prediction.label if kind == "label" else None)
            if kind == "value":
                predicted_value[i] = record.prediction.value
            probs = dict(record.prediction.class_probabilities) if record.HasField("prediction") else {}
            probabilities.append(probs or None)
        result.append(PredictionRows(
            model_name=model_name, model_version=model_version,
            alias=[r.alias for r in rows], deployment=[r.deployment for r in rows],
            deployment_team=[r.deployment_team for r in rows], request_id=[r.request_id for r in rows],
            row_index=np.asarray([r.row_index for r in rows], dtype=np.int64),
            prediction_us=np.asarray([r.prediction_time.seconds * 1_000_000 + r.prediction_time.nanos // 1000
                                      for r in rows], dtype=np.int64),
            status_code=np.asarray([r.status_code for r in rows], dtype=np.int64),
            latency_us=np.asarray([(r.latency.seconds * 1_000_000 + r.latency.nanos // 1000)
                                   if r.HasField("latency") else -1 for r in rows], dtype=np.int64),
            predicted_label=predicted_label, predicted_value=predicted_value, probabilities=probabilities,
            inputs={name: values_from_python([_value_of(r.inputs[name]) if name in r.inputs else ABSENT
                                              for r in rows]) for name in input_names},
            outputs={name: values_from_python([_value_of(r.outputs[name]) if name in r.outputs else ABSENT
                                               for r in rows]) for name in output_names},
            positions=np.asarray([position for position, _ in members], dtype=np.int64)))
    return result, rejections, len(rejections)


def _record_problem(record: logs_pb2.PredictionRecord, now_us: int) -> tuple[str, str, str] | None:
    if not record.request_id:
        return "MISSING_REQUEST_ID", "request_id", "the request id is empty"
    if not record.model_name:
        return "MISSING_MODEL", "model_name", "the model name is empty"
    if record.model_version <= 0:
        return "MISSING_MODEL", "model_version", "the model version must be 1 or more"
    if record.row_index < 0:
        return "INVALID_ROW_INDEX", "row_index", f"the row index {record.row_index} is negative"
    if not record.HasField("prediction_time"):
        return "MISSING_TIME", "prediction_time", "the prediction time is missing"
    micros = record.prediction_time.seconds * 1_000_000 + record.prediction_time.nanos // 1000
    if _time_problem(micros, now_us):
        return "TIME_OUT_OF_RANGE", "prediction_time", "the prediction time is before 1970 or over a day ahead"
    return None


def _whole(message_index: int, field: str, text: str, reason: str = "MALFORMED_MESSAGE") -> Rejection:
    return Rejection(message_index, 0, reason, field, text, whole_message=True)


def _decode_table(table_message: logs_pb2.PredictionTable, message_index: int, max_rows: int
                  ) -> tuple[list[PredictionRows], list[Rejection], int]:
    try:
        table = pa.ipc.open_stream(pa.py_buffer(table_message.rows.ipc_stream)).read_all()
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, ValueError):
        return [], [_whole(message_index, "table.rows", "the Arrow IPC stream cannot be read")], 0
    rows = table.num_rows
    if rows > max_rows:
        return [], [_whole(message_index, "table.rows", f"the table holds {rows} rows; the limit is {max_rows}",
                           "TOO_MANY_ROWS")], rows
    if not table_message.model_name or table_message.model_version <= 0:
        return [], [_whole(message_index, "table.model_name" if not table_message.model_name
                           else "table.model_version", "the model name and version are required",
                           "MISSING_MODEL")], rows
    names = table.column_names
    listed = list(table_message.input_columns) + list(table_message.output_columns)
    twice = sorted({n for n, c in Counter(names).items() if c > 1} | {n for n, c in Counter(listed).items() if c > 1})
    problem = None
    if twice:
        problem = ("table.rows", f"columns listed twice: {twice}")
    elif "__request_id" not in names or "__prediction_time" not in names:
        problem = ("table.rows", "the reserved columns __request_id and __prediction_time are required")
    elif missing := [n for n in listed if n not in names]:
        problem = ("table.input_columns", f"listed columns are not in the table: {missing}")
    if problem:
        return [], [_whole(message_index, *problem)], rows
    try:
        request_ids = _cast(table.column("__request_id"), pa.string())
        times = _cast(table.column("__prediction_time"), _MICROS_UTC).cast(pa.int64())
        row_index = _int_column(table, names, "__row_index", 0)
        status = _int_column(table, names, "__status_code", 0)
        latency = _int_column(table, names, "__latency_us", -1)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return [], [_whole(message_index, "table.rows", "a reserved column has the wrong type")], rows
    ids = request_ids.to_pylist()
    micros = times.to_numpy(zero_copy_only=False) if times.null_count == 0 else np.asarray(
        [-1 if v is None else v for v in times.to_pylist()], dtype=np.int64)
    time_null = times.is_null().to_numpy(zero_copy_only=False) if times.null_count else np.zeros(rows, bool)
    now_us = _now_us()
    bad = np.zeros(rows, bool)
    rejections: list[Rejection] = []
    # Ids are text or null: only a message with an empty one needs the row by row mask.
    ids_missing = None in ids or "" in ids
    id_missing = np.asarray([not v for v in ids], dtype=bool) if ids_missing else np.zeros(rows, bool)
    checks = (
        (id_missing, "MISSING_REQUEST_ID", "__request_id", "the request id is empty"),
        (row_index < 0, "INVALID_ROW_INDEX", "__row_index", "the row index is negative"),
        (time_null, "MISSING_TIME", "__prediction_time", "the prediction time is missing"),
        (~time_null & ((micros < 0) | (micros > now_us + _DAY_US)), "TIME_OUT_OF_RANGE", "__prediction_time",
         "the prediction time is before 1970 or over a day ahead"),
    )
    for mask, reason, field, text in checks:
        if not mask.any():
            continue
        for position in np.flatnonzero(mask & ~bad).tolist():
            rejections.append(Rejection(message_index, position, reason, f"table.rows.{field}", text,
                                        request_id=ids[position] or "", row_index=int(row_index[position])))
        bad |= mask
    keep = np.flatnonzero(~bad)
    labels = (table.column("__predicted_label").cast(pa.string()).to_pylist()
              if "__predicted_label" in names else [None] * rows)
    values = (pc.cast(table.column("__predicted_value"), pa.float64()).to_numpy(zero_copy_only=False)
              if "__predicted_value" in names else np.full(rows, np.nan))
    probability_columns = [n for n in names if n.startswith(_PROBABILITY_PREFIX)]
    probabilities: list[dict[str, float] | None] = [None] * rows
    if probability_columns:
        arrays = {n[len(_PROBABILITY_PREFIX):]: pc.cast(table.column(n), pa.float64()).to_numpy(zero_copy_only=False)
                  for n in probability_columns}
        probabilities = [{label: float(a[i]) for label, a in arrays.items()} for i in range(rows)]
    count = rows
    group = PredictionRows(
        model_name=table_message.model_name, model_version=table_message.model_version,
        alias=[table_message.alias] * count, deployment=[table_message.deployment] * count,
        deployment_team=[table_message.deployment_team] * count, request_id=[v or "" for v in ids] if ids_missing else ids,
        row_index=row_index, prediction_us=micros.astype(np.int64), status_code=status, latency_us=latency,
        predicted_label=labels, predicted_value=np.asarray(values, dtype=np.float64), probabilities=probabilities,
        inputs={n: values_from_arrow(table.column(n)) for n in table_message.input_columns},
        outputs={n: values_from_arrow(table.column(n)) for n in table_message.output_columns},
        positions=np.arange(rows, dtype=np.int64))
    if keep.size == 0:
        return [], rejections, len(rejections)
    return [group if keep.size == rows else group.take(keep)], rejections, len(rejections)


def _cast(column: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    # A column already of the type is used as it is: the cast would be a costly no-op.
    return column if column.type == kind else pc.cast(column, kind)


def _int_column(table: pa.Table, names: list[str], name: str, default: int) -> np.ndarray:
    if name not in names:
        return np.full(table.num_rows, default, dtype=np.int64)
    column = table.column(name)
    kind = column.type
    if not column.null_count and pa.types.is_integer(kind) and not pa.types.is_uint64(kind):
        # What the cast below gives, without the cost of calling Arrow's compute functions.
        return column.to_numpy().astype(np.int64)
    column = pc.cast(column, pa.int64())
    return pc.fill_null(column, default).to_numpy(zero_copy_only=False).astype(np.int64)


def decode_outcomes(outcomes: object) -> tuple[list[OutcomeRecord], list[Rejection]]:
    """Valid outcomes and the rejections of invalid ones (item_index = position in the request)."""
    now_us = _now_us()
    valid: list[OutcomeRecord] = []
    rejections: list[Rejection] = []
    for position, outcome in enumerate(outcomes):  # type: ignore[call-overload]
        field = f"outcomes[{position}]"
        kind = outcome.WhichOneof("label")
        problem = None
        if not outcome.request_id:
            problem = ("MISSING_REQUEST_ID", f"{field}.request_id", "the request id is empty")
        elif outcome.row_index < 0:
            problem = ("INVALID_ROW_INDEX", f"{field}.row_index", "the row index is negative")
        elif kind is None:
            problem = ("MISSING_LABEL", f"{field}.label", "the outcome carries no label")
        elif outcome.HasField("outcome_time") and _time_problem(
                outcome.outcome_time.seconds * 1_000_000 + outcome.outcome_time.nanos // 1000, now_us):
            problem = ("TIME_OUT_OF_RANGE", f"{field}.outcome_time", "the time is before 1970 or over a day ahead")
        if problem:
            rejections.append(Rejection(0, position, problem[0], problem[1], problem[2],
                                        request_id=outcome.request_id, row_index=outcome.row_index))
            continue
        stamp = (outcome.outcome_time.seconds * 1_000_000 + outcome.outcome_time.nanos // 1000
                 if outcome.HasField("outcome_time") else now_us)
        valid.append(OutcomeRecord(outcome.request_id, outcome.row_index,
                                   outcome.class_label if kind == "class_label" else None,
                                   outcome.value if kind == "value" else None, stamp))
    return valid, rejections
