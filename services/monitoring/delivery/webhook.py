"""Webhook sinks: alert events POSTed with an HMAC-SHA256 signature, retried with backoff.

A background thread follows the alert events in the outbox from a cursor stored in the database,
queues one delivery per matching sink (in the same transaction that advances the cursor, so a
restart neither loses nor repeats a queued delivery), and attempts the due deliveries: the body is
the proto3 JSON of the AlertEvent; headers carry the revision, a Unix timestamp and
``X-Sextant-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``. Failures retry with
exponential backoff (initial delay doubling, capped) up to the sink's max_attempts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

import sqlalchemy as sa
from google.protobuf import json_format

from services.common.auth import current_principal
from services.common.db import Database
from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.common.events import EventOutbox
from services.common.fieldmask import checked_paths
from services.common.logging import get_logger
from services.monitoring import repository as repo
from services.monitoring.alerts.lifecycle import ALERT_EVENT
from services.monitoring.naming import check_name, now_us
from sextant.monitoring.v1 import alerts_pb2

DEFAULT_MAX_ATTEMPTS = 8
_CURSOR = "webhooks"
#: Longest wait, while no event is appended and no retry falls due, before the deliverer looks at the
#: queued deliveries again (for those a replica queued and could not attempt).
_SWEEP_SECONDS = 10.0
_UPDATABLE = {"description", "url", "secret_ref", "teams", "min_severity", "event_kinds", "max_attempts", "disabled"}
_log = get_logger("monitoring.webhooks")


def resolve_secret(reference: str) -> str | None:
    """The secret a `env:NAME` reference points at, or None when it cannot be resolved."""
    scheme, _, name = reference.partition(":")
    if scheme == "env" and name:
        return os.environ.get(name)
    return None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Sextant-Signature header value of a delivery."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def sink_accepts(sink: alerts_pb2.WebhookSink, event: alerts_pb2.AlertEvent) -> bool:
    """Whether a sink wants an event."""
    alert = event.alert_change.alert
    if sink.disabled:
        return False
    if sink.teams and alert.routed_team not in sink.teams:
        return False
    if sink.min_severity and alert.severity < sink.min_severity:
        return False
    if sink.event_kinds:
        return event.kind in sink.event_kinds
    if event.kind == alerts_pb2.ALERT_EVENT_KIND_UPDATED:
        return False
    # Notifications of a silenced alert are suppressed, except the news that it was silenced.
    return not (alert.state == alerts_pb2.ALERT_STATE_SILENCED and event.kind != alerts_pb2.ALERT_EVENT_KIND_SILENCED)


class WebhookSinks:
    """CRUD of sinks and the background deliverer."""

    def __init__(self, database: Database, outbox: EventOutbox, *, allow_http: bool, initial_backoff: float,
                 max_backoff: float, timeout: float, poll_interval: float = 0.2) -> None:
        self._db = database
        self._outbox = outbox
        self._allow_http = allow_http
        self._initial = initial_backoff
        self._max = max_backoff
        self._timeout = timeout
        self._poll = poll_interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- CRUD --------------------------------------------------------------------------------------

    def _validate(self, sink: alerts_pb2.WebhookSink) -> None:
        check_name("webhook_sink.name", sink.name)
        url = urlparse(sink.url)
        if url.scheme not in (("https", "http") if self._allow_http else ("https",)) or not url.netloc:
            allowed = "an https URL" + (" (or http in dev mode)" if self._allow_http else "")
            raise InvalidArgument("webhook_sink.url", f"expected {allowed}")
        if resolve_secret(sink.secret_ref) is None:
            raise InvalidArgument("webhook_sink.secret_ref", f"cannot resolve {sink.secret_ref!r}; expected "
                                                              "`env:<VARIABLE>` naming a set variable")
        if sink.max_attempts < 0:
            raise InvalidArgument("webhook_sink.max_attempts", "expected 0 (server default) or more")

    def create(self, sink: alerts_pb2.WebhookSink) -> alerts_pb2.WebhookSink:
        """Register a sink."""
        self._validate(sink)
        stored = alerts_pb2.WebhookSink()
        stored.CopyFrom(sink)
        for output_only in ("last_delivery_time", "failed_delivery_count", "create_time", "creator"):
            stored.ClearField(output_only)
        stamp = now_us()
        stored.create_time.FromMicroseconds(stamp)
        stored.creator = current_principal().subject
        with self._db.write() as session:
            if repo.get_row(session, repo.webhook_sinks, name=sink.name) is not None:
                raise AlreadyExists(f"webhook sink {sink.name!r} already exists", reason="WEBHOOK_SINK_EXISTS",
                                    metadata={"name": sink.name})
            repo.insert_row(session, repo.webhook_sinks, name=stored.name, body=stored.SerializeToString(),
                            create_us=stamp)
        return stored

    def get(self, name: str) -> alerts_pb2.WebhookSink:
        """One sink with its delivery statistics."""
        with self._db.read() as session:
            row = repo.get_row(session, repo.webhook_sinks, name=name)
            if row is None:
                raise NotFound("webhook_sink", name)
            return self._decorate(session, row)

    def _decorate(self, session: sa.orm.Session, row: object) -> alerts_pb2.WebhookSink:
        sink = alerts_pb2.WebhookSink.FromString(row.body)  # type: ignore[attr-defined]
        table = repo.deliveries
        failed = session.execute(sa.select(sa.func.count()).select_from(table).where(
            table.c.sink == sink.name, table.c.state == alerts_pb2.DELIVERY_STATE_FAILED)).scalar() or 0
        last = session.execute(sa.select(sa.func.max(table.c.last_attempt_us)).where(
            table.c.sink == sink.name, table.c.state == alerts_pb2.DELIVERY_STATE_DELIVERED)).scalar()
        sink.failed_delivery_count = int(failed)
        if last:
            sink.last_delivery_time.FromMicroseconds(int(last))
        return sink

    def list(self, team: str, after: tuple[object, ...] | None, size: int
             ) -> tuple[list[alerts_pb2.WebhookSink], tuple[object, ...] | None]:
        """(sinks of one page by name, the key to resume after or None); with a team, its sinks only."""
        with self._db.read() as session:
            rows = repo.page(session, repo.webhook_sinks, [repo.webhook_sinks.c.name], ["name"], after, size, [])
            more = len(rows) > size
            rows = rows[:size]
            sinks = [self._decorate(session, row) for row in rows]
        chosen = [s for s in sinks if not team or not s.teams or team in s.teams]
        return chosen, ((rows[-1].name,) if more else None)

    def update(self, sink: alerts_pb2.WebhookSink, paths: list[str]) -> alerts_pb2.WebhookSink:
        """Change the named fields of a sink."""
        checked_paths(paths, _UPDATABLE)
        with self._db.write() as session:
            row = repo.get_row(session, repo.webhook_sinks, name=sink.name)
            if row is None:
                raise NotFound("webhook_sink", sink.name)
            stored = alerts_pb2.WebhookSink.FromString(row.body)
            for path in paths:
                field = stored.DESCRIPTOR.fields_by_name[path]
                if field.label == field.LABEL_REPEATED:
                    del getattr(stored, path)[:]
                    getattr(stored, path).extend(getattr(sink, path))
                else:
                    setattr(stored, path, getattr(sink, path))
            self._validate(stored)
            repo.update_row(session, repo.webhook_sinks, {"name": stored.name}, body=stored.SerializeToString())
        self._wake.set()
        return self.get(sink.name)

    def delete(self, name: str) -> None:
        """Delete a sink and drop its pending deliveries."""
        with self._db.write() as session:
            if repo.delete_rows(session, repo.webhook_sinks, name=name) == 0:
                raise NotFound("webhook_sink", name)
            repo.delete_rows(session, repo.deliveries, sink=name)

    def deliveries_of(self, alert_name: str) -> list[alerts_pb2.AlertDelivery]:
        """The latest delivery per sink of an alert."""
        table = repo.deliveries
        with self._db.read() as session:
            rows = session.execute(sa.select(table).where(table.c.alert == alert_name)
                                   .order_by(table.c.sink, table.c.event_revision)).all()
        latest: dict[str, alerts_pb2.AlertDelivery] = {}
        for row in rows:
            delivery = alerts_pb2.AlertDelivery(sink=row.sink, event_revision=row.event_revision, state=row.state,
                                                attempts=row.attempts, last_error=row.last_error)
            if row.last_attempt_us:
                delivery.last_attempt_time.FromMicroseconds(int(row.last_attempt_us))
            latest[row.sink] = delivery
        return list(latest.values())

    # --- the deliverer -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background deliverer."""
        self._thread = threading.Thread(target=self._run, name="monitoring-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the deliverer (server shutdown); queued deliveries resume after a restart."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        # A round reads the cursor, the sinks and the due deliveries (several read transactions: up to
        # several ms of interpreter time, taken from requests in flight). It runs when an event was
        # appended since the last round, when the earliest retry falls due (the last round says
        # when), and otherwise every _SWEEP_SECONDS. Between rounds a poll is one query, and none on
        # SQLite while the database's commit marker has not moved (nothing committed, so no event).
        seen: int | None = None
        looked_at: int | None = None
        next_round = 0.0
        while not self._stop.is_set():
            try:
                marker = self._db.commit_marker()
                now = time.monotonic()
                if marker is None or marker != looked_at or now >= next_round:
                    latest = self._outbox.latest_revision()
                    if latest != seen or now >= next_round:
                        self._enqueue()
                        next_round = now + min(_SWEEP_SECONDS, self._attempt_due())
                        seen = latest
                    looked_at = marker
            except Exception as error:  # noqa: BLE001 - the deliverer must survive a bad moment (db restart)
                _log.warning("webhook delivery round failed", error=str(error))
                seen = looked_at = None
            self._wake.wait(self._poll)
            self._wake.clear()

    def _enqueue(self) -> None:
        with self._db.read() as session:
            cursor = repo.get_row(session, repo.cursors, name=_CURSOR)
            sinks = [alerts_pb2.WebhookSink.FromString(r.body) for r in session.execute(sa.select(repo.webhook_sinks))]
        position = int(cursor.revision) if cursor else 0
        events = self._outbox.read_after(position, limit=500, kinds=[ALERT_EVENT],
                                         up_to=self._outbox.latest_revision())
        if not events:
            return
        stamp = now_us()
        with self._db.write() as session:
            for stored in events:
                event = alerts_pb2.AlertEvent.FromString(stored.payload)
                for sink in sinks:
                    if sink_accepts(sink, event):
                        repo.insert_row(session, repo.deliveries, sink=sink.name, event_revision=stored.revision,
                                        alert=event.alert_change.alert.name, state=alerts_pb2.DELIVERY_STATE_PENDING,
                                        attempts=0, next_attempt_us=stamp, last_attempt_us=None, last_error="")
            last = events[-1].revision
            if cursor is None:
                repo.insert_row(session, repo.cursors, name=_CURSOR, revision=last)
            else:
                repo.update_row(session, repo.cursors, {"name": _CURSOR}, revision=last)

    def _attempt_due(self) -> float:
        """Attempt every delivery due now; returns the seconds until the next one falls due."""
        table = repo.deliveries
        with self._db.read() as session:
            due = session.execute(sa.select(table).where(
                table.c.state.in_([alerts_pb2.DELIVERY_STATE_PENDING, alerts_pb2.DELIVERY_STATE_RETRYING]),
                table.c.next_attempt_us <= now_us()).order_by(table.c.event_revision).limit(100)).all()
            sinks = {r.name: alerts_pb2.WebhookSink.FromString(r.body)
                     for r in session.execute(sa.select(repo.webhook_sinks))}
        for delivery in due:
            if self._stop.is_set():
                return 0.0
            sink = sinks.get(delivery.sink)
            if sink is None:
                continue
            events = self._outbox.read_after(delivery.event_revision - 1, limit=1, up_to=delivery.event_revision)
            if not events:
                continue
            error = self._post(sink, events[0])
            attempts = delivery.attempts + 1
            stamp = now_us()
            if error is None:
                state, next_us = alerts_pb2.DELIVERY_STATE_DELIVERED, stamp
            elif attempts >= (sink.max_attempts or DEFAULT_MAX_ATTEMPTS):
                state, next_us = alerts_pb2.DELIVERY_STATE_FAILED, stamp
            else:
                delay = min(self._initial * 2 ** (attempts - 1), self._max)
                state, next_us = alerts_pb2.DELIVERY_STATE_RETRYING, stamp + int(delay * 1_000_000)
            with self._db.write() as session:
                repo.update_row(session, table, {"sink": delivery.sink, "event_revision": delivery.event_revision},
                                state=state, attempts=attempts, next_attempt_us=next_us, last_attempt_us=stamp,
                                last_error=error or "")
        with self._db.read() as session:
            upcoming = session.execute(sa.select(sa.func.min(table.c.next_attempt_us)).where(
                table.c.state.in_([alerts_pb2.DELIVERY_STATE_PENDING, alerts_pb2.DELIVERY_STATE_RETRYING]))).scalar()
        return _SWEEP_SECONDS if upcoming is None else max(0.0, (int(upcoming) - now_us()) / 1_000_000)

    def _post(self, sink: alerts_pb2.WebhookSink, stored: object) -> str | None:
        event = alerts_pb2.AlertEvent.FromString(stored.payload)  # type: ignore[attr-defined]
        event.revision = stored.revision  # type: ignore[attr-defined]
        event.alert_change.alert.revision = stored.revision  # type: ignore[attr-defined]
        body = json_format.MessageToJson(event, indent=None).encode()
        secret = resolve_secret(sink.secret_ref)
        if secret is None:
            return f"the secret reference {sink.secret_ref} cannot be resolved"
        timestamp = str(int(time.time()))
        request = urllib.request.Request(sink.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Sextant-Event-Revision": str(event.revision),
            "X-Sextant-Timestamp": timestamp, "X-Sextant-Signature": signature(secret, timestamp, body)})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 - URL validated
                if 200 <= response.status < 300:
                    return None
                return f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            return f"{type(error).__name__}: {error}"
