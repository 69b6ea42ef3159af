"""Checks of applied definitions, each failure naming the request field it concerns."""

from __future__ import annotations

import re

from services.common.errors import InvalidArgument
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import types_pb2

RESOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
COLUMN_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
KEY_TYPES = frozenset({types_pb2.DATA_TYPE_INT32, types_pb2.DATA_TYPE_INT64, types_pb2.DATA_TYPE_STRING,
                       types_pb2.DATA_TYPE_BYTES})
RESERVED_TAGS = frozenset({"sensitivity", "protected_basis"})
_MAX_TTL_SECONDS = 100 * 365 * 86400


def check_resource_name(field: str, name: str) -> None:
    """A resource name must match ``[a-z0-9][a-z0-9_-]{0,62}``."""
    if not RESOURCE_NAME.match(name):
        raise InvalidArgument(field, f"expected a name matching [a-z0-9][a-z0-9_-]{{0,62}}, got {name!r}")


def _check_column(field: str, name: str) -> None:
    if not COLUMN_NAME.match(name):
        raise InvalidArgument(field, f"expected a column name matching [a-z_][a-z0-9_]{{0,62}}, got {name!r}")


def check_entity(index: int, entity: resources_pb2.Entity) -> None:
    """Validate one entity of an apply."""
    base = f"entities[{index}]"
    check_resource_name(f"{base}.name", entity.name)
    if not entity.join_keys:
        raise InvalidArgument(f"{base}.join_keys", "expected at least one join key")
    seen: set[str] = set()
    for k, key in enumerate(entity.join_keys):
        _check_column(f"{base}.join_keys[{k}].name", key.name)
        if key.name in seen:
            raise InvalidArgument(f"{base}.join_keys[{k}].name", f"duplicate join key {key.name!r}")
        seen.add(key.name)
        if key.dtype not in KEY_TYPES:
            raise InvalidArgument(f"{base}.join_keys[{k}].dtype", "expected INT32, INT64, STRING or BYTES")


def check_feature_view(index: int, view: resources_pb2.FeatureView) -> None:
    """Validate one feature view of an apply (references to entities are checked by the planner)."""
    base = f"feature_views[{index}]"
    check_resource_name(f"{base}.name", view.name)
    if not view.entities:
        raise InvalidArgument(f"{base}.entities", "expected at least one entity")
    if not view.features:
        raise InvalidArgument(f"{base}.features", "expected at least one feature")
    if view.source_kind == resources_pb2.SOURCE_KIND_UNSPECIFIED:
        raise InvalidArgument(f"{base}.source_kind", "expected SOURCE_KIND_BATCH or SOURCE_KIND_PUSH")
    if view.ttl.seconds < 0 or view.ttl.nanos < 0 or view.ttl.seconds > _MAX_TTL_SECONDS:
        raise InvalidArgument(f"{base}.ttl", "expected a duration between 0 (no TTL) and 100 years")
    if view.ttl.nanos % 1000:
        raise InvalidArgument(f"{base}.ttl", "expected a whole number of microseconds")
    for name, field in ((view.event_timestamp_column, "event_timestamp_column"),
                        (view.created_timestamp_column, "created_timestamp_column")):
        if name:
            _check_column(f"{base}.{field}", name)
    seen: set[str] = set()
    for f, feature in enumerate(view.features):
        fbase = f"{base}.features[{f}]"
        _check_column(f"{fbase}.name", feature.name)
        if feature.name in seen:
            raise InvalidArgument(f"{fbase}.name", f"duplicate feature {feature.name!r}")
        seen.add(feature.name)
        if feature.dtype == types_pb2.DATA_TYPE_UNSPECIFIED or feature.dtype not in types_pb2.DataType.values():
            raise InvalidArgument(f"{fbase}.dtype", "expected a DataType other than UNSPECIFIED")
        for tag in feature.tags:
            if tag in RESERVED_TAGS:
                raise InvalidArgument(f"{fbase}.tags[{tag}]",
                                      f"the tag {tag!r} is reserved; use the typed field {tag} instead")
        if feature.sensitivity not in resources_pb2.Sensitivity.values():
            raise InvalidArgument(f"{fbase}.sensitivity", "expected a known Sensitivity")


def check_feature_service(index: int, service: resources_pb2.FeatureService) -> None:
    """Validate one feature service of an apply (references are resolved by the planner)."""
    base = f"feature_services[{index}]"
    check_resource_name(f"{base}.name", service.name)
    if not service.features:
        raise InvalidArgument(f"{base}.features", "expected at least one feature reference")
    for r, ref in enumerate(service.features):
        if not ref.feature_view or not ref.feature:
            raise InvalidArgument(f"{base}.features[{r}]", "expected feature_view and feature")
        if ref.version < 0:
            raise InvalidArgument(f"{base}.features[{r}].version", "expected 0 (latest) or a positive version")


def check_unique(field: str, names: list[str]) -> None:
    """Names within one kind of an apply must be unique."""
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise InvalidArgument(f"{field}[{i}].name", f"{name!r} appears twice in the applied set")
        seen.add(name)
