"""EvaluateTraining under the built-in reg-b preset, against real policy and feature store servers."""

from __future__ import annotations

import grpc
import pytest

from sextant.policy.v1 import decisions_pb2
from sextant.policy.v1 import policy_service_pb2 as pb
from sextant.type.v1 import governance_pb2 as gov
from sextant.type.v1 import types_pb2
from tests.integration.policy.conftest import (
    UNREACHABLE,
    LendingFeatureStore,
    StartPolicy,
    ipc_bytes,
    lending_sample,
)


def ref(feature: str, view: str = "credit_profile") -> pb.FeatureInput:
    return pb.FeatureInput(reference=types_pb2.FeatureReference(feature_view=view, feature=feature))


#: Governance tags of already-resolved features a caller may send instead of references.
RESOLVED_TAGS = {"applicant_age": {"protected_basis": "age", "sensitivity": "pii"},
                 "income": {"sensitivity": "confidential"}}


def resolved(feature: str) -> pb.FeatureInput:
    return pb.FeatureInput(resolved=types_pb2.ResolvedFeature(
        reference=types_pb2.FeatureReference(feature_view="credit_profile", feature=feature), resolved_version=1,
        tags=RESOLVED_TAGS[feature]))


def training(*inputs: pb.FeatureInput, **fields: object) -> pb.EvaluateTrainingRequest:
    return pb.EvaluateTrainingRequest(domain="credit", owner_team="risk", model_name="credit-risk",
                                      training_job_id="job-1", input_features=list(inputs), **fields)


def test_applicant_age_is_denied_by_tag_and_by_name(start_policy: StartPolicy,
                                                    feature_store: LendingFeatureStore) -> None:
    _, stub = start_policy(featurestore_address=feature_store.address)

    by_tag = stub.EvaluateTraining(training(ref("applicant_age"), ref("income"))).decision
    assert by_tag.verdict == gov.POLICY_VERDICT_DENY
    [violation] = by_tag.violations
    assert violation.reason == gov.POLICY_VIOLATION_REASON_PROTECTED_BASIS_TAG
    assert (violation.feature.feature_view, violation.feature.feature) == ("credit_profile", "applicant_age")
    assert (violation.policy_name, violation.policy_version, violation.rule_id) == ("reg-b", 1, "no-protected-inputs")
    assert violation.protected_basis == gov.PROTECTED_BASIS_AGE
    assert violation.mode == gov.POLICY_RULE_MODE_ENFORCE and violation.effect == gov.POLICY_VERDICT_DENY
    assert "Remove credit_profile:applicant_age from the model inputs" in violation.explanation
    assert "tagged protected_basis=age" in violation.explanation and "evaluation-only" in violation.explanation
    # Resolved by the feature store: versions and definition fingerprints come from it.
    assert {f.reference.feature for f in by_tag.resolved_input_features} == {"applicant_age", "income"}
    assert all(f.resolved_version == 1 and len(f.fingerprint) == 64 for f in by_tag.resolved_input_features)
    assert by_tag.summary.startswith("DENY: credit_profile:applicant_age is a protected input (reg-b v1")

    # Untagged in the feature store, or a plain column: the name path catches it.
    by_name = stub.EvaluateTraining(training(ref("applicant_age", view="applications"),
                                             pb.FeatureInput(column="applicant_age"), ref("income"))).decision
    assert by_name.verdict == gov.POLICY_VERDICT_DENY
    assert [v.reason for v in by_name.violations] == [gov.POLICY_VIOLATION_REASON_PROTECTED_BASIS_NAME] * 2
    assert by_name.violations[0].feature.feature_view == "applications"
    assert by_name.violations[1].column == "applicant_age"
    assert "its name matches 'age'" in by_name.violations[1].explanation


def test_protected_attribute_for_evaluation_only_is_allowed(start_policy: StartPolicy,
                                                            feature_store: LendingFeatureStore) -> None:
    _, stub = start_policy(featurestore_address=feature_store.address)
    decision = stub.EvaluateTraining(training(
        ref("income"), ref("years_at_address"),
        evaluation_only_attributes=[ref("applicant_age"), ref("applicant_age", view="applications"),
                                    pb.FeatureInput(column="applicant_age")])).decision
    assert decision.verdict == gov.POLICY_VERDICT_ALLOW
    assert list(decision.violations) == []
    assert decision.summary.startswith("ALLOW")


def test_resolved_features_are_judged_without_the_feature_store(start_policy: StartPolicy) -> None:
    _, stub = start_policy()  # the feature store address is unreachable
    decision = stub.EvaluateTraining(training(resolved("applicant_age"), resolved("income"))).decision
    assert decision.verdict == gov.POLICY_VERDICT_DENY
    assert decision.violations[0].reason == gov.POLICY_VIOLATION_REASON_PROTECTED_BASIS_TAG


def test_unknown_feature_is_a_violation_never_allowed(start_policy: StartPolicy,
                                                      feature_store: LendingFeatureStore) -> None:
    _, stub = start_policy(featurestore_address=feature_store.address)
    decision = stub.EvaluateTraining(training(ref("income"), ref("credit_score", view="bureau"))).decision
    assert decision.verdict == gov.POLICY_VERDICT_DENY
    [violation] = decision.violations
    assert violation.reason == gov.POLICY_VIOLATION_REASON_UNKNOWN_FEATURE
    assert violation.feature.feature_view == "bureau"
    assert "unknown to the feature store" in violation.explanation


def test_feature_store_down_is_unavailable_and_records_nothing(start_policy: StartPolicy) -> None:
    _, stub = start_policy(featurestore_address=UNREACHABLE)
    with pytest.raises(grpc.RpcError) as caught:
        stub.EvaluateTraining(training(ref("income")))
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert list(stub.ListDecisions(pb.ListDecisionsRequest()).decisions) == []


