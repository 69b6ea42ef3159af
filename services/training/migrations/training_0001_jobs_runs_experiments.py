"""The training service's tables: experiments, training jobs and their runs (trials).

Revision ID: training_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "training_0001"
down_revision = None
branch_labels = ("training",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_experiments",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("owner_team", sa.String(255), nullable=False),
        sa.Column("create_time", sa.DateTime, nullable=False),
        sa.Column("update_time", sa.DateTime, nullable=False),
        sa.Column("experiment", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "training_jobs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("experiment", sa.String(63), nullable=False),
        sa.Column("model_name", sa.String(63), nullable=False),
        sa.Column("owner_team", sa.String(255), nullable=False),
        sa.Column("principal", sa.String(255), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("create_time", sa.DateTime, nullable=False),
        sa.Column("update_time", sa.DateTime, nullable=False),
        sa.Column("end_time", sa.DateTime, nullable=True),
        sa.Column("attempt_count", sa.Integer, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("spec_digest", sa.String(64), nullable=False),
        sa.Column("job", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_training_jobs_state", "training_jobs", ["state"])
    op.create_index("ix_training_jobs_create_time", "training_jobs", ["create_time", "name"])
    op.create_index("ix_training_jobs_idempotency", "training_jobs", ["principal", "idempotency_key"])
    op.create_table(
        "training_runs",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("job_id", sa.String(64), sa.ForeignKey("training_jobs.name", ondelete="CASCADE"), nullable=False),
        sa.Column("experiment", sa.String(63), nullable=False),
        sa.Column("trial_index", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_time", sa.DateTime, nullable=False),
        sa.Column("run", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_training_runs_job", "training_runs", ["job_id", "trial_index"])
    op.create_index("ix_training_runs_experiment", "training_runs", ["experiment"])


def downgrade() -> None:
    op.drop_table("training_runs")
    op.drop_table("training_jobs")
    op.drop_table("training_experiments")
