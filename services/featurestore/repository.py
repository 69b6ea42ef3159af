"""SQLAlchemy access to the feature store's tables (the schema is owned by the Alembic migrations).

Definitions are stored as their serialized protobuf messages next to the columns that lists filter
on, so a stored definition reads back exactly as it was applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

metadata = sa.MetaData()
_TS = sa.DateTime(timezone=True)

entities = sa.Table(
    "fs_entities", metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("owner_team", sa.String(256)),
    sa.Column("definition", sa.LargeBinary),
    sa.Column("create_time", _TS),
    sa.Column("update_time", _TS),
    sa.Column("delete_time", _TS),
)
feature_views = sa.Table(
    "fs_feature_views", metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("latest_version", sa.Integer),
    sa.Column("owner_team", sa.String(256)),
    sa.Column("update_time", _TS),
    sa.Column("delete_time", _TS),
    sa.Column("materialization_watermark", _TS),
)
view_versions = sa.Table(
    "fs_feature_view_versions", metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("fingerprint", sa.String(64)),
    sa.Column("definition", sa.LargeBinary),
    sa.Column("create_time", _TS),
)
feature_services = sa.Table(
    "fs_feature_services", metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("owner_team", sa.String(256)),
    sa.Column("definition", sa.LargeBinary),
    sa.Column("create_time", _TS),
    sa.Column("update_time", _TS),
    sa.Column("delete_time", _TS),
)
ingests = sa.Table(
    "fs_ingests", metadata,
    sa.Column("ingest_id", sa.String(256), primary_key=True),
    sa.Column("feature_view", sa.String(128)),
    sa.Column("version", sa.Integer),
    sa.Column("file_name", sa.String(512)),
    sa.Column("rows_written", sa.BigInteger),
    sa.Column("response", sa.LargeBinary),
    sa.Column("commit_time", _TS),
)
statistics = sa.Table(
    "fs_statistics", metadata,
    sa.Column("feature_view", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("state", sa.LargeBinary),
    sa.Column("update_time", _TS),
)
online_values = sa.Table(
    "fs_online_values", metadata,
    sa.Column("feature_view", sa.String(128), primary_key=True),
    sa.Column("entity_key", sa.LargeBinary, primary_key=True),
    sa.Column("version", sa.Integer),
    sa.Column("event_ts", sa.BigInteger),
    sa.Column("created_ts", sa.BigInteger),
    sa.Column("payload", sa.LargeBinary),
)


def utc(value: datetime | None) -> datetime | None:
    """A datetime read back from the database, made timezone-aware (SQLite drops the zone)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ViewRow:
    """A feature view's head row: its latest version and lifecycle."""

    name: str
    latest_version: int
    owner_team: str
    update_time: datetime
    delete_time: datetime | None
    materialization_watermark: datetime | None


def _view_row(row: sa.Row) -> ViewRow:
    return ViewRow(row.name, row.latest_version, row.owner_team, utc(row.update_time),
                   utc(row.delete_time), utc(row.materialization_watermark))


def load_entities(session: Session) -> dict[str, tuple[bytes, datetime | None]]:
    """Every entity (deleted ones too): name -> (definition bytes, delete time)."""
    return {r.name: (r.definition, utc(r.delete_time)) for r in session.execute(sa.select(entities))}


def load_view_heads(session: Session) -> dict[str, ViewRow]:
    """Every feature view's head row, by name."""
    return {r.name: _view_row(r) for r in session.execute(sa.select(feature_views))}


def load_view_versions(session: Session) -> dict[tuple[str, int], tuple[str, bytes]]:
    """Every stored view version: (name, version) -> (fingerprint, definition bytes)."""
    return {(r.name, r.version): (r.fingerprint, r.definition) for r in session.execute(sa.select(view_versions))}


def load_services(session: Session) -> dict[str, tuple[bytes, datetime | None]]:
    """Every feature service (deleted ones too): name -> (definition bytes, delete time)."""
    return {r.name: (r.definition, utc(r.delete_time)) for r in session.execute(sa.select(feature_services))}


def upsert_entity(session: Session, name: str, owner_team: str, definition: bytes, now: datetime,
                  exists: bool) -> None:
    """Create or replace an entity row."""
    if exists:
        session.execute(entities.update().where(entities.c.name == name).values(
            owner_team=owner_team, definition=definition, update_time=now, delete_time=None))
    else:
        session.execute(entities.insert().values(name=name, owner_team=owner_team, definition=definition,
                                                 create_time=now, update_time=now))


