"""Planning an apply: what a whole set of definitions creates, changes or leaves unchanged.

The planner is pure: given the current snapshot and the applied set it returns the plan, the
definitions as they will be stored and the change events, and the store writes them in one
transaction (or, for a dry run, writes nothing).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from services.common.errors import InvalidArgument, NotFound
from services.featurestore.definitions import deletion, diff, validation
from services.featurestore.definitions.fingerprint import canonical_view, fingerprint
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from sextant.featurestore.v1 import events_pb2, resources_pb2

_CREATED, _CHANGED, _UNCHANGED = (resources_pb2.CHANGE_TYPE_CREATED, resources_pb2.CHANGE_TYPE_CHANGED,
                                  resources_pb2.CHANGE_TYPE_UNCHANGED)


@dataclass
class ApplyOutcome:
    """The plan of an apply and everything to write if it is carried out."""

    plan: resources_pb2.ApplyPlan
    entities: list[resources_pb2.Entity]
    views: list[resources_pb2.FeatureView]
    services: list[resources_pb2.FeatureService]
    #: (kind, definition, exists before) to store; kind is entity, view_version, view_metadata or service.
    writes: list[tuple[str, object, bool]] = field(default_factory=list)
    #: Events to append, in order.
    events: list[events_pb2.DefinitionChangeEvent] = field(default_factory=list)
    #: Views deleted by pruning (their online values are removed after the commit).
    pruned_views: list[str] = field(default_factory=list)


def _compat(changes: list[resources_pb2.FieldChange]) -> int:
    if not changes:
        return resources_pb2.COMPATIBILITY_UNSPECIFIED
    if any(c.compatibility == diff.BREAKING for c in changes):
        return diff.BREAKING
    return diff.COMPATIBLE


def _unversioned(kind: int, stored, current, changes_of, now: datetime  # noqa: ANN001
                 ) -> tuple[resources_pb2.PlanItem, list[resources_pb2.FieldChange]]:
    """Plan an entity or a feature service (not versioned): created, changed in place or unchanged.

    ``stored`` is the applied definition as it will be stored; its times are filled in here.
    """
    item = resources_pb2.PlanItem(kind=kind, name=stored.name)
    changes: list[resources_pb2.FieldChange] = []
    if current is None:
        item.change_type = _CREATED
        stored.create_time.FromDatetime(now)
        stored.update_time.FromDatetime(now)
    else:
        changes = changes_of(current, stored)
        stored.create_time.CopyFrom(current.create_time)
        if changes:
            item.change_type = _CHANGED
            stored.update_time.FromDatetime(now)
        else:
            item.change_type = _UNCHANGED
            stored.CopyFrom(current)
    item.field_changes.extend(changes)
    item.compatibility = _compat(changes)
    return item, changes


def plan_digest(items: list[resources_pb2.PlanItem]) -> str:
    """The sha256 of a plan's canonical form."""
    canonical = [[i.kind, i.name, i.change_type, i.compatibility, i.creates_version, i.current_version,
                  i.new_version, i.new_fingerprint,
                  [[c.path, c.old_value, c.new_value, c.compatibility] for c in i.field_changes]] for i in items]
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()


