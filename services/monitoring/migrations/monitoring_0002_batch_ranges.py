"""Prediction logs: one key row per prediction, everything else in its batch.

Each logged prediction used to be a 14-column row under three B-trees (sequence, request key, model
and time). Now it is a key row (sequence number, request id, row index) under two, and the rest of
the row (prediction time, deployment, prediction, probabilities, status) travels in its batch's
Arrow IPC blob next to the inputs and outputs, found by ``sequence - seq_base``. A batch records the
sequence and prediction-time ranges of its stored rows: time-range reads find the overlapping
batches through a small index on the batches table, then their keys by sequence range.

Existing rows are moved: every batch's blob gains the payload columns of its rows.

Revision ID: monitoring_0002
Revises: monitoring_0001
Create Date: 2026-11-27
"""

import pyarrow as pa
import sqlalchemy as sa
from alembic import op

revision = "monitoring_0002"
down_revision = "monitoring_0001"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_RANGES = ("seq_base", "first_seq", "last_seq", "min_us", "max_us")


def _with_payload(ipc: bytes, rows: list) -> bytes:
    """The batch's blob with its rows' payload columns appended (row ``batch_row`` of the blob)."""
    table = pa.ipc.open_stream(pa.py_buffer(ipc)).read_all()
    slots: list = [None] * table.num_rows
    for row in rows:
        slots[int(row.batch_row)] = row

    def column(name: str, kind: pa.DataType) -> pa.Array:
        return pa.array([getattr(r, name) if r is not None else None for r in slots], kind)

    payload = {"__prediction_us": column("prediction_us", pa.int64()),
               "__deployment": column("deployment", pa.string()),
               "__predicted_label": column("predicted_label", pa.string()),
               "__predicted_value": column("predicted_value", pa.float64()),
               "__probabilities": column("probabilities", pa.string()),
               "__status_code": column("status_code", pa.int64())}
    for name, array in payload.items():
        table = table.append_column(name, array)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def upgrade() -> None:
    for name in _RANGES:
        op.add_column("mon_prediction_batches", sa.Column(name, sa.BigInteger, nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT seq, batch_id, batch_row, prediction_us, deployment, predicted_label, predicted_value, "
        "probabilities, status_code FROM mon_predictions ORDER BY batch_id, batch_row")).fetchall()
    by_batch: dict[int, list] = {}
    for row in rows:
        by_batch.setdefault(int(row.batch_id), []).append(row)
    for batch_id, members in by_batch.items():
        ipc = bind.execute(sa.text("SELECT ipc FROM mon_prediction_batches WHERE id = :id"), {"id": batch_id}).scalar()
        if ipc is None:
            continue
        seqs = [int(r.seq) for r in members]
        times = [int(r.prediction_us) for r in members]
        bind.execute(sa.text(
            "UPDATE mon_prediction_batches SET ipc = :ipc, seq_base = :base, first_seq = :first, last_seq = :last, "
            "min_us = :low, max_us = :high WHERE id = :id"),
            {"ipc": _with_payload(bytes(ipc), members), "base": seqs[0] - int(members[0].batch_row),
             "first": min(seqs), "last": max(seqs), "low": min(times), "high": max(times), "id": batch_id})
    op.execute("DELETE FROM mon_prediction_batches WHERE first_seq IS NULL")
    op.create_table(
        "mon_prediction_keys",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=False),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("row_index", sa.Integer, nullable=False),
        sa.UniqueConstraint("request_id", "row_index", name="uq_mon_prediction_keys"),
    )
    op.execute("INSERT INTO mon_prediction_keys (seq, request_id, row_index) "
               "SELECT seq, request_id, row_index FROM mon_predictions")
    op.drop_index("ix_mon_predictions_model_time", table_name="mon_predictions")
    op.drop_table("mon_predictions")
    op.create_index("ix_mon_prediction_batches_model_time", "mon_prediction_batches",
                    ["model_name", "model_version", "min_us"])
    op.create_index("ix_mon_prediction_batches_model_seq", "mon_prediction_batches",
                    ["model_name", "model_version", "last_seq"])


def downgrade() -> None:
    raise NotImplementedError("monitoring_0002 moves prediction rows into their batches; restore a backup instead")

