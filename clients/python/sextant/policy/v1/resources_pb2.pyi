import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PolicyFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_FORMAT_UNSPECIFIED: _ClassVar[PolicyFormat]
    POLICY_FORMAT_YAML: _ClassVar[PolicyFormat]
    POLICY_FORMAT_JSON: _ClassVar[PolicyFormat]

class EvaluationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVALUATION_KIND_UNSPECIFIED: _ClassVar[EvaluationKind]
    EVALUATION_KIND_TRAINING: _ClassVar[EvaluationKind]
    EVALUATION_KIND_PROMOTION: _ClassVar[EvaluationKind]
    EVALUATION_KIND_DEPLOYMENT: _ClassVar[EvaluationKind]

class ProxyMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROXY_METHOD_UNSPECIFIED: _ClassVar[ProxyMethod]
    PROXY_METHOD_CRAMERS_V: _ClassVar[ProxyMethod]
    PROXY_METHOD_NORMALIZED_MUTUAL_INFORMATION: _ClassVar[ProxyMethod]
    PROXY_METHOD_JOINT_AUC: _ClassVar[ProxyMethod]
POLICY_FORMAT_UNSPECIFIED: PolicyFormat
POLICY_FORMAT_YAML: PolicyFormat
POLICY_FORMAT_JSON: PolicyFormat
EVALUATION_KIND_UNSPECIFIED: EvaluationKind
EVALUATION_KIND_TRAINING: EvaluationKind
EVALUATION_KIND_PROMOTION: EvaluationKind
EVALUATION_KIND_DEPLOYMENT: EvaluationKind
PROXY_METHOD_UNSPECIFIED: ProxyMethod
PROXY_METHOD_CRAMERS_V: ProxyMethod
PROXY_METHOD_NORMALIZED_MUTUAL_INFORMATION: ProxyMethod
PROXY_METHOD_JOINT_AUC: ProxyMethod

class PolicyScope(_message.Message):
    __slots__ = ("domains", "teams")
    DOMAINS_FIELD_NUMBER: _ClassVar[int]
    TEAMS_FIELD_NUMBER: _ClassVar[int]
    domains: _containers.RepeatedScalarFieldContainer[str]
    teams: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, domains: _Optional[_Iterable[str]] = ..., teams: _Optional[_Iterable[str]] = ...) -> None: ...

class BasisSynonyms(_message.Message):
    __slots__ = ("basis", "names")
    BASIS_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    basis: _governance_pb2.ProtectedBasis
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, basis: _Optional[_Union[_governance_pb2.ProtectedBasis, str]] = ..., names: _Optional[_Iterable[str]] = ...) -> None: ...

class ProhibitedInputsRule(_message.Message):
    __slots__ = ("bases", "synonyms", "name_match_exemptions", "allow_age_for_empirically_derived_scoring", "elderly_age_threshold")
    BASES_FIELD_NUMBER: _ClassVar[int]
    SYNONYMS_FIELD_NUMBER: _ClassVar[int]
    NAME_MATCH_EXEMPTIONS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_AGE_FOR_EMPIRICALLY_DERIVED_SCORING_FIELD_NUMBER: _ClassVar[int]
    ELDERLY_AGE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    bases: _containers.RepeatedScalarFieldContainer[_governance_pb2.ProtectedBasis]
    synonyms: _containers.RepeatedCompositeFieldContainer[BasisSynonyms]
    name_match_exemptions: _containers.RepeatedScalarFieldContainer[str]
    allow_age_for_empirically_derived_scoring: bool
    elderly_age_threshold: int
    def __init__(self, bases: _Optional[_Iterable[_Union[_governance_pb2.ProtectedBasis, str]]] = ..., synonyms: _Optional[_Iterable[_Union[BasisSynonyms, _Mapping]]] = ..., name_match_exemptions: _Optional[_Iterable[str]] = ..., allow_age_for_empirically_derived_scoring: _Optional[bool] = ..., elderly_age_threshold: _Optional[int] = ...) -> None: ...

class ProxyDetectionRule(_message.Message):
    __slots__ = ("warn_threshold", "deny_threshold", "methods", "numeric_bins", "cv_folds", "max_sample_rows", "require_sample")
    WARN_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DENY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    METHODS_FIELD_NUMBER: _ClassVar[int]
    NUMERIC_BINS_FIELD_NUMBER: _ClassVar[int]
    CV_FOLDS_FIELD_NUMBER: _ClassVar[int]
    MAX_SAMPLE_ROWS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_SAMPLE_FIELD_NUMBER: _ClassVar[int]
    warn_threshold: float
    deny_threshold: float
    methods: _containers.RepeatedScalarFieldContainer[ProxyMethod]
    numeric_bins: int
    cv_folds: int
    max_sample_rows: int
    require_sample: bool
    def __init__(self, warn_threshold: _Optional[float] = ..., deny_threshold: _Optional[float] = ..., methods: _Optional[_Iterable[_Union[ProxyMethod, str]]] = ..., numeric_bins: _Optional[int] = ..., cv_folds: _Optional[int] = ..., max_sample_rows: _Optional[int] = ..., require_sample: _Optional[bool] = ...) -> None: ...

