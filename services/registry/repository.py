"""The registry's storage: SQLAlchemy Core tables and the queries the domain objects run.

Every method takes the caller's session, so a domain operation composes several of them into one
transaction together with its outbox event. The tables mirror the Alembic migration
``registry_0001``; tags and metrics are kept twice, as JSON on the version row (one read answers a
Get) and in side tables (what searches filter and order on).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.common.errors import InvalidArgument
from services.common.events import outbox_events
from services.registry.records import (
    Alias,
    AliasChange,
    Approval,
    ModelVersion,
    NewModelVersion,
    RegisteredModel,
    Signature,
    StaleReason,
    TensorSpec,
)

metadata = sa.MetaData()

models_t = sa.Table(
    "registered_models", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(63), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("owner_team", sa.String(255), nullable=False),
    sa.Column("domain", sa.String(255), nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("creator", sa.String(255), nullable=False),
    sa.Column("create_time", sa.DateTime, nullable=False),
    sa.Column("update_time", sa.DateTime, nullable=False),
    sa.Column("latest_version", sa.Integer, nullable=False),
)
model_tags_t = sa.Table(
    "registered_model_tags", metadata,
    sa.Column("model_id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(63), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
versions_t = sa.Table(
    "model_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("model_id", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_message", sa.Text, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("task", sa.String(32), nullable=False),
    sa.Column("signature", sa.Text, nullable=False),
    sa.Column("metrics", sa.Text, nullable=False),
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("artifact_sha256", sa.String(64), nullable=False),
    sa.Column("artifact_size", sa.BigInteger, nullable=False),
    sa.Column("creator", sa.String(255), nullable=False),
    sa.Column("create_time", sa.DateTime, nullable=False),
    sa.Column("update_time", sa.DateTime, nullable=False),
    sa.Column("ready_time", sa.DateTime, nullable=True),
    sa.Column("training_job_id", sa.String(255), nullable=False),
    sa.Column("lineage", sa.LargeBinary, nullable=False),
    sa.Column("stale", sa.Boolean, nullable=False),
    sa.Column("stale_reasons", sa.Text, nullable=False),
    sa.Column("approvals", sa.Text, nullable=False),
)
version_tags_t = sa.Table(
    "model_version_tags", metadata,
    sa.Column("version_id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(63), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
version_metrics_t = sa.Table(
    "model_version_metrics", metadata,
    sa.Column("version_id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)
version_features_t = sa.Table(
    "model_version_features", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, nullable=False),
    sa.Column("feature_view", sa.String(255), nullable=False),
    sa.Column("view_version", sa.Integer, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
)
aliases_t = sa.Table(
    "aliases", metadata,
    sa.Column("model_id", sa.Integer, primary_key=True),
    sa.Column("alias", sa.String(63), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("update_time", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
    sa.Column("decision_id", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)
history_t = sa.Table(
    "alias_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("model_name", sa.String(63), nullable=False),
    sa.Column("alias", sa.String(63), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("from_version", sa.Integer, nullable=False),
    sa.Column("to_version", sa.Integer, nullable=False),
    sa.Column("principal", sa.String(255), nullable=False),
    sa.Column("change_time", sa.DateTime, nullable=False),
    sa.Column("decision_id", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("revision", sa.BigInteger, nullable=False),
    sa.Column("request_id", sa.String(255), nullable=False),
)
cursors_t = sa.Table(
    "follower_cursors", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("revision", sa.BigInteger, nullable=False),
)


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def signature_to_json(signature: Signature) -> str:
    """The signature as stored."""
    return _dump({"inputs": [[t.name, t.dtype, list(t.shape), t.feature] for t in signature.inputs],
                  "outputs": [[t.name, t.dtype, list(t.shape), t.feature] for t in signature.outputs],
                  "class_labels": list(signature.class_labels)})


@functools.lru_cache(maxsize=4096)
def signature_from_json(text: str) -> Signature:
    """The stored signature (cached: versions of a model usually share one, and records are frozen)."""
    raw = json.loads(text)
    return Signature(tuple(_tensor(*spec) for spec in raw["inputs"]),
                     tuple(_tensor(*spec) for spec in raw["outputs"]),
                     tuple(raw["class_labels"]))


def _tensor(name: str, dtype: str, shape: list[int], feature: list[Any] | None) -> TensorSpec:
    return TensorSpec(name, dtype, tuple(shape), tuple(feature) if feature else None)  # type: ignore[arg-type]


def reasons_to_json(reasons: Iterable[StaleReason]) -> str:
    """Stale reasons as stored."""
    return _dump([{**r.__dict__, "mark_time": r.mark_time.isoformat()} for r in reasons])


def reasons_from_json(text: str) -> tuple[StaleReason, ...]:
    """The stored stale reasons."""
    if text == "[]":
        return ()
    return tuple(StaleReason(**{**raw, "mark_time": datetime.fromisoformat(raw["mark_time"])})
                 for raw in json.loads(text))


# The aliases pointing at a version, folded into the version's row (group_concat / string_agg), so a
# read of versions needs no second query.
_ALIAS_NAMES = (sa.select(sa.func.aggregate_strings(aliases_t.c.alias, ","))
                .where(aliases_t.c.model_id == versions_t.c.model_id, aliases_t.c.version == versions_t.c.version)
                .correlate(versions_t).scalar_subquery().label("alias_names"))
_VERSION_COLUMNS = (versions_t, models_t.c.name.label("model_name"), models_t.c.owner_team.label("owner_team"),
                    models_t.c.domain.label("model_domain"), _ALIAS_NAMES)


def alias_names_column() -> Any:
    """The comma-joined names of the aliases pointing at a version, as a correlated column."""
    return _ALIAS_NAMES


def version_select() -> sa.Select:
    """Version rows joined with their model's name, owner team and domain."""
    return sa.select(*_VERSION_COLUMNS).select_from(
        versions_t.join(models_t, models_t.c.id == versions_t.c.model_id))


