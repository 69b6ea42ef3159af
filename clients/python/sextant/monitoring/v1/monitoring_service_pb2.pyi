import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.monitoring.v1 import alerts_pb2 as _alerts_pb2
from sextant.monitoring.v1 import logs_pb2 as _logs_pb2
from sextant.monitoring.v1 import reports_pb2 as _reports_pb2
from sextant.monitoring.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import audit_pb2 as _audit_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LogPredictionsRequest(_message.Message):
    __slots__ = ("batch_id", "records", "table")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    records: _logs_pb2.PredictionRecords
    table: _logs_pb2.PredictionTable
    def __init__(self, batch_id: _Optional[str] = ..., records: _Optional[_Union[_logs_pb2.PredictionRecords, _Mapping]] = ..., table: _Optional[_Union[_logs_pb2.PredictionTable, _Mapping]] = ...) -> None: ...

class LogPredictionsResponse(_message.Message):
    __slots__ = ("message_count", "accepted_count", "duplicate_count", "rejected_count", "data_quality_error_count", "rejections", "rejections_truncated")
    MESSAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATA_QUALITY_ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    message_count: int
    accepted_count: int
    duplicate_count: int
    rejected_count: int
    data_quality_error_count: int
    rejections: _containers.RepeatedCompositeFieldContainer[_logs_pb2.Rejection]
    rejections_truncated: bool
    def __init__(self, message_count: _Optional[int] = ..., accepted_count: _Optional[int] = ..., duplicate_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., data_quality_error_count: _Optional[int] = ..., rejections: _Optional[_Iterable[_Union[_logs_pb2.Rejection, _Mapping]]] = ..., rejections_truncated: _Optional[bool] = ...) -> None: ...

class LogOutcomesRequest(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[_logs_pb2.Outcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[_logs_pb2.Outcome, _Mapping]]] = ...) -> None: ...

class LogOutcomesResponse(_message.Message):
    __slots__ = ("accepted_count", "duplicate_count", "updated_count", "unmatched_count", "rejected_count", "rejections", "rejections_truncated")
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_COUNT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_FIELD_NUMBER: _ClassVar[int]
    REJECTIONS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    accepted_count: int
    duplicate_count: int
    updated_count: int
    unmatched_count: int
    rejected_count: int
    rejections: _containers.RepeatedCompositeFieldContainer[_logs_pb2.Rejection]
    rejections_truncated: bool
    def __init__(self, accepted_count: _Optional[int] = ..., duplicate_count: _Optional[int] = ..., updated_count: _Optional[int] = ..., unmatched_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., rejections: _Optional[_Iterable[_Union[_logs_pb2.Rejection, _Mapping]]] = ..., rejections_truncated: _Optional[bool] = ...) -> None: ...

class ReferenceFromRegistry(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReferenceFromTraffic(_message.Message):
    __slots__ = ("start_time", "end_time", "deployment")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    deployment: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deployment: _Optional[str] = ...) -> None: ...

class ReferenceFromProfile(_message.Message):
    __slots__ = ("profile", "prediction_columns")
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    profile: _types_pb2.DatasetProfile
    prediction_columns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, profile: _Optional[_Union[_types_pb2.DatasetProfile, _Mapping]] = ..., prediction_columns: _Optional[_Iterable[str]] = ...) -> None: ...

class SetReferenceRequest(_message.Message):
    __slots__ = ("model_name", "model_version", "from_registry", "from_traffic", "from_profile")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FROM_REGISTRY_FIELD_NUMBER: _ClassVar[int]
    FROM_TRAFFIC_FIELD_NUMBER: _ClassVar[int]
    FROM_PROFILE_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: int
    from_registry: ReferenceFromRegistry
    from_traffic: ReferenceFromTraffic
    from_profile: ReferenceFromProfile
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., from_registry: _Optional[_Union[ReferenceFromRegistry, _Mapping]] = ..., from_traffic: _Optional[_Union[ReferenceFromTraffic, _Mapping]] = ..., from_profile: _Optional[_Union[ReferenceFromProfile, _Mapping]] = ...) -> None: ...

class SetReferenceResponse(_message.Message):
    __slots__ = ("reference",)
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    reference: _resources_pb2.Reference
    def __init__(self, reference: _Optional[_Union[_resources_pb2.Reference, _Mapping]] = ...) -> None: ...

class GetReferenceRequest(_message.Message):
    __slots__ = ("model_name", "model_version")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: int
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[int] = ...) -> None: ...

class GetReferenceResponse(_message.Message):
    __slots__ = ("reference",)
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    reference: _resources_pb2.Reference
    def __init__(self, reference: _Optional[_Union[_resources_pb2.Reference, _Mapping]] = ...) -> None: ...

class ListReferencesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "model_name")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    model_name: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., model_name: _Optional[str] = ...) -> None: ...

class ListReferencesResponse(_message.Message):
    __slots__ = ("references", "next_page_token")
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    references: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Reference]
    next_page_token: str
    def __init__(self, references: _Optional[_Iterable[_Union[_resources_pb2.Reference, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateMonitorRequest(_message.Message):
    __slots__ = ("monitor",)
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    monitor: _resources_pb2.Monitor
    def __init__(self, monitor: _Optional[_Union[_resources_pb2.Monitor, _Mapping]] = ...) -> None: ...

class CreateMonitorResponse(_message.Message):
    __slots__ = ("monitor",)
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    monitor: _resources_pb2.Monitor
    def __init__(self, monitor: _Optional[_Union[_resources_pb2.Monitor, _Mapping]] = ...) -> None: ...

class GetMonitorRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetMonitorResponse(_message.Message):
    __slots__ = ("monitor",)
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    monitor: _resources_pb2.Monitor
    def __init__(self, monitor: _Optional[_Union[_resources_pb2.Monitor, _Mapping]] = ...) -> None: ...

class ListMonitorsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "model_name", "deployment", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    model_name: str
    deployment: str
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., model_name: _Optional[str] = ..., deployment: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListMonitorsResponse(_message.Message):
    __slots__ = ("monitors", "next_page_token")
    MONITORS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    monitors: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Monitor]
    next_page_token: str
    def __init__(self, monitors: _Optional[_Iterable[_Union[_resources_pb2.Monitor, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateMonitorRequest(_message.Message):
    __slots__ = ("monitor", "update_mask")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    monitor: _resources_pb2.Monitor
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, monitor: _Optional[_Union[_resources_pb2.Monitor, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateMonitorResponse(_message.Message):
    __slots__ = ("monitor",)
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    monitor: _resources_pb2.Monitor
    def __init__(self, monitor: _Optional[_Union[_resources_pb2.Monitor, _Mapping]] = ...) -> None: ...

class DeleteMonitorRequest(_message.Message):
    __slots__ = ("name", "etag", "force")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    force: bool
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class DeleteMonitorResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetDriftReportRequest(_message.Message):
    __slots__ = ("monitor", "window_index", "include_profiles")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    WINDOW_INDEX_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PROFILES_FIELD_NUMBER: _ClassVar[int]
    monitor: str
    window_index: int
    include_profiles: bool
    def __init__(self, monitor: _Optional[str] = ..., window_index: _Optional[int] = ..., include_profiles: _Optional[bool] = ...) -> None: ...

class GetDriftReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _reports_pb2.DriftReport
    def __init__(self, report: _Optional[_Union[_reports_pb2.DriftReport, _Mapping]] = ...) -> None: ...

class ListDriftReportsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "monitor", "model_version", "start_time", "end_time", "drifted_only", "include_profiles", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PROFILES_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    monitor: str
    model_version: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    drifted_only: bool
    include_profiles: bool
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., monitor: _Optional[str] = ..., model_version: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., drifted_only: _Optional[bool] = ..., include_profiles: _Optional[bool] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListDriftReportsResponse(_message.Message):
    __slots__ = ("reports", "next_page_token")
    REPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    reports: _containers.RepeatedCompositeFieldContainer[_reports_pb2.DriftReport]
    next_page_token: str
    def __init__(self, reports: _Optional[_Iterable[_Union[_reports_pb2.DriftReport, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDataQualityReportRequest(_message.Message):
    __slots__ = ("monitor", "window_index")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    WINDOW_INDEX_FIELD_NUMBER: _ClassVar[int]
    monitor: str
    window_index: int
    def __init__(self, monitor: _Optional[str] = ..., window_index: _Optional[int] = ...) -> None: ...

class GetDataQualityReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _reports_pb2.DataQualityReport
    def __init__(self, report: _Optional[_Union[_reports_pb2.DataQualityReport, _Mapping]] = ...) -> None: ...

class GetPerformanceReportRequest(_message.Message):
    __slots__ = ("monitor", "window_index")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    WINDOW_INDEX_FIELD_NUMBER: _ClassVar[int]
    monitor: str
    window_index: int
    def __init__(self, monitor: _Optional[str] = ..., window_index: _Optional[int] = ...) -> None: ...

class GetPerformanceReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: _reports_pb2.PerformanceReport
    def __init__(self, report: _Optional[_Union[_reports_pb2.PerformanceReport, _Mapping]] = ...) -> None: ...

class GetMetricSeriesRequest(_message.Message):
    __slots__ = ("monitor", "metric", "start_time", "end_time", "max_points")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    monitor: str
    metric: _resources_pb2.MetricSelector
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    max_points: int
    def __init__(self, monitor: _Optional[str] = ..., metric: _Optional[_Union[_resources_pb2.MetricSelector, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_points: _Optional[int] = ...) -> None: ...

class GetMetricSeriesResponse(_message.Message):
    __slots__ = ("series",)
    SERIES_FIELD_NUMBER: _ClassVar[int]
    series: _containers.RepeatedCompositeFieldContainer[_reports_pb2.MetricSeries]
    def __init__(self, series: _Optional[_Iterable[_Union[_reports_pb2.MetricSeries, _Mapping]]] = ...) -> None: ...

class CreateAlertRuleRequest(_message.Message):
    __slots__ = ("alert_rule",)
    ALERT_RULE_FIELD_NUMBER: _ClassVar[int]
    alert_rule: _alerts_pb2.AlertRule
    def __init__(self, alert_rule: _Optional[_Union[_alerts_pb2.AlertRule, _Mapping]] = ...) -> None: ...

class CreateAlertRuleResponse(_message.Message):
    __slots__ = ("alert_rule",)
    ALERT_RULE_FIELD_NUMBER: _ClassVar[int]
    alert_rule: _alerts_pb2.AlertRule
    def __init__(self, alert_rule: _Optional[_Union[_alerts_pb2.AlertRule, _Mapping]] = ...) -> None: ...

class GetAlertRuleRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetAlertRuleResponse(_message.Message):
    __slots__ = ("alert_rule",)
    ALERT_RULE_FIELD_NUMBER: _ClassVar[int]
    alert_rule: _alerts_pb2.AlertRule
    def __init__(self, alert_rule: _Optional[_Union[_alerts_pb2.AlertRule, _Mapping]] = ...) -> None: ...

class ListAlertRulesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "monitor", "model_name", "metric_kind", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    METRIC_KIND_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    monitor: str
    model_name: str
    metric_kind: _resources_pb2.MetricKind
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., monitor: _Optional[str] = ..., model_name: _Optional[str] = ..., metric_kind: _Optional[_Union[_resources_pb2.MetricKind, str]] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListAlertRulesResponse(_message.Message):
    __slots__ = ("alert_rules", "next_page_token")
    ALERT_RULES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alert_rules: _containers.RepeatedCompositeFieldContainer[_alerts_pb2.AlertRule]
    next_page_token: str
    def __init__(self, alert_rules: _Optional[_Iterable[_Union[_alerts_pb2.AlertRule, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateAlertRuleRequest(_message.Message):
    __slots__ = ("alert_rule", "update_mask")
    ALERT_RULE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    alert_rule: _alerts_pb2.AlertRule
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, alert_rule: _Optional[_Union[_alerts_pb2.AlertRule, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateAlertRuleResponse(_message.Message):
    __slots__ = ("alert_rule",)
    ALERT_RULE_FIELD_NUMBER: _ClassVar[int]
    alert_rule: _alerts_pb2.AlertRule
    def __init__(self, alert_rule: _Optional[_Union[_alerts_pb2.AlertRule, _Mapping]] = ...) -> None: ...

class DeleteAlertRuleRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteAlertRuleResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetAlertResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: _alerts_pb2.Alert
    def __init__(self, alert: _Optional[_Union[_alerts_pb2.Alert, _Mapping]] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "states", "model_name", "model_version", "routed_team", "min_severity", "feature", "alert_rule", "monitor", "metric_kind", "start_time", "end_time", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROUTED_TEAM_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    ALERT_RULE_FIELD_NUMBER: _ClassVar[int]
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    METRIC_KIND_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    states: _containers.RepeatedScalarFieldContainer[_alerts_pb2.AlertState]
    model_name: str
    model_version: int
    routed_team: str
    min_severity: _alerts_pb2.Severity
    feature: str
    alert_rule: str
    monitor: str
    metric_kind: _resources_pb2.MetricKind
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., states: _Optional[_Iterable[_Union[_alerts_pb2.AlertState, str]]] = ..., model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., routed_team: _Optional[str] = ..., min_severity: _Optional[_Union[_alerts_pb2.Severity, str]] = ..., feature: _Optional[str] = ..., alert_rule: _Optional[str] = ..., monitor: _Optional[str] = ..., metric_kind: _Optional[_Union[_resources_pb2.MetricKind, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "next_page_token")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[_alerts_pb2.Alert]
    next_page_token: str
    def __init__(self, alerts: _Optional[_Iterable[_Union[_alerts_pb2.Alert, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ("name", "comment")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    comment: str
    def __init__(self, name: _Optional[str] = ..., comment: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: _alerts_pb2.Alert
    def __init__(self, alert: _Optional[_Union[_alerts_pb2.Alert, _Mapping]] = ...) -> None: ...

class SilenceAlertRequest(_message.Message):
    __slots__ = ("name", "silence_until", "comment")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SILENCE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    silence_until: _timestamp_pb2.Timestamp
    comment: str
    def __init__(self, name: _Optional[str] = ..., silence_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., comment: _Optional[str] = ...) -> None: ...

class SilenceAlertResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: _alerts_pb2.Alert
    def __init__(self, alert: _Optional[_Union[_alerts_pb2.Alert, _Mapping]] = ...) -> None: ...

class ResolveAlertRequest(_message.Message):
    __slots__ = ("name", "comment")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    comment: str
    def __init__(self, name: _Optional[str] = ..., comment: _Optional[str] = ...) -> None: ...

class ResolveAlertResponse(_message.Message):
    __slots__ = ("alert",)
    ALERT_FIELD_NUMBER: _ClassVar[int]
    alert: _alerts_pb2.Alert
    def __init__(self, alert: _Optional[_Union[_alerts_pb2.Alert, _Mapping]] = ...) -> None: ...

class WatchAlertsRequest(_message.Message):
    __slots__ = ("after_revision", "model_name", "routed_team", "min_severity", "kinds")
    AFTER_REVISION_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    ROUTED_TEAM_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    after_revision: int
    model_name: str
    routed_team: str
    min_severity: _alerts_pb2.Severity
    kinds: _containers.RepeatedScalarFieldContainer[_alerts_pb2.AlertEventKind]
    def __init__(self, after_revision: _Optional[int] = ..., model_name: _Optional[str] = ..., routed_team: _Optional[str] = ..., min_severity: _Optional[_Union[_alerts_pb2.Severity, str]] = ..., kinds: _Optional[_Iterable[_Union[_alerts_pb2.AlertEventKind, str]]] = ...) -> None: ...

class WatchAlertsResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _alerts_pb2.AlertEvent
    def __init__(self, event: _Optional[_Union[_alerts_pb2.AlertEvent, _Mapping]] = ...) -> None: ...

class CreateWebhookSinkRequest(_message.Message):
    __slots__ = ("webhook_sink",)
    WEBHOOK_SINK_FIELD_NUMBER: _ClassVar[int]
    webhook_sink: _alerts_pb2.WebhookSink
    def __init__(self, webhook_sink: _Optional[_Union[_alerts_pb2.WebhookSink, _Mapping]] = ...) -> None: ...

class CreateWebhookSinkResponse(_message.Message):
    __slots__ = ("webhook_sink",)
    WEBHOOK_SINK_FIELD_NUMBER: _ClassVar[int]
    webhook_sink: _alerts_pb2.WebhookSink
    def __init__(self, webhook_sink: _Optional[_Union[_alerts_pb2.WebhookSink, _Mapping]] = ...) -> None: ...

class GetWebhookSinkRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetWebhookSinkResponse(_message.Message):
    __slots__ = ("webhook_sink",)
    WEBHOOK_SINK_FIELD_NUMBER: _ClassVar[int]
    webhook_sink: _alerts_pb2.WebhookSink
    def __init__(self, webhook_sink: _Optional[_Union[_alerts_pb2.WebhookSink, _Mapping]] = ...) -> None: ...

class ListWebhookSinksRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "team")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    team: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., team: _Optional[str] = ...) -> None: ...

class ListWebhookSinksResponse(_message.Message):
    __slots__ = ("webhook_sinks", "next_page_token")
    WEBHOOK_SINKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    webhook_sinks: _containers.RepeatedCompositeFieldContainer[_alerts_pb2.WebhookSink]
    next_page_token: str
    def __init__(self, webhook_sinks: _Optional[_Iterable[_Union[_alerts_pb2.WebhookSink, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateWebhookSinkRequest(_message.Message):
    __slots__ = ("webhook_sink", "update_mask")
    WEBHOOK_SINK_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    webhook_sink: _alerts_pb2.WebhookSink
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, webhook_sink: _Optional[_Union[_alerts_pb2.WebhookSink, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateWebhookSinkResponse(_message.Message):
    __slots__ = ("webhook_sink",)
    WEBHOOK_SINK_FIELD_NUMBER: _ClassVar[int]
    webhook_sink: _alerts_pb2.WebhookSink
    def __init__(self, webhook_sink: _Optional[_Union[_alerts_pb2.WebhookSink, _Mapping]] = ...) -> None: ...

class DeleteWebhookSinkRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteWebhookSinkResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

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
