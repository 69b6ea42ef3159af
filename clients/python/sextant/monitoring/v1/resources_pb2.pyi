import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReferenceSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERENCE_SOURCE_UNSPECIFIED: _ClassVar[ReferenceSource]
    REFERENCE_SOURCE_REGISTRY: _ClassVar[ReferenceSource]
    REFERENCE_SOURCE_TRAFFIC: _ClassVar[ReferenceSource]
    REFERENCE_SOURCE_UPLOADED: _ClassVar[ReferenceSource]

class DriftMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_METHOD_UNSPECIFIED: _ClassVar[DriftMethod]
    DRIFT_METHOD_KOLMOGOROV_SMIRNOV: _ClassVar[DriftMethod]
    DRIFT_METHOD_CHI_SQUARE: _ClassVar[DriftMethod]
    DRIFT_METHOD_Z_TEST: _ClassVar[DriftMethod]
    DRIFT_METHOD_WASSERSTEIN_NORMED: _ClassVar[DriftMethod]
    DRIFT_METHOD_JENSEN_SHANNON: _ClassVar[DriftMethod]
    DRIFT_METHOD_PSI: _ClassVar[DriftMethod]

class MetricKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METRIC_KIND_UNSPECIFIED: _ClassVar[MetricKind]
    METRIC_KIND_FEATURE_DRIFT: _ClassVar[MetricKind]
    METRIC_KIND_PREDICTION_DRIFT: _ClassVar[MetricKind]
    METRIC_KIND_DATASET_DRIFT_SHARE: _ClassVar[MetricKind]
    METRIC_KIND_NULL_RATE: _ClassVar[MetricKind]
    METRIC_KIND_OUT_OF_RANGE_RATE: _ClassVar[MetricKind]
    METRIC_KIND_UNSEEN_CATEGORY_RATE: _ClassVar[MetricKind]
    METRIC_KIND_SCHEMA_ERROR_RATE: _ClassVar[MetricKind]
    METRIC_KIND_PERFORMANCE_REALISED: _ClassVar[MetricKind]
    METRIC_KIND_PERFORMANCE_ESTIMATED: _ClassVar[MetricKind]
    METRIC_KIND_LABEL_COVERAGE: _ClassVar[MetricKind]
    METRIC_KIND_PREDICTION_COUNT: _ClassVar[MetricKind]
    METRIC_KIND_SERVING_ERROR_RATE: _ClassVar[MetricKind]
    METRIC_KIND_SERVING_LATENCY: _ClassVar[MetricKind]
    METRIC_KIND_MODEL_STALE: _ClassVar[MetricKind]

