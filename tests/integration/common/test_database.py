"""SQLite housekeeping: the background WAL checkpoint and the commit marker's life cycle."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from services.common.db import Database
from tests.waiting import eventually


def _fill(database: Database, rows: int) -> None:
    with database.write() as session:
        session.execute(sa.text("CREATE TABLE IF NOT EXISTS filler (body BLOB)"))
        for _ in range(rows):
            session.execute(sa.text("INSERT INTO filler VALUES (randomblob(4000))"))


def test_commits_reach_the_database_file_without_any_commit_checkpointing(tmp_path: Path) -> None:
    # Automatic checkpoints are off, so the pages sit in the WAL until the process's checkpoint thread
    # copies them into the database file (within about a second), for each open database.
    first, second = Database(f"sqlite:///{tmp_path / 'a.db'}"), Database(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        for database, name in ((first, "a.db"), (second, "b.db")):
            _fill(database, 50)
            assert (tmp_path / f"{name}-wal").stat().st_size > 50 * 4000, "the commit itself wrote to the WAL"
        assert eventually(lambda: (tmp_path / "a.db").stat().st_size > 50 * 4000
                      and (tmp_path / "b.db").stat().st_size > 50 * 4000, 10), "no checkpoint copied the pages"
        # Later commits are checkpointed too (the thread skips only when nothing was committed).
        before = (tmp_path / "a.db").stat().st_size
        _fill(first, 50)
        assert eventually(lambda: (tmp_path / "a.db").stat().st_size > before + 40 * 4000, 10)
    finally:
        first.close()
        second.close()


def test_a_closed_database_has_no_marker_and_leaves_no_connection_open(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'c.db'}")
    _fill(database, 1)
    assert isinstance(database.commit_marker(), int)
    own = database._own  # noqa: SLF001 - the connection kept outside the pool
    database.close()
    assert own is not None
    assert own.commit_marker() is None, "a closed database's connection must not be reopened"
    assert database.commit_marker() is None
    # Its final checkpoint emptied the WAL into the file.
    assert (tmp_path / "c.db").stat().st_size > 4000
