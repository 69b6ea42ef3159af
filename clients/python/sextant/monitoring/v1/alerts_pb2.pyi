import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.monitoring.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RuleBaseline(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_BASELINE_UNSPECIFIED: _ClassVar[RuleBaseline]
    RULE_BASELINE_NONE: _ClassVar[RuleBaseline]
    RULE_BASELINE_DROP_FROM_TRAINING: _ClassVar[RuleBaseline]
    RULE_BASELINE_RELATIVE_DROP_FROM_TRAINING: _ClassVar[RuleBaseline]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_INFO: _ClassVar[Severity]
    SEVERITY_WARNING: _ClassVar[Severity]
    SEVERITY_CRITICAL: _ClassVar[Severity]

class RuleAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_ACTION_UNSPECIFIED: _ClassVar[RuleAction]
    RULE_ACTION_NONE: _ClassVar[RuleAction]
    RULE_ACTION_RETRAIN: _ClassVar[RuleAction]

class AlertState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_STATE_UNSPECIFIED: _ClassVar[AlertState]
    ALERT_STATE_PENDING: _ClassVar[AlertState]
    ALERT_STATE_FIRING: _ClassVar[AlertState]
    ALERT_STATE_ACKNOWLEDGED: _ClassVar[AlertState]
    ALERT_STATE_SILENCED: _ClassVar[AlertState]
    ALERT_STATE_RESOLVED: _ClassVar[AlertState]

class AlertSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_SOURCE_UNSPECIFIED: _ClassVar[AlertSource]
    ALERT_SOURCE_RULE: _ClassVar[AlertSource]
    ALERT_SOURCE_REGISTRY_STALE_VERSION: _ClassVar[AlertSource]

class RoutingReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROUTING_REASON_UNSPECIFIED: _ClassVar[RoutingReason]
    ROUTING_REASON_FEATURE_OWNER: _ClassVar[RoutingReason]
    ROUTING_REASON_MODEL_OWNER: _ClassVar[RoutingReason]
    ROUTING_REASON_DEPLOYMENT_OWNER: _ClassVar[RoutingReason]
    ROUTING_REASON_RULE_OVERRIDE: _ClassVar[RoutingReason]
    ROUTING_REASON_DEFAULT_TEAM: _ClassVar[RoutingReason]

class ReportKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_KIND_UNSPECIFIED: _ClassVar[ReportKind]
    REPORT_KIND_DRIFT: _ClassVar[ReportKind]
    REPORT_KIND_DATA_QUALITY: _ClassVar[ReportKind]
    REPORT_KIND_PERFORMANCE: _ClassVar[ReportKind]

class DeliveryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATE_UNSPECIFIED: _ClassVar[DeliveryState]
    DELIVERY_STATE_PENDING: _ClassVar[DeliveryState]
    DELIVERY_STATE_RETRYING: _ClassVar[DeliveryState]
    DELIVERY_STATE_DELIVERED: _ClassVar[DeliveryState]
    DELIVERY_STATE_FAILED: _ClassVar[DeliveryState]

class AlertEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_EVENT_KIND_UNSPECIFIED: _ClassVar[AlertEventKind]
    ALERT_EVENT_KIND_OPENED: _ClassVar[AlertEventKind]
    ALERT_EVENT_KIND_FIRING: _ClassVar[AlertEventKind]
    ALERT_EVENT_KIND_UPDATED: _ClassVar[AlertEventKind]
    ALERT_EVENT_KIND_ACKNOWLEDGED: _ClassVar[AlertEventKind]
    ALERT_EVENT_KIND_SILENCED: _ClassVar[AlertEventKind]
    ALERT_EVENT_KIND_RESOLVED: _ClassVar[AlertEventKind]
RULE_BASELINE_UNSPECIFIED: RuleBaseline
RULE_BASELINE_NONE: RuleBaseline
RULE_BASELINE_DROP_FROM_TRAINING: RuleBaseline
RULE_BASELINE_RELATIVE_DROP_FROM_TRAINING: RuleBaseline
SEVERITY_UNSPECIFIED: Severity
SEVERITY_INFO: Severity
SEVERITY_WARNING: Severity
SEVERITY_CRITICAL: Severity
RULE_ACTION_UNSPECIFIED: RuleAction
RULE_ACTION_NONE: RuleAction
RULE_ACTION_RETRAIN: RuleAction
ALERT_STATE_UNSPECIFIED: AlertState
ALERT_STATE_PENDING: AlertState
ALERT_STATE_FIRING: AlertState
ALERT_STATE_ACKNOWLEDGED: AlertState
ALERT_STATE_SILENCED: AlertState
ALERT_STATE_RESOLVED: AlertState
ALERT_SOURCE_UNSPECIFIED: AlertSource
ALERT_SOURCE_RULE: AlertSource
ALERT_SOURCE_REGISTRY_STALE_VERSION: AlertSource
ROUTING_REASON_UNSPECIFIED: RoutingReason
ROUTING_REASON_FEATURE_OWNER: RoutingReason
ROUTING_REASON_MODEL_OWNER: RoutingReason
ROUTING_REASON_DEPLOYMENT_OWNER: RoutingReason
ROUTING_REASON_RULE_OVERRIDE: RoutingReason
ROUTING_REASON_DEFAULT_TEAM: RoutingReason
REPORT_KIND_UNSPECIFIED: ReportKind
REPORT_KIND_DRIFT: ReportKind
REPORT_KIND_DATA_QUALITY: ReportKind
REPORT_KIND_PERFORMANCE: ReportKind
DELIVERY_STATE_UNSPECIFIED: DeliveryState
DELIVERY_STATE_PENDING: DeliveryState
DELIVERY_STATE_RETRYING: DeliveryState
DELIVERY_STATE_DELIVERED: DeliveryState
DELIVERY_STATE_FAILED: DeliveryState
ALERT_EVENT_KIND_UNSPECIFIED: AlertEventKind
ALERT_EVENT_KIND_OPENED: AlertEventKind
ALERT_EVENT_KIND_FIRING: AlertEventKind
ALERT_EVENT_KIND_UPDATED: AlertEventKind
ALERT_EVENT_KIND_ACKNOWLEDGED: AlertEventKind
ALERT_EVENT_KIND_SILENCED: AlertEventKind
ALERT_EVENT_KIND_RESOLVED: AlertEventKind

class AlertRule(_message.Message):
    __slots__ = ("name", "description", "monitor", "metric", "comparison", "threshold", "baseline", "for_windows", "resolve_after_windows", "severity", "action", "route_team", "disabled", "labels", "default_created", "revision", "etag", "create_time", "update_time", "creator", "updated_by")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    COMPARISON_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    FOR_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_AFTER_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ROUTE_TEAM_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CREATED_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    monitor: str
    metric: _resources_pb2.MetricSelector
    comparison: _model_pb2.ComparisonOperator
    threshold: float
    baseline: RuleBaseline
    for_windows: int
    resolve_after_windows: int
    severity: Severity
    action: RuleAction
    route_team: str
    disabled: bool
    labels: _containers.ScalarMap[str, str]
    default_created: bool
    revision: int
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    creator: str
    updated_by: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., monitor: _Optional[str] = ..., metric: _Optional[_Union[_resources_pb2.MetricSelector, _Mapping]] = ..., comparison: _Optional[_Union[_model_pb2.ComparisonOperator, str]] = ..., threshold: _Optional[float] = ..., baseline: _Optional[_Union[RuleBaseline, str]] = ..., for_windows: _Optional[int] = ..., resolve_after_windows: _Optional[int] = ..., severity: _Optional[_Union[Severity, str]] = ..., action: _Optional[_Union[RuleAction, str]] = ..., route_team: _Optional[str] = ..., disabled: _Optional[bool] = ..., labels: _Optional[_Mapping[str, str]] = ..., default_created: _Optional[bool] = ..., revision: _Optional[int] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., creator: _Optional[str] = ..., updated_by: _Optional[str] = ...) -> None: ...

