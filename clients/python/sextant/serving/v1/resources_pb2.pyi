import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import features_pb2 as _features_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from sextant.type.v1 import tabular_pb2 as _tabular_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CanarySplitKey(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANARY_SPLIT_KEY_UNSPECIFIED: _ClassVar[CanarySplitKey]
    CANARY_SPLIT_KEY_REQUEST_ID: _ClassVar[CanarySplitKey]
    CANARY_SPLIT_KEY_ENTITY_KEY: _ClassVar[CanarySplitKey]

class MissingFeaturePolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MISSING_FEATURE_POLICY_UNSPECIFIED: _ClassVar[MissingFeaturePolicy]
    MISSING_FEATURE_POLICY_REJECT: _ClassVar[MissingFeaturePolicy]
    MISSING_FEATURE_POLICY_USE_DEFAULT: _ClassVar[MissingFeaturePolicy]

class DeploymentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEPLOYMENT_STATE_UNSPECIFIED: _ClassVar[DeploymentState]
    DEPLOYMENT_STATE_PENDING: _ClassVar[DeploymentState]
    DEPLOYMENT_STATE_LOADING: _ClassVar[DeploymentState]
    DEPLOYMENT_STATE_READY: _ClassVar[DeploymentState]
    DEPLOYMENT_STATE_DEGRADED: _ClassVar[DeploymentState]
    DEPLOYMENT_STATE_FAILED: _ClassVar[DeploymentState]

class LoadState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOAD_STATE_UNSPECIFIED: _ClassVar[LoadState]
    LOAD_STATE_DOWNLOADING: _ClassVar[LoadState]
    LOAD_STATE_LOADING: _ClassVar[LoadState]
    LOAD_STATE_WARMING: _ClassVar[LoadState]
    LOAD_STATE_READY: _ClassVar[LoadState]
    LOAD_STATE_FAILED: _ClassVar[LoadState]
    LOAD_STATE_UNLOADING: _ClassVar[LoadState]
CANARY_SPLIT_KEY_UNSPECIFIED: CanarySplitKey
CANARY_SPLIT_KEY_REQUEST_ID: CanarySplitKey
CANARY_SPLIT_KEY_ENTITY_KEY: CanarySplitKey
MISSING_FEATURE_POLICY_UNSPECIFIED: MissingFeaturePolicy
MISSING_FEATURE_POLICY_REJECT: MissingFeaturePolicy
MISSING_FEATURE_POLICY_USE_DEFAULT: MissingFeaturePolicy
DEPLOYMENT_STATE_UNSPECIFIED: DeploymentState
DEPLOYMENT_STATE_PENDING: DeploymentState
DEPLOYMENT_STATE_LOADING: DeploymentState
DEPLOYMENT_STATE_READY: DeploymentState
DEPLOYMENT_STATE_DEGRADED: DeploymentState
DEPLOYMENT_STATE_FAILED: DeploymentState
LOAD_STATE_UNSPECIFIED: LoadState
LOAD_STATE_DOWNLOADING: LoadState
LOAD_STATE_LOADING: LoadState
LOAD_STATE_WARMING: LoadState
LOAD_STATE_READY: LoadState
LOAD_STATE_FAILED: LoadState
LOAD_STATE_UNLOADING: LoadState

class Deployment(_message.Message):
    __slots__ = ("name", "description", "model_name", "alias", "canary", "shadow", "missing_feature_policy", "default_values", "micro_batching", "owner_team", "labels", "policy_decision_id", "state", "state_message", "served_versions", "etag", "create_time", "update_time", "creator", "updated_by")
    class DefaultValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _types_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_types_pb2.Value, _Mapping]] = ...) -> None: ...
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
    CANARY_FIELD_NUMBER: _ClassVar[int]
    SHADOW_FIELD_NUMBER: _ClassVar[int]
    MISSING_FEATURE_POLICY_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUES_FIELD_NUMBER: _ClassVar[int]
    MICRO_BATCHING_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    POLICY_DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SERVED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    model_name: str
    alias: str
    canary: CanaryConfig
    shadow: ShadowConfig
    missing_feature_policy: MissingFeaturePolicy
    default_values: _containers.MessageMap[str, _types_pb2.Value]
    micro_batching: MicroBatchingConfig
    owner_team: str
    labels: _containers.ScalarMap[str, str]
    policy_decision_id: str
    state: DeploymentState
    state_message: str
    served_versions: _containers.RepeatedCompositeFieldContainer[ServedVersion]
    etag: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    creator: str
    updated_by: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., model_name: _Optional[str] = ..., alias: _Optional[str] = ..., canary: _Optional[_Union[CanaryConfig, _Mapping]] = ..., shadow: _Optional[_Union[ShadowConfig, _Mapping]] = ..., missing_feature_policy: _Optional[_Union[MissingFeaturePolicy, str]] = ..., default_values: _Optional[_Mapping[str, _types_pb2.Value]] = ..., micro_batching: _Optional[_Union[MicroBatchingConfig, _Mapping]] = ..., owner_team: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., policy_decision_id: _Optional[str] = ..., state: _Optional[_Union[DeploymentState, str]] = ..., state_message: _Optional[str] = ..., served_versions: _Optional[_Iterable[_Union[ServedVersion, _Mapping]]] = ..., etag: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., creator: _Optional[str] = ..., updated_by: _Optional[str] = ...) -> None: ...

