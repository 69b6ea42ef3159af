"""Policy service tables: policy versions and heads, the append-only decision log.

Revision ID: policy_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "policy_0001"
down_revision = None
branch_labels = ("policy",)
depends_on = None

_APPEND_ONLY = ("decisions", "decision_policies")


def upgrade() -> None:
    op.create_table(
        "policy_heads",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("builtin", sa.Boolean, nullable=False),
        sa.Column("delete_time", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "policy_versions",
        sa.Column("name", sa.String(64), sa.ForeignKey("policy_heads.name"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("change_note", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("domain", sa.String(128), nullable=False),
        sa.Column("owner_team", sa.String(128), nullable=False),
        sa.Column("model_name", sa.String(256), nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("training_job_id", sa.String(256), nullable=False),
        sa.Column("deployment_name", sa.String(256), nullable=False),
        sa.Column("principal", sa.String(256), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", sa.LargeBinary, nullable=False),
    )
    # Kind and verdict have a handful of values each: an index would cost every append and rarely help.
    for column in ("model_name", "training_job_id", "deployment_name", "principal", "create_time"):
        op.create_index(f"ix_decisions_{column}", "decisions", [column])
    op.create_table(
        "decision_policies",
        sa.Column("decision_id", sa.String(64), sa.ForeignKey("decisions.decision_id"), primary_key=True),
        sa.Column("policy_name", sa.String(64), primary_key=True),
        sa.Column("policy_version", sa.Integer, primary_key=True),
    )
    op.create_index("ix_decision_policies_policy_name", "decision_policies", ["policy_name"])
    # The decision log is append-only: the database itself refuses to change or remove a row.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION sextant_policy_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'the decision log is append-only'; END; $$ LANGUAGE plpgsql")
        for table in _APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION sextant_policy_append_only()")
    else:
        for table in _APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END")


def downgrade() -> None:
    op.drop_table("decision_policies")
    op.drop_table("decisions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS sextant_policy_append_only()")
    op.drop_table("policy_versions")
    op.drop_table("policy_heads")
