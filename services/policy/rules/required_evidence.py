"""``required_evidence``: evidence that must be present at promotion or deployment.

A passed ONNX parity report, metric floors and ceilings, approvals from distinct principals other
than the requester (holding one of the named roles, for the target alias), an allowing promotion
decision for every served version, and no stale version.
"""

from __future__ import annotations

from services.policy.documents import RequiredEvidence, Rule
from services.policy.rules import Finding, RuleResult
from services.policy.subjects import Subject


def _promotion_findings(params: RequiredEvidence, subject: Subject) -> list[Finding]:
    findings: list[Finding] = []
    if params.require_parity_passed:
        if not subject.parity.present:
            findings.append(Finding(
                reason="parity_report_missing", metric="onnx_parity",
                explanation=("No ONNX parity report is recorded on this version. Export the model with the parity "
                             "check enabled and register the report before promoting.")))
        elif not subject.parity.passed:
            findings.append(Finding(
                reason="parity_failed", metric="onnx_parity",
                explanation=("The ONNX parity report did not pass: the exported model does not reproduce the "
                             "trained estimator within tolerance. Fix the export (opset, float32 inputs, encoders) "
                             "and register a version whose parity report passes.")))
    for metric, floor in sorted(params.metric_minimums.items()):
        value = subject.metrics.get(metric)
        if value is None:
            findings.append(Finding(reason="metric_missing", metric=metric, threshold=floor, explanation=(
                f"Metric {metric} is not recorded on this version; record it (at least {floor}) before promoting.")))
        elif value < floor:
            findings.append(Finding(reason="metric_below_minimum", metric=metric, measured_value=value,
                                    threshold=floor, explanation=(
                                        f"Metric {metric} is {value:.4g}, below the minimum {floor}. Improve the "
                                        f"model and register a better version.")))
    for metric, ceiling in sorted(params.metric_maximums.items()):
        value = subject.metrics.get(metric)
        if value is None:
            findings.append(Finding(reason="metric_missing", metric=metric, threshold=ceiling, explanation=(
                f"Metric {metric} is not recorded on this version; record it (at most {ceiling}) before promoting.")))
        elif value > ceiling:
            findings.append(Finding(reason="metric_above_maximum", metric=metric, measured_value=value,
                                    threshold=ceiling, explanation=(
                                        f"Metric {metric} is {value:.4g}, above the maximum {ceiling}. Improve the "
                                        f"model and register a better version.")))
    if params.min_approvals > 0:
        roles = set(params.approver_roles)
        approvers = {a.principal for a in subject.approvals
                     if a.principal != subject.principal and (not a.alias or a.alias == subject.target_alias)
                     and (not roles or roles & set(a.roles))}
        if len(approvers) < params.min_approvals:
            role_text = f" holding one of the roles {', '.join(sorted(roles))}" if roles else ""
            findings.append(Finding(
                reason="insufficient_approvals", metric="approvals", measured_value=float(len(approvers)),
                threshold=float(params.min_approvals),
                explanation=(f"{len(approvers)} qualifying approval(s) recorded, {params.min_approvals} required from "
                             f"distinct principals other than the requester{role_text}. Ask for approval of this "
                             f"version{' for ' + subject.target_alias if subject.target_alias else ''}.")))
    if params.forbid_stale_versions and subject.stale:
        findings.append(Finding(reason="version_stale", explanation=(
            "This version was trained on a feature view version that has since changed. Retrain on the current "
            "definitions and promote the new version.")))
    return findings


def _deployment_findings(params: RequiredEvidence, subject: Subject) -> list[Finding]:
    findings: list[Finding] = []
    for served in subject.served_versions:
        label = f"version {served.model_version} (alias {served.alias or '-'})"
        if params.require_promotion_decision:
            verdict = subject.decision_verdict(served.promotion_decision_id) if served.promotion_decision_id else None
            if verdict is None or verdict == "deny":
                why = ("was denied by its promotion decision" if verdict == "deny"
                       else "has no recorded promotion decision")
                findings.append(Finding(reason="promotion_decision_missing", group=served.alias, explanation=(
                    f"Served {label} {why}. Promote the version through the registry (which records a policy "
                    f"decision) before deploying it.")))
        if params.forbid_stale_versions and served.stale:
            findings.append(Finding(reason="version_stale", group=served.alias, explanation=(
                f"Served {label} is stale: it was trained on a feature view version that has since changed. "
                f"Retrain, promote and deploy the new version.")))
    return findings


def evaluate(rule: Rule, subject: Subject) -> RuleResult:
    """Check the evidence of a promotion or a deployment."""
    params = rule.parameters
    assert isinstance(params, RequiredEvidence)
    if subject.stage == "deployment":
        return RuleResult(_deployment_findings(params, subject))
    if subject.stage == "training":
        return RuleResult(skipped=True, note="evidence is checked at promotion and deployment")
    return RuleResult(_promotion_findings(params, subject))
