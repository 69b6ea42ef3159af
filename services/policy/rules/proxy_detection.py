"""``proxy_detection``: on a sample with the protected attributes, flag inputs that act as proxies.

A measure at or above the deny threshold is a finding with the rule's full mode; one between the
warn and deny thresholds can at most warn. Without a sample the rule is skipped (and the skip
recorded) unless it requires one.
"""

from __future__ import annotations

from services.policy.documents import ProxyDetection, Rule
from services.policy.proxies import ProxyOptions, detect_proxies
from services.policy.rules import Finding, RuleResult
from services.policy.subjects import ModelInput, Subject

_METHOD_NAMES = {"cramers_v": "Cramér's V", "normalized_mutual_information": "normalized mutual information"}


def sample_columns(subject: Subject) -> tuple[list[tuple[ModelInput, str]], list[str], list[str]]:
    """Inputs matched to sample columns, the protected columns, and the inputs without a column."""
    assert subject.sample is not None
    names = set(subject.sample.column_names)
    protected = list(subject.protected_attribute_columns)
    if not protected:
        for item in subject.evaluation_only:
            column = next((c for c in item.sample_columns() if c in names), None)
            if column and column not in protected:
                protected.append(column)
    matched: list[tuple[ModelInput, str]] = []
    missing: list[str] = []
    for item in subject.inputs:
        column = next((c for c in item.sample_columns() if c in names and c not in protected), None)
        if column is None:
            missing.append(item.label)
        elif all(column != other for _, other in matched):
            matched.append((item, column))
    return matched, protected, missing


def evaluate(rule: Rule, subject: Subject) -> RuleResult:
    """Measure the subject's inputs against its protected attributes."""
    params = rule.parameters
    assert isinstance(params, ProxyDetection)
    if subject.sample is None:
        if params.require_sample:
            return RuleResult([Finding(
                reason="sample_missing",
                explanation=("This policy requires a data sample for proxy detection and none was given. Resubmit "
                             "with a sample holding one column per input feature plus the protected attribute "
                             "columns (named in protected_attribute_columns)."))])
        return RuleResult(skipped=True, note="no sample was given, so proxies were not measured")
    matched, protected, missing = sample_columns(subject)
    if not protected:
        return RuleResult(skipped=True, note="the sample holds no protected attribute column")
    if not matched:
        return RuleResult(skipped=True, note="the sample holds no column of any input feature")
    options = ProxyOptions(methods=params.methods, numeric_bins=params.numeric_bins, cv_folds=params.cv_folds,
                           max_sample_rows=params.max_sample_rows, seed=subject.seed,
                           warn_threshold=params.warn_threshold, deny_threshold=params.deny_threshold)
    report = detect_proxies(subject.sample, protected, [column for _, column in matched], options)
    by_column = {column: item for item, column in matched}
    result = RuleResult(proxy_report=report)
    if missing:
        result.note = "inputs without a sample column were not measured: " + ", ".join(missing)
    for measurement in report.measurements:
        item = by_column[measurement.feature]
        for method, value in (("cramers_v", measurement.cramers_v),
                              ("normalized_mutual_information", measurement.normalized_mutual_information)):
            if method not in params.methods or value < params.warn_threshold:
                continue
            severity = "deny" if value >= params.deny_threshold else "warn"
            threshold = params.deny_threshold if severity == "deny" else params.warn_threshold
            result.findings.append(Finding(
                reason=f"proxy_{method}", severity=severity, feature=item.reference,
                column=measurement.feature, metric=method, protected_attribute=measurement.protected_attribute,
                measured_value=value, threshold=threshold,
                explanation=(f"{item.label} acts as a proxy for {measurement.protected_attribute}: its "
                             f"{_METHOD_NAMES[method]} is {value:.3f}, at or above the {severity} threshold "
                             f"{threshold}. Remove it from the inputs, or replace it with a coarser feature that "
                             f"does not encode {measurement.protected_attribute}, and measure again.")))
    for joint in report.joint_results:
        if joint.rescaled_auc < params.warn_threshold:
            continue
        severity = "deny" if joint.rescaled_auc >= params.deny_threshold else "warn"
        threshold = params.deny_threshold if severity == "deny" else params.warn_threshold
        result.findings.append(Finding(
            reason="proxy_joint_auc", severity=severity, metric="joint_auc",
            protected_attribute=joint.protected_attribute, measured_value=joint.rescaled_auc, threshold=threshold,
            explanation=(f"Together the inputs predict {joint.protected_attribute} with a cross-validated AUC of "
                         f"{joint.auc:.3f} (rescaled {joint.rescaled_auc:.3f}, {severity} threshold {threshold}). "
                         f"Remove the inputs with the highest individual association with "
                         f"{joint.protected_attribute} and measure again.")))
    return result
