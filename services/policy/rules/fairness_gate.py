"""``fairness_gate``: at promotion, the fairness results recorded on the version must pass.

Each group's adverse impact ratio (its selection rate ÷ the highest group's) must reach the minimum
(four-fifths by default) and the equal opportunity difference (largest gap in true positive rate)
must not exceed the maximum. A group smaller than the minimum size is its own finding: a result
resting on too few rows cannot support a pass.
"""

from __future__ import annotations

from services.policy.documents import FairnessGate, Rule
from services.policy.rules import Finding, RuleResult
from services.policy.subjects import FairnessResult, Subject


def _check(result: FairnessResult, params: FairnessGate) -> list[Finding]:
    findings: list[Finding] = []
    attribute = result.attribute
    for group in result.groups:
        if group.count < params.min_group_size:
            findings.append(Finding(
                reason="group_too_small", protected_attribute=attribute, group=group.group,
                metric="group_size", measured_value=float(group.count), threshold=float(params.min_group_size),
                explanation=(f"The fairness result for {attribute} rests on only {group.count} rows of group "
                             f"{group.group!r}, fewer than the minimum {params.min_group_size}; it cannot support a "
                             f"pass. Evaluate fairness on a larger held-out set (or one that samples the group "
                             f"more) and record the result again.")))
    rates = [g.selection_rate for g in result.groups]
    best = max(rates) if rates else 0.0
    if result.groups and best > 0:
        reference = next(g.group for g in result.groups if g.selection_rate == best)
        for group in result.groups:
            ratio = group.selection_rate / best
            if ratio < params.min_adverse_impact_ratio:
                findings.append(Finding(
                    reason="adverse_impact_ratio", protected_attribute=attribute, group=group.group,
                    metric="adverse_impact_ratio", measured_value=ratio, threshold=params.min_adverse_impact_ratio,
                    explanation=(f"Group {group.group!r} of {attribute} is selected at {group.selection_rate:.3f}, "
                                 f"{ratio:.3f} of the rate of {reference!r} ({best:.3f}), below the minimum ratio "
                                 f"{params.min_adverse_impact_ratio}. Investigate the features driving the gap, "
                                 f"mitigate (reweighting, threshold adjustment, removing proxies), retrain and "
                                 f"measure again.")))
    elif not result.groups and result.adverse_impact_ratio < params.min_adverse_impact_ratio:
        findings.append(Finding(
            reason="adverse_impact_ratio", protected_attribute=attribute, metric="adverse_impact_ratio",
            measured_value=result.adverse_impact_ratio, threshold=params.min_adverse_impact_ratio,
            explanation=(f"The adverse impact ratio for {attribute} is {result.adverse_impact_ratio:.3f}, below the "
                         f"minimum {params.min_adverse_impact_ratio}. Mitigate the disparity, retrain and measure "
                         f"again.")))
    if params.max_equal_opportunity_difference < 1.0:
        tprs = [g.true_positive_rate for g in result.groups]
        difference = (max(tprs) - min(tprs)) if len(tprs) >= 2 else result.equal_opportunity_difference
        if difference > params.max_equal_opportunity_difference:
            findings.append(Finding(
                reason="equal_opportunity_difference", protected_attribute=attribute,
                metric="equal_opportunity_difference", measured_value=difference,
                threshold=params.max_equal_opportunity_difference,
                explanation=(f"The true positive rates of the groups of {attribute} differ by {difference:.3f}, "
                             f"more than the maximum {params.max_equal_opportunity_difference}. Qualified applicants "
                             f"of some groups are approved less often: mitigate, retrain and measure again.")))
    return findings


def evaluate(rule: Rule, subject: Subject) -> RuleResult:
    """Gate the fairness results of the subject's dataset."""
    params = rule.parameters
    assert isinstance(params, FairnessGate)
    results = [r for r in subject.fairness_results if (r.dataset or "holdout") == params.dataset]
    outcome = RuleResult()
    if not results and not params.required_attributes:
        outcome.findings.append(Finding(
            reason="fairness_result_missing", metric="adverse_impact_ratio",
            explanation=(f"No fairness result on the {params.dataset!r} dataset is recorded on this version. "
                         f"Measure fairness on the held-out set with the protected attributes as evaluation-only "
                         f"attributes and record the results before promoting.")))
    for attribute in params.required_attributes:
        if not any(r.attribute == attribute for r in results):
            outcome.findings.append(Finding(
                reason="fairness_result_missing", protected_attribute=attribute,
                explanation=(f"No fairness result for {attribute} on the {params.dataset!r} dataset is recorded "
                             f"on this version. Measure it (with {attribute} as an evaluation-only attribute) and "
                             f"record it before promoting.")))
    for result in results:
        outcome.findings.extend(_check(result, params))
    return outcome