def plan_apply(snapshot: DefinitionSnapshot, entities: list[resources_pb2.Entity],
               views: list[resources_pb2.FeatureView], services: list[resources_pb2.FeatureService],
               *, now: datetime, principal: str, prune: bool = False) -> ApplyOutcome:
    """Validate the set against the snapshot and compute the plan, stored forms and events."""
    validation.check_unique("entities", [e.name for e in entities])
    validation.check_unique("feature_views", [v.name for v in views])
    validation.check_unique("feature_services", [s.name for s in services])
    for i, entity in enumerate(entities):
        validation.check_entity(i, entity)
    for i, view in enumerate(views):
        validation.check_feature_view(i, view)
    for i, service in enumerate(services):
        validation.check_feature_service(i, service)

    outcome = ApplyOutcome(resources_pb2.ApplyPlan(), [], [], [])
    entity_items, view_items, service_items = [], [], []
    # Entities as they will be after the apply.
    after_entities = {name: e for name, e in snapshot.entities.items() if not e.HasField("delete_time")}
    for entity in sorted(entities, key=lambda e: e.name):
        stored = resources_pb2.Entity()
        stored.CopyFrom(entity)
        for output in ("create_time", "update_time", "delete_time"):
            stored.ClearField(output)
        stored.updated_by = principal
        item, changes = _unversioned(resources_pb2.DEFINITION_KIND_ENTITY, stored, snapshot.live_entity(entity.name),
                                     diff.entity_changes, now)
        kind = (events_pb2.DEFINITION_CHANGE_KIND_ENTITY_CREATED if item.change_type == _CREATED
                else events_pb2.DEFINITION_CHANGE_KIND_ENTITY_UPDATED)
        entity_items.append(item)
        after_entities[entity.name] = stored
        outcome.entities.append(stored)
        if item.change_type != _UNCHANGED:
            outcome.writes.append(("entity", stored, entity.name in snapshot.entities))
            outcome.events.append(events_pb2.DefinitionChangeEvent(
                kind=kind, entity_change=events_pb2.EntityChange(
                    entity=stored.name, owner_team=stored.owner_team, field_changes=changes, definition=stored)))

    # Views: those applied, plus live views whose entities' keys changed under them.
    applied_views = {v.name: v for v in views}
    changed_keys = {i.name for i in entity_items
                    if any(c.path == "join_keys" for c in i.field_changes)}
    for name, head in snapshot.heads.items():
        if name not in applied_views and head.delete_time is None:
            latest = snapshot.versions[(name, head.latest_version)]
            if changed_keys & set(latest.entities):
                applied_views[name] = latest
    latest_after: dict[str, int] = {name: h.latest_version for name, h in snapshot.heads.items()
                                    if h.delete_time is None}
    view_features_after: dict[tuple[str, int], set[str]] = {
        key: {f.name for f in v.features} for key, v in snapshot.versions.items()}
    for index, view in sorted(enumerate(views), key=lambda p: p[1].name):
        for e, entity_name in enumerate(view.entities):
            if entity_name not in after_entities:
                raise NotFound("entity", entity_name, metadata={"field": f"feature_views[{index}].entities[{e}]"})
    for name in sorted(applied_views):
        view = applied_views[name]
        canonical = canonical_view(view, after_entities)
        new_fp = fingerprint(canonical)
        head = snapshot.heads.get(name)
        current = snapshot.versions[(name, head.latest_version)] if head else None
        live = head is not None and head.delete_time is None
        item = resources_pb2.PlanItem(kind=resources_pb2.DEFINITION_KIND_FEATURE_VIEW, name=name)
        stored = resources_pb2.FeatureView()
        stored.CopyFrom(view)
        for output in ("create_time", "update_time", "delete_time", "materialization_watermark"):
            stored.ClearField(output)
        stored.fingerprint = new_fp
        changes = []
        if current is not None:
            item.current_version = current.version if live else 0
            item.current_fingerprint = current.fingerprint if live else ""
        if current is None or not live:
            item.change_type = _CREATED
            item.creates_version = True
            stored.version = (head.latest_version + 1) if head else 1
            kind = events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_CREATED
        else:
            old_canonical = canonical_view(current, snapshot.entities)
            changes = diff.view_changes(old_canonical, canonical, current, view)
            if current.fingerprint != new_fp:
                item.change_type = _CHANGED
                item.creates_version = True
                stored.version = current.version + 1
                kind = events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_VERSION_CREATED
            elif changes:
                item.change_type = _CHANGED
                stored.version = current.version
                kind = events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_METADATA_UPDATED
            else:
                item.change_type = _UNCHANGED
                stored.version = current.version
        if item.creates_version:
            stored.create_time.FromDatetime(now)
            stored.update_time.FromDatetime(now)
            stored.created_by = principal
        elif current is not None:
            stored.create_time.CopyFrom(current.create_time)
            stored.created_by = current.created_by
            stored.update_time.CopyFrom(current.update_time)
            if item.change_type == _CHANGED:
                stored.update_time.FromDatetime(now)
        if item.change_type == _UNCHANGED:
            stored.CopyFrom(current)
        stored.latest_version = stored.version
        item.new_version = stored.version
        item.new_fingerprint = new_fp
        item.field_changes.extend(changes)
        item.compatibility = _compat(changes)
        view_items.append(item)
        latest_after[name] = stored.version
        view_features_after[(name, stored.version)] = {f.name for f in stored.features}
        if name in {v.name for v in views}:
            outcome.views.append(stored)
        if item.change_type != _UNCHANGED:
            outcome.writes.append(("view_version" if item.creates_version else "view_metadata", stored,
                                   head is not None))
            outcome.events.append(events_pb2.DefinitionChangeEvent(
                kind=kind, feature_view_change=events_pb2.FeatureViewChange(
                    feature_view=name, owner_team=stored.owner_team, old_version=item.current_version,
                    new_version=stored.version, old_fingerprint=item.current_fingerprint,
                    new_fingerprint=new_fp, compatibility=item.compatibility, field_changes=changes,
                    definition=stored)))

    for index, service in sorted(enumerate(services), key=lambda p: p[1].name):
        stored = resources_pb2.FeatureService()
        stored.CopyFrom(service)
        for output in ("create_time", "update_time", "delete_time"):
            stored.ClearField(output)
        stored.updated_by = principal
        for r, ref in enumerate(stored.features):
            where = f"feature_services[{index}].features[{r}]"
            if ref.feature_view not in latest_after and ref.feature_view not in snapshot.heads:
                raise NotFound("feature_view", ref.feature_view, metadata={"field": where})
            if ref.version == 0:
                if ref.feature_view not in latest_after:
                    raise NotFound("feature_view", ref.feature_view, reason="FEATURE_VIEW_DELETED",
                                   metadata={"field": where})
                ref.version = latest_after[ref.feature_view]
            features = view_features_after.get((ref.feature_view, ref.version))
            if features is None:
                raise NotFound("feature_view_version", f"{ref.feature_view}@v{ref.version}", metadata={"field": where})
            if ref.feature not in features:
                raise NotFound("feature", f"{ref.feature_view}@v{ref.version}:{ref.feature}", metadata={"field": where})
        item, changes = _unversioned(resources_pb2.DEFINITION_KIND_FEATURE_SERVICE, stored,
                                     snapshot.live_service(service.name), diff.service_changes, now)
        kind = (events_pb2.DEFINITION_CHANGE_KIND_FEATURE_SERVICE_CREATED if item.change_type == _CREATED
                else events_pb2.DEFINITION_CHANGE_KIND_FEATURE_SERVICE_UPDATED)
        service_items.append(item)
        outcome.services.append(stored)
        if item.change_type != _UNCHANGED:
            outcome.writes.append(("service", stored, service.name in snapshot.services))
            outcome.events.append(events_pb2.DefinitionChangeEvent(
                kind=kind, feature_service_change=events_pb2.FeatureServiceChange(
                    feature_service=stored.name, owner_team=stored.owner_team, field_changes=changes,
                    definition=stored)))

    if prune:
        _prune(snapshot, entities, views, services, outcome, entity_items, view_items, service_items, now)
    items = entity_items + view_items + service_items
    plan = outcome.plan
    plan.items.extend(items)
    plan.created_count = sum(i.change_type == _CREATED for i in items)
    plan.changed_count = sum(i.change_type == _CHANGED for i in items)
    plan.unchanged_count = sum(i.change_type == _UNCHANGED for i in items)
    plan.deleted_count = sum(i.change_type == resources_pb2.CHANGE_TYPE_DELETED for i in items)
    plan.breaking_count = sum(i.compatibility == diff.BREAKING for i in items)
    plan.digest = plan_digest(items)
    if not items:
        raise InvalidArgument("entities", "expected at least one definition in the applied set")
    return outcome


