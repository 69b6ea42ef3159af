"""Field-by-field differences between the stored and the applied form of a definition.

Each difference is classified for readers that take the latest version: compatible (a feature added,
a TTL extended, a description, owner or free tag edited) or breaking (a feature removed or retyped,
keys or entities changed, a TTL shortened, the source kind, a timestamp column or a governance tag
changed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sextant.featurestore.v1 import resources_pb2

COMPATIBLE = resources_pb2.COMPATIBILITY_COMPATIBLE
BREAKING = resources_pb2.COMPATIBILITY_BREAKING


def _change(path: str, old: object, new: object, compatibility: int, why: str) -> resources_pb2.FieldChange:
    return resources_pb2.FieldChange(path=path, old_value="" if old is None else str(old),
                                     new_value="" if new is None else str(new),
                                     compatibility=compatibility, explanation=why)


def _tag_changes(path: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[resources_pb2.FieldChange]:
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            changes.append(_change(f"{path}[{key}]", old.get(key), new.get(key), COMPATIBLE,
                                   "a free-form tag does not change the data"))
    return changes


def view_changes(old: Mapping[str, Any], new: Mapping[str, Any], old_view: resources_pb2.FeatureView,
                 new_view: resources_pb2.FeatureView) -> list[resources_pb2.FieldChange]:
    """Differences between two canonical forms plus the metadata of the two view messages."""
    changes: list[resources_pb2.FieldChange] = []
    old_entities = [e["name"] for e in old["entities"]]
    new_entities = [e["name"] for e in new["entities"]]
    if old_entities != new_entities:
        changes.append(_change("entities", ",".join(old_entities), ",".join(new_entities), BREAKING,
                               "the view's entities, and so its keys, changed"))
    else:
        for before, after in zip(old["entities"], new["entities"], strict=True):
            if before["join_keys"] != after["join_keys"]:
                changes.append(_change(f"entities[{after['name']}].join_keys", before["join_keys"],
                                       after["join_keys"], BREAKING, "the join keys changed"))
    old_features = {f["name"]: f for f in old["features"]}
    new_features = {f["name"]: f for f in new["features"]}
    for name, feature in new_features.items():
        before = old_features.get(name)
        if before is None:
            changes.append(_change(f"features[{name}]", None, feature["dtype"], COMPATIBLE, "a feature was added"))
            continue
        if before["dtype"] != feature["dtype"]:
            changes.append(_change(f"features[{name}].dtype", before["dtype"], feature["dtype"], BREAKING,
                                   "the feature's type changed"))
        for tag in ("sensitivity", "protected_basis"):
            if before[tag] != feature[tag]:
                changes.append(_change(f"features[{name}].{tag}", before[tag], feature[tag], BREAKING,
                                       "a governance tag changed; policy decisions may differ"))
        changes.extend(_tag_changes(f"features[{name}].tags", before["tags"], feature["tags"]))
    for name, before in old_features.items():
        if name not in new_features:
            changes.append(_change(f"features[{name}]", before["dtype"], None, BREAKING, "a feature was removed"))
    if list(old_features) != list(new_features) and set(old_features) == set(new_features):
        changes.append(_change("features", ",".join(old_features), ",".join(new_features), COMPATIBLE,
                               "the column order changed"))
    old_ttl, new_ttl = old["ttl_micros"], new["ttl_micros"]
    if old_ttl != new_ttl:
        extended = new_ttl == 0 or (old_ttl != 0 and new_ttl > old_ttl)
        changes.append(_change("ttl", f"{old_ttl}us", f"{new_ttl}us", COMPATIBLE if extended else BREAKING,
                               "the TTL was extended" if extended else "the TTL was shortened"))
    for field in ("source_kind", "event_timestamp_column", "created_timestamp_column"):
        if old[field] != new[field]:
            changes.append(_change(field, old[field], new[field], BREAKING, f"the {field} changed"))
    changes.extend(_tag_changes("tags", old["tags"], new["tags"]))
    changes.extend(metadata_changes(old_view, new_view))
    old_descriptions = {f.name: f.description for f in old_view.features}
    for feature in new_view.features:
        if feature.name in old_descriptions and old_descriptions[feature.name] != feature.description:
            changes.append(_change(f"features[{feature.name}].description", old_descriptions[feature.name],
                                   feature.description, COMPATIBLE, "descriptions are metadata"))
    return changes


def metadata_changes(old: Any, new: Any) -> list[resources_pb2.FieldChange]:
    """Differences of description and owner team (metadata, always compatible)."""
    return [_change(field, getattr(old, field), getattr(new, field), COMPATIBLE, f"the {field} is metadata")
            for field in ("description", "owner_team") if getattr(old, field) != getattr(new, field)]


def entity_changes(old: resources_pb2.Entity, new: resources_pb2.Entity) -> list[resources_pb2.FieldChange]:
    """Differences between two entity definitions."""
    changes = []
    old_keys = [(k.name, k.dtype) for k in old.join_keys]
    new_keys = [(k.name, k.dtype) for k in new.join_keys]
    if old_keys != new_keys:
        changes.append(_change("join_keys", old_keys, new_keys, BREAKING,
                               "the join keys changed; every view of the entity gets a new version"))
    changes.extend(metadata_changes(old, new))
    changes.extend(_tag_changes("tags", old.tags, new.tags))
    return changes


def service_changes(old: resources_pb2.FeatureService,
                    new: resources_pb2.FeatureService) -> list[resources_pb2.FieldChange]:
    """Differences between two feature service definitions (references compared pinned)."""
    changes = []
    old_refs = [f"{r.feature_view}@v{r.version}:{r.feature}" for r in old.features]
    new_refs = [f"{r.feature_view}@v{r.version}:{r.feature}" for r in new.features]
    if old_refs != new_refs:
        removed = not set(old_refs) <= set(new_refs)
        changes.append(_change("features", ",".join(old_refs), ",".join(new_refs),
                               BREAKING if removed else COMPATIBLE,
                               "references were removed or repinned" if removed else "references were added"))
    changes.extend(metadata_changes(old, new))
    changes.extend(_tag_changes("tags", old.tags, new.tags))
    return changes
