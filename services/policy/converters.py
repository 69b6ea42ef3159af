"""Protobuf ↔ domain conversions of the policy service, and validation of request fields at the edge."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from services.common.errors import InvalidArgument
from services.policy import documents as doc
from services.policy.evaluation import Decision, Violation
from services.policy.evaluator import DeploymentRequest, InputSpec, PromotionRequest, TrainingRequest
from services.policy.feature_resolution import resolved_from_proto
from services.policy.policies import PolicyVersion
from services.policy.proxies import ProxyOptions, ProxyReport
from services.policy.repository import DecisionFilter
from services.policy.subjects import (
    AgeProbe,
    Approval,
    FairnessResult,
    FeatureRef,
    GroupOutcome,
    ModelInput,
    ParityEvidence,
    ResolvedFeature,
    ServedVersion,
)
from sextant.policy.v1 import decisions_pb2, policy_service_pb2, resources_pb2
from sextant.type.v1 import governance_pb2, types_pb2


def to_enum(enum_type: Any, prefix: str, value: str) -> int:
    """The enum number of a domain value such as ``deny`` (``""`` is UNSPECIFIED)."""
    return enum_type.Value(prefix + value.upper()) if value else 0


def from_enum(enum_type: Any, prefix: str, number: int) -> str:
    """The domain value of an enum number (UNSPECIFIED and unknown numbers are ``""``)."""
    try:
        name = enum_type.Name(number)
    except ValueError:
        return ""
    return "" if name.endswith("_UNSPECIFIED") else name.removeprefix(prefix).lower()


def _timestamp(moment: datetime | None) -> timestamp_pb2.Timestamp | None:
    if moment is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC).replace(tzinfo=None))
    return stamp


def _optional_time(message: Message, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToDatetime(tzinfo=UTC)
    except ValueError as error:
        raise InvalidArgument(field, f"a valid timestamp ({error})") from None


def input_digest(request: Message) -> str:
    """The sha256 (hex) of a request serialized deterministically."""
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


# --- policies ------------------------------------------------------------------------------------

def policy_format(number: int) -> str:
    """``yaml`` or ``json`` for a PolicyFormat number; ``""`` when unset."""
    return from_enum(resources_pb2.PolicyFormat, "POLICY_FORMAT_", number)


def _rule_to_proto(rule: doc.Rule) -> resources_pb2.Rule:
    message = resources_pb2.Rule(
        id=rule.id, kind=to_enum(governance_pb2.PolicyRuleKind, "POLICY_RULE_KIND_", rule.kind),
        mode=to_enum(governance_pb2.PolicyRuleMode, "POLICY_RULE_MODE_", rule.mode), description=rule.description,
        stages=[to_enum(resources_pb2.EvaluationKind, "EVALUATION_KIND_", s) for s in rule.stages],
        target_aliases=list(rule.target_aliases))
    params = rule.parameters
    if isinstance(params, doc.ProhibitedInputs):
        message.prohibited_inputs.CopyFrom(resources_pb2.ProhibitedInputsRule(
            bases=[to_enum(governance_pb2.ProtectedBasis, "PROTECTED_BASIS_", b) for b in params.bases],
            synonyms=[resources_pb2.BasisSynonyms(basis=to_enum(governance_pb2.ProtectedBasis, "PROTECTED_BASIS_", b),
                                                  names=list(names)) for b, names in params.synonyms.items()],
            name_match_exemptions=list(params.name_match_exemptions),
            allow_age_for_empirically_derived_scoring=params.allow_age_for_empirically_derived_scoring,
            elderly_age_threshold=params.elderly_age_threshold))
    elif isinstance(params, doc.ProxyDetection):
        message.proxy_detection.CopyFrom(resources_pb2.ProxyDetectionRule(
            warn_threshold=params.warn_threshold, deny_threshold=params.deny_threshold,
            methods=[to_enum(resources_pb2.ProxyMethod, "PROXY_METHOD_", m) for m in params.methods],
            numeric_bins=params.numeric_bins, cv_folds=params.cv_folds, max_sample_rows=params.max_sample_rows,
            require_sample=params.require_sample))
    elif isinstance(params, doc.FairnessGate):
        message.fairness_gate.CopyFrom(resources_pb2.FairnessGateRule(
            min_adverse_impact_ratio=params.min_adverse_impact_ratio,
            max_equal_opportunity_difference=params.max_equal_opportunity_difference,
            min_group_size=params.min_group_size, required_attributes=list(params.required_attributes),
            dataset=params.dataset))
    else:
        assert isinstance(params, doc.RequiredEvidence)
        message.required_evidence.CopyFrom(resources_pb2.RequiredEvidenceRule(
            require_parity_passed=params.require_parity_passed, metric_minimums=dict(params.metric_minimums),
            metric_maximums=dict(params.metric_maximums), min_approvals=params.min_approvals,
            approver_roles=list(params.approver_roles),
            require_promotion_decision=params.require_promotion_decision,
            forbid_stale_versions=params.forbid_stale_versions))
    return message


def document_to_proto(document: doc.PolicyDocument) -> resources_pb2.PolicyDocument:
    """The PolicyDocument message of a parsed document."""
    return resources_pb2.PolicyDocument(
        description=document.description,
        scope=resources_pb2.PolicyScope(domains=list(document.domains), teams=list(document.teams)),
        default_mode=to_enum(governance_pb2.PolicyRuleMode, "POLICY_RULE_MODE_", document.default_mode),
        rules=[_rule_to_proto(rule) for rule in document.rules])


def policy_to_proto(policy: PolicyVersion) -> resources_pb2.Policy:
    """The Policy message of one stored (or would-be) version."""
    return resources_pb2.Policy(
        name=policy.name, version=policy.version,
        format=to_enum(resources_pb2.PolicyFormat, "POLICY_FORMAT_", policy.format), source=policy.source,
        document=document_to_proto(policy.document), disabled=policy.disabled, change_note=policy.change_note,
        builtin=policy.builtin, source_sha256=policy.source_sha256, create_time=_timestamp(policy.create_time),
        created_by=policy.created_by, latest_version=policy.latest_version,
        delete_time=_timestamp(policy.delete_time))


# --- evaluation requests -------------------------------------------------------------------------

def _reference(message: types_pb2.FeatureReference, field: str) -> FeatureRef:
    if not message.feature_view or not message.feature:
        raise InvalidArgument(field, "a feature reference with feature_view and feature set")
    if message.version < 0:
        raise InvalidArgument(f"{field}.version", "0 (latest) or a positive view version")
    return FeatureRef(message.feature_view, message.feature, message.version)


def _resolved(message: types_pb2.ResolvedFeature, field: str) -> ResolvedFeature:
    _reference(message.reference, f"{field}.reference")
    return resolved_from_proto(message)


def _input(message: policy_service_pb2.FeatureInput, field: str) -> InputSpec:
    which = message.WhichOneof("source")
    if which == "reference":
        return _reference(message.reference, f"{field}.reference")
    if which == "resolved":
        return _resolved(message.resolved, f"{field}.resolved")
    if which == "column" and message.column:
        return message.column
    raise InvalidArgument(field, "exactly one of reference, resolved or a non-empty column")


def _required(value: str, field: str, what: str) -> str:
    if not value:
        raise InvalidArgument(field, what)
    return value


def training_request(message: policy_service_pb2.EvaluateTrainingRequest, principal: str) -> TrainingRequest:
    """The domain training request; missing domain, team or inputs are INVALID_ARGUMENT."""
    _required(message.domain, "domain", "the model's domain, for example `credit`")
    _required(message.owner_team, "owner_team", "the model's owner team")
    if not message.input_features:
        raise InvalidArgument("input_features", "at least one model input")
    return TrainingRequest(
        domain=message.domain, owner_team=message.owner_team, principal=message.principal or principal,
        inputs=tuple(_input(m, f"input_features[{i}]") for i, m in enumerate(message.input_features)),
        evaluation_only=tuple(_input(m, f"evaluation_only_attributes[{i}]")
                              for i, m in enumerate(message.evaluation_only_attributes)),
        training_job_id=message.training_job_id, model_name=message.model_name,
        empirically_derived_scoring=message.empirically_derived_scoring,
        sample_ipc=message.sample.ipc_stream if message.HasField("sample") else b"",
        protected_attribute_columns=tuple(message.protected_attribute_columns))


def _fairness(message: types_pb2.FairnessResult) -> FairnessResult:
    return FairnessResult(
        attribute=message.attribute,
        groups=tuple(GroupOutcome(g.group, g.count, g.selection_rate, g.true_positive_rate, g.positive_count)
                     for g in message.groups),
        adverse_impact_ratio=message.adverse_impact_ratio,
        equal_opportunity_difference=message.equal_opportunity_difference,
        reference_group=message.reference_group, dataset=message.dataset)


def promotion_request(message: policy_service_pb2.EvaluatePromotionRequest, principal: str) -> PromotionRequest:
    """The domain promotion request; missing model, version or alias are INVALID_ARGUMENT."""
    _required(message.model_name, "model_name", "the registered model's name")
    if message.model_version <= 0:
        raise InvalidArgument("model_version", "a positive model version")
    _required(message.target_alias, "target_alias", "the alias to move, for example `production`")
    inputs: list[InputSpec] = [_resolved(f, f"input_features[{i}]") for i, f in enumerate(message.input_features)]
    inputs.extend(column for column in message.input_columns if column)
    return PromotionRequest(
        model_name=message.model_name, model_version=message.model_version, domain=message.domain,
        owner_team=message.owner_team, target_alias=message.target_alias, principal=message.principal or principal,
        inputs=tuple(inputs), metrics=dict(message.metrics),
        fairness_results=tuple(_fairness(f) for f in message.fairness_results),
        parity=ParityEvidence(True, message.parity_report.passed, message.parity_report.rows_checked)
        if message.HasField("parity_report") else ParityEvidence(False),
        approvals=tuple(Approval(a.principal, tuple(a.roles), a.alias) for a in message.approvals),
        age_probes=tuple(AgeProbe(p.feature, p.age_threshold, p.rows_probed, p.negative_contribution_rows,
                                  p.min_contribution, p.mean_contribution) for p in message.age_probe_results),
        empirically_derived_scoring=message.empirically_derived_scoring, training_job_id=message.training_job_id,
        stale=message.stale)


def deployment_request(message: policy_service_pb2.EvaluateDeploymentRequest, principal: str) -> DeploymentRequest:
    """The domain deployment request; a missing name or served versions are INVALID_ARGUMENT."""
    _required(message.deployment_name, "deployment_name", "the deployment's name")
    change = from_enum(policy_service_pb2.DeploymentChange, "DEPLOYMENT_CHANGE_", message.change)
    if not change:
        raise InvalidArgument("change", "DEPLOYMENT_CHANGE_CREATE, _UPDATE or _DELETE")
    if not message.served_versions:
        raise InvalidArgument("served_versions", "at least one served version")
    served = []
    for i, version in enumerate(message.served_versions):
        if version.model_version <= 0:
            raise InvalidArgument(f"served_versions[{i}].model_version", "a positive model version")
        served.append(ServedVersion(
            alias=version.alias, model_version=version.model_version,
            promotion_decision_id=version.promotion_decision_id, stale=version.stale,
            inputs=tuple(ModelInput(resolved=_resolved(f, f"served_versions[{i}].input_features[{j}]"))
                         for j, f in enumerate(version.input_features))))
    return DeploymentRequest(deployment_name=message.deployment_name, change=change, model_name=message.model_name,
                             domain=message.domain, owner_team=message.owner_team,
                             principal=message.principal or principal, served_versions=tuple(served))


def decision_filter(message: policy_service_pb2.ListDecisionsRequest) -> DecisionFilter:
    """The typed filters of a ListDecisions request."""
    order = " ".join(message.order_by.split()).lower()
    if order not in ("", "create_time desc", "create_time", "create_time asc"):
        raise InvalidArgument("order_by", "`create_time desc` (default) or `create_time`")
    if message.model_version and not message.model_name:
        raise InvalidArgument("model_name", "the model name, when model_version is set")
    if message.model_version < 0:
        raise InvalidArgument("model_version", "0 or a positive model version")
    return DecisionFilter(
        kinds=tuple(sorted({from_enum(resources_pb2.EvaluationKind, "EVALUATION_KIND_", k)
                            for k in message.kinds} - {""})),
        verdicts=tuple(sorted({from_enum(governance_pb2.PolicyVerdict, "POLICY_VERDICT_", v)
                               for v in message.verdicts} - {""})),
        model_name=message.model_name, model_version=message.model_version,
        training_job_id=message.training_job_id, deployment_name=message.deployment_name,
        principal=message.principal, policy_name=message.policy_name,
        start_time=_optional_time(message, "start_time"), end_time=_optional_time(message, "end_time"),
        ascending=order in ("create_time", "create_time asc"))


def proxy_options(message: policy_service_pb2.DetectProxiesRequest) -> ProxyOptions:
    """The options of a standalone proxy analysis, defaults filled in."""
    for name in ("numeric_bins", "cv_folds", "max_sample_rows"):
        value = getattr(message, name)
        if value < 0 or value == 1:
            raise InvalidArgument(name, f"0 (default) or at least 2, got {value}")
    for name in ("warn_threshold", "deny_threshold"):
        value = getattr(message, name)
        if not 0.0 <= value <= 1.0:
            raise InvalidArgument(name, f"a threshold in [0, 1], got {value}")
    warn, deny = message.warn_threshold or 0.3, message.deny_threshold or 0.5
    if deny < warn:
        raise InvalidArgument("deny_threshold", f"a deny threshold at or above the warn threshold {warn}")
    methods = tuple(m for m in (from_enum(resources_pb2.ProxyMethod, "PROXY_METHOD_", n) for n in message.methods)
                    if m)
    return ProxyOptions(methods=methods or doc.PROXY_METHODS, numeric_bins=message.numeric_bins or 10,
                        cv_folds=message.cv_folds or 5, max_sample_rows=message.max_sample_rows or 100_000,
                        seed=message.seed, warn_threshold=warn, deny_threshold=deny)


# --- decisions -----------------------------------------------------------------------------------

def proxy_report_to_proto(report: ProxyReport) -> decisions_pb2.ProxyReport:
    """The ProxyReport message of a proxy analysis."""
    def level(value: str) -> int:
        return to_enum(decisions_pb2.ProxyLevel, "PROXY_LEVEL_", value)

    return decisions_pb2.ProxyReport(
        measurements=[decisions_pb2.ProxyMeasurement(
            feature=m.feature, protected_attribute=m.protected_attribute, cramers_v=m.cramers_v,
            normalized_mutual_information=m.normalized_mutual_information, bins=m.bins, level=level(m.level))
            for m in report.measurements],
        joint_results=[decisions_pb2.JointProxyResult(
            protected_attribute=j.protected_attribute, auc=j.auc, rescaled_auc=j.rescaled_auc, folds=j.folds,
            features=list(j.features), level=level(j.level)) for j in report.joint_results],
        rows_received=report.rows_received, rows_used=report.rows_used, warn_threshold=report.warn_threshold,
        deny_threshold=report.deny_threshold)


def _feature_reference(reference: FeatureRef) -> types_pb2.FeatureReference:
    return types_pb2.FeatureReference(feature_view=reference.view, feature=reference.feature,
                                      version=reference.version)


def violation_to_proto(violation: Violation) -> governance_pb2.PolicyViolation:
    """The PolicyViolation message of a violation."""
    finding = violation.finding
    message = governance_pb2.PolicyViolation(
        rule_kind=to_enum(governance_pb2.PolicyRuleKind, "POLICY_RULE_KIND_", violation.rule_kind),
        rule_id=violation.rule_id, policy_name=violation.policy_name, policy_version=violation.policy_version,
        mode=to_enum(governance_pb2.PolicyRuleMode, "POLICY_RULE_MODE_", violation.mode),
        effect=to_enum(governance_pb2.PolicyVerdict, "POLICY_VERDICT_", violation.effect),
        reason=to_enum(governance_pb2.PolicyViolationReason, "POLICY_VIOLATION_REASON_", finding.reason),
        column=finding.column, metric=finding.metric,
        protected_basis=to_enum(governance_pb2.ProtectedBasis, "PROTECTED_BASIS_", finding.protected_basis),
        protected_attribute=finding.protected_attribute, group=finding.group, explanation=finding.explanation)
    if finding.feature is not None:
        message.feature.CopyFrom(_feature_reference(finding.feature))
    if finding.measured_value is not None:
        message.measured_value = finding.measured_value
    if finding.threshold is not None:
        message.threshold = finding.threshold
    return message


def decision_to_proto(decision: Decision) -> decisions_pb2.Decision:
    """The Decision message of a decision."""
    about = decision.subject
    message = decisions_pb2.Decision(
        decision_id=decision.decision_id,
        kind=to_enum(resources_pb2.EvaluationKind, "EVALUATION_KIND_", decision.kind),
        subject=decisions_pb2.DecisionSubject(
            model_name=about.model_name, model_version=about.model_version, training_job_id=about.training_job_id,
            target_alias=about.target_alias, deployment_name=about.deployment_name, domain=about.domain,
            owner_team=about.owner_team),
        verdict=to_enum(governance_pb2.PolicyVerdict, "POLICY_VERDICT_", decision.verdict),
        violations=[violation_to_proto(v) for v in decision.violations], input_digest=decision.input_digest,
        evaluated_policies=[decisions_pb2.EvaluatedPolicy(
            policy_name=p.policy_name, policy_version=p.policy_version,
            rules=[decisions_pb2.RuleEvaluation(
                rule_id=r.rule_id, kind=to_enum(governance_pb2.PolicyRuleKind, "POLICY_RULE_KIND_", r.kind),
                mode=to_enum(governance_pb2.PolicyRuleMode, "POLICY_RULE_MODE_", r.mode),
                outcome=to_enum(decisions_pb2.RuleOutcome, "RULE_OUTCOME_", r.outcome), note=r.note)
                for r in p.rules]) for p in decision.evaluated_policies],
        principal=decision.principal, caller=decision.caller, create_time=_timestamp(decision.create_time),
        request_id=decision.request_id, summary=decision.summary,
        resolved_input_features=[types_pb2.ResolvedFeature(
            reference=_feature_reference(f.reference), resolved_version=f.resolved_version,
            fingerprint=f.fingerprint, dtype=f.dtype, tags=dict(f.tags), owner_team=f.owner_team)
            for f in decision.resolved_inputs])
    if decision.proxy_report is not None:
        message.proxy_report.CopyFrom(proxy_report_to_proto(decision.proxy_report))
    return message


def encode_decision(decision: Decision) -> bytes:
    """The stored form of a decision: its Decision message, serialized deterministically."""
    return decision_to_proto(decision).SerializeToString(deterministic=True)


def decision_from_record(record: bytes) -> decisions_pb2.Decision:
    """A stored decision record as a Decision message."""
    return decisions_pb2.Decision.FromString(record)
