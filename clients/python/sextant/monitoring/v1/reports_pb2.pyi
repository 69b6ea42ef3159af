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

class ColumnKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLUMN_KIND_UNSPECIFIED: _ClassVar[ColumnKind]
    COLUMN_KIND_NUMERIC: _ClassVar[ColumnKind]
    COLUMN_KIND_CATEGORICAL: _ClassVar[ColumnKind]
    COLUMN_KIND_BINARY: _ClassVar[ColumnKind]

class SchemaIssueKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEMA_ISSUE_KIND_UNSPECIFIED: _ClassVar[SchemaIssueKind]
    SCHEMA_ISSUE_KIND_MISSING_COLUMN: _ClassVar[SchemaIssueKind]
    SCHEMA_ISSUE_KIND_UNEXPECTED_COLUMN: _ClassVar[SchemaIssueKind]
    SCHEMA_ISSUE_KIND_TYPE_MISMATCH: _ClassVar[SchemaIssueKind]
COLUMN_KIND_UNSPECIFIED: ColumnKind
COLUMN_KIND_NUMERIC: ColumnKind
COLUMN_KIND_CATEGORICAL: ColumnKind
COLUMN_KIND_BINARY: ColumnKind
SCHEMA_ISSUE_KIND_UNSPECIFIED: SchemaIssueKind
SCHEMA_ISSUE_KIND_MISSING_COLUMN: SchemaIssueKind
SCHEMA_ISSUE_KIND_UNEXPECTED_COLUMN: SchemaIssueKind
SCHEMA_ISSUE_KIND_TYPE_MISMATCH: SchemaIssueKind

class ReferenceSummary(_message.Message):
    __slots__ = ("source", "row_count", "create_time")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    source: _resources_pb2.ReferenceSource
    row_count: int
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, source: _Optional[_Union[_resources_pb2.ReferenceSource, str]] = ..., row_count: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ColumnDrift(_message.Message):
    __slots__ = ("feature", "definition", "column_kind", "method", "overridden", "statistic", "p_value", "psi", "threshold", "drifted", "reference_count", "current_count", "current_profile")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    COLUMN_KIND_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    OVERRIDDEN_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_FIELD_NUMBER: _ClassVar[int]
    PSI_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PROFILE_FIELD_NUMBER: _ClassVar[int]
    feature: str
    definition: _types_pb2.ResolvedFeature
    column_kind: ColumnKind
    method: _resources_pb2.DriftMethod
    overridden: bool
    statistic: float
    p_value: float
    psi: float
    threshold: float
    drifted: bool
    reference_count: int
    current_count: int
    current_profile: _types_pb2.ColumnProfile
    def __init__(self, feature: _Optional[str] = ..., definition: _Optional[_Union[_types_pb2.ResolvedFeature, _Mapping]] = ..., column_kind: _Optional[_Union[ColumnKind, str]] = ..., method: _Optional[_Union[_resources_pb2.DriftMethod, str]] = ..., overridden: _Optional[bool] = ..., statistic: _Optional[float] = ..., p_value: _Optional[float] = ..., psi: _Optional[float] = ..., threshold: _Optional[float] = ..., drifted: _Optional[bool] = ..., reference_count: _Optional[int] = ..., current_count: _Optional[int] = ..., current_profile: _Optional[_Union[_types_pb2.ColumnProfile, _Mapping]] = ...) -> None: ...

