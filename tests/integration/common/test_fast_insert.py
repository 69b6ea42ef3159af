"""FastInsert and Database.append_transaction store exactly what SQLAlchemy Core would, and Database.read_scalar
reads what it committed, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.common.db import Database, FastInsert

metadata = sa.MetaData()
rows = sa.Table(
    "fast_rows", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(32), nullable=False, unique=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("blob", sa.LargeBinary, nullable=False),
)
FAST = FastInsert(rows, returning="id")
MOMENT = datetime(2026, 11, 27, 3, 4, 5, 678901, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    metadata.create_all(db.engine)
    try:
        yield db
    finally:
        db.close()


def stored(database: Database) -> list[tuple]:
    with database.read() as session:
        return [tuple(r) for r in session.execute(sa.select(rows.c.name, rows.c.at, rows.c.blob).order_by(rows.c.id))]


def test_rows_read_back_like_core_inserts_and_keys_are_returned(database: Database) -> None:
    with database.write_connection() as connection:
        connection.execute(rows.insert(), {"name": "core", "at": MOMENT, "blob": b"\x00\x01"})
    with database.append_transaction() as transaction:
        first = FAST.run(transaction, [{"name": "fast-1", "at": MOMENT, "blob": b"\x00\x01"}])
        second = FAST.run(transaction, [{"name": "fast-2", "at": MOMENT, "blob": b"\x02"}])
    with database.write_connection() as connection:
        third = FAST.run(connection, [{"name": "fast-3", "at": MOMENT, "blob": b""}])
    assert first is not None and second == first + 1 and third == second + 1
    found = stored(database)
    assert [name for name, _, _ in found] == ["core", "fast-1", "fast-2", "fast-3"]
    core_at = found[0][1]
    assert all(at == core_at for _, at, _ in found)  # same stored form as Core's
    assert core_at.replace(tzinfo=UTC) == MOMENT or core_at == MOMENT
    assert bytes(found[1][2]) == b"\x00\x01"


def test_a_failing_block_leaves_nothing_and_driver_errors_are_sqlalchemy_errors(database: Database) -> None:
    with pytest.raises(RuntimeError), database.append_transaction() as transaction:
        FAST.run(transaction, [{"name": "kept?", "at": MOMENT, "blob": b"x"}])
        raise RuntimeError("the caller failed after the insert")
    with pytest.raises(IntegrityError), database.append_transaction() as transaction:
        FAST.run(transaction, [{"name": "twice", "at": MOMENT, "blob": b"x"},
                               {"name": "twice", "at": MOMENT, "blob": b"y"}])
    assert stored(database) == []
    with database.append_transaction() as transaction:  # the pooled connection is usable afterwards
        FAST.run(transaction, [{"name": "after", "at": MOMENT, "blob": b"z"}])
    assert [name for name, _, _ in stored(database)] == ["after"]


def test_an_unreachable_database_is_unavailable_not_an_internal_error(tmp_path: Path) -> None:
    from services.common.errors import Unavailable

    database = Database(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    try:
        with pytest.raises(Unavailable), database.append_transaction() as transaction:
            FAST.run(transaction, [{"name": "never", "at": MOMENT, "blob": b""}])
        with pytest.raises(Unavailable):
            database.read_scalar("SELECT 1")
    finally:
        database.close()


def test_read_scalar_sees_committed_rows_only_and_leaves_no_transaction_open(database: Database) -> None:
    count = f"SELECT count(*) FROM {rows.name}"
    assert database.read_scalar(count) == 0
    assert database.read_scalar(f"SELECT max(id) FROM {rows.name}") is None
    with pytest.raises(RuntimeError), database.append_transaction() as transaction:
        FAST.run(transaction, [{"name": "rolled-back", "at": MOMENT, "blob": b""}])
        assert database.read_scalar(count) == 0  # another connection: the uncommitted row is not visible
        raise RuntimeError("abandon the transaction")
    for index in range(24):  # more reads than the pool holds connections: each one went back
        with database.append_transaction() as transaction:
            FAST.run(transaction, [{"name": f"kept-{index}", "at": MOMENT, "blob": b""}])
        assert database.read_scalar(count) == index + 1
    with pytest.raises(sa.exc.DBAPIError):
        database.read_scalar("SELECT no_such_column FROM fast_rows")
    assert database.read_scalar(count) == 24
