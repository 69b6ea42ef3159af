"""Tables every service has: the event outbox.

Revision ID: c0001_outbox
Revises:
Create Date: 2026-11-26
"""

from alembic import op

from services.common.events import create_outbox_table

revision = "c0001_outbox"
down_revision = None
branch_labels = ("common",)
depends_on = None


def upgrade() -> None:
    create_outbox_table(op)


def downgrade() -> None:
    op.drop_table("outbox_events")
