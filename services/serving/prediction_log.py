"""Prediction logging: every prediction goes to monitoring's LogPredictions, off the request path.

The request path only appends a tuple of references (no conversion, no I/O) to an in-memory queue.
A background shipper turns queued predictions into PredictionRecords, one per row, and sends them in
batches over a LogPredictions client stream. When monitoring cannot be reached (or the queue is over
its capacity) batches are appended to a local journal of length-prefixed LogPredictionsRequest
messages and replayed, oldest first, once monitoring answers again. Monitoring stores records
idempotently by (request_id, row_index), so a replay after a partly acknowledged stream creates no
duplicates. Only when the journal would outgrow its disk budget are records dropped, counted and
logged.
"""

from __future__ import annotations

import collections
import math
import os
import struct
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import grpc
import numpy as np
import pyarrow as pa

from services.common.dependencies import Dependency
from services.common.logging import get_logger
from sextant.monitoring.v1 import logs_pb2
from sextant.monitoring.v1 import monitoring_service_pb2 as mon_pb
from sextant.type.v1 import types_pb2

_LENGTH = struct.Struct("<I")


class Prediction(NamedTuple):
    """One scored request as the request path hands it over (references only; a named tuple, which
    costs the request path a tenth of a frozen dataclass's construction)."""

    request_id: str
    model_name: str
    version: int
    alias: str
    deployment: str
    team: str
    route: int
    time_seconds: float
    latency_seconds: float
    inputs: dict
    output_names: Sequence[str]
    outputs: Sequence[np.ndarray]
    class_labels: Sequence[str]
    #: (input names, array) pairs: the feeds of those inputs are the rows of the ``(inputs, rows)``
    #: array (see converters.input_feeds), so a batch stacks the arrays instead of every input.
    input_matrices: tuple[tuple[tuple[str, ...], np.ndarray], ...] = ()


