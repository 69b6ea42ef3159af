import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProtectedBasis(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROTECTED_BASIS_UNSPECIFIED: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_RACE: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_COLOR: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_RELIGION: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_NATIONAL_ORIGIN: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_SEX: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_MARITAL_STATUS: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_AGE: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_PUBLIC_ASSISTANCE: _ClassVar[ProtectedBasis]
    PROTECTED_BASIS_CCPA_RIGHTS: _ClassVar[ProtectedBasis]

class PolicyVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_VERDICT_UNSPECIFIED: _ClassVar[PolicyVerdict]
    POLICY_VERDICT_ALLOW: _ClassVar[PolicyVerdict]
    POLICY_VERDICT_WARN: _ClassVar[PolicyVerdict]
    POLICY_VERDICT_DENY: _ClassVar[PolicyVerdict]

class PolicyRuleKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_RULE_KIND_UNSPECIFIED: _ClassVar[PolicyRuleKind]
    POLICY_RULE_KIND_PROHIBITED_INPUTS: _ClassVar[PolicyRuleKind]
    POLICY_RULE_KIND_PROXY_DETECTION: _ClassVar[PolicyRuleKind]
    POLICY_RULE_KIND_FAIRNESS_GATE: _ClassVar[PolicyRuleKind]
    POLICY_RULE_KIND_REQUIRED_EVIDENCE: _ClassVar[PolicyRuleKind]

class PolicyRuleMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_RULE_MODE_UNSPECIFIED: _ClassVar[PolicyRuleMode]
    POLICY_RULE_MODE_ENFORCE: _ClassVar[PolicyRuleMode]
    POLICY_RULE_MODE_WARN: _ClassVar[PolicyRuleMode]
    POLICY_RULE_MODE_DRY_RUN: _ClassVar[PolicyRuleMode]

class PolicyViolationReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_VIOLATION_REASON_UNSPECIFIED: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PROTECTED_BASIS_TAG: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PROTECTED_BASIS_NAME: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_UNKNOWN_FEATURE: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_DEFINITION_MISMATCH: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_AGE_PROBE_MISSING: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_AGE_NEGATIVE_CONTRIBUTION: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PROXY_CRAMERS_V: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PROXY_NORMALIZED_MUTUAL_INFORMATION: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PROXY_JOINT_AUC: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_SAMPLE_MISSING: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_FAIRNESS_RESULT_MISSING: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_GROUP_TOO_SMALL: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_ADVERSE_IMPACT_RATIO: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_EQUAL_OPPORTUNITY_DIFFERENCE: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PARITY_REPORT_MISSING: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PARITY_FAILED: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_METRIC_MISSING: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_METRIC_BELOW_MINIMUM: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_METRIC_ABOVE_MAXIMUM: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_INSUFFICIENT_APPROVALS: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_PROMOTION_DECISION_MISSING: _ClassVar[PolicyViolationReason]
    POLICY_VIOLATION_REASON_VERSION_STALE: _ClassVar[PolicyViolationReason]
PROTECTED_BASIS_UNSPECIFIED: ProtectedBasis
PROTECTED_BASIS_RACE: ProtectedBasis
PROTECTED_BASIS_COLOR: ProtectedBasis
PROTECTED_BASIS_RELIGION: ProtectedBasis
PROTECTED_BASIS_NATIONAL_ORIGIN: ProtectedBasis
PROTECTED_BASIS_SEX: ProtectedBasis
PROTECTED_BASIS_MARITAL_STATUS: ProtectedBasis
PROTECTED_BASIS_AGE: ProtectedBasis
PROTECTED_BASIS_PUBLIC_ASSISTANCE: ProtectedBasis
PROTECTED_BASIS_CCPA_RIGHTS: ProtectedBasis
POLICY_VERDICT_UNSPECIFIED: PolicyVerdict
POLICY_VERDICT_ALLOW: PolicyVerdict
POLICY_VERDICT_WARN: PolicyVerdict
POLICY_VERDICT_DENY: PolicyVerdict
POLICY_RULE_KIND_UNSPECIFIED: PolicyRuleKind
POLICY_RULE_KIND_PROHIBITED_INPUTS: PolicyRuleKind
POLICY_RULE_KIND_PROXY_DETECTION: PolicyRuleKind
POLICY_RULE_KIND_FAIRNESS_GATE: PolicyRuleKind
POLICY_RULE_KIND_REQUIRED_EVIDENCE: PolicyRuleKind
POLICY_RULE_MODE_UNSPECIFIED: PolicyRuleMode
POLICY_RULE_MODE_ENFORCE: PolicyRuleMode
POLICY_RULE_MODE_WARN: PolicyRuleMode
POLICY_RULE_MODE_DRY_RUN: PolicyRuleMode
POLICY_VIOLATION_REASON_UNSPECIFIED: PolicyViolationReason
POLICY_VIOLATION_REASON_PROTECTED_BASIS_TAG: PolicyViolationReason
POLICY_VIOLATION_REASON_PROTECTED_BASIS_NAME: PolicyViolationReason
POLICY_VIOLATION_REASON_UNKNOWN_FEATURE: PolicyViolationReason
POLICY_VIOLATION_REASON_DEFINITION_MISMATCH: PolicyViolationReason
POLICY_VIOLATION_REASON_AGE_PROBE_MISSING: PolicyViolationReason
POLICY_VIOLATION_REASON_AGE_NEGATIVE_CONTRIBUTION: PolicyViolationReason
POLICY_VIOLATION_REASON_PROXY_CRAMERS_V: PolicyViolationReason
POLICY_VIOLATION_REASON_PROXY_NORMALIZED_MUTUAL_INFORMATION: PolicyViolationReason
POLICY_VIOLATION_REASON_PROXY_JOINT_AUC: PolicyViolationReason
POLICY_VIOLATION_REASON_SAMPLE_MISSING: PolicyViolationReason
POLICY_VIOLATION_REASON_FAIRNESS_RESULT_MISSING: PolicyViolationReason
POLICY_VIOLATION_REASON_GROUP_TOO_SMALL: PolicyViolationReason
POLICY_VIOLATION_REASON_ADVERSE_IMPACT_RATIO: PolicyViolationReason
POLICY_VIOLATION_REASON_EQUAL_OPPORTUNITY_DIFFERENCE: PolicyViolationReason
POLICY_VIOLATION_REASON_PARITY_REPORT_MISSING: PolicyViolationReason
POLICY_VIOLATION_REASON_PARITY_FAILED: PolicyViolationReason
POLICY_VIOLATION_REASON_METRIC_MISSING: PolicyViolationReason
POLICY_VIOLATION_REASON_METRIC_BELOW_MINIMUM: PolicyViolationReason
POLICY_VIOLATION_REASON_METRIC_ABOVE_MAXIMUM: PolicyViolationReason
POLICY_VIOLATION_REASON_INSUFFICIENT_APPROVALS: PolicyViolationReason
POLICY_VIOLATION_REASON_PROMOTION_DECISION_MISSING: PolicyViolationReason
POLICY_VIOLATION_REASON_VERSION_STALE: PolicyViolationReason

class PolicyViolation(_message.Message):
    __slots__ = ("rule_kind", "rule_id", "policy_name", "policy_version", "mode", "effect", "reason", "feature", "column", "metric", "protected_basis", "protected_attribute", "group", "measured_value", "threshold", "explanation")
    RULE_KIND_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_BASIS_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    MEASURED_VALUE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    rule_kind: PolicyRuleKind
    rule_id: str
    policy_name: str
    policy_version: int
    mode: PolicyRuleMode
    effect: PolicyVerdict
    reason: PolicyViolationReason
    feature: _types_pb2.FeatureReference
    column: str
    metric: str
    protected_basis: ProtectedBasis
    protected_attribute: str
    group: str
    measured_value: float
    threshold: float
    explanation: str
    def __init__(self, rule_kind: _Optional[_Union[PolicyRuleKind, str]] = ..., rule_id: _Optional[str] = ..., policy_name: _Optional[str] = ..., policy_version: _Optional[int] = ..., mode: _Optional[_Union[PolicyRuleMode, str]] = ..., effect: _Optional[_Union[PolicyVerdict, str]] = ..., reason: _Optional[_Union[PolicyViolationReason, str]] = ..., feature: _Optional[_Union[_types_pb2.FeatureReference, _Mapping]] = ..., column: _Optional[str] = ..., metric: _Optional[str] = ..., protected_basis: _Optional[_Union[ProtectedBasis, str]] = ..., protected_attribute: _Optional[str] = ..., group: _Optional[str] = ..., measured_value: _Optional[float] = ..., threshold: _Optional[float] = ..., explanation: _Optional[str] = ...) -> None: ...

class Approval(_message.Message):
    __slots__ = ("principal", "roles", "alias", "comment", "approve_time")
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    APPROVE_TIME_FIELD_NUMBER: _ClassVar[int]
    principal: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    alias: str
    comment: str
    approve_time: _timestamp_pb2.Timestamp
    def __init__(self, principal: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ..., alias: _Optional[str] = ..., comment: _Optional[str] = ..., approve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AgeProbeResult(_message.Message):
    __slots__ = ("feature", "age_threshold", "rows_probed", "negative_contribution_rows", "min_contribution", "mean_contribution", "method", "dataset")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    AGE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    ROWS_PROBED_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_CONTRIBUTION_ROWS_FIELD_NUMBER: _ClassVar[int]
    MIN_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    MEAN_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    feature: str
    age_threshold: int
    rows_probed: int
    negative_contribution_rows: int
    min_contribution: float
    mean_contribution: float
    method: str
    dataset: str
    def __init__(self, feature: _Optional[str] = ..., age_threshold: _Optional[int] = ..., rows_probed: _Optional[int] = ..., negative_contribution_rows: _Optional[int] = ..., min_contribution: _Optional[float] = ..., mean_contribution: _Optional[float] = ..., method: _Optional[str] = ..., dataset: _Optional[str] = ...) -> None: ...