def approvals_to_json(approvals: Iterable[Approval]) -> str:
    """Approvals as stored."""
    return _dump([{**a.__dict__, "roles": list(a.roles), "approve_time": a.approve_time.isoformat()}
                  for a in approvals])


def approvals_from_json(text: str) -> tuple[Approval, ...]:
    """The stored approvals."""
    if text == "[]":
        return ()
    return tuple(Approval(**{**raw, "roles": tuple(raw["roles"]),
                             "approve_time": datetime.fromisoformat(raw["approve_time"])})
                 for raw in json.loads(text))


def _version_from_row(row: Any) -> ModelVersion:
    aliases = sorted(row.alias_names.split(",")) if row.alias_names else ()
    return ModelVersion(
        model_name=row.model_name, version=row.version, description=row.description, status=row.status,
        status_message=row.status_message, format=row.format, task=row.task,
        signature=signature_from_json(row.signature), metrics=json.loads(row.metrics),
        params=json.loads(row.params), tags=json.loads(row.tags), artifact_sha256=row.artifact_sha256,
        artifact_size=row.artifact_size, creator=row.creator, create_time=row.create_time,
        update_time=row.update_time, ready_time=row.ready_time, lineage=row.lineage,
        training_job_id=row.training_job_id, stale_reasons=reasons_from_json(row.stale_reasons),
        aliases=tuple(aliases), approvals=approvals_from_json(row.approvals), row_id=row.id, owner_team=row.owner_team, domain=row.model_domain)


# The hot path of serving and monitoring (resolve an alias), built once.
_BY_ALIAS = (version_select()
             .add_columns(sa.select(sa.func.max(outbox_events.c.revision)).scalar_subquery().label("revision"))
             .join(aliases_t, sa.and_(aliases_t.c.model_id == versions_t.c.model_id,
                                      aliases_t.c.version == versions_t.c.version))
             .where(models_t.c.name == sa.bindparam("model_name"), aliases_t.c.alias == sa.bindparam("alias")))


