"""The monitoring service's tables and the SQL that reads and writes them (SQLAlchemy Core).

Every function takes the caller's session, so a domain operation composes several of them in one
transaction. Resources (references, monitors, rules, alerts, sinks) are stored as their serialized
protobuf next to the columns that queries filter and order on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from services.common.db import FastInsert, RawTransaction

metadata = sa.MetaData()
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

references = sa.Table(
    "mon_references", metadata,
    sa.Column("model_name", sa.String(200), primary_key=True),
    sa.Column("model_version", sa.Integer, primary_key=True),
    sa.Column("source", sa.Integer, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("exact_values", sa.LargeBinary),
    sa.Column("create_us", sa.BigInteger, nullable=False),
)
prediction_batches = sa.Table(
    "mon_prediction_batches", metadata,
    sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("model_version", sa.Integer, nullable=False),
    sa.Column("received_us", sa.BigInteger, nullable=False),
    # Input/output columns plus the payload columns (PAYLOAD_COLUMNS) of every row of the message.
    sa.Column("ipc", sa.LargeBinary, nullable=False),
    # Row i of the blob has sequence number seq_base + i (if its key was new); the stored rows'
    # sequence and prediction-time ranges.
    sa.Column("seq_base", sa.BigInteger),
    sa.Column("first_seq", sa.BigInteger),
    sa.Column("last_seq", sa.BigInteger),
    sa.Column("min_us", sa.BigInteger),
    sa.Column("max_us", sa.BigInteger),
)
prediction_keys = sa.Table(
    "mon_prediction_keys", metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=False),
    sa.Column("request_id", sa.String(200), nullable=False),
    sa.Column("row_index", sa.Integer, nullable=False),
    sa.UniqueConstraint("request_id", "row_index", name="uq_mon_prediction_keys"),
)
outcomes = sa.Table(
    "mon_outcomes", metadata,
    sa.Column("request_id", sa.String(200), primary_key=True),
    sa.Column("row_index", sa.Integer, primary_key=True),
    sa.Column("class_label", sa.String(200)),
    sa.Column("value", sa.Float),
    sa.Column("outcome_us", sa.BigInteger, nullable=False),
)
monitors = sa.Table(
    "mon_monitors", metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("deployment", sa.String(200), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("create_us", sa.BigInteger, nullable=False),
    sa.Column("update_us", sa.BigInteger, nullable=False),
)
windows = sa.Table(
    "mon_windows", metadata,
    sa.Column("monitor", sa.String(63), primary_key=True),
    sa.Column("window_index", sa.BigInteger, primary_key=True),
    sa.Column("model_version", sa.Integer, nullable=False),
    sa.Column("start_us", sa.BigInteger, nullable=False),
    sa.Column("end_us", sa.BigInteger, nullable=False),
    sa.Column("first_seq", sa.BigInteger),
    sa.Column("last_seq", sa.BigInteger),
    sa.Column("row_count", sa.BigInteger, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("summary", sa.LargeBinary, nullable=False),
    sa.Column("update_us", sa.BigInteger, nullable=False),
)
alert_rules = sa.Table(
    "mon_alert_rules", metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("monitor", sa.String(63), nullable=False),
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("metric_kind", sa.Integer, nullable=False),
    sa.Column("severity", sa.Integer, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("create_us", sa.BigInteger, nullable=False),
)
alerts = sa.Table(
    "mon_alerts", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("dedup_key", sa.String(600), nullable=False),
    sa.Column("open_dedup_key", sa.String(600), unique=True),
    sa.Column("state", sa.Integer, nullable=False),
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("model_version", sa.Integer, nullable=False),
    sa.Column("monitor", sa.String(63), nullable=False),
    sa.Column("alert_rule", sa.String(63), nullable=False),
    sa.Column("feature", sa.String(200), nullable=False),
    sa.Column("metric_kind", sa.Integer, nullable=False),
    sa.Column("routed_team", sa.String(200), nullable=False),
    sa.Column("severity", sa.Integer, nullable=False),
    sa.Column("false_streak", sa.Integer, nullable=False),
    sa.Column("create_us", sa.BigInteger, nullable=False),
    sa.Column("update_us", sa.BigInteger, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
)
webhook_sinks = sa.Table(
    "mon_webhook_sinks", metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("create_us", sa.BigInteger, nullable=False),
)
deliveries = sa.Table(
    "mon_deliveries", metadata,
    sa.Column("sink", sa.String(63), primary_key=True),
    sa.Column("event_revision", sa.BigInteger, primary_key=True),
    sa.Column("alert", sa.String(64), nullable=False),
    sa.Column("state", sa.Integer, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_us", sa.BigInteger, nullable=False),
    sa.Column("last_attempt_us", sa.BigInteger),
    sa.Column("last_error", sa.Text, nullable=False),
)
cursors = sa.Table(
    "mon_cursors", metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("revision", sa.BigInteger, nullable=False),
)

# Keys per IN (...) query: well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 400
# Keys per multi-row INSERT (three parameters each): a power of two, well under those limits too.
_KEYS_PER_INSERT = 512


# --- prediction logs -------------------------------------------------------------------------------

# Advisory lock serialising prediction inserts on PostgreSQL (SQLite's write lock already does).
_PG_PREDICTIONS_LOCK = 0x5E7A_0B0D
#: The per-row columns a batch blob carries besides the inputs ("in:...") and outputs ("out:...").
PAYLOAD_COLUMNS = ("__prediction_us", "__deployment", "__predicted_label", "__predicted_value", "__probabilities",
                   "__status_code")


# One INSERT per message on the hot path: compiled once, run on the driver's cursor.
_INSERT_BATCH = FastInsert(prediction_batches, returning="id")


def _placeholder(dialect: Any) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def existing_prediction_keys(session: Session, keys: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which (request_id, row_index) keys are already stored."""
    found: set[tuple[str, int]] = set()
    ids = sorted({k[0] for k in keys})
    mark = _placeholder(session.get_bind().dialect)
    connection = session.connection()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        sql = (f"SELECT request_id, row_index FROM mon_prediction_keys WHERE request_id IN "
               f"({', '.join([mark] * len(chunk))})")
        found.update((r[0], int(r[1])) for r in connection.exec_driver_sql(sql, tuple(chunk)))
    return found


