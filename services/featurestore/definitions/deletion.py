"""Deleting definitions (explicitly or by a pruning apply) without breaking what still uses them.

An entity cannot go while a live feature view uses it, and a feature view cannot go while a live
feature service references it; the error names the users. A deleted view keeps its versions (pinned
reads of past training sets stay reproducible) but disappears from lists and refuses new data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from services.common.errors import FailedPrecondition, PreconditionViolation
from sextant.featurestore.v1 import events_pb2, resources_pb2

_KIND = {"entity": resources_pb2.DEFINITION_KIND_ENTITY, "feature_view": resources_pb2.DEFINITION_KIND_FEATURE_VIEW,
         "feature_service": resources_pb2.DEFINITION_KIND_FEATURE_SERVICE}


def check_entity_unused(name: str, live_views: Iterable[resources_pb2.FeatureView]) -> None:
    """FAILED_PRECONDITION naming the live views that use entity ``name``."""
    users = sorted(v.name for v in live_views if name in v.entities)
    if users:
        raise FailedPrecondition(
            f"entity {name!r} is used by feature views {', '.join(users)}; delete or change them first",
            reason="ENTITY_IN_USE", metadata={"entity": name, "feature_views": ",".join(users)},
            precondition_violations=[PreconditionViolation("IN_USE", f"feature_view/{u}", f"uses entity {name}")
                                     for u in users])


def check_view_unused(name: str, live_services: Iterable[resources_pb2.FeatureService]) -> None:
    """FAILED_PRECONDITION naming the live feature services that reference view ``name``."""
    users = sorted(s.name for s in live_services if any(r.feature_view == name for r in s.features))
    if users:
        raise FailedPrecondition(
            f"feature view {name!r} is referenced by feature services {', '.join(users)}; change them first",
            reason="FEATURE_VIEW_IN_USE", metadata={"feature_view": name, "feature_services": ",".join(users)},
            precondition_violations=[PreconditionViolation("IN_USE", f"feature_service/{u}",
                                                           f"references feature view {name}") for u in users])


def deleted_copy(definition, now: datetime):  # noqa: ANN001, ANN201 - any definition message
    """A copy of ``definition`` with its delete time set."""
    copy = type(definition)()
    copy.CopyFrom(definition)
    copy.delete_time.FromDatetime(now)
    return copy


def deletion_event(kind: str, definition) -> events_pb2.DefinitionChangeEvent:  # noqa: ANN001
    """The change event of a deletion."""
    if kind == "entity":
        return events_pb2.DefinitionChangeEvent(
            kind=events_pb2.DEFINITION_CHANGE_KIND_ENTITY_DELETED,
            entity_change=events_pb2.EntityChange(entity=definition.name, owner_team=definition.owner_team,
                                                  definition=definition))
    if kind == "feature_view":
        return events_pb2.DefinitionChangeEvent(
            kind=events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_DELETED,
            feature_view_change=events_pb2.FeatureViewChange(
                feature_view=definition.name, owner_team=definition.owner_team, old_version=definition.version,
                new_version=definition.version, old_fingerprint=definition.fingerprint,
                new_fingerprint=definition.fingerprint, definition=definition))
    return events_pb2.DefinitionChangeEvent(
        kind=events_pb2.DEFINITION_CHANGE_KIND_FEATURE_SERVICE_DELETED,
        feature_service_change=events_pb2.FeatureServiceChange(
            feature_service=definition.name, owner_team=definition.owner_team, definition=definition))


def deletion_item(kind: str, definition) -> resources_pb2.PlanItem:  # noqa: ANN001
    """The plan item of a deletion."""
    item = resources_pb2.PlanItem(kind=_KIND[kind], name=definition.name, change_type=resources_pb2.CHANGE_TYPE_DELETED)
    if kind == "feature_view":
        item.current_version = item.new_version = definition.version
        item.current_fingerprint = definition.fingerprint
    return item
