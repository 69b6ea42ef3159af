"""Tables every service has: the append-only audit log and the resources each record names.

Revision ID: c0002_audit
Revises: c0001_outbox
Create Date: 2026-11-27
"""

from alembic import op

from services.common.audit import create_audit_tables

revision = "c0002_audit"
down_revision = "c0001_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_tables(op)


def downgrade() -> None:
    op.drop_table("audit_resources")
    op.drop_table("audit_records")
