"""Following the registry's events: stale versions open alerts; new production versions get default rules.

A background thread follows ``RegistryService/WatchRegistryEvents`` from a cursor kept in the
database: each event is handled in the same transaction that advances the cursor, so after a restart
or a broken stream nothing is missed and nothing handled twice. VERSION_MARKED_STALE opens (or
updates) one alert per model version, routed to the owner team the event names; VERSION_STALE_CLEARED
resolves it. ALIAS_MOVED of `production` creates, once per model, a default monitor following the
alias with the default rules (dataset drift share, prediction drift, performance drop from training).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import grpc
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.logging import get_logger
from services.monitoring import repository as repo
from services.monitoring.alerts.lifecycle import AlertBook
from services.monitoring.naming import now_us
from services.monitoring.peers import GuardedPeer
from sextant.monitoring.v1 import alerts_pb2, resources_pb2
from sextant.registry.v1 import events_pb2, registry_service_pb2

_CURSOR = "registry-events"
_KINDS = [events_pb2.REGISTRY_EVENT_KIND_VERSION_MARKED_STALE, events_pb2.REGISTRY_EVENT_KIND_VERSION_STALE_CLEARED,
          events_pb2.REGISTRY_EVENT_KIND_ALIAS_MOVED]
PRODUCTION = "production"
_log = get_logger("monitoring.staleness")


def stale_key(model_name: str, version: int) -> str:
    """The dedup key of a version's stale alert."""
    return f"stale|{model_name}|{version}"


class RegistryEventFollower:
    """Turns the registry's events into alerts and default monitors."""

    def __init__(self, database: Database, registry: GuardedPeer, alerts: AlertBook, default_team: str,
                 retry_seconds: float, create_defaults: Callable[[str, int], None]) -> None:
        self._db = database
        self._create_defaults = create_defaults
        self._registry = registry
        self._alerts = alerts
        self._default_team = default_team
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._call: grpc.Future | None = None
        self._thread = threading.Thread(target=self._run, name="monitoring-registry-events", daemon=True)

    def start(self) -> None:
        """Start following."""
        self._thread.start()

    def stop(self) -> None:
        """Stop following (server shutdown)."""
        self._stop.set()
        call = self._call
        if call is not None:
            call.cancel()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except grpc.RpcError:
                # The registry is down or restarting: reconnect after a pause, from the stored cursor.
                if self._stop.is_set():
                    return
            except Exception as error:  # noqa: BLE001 - the follower must survive a bad moment
                _log.warning("registry event follower failed", error=str(error))
            self._stop.wait(self._retry)

    def _follow(self) -> None:
        with self._db.read() as session:
            cursor = repo.get_row(session, repo.cursors, name=_CURSOR)
        after = int(cursor.revision) if cursor else 0
        request = registry_service_pb2.WatchRegistryEventsRequest(after_revision=after, kinds=_KINDS)
        dependency = self._registry.dependency
        self._call = dependency.stub.WatchRegistryEvents(request, metadata=dependency.metadata())
        for message in self._call:
            if self._stop.is_set():
                return
            event = message.event
            if event.kind == events_pb2.REGISTRY_EVENT_KIND_ALIAS_MOVED:
                # Idempotent, and done in its own transactions, before the cursor moves past it.
                change = event.alias_moved.change
                if change.alias == PRODUCTION and change.to_version > 0:
                    self._create_defaults(event.model_name, change.to_version)
            with self._db.write() as session:
                if event.kind != events_pb2.REGISTRY_EVENT_KIND_ALIAS_MOVED:
                    self.handle(session, event)
                if cursor is None:
                    repo.insert_row(session, repo.cursors, name=_CURSOR, revision=message.event.revision)
                    cursor = True
                else:
                    repo.update_row(session, repo.cursors, {"name": _CURSOR}, revision=message.event.revision)

    def handle(self, session: Session, event: events_pb2.RegistryEvent) -> None:
        """Open, update or resolve the stale alert of the event's version."""
        key = stale_key(event.model_name, event.version)
        row = session.execute(sa.select(repo.alerts).where(repo.alerts.c.open_dedup_key == key)).first()
        if event.kind == events_pb2.REGISTRY_EVENT_KIND_VERSION_STALE_CLEARED:
            if row is not None:
                self._alerts.resolve(session, row.name, event.version_stale_cleared.reason or "staleness cleared",
                                     actor="")
            return
        marked = event.version_marked_stale
        reason = (marked.added_reasons or marked.all_reasons or [None])[-1]
        if row is not None:
            alert = alerts_pb2.Alert.FromString(row.body)
            if reason is not None:
                alert.staleness.CopyFrom(reason)
            self._alerts.save_system(session, alert, alerts_pb2.ALERT_EVENT_KIND_UPDATED, alert.state, new=False)
            return
        owner = marked.owner_team
        alert = alerts_pb2.Alert(
            name=f"al-{uuid.uuid4().hex[:16]}", source=alerts_pb2.ALERT_SOURCE_REGISTRY_STALE_VERSION,
            state=alerts_pb2.ALERT_STATE_FIRING, severity=alerts_pb2.SEVERITY_WARNING, dedup_key=key,
            model_name=event.model_name, model_version=event.version,
            metric=resources_pb2.MetricSelector(kind=resources_pb2.METRIC_KIND_MODEL_STALE),
            routed_team=owner or self._default_team,
            routing_reason=alerts_pb2.ROUTING_REASON_MODEL_OWNER if owner else alerts_pb2.ROUTING_REASON_DEFAULT_TEAM,
            routing_detail=(f"model {event.model_name} is owned by {owner}" if owner
                            else f"the registry named no owner; routed to the default team {self._default_team}"),
            summary=f"{event.model_name} v{event.version} is stale: "
                    f"{reason.message if reason is not None and reason.message else 'marked stale in the registry'}")
        if reason is not None:
            alert.staleness.CopyFrom(reason)
        stamp = now_us()
        alert.create_time.FromMicroseconds(stamp)
        alert.firing_time.FromMicroseconds(stamp)
        self._alerts.save_system(session, alert, alerts_pb2.ALERT_EVENT_KIND_FIRING, alerts_pb2.ALERT_STATE_UNSPECIFIED,
                                 new=True)
