import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RejectionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REJECTION_REASON_UNSPECIFIED: _ClassVar[RejectionReason]
    REJECTION_REASON_MALFORMED_MESSAGE: _ClassVar[RejectionReason]
    REJECTION_REASON_TOO_MANY_ROWS: _ClassVar[RejectionReason]
    REJECTION_REASON_MISSING_REQUEST_ID: _ClassVar[RejectionReason]
    REJECTION_REASON_MISSING_MODEL: _ClassVar[RejectionReason]
    REJECTION_REASON_UNKNOWN_MODEL_VERSION: _ClassVar[RejectionReason]
    REJECTION_REASON_MISSING_TIME: _ClassVar[RejectionReason]
    REJECTION_REASON_TIME_OUT_OF_RANGE: _ClassVar[RejectionReason]
    REJECTION_REASON_INVALID_ROW_INDEX: _ClassVar[RejectionReason]
    REJECTION_REASON_MISSING_LABEL: _ClassVar[RejectionReason]
REJECTION_REASON_UNSPECIFIED: RejectionReason
REJECTION_REASON_MALFORMED_MESSAGE: RejectionReason
REJECTION_REASON_TOO_MANY_ROWS: RejectionReason
REJECTION_REASON_MISSING_REQUEST_ID: RejectionReason
REJECTION_REASON_MISSING_MODEL: RejectionReason
REJECTION_REASON_UNKNOWN_MODEL_VERSION: RejectionReason
REJECTION_REASON_MISSING_TIME: RejectionReason
REJECTION_REASON_TIME_OUT_OF_RANGE: RejectionReason
REJECTION_REASON_INVALID_ROW_INDEX: RejectionReason
REJECTION_REASON_MISSING_LABEL: RejectionReason

class ModelPrediction(_message.Message):
    __slots__ = ("label", "value", "class_probabilities")
    class ClassProbabilitiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    LABEL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CLASS_PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    label: str
    value: float
    class_probabilities: _containers.ScalarMap[str, float]
    def __init__(self, label: _Optional[str] = ..., value: _Optional[float] = ..., class_probabilities: _Optional[_Mapping[str, float]] = ...) -> None: ...

class PredictionRecord(_message.Message):
    __slots__ = ("request_id", "row_index", "model_name", "model_version", "alias", "deployment", "deployment_team", "route", "prediction_time", "inputs", "prediction", "outputs", "latency", "status_code", "error_reason")
    class InputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _types_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_types_pb2.Value, _Mapping]] = ...) -> None: ...
    class OutputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _types_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_types_pb2.Value, _Mapping]] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ROW_INDEX_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_TEAM_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_TIME_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    row_index: int
    model_name: str
    model_version: int
    alias: str
    deployment: str
    deployment_team: str
    route: _model_pb2.PredictionRoute
    prediction_time: _timestamp_pb2.Timestamp
    inputs: _containers.MessageMap[str, _types_pb2.Value]
    prediction: ModelPrediction
    outputs: _containers.MessageMap[str, _types_pb2.Value]
    latency: _duration_pb2.Duration
    status_code: int
    error_reason: str
    def __init__(self, request_id: _Optional[str] = ..., row_index: _Optional[int] = ..., model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., alias: _Optional[str] = ..., deployment: _Optional[str] = ..., deployment_team: _Optional[str] = ..., route: _Optional[_Union[_model_pb2.PredictionRoute, str]] = ..., prediction_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., inputs: _Optional[_Mapping[str, _types_pb2.Value]] = ..., prediction: _Optional[_Union[ModelPrediction, _Mapping]] = ..., outputs: _Optional[_Mapping[str, _types_pb2.Value]] = ..., latency: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., status_code: _Optional[int] = ..., error_reason: _Optional[str] = ...) -> None: ...

class PredictionRecords(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[PredictionRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[PredictionRecord, _Mapping]]] = ...) -> None: ...

class PredictionTable(_message.Message):
    __slots__ = ("model_name", "model_version", "alias", "deployment", "deployment_team", "route", "rows", "input_columns", "output_columns")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_TEAM_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    INPUT_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: int
    alias: str
    deployment: str
    deployment_team: str
    route: _model_pb2.PredictionRoute
    rows: _types_pb2.ArrowTable
    input_columns: _containers.RepeatedScalarFieldContainer[str]
    output_columns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., alias: _Optional[str] = ..., deployment: _Optional[str] = ..., deployment_team: _Optional[str] = ..., route: _Optional[_Union[_model_pb2.PredictionRoute, str]] = ..., rows: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ..., input_columns: _Optional[_Iterable[str]] = ..., output_columns: _Optional[_Iterable[str]] = ...) -> None: ...

class Outcome(_message.Message):
    __slots__ = ("request_id", "row_index", "class_label", "value", "outcome_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ROW_INDEX_FIELD_NUMBER: _ClassVar[int]
    CLASS_LABEL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    row_index: int
    class_label: str
    value: float
    outcome_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., row_index: _Optional[int] = ..., class_label: _Optional[str] = ..., value: _Optional[float] = ..., outcome_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Rejection(_message.Message):
    __slots__ = ("message_index", "item_index", "whole_message", "request_id", "row_index", "reason", "field", "message")
    MESSAGE_INDEX_FIELD_NUMBER: _ClassVar[int]
    ITEM_INDEX_FIELD_NUMBER: _ClassVar[int]
    WHOLE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ROW_INDEX_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    message_index: int
    item_index: int
    whole_message: bool
    request_id: str
    row_index: int
    reason: RejectionReason
    field: str
    message: str
    def __init__(self, message_index: _Optional[int] = ..., item_index: _Optional[int] = ..., whole_message: _Optional[bool] = ..., request_id: _Optional[str] = ..., row_index: _Optional[int] = ..., reason: _Optional[_Union[RejectionReason, str]] = ..., field: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...
