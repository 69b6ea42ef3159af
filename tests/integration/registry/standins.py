"""Minimal REAL gRPC stand-ins for services the registry calls that are being built in parallel.

* ``StandInPolicyServer`` implements only PolicyService.EvaluatePromotion with a verdict the test
  sets; it is a stand-in until issue 5 (the policy service) lands, then tests switch to the real one.
* ``StandInFeatureStore`` implements only FeatureStoreService.WatchDefinitionChanges, serving events
  from a list the test appends to; a stand-in until issue 4 (the feature store) lands.

Both run on the common server kit (create_server + register_service) on port 0; every other RPC of
their contracts answers UNIMPLEMENTED like any unbuilt RPC.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import grpc

from services.common.handlers import register_service
from services.common.server import RunningServer, create_server
from services.common.settings import ServiceSettings
from sextant.featurestore.v1 import events_pb2 as fs_events_pb2
from sextant.featurestore.v1 import featurestore_service_pb2
from sextant.policy.v1 import decisions_pb2, policy_service_pb2
from sextant.type.v1 import governance_pb2

POLICY_SERVICE = policy_service_pb2.DESCRIPTOR.services_by_name["PolicyService"]
FEATURESTORE_SERVICE = featurestore_service_pb2.DESCRIPTOR.services_by_name["FeatureStoreService"]


class _PolicyStandIn:
    def __init__(self) -> None:
        self.verdict = governance_pb2.POLICY_VERDICT_ALLOW
        self.violations: list[governance_pb2.PolicyViolation] = []
        self.requests: list[policy_service_pb2.EvaluatePromotionRequest] = []
        self._ids = itertools.count(1)

    def EvaluatePromotion(self, request: policy_service_pb2.EvaluatePromotionRequest,
                          _context: grpc.ServicerContext) -> policy_service_pb2.EvaluatePromotionResponse:
        self.requests.append(request)
        decision = decisions_pb2.Decision(decision_id=f"dec_standin_{next(self._ids)}", verdict=self.verdict,
                                          violations=self.violations, summary=f"stand-in verdict {self.verdict}")
        return policy_service_pb2.EvaluatePromotionResponse(decision=decision)


class StandInPolicyServer:
    """A real gRPC policy server answering EvaluatePromotion with ``verdict`` (stand-in until issue 5)."""

    def __init__(self) -> None:
        self.servicer = _PolicyStandIn()
        self.running: RunningServer = create_server(
            "policy-standin", ServiceSettings(port=0),
            lambda server: [register_service(server, POLICY_SERVICE, self.servicer, "issue 5")], access_log=False)

    @property
    def address(self) -> str:
        """Where the stand-in listens."""
        return self.running.address

    def deny(self, rule_id: str, explanation: str) -> None:
        """Answer DENY with one enforced violation from now on."""
        self.servicer.verdict = governance_pb2.POLICY_VERDICT_DENY
        self.servicer.violations = [governance_pb2.PolicyViolation(
            rule_id=rule_id, policy_name="standin-policy", policy_version=1,
            effect=governance_pb2.POLICY_VERDICT_DENY, explanation=explanation)]

    def allow(self) -> None:
        """Answer ALLOW from now on."""
        self.servicer.verdict = governance_pb2.POLICY_VERDICT_ALLOW
        self.servicer.violations = []

    def stop(self) -> None:
        """Stop serving."""
        self.running.stop(0)


class _FeatureStoreStandIn:
    def __init__(self) -> None:
        self.events: list[fs_events_pb2.DefinitionChangeEvent] = []
        self.requests: list[int] = []
        self._changed = threading.Condition()

    def publish(self, event: fs_events_pb2.DefinitionChangeEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def WatchDefinitionChanges(self, request: featurestore_service_pb2.WatchDefinitionChangesRequest,
                               context: grpc.ServicerContext
                               ) -> Iterator[featurestore_service_pb2.WatchDefinitionChangesResponse]:
        self.requests.append(request.after_revision)
        position = request.after_revision
        while context.is_active():
            with self._changed:
                pending = [e for e in self.events if e.revision > position]
                if not pending:
                    self._changed.wait(0.1)
                    continue
            for event in pending:
                position = event.revision
                if request.kinds and event.kind not in request.kinds:
                    continue
                yield featurestore_service_pb2.WatchDefinitionChangesResponse(event=event)


class StandInFeatureStore:
    """A real gRPC feature store serving WatchDefinitionChanges from a list (stand-in until issue 4)."""

    def __init__(self) -> None:
        self.servicer = _FeatureStoreStandIn()
        self.running: RunningServer = create_server(
            "featurestore-standin", ServiceSettings(port=0),
            lambda server: [register_service(server, FEATURESTORE_SERVICE, self.servicer, "issue 4")],
            access_log=False)

    @property
    def address(self) -> str:
        """Where the stand-in listens."""
        return self.running.address

    def publish_view_version(self, revision: int, view: str, old_version: int, new_version: int,
                             old_fingerprint: str, new_fingerprint: str) -> None:
        """Announce a new version of a feature view."""
        self.servicer.publish(fs_events_pb2.DefinitionChangeEvent(
            revision=revision, kind=fs_events_pb2.DEFINITION_CHANGE_KIND_FEATURE_VIEW_VERSION_CREATED,
            feature_view_change=fs_events_pb2.FeatureViewChange(
                feature_view=view, old_version=old_version, new_version=new_version,
                old_fingerprint=old_fingerprint, new_fingerprint=new_fingerprint)))

    def stop(self) -> None:
        """Stop serving."""
        self.running.stop(0)