class ReportLink(_message.Message):
    __slots__ = ("kind", "monitor", "window_index", "uri")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    WINDOW_INDEX_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    kind: ReportKind
    monitor: str
    window_index: int
    uri: str
    def __init__(self, kind: _Optional[_Union[ReportKind, str]] = ..., monitor: _Optional[str] = ..., window_index: _Optional[int] = ..., uri: _Optional[str] = ...) -> None: ...

class AlertDelivery(_message.Message):
    __slots__ = ("sink", "event_revision", "state", "attempts", "last_attempt_time", "last_error")
    SINK_FIELD_NUMBER: _ClassVar[int]
    EVENT_REVISION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    sink: str
    event_revision: int
    state: DeliveryState
    attempts: int
    last_attempt_time: _timestamp_pb2.Timestamp
    last_error: str
    def __init__(self, sink: _Optional[str] = ..., event_revision: _Optional[int] = ..., state: _Optional[_Union[DeliveryState, str]] = ..., attempts: _Optional[int] = ..., last_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("name", "source", "alert_rule", "alert_rule_revision", "state", "severity", "summary", "dedup_key", "model_name", "model_version", "monitor", "deployment", "metric", "feature", "measured_value", "training_value", "comparison", "threshold", "window", "consecutive_windows", "report", "routed_team", "routing_reason", "routing_detail", "staleness", "retrain_job_id", "retrain_error", "labels", "deliveries", "create_time", "firing_time", "update_time", "resolve_time", "acknowledged_by", "acknowledge_time", "silenced_until", "silenced_by", "resolved_by", "comment", "revision")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ALERT_RULE_FIELD_NUMBER: _ClassVar[int]
    ALERT_RULE_REVISION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DEDUP_KEY_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    MEASURED_VALUE_FIELD_NUMBER: _ClassVar[int]
    TRAINING_VALUE_FIELD_NUMBER: _ClassVar[int]
    COMPARISON_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_WINDOWS_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    ROUTED_TEAM_FIELD_NUMBER: _ClassVar[int]
    ROUTING_REASON_FIELD_NUMBER: _ClassVar[int]
    ROUTING_DETAIL_FIELD_NUMBER: _ClassVar[int]
    STALENESS_FIELD_NUMBER: _ClassVar[int]
    RETRAIN_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    RETRAIN_ERROR_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    FIRING_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RESOLVE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGE_TIME_FIELD_NUMBER: _ClassVar[int]
    SILENCED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SILENCED_BY_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_BY_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    name: str
    source: AlertSource
    alert_rule: str
    alert_rule_revision: int
    state: AlertState
    severity: Severity
    summary: str
    dedup_key: str
    model_name: str
    model_version: int
    monitor: str
    deployment: str
    metric: _resources_pb2.MetricSelector
    feature: _types_pb2.ResolvedFeature
    measured_value: float
    training_value: float
    comparison: _model_pb2.ComparisonOperator
    threshold: float
    window: _resources_pb2.Window
    consecutive_windows: int
    report: ReportLink
    routed_team: str
    routing_reason: RoutingReason
    routing_detail: str
    staleness: _model_pb2.StaleReason
    retrain_job_id: str
    retrain_error: str
    labels: _containers.ScalarMap[str, str]
    deliveries: _containers.RepeatedCompositeFieldContainer[AlertDelivery]
    create_time: _timestamp_pb2.Timestamp
    firing_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    resolve_time: _timestamp_pb2.Timestamp
    acknowledged_by: str
    acknowledge_time: _timestamp_pb2.Timestamp
    silenced_until: _timestamp_pb2.Timestamp
    silenced_by: str
    resolved_by: str
    comment: str
    revision: int
    def __init__(self, name: _Optional[str] = ..., source: _Optional[_Union[AlertSource, str]] = ..., alert_rule: _Optional[str] = ..., alert_rule_revision: _Optional[int] = ..., state: _Optional[_Union[AlertState, str]] = ..., severity: _Optional[_Union[Severity, str]] = ..., summary: _Optional[str] = ..., dedup_key: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., monitor: _Optional[str] = ..., deployment: _Optional[str] = ..., metric: _Optional[_Union[_resources_pb2.MetricSelector, _Mapping]] = ..., feature: _Optional[_Union[_types_pb2.ResolvedFeature, _Mapping]] = ..., measured_value: _Optional[float] = ..., training_value: _Optional[float] = ..., comparison: _Optional[_Union[_model_pb2.ComparisonOperator, str]] = ..., threshold: _Optional[float] = ..., window: _Optional[_Union[_resources_pb2.Window, _Mapping]] = ..., consecutive_windows: _Optional[int] = ..., report: _Optional[_Union[ReportLink, _Mapping]] = ..., routed_team: _Optional[str] = ..., routing_reason: _Optional[_Union[RoutingReason, str]] = ..., routing_detail: _Optional[str] = ..., staleness: _Optional[_Union[_model_pb2.StaleReason, _Mapping]] = ..., retrain_job_id: _Optional[str] = ..., retrain_error: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., deliveries: _Optional[_Iterable[_Union[AlertDelivery, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., firing_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolve_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_by: _Optional[str] = ..., acknowledge_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., silenced_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., silenced_by: _Optional[str] = ..., resolved_by: _Optional[str] = ..., comment: _Optional[str] = ..., revision: _Optional[int] = ...) -> None: ...

class AlertChange(_message.Message):
    __slots__ = ("alert", "previous_state", "actor")
    ALERT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    alert: Alert
    previous_state: AlertState
    actor: str
    def __init__(self, alert: _Optional[_Union[Alert, _Mapping]] = ..., previous_state: _Optional[_Union[AlertState, str]] = ..., actor: _Optional[str] = ...) -> None: ...

class AlertEvent(_message.Message):
    __slots__ = ("revision", "event_time", "kind", "alert_change")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ALERT_CHANGE_FIELD_NUMBER: _ClassVar[int]
    revision: int
    event_time: _timestamp_pb2.Timestamp
    kind: AlertEventKind
    alert_change: AlertChange
    def __init__(self, revision: _Optional[int] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[AlertEventKind, str]] = ..., alert_change: _Optional[_Union[AlertChange, _Mapping]] = ...) -> None: ...

class WebhookSink(_message.Message):
    __slots__ = ("name", "description", "url", "secret_ref", "teams", "min_severity", "event_kinds", "max_attempts", "disabled", "last_delivery_time", "failed_delivery_count", "create_time", "creator")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SECRET_REF_FIELD_NUMBER: _ClassVar[int]
    TEAMS_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    EVENT_KINDS_FIELD_NUMBER: _ClassVar[int]
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    LAST_DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    FAILED_DELIVERY_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    url: str
    secret_ref: str
    teams: _containers.RepeatedScalarFieldContainer[str]
    min_severity: Severity
    event_kinds: _containers.RepeatedScalarFieldContainer[AlertEventKind]
    max_attempts: int
    disabled: bool
    last_delivery_time: _timestamp_pb2.Timestamp
    failed_delivery_count: int
    create_time: _timestamp_pb2.Timestamp
    creator: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., url: _Optional[str] = ..., secret_ref: _Optional[str] = ..., teams: _Optional[_Iterable[str]] = ..., min_severity: _Optional[_Union[Severity, str]] = ..., event_kinds: _Optional[_Iterable[_Union[AlertEventKind, str]]] = ..., max_attempts: _Optional[int] = ..., disabled: _Optional[bool] = ..., last_delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., failed_delivery_count: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., creator: _Optional[str] = ...) -> None: ...
