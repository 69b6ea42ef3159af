import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.training.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TrainingJobEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_JOB_EVENT_KIND_UNSPECIFIED: _ClassVar[TrainingJobEventKind]
    TRAINING_JOB_EVENT_KIND_STATE_CHANGED: _ClassVar[TrainingJobEventKind]
    TRAINING_JOB_EVENT_KIND_TRIAL_STARTED: _ClassVar[TrainingJobEventKind]
    TRAINING_JOB_EVENT_KIND_TRIAL_FINISHED: _ClassVar[TrainingJobEventKind]
    TRAINING_JOB_EVENT_KIND_MESSAGE: _ClassVar[TrainingJobEventKind]

class MessageSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_SEVERITY_UNSPECIFIED: _ClassVar[MessageSeverity]
    MESSAGE_SEVERITY_INFO: _ClassVar[MessageSeverity]
    MESSAGE_SEVERITY_WARNING: _ClassVar[MessageSeverity]
    MESSAGE_SEVERITY_ERROR: _ClassVar[MessageSeverity]
TRAINING_JOB_EVENT_KIND_UNSPECIFIED: TrainingJobEventKind
TRAINING_JOB_EVENT_KIND_STATE_CHANGED: TrainingJobEventKind
TRAINING_JOB_EVENT_KIND_TRIAL_STARTED: TrainingJobEventKind
TRAINING_JOB_EVENT_KIND_TRIAL_FINISHED: TrainingJobEventKind
TRAINING_JOB_EVENT_KIND_MESSAGE: TrainingJobEventKind
MESSAGE_SEVERITY_UNSPECIFIED: MessageSeverity
MESSAGE_SEVERITY_INFO: MessageSeverity
MESSAGE_SEVERITY_WARNING: MessageSeverity
MESSAGE_SEVERITY_ERROR: MessageSeverity

class TrainingJobEvent(_message.Message):
    __slots__ = ("revision", "event_time", "kind", "job_id", "state_changed", "trial_started", "trial_finished", "message", "progress")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_STARTED_FIELD_NUMBER: _ClassVar[int]
    TRIAL_FINISHED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    revision: int
    event_time: _timestamp_pb2.Timestamp
    kind: TrainingJobEventKind
    job_id: str
    state_changed: JobStateChangedEvent
    trial_started: TrialStartedEvent
    trial_finished: TrialFinishedEvent
    message: JobMessageEvent
    progress: _resources_pb2.TrainingProgress
    def __init__(self, revision: _Optional[int] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[TrainingJobEventKind, str]] = ..., job_id: _Optional[str] = ..., state_changed: _Optional[_Union[JobStateChangedEvent, _Mapping]] = ..., trial_started: _Optional[_Union[TrialStartedEvent, _Mapping]] = ..., trial_finished: _Optional[_Union[TrialFinishedEvent, _Mapping]] = ..., message: _Optional[_Union[JobMessageEvent, _Mapping]] = ..., progress: _Optional[_Union[_resources_pb2.TrainingProgress, _Mapping]] = ...) -> None: ...

class JobStateChangedEvent(_message.Message):
    __slots__ = ("from_state", "to_state", "reason", "reason_code", "attempt", "policy_outcome", "registered_model_version")
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    POLICY_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    from_state: _resources_pb2.TrainingJobState
    to_state: _resources_pb2.TrainingJobState
    reason: str
    reason_code: str
    attempt: int
    policy_outcome: PolicyOutcome
    registered_model_version: _model_pb2.ModelVersionReference
    def __init__(self, from_state: _Optional[_Union[_resources_pb2.TrainingJobState, str]] = ..., to_state: _Optional[_Union[_resources_pb2.TrainingJobState, str]] = ..., reason: _Optional[str] = ..., reason_code: _Optional[str] = ..., attempt: _Optional[int] = ..., policy_outcome: _Optional[_Union[PolicyOutcome, _Mapping]] = ..., registered_model_version: _Optional[_Union[_model_pb2.ModelVersionReference, _Mapping]] = ...) -> None: ...

class PolicyOutcome(_message.Message):
    __slots__ = ("decision_id", "verdict", "violations")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    verdict: _governance_pb2.PolicyVerdict
    violations: _containers.RepeatedCompositeFieldContainer[_governance_pb2.PolicyViolation]
    def __init__(self, decision_id: _Optional[str] = ..., verdict: _Optional[_Union[_governance_pb2.PolicyVerdict, str]] = ..., violations: _Optional[_Iterable[_Union[_governance_pb2.PolicyViolation, _Mapping]]] = ...) -> None: ...

class TrialStartedEvent(_message.Message):
    __slots__ = ("trial_index", "total_trials", "run_id", "params")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TRIAL_INDEX_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TRIALS_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    trial_index: int
    total_trials: int
    run_id: str
    params: _containers.ScalarMap[str, str]
    def __init__(self, trial_index: _Optional[int] = ..., total_trials: _Optional[int] = ..., run_id: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TrialFinishedEvent(_message.Message):
    __slots__ = ("trial_index", "total_trials", "run_id", "status", "metric", "score", "best_score", "best_run_id", "message")
    TRIAL_INDEX_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TRIALS_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BEST_SCORE_FIELD_NUMBER: _ClassVar[int]
    BEST_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    trial_index: int
    total_trials: int
    run_id: str
    status: _resources_pb2.RunStatus
    metric: str
    score: float
    best_score: float
    best_run_id: str
    message: str
    def __init__(self, trial_index: _Optional[int] = ..., total_trials: _Optional[int] = ..., run_id: _Optional[str] = ..., status: _Optional[_Union[_resources_pb2.RunStatus, str]] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ..., best_score: _Optional[float] = ..., best_run_id: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class JobMessageEvent(_message.Message):
    __slots__ = ("severity", "text")
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    severity: MessageSeverity
    text: str
    def __init__(self, severity: _Optional[_Union[MessageSeverity, str]] = ..., text: _Optional[str] = ...) -> None: ...