class PredictionLog:
    """The bounded queue, the shipper thread, the journal and the counters."""

    def __init__(self, monitoring: Dependency, journal: Path, *, capacity: int, batch_size: int,
                 flush_seconds: float, journal_budget_bytes: int, retry_seconds: float) -> None:
        self._monitoring = monitoring
        self._journal = journal
        self._capacity = capacity
        self._batch_size = batch_size
        self._flush = flush_seconds
        self._budget = journal_budget_bytes
        self._retry = retry_seconds
        self._queue: collections.deque[Prediction] = collections.deque()
        self._overflow: collections.deque[Prediction] = collections.deque()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._journal_lock = threading.Lock()
        self._log = get_logger("prediction_log")
        self.shipped = 0
        self.spilled = 0
        self.dropped = 0
        self.last_shipped = 0.0
        self._next_attempt = 0.0
        journal.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="serving-prediction-log", daemon=True)
        self._thread.start()

    # --- the request path -----------------------------------------------------------------------

    def record(self, prediction: Prediction) -> None:
        """Hand a prediction over; never blocks and never does I/O."""
        if len(self._queue) < self._capacity:
            self._queue.append(prediction)
        else:
            self._overflow.append(prediction)
        if len(self._queue) >= self._batch_size:
            self._wake.set()

    # --- counters ---------------------------------------------------------------------------------

    @property
    def queued(self) -> int:
        """Predictions waiting in memory."""
        return len(self._queue) + len(self._overflow)

    @property
    def journal_bytes(self) -> int:
        """The journal's current size."""
        try:
            return self._journal.stat().st_size
        except OSError:
            return 0

    @property
    def journal_budget_bytes(self) -> int:
        """The journal's disk budget."""
        return self._budget

    # --- the shipper ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._flush)
            self._wake.clear()
            try:
                self._cycle()
            except Exception as error:  # noqa: BLE001 - the shipper must survive anything
                self._log.error("prediction log cycle failed", exc_info=error)
        self._cycle(final=True)

    def _cycle(self, final: bool = False) -> None:
        if self._overflow:
            self._spill(self._to_messages(_drain(self._overflow, len(self._overflow))))
        reachable = time.monotonic() >= self._next_attempt
        if reachable and self.journal_bytes:
            reachable = self._replay()
        # Ship what was queued when the cycle started, not what arrives while shipping: chasing new
        # arrivals would send a stream of tiny batches (as many as arrive during one call), each
        # costing both sides a whole message. Later arrivals wait for a full batch or the next flush.
        remaining = math.inf if final else len(self._queue)
        while remaining > 0 and self._queue:
            # One batch at a time with a GIL release in between, so request threads never wait long
            # behind the conversion.
            batch = _drain(self._queue, min(self._batch_size, remaining))
            remaining -= len(batch)
            messages = self._to_messages(batch)
            time.sleep(0)
            if reachable and not final and self._ship(messages):
                continue
            reachable = False
            self._spill(messages)

    def _to_messages(self, predictions: list[Prediction]) -> list[mon_pb.LogPredictionsRequest]:
        groups: dict[tuple, list[Prediction]] = {}
        for prediction in predictions:
            key = (prediction.model_name, prediction.version, prediction.alias, prediction.deployment,
                   prediction.team, prediction.route)
            groups.setdefault(key, []).append(prediction)
        messages = []
        for group in groups.values():
            for start in range(0, len(group), self._batch_size):
                messages.append(_table_message(group[start:start + self._batch_size]))
        return messages

    def _ship(self, messages: list[mon_pb.LogPredictionsRequest]) -> bool:
        if not messages:
            return True
        try:
            response = self._monitoring.stub.LogPredictions(iter(messages), timeout=10,
                                                            metadata=self._monitoring.metadata())
        except grpc.RpcError as error:
            self._next_attempt = time.monotonic() + self._retry
            self._log.info("monitoring unreachable; spilling predictions to the journal", code=error.code().name)
            return False
        self.shipped += response.accepted_count + response.duplicate_count
        self.last_shipped = time.time()
        if response.rejected_count:
            self._log.warning("monitoring rejected predictions", rejected=response.rejected_count)
        return True

    def _spill(self, messages: list[mon_pb.LogPredictionsRequest]) -> None:
        with self._journal_lock:
            size = self.journal_bytes
            with self._journal.open("ab") as out:
                for message in messages:
                    data = message.SerializeToString()
                    rows = _row_count(message)
                    if size + len(data) + _LENGTH.size > self._budget:
                        self.dropped += rows
                        self._log.error("prediction journal over its disk budget; dropping predictions",
                                        rows=rows, budget_bytes=self._budget)
                        continue
                    out.write(_LENGTH.pack(len(data)))
                    out.write(data)
                    size += len(data) + _LENGTH.size
                    self.spilled += rows
                out.flush()
                os.fsync(out.fileno())

    def _replay(self) -> bool:
        """Ship the journal; it is removed only after monitoring acknowledged every message."""
        with self._journal_lock:
            data = self._journal.read_bytes() if self._journal.exists() else b""
            messages = []
            offset = 0
            while offset + _LENGTH.size <= len(data):
                (length,) = _LENGTH.unpack_from(data, offset)
                offset += _LENGTH.size
                if offset + length > len(data):
                    break  # a torn tail write: the rest was never acknowledged to anyone
                messages.append(mon_pb.LogPredictionsRequest.FromString(data[offset:offset + length]))
                offset += length
            if not messages:
                self._journal.unlink(missing_ok=True)
                return True
            if not self._ship(messages):
                return False
            self._journal.unlink(missing_ok=True)
            self._log.info("prediction journal replayed", messages=len(messages))
            return True

    def flush(self, timeout: float = 10.0) -> None:
        """Wake the shipper and wait until the queue is empty (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self.queued and time.monotonic() < deadline:
            self._wake.set()
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the shipper; what is still queued goes to the journal."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=15)


def _drain(queue: collections.deque, limit: int) -> list[Prediction]:
    items = []
    while queue and len(items) < limit:
        items.append(queue.popleft())
    return items


def _row_count(message: mon_pb.LogPredictionsRequest) -> int:
    if not message.table.rows.ipc_stream:
        return 0
    return pa.ipc.open_stream(message.table.rows.ipc_stream).read_all().num_rows


def _stacked_matrices(group: list[Prediction]) -> dict[str, np.ndarray]:
    """Each input that every prediction of the group carries in an input matrix at the same place,
    as one column over the group: one concatenation per matrix instead of one per input."""
    layout = [names for names, _ in group[0].input_matrices]
    if not layout or any([names for names, _ in p.input_matrices] != layout for p in group):
        return {}
    columns = {}
    for index, names in enumerate(layout):
        matrix = np.concatenate([p.input_matrices[index][1] for p in group], axis=1)
        columns.update(zip(names, matrix, strict=True))
    return columns


def _rows(array: np.ndarray) -> int:
    """Rows of a tensor: its first dimension; a 0-d tensor (a model's scalar input) is one row."""
    return array.shape[0] if array.ndim else 1


def _columns(name: str, arrays: list[np.ndarray], rows: int) -> dict[str, np.ndarray]:
    """One column per element of a tensor's row: ``name`` for scalars, ``name[i]`` otherwise."""
    try:
        # Every prediction's tensor has the same row shape (one session made them all), so one
        # concatenation stacks them; only 0-d tensors (which cannot be concatenated) need a reshape.
        stacked = np.concatenate(arrays).reshape(rows, -1)
    except ValueError:
        stacked = np.concatenate([a.reshape(a.shape[0], -1) if a.ndim else a.reshape(1, 1) for a in arrays])
    if stacked.shape[1] == 1:
        return {name: stacked[:, 0]}
    return {f"{name}[{i}]": stacked[:, i] for i in range(stacked.shape[1])}


def _table_message(group: list[Prediction]) -> mon_pb.LogPredictionsRequest:
    """One PredictionTable message for predictions of one (model, version, alias, deployment, route)."""
    first = group[0]
    counts = np.array([_rows(next(iter(p.inputs.values()))) if p.inputs else 1 for p in group], dtype=np.int64)
    rows = int(counts.sum())
    request_ids = [p.request_id for p in group]
    if (counts == 1).all():  # one row per prediction, the usual case on the request path
        row_index = np.zeros(rows, dtype=np.int32)
    else:
        request_ids = np.repeat(np.array(request_ids, dtype=object), counts).tolist()
        row_index = (np.arange(rows) - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int32)
    data: dict[str, object] = {
        "__request_id": pa.array(request_ids, pa.string()),
        "__row_index": pa.array(row_index),
        "__prediction_time": pa.array(np.repeat((np.array([p.time_seconds for p in group]) * 1e6).astype(np.int64),
                                                counts), pa.timestamp("us", tz="UTC")),
        "__latency_us": pa.array(np.repeat((np.array([p.latency_seconds for p in group]) * 1e6).astype(np.int64),
                                           counts)),
    }
    stacked = _stacked_matrices(group)
    input_columns: list[str] = []
    for name in first.inputs:
        columns = {name: stacked[name]} if name in stacked else _columns(name, [p.inputs[name] for p in group], rows)
        input_columns.extend(columns)
        data.update({k: _arrow(v) for k, v in columns.items()})
    output_columns: list[str] = []
    labels = list(first.class_labels)
    for index, name in enumerate(first.output_names):
        columns = _columns(name, [p.outputs[index] for p in group], rows)
        if labels and len(columns) == len(labels) and next(iter(columns.values())).dtype.kind == "f":
            for label, values in zip(labels, columns.values(), strict=True):
                data[f"__probability:{label}"] = pa.array(values.astype(np.float64))
        elif labels and len(columns) == 1 and name == "label":
            data["__predicted_label"] = _label_texts(next(iter(columns.values())))
        else:
            output_columns.extend(columns)
            data.update({k: _arrow(v) for k, v in columns.items()})
    table = pa.table(data)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return mon_pb.LogPredictionsRequest(table=logs_pb2.PredictionTable(
        model_name=first.model_name, model_version=first.version, alias=first.alias, deployment=first.deployment,
        deployment_team=first.team, route=first.route,
        rows=types_pb2.ArrowTable(ipc_stream=sink.getvalue().to_pybytes()),
        input_columns=input_columns, output_columns=output_columns))


def _arrow(values: np.ndarray) -> pa.Array:
    if values.dtype == object:
        return pa.array([str(v) for v in values], pa.string())
    return pa.array(values)


def _label_texts(values: np.ndarray) -> pa.Array:
    """Predicted labels as text, as ``str`` writes them (Arrow's cast does so for integers)."""
    if values.dtype.kind in "iu":
        return pa.array(values).cast(pa.string())
    return pa.array([str(v) for v in values], pa.string())