def _prune(snapshot: DefinitionSnapshot, entities: list[resources_pb2.Entity], views: list[resources_pb2.FeatureView],
           services: list[resources_pb2.FeatureService], outcome: ApplyOutcome,
           entity_items: list[resources_pb2.PlanItem], view_items: list[resources_pb2.PlanItem],
           service_items: list[resources_pb2.PlanItem], now: datetime) -> None:
    """Delete every live definition of the set's owner teams that the set does not contain."""
    teams = {d.owner_team for d in [*entities, *views, *services]}
    applied_entities, applied_views = {e.name for e in entities}, {v.name for v in views}
    applied_services = {s.name for s in services}
    gone_services = [s for n, s in sorted(snapshot.services.items())
                     if snapshot.live_service(n) is not None and s.owner_team in teams and n not in applied_services]
    gone_views = [v for n in sorted(snapshot.heads) if (v := snapshot.latest_view(n)) is not None
                  and v.owner_team in teams and n not in applied_views]
    gone_entities = [e for n, e in sorted(snapshot.entities.items())
                     if snapshot.live_entity(n) is not None and e.owner_team in teams and n not in applied_entities]
    gone_view_names = {v.name for v in gone_views}
    remaining_services = [s for n, s in snapshot.services.items() if snapshot.live_service(n) is not None
                          and n not in applied_services and s not in gone_services] + outcome.services
    remaining_views = [v for n in snapshot.heads if (v := snapshot.latest_view(n)) is not None
                       and n not in applied_views and n not in gone_view_names] + outcome.views
    for gone in gone_views:
        deletion.check_view_unused(gone.name, remaining_services)
    for gone in gone_entities:
        deletion.check_entity_unused(gone.name, remaining_views)
    for kind, gone_list, items in (("entity", gone_entities, entity_items), ("feature_view", gone_views, view_items),
                                   ("feature_service", gone_services, service_items)):
        for definition in gone_list:
            stored = deletion.deleted_copy(definition, now)
            items.append(deletion.deletion_item(kind, stored))
            outcome.writes.append((f"delete_{kind}", stored, True))
            outcome.events.append(deletion.deletion_event(kind, stored))
        items.sort(key=lambda item: item.name)
    outcome.pruned_views.extend(v.name for v in gone_views)
