"""Databases: one SQLAlchemy 2.x engine per service, SQLite by default, PostgreSQL in production.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions on SQLite start
with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing with "database is
locked" when a read transaction tries to upgrade; read transactions stay deferred and run alongside.
Schemas are owned by Alembic migrations per service, applied at start (never ``create_all``).

SQLite would otherwise checkpoint its write-ahead log inside whichever commit crosses the threshold,
and that commit then waits for an fsync of the database file (about 20 ms here, every few dozen
writes), which dominates a service's p99. Automatic checkpoints are therefore off and one background
thread per process runs a PASSIVE checkpoint (which never blocks readers or writers) of each database
every second instead, when something was committed since the last one.
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


class _OwnConnection:
    """A SQLite database's own driver connection, outside the pool, for the work servers do on timers:
    the commit marker event followers compare before they poll (:meth:`Database.commit_marker`) and
    the WAL checkpoint (:class:`_Checkpointer`).

    Both used to check a pooled connection out through SQLAlchemy. In a running server a thread
    waking for that, with cold caches, held the interpreter for 0.7–0.9 ms several times a second,
    and a request arriving meanwhile waited that long: a large share of a 1 ms service's p99. Here
    each is a PRAGMA or two, and a checkpoint is skipped when nothing was committed since the last
    complete one."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._connection: Any = None
        self._closed = False
        self._checkpointed_at: int | None = None

    def _pragma(self, sql: str) -> Any:
        """The PRAGMA's row; None once closed (a checkpoint already under way when its database closes)."""
        with self._lock:
            if self._closed:
                return None
            if self._connection is None:
                # The engine's own connect path (pragmas, busy timeout, autocommit), then off the pool.
                pooled = self._engine.raw_connection()
                pooled.detach()
                self._connection = pooled.dbapi_connection
            return self._connection.execute(sql).fetchone()

    def commit_marker(self) -> int | None:
        """SQLite's ``data_version`` on this connection, which never writes: it changes whenever any
        other connection (a pooled one here, or another process's) commits. None when it cannot be read."""
        try:
            row = self._pragma("PRAGMA data_version")
        except Exception:  # noqa: BLE001 - the caller then reads, as without a marker
            return None
        return row[0] if row else None

    def checkpoint(self, *, always: bool = False) -> None:
        """A PASSIVE checkpoint (which never blocks readers or writers), unless nothing was committed
        since the last one that copied every frame."""
        try:
            marker = self.commit_marker()
            if marker is not None and marker == self._checkpointed_at and not always:
                return
            result = self._pragma("PRAGMA wal_checkpoint(PASSIVE)")
            if result is None:
                return
            busy, frames, copied = result
            self._checkpointed_at = marker if not busy and copied == frames else None
        except (SQLAlchemyError, self._engine.dialect.loaded_dbapi.Error) as error:
            get_logger("db").warning("WAL checkpoint failed; retrying", error=str(error))

    def close(self) -> None:
        """A last checkpoint, then close."""
        self.checkpoint(always=True)
        with self._lock:
            self._closed = True
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class _Checkpointer:
    """One thread per process checkpoints every open SQLite database, every ``INTERVAL`` seconds.

    SQLite would otherwise checkpoint inside whichever commit crosses its threshold (see the module's
    docstring). One thread rather than one per database: a server process holds several (its own,
    the feature store's online store, the services sharing a process in tests), and each thread's
    wake costs ~0.15 ms of interpreter time with cold caches even when there is nothing to do."""

    INTERVAL = 1.0

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._members: list[_OwnConnection] = []
        self._thread: threading.Thread | None = None

    def add(self, member: _OwnConnection) -> None:
        with self._changed:
            self._members.append(member)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def remove(self, member: _OwnConnection) -> None:
        with self._changed:
            if member in self._members:
                self._members.remove(member)

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._members:  # no database open: no wakes at all
                    self._changed.wait()
                self._changed.wait(self.INTERVAL)
                members = list(self._members)
            for member in members:
                try:
                    member.checkpoint()
                except Exception as error:  # noqa: BLE001 - the other databases still need theirs
                    get_logger("db").error("WAL checkpoint crashed", exc_info=error)


_CHECKPOINTER = _Checkpointer()
# A forked child has no checkpoint thread, and its parent's connections are not its own to use.
os.register_at_fork(after_in_child=_CHECKPOINTER.__init__)


class Database:
    """A service's database: an engine plus read and write session factories."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_database_engine(url, pool_size=pool_size)
        self.dialect = self.engine.dialect.name
        in_memory = self.engine.url.database in (None, "", ":memory:")
        self._own = _OwnConnection(self.engine) if self.dialect == "sqlite" and not in_memory else None
        if self._own is not None:
            _CHECKPOINTER.add(self._own)
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

    def commit_marker(self) -> int | None:
        """A number that changes whenever anything commits to the database, from this process or
        another: pollers compare it with the one they saw before their last read and skip the read
        when it has not moved. Only SQLite keeps one (``PRAGMA data_version``); None elsewhere, and
        the caller must read to find out."""
        return self._own.commit_marker() if self._own is not None else None

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
        if self._own is not None:
            _CHECKPOINTER.remove(self._own)
            self._own.close()
            self._own = None
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