def upsert_service(session: Session, name: str, owner_team: str, definition: bytes, now: datetime,
                   exists: bool) -> None:
    """Create or replace a feature service row."""
    if exists:
        session.execute(feature_services.update().where(feature_services.c.name == name).values(
            owner_team=owner_team, definition=definition, update_time=now, delete_time=None))
    else:
        session.execute(feature_services.insert().values(
            name=name, owner_team=owner_team, definition=definition, create_time=now, update_time=now))


def insert_view_version(session: Session, name: str, version: int, fingerprint: str, definition: bytes,
                        owner_team: str, now: datetime, head_exists: bool) -> None:
    """Store a new view version and move the view's head to it."""
    session.execute(view_versions.insert().values(name=name, version=version, fingerprint=fingerprint,
                                                  definition=definition, create_time=now))
    if head_exists:
        session.execute(feature_views.update().where(feature_views.c.name == name).values(
            latest_version=version, owner_team=owner_team, update_time=now, delete_time=None))
    else:
        session.execute(feature_views.insert().values(name=name, latest_version=version,
                                                      owner_team=owner_team, update_time=now))


def replace_view_version(session: Session, name: str, version: int, definition: bytes, owner_team: str,
                         now: datetime) -> None:
    """Rewrite a version's metadata in place (description, owner team)."""
    session.execute(view_versions.update().where(
        (view_versions.c.name == name) & (view_versions.c.version == version)).values(definition=definition))
    session.execute(feature_views.update().where(feature_views.c.name == name).values(
        owner_team=owner_team, update_time=now))


def find_ingest(session: Session, ingest_id: str) -> bytes | None:
    """The stored response of an earlier ingest with this id, if any."""
    return session.execute(sa.select(ingests.c.response).where(ingests.c.ingest_id == ingest_id)).scalar()


def record_ingest(session: Session, ingest_id: str, view: str, version: int, file_name: str, rows: int,
                  response: bytes, now: datetime) -> None:
    """Record a committed ingest (its id makes a retry idempotent)."""
    session.execute(ingests.insert().values(ingest_id=ingest_id, feature_view=view, version=version,
                                            file_name=file_name, rows_written=rows, response=response,
                                            commit_time=now))


def ingested_files(session: Session, view: str, up_to_version: int) -> list[str]:
    """The committed offline files of a view's versions up to ``up_to_version``, oldest first."""
    query = (sa.select(ingests.c.file_name)
             .where((ingests.c.feature_view == view) & (ingests.c.version <= up_to_version))
             .order_by(ingests.c.commit_time, ingests.c.ingest_id))
    return [r.file_name for r in session.execute(query)]


def load_statistics(session: Session, view: str, version: int) -> bytes | None:
    """The accumulated statistics state of a view version."""
    return session.execute(sa.select(statistics.c.state).where(
        (statistics.c.feature_view == view) & (statistics.c.version == version))).scalar()


def save_statistics(session: Session, view: str, version: int, state: bytes, now: datetime,
                    exists: bool) -> None:
    """Store the statistics state of a view version."""
    if exists:
        session.execute(statistics.update().where(
            (statistics.c.feature_view == view) & (statistics.c.version == version)).values(
            state=state, update_time=now))
    else:
        session.execute(statistics.insert().values(feature_view=view, version=version, state=state,
                                                   update_time=now))


def set_watermark(session: Session, view: str, watermark: datetime) -> None:
    """Advance a view's materialization watermark."""
    session.execute(feature_views.update().where(feature_views.c.name == view).values(
        materialization_watermark=watermark))


def mark_entity_deleted(session: Session, name: str, definition: bytes, now: datetime) -> None:
    """Record an entity's deletion (its row stays, with the definition as deleted)."""
    session.execute(entities.update().where(entities.c.name == name).values(
        definition=definition, delete_time=now, update_time=now))


def mark_service_deleted(session: Session, name: str, definition: bytes, now: datetime) -> None:
    """Record a feature service's deletion."""
    session.execute(feature_services.update().where(feature_services.c.name == name).values(
        definition=definition, delete_time=now, update_time=now))


def mark_view_deleted(session: Session, name: str, now: datetime) -> None:
    """Record a feature view's deletion; its versions stay readable."""
    session.execute(feature_views.update().where(feature_views.c.name == name).values(
        delete_time=now, update_time=now, materialization_watermark=None))
