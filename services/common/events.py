"""The event outbox: events written in the same transaction as the change they describe.

Each event gets a revision, gap-free and increasing in commit order: appends take a lock for the rest
of their transaction (``pg_advisory_xact_lock`` on PostgreSQL; SQLite's write lock already
serialises writers), so a subscriber that has seen revision N never later meets a smaller one. A
subscriber that reconnects with the last revision it processed therefore misses nothing and sees
nothing twice. In-process subscribers are woken on commit; other replicas find new events by polling
(on SQLite a poll reads only when the database's commit marker moved: see Database.commit_marker).

Every service's first migration creates the table with :func:`create_outbox_table`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.errors import Unavailable

metadata = sa.MetaData()

outbox_events = sa.Table(
    "outbox_events",
    metadata,
    sa.Column("revision", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(512), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# An arbitrary constant naming the outbox's advisory lock on PostgreSQL.
_PG_LOCK_KEY = 0x5E7A_0B0C
#: Followers poll this twice per interval, so it runs on a driver connection (see Database.read_scalar).
_LATEST_REVISION = f"SELECT max(revision) FROM {outbox_events.name}"


def create_outbox_table(op: object) -> None:
    """Create the outbox table from an Alembic migration (``op`` is ``alembic.op``)."""
    op.create_table(  # type: ignore[attr-defined]
        "outbox_events",
        sa.Column("revision", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


@dataclass(frozen=True)
class StoredEvent:
    """One event as stored: revision, kind, subject (the resource it concerns), payload bytes, time."""

    revision: int
    kind: str
    subject: str
    payload: bytes
    created_at: datetime


class EventOutbox:
    """Append events inside write transactions; read or follow them by revision."""

    def __init__(self, database: Database, *, poll_interval: float = 0.5) -> None:
        self._db = database
        self._poll_interval = poll_interval
        self._changed = threading.Condition()
        self._closed = False

    def append(self, session: Session, kind: str, subject: str, payload: bytes) -> int:
        """Add an event to the caller's open write transaction; returns its revision."""
        if self._db.dialect == "postgresql":
            session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        latest = session.execute(sa.select(sa.func.max(outbox_events.c.revision))).scalar()
        revision = (latest or 0) + 1
        session.execute(outbox_events.insert().values(
            revision=revision, kind=kind, subject=subject, payload=payload, created_at=datetime.now(UTC)))
        if not session.info.get("sextant_outbox_hooked"):
            session.info["sextant_outbox_hooked"] = True
            sa.event.listen(session, "after_commit", lambda _s: self.notify(), once=True)
        return revision

    def notify(self) -> None:
        """Wake in-process subscribers (called after a commit that appended events)."""
        with self._changed:
            self._changed.notify_all()

    def latest_revision(self) -> int:
        """The highest committed revision, 0 when there is none."""
        return self._db.read_scalar(_LATEST_REVISION) or 0

    def read_after(self, revision: int, *, limit: int = 500, kinds: Sequence[str] = (),
                   up_to: int | None = None) -> list[StoredEvent]:
        """Committed events with ``revision < r <= up_to``, oldest first."""
        query = (sa.select(outbox_events).where(outbox_events.c.revision > revision)
                 .order_by(outbox_events.c.revision).limit(limit))
        if up_to is not None:
            query = query.where(outbox_events.c.revision <= up_to)
        if kinds:
            query = query.where(outbox_events.c.kind.in_(list(kinds)))
        with self._db.read() as session:
            rows = session.execute(query).all()
        return [StoredEvent(r.revision, r.kind, r.subject, r.payload, _utc(r.created_at)) for r in rows]

    def follow(self, after_revision: int, *, kinds: Sequence[str] = (), batch_size: int = 500,
               is_active: Callable[[], bool] = lambda: True) -> Iterator[StoredEvent]:
        """Yield every event after ``after_revision``, then new ones as they commit, until inactive.

        When the outbox closes (the server is draining) the follower raises Unavailable carrying the
        last revision it delivered, so the subscriber reconnects and resumes from there.
        """
        position = after_revision
        # The database's commit marker when `position` last caught up; while it has not moved, nothing
        # was committed since and the poll skips its reads (on SQLite; elsewhere there is no marker).
        caught_up_at = None
        while is_active():
            if self._closed:
                raise Unavailable("the server is shutting down; resume from the last revision received",
                                  reason="SHUTTING_DOWN", metadata={"resume_after_revision": position})
            marker = self._db.commit_marker()
            if marker is None or marker != caught_up_at:
                # Reading up to a revision known to be committed lets a filtered follower skip past
                # events of other kinds without ever skipping one that commits later.
                upper = self.latest_revision()
                batch = (self.read_after(position, limit=batch_size, kinds=kinds, up_to=upper)
                         if upper > position else [])
                for stored in batch:
                    yield stored
                    position = stored.revision
                if len(batch) == batch_size:
                    continue
                position = max(position, upper)
                caught_up_at = marker
            with self._changed:
                if self._closed:
                    continue
                # A commit between the read and this lock would have notified nobody yet.
                if marker is None and self.latest_revision() > position:
                    continue
                if marker is not None and self._db.commit_marker() != marker:
                    continue
                self._changed.wait(self._poll_interval)

    def close(self) -> None:
        """Stop every follower (server shutdown)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