class CanaryConfig(_message.Message):
    __slots__ = ("alias", "traffic_percent", "split_key")
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_PERCENT_FIELD_NUMBER: _ClassVar[int]
    SPLIT_KEY_FIELD_NUMBER: _ClassVar[int]
    alias: str
    traffic_percent: int
    split_key: CanarySplitKey
    def __init__(self, alias: _Optional[str] = ..., traffic_percent: _Optional[int] = ..., split_key: _Optional[_Union[CanarySplitKey, str]] = ...) -> None: ...

class ShadowConfig(_message.Message):
    __slots__ = ("alias",)
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: str
    def __init__(self, alias: _Optional[str] = ...) -> None: ...

class MicroBatchingConfig(_message.Message):
    __slots__ = ("enabled", "max_batch_size", "max_queue_delay_us")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUE_DELAY_US_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    max_batch_size: int
    max_queue_delay_us: int
    def __init__(self, enabled: _Optional[bool] = ..., max_batch_size: _Optional[int] = ..., max_queue_delay_us: _Optional[int] = ...) -> None: ...

class ServedVersion(_message.Message):
    __slots__ = ("role", "alias", "model_version", "state", "message", "ready_time", "pending_version", "pending_state")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    READY_TIME_FIELD_NUMBER: _ClassVar[int]
    PENDING_VERSION_FIELD_NUMBER: _ClassVar[int]
    PENDING_STATE_FIELD_NUMBER: _ClassVar[int]
    role: _model_pb2.DeploymentRole
    alias: str
    model_version: int
    state: LoadState
    message: str
    ready_time: _timestamp_pb2.Timestamp
    pending_version: int
    pending_state: LoadState
    def __init__(self, role: _Optional[_Union[_model_pb2.DeploymentRole, str]] = ..., alias: _Optional[str] = ..., model_version: _Optional[int] = ..., state: _Optional[_Union[LoadState, str]] = ..., message: _Optional[str] = ..., ready_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pending_version: _Optional[int] = ..., pending_state: _Optional[_Union[LoadState, str]] = ...) -> None: ...

class DeploymentBinding(_message.Message):
    __slots__ = ("deployment", "role")
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    deployment: str
    role: _model_pb2.DeploymentRole
    def __init__(self, deployment: _Optional[str] = ..., role: _Optional[_Union[_model_pb2.DeploymentRole, str]] = ...) -> None: ...

class LoadedModel(_message.Message):
    __slots__ = ("model_name", "model_version", "state", "message", "aliases", "bindings", "memory_bytes", "artifact_sha256", "signature", "from_disk_cache", "evictable", "load_time", "last_used_time", "inference_count", "execution_count")
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    BINDINGS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    FROM_DISK_CACHE_FIELD_NUMBER: _ClassVar[int]
    EVICTABLE_FIELD_NUMBER: _ClassVar[int]
    LOAD_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_TIME_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    model_name: str
    model_version: int
    state: LoadState
    message: str
    aliases: _containers.RepeatedScalarFieldContainer[str]
    bindings: _containers.RepeatedCompositeFieldContainer[DeploymentBinding]
    memory_bytes: int
    artifact_sha256: str
    signature: _types_pb2.ModelSignature
    from_disk_cache: bool
    evictable: bool
    load_time: _timestamp_pb2.Timestamp
    last_used_time: _timestamp_pb2.Timestamp
    inference_count: int
    execution_count: int
    def __init__(self, model_name: _Optional[str] = ..., model_version: _Optional[int] = ..., state: _Optional[_Union[LoadState, str]] = ..., message: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., bindings: _Optional[_Iterable[_Union[DeploymentBinding, _Mapping]]] = ..., memory_bytes: _Optional[int] = ..., artifact_sha256: _Optional[str] = ..., signature: _Optional[_Union[_types_pb2.ModelSignature, _Mapping]] = ..., from_disk_cache: _Optional[bool] = ..., evictable: _Optional[bool] = ..., load_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., inference_count: _Optional[int] = ..., execution_count: _Optional[int] = ...) -> None: ...

