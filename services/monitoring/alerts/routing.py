"""Who an alert goes to: the feature view's owner, the model's owner, or the deployment's team.

Feature ownership comes from the feature store (ResolveFeatures on the feature the model input was
fed from, as the registry's lineage records it), model ownership from the registry. Answers are
cached briefly; when an owner cannot be found the configured default team is used and the alert
says why.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import grpc

from services.common.errors import SextantError
from services.monitoring.peers import GuardedPeer
from services.monitoring.references import ReferenceBook
from sextant.featurestore.v1 import featurestore_service_pb2
from sextant.monitoring.v1 import alerts_pb2, resources_pb2
from sextant.registry.v1 import registry_service_pb2
from sextant.type.v1 import features_pb2, types_pb2

_CACHE_SECONDS = 60.0
FEATURE_KINDS = frozenset({resources_pb2.METRIC_KIND_FEATURE_DRIFT, resources_pb2.METRIC_KIND_NULL_RATE,
                           resources_pb2.METRIC_KIND_OUT_OF_RANGE_RATE,
                           resources_pb2.METRIC_KIND_UNSEEN_CATEGORY_RATE})
SERVING_KINDS = frozenset({resources_pb2.METRIC_KIND_SERVING_ERROR_RATE, resources_pb2.METRIC_KIND_SERVING_LATENCY})


@dataclass
class Route:
    """Where an alert goes and why."""

    team: str
    reason: int
    detail: str
    feature: types_pb2.ResolvedFeature | None = None


class Router:
    """Finds the owning team of an alert."""

    def __init__(self, references: ReferenceBook, registry: GuardedPeer, featurestore: GuardedPeer,
                 default_team: str) -> None:
        self._references = references
        self._registry = registry
        self._featurestore = featurestore
        self._default = default_team
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[float, object]] = {}

    def _remember(self, key: tuple[str, str], compute: object) -> object:
        with self._lock:
            hit = self._cache.get(key)
            if hit and time.monotonic() - hit[0] < _CACHE_SECONDS:
                return hit[1]
        value = compute()  # type: ignore[operator]
        with self._lock:
            self._cache[key] = (time.monotonic(), value)
        return value

    def model_owner(self, model_name: str) -> str:
        """The registry's owner team of a model, or "" when unknown."""
        def lookup() -> str:
            try:
                answer = self._registry.call("GetRegisteredModel",
                                             registry_service_pb2.GetRegisteredModelRequest(name=model_name))
            except (SextantError, grpc.RpcError):
                return ""
            return answer.model.owner_team
        return str(self._remember(("model", model_name), lookup))

    def resolved_feature(self, model_name: str, version: int, input_name: str) -> types_pb2.ResolvedFeature | None:
        """The feature an input is fed from, resolved by the feature store (owner team included)."""
        lineage = self._references.facts(model_name, version).features.get(input_name)
        if lineage is None:
            return None
        reference = lineage.reference

        def lookup() -> types_pb2.ResolvedFeature | None:
            try:
                answer = self._featurestore.call("ResolveFeatures", featurestore_service_pb2.ResolveFeaturesRequest(
                    features=features_pb2.FeatureSelection(references=features_pb2.FeatureReferenceList(
                        references=[reference])), allow_missing=True))
            except (SextantError, grpc.RpcError):
                return lineage if lineage.owner_team else None
            return answer.features[0] if answer.features else None
        key = ("feature", f"{reference.feature_view}@{reference.version}:{reference.feature}")
        return self._remember(key, lookup)  # type: ignore[return-value]

    def route(self, rule: alerts_pb2.AlertRule, model_name: str, version: int, feature: str,
              deployment_team: str) -> Route:
        """The team of an alert of ``rule`` about ``feature`` (may be empty)."""
        resolved = self.resolved_feature(model_name, version, feature) if feature else None
        if rule.route_team:
            return Route(rule.route_team, alerts_pb2.ROUTING_REASON_RULE_OVERRIDE,
                         f"rule {rule.name} routes to {rule.route_team}", resolved)
        kind = rule.metric.kind
        if kind in FEATURE_KINDS and resolved is not None and resolved.owner_team:
            view = resolved.reference.feature_view
            return Route(resolved.owner_team, alerts_pb2.ROUTING_REASON_FEATURE_OWNER,
                         f"feature view {view} is owned by {resolved.owner_team}", resolved)
        if kind in SERVING_KINDS:
            if deployment_team:
                return Route(deployment_team, alerts_pb2.ROUTING_REASON_DEPLOYMENT_OWNER,
                             f"the deployment is run by {deployment_team}", resolved)
        elif kind not in FEATURE_KINDS:
            owner = self.model_owner(model_name)
            if owner:
                return Route(owner, alerts_pb2.ROUTING_REASON_MODEL_OWNER,
                             f"model {model_name} is owned by {owner}", resolved)
        return Route(self._default, alerts_pb2.ROUTING_REASON_DEFAULT_TEAM,
                     f"no owner could be determined; routed to the default team {self._default}", resolved)
