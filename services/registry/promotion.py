"""The policy gate of protected aliases: asks the policy service's EvaluatePromotion.

This is the registry's adapter to another service's contract, so it speaks protobuf: it builds the
request from a version's lineage and turns the decision into either a verdict (ALLOW or WARN, with
the warnings to pass on) or a FAILED_PRECONDITION carrying one violation per broken rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.dependencies import Dependency
from services.common.errors import FailedPrecondition, PreconditionViolation
from services.registry.converters import approval_to_proto
from services.registry.records import ModelVersion
from sextant.policy.v1 import policy_service_pb2
from sextant.registry.v1 import resources_pb2
from sextant.type.v1 import governance_pb2


@dataclass(frozen=True)
class PromotionVerdict:
    """An allowed promotion: the decision id to store, the verdict number and the warnings."""

    decision_id: str
    verdict: int
    warnings: tuple[governance_pb2.PolicyViolation, ...] = ()


class PolicyGate:
    """Evaluates promotions to protected aliases."""

    def __init__(self, policy: Dependency) -> None:
        self._policy = policy

    def evaluate(self, version: ModelVersion, *, alias: str, current_version: int,
                 principal: str) -> PromotionVerdict:
        """ALLOW/WARN as a verdict; DENY raises FailedPrecondition; an unreachable policy, Unavailable."""
        lineage = resources_pb2.Lineage.FromString(version.lineage) if version.lineage else resources_pb2.Lineage()
        request = policy_service_pb2.EvaluatePromotionRequest(
            model_name=version.model_name, model_version=version.version, domain=version.domain,
            owner_team=version.owner_team, target_alias=alias, current_alias_version=current_version,
            principal=principal, input_features=list(lineage.features),
            input_columns=[s.name for s in version.signature.inputs if not s.feature],
            metrics=version.metrics, fairness_results=list(lineage.fairness_results),
            age_probe_results=list(lineage.age_probe_results),
            empirically_derived_scoring=lineage.empirically_derived_scoring_system,
            training_decision_id=lineage.policy_decision_id, training_job_id=lineage.training_job_id,
            stale=version.stale, approvals=[approval_to_proto(a) for a in version.approvals])
        if lineage.HasField("parity_report"):
            request.parity_report.CopyFrom(lineage.parity_report)
        decision = self._policy.call("EvaluatePromotion", request).decision
        if decision.verdict == governance_pb2.POLICY_VERDICT_DENY:
            denied = [v for v in decision.violations if v.effect == governance_pb2.POLICY_VERDICT_DENY] or \
                list(decision.violations)
            raise FailedPrecondition(
                f"the policy service denied moving {alias!r} of {version.model_name!r} to version "
                f"{version.version}: {decision.summary or 'see the violations'}",
                reason="PROMOTION_DENIED",
                metadata={"decision_id": decision.decision_id, "model_name": version.model_name,
                          "version": version.version, "alias": alias},
                precondition_violations=[PreconditionViolation(
                    type="POLICY", subject=f"{v.policy_name}/{v.rule_id}",
                    description=v.explanation or governance_pb2.PolicyViolationReason.Name(v.reason))
                    for v in denied])
        warnings = tuple(v for v in decision.violations if v.effect == governance_pb2.POLICY_VERDICT_WARN)
        verdict = decision.verdict if decision.verdict else governance_pb2.POLICY_VERDICT_ALLOW
        return PromotionVerdict(decision.decision_id, verdict, warnings)
