"""Resolving feature references through the feature store's ResolveFeatures RPC.

The policy service never judges a feature store feature it could not look up: an unreachable feature
store (or one that cannot answer) is UNAVAILABLE, and a reference the store does not know comes back
as unknown so the rules report it.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from services.common.dependencies import Dependency
from services.common.errors import Unavailable
from services.policy.subjects import FeatureRef, ResolvedFeature
from sextant.featurestore.v1 import featurestore_service_pb2, featurestore_service_pb2_grpc
from sextant.type.v1 import features_pb2, types_pb2

FEATURE_STORE = featurestore_service_pb2.DESCRIPTOR.services_by_name["FeatureStoreService"]


def resolved_from_proto(message: types_pb2.ResolvedFeature) -> ResolvedFeature:
    """The domain form of a ResolvedFeature message."""
    reference = message.reference
    return ResolvedFeature(FeatureRef(reference.feature_view, reference.feature, reference.version),
                           message.resolved_version, message.fingerprint, int(message.dtype),
                           dict(message.tags), message.owner_team)


class FeatureResolver:
    """Looks feature references up in the feature store."""

    def __init__(self, address: str, *, timeout: float) -> None:
        self._dependency = Dependency("featurestore", address,
                                      featurestore_service_pb2_grpc.FeatureStoreServiceStub, FEATURE_STORE,
                                      timeout=timeout)

    def resolve(self, references: Sequence[FeatureRef]) -> tuple[dict[FeatureRef, ResolvedFeature],
                                                                  dict[FeatureRef, str]]:
        """The resolved features and the unknown references (with the failure's short name)."""
        if not references:
            return {}, {}
        request = featurestore_service_pb2.ResolveFeaturesRequest(
            features=features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(references=[
                types_pb2.FeatureReference(feature_view=r.view, feature=r.feature, version=r.version)
                for r in references])),
            allow_missing=True)
        try:
            response = self._dependency.call("ResolveFeatures", request)
        except grpc.RpcError as error:
            code = error.code().name if hasattr(error, "code") else "UNKNOWN"
            raise Unavailable(f"the feature store could not resolve the input features ({code}); the policy "
                              f"service does not evaluate without it", reason="FEATURESTORE_UNAVAILABLE",
                              metadata={"dependency": "featurestore", "code": code}) from None
        resolved: dict[FeatureRef, ResolvedFeature] = {}
        for message in response.features:
            feature = resolved_from_proto(message)
            resolved[feature.reference] = feature
        unknown: dict[FeatureRef, str] = {}
        for missing in response.missing:
            reference = missing.reference
            name = featurestore_service_pb2.ResolutionFailure.Name(missing.failure)
            unknown[FeatureRef(reference.feature_view, reference.feature, reference.version)] = \
                name.removeprefix("RESOLUTION_FAILURE_").lower()
        for reference in references:
            if reference not in resolved and reference not in unknown:
                unknown[reference] = "feature_not_found"
        return resolved, unknown

    def close(self) -> None:
        """Close the channel."""
        self._dependency.close()