def test_zip_code_is_flagged_as_a_proxy_and_income_is_not(start_policy: StartPolicy,
                                                          feature_store: LendingFeatureStore) -> None:
    _, stub = start_policy(featurestore_address=feature_store.address)
    sample = types_pb2.ArrowTable(ipc_stream=ipc_bytes(lending_sample()))
    decision = stub.EvaluateTraining(training(ref("zip_code"), ref("income"), sample=sample,
                                              protected_attribute_columns=["race"])).decision
    flagged = {v.column for v in decision.violations if v.rule_kind == gov.POLICY_RULE_KIND_PROXY_DETECTION
               and v.column}
    assert flagged == {"zip_code"}
    zip_violations = [v for v in decision.violations if v.column == "zip_code"]
    assert all(v.measured_value >= 0.5 and v.effect == gov.POLICY_VERDICT_DENY for v in zip_violations)
    assert {v.reason for v in zip_violations} >= {gov.POLICY_VIOLATION_REASON_PROXY_CRAMERS_V}
    assert decision.verdict == gov.POLICY_VERDICT_DENY
    measured = {m.feature: m for m in decision.proxy_report.measurements}
    assert measured["zip_code"].cramers_v > 0.5
    assert measured["income"].cramers_v < 0.1 and measured["income"].bins == 10
    assert decision.proxy_report.rows_used == 3000


def test_malformed_sample_and_unknown_attribute_column_are_invalid(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    with pytest.raises(grpc.RpcError) as caught:
        stub.EvaluateTraining(training(pb.FeatureInput(column="income"),
                                       sample=types_pb2.ArrowTable(ipc_stream=b"not arrow")))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "sample.ipc_stream" in caught.value.details()
    with pytest.raises(grpc.RpcError) as caught:
        stub.EvaluateTraining(training(pb.FeatureInput(column="income"),
                                       sample=types_pb2.ArrowTable(ipc_stream=ipc_bytes(lending_sample(100))),
                                       protected_attribute_columns=["religion"]))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "protected_attribute_columns[0]" in caught.value.details()
    with pytest.raises(grpc.RpcError) as caught:
        stub.EvaluateTraining(pb.EvaluateTrainingRequest(owner_team="risk", input_features=[ref("income")]))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith("domain:")


def test_dry_run_records_without_blocking(start_policy: StartPolicy) -> None:
    _, stub = start_policy(reg_b_preset="off")
    source = ("scope: {domains: [credit]}\ndefault_mode: dry_run\n"
              "rules:\n  - id: no-protected-inputs\n    kind: prohibited_inputs\n")
    stub.CreatePolicy(pb.CreatePolicyRequest(policy={"name": "reg-b-trial", "format": "POLICY_FORMAT_YAML",
                                                     "source": source}))
    decision = stub.EvaluateTraining(training(pb.FeatureInput(column="gender"),
                                              pb.FeatureInput(column="income"))).decision
    assert decision.verdict == gov.POLICY_VERDICT_ALLOW
    [violation] = decision.violations
    assert violation.mode == gov.POLICY_RULE_MODE_DRY_RUN
    assert violation.effect == gov.POLICY_VERDICT_ALLOW
    assert violation.protected_basis == gov.PROTECTED_BASIS_SEX
    stored = stub.GetDecision(pb.GetDecisionRequest(decision_id=decision.decision_id)).decision
    assert stored == decision


def test_warn_mode_allows_with_warnings(start_policy: StartPolicy) -> None:
    _, stub = start_policy(reg_b_preset="off")
    source = ('{"rules": [{"id": "names", "kind": "prohibited_inputs", "mode": "warn",'
              ' "prohibited_inputs": {"bases": ["marital_status"]}}]}')
    stub.CreatePolicy(pb.CreatePolicyRequest(policy={"name": "warn-only", "format": "POLICY_FORMAT_JSON",
                                                     "source": source}))
    decision = stub.EvaluateTraining(training(pb.FeatureInput(column="marital_status"),
                                              pb.FeatureInput(column="age"))).decision
    assert decision.verdict == gov.POLICY_VERDICT_WARN
    assert [v.column for v in decision.violations] == ["marital_status"]


def test_detect_proxies_reports_without_recording_a_decision(start_policy: StartPolicy) -> None:
    _, stub = start_policy()
    report = stub.DetectProxies(pb.DetectProxiesRequest(
        sample=types_pb2.ArrowTable(ipc_stream=ipc_bytes(lending_sample(2000))), protected_attribute_columns=["race"],
        seed=3)).report
    levels = {m.feature: m.level for m in report.measurements}
    assert levels["zip_code"] == decisions_pb2.PROXY_LEVEL_DENY
    assert levels["income"] == decisions_pb2.PROXY_LEVEL_BELOW_WARN
    assert set(levels) == {"zip_code", "income", "years_at_address", "applicant_age"}
    assert report.measurements[0].feature == "zip_code" and report.measurements[0].cramers_v > 0.5
    assert all(m.cramers_v < 0.1 for m in report.measurements if m.feature != "zip_code")
    assert report.joint_results[0].folds == 5 and report.rows_used == 2000
    assert list(stub.ListDecisions(pb.ListDecisionsRequest()).decisions) == []
    with pytest.raises(grpc.RpcError) as caught:
        stub.DetectProxies(pb.DetectProxiesRequest(
            sample=types_pb2.ArrowTable(ipc_stream=ipc_bytes(lending_sample(100))),
            protected_attribute_columns=["race"], feature_columns=["postcode"]))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "feature_columns[0]" in caught.value.details()
