"""``prohibited_inputs``: protected attributes must not be model inputs.

An input is prohibited when its feature store ``protected_basis`` tag names a prohibited basis (tag
path) or when its name matches a basis's synonyms (name path; exemptions never override a tag).
Evaluation-only attributes are not judged. A reference the feature store does not know is always a
finding: unknown features are never allowed silently. Under the empirically-derived-scoring
exception age may be an input; at promotion the age probe must then show no negative contribution
for applicants at or above the threshold age.
"""

from __future__ import annotations

from services.policy.bases import SynonymTable, basis_from_text
from services.policy.documents import ProhibitedInputs, Rule
from services.policy.rules import Finding, RuleResult
from services.policy.subjects import AgeProbe, ModelInput, Subject

_UNKNOWN_HINTS = {
    "view_not_found": "no feature view of that name exists",
    "version_not_found": "the pinned view version does not exist",
    "feature_not_found": "the view has no feature of that name",
    "view_deleted": "the view is deleted",
}


def _inputs(subject: Subject) -> list[ModelInput]:
    if subject.stage != "deployment":
        return list(subject.inputs)
    seen: dict[str, ModelInput] = {}
    for version in subject.served_versions:
        for item in version.inputs:
            seen.setdefault(item.label, item)
    return list(seen.values())


def _protected_basis(item: ModelInput, params: ProhibitedInputs, synonyms: SynonymTable) -> tuple[str, str, str]:
    """``(basis, reason, evidence)`` for a prohibited input, or empty strings."""
    if item.resolved is not None:
        tagged = basis_from_text(item.resolved.tags.get("protected_basis", ""))
        if tagged and tagged in params.bases:
            return tagged, "protected_basis_tag", f"it is tagged protected_basis={tagged} in the feature store"
    exemptions = params.name_match_exemptions
    if exemptions and (item.name in exemptions or item.label in exemptions or (
            item.reference is not None and f"{item.reference.view}:{item.reference.feature}" in exemptions)):
        return "", "", ""
    match = synonyms.match(item.name)
    if match:
        basis, synonym = match
        return basis, "protected_basis_name", f"its name matches {synonym!r}, a name for the basis {basis}"
    return "", "", ""


def _probe_for(item: ModelInput, probes: tuple[AgeProbe, ...]) -> AgeProbe | None:
    names = {item.name, item.label, *item.sample_columns()}
    if item.reference is not None:
        names.add(f"{item.reference.view}:{item.reference.feature}")
    return next((probe for probe in probes if probe.feature in names), None)


def _age_exception(item: ModelInput, params: ProhibitedInputs, subject: Subject) -> Finding | None:
    if subject.stage != "promotion":
        return None
    threshold = params.elderly_age_threshold
    group = f"{threshold}+"
    probe = _probe_for(item, subject.age_probes)
    if probe is None or probe.rows_probed <= 0 or (probe.age_threshold and probe.age_threshold > threshold):
        return Finding(
            reason="age_probe_missing", feature=item.reference, column="" if item.reference else item.column,
            protected_basis="age", group=group,
            explanation=(f"{item.label} is an age input allowed only for an empirically derived scoring system, "
                         f"and no age probe covering applicants aged {threshold} or older was recorded for it. "
                         f"Record an age probe result for {item.name} (threshold {threshold}) with the version, "
                         f"or remove the age input."))
    if probe.negative_contribution_rows > 0 or probe.min_contribution < 0:
        return Finding(
            reason="age_negative_contribution", feature=item.reference,
            column="" if item.reference else item.column, protected_basis="age", group=group,
            measured_value=float(probe.negative_contribution_rows), threshold=0.0,
            explanation=(f"The age probe shows a negative contribution of {item.label} for "
                         f"{probe.negative_contribution_rows} of {probe.rows_probed} applicants aged {threshold} "
                         f"or older (smallest contribution {probe.min_contribution:.4g}). Regulation B forbids "
                         f"assigning older applicants a negative factor: constrain the age effect (for example a "
                         f"monotone constraint) or remove age from the inputs, retrain, and probe again."))
    return None


_TABLES: dict[int, tuple[ProhibitedInputs, SynonymTable]] = {}


def _synonyms(params: ProhibitedInputs) -> SynonymTable:
    # Parsed documents are cached, so the same parameters object comes back call after call.
    cached = _TABLES.get(id(params))
    if cached is None or cached[0] is not params:
        if len(_TABLES) > 1024:
            _TABLES.clear()
        cached = _TABLES[id(params)] = (params, SynonymTable(params.bases, params.synonyms))
    return cached[1]


def evaluate(rule: Rule, subject: Subject) -> RuleResult:
    """Judge every model input of the subject."""
    params = rule.parameters
    assert isinstance(params, ProhibitedInputs)
    synonyms = _synonyms(params)
    result = RuleResult()
    for item in _inputs(subject):
        if item.unknown is not None:
            hint = _UNKNOWN_HINTS.get(item.unknown_reason, "the feature store does not know it")
            result.findings.append(Finding(
                reason="unknown_feature", feature=item.unknown,
                explanation=(f"{item.unknown.text} is unknown to the feature store ({hint}), so its governance "
                             f"tags cannot be checked and it is never allowed silently. Fix the reference or "
                             f"apply the feature view first, then resubmit.")))
            continue
        basis, reason, evidence = _protected_basis(item, params, synonyms)
        if not basis:
            continue
        if basis == "age" and params.allow_age_for_empirically_derived_scoring and subject.empirically_derived_scoring:
            finding = _age_exception(item, params, subject)
            if finding:
                result.findings.append(finding)
            continue
        exception = (" Age is allowed only for a model declared an empirically derived scoring system under a "
                     "policy that allows that exception." if basis == "age" else "")
        result.findings.append(Finding(
            reason=reason, feature=item.reference, column="" if item.reference else item.column,
            protected_basis=basis,
            explanation=(f"Remove {item.label} from the model inputs: {evidence}, and {basis} is a prohibited "
                         f"basis under Regulation B. It may stay as an evaluation-only attribute for fairness "
                         f"measurement.{exception}")))
    return result
