import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.training.v1 import spec_pb2 as _spec_pb2
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

class TrainingJobState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_JOB_STATE_UNSPECIFIED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_QUEUED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_POLICY_CHECK: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_FETCHING_DATA: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_TRAINING: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_EVALUATING: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_EXPORTING: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_REGISTERING: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_SUCCEEDED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_FAILED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_CANCELLED: _ClassVar[TrainingJobState]
    TRAINING_JOB_STATE_REJECTED_BY_POLICY: _ClassVar[TrainingJobState]

class Dispatcher(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISPATCHER_UNSPECIFIED: _ClassVar[Dispatcher]
    DISPATCHER_LOCAL: _ClassVar[Dispatcher]
    DISPATCHER_DASK: _ClassVar[Dispatcher]

class JobOriginKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_ORIGIN_KIND_UNSPECIFIED: _ClassVar[JobOriginKind]
    JOB_ORIGIN_KIND_SUBMITTED: _ClassVar[JobOriginKind]
    JOB_ORIGIN_KIND_RERUN: _ClassVar[JobOriginKind]

class RunStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATUS_UNSPECIFIED: _ClassVar[RunStatus]
    RUN_STATUS_RUNNING: _ClassVar[RunStatus]
    RUN_STATUS_SUCCEEDED: _ClassVar[RunStatus]
    RUN_STATUS_FAILED: _ClassVar[RunStatus]
    RUN_STATUS_CANCELLED: _ClassVar[RunStatus]
TRAINING_JOB_STATE_UNSPECIFIED: TrainingJobState
TRAINING_JOB_STATE_QUEUED: TrainingJobState
TRAINING_JOB_STATE_POLICY_CHECK: TrainingJobState
TRAINING_JOB_STATE_FETCHING_DATA: TrainingJobState
TRAINING_JOB_STATE_TRAINING: TrainingJobState
TRAINING_JOB_STATE_EVALUATING: TrainingJobState
TRAINING_JOB_STATE_EXPORTING: TrainingJobState
TRAINING_JOB_STATE_REGISTERING: TrainingJobState
TRAINING_JOB_STATE_SUCCEEDED: TrainingJobState
TRAINING_JOB_STATE_FAILED: TrainingJobState
TRAINING_JOB_STATE_CANCELLED: TrainingJobState
TRAINING_JOB_STATE_REJECTED_BY_POLICY: TrainingJobState
DISPATCHER_UNSPECIFIED: Dispatcher
DISPATCHER_LOCAL: Dispatcher
DISPATCHER_DASK: Dispatcher
JOB_ORIGIN_KIND_UNSPECIFIED: JobOriginKind
JOB_ORIGIN_KIND_SUBMITTED: JobOriginKind
JOB_ORIGIN_KIND_RERUN: JobOriginKind
RUN_STATUS_UNSPECIFIED: RunStatus
RUN_STATUS_RUNNING: RunStatus
RUN_STATUS_SUCCEEDED: RunStatus
RUN_STATUS_FAILED: RunStatus
RUN_STATUS_CANCELLED: RunStatus

class TrainingProgress(_message.Message):
    __slots__ = ("completed_trials", "total_trials", "failed_trials", "optimize_metric", "best_score", "best_run_id")
    COMPLETED_TRIALS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TRIALS_FIELD_NUMBER: _ClassVar[int]
    FAILED_TRIALS_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZE_METRIC_FIELD_NUMBER: _ClassVar[int]
    BEST_SCORE_FIELD_NUMBER: _ClassVar[int]
    BEST_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    completed_trials: int
    total_trials: int
    failed_trials: int
    optimize_metric: str
    best_score: float
    best_run_id: str
    def __init__(self, completed_trials: _Optional[int] = ..., total_trials: _Optional[int] = ..., failed_trials: _Optional[int] = ..., optimize_metric: _Optional[str] = ..., best_score: _Optional[float] = ..., best_run_id: _Optional[str] = ...) -> None: ...

class JobOrigin(_message.Message):
    __slots__ = ("kind", "source_job_id", "source_model_version", "alert_id", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SOURCE_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: JobOriginKind
    source_job_id: str
    source_model_version: _model_pb2.ModelVersionReference
    alert_id: str
    reason: str
    def __init__(self, kind: _Optional[_Union[JobOriginKind, str]] = ..., source_job_id: _Optional[str] = ..., source_model_version: _Optional[_Union[_model_pb2.ModelVersionReference, _Mapping]] = ..., alert_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class TrainingJob(_message.Message):
    __slots__ = ("name", "spec", "state", "state_reason", "state_reason_code", "policy_decision_id", "policy_verdict", "violations", "warnings", "progress", "best_run_id", "validation_metrics", "fairness_results", "parity_report", "age_probe_results", "registered_model_version", "dataset_digest", "training_row_count", "validation_row_count", "resolved_features", "attempt_count", "dispatcher", "principal", "create_time", "start_time", "update_time", "end_time", "cancel_requested", "origin", "revision", "label_feature")
    class ValidationMetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    POLICY_DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERDICT_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    BEST_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_METRICS_FIELD_NUMBER: _ClassVar[int]
    FAIRNESS_RESULTS_FIELD_NUMBER: _ClassVar[int]
    PARITY_REPORT_FIELD_NUMBER: _ClassVar[int]
    AGE_PROBE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DATASET_DIGEST_FIELD_NUMBER: _ClassVar[int]
    TRAINING_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_COUNT_FIELD_NUMBER: _ClassVar[int]
    DISPATCHER_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    LABEL_FEATURE_FIELD_NUMBER: _ClassVar[int]
    name: str
    spec: _spec_pb2.TrainingJobSpec
    state: TrainingJobState
    state_reason: str
    state_reason_code: str
    policy_decision_id: str
    policy_verdict: _governance_pb2.PolicyVerdict
    violations: _containers.RepeatedCompositeFieldContainer[_governance_pb2.PolicyViolation]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    progress: TrainingProgress
    best_run_id: str
    validation_metrics: _containers.ScalarMap[str, float]
    fairness_results: _containers.RepeatedCompositeFieldContainer[_types_pb2.FairnessResult]
    parity_report: _types_pb2.ParityReport
    age_probe_results: _containers.RepeatedCompositeFieldContainer[_governance_pb2.AgeProbeResult]
    registered_model_version: _model_pb2.ModelVersionReference
    dataset_digest: str
    training_row_count: int
    validation_row_count: int
    resolved_features: _containers.RepeatedCompositeFieldContainer[_types_pb2.ResolvedFeature]
    attempt_count: int
    dispatcher: Dispatcher
    principal: str
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    cancel_requested: bool
    origin: JobOrigin
    revision: int
    label_feature: _types_pb2.ResolvedFeature
    def __init__(self, name: _Optional[str] = ..., spec: _Optional[_Union[_spec_pb2.TrainingJobSpec, _Mapping]] = ..., state: _Optional[_Union[TrainingJobState, str]] = ..., state_reason: _Optional[str] = ..., state_reason_code: _Optional[str] = ..., policy_decision_id: _Optional[str] = ..., policy_verdict: _Optional[_Union[_governance_pb2.PolicyVerdict, str]] = ..., violations: _Optional[_Iterable[_Union[_governance_pb2.PolicyViolation, _Mapping]]] = ..., warnings: _Optional[_Iterable[str]] = ..., progress: _Optional[_Union[TrainingProgress, _Mapping]] = ..., best_run_id: _Optional[str] = ..., validation_metrics: _Optional[_Mapping[str, float]] = ..., fairness_results: _Optional[_Iterable[_Union[_types_pb2.FairnessResult, _Mapping]]] = ..., parity_report: _Optional[_Union[_types_pb2.ParityReport, _Mapping]] = ..., age_probe_results: _Optional[_Iterable[_Union[_governance_pb2.AgeProbeResult, _Mapping]]] = ..., registered_model_version: _Optional[_Union[_model_pb2.ModelVersionReference, _Mapping]] = ..., dataset_digest: _Optional[str] = ..., training_row_count: _Optional[int] = ..., validation_row_count: _Optional[int] = ..., resolved_features: _Optional[_Iterable[_Union[_types_pb2.ResolvedFeature, _Mapping]]] = ..., attempt_count: _Optional[int] = ..., dispatcher: _Optional[_Union[Dispatcher, str]] = ..., principal: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_requested: _Optional[bool] = ..., origin: _Optional[_Union[JobOrigin, _Mapping]] = ..., revision: _Optional[int] = ..., label_feature: _Optional[_Union[_types_pb2.ResolvedFeature, _Mapping]] = ...) -> None: ...

class Experiment(_message.Message):
    __slots__ = ("name", "description", "owner_team", "tags", "creator", "create_time", "update_time")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    owner_team: str
    tags: _containers.ScalarMap[str, str]
    creator: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., owner_team: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., creator: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("name", "experiment", "job_id", "trial_index", "status", "status_message", "params", "metrics", "metric_stds", "score", "validation_metrics", "best", "tags", "start_time", "end_time")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class MetricStdsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class ValidationMetricsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TRIAL_INDEX_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    METRIC_STDS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_METRICS_FIELD_NUMBER: _ClassVar[int]
    BEST_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    experiment: str
    job_id: str
    trial_index: int
    status: RunStatus
    status_message: str
    params: _containers.ScalarMap[str, str]
    metrics: _containers.ScalarMap[str, float]
    metric_stds: _containers.ScalarMap[str, float]
    score: float
    validation_metrics: _containers.ScalarMap[str, float]
    best: bool
    tags: _containers.ScalarMap[str, str]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., experiment: _Optional[str] = ..., job_id: _Optional[str] = ..., trial_index: _Optional[int] = ..., status: _Optional[_Union[RunStatus, str]] = ..., status_message: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ..., metrics: _Optional[_Mapping[str, float]] = ..., metric_stds: _Optional[_Mapping[str, float]] = ..., score: _Optional[float] = ..., validation_metrics: _Optional[_Mapping[str, float]] = ..., best: _Optional[bool] = ..., tags: _Optional[_Mapping[str, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