def insert_new_keys(connection: Connection | RawTransaction, request_ids: Sequence[str],
                    row_indexes: Sequence[int]) -> tuple[int, np.ndarray]:
    """Store the (request_id, row_index) keys not stored yet, in one statement.

    Key ``i`` is offered sequence number ``first + i``; keys already stored (or repeated earlier in
    the batch) are skipped by the unique constraint. Returns ``first`` and the positions of the keys
    stored, ascending. Numbers are assigned under the database's write lock, so arrival order is
    the order of commits. Every statement runs on the driver's cursor of the caller's transaction
    (a session's connection or a raw one): this is the service's hottest write.
    """
    size = len(request_ids)
    if not size:
        return 0, np.zeros(0, dtype=np.int64)
    mark = _placeholder(connection.dialect)
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_PREDICTIONS_LOCK,))
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM mon_prediction_keys")
        first = int(cursor.fetchone()[0]) + 1
        last = first + size - 1
        position = 0
        while position < size:
            # Multi-row INSERTs cost half what one statement per key does; chunks of powers of two
            # keep the distinct statement texts (which the drivers prepare once) few.
            count = min(_KEYS_PER_INSERT, 1 << ((size - position).bit_length() - 1))
            end = position + count
            cursor.execute(_insert_keys_sql(mark, count), [
                value for key in zip(range(first + position, first + end), request_ids[position:end],
                                     row_indexes[position:end], strict=True) for value in key])
            position = end
        cursor.execute(f"SELECT COUNT(*) FROM mon_prediction_keys WHERE seq >= {mark} AND seq <= {mark}",
                       (first, last))
        if int(cursor.fetchone()[0]) == size:
            return first, np.arange(size, dtype=np.int64)
        cursor.execute(f"SELECT seq FROM mon_prediction_keys WHERE seq >= {mark} AND seq <= {mark} ORDER BY seq",
                       (first, last))
        stored = cursor.fetchall()
    finally:
        cursor.close()
    return first, np.fromiter((r[0] for r in stored), dtype=np.int64, count=len(stored)) - first


@functools.cache
def _insert_keys_sql(mark: str, count: int) -> str:
    rows = ", ".join([f"({mark}, {mark}, {mark})"] * count)
    return (f"INSERT INTO mon_prediction_keys (seq, request_id, row_index) VALUES {rows} "
            "ON CONFLICT (request_id, row_index) DO NOTHING")


def insert_batch(connection: Connection | RawTransaction, model_name: str, model_version: int, received_us: int,
                 ipc: bytes, seq_base: int, seqs: np.ndarray, prediction_us: np.ndarray) -> int:
    """Store one batch (blob of all its rows; ``seqs``/``prediction_us`` of the rows stored); returns its id."""
    return _INSERT_BATCH.run(connection, [{  # type: ignore[return-value]
        "model_name": model_name, "model_version": model_version, "received_us": received_us, "ipc": ipc,
        "seq_base": seq_base, "first_seq": int(seqs[0]), "last_seq": int(seqs[-1]),
        "min_us": int(prediction_us.min()), "max_us": int(prediction_us.max())}])


