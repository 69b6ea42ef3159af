"""Databases: one SQLAlchemy 2.x engine per service, SQLite by default, PostgreSQL in production.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions on SQLite start
with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing with "database is
locked" when a read transaction tries to upgrade; read transactions stay deferred and run alongside.
Schemas are owned by Alembic migrations per service, applied at start (never ``create_all``).

SQLite would otherwise checkpoint its write-ahead log inside whichever commit crosses the threshold,
and that commit then waits for an fsync of the database file (about 20 ms here, every few dozen
writes), which dominates a service's p99. Automatic checkpoints are therefore off and a background
thread runs a PASSIVE checkpoint (which never blocks readers or writers) every second instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from services.common.errors import Unavailable
from services.common.logging import get_logger

_IMMEDIATE = "sextant_sqlite_immediate"


def create_database_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url`` with the pragmas and pooling Sextant relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=pool_size, max_overflow=pool_size)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is always deferred).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            immediate = connection.get_execution_options().get(_IMMEDIATE, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size,
                         pool_timeout=10)


class _Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on a SQLite database every ``interval`` seconds."""

    def __init__(self, engine: Engine, interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)
        self._thread.start()

    def _checkpoint(self) -> None:
        with self._engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._checkpoint()
            except SQLAlchemyError as error:
                get_logger("db").warning("WAL checkpoint failed; retrying", error=str(error))

    def stop(self) -> None:
        """Stop the thread after one last checkpoint."""
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self._checkpoint()
        except SQLAlchemyError:
            pass


class Database:
    """A service's database: an engine plus read and write session factories."""

    def __init__(self, url: str, *, pool_size: int = 10, checkpoint_interval: float = 1.0) -> None:
        self.url = url
        self.engine = create_database_engine(url, pool_size=pool_size)
        self.dialect = self.engine.dialect.name
        self._checkpointer = _Checkpointer(self.engine, checkpoint_interval) if self.dialect == "sqlite" else None
        writer_bind = (self.engine.execution_options(**{_IMMEDIATE: True})
                       if self.dialect == "sqlite" else self.engine)
        self._writer_bind = writer_bind
        self._writer = sessionmaker(bind=writer_bind, expire_on_commit=False)
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any exception."""
        with _unavailable_on_connection_errors(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core write transaction without an ORM session: the cheapest path for hot appends."""
        with _unavailable_on_connection_errors(), self._writer_bind.begin() as connection:
            yield connection

    @contextmanager
    def append_transaction(self) -> Iterator[RawTransaction]:
        """A write transaction on a pooled driver connection, for :class:`FastInsert` appends only.

        The hottest writes (a policy decision with its audit record) pay SQLAlchemy's transaction
        machinery (connection object, begin and commit events, pool bookkeeping) more than SQLite's
        own work; this skips it: BEGIN IMMEDIATE on SQLite, the driver's implicit transaction
        elsewhere, COMMIT when the block ends and ROLLBACK when it raises. Driver errors surface as
        SQLAlchemy's, so an unreachable database is still UNAVAILABLE.
        """
        with self._raw_connection() as raw:
            transaction = RawTransaction(self.engine.dialect, raw)
            if self.dialect == "sqlite":  # elsewhere the driver opens the transaction itself
                transaction.execute("BEGIN IMMEDIATE")
            try:
                yield transaction
            except BaseException:
                transaction.end(commit=False)
                raise
            transaction.end(commit=True)

    def read_scalar(self, sql: str) -> Any:
        """The first column of the first row of one parameterless query, on a pooled driver connection.

        For frequent polls (an event follower's "latest revision"), where a read session costs
        ~20 times what the database spends answering.
        """
        with self._raw_connection() as raw:
            transaction = RawTransaction(self.engine.dialect, raw)
            try:
                return transaction.scalar(sql)
            finally:
                transaction.end(commit=False)

    @contextmanager
    def _raw_connection(self) -> Iterator[Any]:
        """A pooled driver connection, returned to the pool when the block ends."""
        dialect = self.engine.dialect
        with _unavailable_on_connection_errors():
            try:
                raw = self.engine.raw_connection()
            except dialect.loaded_dbapi.Error as error:
                # The pool hands the driver's own error through; as SQLAlchemy's it maps to UNAVAILABLE.
                raise DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error,
                                          connection_invalidated=dialect.is_disconnect(error, None, None),
                                          dialect=dialect) from error
            try:
                yield raw
            finally:
                raw.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (rolled back at the end)."""
        with _unavailable_on_connection_errors(), self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    def migrate(self, migrations_dir: Path, extra_version_dirs: list[Path] | tuple[Path, ...] = ()) -> None:
        """Apply the migrations of ``migrations_dir`` (and of ``extra_version_dirs``) up to their heads."""
        config = Config()
        config.set_main_option("script_location", str(migrations_dir))
        locations = [migrations_dir / "versions", *extra_version_dirs]
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")

    def close(self) -> None:
        """Stop background work and release every pooled connection."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.engine.dispose()


