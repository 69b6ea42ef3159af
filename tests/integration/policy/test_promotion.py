"""EvaluatePromotion and EvaluateDeployment: fairness gate, evidence and the age exception."""

from __future__ import annotations

from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.type.v1 import governance_pb2 as gov
from sextant.type.v1 import types_pb2
from tests.integration.policy.conftest import StartPolicy


def fairness(ratio: float, *, small: int = 0) -> types_pb2.FairnessResult:
    """Selection rates 0.5 for `white` and 0.5 × ratio for `black`, equal true positive rates."""
    return types_pb2.FairnessResult(
        attribute="race", dataset="holdout", reference_group="white", adverse_impact_ratio=ratio,
        groups=[types_pb2.GroupOutcome(group="white", count=400, selection_rate=0.5, true_positive_rate=0.8),
                types_pb2.GroupOutcome(group="black", count=300, selection_rate=0.5 * ratio, true_positive_rate=0.78),
                *([types_pb2.GroupOutcome(group="other", count=small, selection_rate=0.5, true_positive_rate=0.8)]
                  if small else [])])


def promotion(*results: types_pb2.FairnessResult, **fields: object) -> pb.EvaluatePromotionRequest:
    values: dict[str, object] = {"model_name": "credit-risk", "model_version": 3, "domain": "credit",
                                 "owner_team": "risk", "target_alias": "production",
                                 "parity_report": types_pb2.ParityReport(passed=True, rows_checked=500),
                                 "fairness_results": list(results), **fields}
    return pb.EvaluatePromotionRequest(**values)  # type: ignore[arg-type]


def test_four_fifths_gate_denies_0_7_and_allows_0_9(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    denied = stub.EvaluatePromotion(promotion(fairness(0.7))).decision
    assert denied.verdict == gov.POLICY_VERDICT_DENY
    [violation] = denied.violations
    assert violation.reason == gov.POLICY_VIOLATION_REASON_ADVERSE_IMPACT_RATIO
    assert (violation.rule_id, violation.group, violation.protected_attribute) == ("four-fifths", "black", "race")
    assert abs(violation.measured_value - 0.7) < 1e-9 and violation.threshold == 0.8
    assert denied.subject.model_version == 3 and denied.subject.target_alias == "production"

    allowed = stub.EvaluatePromotion(promotion(fairness(0.9))).decision
    assert allowed.verdict == gov.POLICY_VERDICT_ALLOW and list(allowed.violations) == []

    # The gate is scoped to `production`; another alias passes without fairness results.
    staging = stub.EvaluatePromotion(promotion(target_alias="staging")).decision
    assert staging.verdict == gov.POLICY_VERDICT_ALLOW


def test_too_small_group_is_its_own_violation(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    decision = stub.EvaluatePromotion(promotion(fairness(0.9, small=12))).decision
    assert decision.verdict == gov.POLICY_VERDICT_DENY
    [violation] = decision.violations
    assert violation.reason == gov.POLICY_VIOLATION_REASON_GROUP_TOO_SMALL
    assert (violation.group, violation.measured_value, violation.threshold) == ("other", 12.0, 30.0)


def test_missing_results_and_failed_parity_are_violations(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    decision = stub.EvaluatePromotion(promotion(parity_report=types_pb2.ParityReport(passed=False))).decision
    reasons = {v.reason for v in decision.violations}
    assert reasons == {gov.POLICY_VIOLATION_REASON_FAIRNESS_RESULT_MISSING, gov.POLICY_VIOLATION_REASON_PARITY_FAILED}


def test_age_exception_requires_a_clean_probe_at_promotion(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    age = types_pb2.ResolvedFeature(reference=types_pb2.FeatureReference(feature_view="credit_profile", feature="age"),
                                    resolved_version=1, tags={"protected_basis": "age"})
    training = stub.EvaluateTraining(pb.EvaluateTrainingRequest(
        domain="credit", owner_team="risk", empirically_derived_scoring=True,
        input_features=[pb.FeatureInput(resolved=age)])).decision
    assert training.verdict == gov.POLICY_VERDICT_ALLOW

    common = {"input_features": [age], "empirically_derived_scoring": True}
    missing = stub.EvaluatePromotion(promotion(fairness(0.9), **common)).decision
    assert [v.reason for v in missing.violations] == [gov.POLICY_VIOLATION_REASON_AGE_PROBE_MISSING]
    negative = gov.AgeProbeResult(feature="age", age_threshold=62, rows_probed=200,
                                        negative_contribution_rows=17, min_contribution=-0.04)
    bad = stub.EvaluatePromotion(promotion(fairness(0.9), age_probe_results=[negative], **common)).decision
    [violation] = bad.violations
    assert violation.reason == gov.POLICY_VIOLATION_REASON_AGE_NEGATIVE_CONTRIBUTION
    assert violation.group == "62+" and violation.measured_value == 17.0
    clean = gov.AgeProbeResult(feature="age", age_threshold=62, rows_probed=200, min_contribution=0.0)
    good = stub.EvaluatePromotion(promotion(fairness(0.9), age_probe_results=[clean], **common)).decision
    assert good.verdict == gov.POLICY_VERDICT_ALLOW

    # Without the declaration, age stays a prohibited input.
    plain = stub.EvaluatePromotion(promotion(fairness(0.9), input_features=[age])).decision
    assert [v.reason for v in plain.violations] == [gov.POLICY_VIOLATION_REASON_PROTECTED_BASIS_TAG]


def test_deployment_requires_an_allowing_promotion_decision(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    source = ("scope: {domains: [credit]}\nrules:\n  - id: promoted-only\n    kind: required_evidence\n"
              "    required_evidence: {require_promotion_decision: true, forbid_stale_versions: true}\n")
    stub.CreatePolicy(pb.CreatePolicyRequest(policy={"name": "deploy-gate", "format": "POLICY_FORMAT_YAML",
                                                     "source": source}))
    approved = stub.EvaluatePromotion(promotion(fairness(0.9))).decision
    denied = stub.EvaluatePromotion(promotion(fairness(0.7))).decision

    def deploy(decision_id: str, stale: bool = False) -> pb.Decision:
        return stub.EvaluateDeployment(pb.EvaluateDeploymentRequest(
            deployment_name="credit-risk-prod", change=pb.DEPLOYMENT_CHANGE_CREATE, model_name="credit-risk",
            domain="credit", owner_team="risk",
            served_versions=[pb.ServedVersion(alias="production", model_version=3, traffic_percent=100,
                                              promotion_decision_id=decision_id, stale=stale)])).decision

    assert deploy(approved.decision_id).verdict == gov.POLICY_VERDICT_ALLOW
    refused = deploy(denied.decision_id, stale=True)
    assert refused.verdict == gov.POLICY_VERDICT_DENY
    assert {v.reason for v in refused.violations} == {gov.POLICY_VIOLATION_REASON_PROMOTION_DECISION_MISSING,
                                                      gov.POLICY_VIOLATION_REASON_VERSION_STALE}
    assert refused.subject.deployment_name == "credit-risk-prod"
