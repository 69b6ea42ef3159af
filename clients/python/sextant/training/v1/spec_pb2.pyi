import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import features_pb2 as _features_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Estimator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ESTIMATOR_UNSPECIFIED: _ClassVar[Estimator]
    ESTIMATOR_LOGISTIC_REGRESSION: _ClassVar[Estimator]
    ESTIMATOR_RANDOM_FOREST: _ClassVar[Estimator]
    ESTIMATOR_GRADIENT_BOOSTING: _ClassVar[Estimator]
    ESTIMATOR_HIST_GRADIENT_BOOSTING: _ClassVar[Estimator]
    ESTIMATOR_LINEAR_REGRESSION: _ClassVar[Estimator]
    ESTIMATOR_RIDGE: _ClassVar[Estimator]

class NumericImputation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NUMERIC_IMPUTATION_UNSPECIFIED: _ClassVar[NumericImputation]
    NUMERIC_IMPUTATION_NONE: _ClassVar[NumericImputation]
    NUMERIC_IMPUTATION_MEAN: _ClassVar[NumericImputation]
    NUMERIC_IMPUTATION_MEDIAN: _ClassVar[NumericImputation]
    NUMERIC_IMPUTATION_MOST_FREQUENT: _ClassVar[NumericImputation]
    NUMERIC_IMPUTATION_CONSTANT: _ClassVar[NumericImputation]

class CategoricalImputation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CATEGORICAL_IMPUTATION_UNSPECIFIED: _ClassVar[CategoricalImputation]
    CATEGORICAL_IMPUTATION_MOST_FREQUENT: _ClassVar[CategoricalImputation]
    CATEGORICAL_IMPUTATION_CONSTANT: _ClassVar[CategoricalImputation]

