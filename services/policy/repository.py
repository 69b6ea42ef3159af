"""SQL storage of the policy service: policy versions, policy heads and the append-only decision log.

Decisions are stored as their serialized record plus the columns the listing filters on. The
``decisions`` and ``decision_policies`` tables refuse UPDATE and DELETE by database triggers, so the
log stays append-only even against code that tries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from services.common.db import FastInsert, RawTransaction

metadata = sa.MetaData()

policy_heads = sa.Table(
    "policy_heads", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("builtin", sa.Boolean, nullable=False),
    sa.Column("delete_time", sa.DateTime(timezone=True), nullable=True),
)

policy_versions = sa.Table(
    "policy_versions", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("format", sa.String(8), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("change_note", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(256), nullable=False),
    sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
)

decisions = sa.Table(
    "decisions", metadata,
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

decision_policies = sa.Table(
    "decision_policies", metadata,
    sa.Column("decision_id", sa.String(64), sa.ForeignKey("decisions.decision_id"), primary_key=True),
    sa.Column("policy_name", sa.String(64), primary_key=True),
    sa.Column("policy_version", sa.Integer, primary_key=True),
)


def utc(moment: datetime | None) -> datetime | None:
    """A timestamp read back from the database, as an aware UTC datetime (SQLite drops the zone)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class PolicyRow:
    """One stored policy version with its head's state."""

    name: str
    version: int
    format: str
    source: str
    source_sha256: str
    disabled: bool
    change_note: str
    created_by: str
    create_time: datetime
    builtin: bool
    latest_version: int
    delete_time: datetime | None


_VERSION_COLUMNS = (policy_versions.c.name, policy_versions.c.version, policy_versions.c.format,
                    policy_versions.c.source, policy_versions.c.source_sha256, policy_versions.c.disabled,
                    policy_versions.c.change_note, policy_versions.c.created_by, policy_versions.c.create_time,
                    policy_heads.c.builtin, policy_heads.c.latest_version, policy_heads.c.delete_time)


def _policy_row(row: Any) -> PolicyRow:
    values = dict(row._mapping)
    values["create_time"] = utc(values["create_time"])
    values["delete_time"] = utc(values["delete_time"])
    return PolicyRow(**values)


def _joined() -> sa.Select[Any]:
    return sa.select(*_VERSION_COLUMNS).select_from(
        policy_versions.join(policy_heads, policy_heads.c.name == policy_versions.c.name))


class PolicyRepository:
    """Queries on policy versions and heads, run inside the caller's session."""

    def head(self, session: Session, name: str, *, lock: bool = False) -> Any:
        """The head row of a policy (latest version, builtin, delete time), or None."""
        query = sa.select(policy_heads).where(policy_heads.c.name == name)
        if lock and session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return session.execute(query).first()

    def add_version(self, session: Session, *, name: str, version: int, format: str, source: str,
                    source_sha256: str, disabled: bool, change_note: str, created_by: str,
                    create_time: datetime, builtin: bool) -> None:
        """Store a new version and move the head to it (creating the head at version 1)."""
        if version == 1:
            session.execute(policy_heads.insert().values(name=name, latest_version=1, builtin=builtin,
                                                         delete_time=None))
        else:
            session.execute(policy_heads.update().where(policy_heads.c.name == name)
                            .values(latest_version=version))
        session.execute(policy_versions.insert().values(
            name=name, version=version, format=format, source=source, source_sha256=source_sha256,
            disabled=disabled, change_note=change_note, created_by=created_by, create_time=create_time))

    def mark_deleted(self, session: Session, name: str, moment: datetime) -> None:
        """Set a policy's delete time."""
        session.execute(policy_heads.update().where(policy_heads.c.name == name).values(delete_time=moment))

    def version(self, session: Session, name: str, version: int = 0) -> PolicyRow | None:
        """One version of a policy (0: the latest)."""
        query = _joined().where(policy_versions.c.name == name)
        query = query.where(policy_versions.c.version == (version or policy_heads.c.latest_version))
        row = session.execute(query).first()
        return _policy_row(row) if row else None

    def latest_after(self, session: Session, after_name: str | None, limit: int) -> list[PolicyRow]:
        """Latest versions of policies ordered by name, after ``after_name``."""
        query = _joined().where(policy_versions.c.version == policy_heads.c.latest_version)
        if after_name is not None:
            query = query.where(policy_versions.c.name > after_name)
        return [_policy_row(r) for r in session.execute(query.order_by(policy_versions.c.name).limit(limit))]

    def versions(self, session: Session, name: str, before_version: int | None, limit: int) -> list[PolicyRow]:
        """Versions of one policy, newest first, below ``before_version``."""
        query = _joined().where(policy_versions.c.name == name)
        if before_version is not None:
            query = query.where(policy_versions.c.version < before_version)
        query = query.order_by(policy_versions.c.version.desc()).limit(limit)
        return [_policy_row(r) for r in session.execute(query)]

    def active(self, session: Session) -> list[PolicyRow]:
        """The latest version of every policy that is neither deleted nor disabled."""
        query = _joined().where(policy_versions.c.version == policy_heads.c.latest_version,
                                policy_heads.c.delete_time.is_(None), policy_versions.c.disabled.is_(False))
        return [_policy_row(r) for r in session.execute(query.order_by(policy_versions.c.name))]

    def state_token(self, session: Session) -> tuple[Any, ...]:
        """A cheap fingerprint of every head, to know when cached active policies are stale."""
        row = session.execute(sa.select(sa.func.count(), sa.func.sum(policy_heads.c.latest_version),
                                        sa.func.count(policy_heads.c.delete_time)).select_from(policy_heads)).one()
        return tuple(row)


