import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.serving.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import audit_pb2 as _audit_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from sextant.type.v1 import tabular_pb2 as _tabular_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OutputFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTPUT_FORMAT_UNSPECIFIED: _ClassVar[OutputFormat]
    OUTPUT_FORMAT_COLUMNS: _ClassVar[OutputFormat]
    OUTPUT_FORMAT_ARROW: _ClassVar[OutputFormat]
OUTPUT_FORMAT_UNSPECIFIED: OutputFormat
OUTPUT_FORMAT_COLUMNS: OutputFormat
OUTPUT_FORMAT_ARROW: OutputFormat

class CreateDeploymentRequest(_message.Message):
    __slots__ = ("deployment", "validate_only")
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    deployment: _resources_pb2.Deployment
    validate_only: bool
    def __init__(self, deployment: _Optional[_Union[_resources_pb2.Deployment, _Mapping]] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class CreateDeploymentResponse(_message.Message):
    __slots__ = ("deployment", "policy_warnings")
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    POLICY_WARNINGS_FIELD_NUMBER: _ClassVar[int]
    deployment: _resources_pb2.Deployment
    policy_warnings: _containers.RepeatedCompositeFieldContainer[_governance_pb2.PolicyViolation]
    def __init__(self, deployment: _Optional[_Union[_resources_pb2.Deployment, _Mapping]] = ..., policy_warnings: _Optional[_Iterable[_Union[_governance_pb2.PolicyViolation, _Mapping]]] = ...) -> None: ...

class GetDeploymentRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetDeploymentResponse(_message.Message):
    __slots__ = ("deployment",)
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    deployment: _resources_pb2.Deployment
    def __init__(self, deployment: _Optional[_Union[_resources_pb2.Deployment, _Mapping]] = ...) -> None: ...

class ListDeploymentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "model_name", "state", "owner_team", "order_by")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    model_name: str
    state: _resources_pb2.DeploymentState
    owner_team: str
    order_by: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., model_name: _Optional[str] = ..., state: _Optional[_Union[_resources_pb2.DeploymentState, str]] = ..., owner_team: _Optional[str] = ..., order_by: _Optional[str] = ...) -> None: ...