class Scaling(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCALING_UNSPECIFIED: _ClassVar[Scaling]
    SCALING_NONE: _ClassVar[Scaling]
    SCALING_STANDARD: _ClassVar[Scaling]
    SCALING_MIN_MAX: _ClassVar[Scaling]
    SCALING_ROBUST: _ClassVar[Scaling]

class SearchStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_STRATEGY_UNSPECIFIED: _ClassVar[SearchStrategy]
    SEARCH_STRATEGY_GRID: _ClassVar[SearchStrategy]
    SEARCH_STRATEGY_RANDOM: _ClassVar[SearchStrategy]

class OptimizationDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPTIMIZATION_DIRECTION_UNSPECIFIED: _ClassVar[OptimizationDirection]
    OPTIMIZATION_DIRECTION_MAXIMIZE: _ClassVar[OptimizationDirection]
    OPTIMIZATION_DIRECTION_MINIMIZE: _ClassVar[OptimizationDirection]
ESTIMATOR_UNSPECIFIED: Estimator
ESTIMATOR_LOGISTIC_REGRESSION: Estimator
ESTIMATOR_RANDOM_FOREST: Estimator
ESTIMATOR_GRADIENT_BOOSTING: Estimator
ESTIMATOR_HIST_GRADIENT_BOOSTING: Estimator
ESTIMATOR_LINEAR_REGRESSION: Estimator
ESTIMATOR_RIDGE: Estimator
NUMERIC_IMPUTATION_UNSPECIFIED: NumericImputation
NUMERIC_IMPUTATION_NONE: NumericImputation
NUMERIC_IMPUTATION_MEAN: NumericImputation
NUMERIC_IMPUTATION_MEDIAN: NumericImputation
NUMERIC_IMPUTATION_MOST_FREQUENT: NumericImputation
NUMERIC_IMPUTATION_CONSTANT: NumericImputation
CATEGORICAL_IMPUTATION_UNSPECIFIED: CategoricalImputation
CATEGORICAL_IMPUTATION_MOST_FREQUENT: CategoricalImputation
CATEGORICAL_IMPUTATION_CONSTANT: CategoricalImputation
SCALING_UNSPECIFIED: Scaling
SCALING_NONE: Scaling
SCALING_STANDARD: Scaling
SCALING_MIN_MAX: Scaling
SCALING_ROBUST: Scaling
SEARCH_STRATEGY_UNSPECIFIED: SearchStrategy
SEARCH_STRATEGY_GRID: SearchStrategy
SEARCH_STRATEGY_RANDOM: SearchStrategy
OPTIMIZATION_DIRECTION_UNSPECIFIED: OptimizationDirection
OPTIMIZATION_DIRECTION_MAXIMIZE: OptimizationDirection
OPTIMIZATION_DIRECTION_MINIMIZE: OptimizationDirection

class TrainingJobSpec(_message.Message):
    __slots__ = ("dataset", "features", "label_column", "task", "model", "search", "split", "evaluation_attributes", "model_name", "owner_team", "domain", "experiment", "empirically_derived_scoring_system", "favorable_label", "description", "tags", "timeout")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DATASET_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    LABEL_COLUMN_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    EMPIRICALLY_DERIVED_SCORING_SYSTEM_FIELD_NUMBER: _ClassVar[int]
    FAVORABLE_LABEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    dataset: TrainingDataset
    features: _features_pb2.FeatureSelection
    label_column: str
    task: _model_pb2.ModelTask
    model: ModelSpec
    search: SearchSpec
    split: SplitSpec
    evaluation_attributes: _containers.RepeatedCompositeFieldContainer[EvaluationAttribute]
    model_name: str
    owner_team: str
    domain: str
    experiment: str
    empirically_derived_scoring_system: bool
    favorable_label: str
    description: str
    tags: _containers.ScalarMap[str, str]
    timeout: _duration_pb2.Duration
    def __init__(self, dataset: _Optional[_Union[TrainingDataset, _Mapping]] = ..., features: _Optional[_Union[_features_pb2.FeatureSelection, _Mapping]] = ..., label_column: _Optional[str] = ..., task: _Optional[_Union[_model_pb2.ModelTask, str]] = ..., model: _Optional[_Union[ModelSpec, _Mapping]] = ..., search: _Optional[_Union[SearchSpec, _Mapping]] = ..., split: _Optional[_Union[SplitSpec, _Mapping]] = ..., evaluation_attributes: _Optional[_Iterable[_Union[EvaluationAttribute, _Mapping]]] = ..., model_name: _Optional[str] = ..., owner_team: _Optional[str] = ..., domain: _Optional[str] = ..., experiment: _Optional[str] = ..., empirically_derived_scoring_system: _Optional[bool] = ..., favorable_label: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class TrainingDataset(_message.Message):
    __slots__ = ("entity_rows", "entity_rows_digest", "label_view", "event_timestamp_column", "full_feature_names", "as_of_created")
    ENTITY_ROWS_FIELD_NUMBER: _ClassVar[int]
    ENTITY_ROWS_DIGEST_FIELD_NUMBER: _ClassVar[int]
    LABEL_VIEW_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIMESTAMP_COLUMN_FIELD_NUMBER: _ClassVar[int]
    FULL_FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    AS_OF_CREATED_FIELD_NUMBER: _ClassVar[int]
    entity_rows: _types_pb2.ArrowTable
    entity_rows_digest: str
    label_view: LabelViewSource
    event_timestamp_column: str
    full_feature_names: bool
    as_of_created: bool
    def __init__(self, entity_rows: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ..., entity_rows_digest: _Optional[str] = ..., label_view: _Optional[_Union[LabelViewSource, _Mapping]] = ..., event_timestamp_column: _Optional[str] = ..., full_feature_names: _Optional[bool] = ..., as_of_created: _Optional[bool] = ...) -> None: ...

class LabelViewSource(_message.Message):
    __slots__ = ("label", "start_time", "end_time")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    label: _types_pb2.FeatureReference
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, label: _Optional[_Union[_types_pb2.FeatureReference, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ModelSpec(_message.Message):
    __slots__ = ("estimator", "estimator_class", "hyperparameters", "preprocessing")
    class HyperparametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _types_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_types_pb2.Value, _Mapping]] = ...) -> None: ...
    ESTIMATOR_FIELD_NUMBER: _ClassVar[int]
    ESTIMATOR_CLASS_FIELD_NUMBER: _ClassVar[int]
    HYPERPARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PREPROCESSING_FIELD_NUMBER: _ClassVar[int]
    estimator: Estimator
    estimator_class: str
    hyperparameters: _containers.MessageMap[str, _types_pb2.Value]
    preprocessing: PreprocessingSpec
    def __init__(self, estimator: _Optional[_Union[Estimator, str]] = ..., estimator_class: _Optional[str] = ..., hyperparameters: _Optional[_Mapping[str, _types_pb2.Value]] = ..., preprocessing: _Optional[_Union[PreprocessingSpec, _Mapping]] = ...) -> None: ...

class PreprocessingSpec(_message.Message):
    __slots__ = ("numeric_imputation", "numeric_fill_value", "categorical_imputation", "categorical_fill_value", "scaling", "categorical_columns", "add_missing_indicators")
    NUMERIC_IMPUTATION_FIELD_NUMBER: _ClassVar[int]
    NUMERIC_FILL_VALUE_FIELD_NUMBER: _ClassVar[int]
    CATEGORICAL_IMPUTATION_FIELD_NUMBER: _ClassVar[int]
    CATEGORICAL_FILL_VALUE_FIELD_NUMBER: _ClassVar[int]
    SCALING_FIELD_NUMBER: _ClassVar[int]
    CATEGORICAL_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ADD_MISSING_INDICATORS_FIELD_NUMBER: _ClassVar[int]
    numeric_imputation: NumericImputation
    numeric_fill_value: float
    categorical_imputation: CategoricalImputation
    categorical_fill_value: str
    scaling: Scaling
    categorical_columns: _containers.RepeatedScalarFieldContainer[str]
    add_missing_indicators: bool
    def __init__(self, numeric_imputation: _Optional[_Union[NumericImputation, str]] = ..., numeric_fill_value: _Optional[float] = ..., categorical_imputation: _Optional[_Union[CategoricalImputation, str]] = ..., categorical_fill_value: _Optional[str] = ..., scaling: _Optional[_Union[Scaling, str]] = ..., categorical_columns: _Optional[_Iterable[str]] = ..., add_missing_indicators: _Optional[bool] = ...) -> None: ...

class SearchSpec(_message.Message):
    __slots__ = ("strategy", "n_trials", "seed", "parameter_space", "optimize_metric", "direction", "cv_folds", "max_parallel_trials")
    class ParameterSpaceEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ParameterDomain
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ParameterDomain, _Mapping]] = ...) -> None: ...
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    N_TRIALS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_SPACE_FIELD_NUMBER: _ClassVar[int]
    OPTIMIZE_METRIC_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    CV_FOLDS_FIELD_NUMBER: _ClassVar[int]
    MAX_PARALLEL_TRIALS_FIELD_NUMBER: _ClassVar[int]
    strategy: SearchStrategy
    n_trials: int
    seed: int
    parameter_space: _containers.MessageMap[str, ParameterDomain]
    optimize_metric: str
    direction: OptimizationDirection
    cv_folds: int
    max_parallel_trials: int
    def __init__(self, strategy: _Optional[_Union[SearchStrategy, str]] = ..., n_trials: _Optional[int] = ..., seed: _Optional[int] = ..., parameter_space: _Optional[_Mapping[str, ParameterDomain]] = ..., optimize_metric: _Optional[str] = ..., direction: _Optional[_Union[OptimizationDirection, str]] = ..., cv_folds: _Optional[int] = ..., max_parallel_trials: _Optional[int] = ...) -> None: ...