class RegistryRepository:
    """Queries over the registry's tables; every method runs in the caller's session."""

    def __init__(self, dialect: str) -> None:
        self._postgres = dialect == "postgresql"

    # -- registered models -------------------------------------------------------------------

    def insert_model(self, session: Session, model: RegisteredModel) -> int:
        """Insert a model (the caller checked the name is free); returns its row id."""
        model_id = session.execute(models_t.insert().values(
            name=model.name, description=model.description, owner_team=model.owner_team,
            domain=model.domain, tags=_dump(model.tags), creator=model.creator,
            create_time=model.create_time, update_time=model.update_time, latest_version=0,
        ).returning(models_t.c.id)).scalar_one()
        self._replace_tags(session, model_tags_t, "model_id", model_id, model.tags)
        return model_id

    def model_row(self, session: Session, name: str, *, lock: bool = False) -> Any | None:
        """The model's row, optionally locked for the rest of the transaction (PostgreSQL)."""
        query = sa.select(models_t).where(models_t.c.name == name)
        if lock and self._postgres:
            query = query.with_for_update()
        return session.execute(query).first()

    def model_from_row(self, session: Session, row: Any) -> RegisteredModel:
        """A model record with its aliases."""
        aliases = dict(session.execute(sa.select(aliases_t.c.alias, aliases_t.c.version)
                                       .where(aliases_t.c.model_id == row.id)).all())
        return RegisteredModel(name=row.name, description=row.description, owner_team=row.owner_team,
                               domain=row.domain, tags=json.loads(row.tags), creator=row.creator,
                               create_time=row.create_time, update_time=row.update_time,
                               latest_version=row.latest_version, aliases=aliases)

    def list_models(self, session: Session, *, owner_team: str, domain: str, tags: Sequence[tuple[str, str]],
                    name_prefix: str, order: Sequence[tuple[str, bool]], after: tuple[Any, ...] | None,
                    limit: int) -> list[Any]:
        """Model rows matching the filters, ordered by ``order`` then name, after a keyset position."""
        query = sa.select(models_t)
        if owner_team:
            query = query.where(models_t.c.owner_team == owner_team)
        if domain:
            query = query.where(models_t.c.domain == domain)
        if name_prefix:
            query = query.where(models_t.c.name.startswith(name_prefix, autoescape=True))
        for key, value in tags:
            query = query.where(_tag_exists(model_tags_t, "model_id", models_t.c.id, key, value))
        keys = [(models_t.c[column], desc) for column, desc in order]
        if "name" not in {column for column, _ in order}:
            keys.append((models_t.c.name, False))
        if after is not None:
            query = query.where(keyset_after(keys, after))
        query = query.order_by(*[col.desc() if desc else col.asc() for col, desc in keys]).limit(limit + 1)
        return list(session.execute(query).all())

    def update_model(self, session: Session, model_id: int, values: dict[str, Any]) -> None:
        """Change a model's columns; a ``tags`` value replaces the whole map."""
        tags = values.pop("tags", None)
        if tags is not None:
            values["tags"] = _dump(tags)
            self._replace_tags(session, model_tags_t, "model_id", model_id, tags)
        session.execute(models_t.update().where(models_t.c.id == model_id).values(**values))

    def delete_model(self, session: Session, model_id: int) -> list[str]:
        """Delete a model with its versions and side rows; returns the artifact digests it referenced."""
        version_ids = sa.select(versions_t.c.id).where(versions_t.c.model_id == model_id)
        digests = [r[0] for r in session.execute(sa.select(versions_t.c.artifact_sha256)
                                                 .where(versions_t.c.model_id == model_id)).all()]
        for table in (version_tags_t, version_metrics_t, version_features_t):
            session.execute(table.delete().where(table.c.version_id.in_(version_ids)))
        session.execute(versions_t.delete().where(versions_t.c.model_id == model_id))
        session.execute(aliases_t.delete().where(aliases_t.c.model_id == model_id))
        session.execute(model_tags_t.delete().where(model_tags_t.c.model_id == model_id))
        session.execute(models_t.delete().where(models_t.c.id == model_id))
        return digests

    def artifact_referenced(self, session: Session, sha256: str) -> bool:
        """Whether any version that is not FAILED still references the digest."""
        return session.execute(sa.select(versions_t.c.id).where(
            versions_t.c.artifact_sha256 == sha256, versions_t.c.status != "FAILED").limit(1)).first() is not None

    def validating_versions(self, session: Session) -> list[tuple[int, int]]:
        """(model row id, version number) of every VALIDATING version, oldest first."""
        rows = session.execute(sa.select(versions_t.c.model_id, versions_t.c.version)
                               .where(versions_t.c.status == "VALIDATING").order_by(versions_t.c.id)).all()
        return [(row.model_id, row.version) for row in rows]

    # -- model versions ----------------------------------------------------------------------

    def version_by_sha(self, session: Session, model_id: int, sha256: str) -> Any | None:
        """The model's version (not FAILED) holding this artifact digest."""
        return session.execute(version_select().where(
            versions_t.c.model_id == model_id, versions_t.c.artifact_sha256 == sha256,
            versions_t.c.status != "FAILED").order_by(versions_t.c.version).limit(1)).first()

    def next_version_number(self, session: Session, model_id: int, now: datetime) -> int:
        """Bump and return the model's latest version number (the row stays locked on PostgreSQL)."""
        return session.execute(models_t.update().where(models_t.c.id == model_id)
                               .values(latest_version=models_t.c.latest_version + 1, update_time=now)
                               .returning(models_t.c.latest_version)).scalar_one()

    def insert_version(self, session: Session, model_id: int, number: int, new: NewModelVersion,
                       creator: str, now: datetime) -> int:
        """Insert a PENDING version with its side rows; returns its row id."""
        version_id = session.execute(versions_t.insert().values(
            model_id=model_id, version=number, description=new.description, status="PENDING",
            status_message="", format=new.format, task=new.task, signature=signature_to_json(new.signature),
            metrics=_dump(new.metrics), params=_dump(new.params), tags=_dump(new.tags),
            artifact_sha256=new.artifact_sha256, artifact_size=new.artifact_size, creator=creator,
            create_time=now, update_time=now, ready_time=None, training_job_id=new.training_job_id,
            lineage=new.lineage, stale=False, stale_reasons="[]", approvals="[]",
        ).returning(versions_t.c.id)).scalar_one()
        self._replace_tags(session, version_tags_t, "version_id", version_id, new.tags)
        if new.metrics:
            session.execute(version_metrics_t.insert(), [
                {"version_id": version_id, "name": k, "value": float(v)} for k, v in new.metrics.items()])
        if new.features:
            session.execute(version_features_t.insert(), [
                {"version_id": version_id, "feature_view": f.feature_view, "view_version": f.view_version,
                 "fingerprint": f.fingerprint} for f in new.features])
        return version_id

    def version_row(self, session: Session, model_id: int, number: int) -> Any | None:
        """One version's row by number."""
        return session.execute(version_select().where(versions_t.c.model_id == model_id,
                                                      versions_t.c.version == number)).first()

    def version_row_by_alias(self, session: Session, model_name: str, alias: str) -> Any | None:
        """The row of the version an alias points at, and the latest event revision, in one query."""
        return session.execute(_BY_ALIAS, {"model_name": model_name, "alias": alias}).first()

    def latest_ready_row(self, session: Session, model_id: int) -> Any | None:
        """The highest-numbered READY version's row."""
        return session.execute(version_select().where(versions_t.c.model_id == model_id,
                                                      versions_t.c.status == "READY")
                               .order_by(versions_t.c.version.desc()).limit(1)).first()

    @staticmethod
    def versions_from_rows(_session: Session, rows: Sequence[Any]) -> list[ModelVersion]:
        """Version records for rows of :func:`version_select` (which carry their aliases)."""
        return [_version_from_row(r) for r in rows]

    def set_status(self, session: Session, version_id: int, *, expected: str, status: str, message: str,
                   now: datetime) -> bool:
        """Compare-and-set a version's status; False when it no longer had ``expected``."""
        values: dict[str, Any] = {"status": status, "status_message": message, "update_time": now}
        if status == "READY":
            values["ready_time"] = now
        result = session.execute(versions_t.update().where(versions_t.c.id == version_id,
                                                           versions_t.c.status == expected).values(**values))
        return result.rowcount == 1

    def update_version(self, session: Session, version_id: int, values: dict[str, Any]) -> None:
        """Change a version's description, tags (whole map), update time."""
        tags = values.pop("tags", None)
        if tags is not None:
            values["tags"] = _dump(tags)
            self._replace_tags(session, version_tags_t, "version_id", version_id, tags)
        session.execute(versions_t.update().where(versions_t.c.id == version_id).values(**values))

    def set_stale_reasons(self, session: Session, version_id: int, reasons: Sequence[StaleReason],
                          now: datetime) -> None:
        """Replace a version's stale reasons (an empty list clears the stale flag)."""
        session.execute(versions_t.update().where(versions_t.c.id == version_id).values(
            stale=bool(reasons), stale_reasons=reasons_to_json(reasons), update_time=now))

    def set_approvals(self, session: Session, version_id: int, approvals: Sequence[Approval], now: datetime) -> None:
        """Replace a version's approvals."""
        session.execute(versions_t.update().where(versions_t.c.id == version_id).values(
            approvals=approvals_to_json(approvals), update_time=now))

    def versions_using_view(self, session: Session, feature_view: str, *, lock: bool = False) -> list[Any]:
        """Version rows whose lineage reads the view, with the view version and fingerprint they used."""
        query = (sa.select(*_VERSION_COLUMNS, version_features_t.c.view_version.label("used_view_version"),
                           version_features_t.c.fingerprint.label("used_fingerprint"))
                 .select_from(versions_t.join(models_t, models_t.c.id == versions_t.c.model_id)
                              .join(version_features_t, version_features_t.c.version_id == versions_t.c.id))
                 .where(version_features_t.c.feature_view == feature_view)
                 .order_by(versions_t.c.id))
        if lock and self._postgres:
            query = query.with_for_update(of=versions_t)
        return list(session.execute(query).all())

    # -- aliases -----------------------------------------------------------------------------

    def alias_row(self, session: Session, model_id: int, alias: str) -> Any | None:
        """One alias's row."""
        return session.execute(sa.select(aliases_t).where(aliases_t.c.model_id == model_id,
                                                          aliases_t.c.alias == alias)).first()

    def insert_alias(self, session: Session, model_id: int, alias: str, version: int, *, now: datetime,
                     principal: str, decision_id: str, reason: str) -> bool:
        """Create an alias; False when a concurrent call created it first."""
        values = {"model_id": model_id, "alias": alias, "version": version, "update_time": now,
                  "updated_by": principal, "decision_id": decision_id, "reason": reason}
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        stmt = dialect_insert(aliases_t).values(**values).on_conflict_do_nothing().returning(aliases_t.c.alias)
        return session.execute(stmt).first() is not None

    def move_alias(self, session: Session, model_id: int, alias: str, *, from_version: int, to_version: int,
                   now: datetime, principal: str, decision_id: str, reason: str) -> bool:
        """Compare-and-set an alias from ``from_version`` to ``to_version``; False when it held another.

        The conditional UPDATE is the guard: on PostgreSQL a concurrent mover blocks on the row lock
        and then re-checks the condition against the committed value, on SQLite writers are serialised,
        so of two moves from the same version exactly one changes a row.
        """
        result = session.execute(aliases_t.update().where(
            aliases_t.c.model_id == model_id, aliases_t.c.alias == alias, aliases_t.c.version == from_version,
        ).values(version=to_version, update_time=now, updated_by=principal, decision_id=decision_id,
                 reason=reason))
        return result.rowcount == 1

    def delete_alias(self, session: Session, model_id: int, alias: str, from_version: int) -> bool:
        """Delete an alias if it still points at ``from_version``."""
        result = session.execute(aliases_t.delete().where(
            aliases_t.c.model_id == model_id, aliases_t.c.alias == alias, aliases_t.c.version == from_version))
        return result.rowcount == 1

    def list_aliases(self, session: Session, *, model_name: str, alias: str, after: tuple[Any, ...] | None,
                     limit: int) -> list[Any]:
        """Alias rows with their model name, by model name then alias."""
        query = (sa.select(aliases_t, models_t.c.name.label("model_name"))
                 .select_from(aliases_t.join(models_t, models_t.c.id == aliases_t.c.model_id)))
        if model_name:
            query = query.where(models_t.c.name == model_name)
        if alias:
            query = query.where(aliases_t.c.alias == alias)
        keys = [(models_t.c.name, False), (aliases_t.c.alias, False)]
        if after is not None:
            query = query.where(keyset_after(keys, after))
        return list(session.execute(query.order_by(models_t.c.name, aliases_t.c.alias).limit(limit + 1)).all())

    @staticmethod
    def alias_from_row(row: Any, model_name: str, protected: bool) -> Alias:
        """An alias record from its row."""
        return Alias(model_name=model_name, alias=row.alias, version=row.version, protected=protected,
                     update_time=row.update_time, updated_by=row.updated_by, decision_id=row.decision_id,
                     reason=row.reason)

    def append_history(self, session: Session, change: AliasChange) -> None:
        """Append one alias change to the history."""
        session.execute(history_t.insert().values(**change.__dict__))

    def history(self, session: Session, *, model_name: str, alias: str, descending: bool,
                after: tuple[Any, ...] | None, limit: int) -> list[AliasChange]:
        """History entries of a model (and alias), by revision."""
        query = sa.select(history_t).where(history_t.c.model_name == model_name)
        if alias:
            query = query.where(history_t.c.alias == alias)
        if after is not None:
            query = query.where(history_t.c.revision < after[0] if descending else history_t.c.revision > after[0])
        order = history_t.c.revision.desc() if descending else history_t.c.revision.asc()
        return [_change(r) for r in session.execute(query.order_by(order).limit(limit + 1)).all()]

    def history_at(self, session: Session, *, model_name: str, alias: str, at: datetime,
                   after: tuple[Any, ...] | None, limit: int) -> list[AliasChange]:
        """Per alias, the latest change at or before ``at`` (deleted aliases left out), by alias name."""
        latest = (sa.select(history_t.c.alias, sa.func.max(history_t.c.revision).label("revision"))
                  .where(history_t.c.model_name == model_name, history_t.c.change_time <= at)
                  .group_by(history_t.c.alias).subquery())
        query = (sa.select(history_t).join(latest, sa.and_(latest.c.alias == history_t.c.alias,
                                                           latest.c.revision == history_t.c.revision))
                 .where(history_t.c.model_name == model_name, history_t.c.kind != "DELETED"))
        if alias:
            query = query.where(history_t.c.alias == alias)
        if after is not None:
            query = query.where(history_t.c.alias > after[0])
        return [_change(r) for r in session.execute(query.order_by(history_t.c.alias).limit(limit + 1)).all()]

    def history_exists(self, session: Session, model_name: str) -> bool:
        """Whether any alias history is kept for the model name."""
        return session.execute(sa.select(history_t.c.id).where(history_t.c.model_name == model_name)
                               .limit(1)).first() is not None

    def previous_version(self, session: Session, model_name: str, alias: str, current: int) -> int:
        """The version the alias held before its most recent change (0 when none)."""
        row = session.execute(sa.select(history_t.c.from_version).where(
            history_t.c.model_name == model_name, history_t.c.alias == alias)
            .order_by(history_t.c.revision.desc()).limit(1)).first()
        return row[0] if row and row[0] != current else 0

    # -- follower cursor and revisions -------------------------------------------------------

    def cursor(self, session: Session, name: str) -> int:
        """The last revision a follower processed (0 when it never ran)."""
        return session.execute(sa.select(cursors_t.c.revision).where(cursors_t.c.name == name)).scalar() or 0

    def set_cursor(self, session: Session, name: str, revision: int) -> None:
        """Store a follower's position in the caller's transaction."""
        if session.execute(cursors_t.update().where(cursors_t.c.name == name)
                           .values(revision=revision)).rowcount == 0:
            session.execute(cursors_t.insert().values(name=name, revision=revision))

    @staticmethod
    def latest_revision(session: Session) -> int:
        """The newest outbox revision visible to the session."""
        return session.execute(sa.select(sa.func.max(outbox_events.c.revision))).scalar() or 0

    @staticmethod
    def _replace_tags(session: Session, table: sa.Table, owner: str, owner_id: int, tags: dict[str, str]) -> None:
        session.execute(table.delete().where(table.c[owner] == owner_id))
        if tags:
            session.execute(table.insert(), [{owner: owner_id, "key": k, "value": v} for k, v in tags.items()])


