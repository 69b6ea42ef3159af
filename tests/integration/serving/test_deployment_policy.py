"""EvaluateDeployment's deny path against the REAL policy service: a `required_evidence` policy
(promotion decision required, stale versions forbidden) scoped to one domain; a denied
CreateDeployment answers FAILED_PRECONDITION with the violations and stores nothing."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from sextant.policy.v1 import policy_service_pb2 as policy_pb
from sextant.policy.v1 import policy_service_pb2_grpc
from sextant.registry.v1 import registry_service_pb2 as reg
from sextant.registry.v1 import resources_pb2
from sextant.serving.v1 import resources_pb2 as res
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.type.v1 import governance_pb2
from tests.integration.serving.conftest import Registry, Serving, tiny_onnx

MODEL = "gated-credit"
DOMAIN = "gated-lending"  # the policy below covers only this domain, so other tests are unaffected
POLICY = f"""
scope: {{domains: [{DOMAIN}]}}
rules:
  - id: promoted-and-fresh
    kind: required_evidence
    required_evidence: {{require_promotion_decision: true, forbid_stale_versions: true}}
"""


@pytest.fixture(scope="module")
def gated(stack: dict[str, object], registry: Registry) -> int:
    """The deployment policy in the real policy service; `gated-credit` v1 at production (promoted,
    so its alias move carries an allowing decision) and at `staging` (no decision)."""
    channel = grpc.insecure_channel(stack["policy"].address)
    policy_service_pb2_grpc.PolicyServiceStub(channel).CreatePolicy(policy_pb.CreatePolicyRequest(
        policy={"name": "serving-deploy-gate", "format": "POLICY_FORMAT_YAML", "source": POLICY}), timeout=10)
    channel.close()
    registry.stub.CreateRegisteredModel(reg.CreateRegisteredModelRequest(model=resources_pb2.RegisteredModel(
        name=MODEL, owner_team="ml", domain=DOMAIN)), timeout=10)
    version = registry.register(MODEL, tiny_onnx())
    registry.set_alias(MODEL, "production", version)
    registry.set_alias(MODEL, "staging", version)
    return version


def denial(error: grpc.RpcError) -> tuple[error_details_pb2.ErrorInfo, list]:
    """The ErrorInfo and the precondition violations of a denied call."""
    info, violations = error_details_pb2.ErrorInfo(), []
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            violations.extend(failure.violations)
    return info, violations


def assert_not_stored(serving: Serving, name: str) -> None:
    with pytest.raises(grpc.RpcError) as missing:
        serving.sextant.GetDeployment(pb.GetDeploymentRequest(name=name), timeout=10)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    listed = serving.sextant.ListDeployments(pb.ListDeploymentsRequest(model_name=MODEL), timeout=10)
    assert name not in [d.name for d in listed.deployments]


def decision_verdict(stack: dict[str, object], decision_id: str) -> int:
    channel = grpc.insecure_channel(stack["policy"].address)
    try:
        return policy_service_pb2_grpc.PolicyServiceStub(channel).GetDecision(
            policy_pb.GetDecisionRequest(decision_id=decision_id), timeout=10).decision.verdict
    finally:
        channel.close()


def test_deploying_an_alias_without_promotion_decision_is_denied_and_not_stored(
        stack: dict[str, object], gated: int, serving: Serving) -> None:
    # The promoted production alias passes the gate (its decision id is sent as evidence).
    allowed = serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(
        deployment=res.Deployment(name="gated-prod", model_name=MODEL), validate_only=True), timeout=10)
    assert allowed.deployment.policy_decision_id
    with pytest.raises(grpc.RpcError) as denied:
        serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
            name="gated-staging", model_name=MODEL, alias="staging")), timeout=10)
    assert denied.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    info, violations = denial(denied.value)
    assert info.reason == "POLICY_DENIED"
    assert [v.subject for v in violations] == ["promoted-and-fresh"]
    assert "no recorded promotion decision" in violations[0].description
    assert decision_verdict(stack, info.metadata["decision_id"]) == governance_pb2.POLICY_VERDICT_DENY
    assert_not_stored(serving, "gated-staging")


def test_deploying_a_stale_version_is_denied_and_not_stored(stack: dict[str, object], gated: int,
                                                           serving: Serving, registry: Registry) -> None:
    registry.stub.MarkVersionStale(reg.MarkVersionStaleRequest(model_name=MODEL, version=gated,
                                                               reason="feature view redefined"), timeout=10)
    try:
        with pytest.raises(grpc.RpcError) as denied:
            serving.sextant.CreateDeployment(pb.CreateDeploymentRequest(deployment=res.Deployment(
                name="gated-prod", model_name=MODEL)), timeout=10)
        assert denied.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        info, violations = denial(denied.value)
        assert info.reason == "POLICY_DENIED" and len(violations) == 1
        assert "stale" in violations[0].description
        assert_not_stored(serving, "gated-prod")
    finally:
        registry.stub.ClearVersionStale(reg.ClearVersionStaleRequest(
            model_name=MODEL, version=gated, reason="checked: not affected"), timeout=10)