class FeatureProvenance(_message.Message):
    __slots__ = ("input_name", "feature", "statuses", "event_time_micros")
    INPUT_NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_MICROS_FIELD_NUMBER: _ClassVar[int]
    input_name: str
    feature: _types_pb2.ResolvedFeature
    statuses: _containers.RepeatedScalarFieldContainer[_features_pb2.FeatureValueStatus]
    event_time_micros: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, input_name: _Optional[str] = ..., feature: _Optional[_Union[_types_pb2.ResolvedFeature, _Mapping]] = ..., statuses: _Optional[_Iterable[_Union[_features_pb2.FeatureValueStatus, str]]] = ..., event_time_micros: _Optional[_Iterable[int]] = ...) -> None: ...

class FeaturesUsed(_message.Message):
    __slots__ = ("values", "provenance")
    VALUES_FIELD_NUMBER: _ClassVar[int]
    PROVENANCE_FIELD_NUMBER: _ClassVar[int]
    values: _tabular_pb2.TabularData
    provenance: _containers.RepeatedCompositeFieldContainer[FeatureProvenance]
    def __init__(self, values: _Optional[_Union[_tabular_pb2.TabularData, _Mapping]] = ..., provenance: _Optional[_Iterable[_Union[FeatureProvenance, _Mapping]]] = ...) -> None: ...

class RowRouting(_message.Message):
    __slots__ = ("routes", "model_versions")
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    routes: _containers.RepeatedScalarFieldContainer[_model_pb2.PredictionRoute]
    model_versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, routes: _Optional[_Iterable[_Union[_model_pb2.PredictionRoute, str]]] = ..., model_versions: _Optional[_Iterable[int]] = ...) -> None: ...

class DependencyStatus(_message.Message):
    __slots__ = ("service", "target", "reachable", "last_success_time", "message")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    REACHABLE_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESS_TIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    service: str
    target: str
    reachable: bool
    last_success_time: _timestamp_pb2.Timestamp
    message: str
    def __init__(self, service: _Optional[str] = ..., target: _Optional[str] = ..., reachable: _Optional[bool] = ..., last_success_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., message: _Optional[str] = ...) -> None: ...

class PredictionLogStats(_message.Message):
    __slots__ = ("queued", "shipped", "spilled", "dropped", "journal_bytes", "journal_budget_bytes", "last_shipped_time")
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_FIELD_NUMBER: _ClassVar[int]
    SPILLED_FIELD_NUMBER: _ClassVar[int]
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_BUDGET_BYTES_FIELD_NUMBER: _ClassVar[int]
    LAST_SHIPPED_TIME_FIELD_NUMBER: _ClassVar[int]
    queued: int
    shipped: int
    spilled: int
    dropped: int
    journal_bytes: int
    journal_budget_bytes: int
    last_shipped_time: _timestamp_pb2.Timestamp
    def __init__(self, queued: _Optional[int] = ..., shipped: _Optional[int] = ..., spilled: _Optional[int] = ..., dropped: _Optional[int] = ..., journal_bytes: _Optional[int] = ..., journal_budget_bytes: _Optional[int] = ..., last_shipped_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeploymentStatus(_message.Message):
    __slots__ = ("name", "model_name", "state", "state_message", "served_versions")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SERVED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    model_name: str
    state: DeploymentState
    state_message: str
    served_versions: _containers.RepeatedCompositeFieldContainer[ServedVersion]
    def __init__(self, name: _Optional[str] = ..., model_name: _Optional[str] = ..., state: _Optional[_Union[DeploymentState, str]] = ..., state_message: _Optional[str] = ..., served_versions: _Optional[_Iterable[_Union[ServedVersion, _Mapping]]] = ...) -> None: ...