@dataclass
class _Located:
    """Stored rows of one batch: their positions in its blob and (optionally) their outcomes."""

    ipc: bytes
    positions: list[int]
    outcomes: list[tuple[Any, Any, Any]]


def _locate(session: Session, model_name: str, model_version: int, first_seq: int | None, last_seq: int | None,
            start_us: int, end_us: int, *, with_outcomes: bool, labelled_only: bool) -> list[_Located]:
    """The stored rows of a model version in a sequence range or overlapping a time range, by batch."""
    b, k = prediction_batches, prediction_keys
    query = sa.select(b.c.id, b.c.seq_base, b.c.first_seq, b.c.last_seq).where(
        b.c.model_name == model_name, b.c.model_version == model_version)
    if first_seq is not None and last_seq is not None:
        query = query.where(b.c.last_seq >= first_seq, b.c.first_seq <= last_seq)
    else:
        query = query.where(b.c.min_us < end_us, b.c.max_us >= start_us)
    located = []
    for batch in session.execute(query.order_by(b.c.first_seq)).all():
        low = batch.first_seq if first_seq is None else max(batch.first_seq, first_seq)
        high = batch.last_seq if last_seq is None else min(batch.last_seq, last_seq)
        columns: list[Any] = [k.c.seq]
        source: Any = k
        if with_outcomes:
            source = k.outerjoin(outcomes, sa.and_(outcomes.c.request_id == k.c.request_id,
                                                   outcomes.c.row_index == k.c.row_index))
            columns += [outcomes.c.class_label, outcomes.c.value, outcomes.c.request_id]
        rows = sa.select(*columns).select_from(source).where(k.c.seq >= low, k.c.seq <= high)
        if labelled_only:
            rows = rows.where(outcomes.c.request_id.is_not(None))
        found = session.execute(rows.order_by(k.c.seq)).all()
        if not found:
            continue
        ipc = session.execute(sa.select(b.c.ipc).where(b.c.id == batch.id)).scalar_one()
        located.append(_Located(ipc, [int(r[0]) - int(batch.seq_base) for r in found],
                                [tuple(r[1:]) for r in found] if with_outcomes else []))
    return located


def _payload(located: _Located, start_us: int | None, end_us: int | None,
             deployment: str) -> tuple[Any, np.ndarray]:
    """(the batch's table, which of ``located.positions`` are in the time range and deployment)."""
    table = pa.ipc.open_stream(pa.py_buffer(located.ipc)).read_all()
    positions = np.asarray(located.positions, dtype=np.int64)
    keep = np.ones(positions.size, bool)
    if start_us is not None and end_us is not None:
        times = table.column("__prediction_us").to_numpy(zero_copy_only=False)[positions]
        keep &= (times >= start_us) & (times < end_us)
    if deployment:
        deployments = np.asarray(table.column("__deployment").to_pylist(), dtype=object)[positions]
        keep &= deployments == deployment
    return table, keep


def batches_in_range(session: Session, model_name: str, model_version: int, start_us: int, end_us: int,
                     deployment: str) -> list[tuple[bytes, list[int]]]:
    """(batch columns, accepted row positions) of every batch with predictions in the range."""
    result = []
    for located in _locate(session, model_name, model_version, None, None, start_us, end_us,
                           with_outcomes=False, labelled_only=False):
        _, keep = _payload(located, start_us, end_us, deployment)
        positions = [p for p, kept in zip(located.positions, keep.tolist(), strict=True) if kept]
        if positions:
            result.append((located.ipc, positions))
    return result


def window_predictions(session: Session, model_name: str, model_version: int, deployment: str,
                       start_us: int, end_us: int, first_seq: int | None, last_seq: int | None,
                       labelled_only: bool) -> list[Any]:
    """Predictions of one window (by sequence range or time range) joined with their outcomes.

    Each row has predicted_label, predicted_value, probabilities (JSON text), status_code,
    class_label, value and outcome_id (None without an outcome).
    """
    by_time = first_seq is None or last_seq is None
    result = []
    for located in _locate(session, model_name, model_version, first_seq, last_seq, start_us, end_us,
                           with_outcomes=True, labelled_only=labelled_only):
        table, keep = _payload(located, start_us if by_time else None, end_us if by_time else None, deployment)
        picked = np.asarray(located.positions, dtype=np.int64)[keep]
        if not picked.size:
            continue
        chosen = table.select(["__predicted_label", "__predicted_value", "__probabilities", "__status_code"]).take(
            pa.array(picked))
        labels, values, probabilities, status = (chosen.column(i).to_pylist() for i in range(4))
        outcome_rows = [o for o, kept in zip(located.outcomes, keep.tolist(), strict=True) if kept]
        for i, (class_label, value, outcome_id) in enumerate(outcome_rows):
            result.append(SimpleNamespace(predicted_label=labels[i], predicted_value=values[i],
                                          probabilities=probabilities[i], status_code=status[i],
                                          class_label=class_label, value=value, outcome_id=outcome_id))
    return result


