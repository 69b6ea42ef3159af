"""Storage of deployments in the serving service's own database (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.common.db import Database
from services.common.errors import AlreadyExists

_metadata = sa.MetaData()

DEPLOYMENTS = sa.Table(
    "serving_deployments", _metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("model_name", sa.String(255), nullable=False),
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("owner_team", sa.String(255), nullable=False),
    sa.Column("etag", sa.String(64), nullable=False),
    sa.Column("create_time", sa.DateTime, nullable=False),
    sa.Column("update_time", sa.DateTime, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
)


@dataclass(frozen=True)
class StoredDeployment:
    """One row: the serialized Deployment message and its indexed columns."""

    name: str
    model_name: str
    alias: str
    owner_team: str
    etag: str
    create_time: datetime
    update_time: datetime
    body: bytes


def _row(row: sa.Row) -> StoredDeployment:
    return StoredDeployment(row.name, row.model_name, row.alias, row.owner_team, row.etag,
                            row.create_time, row.update_time, bytes(row.body))


class DeploymentRepository:
    """Reads and writes deployment rows; every write is one transaction."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def commit_marker(self) -> int | None:
        """The database's commit marker (see Database.commit_marker): unchanged, nothing was written."""
        return self._db.commit_marker()

    def insert(self, stored: StoredDeployment) -> None:
        """Insert a new deployment; ALREADY_EXISTS when the name or (model, alias) is taken."""
        try:
            with self._db.write() as session:
                taken = session.execute(sa.select(DEPLOYMENTS.c.name).where(
                    (DEPLOYMENTS.c.name == stored.name)
                    | ((DEPLOYMENTS.c.model_name == stored.model_name) & (DEPLOYMENTS.c.alias == stored.alias))
                )).first()
                if taken is not None:
                    raise _taken(stored, taken.name)
                session.execute(sa.insert(DEPLOYMENTS).values(**stored.__dict__))
        except IntegrityError:
            raise _taken(stored, stored.name) from None

    def get(self, name: str) -> StoredDeployment | None:
        """The deployment called ``name``, or None."""
        with self._db.read() as session:
            row = session.execute(sa.select(DEPLOYMENTS).where(DEPLOYMENTS.c.name == name)).first()
        return _row(row) if row is not None else None

    def list(self, *, model_name: str = "", owner_team: str = "", order_column: str = "name",
             descending: bool = False, after: tuple | None = None, limit: int = 100) -> list[StoredDeployment]:
        """Deployments matching the filters, keyset-paged on (order column, name)."""
        column = DEPLOYMENTS.c[order_column]
        query = sa.select(DEPLOYMENTS)
        if model_name:
            query = query.where(DEPLOYMENTS.c.model_name == model_name)
        if owner_team:
            query = query.where(DEPLOYMENTS.c.owner_team == owner_team)
        if after is not None:
            key, name = after
            if order_column != "name":
                key = datetime.fromisoformat(key)
            cmp = sa.tuple_(column, DEPLOYMENTS.c.name)
            query = query.where(cmp < sa.tuple_(sa.literal(key), sa.literal(name)) if descending
                                else cmp > sa.tuple_(sa.literal(key), sa.literal(name)))
        order = (column.desc(), DEPLOYMENTS.c.name.desc()) if descending else (column, DEPLOYMENTS.c.name)
        with self._db.read() as session:
            rows = session.execute(query.order_by(*order).limit(limit)).all()
        return [_row(row) for row in rows]

    def all(self) -> Sequence[StoredDeployment]:
        """Every deployment (the replica's start-up and refresh)."""
        with self._db.read() as session:
            rows = session.execute(sa.select(DEPLOYMENTS).order_by(DEPLOYMENTS.c.name)).all()
        return [_row(row) for row in rows]

    def replace(self, stored: StoredDeployment, expected_etag: str) -> bool:
        """Overwrite the row if its etag is still ``expected_etag``; False when a concurrent change won."""
        with self._db.write() as session:
            result = session.execute(sa.update(DEPLOYMENTS).where(
                (DEPLOYMENTS.c.name == stored.name) & (DEPLOYMENTS.c.etag == expected_etag)
            ).values(alias=stored.alias, owner_team=stored.owner_team, etag=stored.etag,
                     update_time=stored.update_time, body=stored.body))
            return result.rowcount == 1

    def delete(self, name: str, expected_etag: str = "") -> bool:
        """Delete the row (only if its etag matches, when given); False when nothing was deleted."""
        with self._db.write() as session:
            condition = DEPLOYMENTS.c.name == name
            if expected_etag:
                condition = condition & (DEPLOYMENTS.c.etag == expected_etag)
            return session.execute(sa.delete(DEPLOYMENTS).where(condition)).rowcount == 1


def _taken(stored: StoredDeployment, holder: str) -> AlreadyExists:
    if holder == stored.name:
        return AlreadyExists(f"deployment {stored.name!r} already exists", reason="DEPLOYMENT_EXISTS",
                             metadata={"name": stored.name})
    return AlreadyExists(f"model {stored.model_name!r} alias {stored.alias!r} is already served by deployment "
                         f"{holder!r}", reason="DEPLOYMENT_ALIAS_TAKEN",
                         metadata={"model_name": stored.model_name, "alias": stored.alias, "deployment": holder})