class ListDeploymentsResponse(_message.Message):
    __slots__ = ("deployments", "next_page_token")
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    deployments: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Deployment]
    next_page_token: str
    def __init__(self, deployments: _Optional[_Iterable[_Union[_resources_pb2.Deployment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateDeploymentRequest(_message.Message):
    __slots__ = ("deployment", "update_mask", "validate_only")
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_ONLY_FIELD_NUMBER: _ClassVar[int]
    deployment: _resources_pb2.Deployment
    update_mask: _field_mask_pb2.FieldMask
    validate_only: bool
    def __init__(self, deployment: _Optional[_Union[_resources_pb2.Deployment, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., validate_only: _Optional[bool] = ...) -> None: ...

class UpdateDeploymentResponse(_message.Message):
    __slots__ = ("deployment", "policy_warnings")
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    POLICY_WARNINGS_FIELD_NUMBER: _ClassVar[int]
    deployment: _resources_pb2.Deployment
    policy_warnings: _containers.RepeatedCompositeFieldContainer[_governance_pb2.PolicyViolation]
    def __init__(self, deployment: _Optional[_Union[_resources_pb2.Deployment, _Mapping]] = ..., policy_warnings: _Optional[_Iterable[_Union[_governance_pb2.PolicyViolation, _Mapping]]] = ...) -> None: ...

class DeleteDeploymentRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteDeploymentResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PredictRequest(_message.Message):
    __slots__ = ("request_id", "deployment", "model_name", "alias", "model_version", "feature_values", "entity_keys", "routing_key", "return_features", "output_names", "output_format")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VALUES_FIELD_NUMBER: _ClassVar[int]
    ENTITY_KEYS_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    RETURN_FEATURES_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    deployment: str
    model_name: str
    alias: str
    model_version: int
    feature_values: _tabular_pb2.TabularData
    entity_keys: EntityKeys
    routing_key: str
    return_features: bool
    output_names: _containers.RepeatedScalarFieldContainer[str]
    output_format: OutputFormat
    def __init__(self, request_id: _Optional[str] = ..., deployment: _Optional[str] = ..., model_name: _Optional[str] = ..., alias: _Optional[str] = ..., model_version: _Optional[int] = ..., feature_values: _Optional[_Union[_tabular_pb2.TabularData, _Mapping]] = ..., entity_keys: _Optional[_Union[EntityKeys, _Mapping]] = ..., routing_key: _Optional[str] = ..., return_features: _Optional[bool] = ..., output_names: _Optional[_Iterable[str]] = ..., output_format: _Optional[_Union[OutputFormat, str]] = ...) -> None: ...

class EntityKeys(_message.Message):
    __slots__ = ("keys", "supplied_values")
    KEYS_FIELD_NUMBER: _ClassVar[int]
    SUPPLIED_VALUES_FIELD_NUMBER: _ClassVar[int]
    keys: _tabular_pb2.ColumnBatch
    supplied_values: _tabular_pb2.ColumnBatch
    def __init__(self, keys: _Optional[_Union[_tabular_pb2.ColumnBatch, _Mapping]] = ..., supplied_values: _Optional[_Union[_tabular_pb2.ColumnBatch, _Mapping]] = ...) -> None: ...

class PredictResponse(_message.Message):
    __slots__ = ("request_id", "deployment", "model_name", "model_version", "alias", "route", "outputs", "class_labels", "row_routing", "features")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    CLASS_LABELS_FIELD_NUMBER: _ClassVar[int]
    ROW_ROUTING_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    deployment: str
    model_name: str
    model_version: int
    alias: str
    route: _model_pb2.PredictionRoute
    outputs: _tabular_pb2.TabularData
    class_labels: _containers.RepeatedScalarFieldContainer[str]
    row_routing: _resources_pb2.RowRouting
    features: _resources_pb2.FeaturesUsed
    def __init__(self, request_id: _Optional[str] = ..., deployment: _Optional[str] = ..., model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., alias: _Optional[str] = ..., route: _Optional[_Union[_model_pb2.PredictionRoute, str]] = ..., outputs: _Optional[_Union[_tabular_pb2.TabularData, _Mapping]] = ..., class_labels: _Optional[_Iterable[str]] = ..., row_routing: _Optional[_Union[_resources_pb2.RowRouting, _Mapping]] = ..., features: _Optional[_Union[_resources_pb2.FeaturesUsed, _Mapping]] = ...) -> None: ...

class PredictStreamRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: PredictRequest
    def __init__(self, request: _Optional[_Union[PredictRequest, _Mapping]] = ...) -> None: ...

class PredictStreamResponse(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: PredictResponse
    error: StreamError
    def __init__(self, response: _Optional[_Union[PredictResponse, _Mapping]] = ..., error: _Optional[_Union[StreamError, _Mapping]] = ...) -> None: ...

class StreamError(_message.Message):
    __slots__ = ("request_id", "code", "reason", "message", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    code: int
    reason: str
    message: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, request_id: _Optional[str] = ..., code: _Optional[int] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetServingStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetServingStatusResponse(_message.Message):
    __slots__ = ("replica_id", "server_version", "start_time", "ready", "authentication_enabled", "in_flight_requests", "loaded_model_count", "memory_used_bytes", "memory_budget_bytes", "deployments", "dependencies", "registry_event_revision", "prediction_log")
    REPLICA_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_VERSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_ENABLED_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    LOADED_MODEL_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USED_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BUDGET_BYTES_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_EVENT_REVISION_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_LOG_FIELD_NUMBER: _ClassVar[int]
    replica_id: str
    server_version: str
    start_time: _timestamp_pb2.Timestamp
    ready: bool
    authentication_enabled: bool
    in_flight_requests: int
    loaded_model_count: int
    memory_used_bytes: int
    memory_budget_bytes: int
    deployments: _containers.RepeatedCompositeFieldContainer[_resources_pb2.DeploymentStatus]
    dependencies: _containers.RepeatedCompositeFieldContainer[_resources_pb2.DependencyStatus]
    registry_event_revision: int
    prediction_log: _resources_pb2.PredictionLogStats
    def __init__(self, replica_id: _Optional[str] = ..., server_version: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ready: _Optional[bool] = ..., authentication_enabled: _Optional[bool] = ..., in_flight_requests: _Optional[int] = ..., loaded_model_count: _Optional[int] = ..., memory_used_bytes: _Optional[int] = ..., memory_budget_bytes: _Optional[int] = ..., deployments: _Optional[_Iterable[_Union[_resources_pb2.DeploymentStatus, _Mapping]]] = ..., dependencies: _Optional[_Iterable[_Union[_resources_pb2.DependencyStatus, _Mapping]]] = ..., registry_event_revision: _Optional[int] = ..., prediction_log: _Optional[_Union[_resources_pb2.PredictionLogStats, _Mapping]] = ...) -> None: ...

class ListLoadedModelsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "model_name", "deployment")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    model_name: str
    deployment: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., model_name: _Optional[str] = ..., deployment: _Optional[str] = ...) -> None: ...

class ListLoadedModelsResponse(_message.Message):
    __slots__ = ("loaded_models", "next_page_token")
    LOADED_MODELS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    loaded_models: _containers.RepeatedCompositeFieldContainer[_resources_pb2.LoadedModel]
    next_page_token: str
    def __init__(self, loaded_models: _Optional[_Iterable[_Union[_resources_pb2.LoadedModel, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

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
