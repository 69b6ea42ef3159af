"""The monitoring service's tables and the SQL that reads and writes them (SQLAlchemy Core).

Every function takes the caller's session, so a domain operation composes several of them in one
transaction. Resources (references, monitors, rules, alerts, sinks) are stored as their serialized
protobuf next to the columns that queries filter and order on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
    sa.Column("ipc", sa.LargeBinary, nullable=False),
)
predictions = sa.Table(
    "mon_predictions", metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(200), nullable=False),
    sa.Column("row_index", sa.Integer, nullable=False),
    sa.Column("batch_id", sa.BigInteger, nullable=False),
    sa.Column("batch_row", sa.Integer, nullable=False),
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("model_version", sa.Integer, nullable=False),
    sa.Column("deployment", sa.String(200), nullable=False),
    sa.Column("prediction_us", sa.BigInteger, nullable=False),
    sa.Column("predicted_label", sa.String(200)),
    sa.Column("predicted_value", sa.Float),
    sa.Column("probabilities", sa.Text),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("schema_error", sa.Boolean, nullable=False),
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


# --- prediction logs -------------------------------------------------------------------------------

# Advisory lock serialising prediction inserts on PostgreSQL (SQLite's write lock already does).
_PG_PREDICTIONS_LOCK = 0x5E7A_0B0D
PREDICTION_COLUMNS = ("seq", "request_id", "row_index", "batch_id", "batch_row", "model_name", "model_version",
                      "deployment", "prediction_us", "predicted_label", "predicted_value", "probabilities",
                      "status_code", "schema_error")


def _placeholder(session: Session) -> str:
    return "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"


def existing_prediction_keys(session: Session, keys: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which (request_id, row_index) keys are already stored."""
    found: set[tuple[str, int]] = set()
    ids = sorted({k[0] for k in keys})
    mark = _placeholder(session)
    connection = session.connection()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        sql = (f"SELECT request_id, row_index FROM mon_predictions WHERE request_id IN "
               f"({', '.join([mark] * len(chunk))})")
        found.update((r[0], int(r[1])) for r in connection.exec_driver_sql(sql, tuple(chunk)))
    return found


def insert_batch(session: Session, model_name: str, model_version: int, received_us: int, ipc: bytes) -> int:
    """Store one batch's input and output columns; returns its id."""
    result = session.execute(prediction_batches.insert().values(
        model_name=model_name, model_version=model_version, received_us=received_us, ipc=ipc))
    return int(result.inserted_primary_key[0])


def insert_predictions(session: Session, rows: list[tuple[Any, ...]]) -> int:
    """Insert prediction rows (columns of PREDICTION_COLUMNS after ``seq``), numbering them in order.

    Returns the sequence number of the first row; the others follow consecutively. Numbers are
    assigned under the database's write lock, so arrival order is the order of commits.
    """
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_PREDICTIONS_LOCK})
    first = int(session.execute(sa.select(sa.func.coalesce(sa.func.max(predictions.c.seq), 0))).scalar()) + 1
    mark = _placeholder(session)
    sql = (f"INSERT INTO mon_predictions ({', '.join(PREDICTION_COLUMNS)}) "
           f"VALUES ({', '.join([mark] * len(PREDICTION_COLUMNS))})")
    session.connection().exec_driver_sql(sql, [(first + i, *row) for i, row in enumerate(rows)])
    return first


def batches_in_range(session: Session, model_name: str, model_version: int, start_us: int, end_us: int,
                     deployment: str) -> list[tuple[bytes, list[int]]]:
    """(batch columns, accepted row positions) of every batch with predictions in the range."""
    query = (sa.select(predictions.c.batch_id, predictions.c.batch_row)
             .where(predictions.c.model_name == model_name, predictions.c.model_version == model_version,
                    predictions.c.prediction_us >= start_us, predictions.c.prediction_us < end_us)
             .order_by(predictions.c.batch_id, predictions.c.batch_row))
    if deployment:
        query = query.where(predictions.c.deployment == deployment)
    positions: dict[int, list[int]] = {}
    for row in session.execute(query):
        positions.setdefault(int(row.batch_id), []).append(int(row.batch_row))
    result = []
    for batch_id, rows in positions.items():
        ipc = session.execute(sa.select(prediction_batches.c.ipc)
                              .where(prediction_batches.c.id == batch_id)).scalar_one()
        result.append((ipc, rows))
    return result


def window_predictions(session: Session, model_name: str, model_version: int, deployment: str,
                       start_us: int, end_us: int, first_seq: int | None, last_seq: int | None,
                       labelled_only: bool) -> list[Any]:
    """Predictions of one window (by sequence range or time range) joined with their outcomes."""
    join = predictions.outerjoin(outcomes, sa.and_(outcomes.c.request_id == predictions.c.request_id,
                                                   outcomes.c.row_index == predictions.c.row_index))
    query = (sa.select(predictions.c.predicted_label, predictions.c.predicted_value,
                       predictions.c.probabilities, predictions.c.status_code,
                       outcomes.c.class_label, outcomes.c.value, outcomes.c.request_id.label("outcome_id"))
             .select_from(join)
             .where(predictions.c.model_name == model_name, predictions.c.model_version == model_version))
    if first_seq is not None and last_seq is not None:
        query = query.where(predictions.c.seq >= first_seq, predictions.c.seq <= last_seq)
    else:
        query = query.where(predictions.c.prediction_us >= start_us, predictions.c.prediction_us < end_us)
    if deployment:
        query = query.where(predictions.c.deployment == deployment)
    if labelled_only:
        query = query.where(outcomes.c.request_id.is_not(None))
    return list(session.execute(query))


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