# --- windows ---------------------------------------------------------------------------------------

def update_window(session: Session, values: dict[str, Any]) -> None:
    """Rewrite one window row (keyed by monitor and window_index) on the driver's cursor.

    A watched window is rewritten with every message, its summary blob with it; SQLAlchemy's
    statement machinery would cost more than the database's own work.
    """
    connection = session.connection()
    mark = _placeholder(connection.dialect)
    columns = [c for c in values if c not in ("monitor", "window_index")]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"UPDATE mon_windows SET {', '.join(f'{c} = {mark}' for c in columns)} "
                       f"WHERE monitor = {mark} AND window_index = {mark}",
                       (*(values[c] for c in columns), values["monitor"], values["window_index"]))
    finally:
        cursor.close()


# --- monitors --------------------------------------------------------------------------------------

def monitor_bodies(connection: Connection | RawTransaction, model_name: str) -> list[bytes]:
    """The stored bodies of a model's monitors ordered by name, read on the driver's cursor.

    Ingest reads them for every message inside its transaction; SQLAlchemy's statement machinery
    would cost many times what the database spends on the query.
    """
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT body FROM mon_monitors WHERE model_name = {_placeholder(connection.dialect)} "
                       "ORDER BY name", (model_name,))
        return [bytes(r[0]) for r in cursor.fetchall()]
    finally:
        cursor.close()


# --- outcomes --------------------------------------------------------------------------------------

def existing_outcomes(session: Session, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    """Stored outcomes of the given keys."""
    found: dict[tuple[str, int], Any] = {}
    ids = sorted({k[0] for k in keys})
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for row in session.execute(sa.select(outcomes).where(outcomes.c.request_id.in_(chunk))):
            found[(row.request_id, row.row_index)] = row
    return found


def matched_prediction_keys(session: Session, keys: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which keys have a stored prediction."""
    return existing_prediction_keys(session, keys) & set(keys)


def upsert_outcome(session: Session, values: dict[str, Any], exists: bool) -> None:
    """Insert or replace one outcome."""
    if exists:
        session.execute(outcomes.update().where(outcomes.c.request_id == values["request_id"],
                                                outcomes.c.row_index == values["row_index"]).values(**values))
    else:
        session.execute(outcomes.insert().values(**values))


# --- generic resource rows -------------------------------------------------------------------------

def get_row(session: Session, table: sa.Table, **key: Any) -> Any:
    """One row by primary key, or None."""
    query = sa.select(table)
    for column, value in key.items():
        query = query.where(table.c[column] == value)
    return session.execute(query).first()


def get_row_for_update(session: Session, table: sa.Table, **key: Any) -> Any:
    """One row by primary key, locked for the rest of the transaction (PostgreSQL), or None."""
    query = sa.select(table)
    for column, value in key.items():
        query = query.where(table.c[column] == value)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).first()


def insert_row(session: Session, table: sa.Table, **values: Any) -> None:
    """Insert one row."""
    session.execute(table.insert().values(**values))


def update_row(session: Session, table: sa.Table, key: dict[str, Any], **values: Any) -> None:
    """Update one row by primary key."""
    statement = table.update()
    for column, value in key.items():
        statement = statement.where(table.c[column] == value)
    session.execute(statement.values(**values))


def delete_rows(session: Session, table: sa.Table, **key: Any) -> int:
    """Delete the rows matching ``key``; returns how many."""
    statement = table.delete()
    for column, value in key.items():
        statement = statement.where(table.c[column] == value)
    return int(session.execute(statement).rowcount or 0)


def page(session: Session, table: sa.Table, order: list[sa.ColumnElement[Any]], key_columns: list[str],
         after: tuple[Any, ...] | None, size: int, where: list[sa.ColumnElement[bool]],
         descending: bool = False) -> list[Any]:
    """One keyset page: rows after ``after`` in the order of ``key_columns``."""
    query = sa.select(table).where(*where)
    if after is not None:
        tuple_columns = sa.tuple_(*[table.c[c] for c in key_columns])
        query = query.where(tuple_columns < sa.tuple_(*after) if descending else tuple_columns > sa.tuple_(*after))
    return list(session.execute(query.order_by(*order).limit(size + 1)))


def dumps(value: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(value, separators=(",", ":")).encode()


def loads(value: bytes) -> Any:
    """Inverse of :func:`dumps`."""
    return json.loads(value)
