import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelTask(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_TASK_UNSPECIFIED: _ClassVar[ModelTask]
    MODEL_TASK_BINARY_CLASSIFICATION: _ClassVar[ModelTask]
    MODEL_TASK_MULTICLASS_CLASSIFICATION: _ClassVar[ModelTask]
    MODEL_TASK_REGRESSION: _ClassVar[ModelTask]

class StaleReasonSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STALE_REASON_SOURCE_UNSPECIFIED: _ClassVar[StaleReasonSource]
    STALE_REASON_SOURCE_FEATURE_DEFINITION_CHANGE: _ClassVar[StaleReasonSource]
    STALE_REASON_SOURCE_MANUAL: _ClassVar[StaleReasonSource]

class DeploymentRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPLOYMENT_ROLE_UNSPECIFIED: _ClassVar[DeploymentRole]
    DEPLOYMENT_ROLE_PRIMARY: _ClassVar[DeploymentRole]
    DEPLOYMENT_ROLE_CANARY: _ClassVar[DeploymentRole]
    DEPLOYMENT_ROLE_SHADOW: _ClassVar[DeploymentRole]

class PredictionRoute(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PREDICTION_ROUTE_UNSPECIFIED: _ClassVar[PredictionRoute]
    PREDICTION_ROUTE_PRIMARY: _ClassVar[PredictionRoute]
    PREDICTION_ROUTE_CANARY: _ClassVar[PredictionRoute]
    PREDICTION_ROUTE_SHADOW: _ClassVar[PredictionRoute]
    PREDICTION_ROUTE_DIRECT: _ClassVar[PredictionRoute]

class ComparisonOperator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPARISON_OPERATOR_UNSPECIFIED: _ClassVar[ComparisonOperator]
    COMPARISON_OPERATOR_GREATER_THAN: _ClassVar[ComparisonOperator]
    COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL: _ClassVar[ComparisonOperator]
    COMPARISON_OPERATOR_LESS_THAN: _ClassVar[ComparisonOperator]
    COMPARISON_OPERATOR_LESS_THAN_OR_EQUAL: _ClassVar[ComparisonOperator]
    COMPARISON_OPERATOR_EQUAL: _ClassVar[ComparisonOperator]
MODEL_TASK_UNSPECIFIED: ModelTask
MODEL_TASK_BINARY_CLASSIFICATION: ModelTask
MODEL_TASK_MULTICLASS_CLASSIFICATION: ModelTask
MODEL_TASK_REGRESSION: ModelTask
STALE_REASON_SOURCE_UNSPECIFIED: StaleReasonSource
STALE_REASON_SOURCE_FEATURE_DEFINITION_CHANGE: StaleReasonSource
STALE_REASON_SOURCE_MANUAL: StaleReasonSource
DEPLOYMENT_ROLE_UNSPECIFIED: DeploymentRole
DEPLOYMENT_ROLE_PRIMARY: DeploymentRole
DEPLOYMENT_ROLE_CANARY: DeploymentRole
DEPLOYMENT_ROLE_SHADOW: DeploymentRole
PREDICTION_ROUTE_UNSPECIFIED: PredictionRoute
PREDICTION_ROUTE_PRIMARY: PredictionRoute
PREDICTION_ROUTE_CANARY: PredictionRoute
PREDICTION_ROUTE_SHADOW: PredictionRoute
PREDICTION_ROUTE_DIRECT: PredictionRoute
COMPARISON_OPERATOR_UNSPECIFIED: ComparisonOperator
COMPARISON_OPERATOR_GREATER_THAN: ComparisonOperator
COMPARISON_OPERATOR_GREATER_THAN_OR_EQUAL: ComparisonOperator
COMPARISON_OPERATOR_LESS_THAN: ComparisonOperator
COMPARISON_OPERATOR_LESS_THAN_OR_EQUAL: ComparisonOperator
COMPARISON_OPERATOR_EQUAL: ComparisonOperator

class ModelVersionReference(_message.Message):
    __slots__ = ("model_name", "version")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    version: int
    def __init__(self, model_name: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class StaleReason(_message.Message):
    __slots__ = ("source", "feature_view", "old_view_version", "old_fingerprint", "new_view_version", "new_fingerprint", "mark_time", "principal", "message", "featurestore_revision")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    OLD_VIEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    OLD_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    NEW_VIEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    NEW_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    MARK_TIME_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FEATURESTORE_REVISION_FIELD_NUMBER: _ClassVar[int]
    source: StaleReasonSource
    feature_view: str
    old_view_version: int
    old_fingerprint: str
    new_view_version: int
    new_fingerprint: str
    mark_time: _timestamp_pb2.Timestamp
    principal: str
    message: str
    featurestore_revision: int
    def __init__(self, source: _Optional[_Union[StaleReasonSource, str]] = ..., feature_view: _Optional[str] = ..., old_view_version: _Optional[int] = ..., old_fingerprint: _Optional[str] = ..., new_view_version: _Optional[int] = ..., new_fingerprint: _Optional[str] = ..., mark_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., principal: _Optional[str] = ..., message: _Optional[str] = ..., featurestore_revision: _Optional[int] = ...) -> None: ...
