"""The event outbox on SQLite and PostgreSQL: resumable, gap-free, exactly once."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from services.common.app import COMMON_MIGRATIONS
from services.common.db import Database
from services.common.events import EventOutbox


def _open(url: str) -> tuple[Database, EventOutbox]:
    database = Database(url)
    database.migrate(COMMON_MIGRATIONS)
    return database, EventOutbox(database, poll_interval=0.05)


def _append(database: Database, outbox: EventOutbox, n: int, tag: str) -> None:
    for i in range(n):
        with database.write() as session:
            outbox.append(session, "thing.created", f"{tag}-{i}", f"{tag}-{i}".encode())


def test_resume_from_last_revision_gets_every_event_exactly_once(database_url: str) -> None:
    database, outbox = _open(database_url)
    try:
        writers = [threading.Thread(target=_append, args=(database, outbox, 40, f"w{k}")) for k in range(3)]
        for writer in writers:
            writer.start()
        received: list[bytes] = []
        last = 0
        # Subscribe, take a few events, "disconnect", and resume from the last revision seen,
        # repeatedly, while three writers append concurrently.
        while len(received) < 120:
            follower = outbox.follow(last)
            for taken, event in enumerate(follower):
                assert event.revision == last + 1, "revisions must arrive gap-free and in order"
                received.append(event.payload)
                last = event.revision
                if taken == 6 or len(received) == 120:
                    break
            follower.close()
        for writer in writers:
            writer.join()
        assert len(received) == 120
        assert len(set(received)) == 120
        assert outbox.read_after(last) == []
        assert outbox.latest_revision() == 120
    finally:
        outbox.close()
        database.close()


def test_a_rolled_back_transaction_leaves_no_event(database_url: str) -> None:
    database, outbox = _open(database_url)
    try:
        try:
            with database.write() as session:
                outbox.append(session, "thing.created", "doomed", b"x")
                raise RuntimeError("the change failed after the event was appended")
        except RuntimeError:
            pass
        _append(database, outbox, 1, "kept")
        events = outbox.read_after(0)
        assert [e.subject for e in events] == ["kept-0"]
        assert events[0].revision == 1
    finally:
        outbox.close()
        database.close()


def test_filtered_follow_skips_other_kinds_without_losing_later_ones(database_url: str) -> None:
    database, outbox = _open(database_url)
    try:
        with database.write() as session:
            outbox.append(session, "other", "a", b"a")
            outbox.append(session, "wanted", "b", b"b")
            outbox.append(session, "other", "c", b"c")
        follower = outbox.follow(0, kinds=["wanted"])
        first = next(follower)
        assert first.subject == "b"
        threading.Timer(0.1, _append_kind, args=(database, outbox, "wanted", "d")).start()
        second = next(follower)
        assert second.subject == "d"
        assert second.revision == 4
        follower.close()
    finally:
        outbox.close()
        database.close()


def _append_kind(database: Database, outbox: EventOutbox, kind: str, subject: str) -> None:
    with database.write() as session:
        outbox.append(session, kind, subject, subject.encode())


def test_events_survive_reopening_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    database, outbox = _open(url)
    _append(database, outbox, 3, "before")
    outbox.close()
    database.close()
    database, outbox = _open(url)
    try:
        assert [e.subject for e in outbox.read_after(1)] == ["before-1", "before-2"]
        with database.read() as session:
            assert session.execute(sa.text("select count(*) from outbox_events")).scalar() == 3
    finally:
        outbox.close()
        database.close()


def test_closing_the_outbox_ends_followers_with_unavailable_and_the_resume_point(tmp_path: Path) -> None:
    import pytest

    from services.common.errors import Unavailable

    database, outbox = _open(f"sqlite:///{tmp_path / 'outbox.db'}")
    try:
        _append(database, outbox, 2, "x")
        follower = outbox.follow(0)
        assert next(follower).revision == 1
        assert next(follower).revision == 2
        threading.Timer(0.1, outbox.close).start()
        with pytest.raises(Unavailable) as caught:
            next(follower)
        assert caught.value.metadata["resume_after_revision"] == "2"
    finally:
        outbox.close()
        database.close()


def test_a_follower_finds_another_replicas_events_by_polling(database_url: str) -> None:
    # Two replicas on one database: B's commits never notify A's followers, which must poll for them
    # (on SQLite, reading only when the database's commit marker moved).
    database_a, outbox_a = _open(database_url)
    database_b = Database(database_url)
    outbox_b = EventOutbox(database_b)
    try:
        follower = outbox_a.follow(0)
        threading.Timer(0.2, _append, args=(database_b, outbox_b, 1, "from-b")).start()
        first = next(follower)
        assert (first.revision, first.subject) == (1, "from-b-0")
        threading.Timer(0.2, _append, args=(database_b, outbox_b, 2, "again")).start()
        assert [next(follower).subject for _ in range(2)] == ["again-0", "again-1"]
        follower.close()
    finally:
        outbox_a.close()
        outbox_b.close()
        database_a.close()
        database_b.close()


def test_the_commit_marker_moves_with_every_commit_and_only_then(database_url: str) -> None:
    database, outbox = _open(database_url)
    other = Database(database_url)
    try:
        first = database.commit_marker()
        if database.dialect != "sqlite":
            assert first is None  # no marker: followers read on every poll
            return
        assert isinstance(first, int)
        outbox.read_after(0)
        assert outbox.latest_revision() == 0
        assert database.commit_marker() == first, "reads are not commits"
        _append(database, outbox, 1, "own")
        second = database.commit_marker()
        assert second != first, "a commit through this database's own pool moves it"
        _append(other, EventOutbox(other), 1, "other")
        third = database.commit_marker()
        assert third not in (first, second), "another replica's commit moves it"
        with database.write() as session:
            session.execute(sa.text("select 1"))
        assert database.commit_marker() == third, "a transaction that wrote nothing is no commit"
    finally:
        outbox.close()
        other.close()
        database.close()
