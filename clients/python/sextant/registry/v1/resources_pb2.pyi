import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
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

class ModelVersionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_VERSION_STATUS_UNSPECIFIED: _ClassVar[ModelVersionStatus]
    MODEL_VERSION_STATUS_PENDING: _ClassVar[ModelVersionStatus]
    MODEL_VERSION_STATUS_READY: _ClassVar[ModelVersionStatus]
    MODEL_VERSION_STATUS_FAILED: _ClassVar[ModelVersionStatus]
    MODEL_VERSION_STATUS_VALIDATING: _ClassVar[ModelVersionStatus]

class ModelFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_FORMAT_UNSPECIFIED: _ClassVar[ModelFormat]
    MODEL_FORMAT_ONNX: _ClassVar[ModelFormat]

class ModelVersionView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_VERSION_VIEW_UNSPECIFIED: _ClassVar[ModelVersionView]
    MODEL_VERSION_VIEW_BASIC: _ClassVar[ModelVersionView]
    MODEL_VERSION_VIEW_FULL: _ClassVar[ModelVersionView]

class AliasChangeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALIAS_CHANGE_KIND_UNSPECIFIED: _ClassVar[AliasChangeKind]
    ALIAS_CHANGE_KIND_CREATED: _ClassVar[AliasChangeKind]
    ALIAS_CHANGE_KIND_MOVED: _ClassVar[AliasChangeKind]
    ALIAS_CHANGE_KIND_ROLLED_BACK: _ClassVar[AliasChangeKind]
    ALIAS_CHANGE_KIND_DELETED: _ClassVar[AliasChangeKind]
MODEL_VERSION_STATUS_UNSPECIFIED: ModelVersionStatus
MODEL_VERSION_STATUS_PENDING: ModelVersionStatus
MODEL_VERSION_STATUS_READY: ModelVersionStatus
MODEL_VERSION_STATUS_FAILED: ModelVersionStatus
MODEL_VERSION_STATUS_VALIDATING: ModelVersionStatus
MODEL_FORMAT_UNSPECIFIED: ModelFormat
MODEL_FORMAT_ONNX: ModelFormat
MODEL_VERSION_VIEW_UNSPECIFIED: ModelVersionView
MODEL_VERSION_VIEW_BASIC: ModelVersionView
MODEL_VERSION_VIEW_FULL: ModelVersionView
ALIAS_CHANGE_KIND_UNSPECIFIED: AliasChangeKind
ALIAS_CHANGE_KIND_CREATED: AliasChangeKind
ALIAS_CHANGE_KIND_MOVED: AliasChangeKind
ALIAS_CHANGE_KIND_ROLLED_BACK: AliasChangeKind
ALIAS_CHANGE_KIND_DELETED: AliasChangeKind

class RegisteredModel(_message.Message):
    __slots__ = ("name", "description", "owner_team", "domain", "tags", "create_time", "update_time", "aliases", "latest_version", "creator")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class AliasesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    LATEST_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    owner_team: str
    domain: str
    tags: _containers.ScalarMap[str, str]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    aliases: _containers.ScalarMap[str, int]
    latest_version: int
    creator: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., owner_team: _Optional[str] = ..., domain: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., aliases: _Optional[_Mapping[str, int]] = ..., latest_version: _Optional[int] = ..., creator: _Optional[str] = ...) -> None: ...

class ModelVersion(_message.Message):
    __slots__ = ("model_name", "version", "description", "status", "status_message", "format", "task", "signature", "metrics", "params", "tags", "aliases", "stale", "stale_reasons", "artifact_sha256", "artifact_size_bytes", "creator", "create_time", "update_time", "ready_time", "lineage", "approvals")
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    STALE_REASONS_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_SHA256_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    READY_TIME_FIELD_NUMBER: _ClassVar[int]
    LINEAGE_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    version: int
    description: str
    status: ModelVersionStatus
    status_message: str
    format: ModelFormat
    task: _model_pb2.ModelTask
    signature: _types_pb2.ModelSignature
    metrics: _containers.ScalarMap[str, float]
    params: _containers.ScalarMap[str, str]
    tags: _containers.ScalarMap[str, str]
    aliases: _containers.RepeatedScalarFieldContainer[str]
    stale: bool
    stale_reasons: _containers.RepeatedCompositeFieldContainer[_model_pb2.StaleReason]
    artifact_sha256: str
    artifact_size_bytes: int
    creator: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    ready_time: _timestamp_pb2.Timestamp
    lineage: Lineage
    approvals: _containers.RepeatedCompositeFieldContainer[_governance_pb2.Approval]
    def __init__(self, model_name: _Optional[str] = ..., version: _Optional[int] = ..., description: _Optional[str] = ..., status: _Optional[_Union[ModelVersionStatus, str]] = ..., status_message: _Optional[str] = ..., format: _Optional[_Union[ModelFormat, str]] = ..., task: _Optional[_Union[_model_pb2.ModelTask, str]] = ..., signature: _Optional[_Union[_types_pb2.ModelSignature, _Mapping]] = ..., metrics: _Optional[_Mapping[str, float]] = ..., params: _Optional[_Mapping[str, str]] = ..., tags: _Optional[_Mapping[str, str]] = ..., aliases: _Optional[_Iterable[str]] = ..., stale: _Optional[bool] = ..., stale_reasons: _Optional[_Iterable[_Union[_model_pb2.StaleReason, _Mapping]]] = ..., artifact_sha256: _Optional[str] = ..., artifact_size_bytes: _Optional[int] = ..., creator: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ready_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lineage: _Optional[_Union[Lineage, _Mapping]] = ..., approvals: _Optional[_Iterable[_Union[_governance_pb2.Approval, _Mapping]]] = ...) -> None: ...

