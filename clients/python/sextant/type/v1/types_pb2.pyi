import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DataType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATA_TYPE_UNSPECIFIED: _ClassVar[DataType]
    DATA_TYPE_BOOL: _ClassVar[DataType]
    DATA_TYPE_INT32: _ClassVar[DataType]
    DATA_TYPE_INT64: _ClassVar[DataType]
    DATA_TYPE_FLOAT32: _ClassVar[DataType]
    DATA_TYPE_FLOAT64: _ClassVar[DataType]
    DATA_TYPE_STRING: _ClassVar[DataType]
    DATA_TYPE_BYTES: _ClassVar[DataType]
    DATA_TYPE_TIMESTAMP: _ClassVar[DataType]
DATA_TYPE_UNSPECIFIED: DataType
DATA_TYPE_BOOL: DataType
DATA_TYPE_INT32: DataType
DATA_TYPE_INT64: DataType
DATA_TYPE_FLOAT32: DataType
DATA_TYPE_FLOAT64: DataType
DATA_TYPE_STRING: DataType
DATA_TYPE_BYTES: DataType
DATA_TYPE_TIMESTAMP: DataType

class Value(_message.Message):
    __slots__ = ("bool_value", "int64_value", "double_value", "string_value", "bytes_value", "timestamp_value")
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    BYTES_VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    bool_value: bool
    int64_value: int
    double_value: float
    string_value: str
    bytes_value: bytes
    timestamp_value: _timestamp_pb2.Timestamp
    def __init__(self, bool_value: _Optional[bool] = ..., int64_value: _Optional[int] = ..., double_value: _Optional[float] = ..., string_value: _Optional[str] = ..., bytes_value: _Optional[bytes] = ..., timestamp_value: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ArrowTable(_message.Message):
    __slots__ = ("ipc_stream",)
    IPC_STREAM_FIELD_NUMBER: _ClassVar[int]
    ipc_stream: bytes
    def __init__(self, ipc_stream: _Optional[bytes] = ...) -> None: ...

class FeatureReference(_message.Message):
    __slots__ = ("feature_view", "feature", "version")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    feature: str
    version: int
    def __init__(self, feature_view: _Optional[str] = ..., feature: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ResolvedFeature(_message.Message):
    __slots__ = ("reference", "resolved_version", "fingerprint", "dtype", "tags", "owner_team")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_VERSION_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    reference: FeatureReference
    resolved_version: int
    fingerprint: str
    dtype: DataType
    tags: _containers.ScalarMap[str, str]
    owner_team: str
    def __init__(self, reference: _Optional[_Union[FeatureReference, _Mapping]] = ..., resolved_version: _Optional[int] = ..., fingerprint: _Optional[str] = ..., dtype: _Optional[_Union[DataType, str]] = ..., tags: _Optional[_Mapping[str, str]] = ..., owner_team: _Optional[str] = ...) -> None: ...

class TensorSpec(_message.Message):
    __slots__ = ("name", "dtype", "shape", "feature")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    name: str
    dtype: DataType
    shape: _containers.RepeatedScalarFieldContainer[int]
    feature: FeatureReference
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[_Union[DataType, str]] = ..., shape: _Optional[_Iterable[int]] = ..., feature: _Optional[_Union[FeatureReference, _Mapping]] = ...) -> None: ...

class ModelSignature(_message.Message):
    __slots__ = ("inputs", "outputs", "class_labels")
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    CLASS_LABELS_FIELD_NUMBER: _ClassVar[int]
    inputs: _containers.RepeatedCompositeFieldContainer[TensorSpec]
    outputs: _containers.RepeatedCompositeFieldContainer[TensorSpec]
    class_labels: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, inputs: _Optional[_Iterable[_Union[TensorSpec, _Mapping]]] = ..., outputs: _Optional[_Iterable[_Union[TensorSpec, _Mapping]]] = ..., class_labels: _Optional[_Iterable[str]] = ...) -> None: ...