class DriftReport(_message.Message):
    __slots__ = ("monitor", "model_name", "window", "reference", "insufficient_data", "features", "predictions", "drifted_feature_count", "drift_share", "drift_share_threshold", "dataset_drifted", "update_time")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    INSUFFICIENT_DATA_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FEATURE_COUNT_FIELD_NUMBER: _ClassVar[int]
    DRIFT_SHARE_FIELD_NUMBER: _ClassVar[int]
    DRIFT_SHARE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DATASET_DRIFTED_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    monitor: str
    model_name: str
    window: _resources_pb2.Window
    reference: ReferenceSummary
    insufficient_data: bool
    features: _containers.RepeatedCompositeFieldContainer[ColumnDrift]
    predictions: _containers.RepeatedCompositeFieldContainer[ColumnDrift]
    drifted_feature_count: int
    drift_share: float
    drift_share_threshold: float
    dataset_drifted: bool
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, monitor: _Optional[str] = ..., model_name: _Optional[str] = ..., window: _Optional[_Union[_resources_pb2.Window, _Mapping]] = ..., reference: _Optional[_Union[ReferenceSummary, _Mapping]] = ..., insufficient_data: _Optional[bool] = ..., features: _Optional[_Iterable[_Union[ColumnDrift, _Mapping]]] = ..., predictions: _Optional[_Iterable[_Union[ColumnDrift, _Mapping]]] = ..., drifted_feature_count: _Optional[int] = ..., drift_share: _Optional[float] = ..., drift_share_threshold: _Optional[float] = ..., dataset_drifted: _Optional[bool] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FeatureQuality(_message.Message):
    __slots__ = ("feature", "definition", "count", "null_count", "null_rate", "reference_null_rate", "out_of_range_count", "out_of_range_rate", "reference_min", "reference_max", "unseen_category_count", "unseen_category_rate", "unseen_categories", "type_error_count")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NULL_COUNT_FIELD_NUMBER: _ClassVar[int]
    NULL_RATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_NULL_RATE_FIELD_NUMBER: _ClassVar[int]
    OUT_OF_RANGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    OUT_OF_RANGE_RATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_MIN_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_MAX_FIELD_NUMBER: _ClassVar[int]
    UNSEEN_CATEGORY_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNSEEN_CATEGORY_RATE_FIELD_NUMBER: _ClassVar[int]
    UNSEEN_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    TYPE_ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    feature: str
    definition: _types_pb2.ResolvedFeature
    count: int
    null_count: int
    null_rate: float
    reference_null_rate: float
    out_of_range_count: int
    out_of_range_rate: float
    reference_min: float
    reference_max: float
    unseen_category_count: int
    unseen_category_rate: float
    unseen_categories: _containers.RepeatedCompositeFieldContainer[_types_pb2.CategoryCount]
    type_error_count: int
    def __init__(self, feature: _Optional[str] = ..., definition: _Optional[_Union[_types_pb2.ResolvedFeature, _Mapping]] = ..., count: _Optional[int] = ..., null_count: _Optional[int] = ..., null_rate: _Optional[float] = ..., reference_null_rate: _Optional[float] = ..., out_of_range_count: _Optional[int] = ..., out_of_range_rate: _Optional[float] = ..., reference_min: _Optional[float] = ..., reference_max: _Optional[float] = ..., unseen_category_count: _Optional[int] = ..., unseen_category_rate: _Optional[float] = ..., unseen_categories: _Optional[_Iterable[_Union[_types_pb2.CategoryCount, _Mapping]]] = ..., type_error_count: _Optional[int] = ...) -> None: ...

class SchemaIssue(_message.Message):
    __slots__ = ("kind", "column", "count", "detail")
    KIND_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    kind: SchemaIssueKind
    column: str
    count: int
    detail: str
    def __init__(self, kind: _Optional[_Union[SchemaIssueKind, str]] = ..., column: _Optional[str] = ..., count: _Optional[int] = ..., detail: _Optional[str] = ...) -> None: ...

