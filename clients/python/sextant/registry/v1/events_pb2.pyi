import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.registry.v1 import resources_pb2 as _resources_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from sextant.type.v1 import model_pb2 as _model_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegistryEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGISTRY_EVENT_KIND_UNSPECIFIED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_MODEL_CREATED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_MODEL_DELETED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_VERSION_CREATED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_VERSION_READY: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_VERSION_FAILED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_ALIAS_MOVED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_ALIAS_DELETED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_VERSION_MARKED_STALE: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_VERSION_STALE_CLEARED: _ClassVar[RegistryEventKind]
    REGISTRY_EVENT_KIND_VERSION_VALIDATING: _ClassVar[RegistryEventKind]
REGISTRY_EVENT_KIND_UNSPECIFIED: RegistryEventKind
REGISTRY_EVENT_KIND_MODEL_CREATED: RegistryEventKind
REGISTRY_EVENT_KIND_MODEL_DELETED: RegistryEventKind
REGISTRY_EVENT_KIND_VERSION_CREATED: RegistryEventKind
REGISTRY_EVENT_KIND_VERSION_READY: RegistryEventKind
REGISTRY_EVENT_KIND_VERSION_FAILED: RegistryEventKind
REGISTRY_EVENT_KIND_ALIAS_MOVED: RegistryEventKind
REGISTRY_EVENT_KIND_ALIAS_DELETED: RegistryEventKind
REGISTRY_EVENT_KIND_VERSION_MARKED_STALE: RegistryEventKind
REGISTRY_EVENT_KIND_VERSION_STALE_CLEARED: RegistryEventKind
REGISTRY_EVENT_KIND_VERSION_VALIDATING: RegistryEventKind

class RegistryEvent(_message.Message):
    __slots__ = ("revision", "event_time", "kind", "model_name", "version", "principal", "request_id", "model_created", "model_deleted", "version_created", "version_ready", "version_failed", "alias_moved", "alias_deleted", "version_marked_stale", "version_stale_cleared", "version_validating")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_CREATED_FIELD_NUMBER: _ClassVar[int]
    MODEL_DELETED_FIELD_NUMBER: _ClassVar[int]
    VERSION_CREATED_FIELD_NUMBER: _ClassVar[int]
    VERSION_READY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FAILED_FIELD_NUMBER: _ClassVar[int]
    ALIAS_MOVED_FIELD_NUMBER: _ClassVar[int]
    ALIAS_DELETED_FIELD_NUMBER: _ClassVar[int]
    VERSION_MARKED_STALE_FIELD_NUMBER: _ClassVar[int]
    VERSION_STALE_CLEARED_FIELD_NUMBER: _ClassVar[int]
    VERSION_VALIDATING_FIELD_NUMBER: _ClassVar[int]
    revision: int
    event_time: _timestamp_pb2.Timestamp
    kind: RegistryEventKind
    model_name: str
    version: int
    principal: str
    request_id: str
    model_created: ModelCreatedEvent
    model_deleted: ModelDeletedEvent
    version_created: VersionCreatedEvent
    version_ready: VersionReadyEvent
    version_failed: VersionFailedEvent
    alias_moved: AliasMovedEvent
    alias_deleted: AliasDeletedEvent
    version_marked_stale: VersionMarkedStaleEvent
    version_stale_cleared: VersionStaleClearedEvent
    version_validating: VersionValidatingEvent
    def __init__(self, revision: _Optional[int] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[RegistryEventKind, str]] = ..., model_name: _Optional[str] = ..., version: _Optional[int] = ..., principal: _Optional[str] = ..., request_id: _Optional[str] = ..., model_created: _Optional[_Union[ModelCreatedEvent, _Mapping]] = ..., model_deleted: _Optional[_Union[ModelDeletedEvent, _Mapping]] = ..., version_created: _Optional[_Union[VersionCreatedEvent, _Mapping]] = ..., version_ready: _Optional[_Union[VersionReadyEvent, _Mapping]] = ..., version_failed: _Optional[_Union[VersionFailedEvent, _Mapping]] = ..., alias_moved: _Optional[_Union[AliasMovedEvent, _Mapping]] = ..., alias_deleted: _Optional[_Union[AliasDeletedEvent, _Mapping]] = ..., version_marked_stale: _Optional[_Union[VersionMarkedStaleEvent, _Mapping]] = ..., version_stale_cleared: _Optional[_Union[VersionStaleClearedEvent, _Mapping]] = ..., version_validating: _Optional[_Union[VersionValidatingEvent, _Mapping]] = ...) -> None: ...

