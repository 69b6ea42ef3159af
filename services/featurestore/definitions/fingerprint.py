"""The canonical form of a feature view version and its sha256 fingerprint.

The canonical form holds everything a reader of the view depends on: its entities with their join
keys, its features with types and tags (governance tags included), the TTL, the source kind, the
timestamp columns and the view's tags. Descriptions and the owner team are metadata and stay out,
so editing them does not create a version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import governance_pb2, types_pb2

DEFAULT_EVENT_TIMESTAMP = "event_timestamp"
DEFAULT_CREATED_TIMESTAMP = "created_timestamp"


def ttl_micros(view: resources_pb2.FeatureView) -> int:
    """The view's TTL in microseconds; 0 means no TTL."""
    return view.ttl.seconds * 1_000_000 + view.ttl.nanos // 1000


def event_column(view: resources_pb2.FeatureView) -> str:
    """The event timestamp column of ingested rows."""
    return view.event_timestamp_column or DEFAULT_EVENT_TIMESTAMP


def created_column(view: resources_pb2.FeatureView) -> str:
    """The created timestamp column of ingested rows."""
    return view.created_timestamp_column or DEFAULT_CREATED_TIMESTAMP


def sensitivity_text(value: int) -> str:
    """The text form of a Sensitivity (`pii`), empty when unspecified."""
    if not value:
        return ""
    return resources_pb2.Sensitivity.Name(value).removeprefix("SENSITIVITY_").lower()


def protected_basis_text(value: int) -> str:
    """The text form of a ProtectedBasis (`age`), empty when unspecified."""
    if not value:
        return ""
    return governance_pb2.ProtectedBasis.Name(value).removeprefix("PROTECTED_BASIS_").lower()


def governance_tags(feature: resources_pb2.Feature) -> dict[str, str]:
    """The feature's tags with `sensitivity` and `protected_basis` in their text forms when set."""
    tags = dict(feature.tags)
    if feature.sensitivity:
        tags["sensitivity"] = sensitivity_text(feature.sensitivity)
    if feature.protected_basis:
        tags["protected_basis"] = protected_basis_text(feature.protected_basis)
    return tags


def canonical_view(view: resources_pb2.FeatureView,
                   entities: Mapping[str, resources_pb2.Entity]) -> dict[str, Any]:
    """The canonical form of ``view`` given the entities it names."""
    return {
        "entities": [{"name": name,
                      "join_keys": [[k.name, types_pb2.DataType.Name(k.dtype)] for k in entities[name].join_keys]}
                     for name in view.entities],
        "features": [{"name": f.name, "dtype": types_pb2.DataType.Name(f.dtype), "tags": dict(sorted(f.tags.items())),
                      "sensitivity": sensitivity_text(f.sensitivity),
                      "protected_basis": protected_basis_text(f.protected_basis)}
                     for f in view.features],
        "ttl_micros": ttl_micros(view),
        "source_kind": resources_pb2.SourceKind.Name(view.source_kind),
        "event_timestamp_column": event_column(view),
        "created_timestamp_column": created_column(view),
        "tags": dict(sorted(view.tags.items())),
    }


def fingerprint(canonical: Mapping[str, Any]) -> str:
    """The sha256 (lower-case hex) of a canonical form."""
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