def _tag_exists(table: sa.Table, owner: str, owner_column: Any, key: str, value: str) -> Any:
    condition = sa.and_(table.c[owner] == owner_column, table.c.key == key)
    if value:
        condition = sa.and_(condition, table.c.value == value)
    return sa.exists().where(condition)


def tag_exists(key: str, value: str) -> Any:
    """A condition on ``model_versions`` rows: the version carries the tag (any value when empty)."""
    return _tag_exists(version_tags_t, "version_id", versions_t.c.id, key, value)


def keyset_after(keys: Sequence[tuple[Any, bool]], after: Sequence[Any]) -> Any:
    """Rows strictly after ``after`` in the lexicographic order of ``keys`` ((column, descending))."""
    if len(after) != len(keys):
        raise InvalidArgument("page_token", "expected a token returned by a previous call")
    clauses = []
    for i, (column, descending) in enumerate(keys):
        equal = [keys[j][0] == after[j] for j in range(i)]
        step = column < after[i] if descending else column > after[i]
        clauses.append(sa.and_(*equal, step))
    return sa.or_(*clauses)


def _change(row: Any) -> AliasChange:
    return AliasChange(model_name=row.model_name, alias=row.alias, kind=row.kind, from_version=row.from_version,
                       to_version=row.to_version, principal=row.principal, change_time=row.change_time,
                       decision_id=row.decision_id, reason=row.reason, revision=row.revision,
                       request_id=row.request_id)