class DriftMeasure(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRIFT_MEASURE_UNSPECIFIED: _ClassVar[DriftMeasure]
    DRIFT_MEASURE_DRIFTED: _ClassVar[DriftMeasure]
    DRIFT_MEASURE_STATISTIC: _ClassVar[DriftMeasure]
    DRIFT_MEASURE_P_VALUE: _ClassVar[DriftMeasure]
    DRIFT_MEASURE_PSI: _ClassVar[DriftMeasure]

class PerformanceMetric(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PERFORMANCE_METRIC_UNSPECIFIED: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_ROC_AUC: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_ACCURACY: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_PRECISION: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_RECALL: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_F1: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_LOG_LOSS: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_CALIBRATION_ERROR: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_BRIER: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_RMSE: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_MAE: _ClassVar[PerformanceMetric]
    PERFORMANCE_METRIC_R2: _ClassVar[PerformanceMetric]
REFERENCE_SOURCE_UNSPECIFIED: ReferenceSource
REFERENCE_SOURCE_REGISTRY: ReferenceSource
REFERENCE_SOURCE_TRAFFIC: ReferenceSource
REFERENCE_SOURCE_UPLOADED: ReferenceSource
DRIFT_METHOD_UNSPECIFIED: DriftMethod
DRIFT_METHOD_KOLMOGOROV_SMIRNOV: DriftMethod
DRIFT_METHOD_CHI_SQUARE: DriftMethod
DRIFT_METHOD_Z_TEST: DriftMethod
DRIFT_METHOD_WASSERSTEIN_NORMED: DriftMethod
DRIFT_METHOD_JENSEN_SHANNON: DriftMethod
DRIFT_METHOD_PSI: DriftMethod
METRIC_KIND_UNSPECIFIED: MetricKind
METRIC_KIND_FEATURE_DRIFT: MetricKind
METRIC_KIND_PREDICTION_DRIFT: MetricKind
METRIC_KIND_DATASET_DRIFT_SHARE: MetricKind
METRIC_KIND_NULL_RATE: MetricKind
METRIC_KIND_OUT_OF_RANGE_RATE: MetricKind
METRIC_KIND_UNSEEN_CATEGORY_RATE: MetricKind
METRIC_KIND_SCHEMA_ERROR_RATE: MetricKind
METRIC_KIND_PERFORMANCE_REALISED: MetricKind
METRIC_KIND_PERFORMANCE_ESTIMATED: MetricKind
METRIC_KIND_LABEL_COVERAGE: MetricKind
METRIC_KIND_PREDICTION_COUNT: MetricKind
METRIC_KIND_SERVING_ERROR_RATE: MetricKind
METRIC_KIND_SERVING_LATENCY: MetricKind
METRIC_KIND_MODEL_STALE: MetricKind
DRIFT_MEASURE_UNSPECIFIED: DriftMeasure
DRIFT_MEASURE_DRIFTED: DriftMeasure
DRIFT_MEASURE_STATISTIC: DriftMeasure
DRIFT_MEASURE_P_VALUE: DriftMeasure
DRIFT_MEASURE_PSI: DriftMeasure
PERFORMANCE_METRIC_UNSPECIFIED: PerformanceMetric
PERFORMANCE_METRIC_ROC_AUC: PerformanceMetric
PERFORMANCE_METRIC_ACCURACY: PerformanceMetric
PERFORMANCE_METRIC_PRECISION: PerformanceMetric
PERFORMANCE_METRIC_RECALL: PerformanceMetric
PERFORMANCE_METRIC_F1: PerformanceMetric
PERFORMANCE_METRIC_LOG_LOSS: PerformanceMetric
PERFORMANCE_METRIC_CALIBRATION_ERROR: PerformanceMetric
PERFORMANCE_METRIC_BRIER: PerformanceMetric
PERFORMANCE_METRIC_RMSE: PerformanceMetric
PERFORMANCE_METRIC_MAE: PerformanceMetric
PERFORMANCE_METRIC_R2: PerformanceMetric

class Reference(_message.Message):
    __slots__ = ("model_name", "model_version", "source", "profile", "prediction_columns", "traffic_start_time", "traffic_end_time", "traffic_deployment", "create_time", "creator")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_START_TIME_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_END_TIME_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: int
    source: ReferenceSource
    profile: _types_pb2.DatasetProfile
    prediction_columns: _containers.RepeatedScalarFieldContainer[str]
    traffic_start_time: _timestamp_pb2.Timestamp
    traffic_end_time: _timestamp_pb2.Timestamp
    traffic_deployment: str
    create_time: _timestamp_pb2.Timestamp
    creator: str
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., source: _Optional[_Union[ReferenceSource, str]] = ..., profile: _Optional[_Union[_types_pb2.DatasetProfile, _Mapping]] = ..., prediction_columns: _Optional[_Iterable[str]] = ..., traffic_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., traffic_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., traffic_deployment: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., creator: _Optional[str] = ...) -> None: ...

class WindowSpec(_message.Message):
    __slots__ = ("duration", "row_count", "min_rows")
    DURATION_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    MIN_ROWS_FIELD_NUMBER: _ClassVar[int]
    duration: _duration_pb2.Duration
    row_count: int
    min_rows: int
    def __init__(self, duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., row_count: _Optional[int] = ..., min_rows: _Optional[int] = ...) -> None: ...

class FeatureDriftOverride(_message.Message):
    __slots__ = ("feature", "method", "threshold")
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    feature: str
    method: DriftMethod
    threshold: float
    def __init__(self, feature: _Optional[str] = ..., method: _Optional[_Union[DriftMethod, str]] = ..., threshold: _Optional[float] = ...) -> None: ...

class DriftSettings(_message.Message):
    __slots__ = ("drift_share_threshold", "overrides")
    DRIFT_SHARE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    drift_share_threshold: float
    overrides: _containers.RepeatedCompositeFieldContainer[FeatureDriftOverride]
    def __init__(self, drift_share_threshold: _Optional[float] = ..., overrides: _Optional[_Iterable[_Union[FeatureDriftOverride, _Mapping]]] = ...) -> None: ...

class Monitor(_message.Message):
    __slots__ = ("name", "description", "model_name", "alias", "model_version", "deployment", "window", "features", "drift", "paused", "labels", "default_created", "current_model_version", "last_window_index", "etag", "create_time", "update_time", "creator", "updated_by")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    DRIFT_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CREATED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    LAST_WINDOW_INDEX_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    model_name: str
    alias: str
    model_version: int
    deployment: str
    window: WindowSpec
    features: _containers.RepeatedScalarFieldContainer[str]
    drift: DriftSettings
    paused: bool
    labels: _containers.ScalarMap[str, str]
    default_created: bool
    current_model_version: int
    last_window_index: int
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    creator: str
    updated_by: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., model_name: _Optional[str] = ..., alias: _Optional[str] = ..., model_version: _Optional[int] = ..., deployment: _Optional[str] = ..., window: _Optional[_Union[WindowSpec, _Mapping]] = ..., features: _Optional[_Iterable[str]] = ..., drift: _Optional[_Union[DriftSettings, _Mapping]] = ..., paused: _Optional[bool] = ..., labels: _Optional[_Mapping[str, str]] = ..., default_created: _Optional[bool] = ..., current_model_version: _Optional[int] = ..., last_window_index: _Optional[int] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., creator: _Optional[str] = ..., updated_by: _Optional[str] = ...) -> None: ...

class Window(_message.Message):
    __slots__ = ("index", "start_time", "end_time", "model_version", "row_count", "complete")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    index: int
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    model_version: int
    row_count: int
    complete: bool
    def __init__(self, index: _Optional[int] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., model_version: _Optional[int] = ..., row_count: _Optional[int] = ..., complete: _Optional[bool] = ...) -> None: ...

class MetricSelector(_message.Message):
    __slots__ = ("kind", "feature", "drift_measure", "performance_metric", "latency_quantile")
    KIND_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    DRIFT_MEASURE_FIELD_NUMBER: _ClassVar[int]
    PERFORMANCE_METRIC_FIELD_NUMBER: _ClassVar[int]
    LATENCY_QUANTILE_FIELD_NUMBER: _ClassVar[int]
    kind: MetricKind
    feature: str
    drift_measure: DriftMeasure
    performance_metric: PerformanceMetric
    latency_quantile: float
    def __init__(self, kind: _Optional[_Union[MetricKind, str]] = ..., feature: _Optional[str] = ..., drift_measure: _Optional[_Union[DriftMeasure, str]] = ..., performance_metric: _Optional[_Union[PerformanceMetric, str]] = ..., latency_quantile: _Optional[float] = ...) -> None: ...