class DataQualityReport(_message.Message):
    __slots__ = ("monitor", "model_name", "window", "reference", "features", "schema_issues", "schema_error_count", "schema_error_rate", "update_time")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_ISSUES_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    monitor: str
    model_name: str
    window: _resources_pb2.Window
    reference: ReferenceSummary
    features: _containers.RepeatedCompositeFieldContainer[FeatureQuality]
    schema_issues: _containers.RepeatedCompositeFieldContainer[SchemaIssue]
    schema_error_count: int
    schema_error_rate: float
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, monitor: _Optional[str] = ..., model_name: _Optional[str] = ..., window: _Optional[_Union[_resources_pb2.Window, _Mapping]] = ..., reference: _Optional[_Union[ReferenceSummary, _Mapping]] = ..., features: _Optional[_Iterable[_Union[FeatureQuality, _Mapping]]] = ..., schema_issues: _Optional[_Iterable[_Union[SchemaIssue, _Mapping]]] = ..., schema_error_count: _Optional[int] = ..., schema_error_rate: _Optional[float] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MetricComparison(_message.Message):
    __slots__ = ("metric", "realised", "estimated", "training")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    REALISED_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    metric: _resources_pb2.PerformanceMetric
    realised: float
    estimated: float
    training: float
    def __init__(self, metric: _Optional[_Union[_resources_pb2.PerformanceMetric, str]] = ..., realised: _Optional[float] = ..., estimated: _Optional[float] = ..., training: _Optional[float] = ...) -> None: ...

class ConfusionMatrix(_message.Message):
    __slots__ = ("labels", "cells")
    LABELS_FIELD_NUMBER: _ClassVar[int]
    CELLS_FIELD_NUMBER: _ClassVar[int]
    labels: _containers.RepeatedScalarFieldContainer[str]
    cells: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, labels: _Optional[_Iterable[str]] = ..., cells: _Optional[_Iterable[float]] = ...) -> None: ...

class PerformanceReport(_message.Message):
    __slots__ = ("monitor", "model_name", "window", "task", "positive_class", "prediction_count", "labelled_count", "label_coverage", "insufficient_labels", "metrics", "realised_confusion", "estimated_confusion", "update_time")
    MONITOR_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_CLASS_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    LABELLED_COUNT_FIELD_NUMBER: _ClassVar[int]
    LABEL_COVERAGE_FIELD_NUMBER: _ClassVar[int]
    INSUFFICIENT_LABELS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    REALISED_CONFUSION_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_CONFUSION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    monitor: str
    model_name: str
    window: _resources_pb2.Window
    task: _model_pb2.ModelTask
    positive_class: str
    prediction_count: int
    labelled_count: int
    label_coverage: float
    insufficient_labels: bool
    metrics: _containers.RepeatedCompositeFieldContainer[MetricComparison]
    realised_confusion: ConfusionMatrix
    estimated_confusion: ConfusionMatrix
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, monitor: _Optional[str] = ..., model_name: _Optional[str] = ..., window: _Optional[_Union[_resources_pb2.Window, _Mapping]] = ..., task: _Optional[_Union[_model_pb2.ModelTask, str]] = ..., positive_class: _Optional[str] = ..., prediction_count: _Optional[int] = ..., labelled_count: _Optional[int] = ..., label_coverage: _Optional[float] = ..., insufficient_labels: _Optional[bool] = ..., metrics: _Optional[_Iterable[_Union[MetricComparison, _Mapping]]] = ..., realised_confusion: _Optional[_Union[ConfusionMatrix, _Mapping]] = ..., estimated_confusion: _Optional[_Union[ConfusionMatrix, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MetricPoint(_message.Message):
    __slots__ = ("window_index", "start_time", "end_time", "model_version", "row_count", "value")
    WINDOW_INDEX_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    window_index: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    model_version: int
    row_count: int
    value: float
    def __init__(self, window_index: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., model_version: _Optional[int] = ..., row_count: _Optional[int] = ..., value: _Optional[float] = ...) -> None: ...

class MetricSeries(_message.Message):
    __slots__ = ("metric", "points")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    metric: _resources_pb2.MetricSelector
    points: _containers.RepeatedCompositeFieldContainer[MetricPoint]
    def __init__(self, metric: _Optional[_Union[_resources_pb2.MetricSelector, _Mapping]] = ..., points: _Optional[_Iterable[_Union[MetricPoint, _Mapping]]] = ...) -> None: ...