class Lineage(_message.Message):
    __slots__ = ("training_job_id", "run_id", "experiment", "dataset_digest", "features", "feature_service", "label_column", "policy_decision_id", "parity_report", "fairness_results", "age_probe_results", "reference_profile", "training_row_count", "validation_row_count", "data_start_time", "data_end_time", "empirically_derived_scoring_system", "favorable_label", "label_feature")
    TRAINING_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    DATASET_DIGEST_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    LABEL_COLUMN_FIELD_NUMBER: _ClassVar[int]
    POLICY_DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    PARITY_REPORT_FIELD_NUMBER: _ClassVar[int]
    FAIRNESS_RESULTS_FIELD_NUMBER: _ClassVar[int]
    AGE_PROBE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_PROFILE_FIELD_NUMBER: _ClassVar[int]
    TRAINING_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATA_START_TIME_FIELD_NUMBER: _ClassVar[int]
    DATA_END_TIME_FIELD_NUMBER: _ClassVar[int]
    EMPIRICALLY_DERIVED_SCORING_SYSTEM_FIELD_NUMBER: _ClassVar[int]
    FAVORABLE_LABEL_FIELD_NUMBER: _ClassVar[int]
    LABEL_FEATURE_FIELD_NUMBER: _ClassVar[int]
    training_job_id: str
    run_id: str
    experiment: str
    dataset_digest: str
    features: _containers.RepeatedCompositeFieldContainer[_types_pb2.ResolvedFeature]
    feature_service: str
    label_column: str
    policy_decision_id: str
    parity_report: _types_pb2.ParityReport
    fairness_results: _containers.RepeatedCompositeFieldContainer[_types_pb2.FairnessResult]
    age_probe_results: _containers.RepeatedCompositeFieldContainer[_governance_pb2.AgeProbeResult]
    reference_profile: _types_pb2.DatasetProfile
    training_row_count: int
    validation_row_count: int
    data_start_time: _timestamp_pb2.Timestamp
    data_end_time: _timestamp_pb2.Timestamp
    empirically_derived_scoring_system: bool
    favorable_label: str
    label_feature: _types_pb2.ResolvedFeature
    def __init__(self, training_job_id: _Optional[str] = ..., run_id: _Optional[str] = ..., experiment: _Optional[str] = ..., dataset_digest: _Optional[str] = ..., features: _Optional[_Iterable[_Union[_types_pb2.ResolvedFeature, _Mapping]]] = ..., feature_service: _Optional[str] = ..., label_column: _Optional[str] = ..., policy_decision_id: _Optional[str] = ..., parity_report: _Optional[_Union[_types_pb2.ParityReport, _Mapping]] = ..., fairness_results: _Optional[_Iterable[_Union[_types_pb2.FairnessResult, _Mapping]]] = ..., age_probe_results: _Optional[_Iterable[_Union[_governance_pb2.AgeProbeResult, _Mapping]]] = ..., reference_profile: _Optional[_Union[_types_pb2.DatasetProfile, _Mapping]] = ..., training_row_count: _Optional[int] = ..., validation_row_count: _Optional[int] = ..., data_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., data_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., empirically_derived_scoring_system: _Optional[bool] = ..., favorable_label: _Optional[str] = ..., label_feature: _Optional[_Union[_types_pb2.ResolvedFeature, _Mapping]] = ...) -> None: ...

class Alias(_message.Message):
    __slots__ = ("model_name", "alias", "version", "protected", "update_time", "updated_by", "decision_id", "reason")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    alias: str
    version: int
    protected: bool
    update_time: _timestamp_pb2.Timestamp
    updated_by: str
    decision_id: str
    reason: str
    def __init__(self, model_name: _Optional[str] = ..., alias: _Optional[str] = ..., version: _Optional[int] = ..., protected: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ..., decision_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class AliasHistoryEntry(_message.Message):
    __slots__ = ("model_name", "alias", "kind", "from_version", "to_version", "principal", "change_time", "decision_id", "reason", "revision", "request_id")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FROM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_VERSION_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    alias: str
    kind: AliasChangeKind
    from_version: int
    to_version: int
    principal: str
    change_time: _timestamp_pb2.Timestamp
    decision_id: str
    reason: str
    revision: int
    request_id: str
    def __init__(self, model_name: _Optional[str] = ..., alias: _Optional[str] = ..., kind: _Optional[_Union[AliasChangeKind, str]] = ..., from_version: _Optional[int] = ..., to_version: _Optional[int] = ..., principal: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decision_id: _Optional[str] = ..., reason: _Optional[str] = ..., revision: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...