class ModelCreatedEvent(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: _resources_pb2.RegisteredModel
    def __init__(self, model: _Optional[_Union[_resources_pb2.RegisteredModel, _Mapping]] = ...) -> None: ...

class ModelDeletedEvent(_message.Message):
    __slots__ = ("model", "deleted_version_count")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DELETED_VERSION_COUNT_FIELD_NUMBER: _ClassVar[int]
    model: _resources_pb2.RegisteredModel
    deleted_version_count: int
    def __init__(self, model: _Optional[_Union[_resources_pb2.RegisteredModel, _Mapping]] = ..., deleted_version_count: _Optional[int] = ...) -> None: ...

class VersionCreatedEvent(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _resources_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_resources_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class VersionValidatingEvent(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _resources_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_resources_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class VersionReadyEvent(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _resources_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_resources_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class VersionFailedEvent(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _resources_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_resources_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class AliasMovedEvent(_message.Message):
    __slots__ = ("change", "protected", "verdict", "owner_team")
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    change: _resources_pb2.AliasHistoryEntry
    protected: bool
    verdict: _governance_pb2.PolicyVerdict
    owner_team: str
    def __init__(self, change: _Optional[_Union[_resources_pb2.AliasHistoryEntry, _Mapping]] = ..., protected: _Optional[bool] = ..., verdict: _Optional[_Union[_governance_pb2.PolicyVerdict, str]] = ..., owner_team: _Optional[str] = ...) -> None: ...

class AliasDeletedEvent(_message.Message):
    __slots__ = ("change", "protected", "owner_team")
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    change: _resources_pb2.AliasHistoryEntry
    protected: bool
    owner_team: str
    def __init__(self, change: _Optional[_Union[_resources_pb2.AliasHistoryEntry, _Mapping]] = ..., protected: _Optional[bool] = ..., owner_team: _Optional[str] = ...) -> None: ...

class VersionMarkedStaleEvent(_message.Message):
    __slots__ = ("added_reasons", "all_reasons", "aliases", "owner_team")
    ADDED_REASONS_FIELD_NUMBER: _ClassVar[int]
    ALL_REASONS_FIELD_NUMBER: _ClassVar[int]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    added_reasons: _containers.RepeatedCompositeFieldContainer[_model_pb2.StaleReason]
    all_reasons: _containers.RepeatedCompositeFieldContainer[_model_pb2.StaleReason]
    aliases: _containers.RepeatedScalarFieldContainer[str]
    owner_team: str
    def __init__(self, added_reasons: _Optional[_Iterable[_Union[_model_pb2.StaleReason, _Mapping]]] = ..., all_reasons: _Optional[_Iterable[_Union[_model_pb2.StaleReason, _Mapping]]] = ..., aliases: _Optional[_Iterable[str]] = ..., owner_team: _Optional[str] = ...) -> None: ...

class VersionStaleClearedEvent(_message.Message):
    __slots__ = ("cleared_reasons", "reason", "owner_team")
    CLEARED_REASONS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    cleared_reasons: _containers.RepeatedCompositeFieldContainer[_model_pb2.StaleReason]
    reason: str
    owner_team: str
    def __init__(self, cleared_reasons: _Optional[_Iterable[_Union[_model_pb2.StaleReason, _Mapping]]] = ..., reason: _Optional[str] = ..., owner_team: _Optional[str] = ...) -> None: ...