class ParityReport(_message.Message):
    __slots__ = ("passed", "rows_checked", "edge_rows_checked", "label_mismatches", "max_abs_probability_diff", "max_relative_diff", "probability_tolerance", "relative_tolerance", "target_opset")
    PASSED_FIELD_NUMBER: _ClassVar[int]
    ROWS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    EDGE_ROWS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    LABEL_MISMATCHES_FIELD_NUMBER: _ClassVar[int]
    MAX_ABS_PROBABILITY_DIFF_FIELD_NUMBER: _ClassVar[int]
    MAX_RELATIVE_DIFF_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    RELATIVE_TOLERANCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_OPSET_FIELD_NUMBER: _ClassVar[int]
    passed: bool
    rows_checked: int
    edge_rows_checked: int
    label_mismatches: int
    max_abs_probability_diff: float
    max_relative_diff: float
    probability_tolerance: float
    relative_tolerance: float
    target_opset: int
    def __init__(self, passed: _Optional[bool] = ..., rows_checked: _Optional[int] = ..., edge_rows_checked: _Optional[int] = ..., label_mismatches: _Optional[int] = ..., max_abs_probability_diff: _Optional[float] = ..., max_relative_diff: _Optional[float] = ..., probability_tolerance: _Optional[float] = ..., relative_tolerance: _Optional[float] = ..., target_opset: _Optional[int] = ...) -> None: ...

class GroupOutcome(_message.Message):
    __slots__ = ("group", "count", "selection_rate", "true_positive_rate", "positive_count")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SELECTION_RATE_FIELD_NUMBER: _ClassVar[int]
    TRUE_POSITIVE_RATE_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_COUNT_FIELD_NUMBER: _ClassVar[int]
    group: str
    count: int
    selection_rate: float
    true_positive_rate: float
    positive_count: int
    def __init__(self, group: _Optional[str] = ..., count: _Optional[int] = ..., selection_rate: _Optional[float] = ..., true_positive_rate: _Optional[float] = ..., positive_count: _Optional[int] = ...) -> None: ...

class FairnessResult(_message.Message):
    __slots__ = ("attribute", "groups", "adverse_impact_ratio", "equal_opportunity_difference", "reference_group", "dataset")
    ATTRIBUTE_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    ADVERSE_IMPACT_RATIO_FIELD_NUMBER: _ClassVar[int]
    EQUAL_OPPORTUNITY_DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_GROUP_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    attribute: str
    groups: _containers.RepeatedCompositeFieldContainer[GroupOutcome]
    adverse_impact_ratio: float
    equal_opportunity_difference: float
    reference_group: str
    dataset: str
    def __init__(self, attribute: _Optional[str] = ..., groups: _Optional[_Iterable[_Union[GroupOutcome, _Mapping]]] = ..., adverse_impact_ratio: _Optional[float] = ..., equal_opportunity_difference: _Optional[float] = ..., reference_group: _Optional[str] = ..., dataset: _Optional[str] = ...) -> None: ...

class HistogramBin(_message.Message):
    __slots__ = ("lower", "upper", "count")
    LOWER_FIELD_NUMBER: _ClassVar[int]
    UPPER_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    lower: float
    upper: float
    count: int
    def __init__(self, lower: _Optional[float] = ..., upper: _Optional[float] = ..., count: _Optional[int] = ...) -> None: ...

class CategoryCount(_message.Message):
    __slots__ = ("value", "count")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    value: str
    count: int
    def __init__(self, value: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class ColumnProfile(_message.Message):
    __slots__ = ("name", "dtype", "count", "null_count", "mean", "std", "min", "max", "quantiles", "quantile_probabilities", "histogram", "top_categories", "distinct_count")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NULL_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    STD_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    QUANTILES_FIELD_NUMBER: _ClassVar[int]
    QUANTILE_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    TOP_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    DISTINCT_COUNT_FIELD_NUMBER: _ClassVar[int]
    name: str
    dtype: DataType
    count: int
    null_count: int
    mean: float
    std: float
    min: float
    max: float
    quantiles: _containers.RepeatedScalarFieldContainer[float]
    quantile_probabilities: _containers.RepeatedScalarFieldContainer[float]
    histogram: _containers.RepeatedCompositeFieldContainer[HistogramBin]
    top_categories: _containers.RepeatedCompositeFieldContainer[CategoryCount]
    distinct_count: int
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[_Union[DataType, str]] = ..., count: _Optional[int] = ..., null_count: _Optional[int] = ..., mean: _Optional[float] = ..., std: _Optional[float] = ..., min: _Optional[float] = ..., max: _Optional[float] = ..., quantiles: _Optional[_Iterable[float]] = ..., quantile_probabilities: _Optional[_Iterable[float]] = ..., histogram: _Optional[_Iterable[_Union[HistogramBin, _Mapping]]] = ..., top_categories: _Optional[_Iterable[_Union[CategoryCount, _Mapping]]] = ..., distinct_count: _Optional[int] = ...) -> None: ...

class DatasetProfile(_message.Message):
    __slots__ = ("row_count", "columns", "create_time")
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    row_count: int
    columns: _containers.RepeatedCompositeFieldContainer[ColumnProfile]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, row_count: _Optional[int] = ..., columns: _Optional[_Iterable[_Union[ColumnProfile, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
