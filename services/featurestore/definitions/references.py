"""Feature references (`view:feature`, `view@v2:feature`) and their resolution to definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.common.errors import InvalidArgument, NotFound
from services.featurestore.definitions.fingerprint import governance_tags
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb2
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import features_pb2, types_pb2

_TEXT = re.compile(r"^(?P<view>[a-z0-9][a-z0-9_-]{0,62})(@v(?P<version>[1-9][0-9]*))?:(?P<feature>[a-z_][a-z0-9_]{0,62})$")


def parse_reference(text: str) -> types_pb2.FeatureReference:
    """Parse the text form `view:feature` or `view@v2:feature`."""
    match = _TEXT.match(text)
    if match is None:
        raise InvalidArgument("reference", f"expected `view:feature` or `view@v<N>:feature`, got {text!r}")
    return types_pb2.FeatureReference(feature_view=match["view"], feature=match["feature"],
                                      version=int(match["version"] or 0))


def format_reference(ref: types_pb2.FeatureReference) -> str:
    """The text form of a reference."""
    pinned = f"@v{ref.version}" if ref.version else ""
    return f"{ref.feature_view}{pinned}:{ref.feature}"


@dataclass(frozen=True)
class ResolvedRef:
    """One reference resolved to its view version and feature definition."""

    reference: types_pb2.FeatureReference
    view: resources_pb2.FeatureView
    feature: resources_pb2.Feature

    def output_name(self, full_feature_names: bool) -> str:
        """`<feature>` or `<view>__<feature>`."""
        return f"{self.view.name}__{self.feature.name}" if full_feature_names else self.feature.name

    def to_proto(self) -> types_pb2.ResolvedFeature:
        """The shared ResolvedFeature message, governance tags included."""
        return types_pb2.ResolvedFeature(reference=self.reference, resolved_version=self.view.version,
                                         fingerprint=self.view.fingerprint, dtype=self.feature.dtype,
                                         tags=governance_tags(self.feature), owner_team=self.view.owner_team)


def _resolve_one(snapshot: DefinitionSnapshot, ref: types_pb2.FeatureReference
                 ) -> ResolvedRef | tuple[int, NotFound]:
    head = snapshot.heads.get(ref.feature_view)
    if head is None:
        return fs_pb2.RESOLUTION_FAILURE_VIEW_NOT_FOUND, NotFound("feature_view", ref.feature_view)
    if ref.version == 0 and head.delete_time is not None:
        return fs_pb2.RESOLUTION_FAILURE_VIEW_DELETED, NotFound("feature_view", ref.feature_view,
                                                                reason="FEATURE_VIEW_DELETED")
    version = ref.version or head.latest_version
    view = snapshot.versions.get((ref.feature_view, version))
    if view is None:
        return fs_pb2.RESOLUTION_FAILURE_VERSION_NOT_FOUND, NotFound(
            "feature_view_version", f"{ref.feature_view}@v{version}", metadata={"version": version})
    for feature in view.features:
        if feature.name == ref.feature:
            return ResolvedRef(ref, view, feature)
    return fs_pb2.RESOLUTION_FAILURE_FEATURE_NOT_FOUND, NotFound("feature", format_reference(ref))


def selection_references(snapshot: DefinitionSnapshot, selection: features_pb2.FeatureSelection,
                         field: str = "features") -> list[types_pb2.FeatureReference]:
    """The references a selection denotes: explicit ones or a feature service's pinned ones."""
    which = selection.WhichOneof("selection")
    if which == "feature_service":
        service = snapshot.live_service(selection.feature_service)
        if service is None:
            raise NotFound("feature_service", selection.feature_service)
        return list(service.features)
    if which == "references" and selection.references.references:
        refs = list(selection.references.references)
        for i, ref in enumerate(refs):
            if not ref.feature_view or not ref.feature or ref.version < 0:
                raise InvalidArgument(f"{field}.references.references[{i}]",
                                      "expected feature_view, feature and a version >= 0")
        return refs
    raise InvalidArgument(field, "expected references or a feature_service")


def resolve(snapshot: DefinitionSnapshot, selection: features_pb2.FeatureSelection, *,
            field: str = "features", allow_missing: bool = False
            ) -> tuple[list[ResolvedRef], list[fs_pb2.UnresolvedFeature]]:
    """Resolve a selection; unknown references raise NOT_FOUND unless ``allow_missing``."""
    resolved: list[ResolvedRef] = []
    missing: list[fs_pb2.UnresolvedFeature] = []
    for ref in selection_references(snapshot, selection, field):
        outcome = _resolve_one(snapshot, ref)
        if isinstance(outcome, ResolvedRef):
            resolved.append(outcome)
        elif allow_missing:
            missing.append(fs_pb2.UnresolvedFeature(reference=ref, failure=outcome[0]))
        else:
            raise outcome[1]
    return resolved, missing


def check_output_names(refs: list[ResolvedRef], full_feature_names: bool, taken: set[str] | None = None,
                       field: str = "features") -> list[str]:
    """The output names of ``refs``; a collision (with each other or ``taken``) is INVALID_ARGUMENT."""
    names: list[str] = []
    seen = set(taken or ())
    for ref in refs:
        name = ref.output_name(full_feature_names)
        if name in seen:
            raise InvalidArgument(field, f"the output column {name!r} would appear twice; set "
                                         "full_feature_names or drop one reference",
                                  reason="OUTPUT_NAME_COLLISION", metadata={"column": name})
        seen.add(name)
        names.append(name)
    return names
