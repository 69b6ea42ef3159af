"""The definition store: applies definition sets and serves reads from an in-memory snapshot.

The snapshot is rebuilt lazily after any definition-change event: this process invalidates it when
its own apply commits, and a follower of the event outbox invalidates it when another replica
commits, so lookups on the request path never query the database for definitions.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from services.common.db import Database
from services.common.errors import Aborted, InvalidArgument, NotFound, Unavailable
from services.common.events import EventOutbox
from services.common.logging import get_logger
from services.common.pagination import next_page_token, page_request
from services.featurestore import repository
from services.featurestore.definitions import deletion
from services.featurestore.definitions.plan import ApplyOutcome, plan_apply
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from sextant.featurestore.v1 import events_pb2, resources_pb2

EVENT_KIND = "featurestore.definition_change"
_log = get_logger("featurestore.definitions")


@dataclass(frozen=True)
class ApplyResult:
    """What an apply did (or would do)."""

    outcome: ApplyOutcome
    applied: bool
    revision: int


def _subject(event: events_pb2.DefinitionChangeEvent) -> str:
    which = event.WhichOneof("payload")
    if which == "entity_change":
        return f"entity/{event.entity_change.entity}"
    if which == "feature_view_change":
        return f"feature_view/{event.feature_view_change.feature_view}"
    return f"feature_service/{event.feature_service_change.feature_service}"


class DefinitionStore:
    """Entities, feature view versions and feature services, with their change events."""

    def __init__(self, database: Database, outbox: EventOutbox) -> None:
        self._db = database
        self._outbox = outbox
        self._lock = threading.Lock()
        self._snapshot: DefinitionSnapshot | None = None
        self._generation = 0
        self._listeners: list[Callable[[], None]] = []
        self._stopped = threading.Event()
        self._follower: threading.Thread | None = None

    # -- cache ---------------------------------------------------------------------------------
    def snapshot(self) -> DefinitionSnapshot:
        """The current snapshot, loaded from the database only after an invalidation."""
        snapshot = self._snapshot
        if snapshot is not None:
            return snapshot
        with self._lock:
            if self._snapshot is None:
                generation = self._generation
                with self._db.read() as session:
                    loaded = DefinitionSnapshot.load(session)
                if generation == self._generation:
                    self._snapshot = loaded
                return loaded
            return self._snapshot

    def invalidate(self) -> None:
        """Forget the snapshot; the next read reloads it."""
        self._generation += 1
        self._snapshot = None
        for listener in list(self._listeners):
            listener()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every invalidation (caches derived from definitions)."""
        self._listeners.append(listener)

    def start_follower(self) -> Callable[[], None]:
        """Follow the outbox in a thread and invalidate on every definition event; returns its stopper."""
        start = self._outbox.latest_revision()

        def run() -> None:
            try:
                for _event in self._outbox.follow(start, kinds=(EVENT_KIND,),
                                                  is_active=lambda: not self._stopped.is_set()):
                    self.invalidate()
            except Unavailable:
                return  # the outbox closed: the server is stopping
            except Exception:  # noqa: BLE001 - a dead follower must not kill the process; log it
                _log.exception("definition follower stopped")

        self._follower = threading.Thread(target=run, name="featurestore-definition-follower", daemon=True)
        self._follower.start()

        def stop() -> None:
            self._stopped.set()
            self._outbox.notify()
            self._follower.join(timeout=5)  # type: ignore[union-attr]

        return stop

    # -- writes --------------------------------------------------------------------------------
    def apply(self, entities: list[resources_pb2.Entity], views: list[resources_pb2.FeatureView],
              services: list[resources_pb2.FeatureService], *, dry_run: bool, prune: bool,
              expected_plan_digest: str, change_note: str, principal: str) -> ApplyResult:
        """Plan the set and, unless ``dry_run``, write it and its events in one transaction."""
        now = datetime.now(UTC)
        if dry_run:
            with self._db.read() as session:
                outcome = plan_apply(DefinitionSnapshot.load(session), entities, views, services,
                                     now=now, principal=principal, prune=prune)
            self._check_digest(outcome, expected_plan_digest)
            return ApplyResult(outcome, False, 0)
        apply_id = uuid.uuid4().hex
        revision = 0
        with self._db.write() as session:
            outcome = plan_apply(DefinitionSnapshot.load(session), entities, views, services,
                                 now=now, principal=principal, prune=prune)
            self._check_digest(outcome, expected_plan_digest)
            for kind, definition, exists in outcome.writes:
                self._write(session, kind, definition, exists, now)
            revision = self._emit(session, outcome.events, now, principal, apply_id, change_note)
        if outcome.events:
            self.invalidate()
        return ApplyResult(outcome, True, revision)

    def _emit(self, session: Session, events: list[events_pb2.DefinitionChangeEvent], now: datetime, principal: str,
              apply_id: str, change_note: str) -> int:
        revision = 0
        for event in events:
            event.event_time.FromDatetime(now)
            event.principal = principal
            event.apply_id = apply_id
            event.change_note = change_note
            revision = self._outbox.append(session, EVENT_KIND, _subject(event), event.SerializeToString())
        return revision

    def delete(self, kind: str, name: str, *, change_note: str, principal: str) -> tuple[object, int]:
        """Delete one live entity, feature view or feature service; returns it as deleted and the revision."""
        now = datetime.now(UTC)
        with self._db.write() as session:
            snapshot = DefinitionSnapshot.load(session)
            live_views = [v for n in snapshot.heads if (v := snapshot.latest_view(n)) is not None]
            if kind == "entity":
                current = snapshot.live_entity(name)
                if current is None:
                    raise NotFound("entity", name)
                deletion.check_entity_unused(name, live_views)
            elif kind == "feature_view":
                current = snapshot.latest_view(name)
                if current is None:
                    raise NotFound("feature_view", name)
                deletion.check_view_unused(name, [s for n, s in snapshot.services.items()
                                                  if snapshot.live_service(n) is not None])
            else:
                current = snapshot.live_service(name)
                if current is None:
                    raise NotFound("feature_service", name)
            stored = deletion.deleted_copy(current, now)
            self._write(session, f"delete_{kind}", stored, True, now)
            revision = self._emit(session, [deletion.deletion_event(kind, stored)], now, principal,
                                  uuid.uuid4().hex, change_note)
        self.invalidate()
        return stored, revision

    @staticmethod
    def _check_digest(outcome: ApplyOutcome, expected: str) -> None:
        if expected and expected != outcome.plan.digest:
            raise Aborted("the plan differs from the reviewed plan; review a new dry run",
                          reason="PLAN_CHANGED", metadata={"expected_digest": expected,
                                                           "actual_digest": outcome.plan.digest})

    @staticmethod
    def _write(session: object, kind: str, definition: object, exists: bool, now: datetime) -> None:
        blob = definition.SerializeToString()  # type: ignore[attr-defined]
        if kind == "entity":
            repository.upsert_entity(session, definition.name, definition.owner_team, blob, now, exists)  # type: ignore[attr-defined,arg-type]
        elif kind == "service":
            repository.upsert_service(session, definition.name, definition.owner_team, blob, now, exists)  # type: ignore[attr-defined,arg-type]
        elif kind == "view_version":
            view: resources_pb2.FeatureView = definition  # type: ignore[assignment]
            stored = resources_pb2.FeatureView()
            stored.CopyFrom(view)
            stored.ClearField("latest_version")
            repository.insert_view_version(session, view.name, view.version, view.fingerprint,  # type: ignore[arg-type]
                                           stored.SerializeToString(), view.owner_team, now, exists)
        elif kind == "delete_entity":
            repository.mark_entity_deleted(session, definition.name, blob, now)  # type: ignore[attr-defined,arg-type]
        elif kind == "delete_feature_service":
            repository.mark_service_deleted(session, definition.name, blob, now)  # type: ignore[attr-defined,arg-type]
        elif kind == "delete_feature_view":
            repository.mark_view_deleted(session, definition.name, now)  # type: ignore[attr-defined,arg-type]
        else:
            view = definition  # type: ignore[assignment]
            stored = resources_pb2.FeatureView()
            stored.CopyFrom(view)
            stored.ClearField("latest_version")
            repository.replace_view_version(session, view.name, view.version, stored.SerializeToString(),  # type: ignore[arg-type]
                                            view.owner_team, now)

    # -- reads ---------------------------------------------------------------------------------
    def get_entity(self, name: str) -> resources_pb2.Entity:
        """One live entity."""
        entity = self.snapshot().live_entity(name)
        if entity is None:
            raise NotFound("entity", name)
        return entity

    def get_view(self, name: str, version: int = 0) -> resources_pb2.FeatureView:
        """A view version; 0 = the latest of a live view."""
        if version < 0:
            raise InvalidArgument("version", "expected 0 (latest) or a positive version")
        return self.snapshot().view(name, version)

    def get_service(self, name: str) -> resources_pb2.FeatureService:
        """One live feature service."""
        service = self.snapshot().live_service(name)
        if service is None:
            raise NotFound("feature_service", name)
        return service

    def list_entities(self, page_size: int, page_token: str, *, owner_team: str = "",
                      show_deleted: bool = False) -> tuple[list[resources_pb2.Entity], str]:
        """Entities ordered by name, live ones only unless ``show_deleted``, optionally of one team."""
        snapshot = self.snapshot()
        items = [e for _n, e in sorted(snapshot.entities.items())
                 if (show_deleted or not e.HasField("delete_time"))
                 and (not owner_team or e.owner_team == owner_team)]
        filters = {"owner_team": owner_team, "show_deleted": show_deleted}
        return _page(items, page_size, page_token, filters, lambda e: e.name)

    def list_views(self, page_size: int, page_token: str, *, owner_team: str = "", entity: str = "",
                   source_kind: int = 0, tags: dict[str, str] | None = None, protected_basis: int = 0,
                   show_deleted: bool = False, order_by: str = "") -> tuple[list[resources_pb2.FeatureView], str]:
        """The latest version of each view, filtered and ordered by name."""
        if order_by not in ("", "name", "update_time desc"):
            raise InvalidArgument("order_by", "expected `name` or `update_time desc`")
        snapshot = self.snapshot()
        tags = tags or {}
        items = []
        for name, head in sorted(snapshot.heads.items()):
            if head.delete_time is not None and not show_deleted:
                continue
            view = snapshot.versions[(name, head.latest_version)]
            if owner_team and view.owner_team != owner_team:
                continue
            if entity and entity not in view.entities:
                continue
            if source_kind and view.source_kind != source_kind:
                continue
            if any(view.tags.get(k) != v for k, v in tags.items()):
                continue
            if protected_basis and not any(f.protected_basis == protected_basis for f in view.features):
                continue
            items.append(view)
        filters = {"owner_team": owner_team, "entity": entity, "source_kind": source_kind, "tags": tags,
                   "protected_basis": protected_basis, "show_deleted": show_deleted, "order_by": order_by}
        if order_by == "update_time desc":
            def newest_first(v: resources_pb2.FeatureView) -> list:
                return [-snapshot.heads[v.name].update_time.timestamp(), v.name]

            return _page(sorted(items, key=newest_first), page_size, page_token, filters, newest_first)
        return _page(items, page_size, page_token, filters, lambda v: v.name)

    def list_view_versions(self, name: str, page_size: int, page_token: str
                           ) -> tuple[list[resources_pb2.FeatureView], str]:
        """Every version of one view, newest first."""
        snapshot = self.snapshot()
        if name not in snapshot.heads:
            raise NotFound("feature_view", name)
        items = sorted((v for (n, _), v in snapshot.versions.items() if n == name), key=lambda v: -v.version)
        return _page(items, page_size, page_token, {"name": name}, lambda v: -v.version)

    def list_services(self, page_size: int, page_token: str, *, owner_team: str = "", feature_view: str = "",
                      show_deleted: bool = False) -> tuple[list[resources_pb2.FeatureService], str]:
        """Feature services ordered by name."""
        snapshot = self.snapshot()
        items = [s for _n, s in sorted(snapshot.services.items())
                 if (show_deleted or not s.HasField("delete_time"))
                 and (not owner_team or s.owner_team == owner_team)
                 and (not feature_view or any(r.feature_view == feature_view for r in s.features))]
        filters = {"owner_team": owner_team, "feature_view": feature_view, "show_deleted": show_deleted}
        return _page(items, page_size, page_token, filters, lambda s: s.name)

    def watch(self, after_revision: int, *, feature_views: list[str], owner_teams: list[str], kinds: list[int],
              is_active: Callable[[], bool]) -> Iterator[events_pb2.DefinitionChangeEvent]:
        """Stored then live definition-change events after a revision, filtered."""
        if after_revision < 0:
            raise InvalidArgument("after_revision", "expected 0 or a positive revision")
        for stored in self._outbox.follow(after_revision, kinds=(EVENT_KIND,), is_active=is_active):
            event = events_pb2.DefinitionChangeEvent.FromString(stored.payload)
            event.revision = stored.revision
            payload = getattr(event, event.WhichOneof("payload"))
            if feature_views and (event.WhichOneof("payload") != "feature_view_change"
                                  or payload.feature_view not in feature_views):
                continue
            if owner_teams and payload.owner_team not in owner_teams:
                continue
            if kinds and event.kind not in kinds:
                continue
            yield event


def _page(items: list, page_size: int, page_token: str, filters: dict,
          key: Callable[[object], object]) -> tuple[list, str]:
    request = page_request(page_size, page_token, filters)
    if request.after is not None:
        try:
            items = [i for i in items if key(i) > request.after[0]]
        except TypeError:
            raise InvalidArgument("page_token", "expected a token returned by a previous call") from None
    page = items[:request.size]
    more = len(items) > request.size
    return page, next_page_token((key(page[-1]),) if more and page else None, filters)