@dataclass(frozen=True)
class DecisionFilter:
    """Typed filters of a decision listing; empty values mean "any"."""

    kinds: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    model_name: str = ""
    model_version: int = 0
    training_job_id: str = ""
    deployment_name: str = ""
    principal: str = ""
    policy_name: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    ascending: bool = False


# Every evaluation appends here: compiled once per dialect, run on the driver's cursor.
_INSERT_DECISION = FastInsert(decisions)
_INSERT_DECISION_POLICY = FastInsert(decision_policies)


class DecisionRepository:
    """Append and read decisions; there is deliberately no update or delete."""

    def append(self, session: Session | Connection | RawTransaction, *, decision_id: str, kind: str, verdict: str,
               domain: str, owner_team: str, model_name: str, model_version: int, training_job_id: str,
               deployment_name: str, principal: str, create_time: datetime, record: bytes,
               policies: Iterable[tuple[str, int]]) -> None:
        """Insert one decision and the policy versions it evaluated."""
        connection = session.connection() if isinstance(session, Session) else session
        _INSERT_DECISION.run(connection, [{
            "decision_id": decision_id, "kind": kind, "verdict": verdict, "domain": domain, "owner_team": owner_team,
            "model_name": model_name, "model_version": model_version, "training_job_id": training_job_id,
            "deployment_name": deployment_name, "principal": principal, "create_time": create_time,
            "record": record}])
        rows = [{"decision_id": decision_id, "policy_name": n, "policy_version": v} for n, v in policies]
        if rows:
            _INSERT_DECISION_POLICY.run(connection, rows)

    def get(self, session: Session, decision_id: str) -> tuple[bytes, str] | None:
        """The record and verdict of one decision."""
        row = session.execute(sa.select(decisions.c.record, decisions.c.verdict)
                              .where(decisions.c.decision_id == decision_id)).first()
        return (bytes(row.record), row.verdict) if row else None

    def page(self, session: Session, where: DecisionFilter, after_seq: int | None,
             limit: int) -> list[tuple[int, bytes]]:
        """``(seq, record)`` of matching decisions in log order, after ``after_seq``."""
        conditions: list[Any] = []
        c = decisions.c
        if where.kinds:
            conditions.append(c.kind.in_(where.kinds))
        if where.verdicts:
            conditions.append(c.verdict.in_(where.verdicts))
        for column, value in ((c.model_name, where.model_name), (c.training_job_id, where.training_job_id),
                              (c.deployment_name, where.deployment_name), (c.principal, where.principal)):
            if value:
                conditions.append(column == value)
        if where.model_version:
            conditions.append(c.model_version == where.model_version)
        if where.policy_name:
            conditions.append(c.decision_id.in_(sa.select(decision_policies.c.decision_id)
                                                .where(decision_policies.c.policy_name == where.policy_name)))
        if where.start_time is not None:
            conditions.append(c.create_time >= where.start_time)
        if where.end_time is not None:
            conditions.append(c.create_time < where.end_time)
        if after_seq is not None:
            conditions.append(c.seq > after_seq if where.ascending else c.seq < after_seq)
        order = c.seq.asc() if where.ascending else c.seq.desc()
        query = sa.select(c.seq, c.record).where(*conditions).order_by(order).limit(limit)
        return [(int(row.seq), bytes(row.record)) for row in session.execute(query)]

