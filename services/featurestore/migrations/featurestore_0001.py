"""Feature store tables: definitions, view versions, ingests, statistics and the SQL online store.

Revision ID: featurestore_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "featurestore_0001"
down_revision = None
branch_labels = ("featurestore",)
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fs_entities",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("owner_team", sa.String(256), nullable=False),
        sa.Column("definition", sa.LargeBinary, nullable=False),
        sa.Column("create_time", _TS, nullable=False),
        sa.Column("update_time", _TS, nullable=False),
        sa.Column("delete_time", _TS, nullable=True),
    )
    op.create_table(
        "fs_feature_views",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("owner_team", sa.String(256), nullable=False),
        sa.Column("update_time", _TS, nullable=False),
        sa.Column("delete_time", _TS, nullable=True),
        sa.Column("materialization_watermark", _TS, nullable=True),
    )
    op.create_table(
        "fs_feature_view_versions",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("definition", sa.LargeBinary, nullable=False),
        sa.Column("create_time", _TS, nullable=False),
    )
    op.create_table(
        "fs_feature_services",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("owner_team", sa.String(256), nullable=False),
        sa.Column("definition", sa.LargeBinary, nullable=False),
        sa.Column("create_time", _TS, nullable=False),
        sa.Column("update_time", _TS, nullable=False),
        sa.Column("delete_time", _TS, nullable=True),
    )
    op.create_table(
        "fs_ingests",
        sa.Column("ingest_id", sa.String(256), primary_key=True),
        sa.Column("feature_view", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("rows_written", sa.BigInteger, nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
        sa.Column("commit_time", _TS, nullable=False),
    )
    op.create_table(
        "fs_statistics",
        sa.Column("feature_view", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("update_time", _TS, nullable=False),
    )
    op.create_table(
        "fs_online_values",
        sa.Column("feature_view", sa.String(128), primary_key=True),
        sa.Column("entity_key", sa.LargeBinary, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_ts", sa.BigInteger, nullable=False),
        sa.Column("created_ts", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in ("fs_online_values", "fs_statistics", "fs_ingests", "fs_feature_services",
                  "fs_feature_view_versions", "fs_feature_views", "fs_entities"):
        op.drop_table(table)