class ParameterDomain(_message.Message):
    __slots__ = ("values", "int_range", "float_range")
    VALUES_FIELD_NUMBER: _ClassVar[int]
    INT_RANGE_FIELD_NUMBER: _ClassVar[int]
    FLOAT_RANGE_FIELD_NUMBER: _ClassVar[int]
    values: ValueList
    int_range: IntRange
    float_range: FloatRange
    def __init__(self, values: _Optional[_Union[ValueList, _Mapping]] = ..., int_range: _Optional[_Union[IntRange, _Mapping]] = ..., float_range: _Optional[_Union[FloatRange, _Mapping]] = ...) -> None: ...

class ValueList(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedCompositeFieldContainer[_types_pb2.Value]
    def __init__(self, values: _Optional[_Iterable[_Union[_types_pb2.Value, _Mapping]]] = ...) -> None: ...

class IntRange(_message.Message):
    __slots__ = ("min", "max", "log", "step")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    min: int
    max: int
    log: bool
    step: int
    def __init__(self, min: _Optional[int] = ..., max: _Optional[int] = ..., log: _Optional[bool] = ..., step: _Optional[int] = ...) -> None: ...

class FloatRange(_message.Message):
    __slots__ = ("min", "max", "log")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    min: float
    max: float
    log: bool
    def __init__(self, min: _Optional[float] = ..., max: _Optional[float] = ..., log: _Optional[bool] = ...) -> None: ...

class SplitSpec(_message.Message):
    __slots__ = ("time", "random")
    TIME_FIELD_NUMBER: _ClassVar[int]
    RANDOM_FIELD_NUMBER: _ClassVar[int]
    time: TimeSplit
    random: RandomSplit
    def __init__(self, time: _Optional[_Union[TimeSplit, _Mapping]] = ..., random: _Optional[_Union[RandomSplit, _Mapping]] = ...) -> None: ...

class TimeSplit(_message.Message):
    __slots__ = ("validation_fraction", "validation_start_time")
    VALIDATION_FRACTION_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_START_TIME_FIELD_NUMBER: _ClassVar[int]
    validation_fraction: float
    validation_start_time: _timestamp_pb2.Timestamp
    def __init__(self, validation_fraction: _Optional[float] = ..., validation_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RandomSplit(_message.Message):
    __slots__ = ("validation_fraction", "seed", "stratify")
    VALIDATION_FRACTION_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STRATIFY_FIELD_NUMBER: _ClassVar[int]
    validation_fraction: float
    seed: int
    stratify: bool
    def __init__(self, validation_fraction: _Optional[float] = ..., seed: _Optional[int] = ..., stratify: _Optional[bool] = ...) -> None: ...

class EvaluationAttribute(_message.Message):
    __slots__ = ("name", "feature", "entity_column", "bin_edges")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_COLUMN_FIELD_NUMBER: _ClassVar[int]
    BIN_EDGES_FIELD_NUMBER: _ClassVar[int]
    name: str
    feature: _types_pb2.FeatureReference
    entity_column: str
    bin_edges: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, name: _Optional[str] = ..., feature: _Optional[_Union[_types_pb2.FeatureReference, _Mapping]] = ..., entity_column: _Optional[str] = ..., bin_edges: _Optional[_Iterable[float]] = ...) -> None: ...
