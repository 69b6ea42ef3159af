"""Rule kinds and the evaluator on domain objects: effects, gates and evidence."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from services.policy.documents import parse_document
from services.policy.evaluation import ActivePolicy, DecisionSubject, effect_of, evaluate
from services.policy.subjects import (
    Approval,
    FairnessResult,
    GroupOutcome,
    ModelInput,
    ParityEvidence,
    Subject,
)


def _policy(source: str) -> list[ActivePolicy]:
    return [ActivePolicy("p", 4, parse_document(source, "yaml"))]


def _run(source: str, subject: Subject):  # type: ignore[no-untyped-def]
    return evaluate(_policy(source), subject, kind=subject.stage, about=DecisionSubject(), input_digest="d",
                    caller="c", request_id="r")


def test_effects_follow_modes_and_severity() -> None:
    assert effect_of("enforce", "deny") == "deny"
    assert effect_of("enforce", "warn") == "warn"
    assert effect_of("warn", "deny") == "warn"
    assert effect_of("dry_run", "deny") == "allow"


def test_proxy_between_thresholds_only_warns_even_when_enforced() -> None:
    rng = np.random.default_rng(2)
    rows = 3000
    group = rng.choice(["a", "b"], rows)
    leaky = np.where(rng.random(rows) < 0.35, group, rng.choice(["a", "b"], rows))  # V about 0.35
    sample = pa.table({"group": group, "leaky": leaky})
    source = ("rules:\n  - id: px\n    kind: proxy_detection\n"
              "    proxy_detection: {methods: [cramers_v]}\n")
    decision = _run(source, Subject(stage="training", domain="credit", owner_team="t", principal="u",
                                    inputs=(ModelInput(column="leaky"),), sample=sample,
                                    protected_attribute_columns=("group",)))
    [violation] = decision.violations
    assert 0.3 <= violation.finding.measured_value < 0.5  # type: ignore[operator]
    assert violation.effect == "warn" and violation.finding.threshold == 0.3
    assert decision.verdict == "warn"


def test_equal_opportunity_and_missing_required_attribute() -> None:
    source = ("rules:\n  - id: gate\n    kind: fairness_gate\n"
              "    fairness_gate: {required_attributes: [race, sex], max_equal_opportunity_difference: 0.05}\n")
    result = FairnessResult("race", (GroupOutcome("x", 100, 0.5, 0.9), GroupOutcome("y", 100, 0.45, 0.7)),
                            0.9, 0.2, "x", "holdout")
    decision = _run(source, Subject(stage="promotion", domain="credit", owner_team="t", principal="u",
                                    fairness_results=(result,)))
    reasons = sorted(v.finding.reason for v in decision.violations)
    assert reasons == ["equal_opportunity_difference", "fairness_result_missing"]
    eod = next(v for v in decision.violations if v.finding.reason == "equal_opportunity_difference")
    assert abs(eod.finding.measured_value - 0.2) < 1e-9  # type: ignore[operator]
    assert decision.evaluated_policies[0].rules[0].outcome == "violated"
    assert decision.verdict == "deny" and decision.summary.startswith("DENY:")


def test_required_evidence_counts_only_qualifying_approvals() -> None:
    source = ("rules:\n  - id: ev\n    kind: required_evidence\n    target_aliases: [production]\n"
              "    required_evidence:\n      require_parity_passed: true\n      metric_minimums: {roc_auc: 0.7}\n"
              "      metric_maximums: {log_loss: 0.5}\n      min_approvals: 2\n      approver_roles: [risk-officer]\n")
    approvals = (Approval("ann", ("risk-officer",), "production"), Approval("bob", ("risk-officer",), "staging"),
                 Approval("requester", ("risk-officer",), ""), Approval("cy", ("engineer",), ""),
                 Approval("ann", ("risk-officer",), ""))
    subject = Subject(stage="promotion", domain="credit", owner_team="t", principal="requester",
                      target_alias="production", metrics={"roc_auc": 0.65}, approvals=approvals,
                      parity=ParityEvidence(True, True, 100))
    decision = _run(source, subject)
    found = {v.finding.reason: v.finding for v in decision.violations}
    assert set(found) == {"metric_below_minimum", "metric_missing", "insufficient_approvals"}
    assert found["insufficient_approvals"].measured_value == 1.0
    subject.target_alias = "staging"
    staging = _run(source, subject)
    assert staging.verdict == "allow"
    assert staging.evaluated_policies[0].rules[0].outcome == "not_applicable"
