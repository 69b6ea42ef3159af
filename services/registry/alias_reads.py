"""The hot read of serving and monitoring: the version an alias points at, on a raw DB-API cursor.

GetModelVersion by alias is one indexed query. Going through an ORM session, a SQLAlchemy Row, the
``ModelVersion`` record and a field-by-field protobuf build cost several times the query itself, so
this path runs the statement (compiled once for the database's dialect) on a plain DB-API cursor and
hands back the raw column tuple. With SQLite every server thread keeps its own connection in
autocommit mode: each SELECT sees the latest committed snapshot and, in WAL mode, readers never wait
for the writer. With PostgreSQL a pooled connection is checked out per call.

The protobuf is assembled in ``converters.version_from_alias_row``; this module knows no protobuf.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import sqlalchemy as sa

from services.common.db import Database
from services.common.errors import Unavailable
from services.common.events import outbox_events
from services.registry.repository import alias_names_column, aliases_t, models_t, versions_t

#: Column order of the rows :meth:`AliasReader.read` returns.
COLUMNS = ("id", "model_name", "version", "description", "status", "status_message", "format", "task",
           "signature", "metrics", "params", "tags", "artifact_sha256", "artifact_size", "creator",
           "create_time", "update_time", "ready_time", "lineage", "stale_reasons", "approvals",
           "alias_names", "revision")

_STATEMENT = (
    sa.select(versions_t.c.id, models_t.c.name, versions_t.c.version, versions_t.c.description,
              versions_t.c.status, versions_t.c.status_message, versions_t.c.format, versions_t.c.task,
              versions_t.c.signature, versions_t.c.metrics, versions_t.c.params, versions_t.c.tags,
              versions_t.c.artifact_sha256, versions_t.c.artifact_size, versions_t.c.creator,
              versions_t.c.create_time, versions_t.c.update_time, versions_t.c.ready_time, versions_t.c.lineage,
              versions_t.c.stale_reasons, versions_t.c.approvals, alias_names_column(),
              sa.select(sa.func.max(outbox_events.c.revision)).scalar_subquery())
    .select_from(versions_t.join(models_t, models_t.c.id == versions_t.c.model_id)
                 .join(aliases_t, sa.and_(aliases_t.c.model_id == versions_t.c.model_id,
                                          aliases_t.c.version == versions_t.c.version)))
    .where(models_t.c.name == sa.bindparam("model_name", ""), aliases_t.c.alias == sa.bindparam("alias", "")))


class AliasReader:
    """Runs the by-alias statement on raw DB-API connections (per thread for SQLite)."""

    def __init__(self, database: Database) -> None:
        engine = database.engine
        self._engine = engine
        compiled = _STATEMENT.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
        self._sql = str(compiled)
        self._positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        self._constants = dict(compiled.params)  # literal binds such as the aggregate's separator
        url = engine.url
        path = url.database if url.get_backend_name() == "sqlite" else None
        self._sqlite_path = path if path and path != ":memory:" else None
        self._local = threading.local()
        self._driver_errors = engine.dialect.loaded_dbapi.OperationalError
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _parameters(self, model_name: str, alias: str) -> Any:
        values = {**self._constants, "model_name": model_name, "alias": alias}
        if self._positions is None:
            return values
        return tuple(values[name] for name in self._positions)

    def _sqlite_connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            with self._lock:
                if self._closed:
                    raise Unavailable("the registry is shutting down")
                # Autocommit (isolation_level=None): every SELECT reads the newest committed snapshot.
                connection = sqlite3.connect(self._sqlite_path, timeout=30, isolation_level=None,
                                             check_same_thread=False)
                connection.execute("PRAGMA busy_timeout=30000")
                connection.execute("PRAGMA query_only=ON")
                self._opened.append(connection)
            self._local.connection = connection
        return connection

    def read(self, model_name: str, alias: str) -> tuple[Any, ...] | None:
        """The raw row (see :data:`COLUMNS`) of the version ``model_name@alias`` names, or None."""
        parameters = self._parameters(model_name, alias)
        if self._sqlite_path is not None:
            try:
                rows = self._sqlite_connection().execute(self._sql, parameters).fetchall()  # ends the statement
                return rows[0] if rows else None
            except sqlite3.OperationalError as error:
                raise Unavailable(f"the registry database is unavailable: {error}") from error
        try:
            connection = self._engine.raw_connection()
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(self._sql, parameters)
                    return cursor.fetchone()
                finally:
                    cursor.close()
            finally:
                connection.close()  # back to the pool (which rolls the read transaction back)
        except (sa.exc.OperationalError, self._driver_errors) as error:
            raise Unavailable(f"the registry database is unavailable: {error}") from error

    def close(self) -> None:
        """Close the per-thread SQLite connections (the server has stopped serving)."""
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
