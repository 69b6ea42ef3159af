import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.policy.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RuleOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_OUTCOME_UNSPECIFIED: _ClassVar[RuleOutcome]
    RULE_OUTCOME_PASSED: _ClassVar[RuleOutcome]
    RULE_OUTCOME_VIOLATED: _ClassVar[RuleOutcome]
    RULE_OUTCOME_SKIPPED: _ClassVar[RuleOutcome]
    RULE_OUTCOME_NOT_APPLICABLE: _ClassVar[RuleOutcome]

class ProxyLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROXY_LEVEL_UNSPECIFIED: _ClassVar[ProxyLevel]
    PROXY_LEVEL_BELOW_WARN: _ClassVar[ProxyLevel]
    PROXY_LEVEL_WARN: _ClassVar[ProxyLevel]
    PROXY_LEVEL_DENY: _ClassVar[ProxyLevel]
RULE_OUTCOME_UNSPECIFIED: RuleOutcome
RULE_OUTCOME_PASSED: RuleOutcome
RULE_OUTCOME_VIOLATED: RuleOutcome
RULE_OUTCOME_SKIPPED: RuleOutcome
RULE_OUTCOME_NOT_APPLICABLE: RuleOutcome
PROXY_LEVEL_UNSPECIFIED: ProxyLevel
PROXY_LEVEL_BELOW_WARN: ProxyLevel
PROXY_LEVEL_WARN: ProxyLevel
PROXY_LEVEL_DENY: ProxyLevel

class RuleEvaluation(_message.Message):
    __slots__ = ("rule_id", "kind", "mode", "outcome", "note")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    kind: _governance_pb2.PolicyRuleKind
    mode: _governance_pb2.PolicyRuleMode
    outcome: RuleOutcome
    note: str
    def __init__(self, rule_id: _Optional[str] = ..., kind: _Optional[_Union[_governance_pb2.PolicyRuleKind, str]] = ..., mode: _Optional[_Union[_governance_pb2.PolicyRuleMode, str]] = ..., outcome: _Optional[_Union[RuleOutcome, str]] = ..., note: _Optional[str] = ...) -> None: ...

class EvaluatedPolicy(_message.Message):
    __slots__ = ("policy_name", "policy_version", "rules")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_version: int
    rules: _containers.RepeatedCompositeFieldContainer[RuleEvaluation]
    def __init__(self, policy_name: _Optional[str] = ..., policy_version: _Optional[int] = ..., rules: _Optional[_Iterable[_Union[RuleEvaluation, _Mapping]]] = ...) -> None: ...

class ProxyMeasurement(_message.Message):
    __slots__ = ("feature", "protected_attribute", "cramers_v", "normalized_mutual_information", "bins", "level")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    CRAMERS_V_FIELD_NUMBER: _ClassVar[int]
    NORMALIZED_MUTUAL_INFORMATION_FIELD_NUMBER: _ClassVar[int]
    BINS_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    feature: str
    protected_attribute: str
    cramers_v: float
    normalized_mutual_information: float
    bins: int
    level: ProxyLevel
    def __init__(self, feature: _Optional[str] = ..., protected_attribute: _Optional[str] = ..., cramers_v: _Optional[float] = ..., normalized_mutual_information: _Optional[float] = ..., bins: _Optional[int] = ..., level: _Optional[_Union[ProxyLevel, str]] = ...) -> None: ...

class JointProxyResult(_message.Message):
    __slots__ = ("protected_attribute", "auc", "rescaled_auc", "folds", "features", "level")
    PROTECTED_ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    AUC_FIELD_NUMBER: _ClassVar[int]
    RESCALED_AUC_FIELD_NUMBER: _ClassVar[int]
    FOLDS_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    protected_attribute: str
    auc: float
    rescaled_auc: float
    folds: int
    features: _containers.RepeatedScalarFieldContainer[str]
    level: ProxyLevel
    def __init__(self, protected_attribute: _Optional[str] = ..., auc: _Optional[float] = ..., rescaled_auc: _Optional[float] = ..., folds: _Optional[int] = ..., features: _Optional[_Iterable[str]] = ..., level: _Optional[_Union[ProxyLevel, str]] = ...) -> None: ...

class ProxyReport(_message.Message):
    __slots__ = ("measurements", "joint_results", "rows_received", "rows_used", "warn_threshold", "deny_threshold")
    MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    JOINT_RESULTS_FIELD_NUMBER: _ClassVar[int]
    ROWS_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    ROWS_USED_FIELD_NUMBER: _ClassVar[int]
    WARN_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DENY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    measurements: _containers.RepeatedCompositeFieldContainer[ProxyMeasurement]
    joint_results: _containers.RepeatedCompositeFieldContainer[JointProxyResult]
    rows_received: int
    rows_used: int
    warn_threshold: float
    deny_threshold: float
    def __init__(self, measurements: _Optional[_Iterable[_Union[ProxyMeasurement, _Mapping]]] = ..., joint_results: _Optional[_Iterable[_Union[JointProxyResult, _Mapping]]] = ..., rows_received: _Optional[int] = ..., rows_used: _Optional[int] = ..., warn_threshold: _Optional[float] = ..., deny_threshold: _Optional[float] = ...) -> None: ...

class DecisionSubject(_message.Message):
    __slots__ = ("model_name", "model_version", "training_job_id", "target_alias", "deployment_name", "domain", "owner_team")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ALIAS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: int
    training_job_id: str
    target_alias: str
    deployment_name: str
    domain: str
    owner_team: str
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., training_job_id: _Optional[str] = ..., target_alias: _Optional[str] = ..., deployment_name: _Optional[str] = ..., domain: _Optional[str] = ..., owner_team: _Optional[str] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ("decision_id", "kind", "subject", "verdict", "violations", "input_digest", "evaluated_policies", "principal", "caller", "create_time", "request_id", "summary", "resolved_input_features", "proxy_report")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    INPUT_DIGEST_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_INPUT_FEATURES_FIELD_NUMBER: _ClassVar[int]
    PROXY_REPORT_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    kind: _resources_pb2.EvaluationKind
    subject: DecisionSubject
    verdict: _governance_pb2.PolicyVerdict
    violations: _containers.RepeatedCompositeFieldContainer[_governance_pb2.PolicyViolation]
    input_digest: str
    evaluated_policies: _containers.RepeatedCompositeFieldContainer[EvaluatedPolicy]
    principal: str
    caller: str
    create_time: _timestamp_pb2.Timestamp
    request_id: str
    summary: str
    resolved_input_features: _containers.RepeatedCompositeFieldContainer[_types_pb2.ResolvedFeature]
    proxy_report: ProxyReport
    def __init__(self, decision_id: _Optional[str] = ..., kind: _Optional[_Union[_resources_pb2.EvaluationKind, str]] = ..., subject: _Optional[_Union[DecisionSubject, _Mapping]] = ..., verdict: _Optional[_Union[_governance_pb2.PolicyVerdict, str]] = ..., violations: _Optional[_Iterable[_Union[_governance_pb2.PolicyViolation, _Mapping]]] = ..., input_digest: _Optional[str] = ..., evaluated_policies: _Optional[_Iterable[_Union[EvaluatedPolicy, _Mapping]]] = ..., principal: _Optional[str] = ..., caller: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ..., summary: _Optional[str] = ..., resolved_input_features: _Optional[_Iterable[_Union[_types_pb2.ResolvedFeature, _Mapping]]] = ..., proxy_report: _Optional[_Union[ProxyReport, _Mapping]] = ...) -> None: ...
