"""Monitoring tables: references, prediction logs, outcomes, monitors, windows, rules, alerts, sinks.

Revision ID: monitoring_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "monitoring_0001"
down_revision = None
branch_labels = ("monitoring",)
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "mon_references",
        sa.Column("model_name", sa.String(200), primary_key=True),
        sa.Column("model_version", sa.Integer, primary_key=True),
        sa.Column("source", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("exact_values", sa.LargeBinary, nullable=True),
        sa.Column("create_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mon_prediction_batches",
        sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("received_us", sa.BigInteger, nullable=False),
        sa.Column("ipc", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "mon_predictions",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("row_index", sa.Integer, nullable=False),
        sa.Column("batch_id", sa.BigInteger, nullable=False),
        sa.Column("batch_row", sa.Integer, nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("deployment", sa.String(200), nullable=False),
        sa.Column("prediction_us", sa.BigInteger, nullable=False),
        sa.Column("predicted_label", sa.String(200), nullable=True),
        sa.Column("predicted_value", sa.Float, nullable=True),
        sa.Column("probabilities", sa.Text, nullable=True),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("schema_error", sa.Boolean, nullable=False),
        sa.UniqueConstraint("request_id", "row_index", name="uq_mon_predictions_key"),
    )
    op.create_index("ix_mon_predictions_model_time", "mon_predictions",
                    ["model_name", "model_version", "prediction_us"])
    op.create_table(
        "mon_outcomes",
        sa.Column("request_id", sa.String(200), primary_key=True),
        sa.Column("row_index", sa.Integer, primary_key=True),
        sa.Column("class_label", sa.String(200), nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("outcome_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mon_monitors",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("model_name", sa.String(200), nullable=False, index=True),
        sa.Column("deployment", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("create_us", sa.BigInteger, nullable=False),
        sa.Column("update_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mon_windows",
        sa.Column("monitor", sa.String(63), primary_key=True),
        sa.Column("window_index", sa.BigInteger, primary_key=True),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("start_us", sa.BigInteger, nullable=False),
        sa.Column("end_us", sa.BigInteger, nullable=False),
        sa.Column("first_seq", sa.BigInteger, nullable=True),
        sa.Column("last_seq", sa.BigInteger, nullable=True),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("summary", sa.LargeBinary, nullable=False),
        sa.Column("update_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mon_alert_rules",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("monitor", sa.String(63), nullable=False, index=True),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("metric_kind", sa.Integer, nullable=False),
        sa.Column("severity", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("create_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mon_alerts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("dedup_key", sa.String(600), nullable=False),
        sa.Column("open_dedup_key", sa.String(600), nullable=True, unique=True),
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
    op.create_index("ix_mon_alerts_create", "mon_alerts", ["create_us", "name"])
    op.create_table(
        "mon_webhook_sinks",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("create_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mon_deliveries",
        sa.Column("sink", sa.String(63), primary_key=True),
        sa.Column("event_revision", sa.BigInteger, primary_key=True),
        sa.Column("alert", sa.String(64), nullable=False),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_us", sa.BigInteger, nullable=False),
        sa.Column("last_attempt_us", sa.BigInteger, nullable=True),
        sa.Column("last_error", sa.Text, nullable=False),
    )
    op.create_table(
        "mon_cursors",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("mon_cursors", "mon_deliveries", "mon_webhook_sinks", "mon_alerts", "mon_alert_rules",
                  "mon_windows", "mon_monitors", "mon_outcomes", "mon_predictions", "mon_prediction_batches",
                  "mon_references"):
        op.drop_table(table)