class FairnessGateRule(_message.Message):
    __slots__ = ("min_adverse_impact_ratio", "max_equal_opportunity_difference", "min_group_size", "required_attributes", "dataset")
    MIN_ADVERSE_IMPACT_RATIO_FIELD_NUMBER: _ClassVar[int]
    MAX_EQUAL_OPPORTUNITY_DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    MIN_GROUP_SIZE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    min_adverse_impact_ratio: float
    max_equal_opportunity_difference: float
    min_group_size: int
    required_attributes: _containers.RepeatedScalarFieldContainer[str]
    dataset: str
    def __init__(self, min_adverse_impact_ratio: _Optional[float] = ..., max_equal_opportunity_difference: _Optional[float] = ..., min_group_size: _Optional[int] = ..., required_attributes: _Optional[_Iterable[str]] = ..., dataset: _Optional[str] = ...) -> None: ...

class RequiredEvidenceRule(_message.Message):
    __slots__ = ("require_parity_passed", "metric_minimums", "metric_maximums", "min_approvals", "approver_roles", "require_promotion_decision", "forbid_stale_versions")
    class MetricMinimumsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class MetricMaximumsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    REQUIRE_PARITY_PASSED_FIELD_NUMBER: _ClassVar[int]
    METRIC_MINIMUMS_FIELD_NUMBER: _ClassVar[int]
    METRIC_MAXIMUMS_FIELD_NUMBER: _ClassVar[int]
    MIN_APPROVALS_FIELD_NUMBER: _ClassVar[int]
    APPROVER_ROLES_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_PROMOTION_DECISION_FIELD_NUMBER: _ClassVar[int]
    FORBID_STALE_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    require_parity_passed: bool
    metric_minimums: _containers.ScalarMap[str, float]
    metric_maximums: _containers.ScalarMap[str, float]
    min_approvals: int
    approver_roles: _containers.RepeatedScalarFieldContainer[str]
    require_promotion_decision: bool
    forbid_stale_versions: bool
    def __init__(self, require_parity_passed: _Optional[bool] = ..., metric_minimums: _Optional[_Mapping[str, float]] = ..., metric_maximums: _Optional[_Mapping[str, float]] = ..., min_approvals: _Optional[int] = ..., approver_roles: _Optional[_Iterable[str]] = ..., require_promotion_decision: _Optional[bool] = ..., forbid_stale_versions: _Optional[bool] = ...) -> None: ...

class Rule(_message.Message):
    __slots__ = ("id", "kind", "mode", "description", "stages", "target_aliases", "prohibited_inputs", "proxy_detection", "fairness_gate", "required_evidence")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    TARGET_ALIASES_FIELD_NUMBER: _ClassVar[int]
    PROHIBITED_INPUTS_FIELD_NUMBER: _ClassVar[int]
    PROXY_DETECTION_FIELD_NUMBER: _ClassVar[int]
    FAIRNESS_GATE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: _governance_pb2.PolicyRuleKind
    mode: _governance_pb2.PolicyRuleMode
    description: str
    stages: _containers.RepeatedScalarFieldContainer[EvaluationKind]
    target_aliases: _containers.RepeatedScalarFieldContainer[str]
    prohibited_inputs: ProhibitedInputsRule
    proxy_detection: ProxyDetectionRule
    fairness_gate: FairnessGateRule
    required_evidence: RequiredEvidenceRule
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[_governance_pb2.PolicyRuleKind, str]] = ..., mode: _Optional[_Union[_governance_pb2.PolicyRuleMode, str]] = ..., description: _Optional[str] = ..., stages: _Optional[_Iterable[_Union[EvaluationKind, str]]] = ..., target_aliases: _Optional[_Iterable[str]] = ..., prohibited_inputs: _Optional[_Union[ProhibitedInputsRule, _Mapping]] = ..., proxy_detection: _Optional[_Union[ProxyDetectionRule, _Mapping]] = ..., fairness_gate: _Optional[_Union[FairnessGateRule, _Mapping]] = ..., required_evidence: _Optional[_Union[RequiredEvidenceRule, _Mapping]] = ...) -> None: ...

class PolicyDocument(_message.Message):
    __slots__ = ("description", "scope", "default_mode", "rules")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MODE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    description: str
    scope: PolicyScope
    default_mode: _governance_pb2.PolicyRuleMode
    rules: _containers.RepeatedCompositeFieldContainer[Rule]
    def __init__(self, description: _Optional[str] = ..., scope: _Optional[_Union[PolicyScope, _Mapping]] = ..., default_mode: _Optional[_Union[_governance_pb2.PolicyRuleMode, str]] = ..., rules: _Optional[_Iterable[_Union[Rule, _Mapping]]] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ("name", "version", "format", "source", "document", "disabled", "change_note", "builtin", "source_sha256", "create_time", "created_by", "latest_version", "delete_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    CHANGE_NOTE_FIELD_NUMBER: _ClassVar[int]
    BUILTIN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SHA256_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    LATEST_VERSION_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    format: PolicyFormat
    source: str
    document: PolicyDocument
    disabled: bool
    change_note: str
    builtin: bool
    source_sha256: str
    create_time: _timestamp_pb2.Timestamp
    created_by: str
    latest_version: int
    delete_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ..., format: _Optional[_Union[PolicyFormat, str]] = ..., source: _Optional[str] = ..., document: _Optional[_Union[PolicyDocument, _Mapping]] = ..., disabled: _Optional[bool] = ..., change_note: _Optional[str] = ..., builtin: _Optional[bool] = ..., source_sha256: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., latest_version: _Optional[int] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
