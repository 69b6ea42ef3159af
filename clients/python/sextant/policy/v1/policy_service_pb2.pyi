import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.policy.v1 import decisions_pb2 as _decisions_pb2
from sextant.policy.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import audit_pb2 as _audit_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeploymentChange(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPLOYMENT_CHANGE_UNSPECIFIED: _ClassVar[DeploymentChange]
    DEPLOYMENT_CHANGE_CREATE: _ClassVar[DeploymentChange]
    DEPLOYMENT_CHANGE_UPDATE: _ClassVar[DeploymentChange]
    DEPLOYMENT_CHANGE_DELETE: _ClassVar[DeploymentChange]
DEPLOYMENT_CHANGE_UNSPECIFIED: DeploymentChange
DEPLOYMENT_CHANGE_CREATE: DeploymentChange
DEPLOYMENT_CHANGE_UPDATE: DeploymentChange
DEPLOYMENT_CHANGE_DELETE: DeploymentChange

class CreatePolicyRequest(_message.Message):
    __slots__ = ("policy", "validate_only")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    policy: _resources_pb2.Policy
    validate_only: bool
    def __init__(self, policy: _Optional[_Union[_resources_pb2.Policy, _Mapping]] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreatePolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: _resources_pb2.Policy
    def __init__(self, policy: _Optional[_Union[_resources_pb2.Policy, _Mapping]] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ("name", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: _resources_pb2.Policy
    def __init__(self, policy: _Optional[_Union[_resources_pb2.Policy, _Mapping]] = ...) -> None: ...

class ListPoliciesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "domain", "team", "rule_kind", "enabled_only", "show_deleted")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    RULE_KIND_FIELD_NUMBER: _ClassVar[int]
    ENABLED_ONLY_FIELD_NUMBER: _ClassVar[int]
    SHOW_DELETED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    domain: str
    team: str
    rule_kind: _governance_pb2.PolicyRuleKind
    enabled_only: bool
    show_deleted: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., domain: _Optional[str] = ..., team: _Optional[str] = ..., rule_kind: _Optional[_Union[_governance_pb2.PolicyRuleKind, str]] = ..., enabled_only: _Optional[bool] = ..., show_deleted: _Optional[bool] = ...) -> None: ...

class ListPoliciesResponse(_message.Message):
    __slots__ = ("policies", "next_page_token")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Policy]
    next_page_token: str
    def __init__(self, policies: _Optional[_Iterable[_Union[_resources_pb2.Policy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListPolicyVersionsRequest(_message.Message):
    __slots__ = ("name", "page_size", "page_token")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    page_size: int
    page_token: str
    def __init__(self, name: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPolicyVersionsResponse(_message.Message):
    __slots__ = ("policies", "next_page_token")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Policy]
    next_page_token: str
    def __init__(self, policies: _Optional[_Iterable[_Union[_resources_pb2.Policy, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdatePolicyRequest(_message.Message):
    __slots__ = ("policy", "update_mask", "allow_missing", "validate_only")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    ALLOW_MISSING_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    policy: _resources_pb2.Policy
    update_mask: _field_mask_pb2.FieldMask
    allow_missing: bool
    validate_only: bool
    def __init__(self, policy: _Optional[_Union[_resources_pb2.Policy, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., allow_missing: _Optional[bool] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class UpdatePolicyResponse(_message.Message):
    __slots__ = ("policy", "version_created")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    VERSION_CREATED_FIELD_NUMBER: _ClassVar[int]
    policy: _resources_pb2.Policy
    version_created: bool
    def __init__(self, policy: _Optional[_Union[_resources_pb2.Policy, _Mapping]] = ..., version_created: _Optional[bool] = ...) -> None: ...

class DeletePolicyRequest(_message.Message):
    __slots__ = ("name", "change_note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANGE_NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    change_note: str
    def __init__(self, name: _Optional[str] = ..., change_note: _Optional[str] = ...) -> None: ...

class DeletePolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: _resources_pb2.Policy
    def __init__(self, policy: _Optional[_Union[_resources_pb2.Policy, _Mapping]] = ...) -> None: ...

class FeatureInput(_message.Message):
    __slots__ = ("reference", "resolved", "column")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    reference: _types_pb2.FeatureReference
    resolved: _types_pb2.ResolvedFeature
    column: str
    def __init__(self, reference: _Optional[_Union[_types_pb2.FeatureReference, _Mapping]] = ..., resolved: _Optional[_Union[_types_pb2.ResolvedFeature, _Mapping]] = ..., column: _Optional[str] = ...) -> None: ...

class EvaluateTrainingRequest(_message.Message):
    __slots__ = ("training_job_id", "model_name", "domain", "owner_team", "principal", "input_features", "evaluation_only_attributes", "empirically_derived_scoring", "sample", "protected_attribute_columns")
    TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    INPUT_FEATURES_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ONLY_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    EMPIRICALLY_DERIVED_SCORING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_ATTRIBUTE_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    training_job_id: str
    model_name: str
    domain: str
    owner_team: str
    principal: str
    input_features: _containers.RepeatedCompositeFieldContainer[FeatureInput]
    evaluation_only_attributes: _containers.RepeatedCompositeFieldContainer[FeatureInput]
    empirically_derived_scoring: bool
    sample: _types_pb2.ArrowTable
    protected_attribute_columns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, training_job_id: _Optional[str] = ..., model_name: _Optional[str] = ..., domain: _Optional[str] = ..., owner_team: _Optional[str] = ..., principal: _Optional[str] = ..., input_features: _Optional[_Iterable[_Union[FeatureInput, _Mapping]]] = ..., evaluation_only_attributes: _Optional[_Iterable[_Union[FeatureInput, _Mapping]]] = ..., empirically_derived_scoring: _Optional[bool] = ..., sample: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ..., protected_attribute_columns: _Optional[_Iterable[str]] = ...) -> None: ...

class EvaluateTrainingResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: _decisions_pb2.Decision
    def __init__(self, decision: _Optional[_Union[_decisions_pb2.Decision, _Mapping]] = ...) -> None: ...

class EvaluatePromotionRequest(_message.Message):
    __slots__ = ("model_name", "model_version", "domain", "owner_team", "target_alias", "current_alias_version", "principal", "input_features", "input_columns", "metrics", "fairness_results", "parity_report", "approvals", "age_probe_results", "empirically_derived_scoring", "training_decision_id", "training_job_id", "stale")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    TARGET_ALIAS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ALIAS_VERSION_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    INPUT_FEATURES_FIELD_NUMBER: _ClassVar[int]
    INPUT_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    FAIRNESS_RESULTS_FIELD_NUMBER: _ClassVar[int]
    PARITY_REPORT_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    AGE_PROBE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    EMPIRICALLY_DERIVED_SCORING_FIELD_NUMBER: _ClassVar[int]
    TRAINING_DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: int
    domain: str
    owner_team: str
    target_alias: str
    current_alias_version: int
    principal: str
    input_features: _containers.RepeatedCompositeFieldContainer[_types_pb2.ResolvedFeature]
    input_columns: _containers.RepeatedScalarFieldContainer[str]
    metrics: _containers.ScalarMap[str, float]
    fairness_results: _containers.RepeatedCompositeFieldContainer[_types_pb2.FairnessResult]
    parity_report: _types_pb2.ParityReport
    approvals: _containers.RepeatedCompositeFieldContainer[_governance_pb2.Approval]
    age_probe_results: _containers.RepeatedCompositeFieldContainer[_governance_pb2.AgeProbeResult]
    empirically_derived_scoring: bool
    training_decision_id: str
    training_job_id: str
    stale: bool
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., domain: _Optional[str] = ..., owner_team: _Optional[str] = ..., target_alias: _Optional[str] = ..., current_alias_version: _Optional[int] = ..., principal: _Optional[str] = ..., input_features: _Optional[_Iterable[_Union[_types_pb2.ResolvedFeature, _Mapping]]] = ..., input_columns: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Mapping[str, float]] = ..., fairness_results: _Optional[_Iterable[_Union[_types_pb2.FairnessResult, _Mapping]]] = ..., parity_report: _Optional[_Union[_types_pb2.ParityReport, _Mapping]] = ..., approvals: _Optional[_Iterable[_Union[_governance_pb2.Approval, _Mapping]]] = ..., age_probe_results: _Optional[_Iterable[_Union[_governance_pb2.AgeProbeResult, _Mapping]]] = ..., empirically_derived_scoring: _Optional[bool] = ..., training_decision_id: _Optional[str] = ..., training_job_id: _Optional[str] = ..., stale: _Optional[bool] = ...) -> None: ...

class EvaluatePromotionResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: _decisions_pb2.Decision
    def __init__(self, decision: _Optional[_Union[_decisions_pb2.Decision, _Mapping]] = ...) -> None: ...

class ServedVersion(_message.Message):
    __slots__ = ("role", "alias", "model_version", "traffic_percent", "promotion_decision_id", "stale", "input_features")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    PROMOTION_DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    INPUT_FEATURES_FIELD_NUMBER: _ClassVar[int]
    role: _model_pb2.DeploymentRole
    alias: str
    model_version: int
    traffic_percent: float
    promotion_decision_id: str
    stale: bool
    input_features: _containers.RepeatedCompositeFieldContainer[_types_pb2.ResolvedFeature]
    def __init__(self, role: _Optional[_Union[_model_pb2.DeploymentRole, str]] = ..., alias: _Optional[str] = ..., model_version: _Optional[int] = ..., traffic_percent: _Optional[float] = ..., promotion_decision_id: _Optional[str] = ..., stale: _Optional[bool] = ..., input_features: _Optional[_Iterable[_Union[_types_pb2.ResolvedFeature, _Mapping]]] = ...) -> None: ...

class EvaluateDeploymentRequest(_message.Message):
    __slots__ = ("deployment_name", "change", "model_name", "domain", "owner_team", "principal", "served_versions")
    DEPLOYMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    SERVED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    deployment_name: str
    change: DeploymentChange
    model_name: str
    domain: str
    owner_team: str
    principal: str
    served_versions: _containers.RepeatedCompositeFieldContainer[ServedVersion]
    def __init__(self, deployment_name: _Optional[str] = ..., change: _Optional[_Union[DeploymentChange, str]] = ..., model_name: _Optional[str] = ..., domain: _Optional[str] = ..., owner_team: _Optional[str] = ..., principal: _Optional[str] = ..., served_versions: _Optional[_Iterable[_Union[ServedVersion, _Mapping]]] = ...) -> None: ...

class EvaluateDeploymentResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: _decisions_pb2.Decision
    def __init__(self, decision: _Optional[_Union[_decisions_pb2.Decision, _Mapping]] = ...) -> None: ...

class GetDecisionRequest(_message.Message):
    __slots__ = ("decision_id",)
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    def __init__(self, decision_id: _Optional[str] = ...) -> None: ...

class GetDecisionResponse(_message.Message):
    __slots__ = ("decision",)
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: _decisions_pb2.Decision
    def __init__(self, decision: _Optional[_Union[_decisions_pb2.Decision, _Mapping]] = ...) -> None: ...

class ListDecisionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "kinds", "verdicts", "model_name", "model_version", "training_job_id", "deployment_name", "principal", "policy_name", "start_time", "end_time", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    VERDICTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    kinds: _containers.RepeatedScalarFieldContainer[_resources_pb2.EvaluationKind]
    verdicts: _containers.RepeatedScalarFieldContainer[_governance_pb2.PolicyVerdict]
    model_name: str
    model_version: int
    training_job_id: str
    deployment_name: str
    principal: str
    policy_name: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[_resources_pb2.EvaluationKind, str]]] = ..., verdicts: _Optional[_Iterable[_Union[_governance_pb2.PolicyVerdict, str]]] = ..., model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., training_job_id: _Optional[str] = ..., deployment_name: _Optional[str] = ..., principal: _Optional[str] = ..., policy_name: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListDecisionsResponse(_message.Message):
    __slots__ = ("decisions", "next_page_token")
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    decisions: _containers.RepeatedCompositeFieldContainer[_decisions_pb2.Decision]
    next_page_token: str
    def __init__(self, decisions: _Optional[_Iterable[_Union[_decisions_pb2.Decision, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DetectProxiesRequest(_message.Message):
    __slots__ = ("sample", "protected_attribute_columns", "feature_columns", "methods", "numeric_bins", "cv_folds", "max_sample_rows", "seed", "warn_threshold", "deny_threshold")
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_ATTRIBUTE_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    METHODS_FIELD_NUMBER: _ClassVar[int]
    NUMERIC_BINS_FIELD_NUMBER: _ClassVar[int]
    CV_FOLDS_FIELD_NUMBER: _ClassVar[int]
    MAX_SAMPLE_ROWS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    WARN_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DENY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    sample: _types_pb2.ArrowTable
    protected_attribute_columns: _containers.RepeatedScalarFieldContainer[str]
    feature_columns: _containers.RepeatedScalarFieldContainer[str]
    methods: _containers.RepeatedScalarFieldContainer[_resources_pb2.ProxyMethod]
    numeric_bins: int
    cv_folds: int
    max_sample_rows: int
    seed: int
    warn_threshold: float
    deny_threshold: float
    def __init__(self, sample: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ..., protected_attribute_columns: _Optional[_Iterable[str]] = ..., feature_columns: _Optional[_Iterable[str]] = ..., methods: _Optional[_Iterable[_Union[_resources_pb2.ProxyMethod, str]]] = ..., numeric_bins: _Optional[int] = ..., cv_folds: _Optional[int] = ..., max_sample_rows: _Optional[int] = ..., seed: _Optional[int] = ..., warn_threshold: _Optional[float] = ..., deny_threshold: _Optional[float] = ...) -> None: ...

class DetectProxiesResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _decisions_pb2.ProxyReport
    def __init__(self, report: _Optional[_Union[_decisions_pb2.ProxyReport, _Mapping]] = ...) -> None: ...

class ListAuditRecordsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "principal", "method", "kind", "resource_type", "resource_name", "status_code", "start_time", "end_time", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    principal: str
    method: str
    kind: _audit_pb2.AuditKind
    resource_type: str
    resource_name: str
    status_code: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., principal: _Optional[str] = ..., method: _Optional[str] = ..., kind: _Optional[_Union[_audit_pb2.AuditKind, str]] = ..., resource_type: _Optional[str] = ..., resource_name: _Optional[str] = ..., status_code: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListAuditRecordsResponse(_message.Message):
    __slots__ = ("audit_records", "next_page_token")
    AUDIT_RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_records: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditRecord]
    next_page_token: str
    def __init__(self, audit_records: _Optional[_Iterable[_Union[_audit_pb2.AuditRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
