"""An immutable in-memory copy of every definition, the read model of lookups on the request path."""

from __future__ import annotations

from dataclasses import dataclass, field

from google.protobuf import timestamp_pb2
from sqlalchemy.orm import Session

from services.common.errors import NotFound
from services.featurestore import repository
from sextant.featurestore.v1 import resources_pb2


def _set_time(target: timestamp_pb2.Timestamp, value: object) -> None:
    if value is not None:
        target.FromDatetime(value)  # type: ignore[arg-type]


@dataclass
class DefinitionSnapshot:
    """Every entity, feature view version and feature service, as committed at one point."""

    entities: dict[str, resources_pb2.Entity] = field(default_factory=dict)
    #: Head row of every view (latest version, deletion, watermark).
    heads: dict[str, repository.ViewRow] = field(default_factory=dict)
    #: Every stored version, with the output-only fields filled in.
    versions: dict[tuple[str, int], resources_pb2.FeatureView] = field(default_factory=dict)
    services: dict[str, resources_pb2.FeatureService] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> DefinitionSnapshot:
        """Read every definition in one transaction."""
        snapshot = cls()
        for name, (blob, _deleted) in repository.load_entities(session).items():
            snapshot.entities[name] = resources_pb2.Entity.FromString(blob)
        snapshot.heads = repository.load_view_heads(session)
        for key, (_fp, blob) in repository.load_view_versions(session).items():
            view = resources_pb2.FeatureView.FromString(blob)
            head = snapshot.heads.get(key[0])
            if head is not None:
                view.latest_version = head.latest_version
                _set_time(view.materialization_watermark, head.materialization_watermark)
                if head.delete_time is not None and key[1] == head.latest_version:
                    _set_time(view.delete_time, head.delete_time)
            snapshot.versions[key] = view
        for name, (blob, _deleted) in repository.load_services(session).items():
            snapshot.services[name] = resources_pb2.FeatureService.FromString(blob)
        return snapshot

    def live_entity(self, name: str) -> resources_pb2.Entity | None:
        """The entity if it exists and is not deleted."""
        entity = self.entities.get(name)
        return entity if entity is not None and not entity.HasField("delete_time") else None

    def latest_view(self, name: str) -> resources_pb2.FeatureView | None:
        """The latest version of a view that exists and is not deleted."""
        head = self.heads.get(name)
        if head is None or head.delete_time is not None:
            return None
        return self.versions[(name, head.latest_version)]

    def view(self, name: str, version: int = 0) -> resources_pb2.FeatureView:
        """A view version (0 = the latest of a live view); NOT_FOUND naming what is missing."""
        head = self.heads.get(name)
        if head is None:
            raise NotFound("feature_view", name)
        if version == 0:
            if head.delete_time is not None:
                raise NotFound("feature_view", name, reason="FEATURE_VIEW_DELETED")
            version = head.latest_version
        found = self.versions.get((name, version))
        if found is None:
            raise NotFound("feature_view_version", f"{name}@v{version}", metadata={"version": version})
        return found

    def live_service(self, name: str) -> resources_pb2.FeatureService | None:
        """The feature service if it exists and is not deleted."""
        service = self.services.get(name)
        return service if service is not None and not service.HasField("delete_time") else None

    def join_keys(self, view: resources_pb2.FeatureView) -> list[resources_pb2.JoinKey]:
        """The join keys of a view version, in entity then key order, as of that version."""
        keys: list[resources_pb2.JoinKey] = []
        seen: set[str] = set()
        for name in view.entities:
            entity = self.entities.get(name)
            if entity is None:
                continue
            for key in entity.join_keys:
                if key.name not in seen:
                    seen.add(key.name)
                    keys.append(key)
        return keys