class RawTransaction:
    """An open transaction on a pooled driver connection (see :meth:`Database.append_transaction`)."""

    def __init__(self, dialect: Any, connection: Any) -> None:
        self.dialect = dialect
        self.connection = connection

    def execute(self, sql: str) -> None:
        """Run one parameterless statement."""
        self._run(sql, fetch=False)

    def scalar(self, sql: str) -> Any:
        """Run one parameterless query; the first column of its first row (None when it has no row)."""
        return self._run(sql, fetch=True)

    def _run(self, sql: str, *, fetch: bool) -> Any:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            if not fetch:
                return None
            row = cursor.fetchone()
            return None if row is None else row[0]
        except self.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(sql, (), error, self.dialect.loaded_dbapi.Error, dialect=self.dialect) from error
        finally:
            cursor.close()

    def end(self, *, commit: bool) -> None:
        """COMMIT or ROLLBACK."""
        try:
            if commit:
                self.connection.commit()
            else:
                self.connection.rollback()
        except self.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance("COMMIT" if commit else "ROLLBACK", (), error, self.dialect.loaded_dbapi.Error,
                                      dialect=self.dialect) from error


class FastInsert:
    """One INSERT into ``table``, compiled once per dialect and run on the DBAPI cursor of a Core connection.

    For append-only hot paths (audit records, policy decisions), where SQLAlchemy's per-statement
    machinery (execution context, event dispatch, result objects) costs several times what SQLite
    spends storing the row. Values still go through each column type's own bind processor, so the
    stored row is the one ``connection.execute(table.insert(), row)`` would store, and the statement
    runs inside the connection's transaction (it commits or rolls back with it). Driver errors are
    raised as SQLAlchemy's, like any other statement's.
    """

    def __init__(self, table: Table, *, returning: str | None = None) -> None:
        self._table = table
        self._returning = returning
        self._compiled: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...] | None, list[Any]]] = {}

    def _statement(self, dialect: Any, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...] | None, list[Any]]:
        found = self._compiled.get((dialect.name, keys))
        if found is None:
            statement = self._table.insert()
            if self._returning and dialect.name != "sqlite":
                statement = statement.returning(self._table.c[self._returning])
            compiled = statement.compile(dialect=dialect, column_keys=list(keys))
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            processors = [self._table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
                          for key in (order if order is not None else keys)]
            found = self._compiled.setdefault((dialect.name, keys), (compiled.string, order, processors))
        return found

    def run(self, connection: Connection | RawTransaction, rows: list[dict[str, Any]]) -> int | None:
        """Insert ``rows`` (all with the same keys); returns the generated key of the last one when asked."""
        if not rows:
            return None
        keys = tuple(rows[0])
        dialect = connection.dialect
        sql, order, processors = self._statement(dialect, keys)
        names = order if order is not None else keys
        converted = []
        for row in rows:
            values = [row[name] if processor is None else processor(row[name])
                      for name, processor in zip(names, processors, strict=True)]
            converted.append(tuple(values) if order is not None else dict(zip(keys, values, strict=True)))
        cursor = connection.connection.cursor()
        try:
            if len(converted) == 1:
                cursor.execute(sql, converted[0])
            else:
                cursor.executemany(sql, converted)
            if not self._returning:
                return None
            if dialect.name == "sqlite":
                return int(cursor.lastrowid)
            return int(cursor.fetchone()[0])
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(sql, converted, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
        finally:
            cursor.close()


@contextmanager
def _unavailable_on_connection_errors() -> Iterator[None]:
    try:
        yield
    except (OperationalError, PoolTimeout) as error:
        if isinstance(error, OperationalError) and not _is_connection_problem(error):
            raise
        raise Unavailable("the database is unavailable; retry later", reason="DATABASE_UNAVAILABLE",
                          metadata={"cause": type(error.orig if hasattr(error, "orig") else error).__name__}
                          ) from error


def _is_connection_problem(error: OperationalError) -> bool:
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower()
    return any(word in text for word in ("connection", "could not connect", "server closed", "locked",
                                         "unable to open", "terminating"))


def run_migrations_online() -> None:
    """Body of every service's ``migrations/env.py``: run migrations on the connection we were handed."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        engine = create_database_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            context.configure(connection=connection)
            context.run_migrations()
        return
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
