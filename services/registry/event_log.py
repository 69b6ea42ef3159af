"""The registry's event feed: typed events appended to the outbox with the change, and the watch.

Each event is a ``RegistryEvent`` serialized without its revision and time, which the outbox
assigns; the watch fills them in from the stored row. The outbox kind is the event kind's name
without its prefix (``ALIAS_MOVED``) and the subject is the model name, so a watch filters both
without decoding payloads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from sqlalchemy.orm import Session

from services.common.errors import InvalidArgument, OutOfRange
from services.common.events import EventOutbox
from services.common.interceptors import request_id_var
from services.registry import converters
from services.registry.records import AliasChange, ModelVersion, RegisteredModel, StaleReason
from sextant.registry.v1 import events_pb2

_PREFIX = "REGISTRY_EVENT_KIND_"


def kind_name(number: int) -> str:
    """The outbox kind of a RegistryEventKind number."""
    return events_pb2.RegistryEventKind.Name(number).removeprefix(_PREFIX)


class RegistryEventLog:
    """Appends registry events inside the caller's write transaction."""

    def __init__(self, outbox: EventOutbox) -> None:
        self._outbox = outbox

    def _append(self, session: Session, kind: int, model_name: str, version: int, principal: str,
                request_id: str | None = None, **payload: object) -> int:
        event = events_pb2.RegistryEvent(
            kind=kind, model_name=model_name, version=version, principal=principal,
            request_id=request_id_var.get() if request_id is None else request_id, **payload)
        return self._outbox.append(session, kind_name(kind), model_name, event.SerializeToString())

    def model_created(self, session: Session, model: RegisteredModel) -> int:
        """MODEL_CREATED."""
        return self._append(session, events_pb2.REGISTRY_EVENT_KIND_MODEL_CREATED, model.name, 0, model.creator,
                            model_created=events_pb2.ModelCreatedEvent(model=converters.model_to_proto(model)))

    def model_deleted(self, session: Session, model: RegisteredModel, deleted_versions: int, principal: str) -> int:
        """MODEL_DELETED."""
        return self._append(session, events_pb2.REGISTRY_EVENT_KIND_MODEL_DELETED, model.name, 0, principal,
                            model_deleted=events_pb2.ModelDeletedEvent(
                                model=converters.model_to_proto(model), deleted_version_count=deleted_versions))

    def version_created(self, session: Session, version: ModelVersion) -> int:
        """VERSION_CREATED."""
        return self._append(session, events_pb2.REGISTRY_EVENT_KIND_VERSION_CREATED, version.model_name,
                            version.version, version.creator, version_created=events_pb2.VersionCreatedEvent(
                                model_version=converters.version_to_proto(version, full=False)))

    def version_validating(self, session: Session, version: ModelVersion, principal: str) -> int:
        """VERSION_VALIDATING: the artifact is stored and verified, the background validation queued."""
        return self._append(session, events_pb2.REGISTRY_EVENT_KIND_VERSION_VALIDATING, version.model_name,
                            version.version, principal, version_validating=events_pb2.VersionValidatingEvent(
                                model_version=converters.version_to_proto(version, full=False)))

    def version_finished(self, session: Session, version: ModelVersion, principal: str,
                         request_id: str | None = None) -> int:
        """VERSION_READY or VERSION_FAILED, by the version's status (``request_id``: the upload's, when
        the background validator finishes it)."""
        basic = converters.version_to_proto(version, full=False)
        if version.status == "READY":
            return self._append(session, events_pb2.REGISTRY_EVENT_KIND_VERSION_READY, version.model_name,
                                version.version, principal, request_id=request_id,
                                version_ready=events_pb2.VersionReadyEvent(model_version=basic))
        return self._append(session, events_pb2.REGISTRY_EVENT_KIND_VERSION_FAILED, version.model_name,
                            version.version, principal, request_id=request_id,
                            version_failed=events_pb2.VersionFailedEvent(model_version=basic))

    def alias_moved(self, session: Session, change: AliasChange, *, protected: bool, verdict: int,
                    owner_team: str) -> int:
        """ALIAS_MOVED (the change's revision is the one this returns; the caller stores it)."""
        return self._append(session, events_pb2.REGISTRY_EVENT_KIND_ALIAS_MOVED, change.model_name,
                            change.to_version, change.principal, alias_moved=events_pb2.AliasMovedEvent(
                                change=converters.change_to_proto(change), protected=protected,
                                verdict=verdict, owner_team=owner_team))

    def alias_deleted(self, session: Session, change: AliasChange, *, protected: bool, owner_team: str) -> int:
        """ALIAS_DELETED."""
        return self._append(session, events_pb2.REGISTRY_EVENT_KIND_ALIAS_DELETED, change.model_name,
                            change.from_version, change.principal, alias_deleted=events_pb2.AliasDeletedEvent(
                                change=converters.change_to_proto(change), protected=protected,
                                owner_team=owner_team))

    def marked_stale(self, session: Session, version: ModelVersion, added: Sequence[StaleReason],
                     principal: str, request_id: str | None = None) -> int:
        """VERSION_MARKED_STALE."""
        return self._append(
            session, events_pb2.REGISTRY_EVENT_KIND_VERSION_MARKED_STALE, version.model_name, version.version,
            principal, request_id=request_id, version_marked_stale=events_pb2.VersionMarkedStaleEvent(
                added_reasons=[converters.stale_reason_to_proto(r) for r in added],
                all_reasons=[converters.stale_reason_to_proto(r) for r in version.stale_reasons],
                aliases=list(version.aliases), owner_team=version.owner_team))

    def stale_cleared(self, session: Session, version: ModelVersion, cleared: Sequence[StaleReason],
                      reason: str, principal: str) -> int:
        """VERSION_STALE_CLEARED."""
        return self._append(
            session, events_pb2.REGISTRY_EVENT_KIND_VERSION_STALE_CLEARED, version.model_name, version.version,
            principal, version_stale_cleared=events_pb2.VersionStaleClearedEvent(
                cleared_reasons=[converters.stale_reason_to_proto(r) for r in cleared], reason=reason,
                owner_team=version.owner_team))

    def watch(self, after_revision: int, *, model_names: Sequence[str], kinds: Sequence[int],
              is_active: Callable[[], bool]) -> Iterator[events_pb2.RegistryEvent]:
        """Stored events after ``after_revision``, then live ones, filtered by model and kind."""
        if after_revision < 0:
            raise InvalidArgument("after_revision", f"expected 0 or a positive revision, got {after_revision}")
        for i, kind in enumerate(kinds):
            if kind == events_pb2.REGISTRY_EVENT_KIND_UNSPECIFIED or kind not in events_pb2.RegistryEventKind.values():
                raise InvalidArgument(f"kinds[{i}]", "expected a registry event kind other than UNSPECIFIED")
        latest = self._outbox.latest_revision()
        if after_revision > latest:
            raise OutOfRange(f"after_revision {after_revision} is above the newest revision {latest}; "
                             "re-read the state and resume from 0", reason="REVISION_AHEAD",
                             metadata={"after_revision": after_revision, "latest_revision": latest})
        wanted_models = set(model_names)
        for stored in self._outbox.follow(after_revision, kinds=[kind_name(k) for k in kinds], is_active=is_active):
            if wanted_models and stored.subject not in wanted_models:
                continue
            event = events_pb2.RegistryEvent.FromString(stored.payload)
            event.revision = stored.revision
            event.event_time.CopyFrom(converters.timestamp(stored.created_at))
            # An alias change is stored before its revision is known; the revision is the event's.
            payload = event.WhichOneof("payload")
            if payload in ("alias_moved", "alias_deleted"):
                getattr(event, payload).change.revision = stored.revision
            yield event
