import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.featurestore.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DefinitionChangeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEFINITION_CHANGE_KIND_UNSPECIFIED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_ENTITY_CREATED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_ENTITY_UPDATED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_ENTITY_DELETED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_FEATURE_VIEW_CREATED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_FEATURE_VIEW_VERSION_CREATED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_FEATURE_VIEW_METADATA_UPDATED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_FEATURE_VIEW_DELETED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_FEATURE_SERVICE_CREATED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_FEATURE_SERVICE_UPDATED: _ClassVar[DefinitionChangeKind]
    DEFINITION_CHANGE_KIND_FEATURE_SERVICE_DELETED: _ClassVar[DefinitionChangeKind]
DEFINITION_CHANGE_KIND_UNSPECIFIED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_ENTITY_CREATED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_ENTITY_UPDATED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_ENTITY_DELETED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_FEATURE_VIEW_CREATED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_FEATURE_VIEW_VERSION_CREATED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_FEATURE_VIEW_METADATA_UPDATED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_FEATURE_VIEW_DELETED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_FEATURE_SERVICE_CREATED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_FEATURE_SERVICE_UPDATED: DefinitionChangeKind
DEFINITION_CHANGE_KIND_FEATURE_SERVICE_DELETED: DefinitionChangeKind

class EntityChange(_message.Message):
    __slots__ = ("entity", "owner_team", "field_changes", "definition")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    FIELD_CHANGES_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    entity: str
    owner_team: str
    field_changes: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FieldChange]
    definition: _resources_pb2.Entity
    def __init__(self, entity: _Optional[str] = ..., owner_team: _Optional[str] = ..., field_changes: _Optional[_Iterable[_Union[_resources_pb2.FieldChange, _Mapping]]] = ..., definition: _Optional[_Union[_resources_pb2.Entity, _Mapping]] = ...) -> None: ...

class FeatureViewChange(_message.Message):
    __slots__ = ("feature_view", "owner_team", "old_version", "new_version", "old_fingerprint", "new_fingerprint", "compatibility", "field_changes", "definition")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    OLD_VERSION_FIELD_NUMBER: _ClassVar[int]
    NEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    OLD_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    NEW_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    COMPATIBILITY_FIELD_NUMBER: _ClassVar[int]
    FIELD_CHANGES_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    owner_team: str
    old_version: int
    new_version: int
    old_fingerprint: str
    new_fingerprint: str
    compatibility: _resources_pb2.Compatibility
    field_changes: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FieldChange]
    definition: _resources_pb2.FeatureView
    def __init__(self, feature_view: _Optional[str] = ..., owner_team: _Optional[str] = ..., old_version: _Optional[int] = ..., new_version: _Optional[int] = ..., old_fingerprint: _Optional[str] = ..., new_fingerprint: _Optional[str] = ..., compatibility: _Optional[_Union[_resources_pb2.Compatibility, str]] = ..., field_changes: _Optional[_Iterable[_Union[_resources_pb2.FieldChange, _Mapping]]] = ..., definition: _Optional[_Union[_resources_pb2.FeatureView, _Mapping]] = ...) -> None: ...

class FeatureServiceChange(_message.Message):
    __slots__ = ("feature_service", "owner_team", "field_changes", "definition")
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    FIELD_CHANGES_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    feature_service: str
    owner_team: str
    field_changes: _containers.RepeatedCompositeFieldContainer[_resources_pb2.FieldChange]
    definition: _resources_pb2.FeatureService
    def __init__(self, feature_service: _Optional[str] = ..., owner_team: _Optional[str] = ..., field_changes: _Optional[_Iterable[_Union[_resources_pb2.FieldChange, _Mapping]]] = ..., definition: _Optional[_Union[_resources_pb2.FeatureService, _Mapping]] = ...) -> None: ...

class DefinitionChangeEvent(_message.Message):
    __slots__ = ("revision", "event_time", "kind", "principal", "apply_id", "change_note", "entity_change", "feature_view_change", "feature_service_change")
    REVISION_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    APPLY_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGE_NOTE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_CHANGE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_VIEW_CHANGE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    revision: int
    event_time: _timestamp_pb2.Timestamp
    kind: DefinitionChangeKind
    principal: str
    apply_id: str
    change_note: str
    entity_change: EntityChange
    feature_view_change: FeatureViewChange
    feature_service_change: FeatureServiceChange
    def __init__(self, revision: _Optional[int] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[_Union[DefinitionChangeKind, str]] = ..., principal: _Optional[str] = ..., apply_id: _Optional[str] = ..., change_note: _Optional[str] = ..., entity_change: _Optional[_Union[EntityChange, _Mapping]] = ..., feature_view_change: _Optional[_Union[FeatureViewChange, _Mapping]] = ..., feature_service_change: _Optional[_Union[FeatureServiceChange, _Mapping]] = ...) -> None: ...
