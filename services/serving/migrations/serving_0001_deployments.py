"""The serving service's tables: deployments.

Revision ID: serving_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "serving_0001"
down_revision = None
branch_labels = ("serving",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "serving_deployments",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("model_name", sa.String(255), nullable=False),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("owner_team", sa.String(255), nullable=False),
        sa.Column("etag", sa.String(64), nullable=False),
        sa.Column("create_time", sa.DateTime, nullable=False),
        sa.Column("update_time", sa.DateTime, nullable=False),
        # The stored Deployment message (output-only fields cleared); the columns above index it.
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("model_name", "alias", name="uq_serving_deployments_model_alias"),
    )


def downgrade() -> None:
    op.drop_table("serving_deployments")
