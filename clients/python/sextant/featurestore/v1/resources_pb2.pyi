import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import governance_pb2 as _governance_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SourceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCE_KIND_UNSPECIFIED: _ClassVar[SourceKind]
    SOURCE_KIND_BATCH: _ClassVar[SourceKind]
    SOURCE_KIND_PUSH: _ClassVar[SourceKind]

class Sensitivity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SENSITIVITY_UNSPECIFIED: _ClassVar[Sensitivity]
    SENSITIVITY_PUBLIC: _ClassVar[Sensitivity]
    SENSITIVITY_INTERNAL: _ClassVar[Sensitivity]
    SENSITIVITY_CONFIDENTIAL: _ClassVar[Sensitivity]
    SENSITIVITY_PII: _ClassVar[Sensitivity]

class DefinitionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEFINITION_KIND_UNSPECIFIED: _ClassVar[DefinitionKind]
    DEFINITION_KIND_ENTITY: _ClassVar[DefinitionKind]
    DEFINITION_KIND_FEATURE_VIEW: _ClassVar[DefinitionKind]
    DEFINITION_KIND_FEATURE_SERVICE: _ClassVar[DefinitionKind]

class ChangeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANGE_TYPE_UNSPECIFIED: _ClassVar[ChangeType]
    CHANGE_TYPE_CREATED: _ClassVar[ChangeType]
    CHANGE_TYPE_CHANGED: _ClassVar[ChangeType]
    CHANGE_TYPE_UNCHANGED: _ClassVar[ChangeType]
    CHANGE_TYPE_DELETED: _ClassVar[ChangeType]

class Compatibility(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPATIBILITY_UNSPECIFIED: _ClassVar[Compatibility]
    COMPATIBILITY_COMPATIBLE: _ClassVar[Compatibility]
    COMPATIBILITY_BREAKING: _ClassVar[Compatibility]
SOURCE_KIND_UNSPECIFIED: SourceKind
SOURCE_KIND_BATCH: SourceKind
SOURCE_KIND_PUSH: SourceKind
SENSITIVITY_UNSPECIFIED: Sensitivity
SENSITIVITY_PUBLIC: Sensitivity
SENSITIVITY_INTERNAL: Sensitivity
SENSITIVITY_CONFIDENTIAL: Sensitivity
SENSITIVITY_PII: Sensitivity
DEFINITION_KIND_UNSPECIFIED: DefinitionKind
DEFINITION_KIND_ENTITY: DefinitionKind
DEFINITION_KIND_FEATURE_VIEW: DefinitionKind
DEFINITION_KIND_FEATURE_SERVICE: DefinitionKind
CHANGE_TYPE_UNSPECIFIED: ChangeType
CHANGE_TYPE_CREATED: ChangeType
CHANGE_TYPE_CHANGED: ChangeType
CHANGE_TYPE_UNCHANGED: ChangeType
CHANGE_TYPE_DELETED: ChangeType
COMPATIBILITY_UNSPECIFIED: Compatibility
COMPATIBILITY_COMPATIBLE: Compatibility
COMPATIBILITY_BREAKING: Compatibility

class JoinKey(_message.Message):
    __slots__ = ("name", "dtype")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    dtype: _types_pb2.DataType
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[_Union[_types_pb2.DataType, str]] = ...) -> None: ...

class Entity(_message.Message):
    __slots__ = ("name", "join_keys", "description", "owner_team", "tags", "create_time", "update_time", "updated_by", "delete_time")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    JOIN_KEYS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    join_keys: _containers.RepeatedCompositeFieldContainer[JoinKey]
    description: str
    owner_team: str
    tags: _containers.ScalarMap[str, str]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    updated_by: str
    delete_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., join_keys: _Optional[_Iterable[_Union[JoinKey, _Mapping]]] = ..., description: _Optional[str] = ..., owner_team: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Feature(_message.Message):
    __slots__ = ("name", "dtype", "description", "tags", "sensitivity", "protected_basis")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SENSITIVITY_FIELD_NUMBER: _ClassVar[int]
    PROTECTED_BASIS_FIELD_NUMBER: _ClassVar[int]
    name: str
    dtype: _types_pb2.DataType
    description: str
    tags: _containers.ScalarMap[str, str]
    sensitivity: Sensitivity
    protected_basis: _governance_pb2.ProtectedBasis
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[_Union[_types_pb2.DataType, str]] = ..., description: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., sensitivity: _Optional[_Union[Sensitivity, str]] = ..., protected_basis: _Optional[_Union[_governance_pb2.ProtectedBasis, str]] = ...) -> None: ...

class FeatureView(_message.Message):
    __slots__ = ("name", "version", "fingerprint", "description", "entities", "features", "ttl", "source_kind", "owner_team", "tags", "event_timestamp_column", "created_timestamp_column", "create_time", "update_time", "created_by", "latest_version", "materialization_watermark", "delete_time")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_KIND_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIMESTAMP_COLUMN_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIMESTAMP_COLUMN_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    LATEST_VERSION_FIELD_NUMBER: _ClassVar[int]
    MATERIALIZATION_WATERMARK_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    fingerprint: str
    description: str
    entities: _containers.RepeatedScalarFieldContainer[str]
    features: _containers.RepeatedCompositeFieldContainer[Feature]
    ttl: _duration_pb2.Duration
    source_kind: SourceKind
    owner_team: str
    tags: _containers.ScalarMap[str, str]
    event_timestamp_column: str
    created_timestamp_column: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    created_by: str
    latest_version: int
    materialization_watermark: _timestamp_pb2.Timestamp
    delete_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ..., fingerprint: _Optional[str] = ..., description: _Optional[str] = ..., entities: _Optional[_Iterable[str]] = ..., features: _Optional[_Iterable[_Union[Feature, _Mapping]]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., source_kind: _Optional[_Union[SourceKind, str]] = ..., owner_team: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., event_timestamp_column: _Optional[str] = ..., created_timestamp_column: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., latest_version: _Optional[int] = ..., materialization_watermark: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FeatureService(_message.Message):
    __slots__ = ("name", "description", "features", "owner_team", "tags", "create_time", "update_time", "updated_by", "delete_time")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    OWNER_TEAM_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    DELETE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    features: _containers.RepeatedCompositeFieldContainer[_types_pb2.FeatureReference]
    owner_team: str
    tags: _containers.ScalarMap[str, str]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    updated_by: str
    delete_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., features: _Optional[_Iterable[_Union[_types_pb2.FeatureReference, _Mapping]]] = ..., owner_team: _Optional[str] = ..., tags: _Optional[_Mapping[str, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ..., delete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ResolvedFeatureView(_message.Message):
    __slots__ = ("feature_view", "version", "fingerprint")
    FEATURE_VIEW_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    feature_view: str
    version: int
    fingerprint: str
    def __init__(self, feature_view: _Optional[str] = ..., version: _Optional[int] = ..., fingerprint: _Optional[str] = ...) -> None: ...

class FieldChange(_message.Message):
    __slots__ = ("path", "old_value", "new_value", "compatibility", "explanation")
    PATH_FIELD_NUMBER: _ClassVar[int]
    OLD_VALUE_FIELD_NUMBER: _ClassVar[int]
    NEW_VALUE_FIELD_NUMBER: _ClassVar[int]
    COMPATIBILITY_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    path: str
    old_value: str
    new_value: str
    compatibility: Compatibility
    explanation: str
    def __init__(self, path: _Optional[str] = ..., old_value: _Optional[str] = ..., new_value: _Optional[str] = ..., compatibility: _Optional[_Union[Compatibility, str]] = ..., explanation: _Optional[str] = ...) -> None: ...

class PlanItem(_message.Message):
    __slots__ = ("kind", "name", "change_type", "compatibility", "creates_version", "current_version", "new_version", "current_fingerprint", "new_fingerprint", "field_changes")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TYPE_FIELD_NUMBER: _ClassVar[int]
    COMPATIBILITY_FIELD_NUMBER: _ClassVar[int]
    CREATES_VERSION_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    NEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    NEW_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    FIELD_CHANGES_FIELD_NUMBER: _ClassVar[int]
    kind: DefinitionKind
    name: str
    change_type: ChangeType
    compatibility: Compatibility
    creates_version: bool
    current_version: int
    new_version: int
    current_fingerprint: str
    new_fingerprint: str
    field_changes: _containers.RepeatedCompositeFieldContainer[FieldChange]
    def __init__(self, kind: _Optional[_Union[DefinitionKind, str]] = ..., name: _Optional[str] = ..., change_type: _Optional[_Union[ChangeType, str]] = ..., compatibility: _Optional[_Union[Compatibility, str]] = ..., creates_version: _Optional[bool] = ..., current_version: _Optional[int] = ..., new_version: _Optional[int] = ..., current_fingerprint: _Optional[str] = ..., new_fingerprint: _Optional[str] = ..., field_changes: _Optional[_Iterable[_Union[FieldChange, _Mapping]]] = ...) -> None: ...

class ApplyPlan(_message.Message):
    __slots__ = ("items", "digest", "created_count", "changed_count", "unchanged_count", "deleted_count", "breaking_count")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    CREATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    BREAKING_COUNT_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[PlanItem]
    digest: str
    created_count: int
    changed_count: int
    unchanged_count: int
    deleted_count: int
    breaking_count: int
    def __init__(self, items: _Optional[_Iterable[_Union[PlanItem, _Mapping]]] = ..., digest: _Optional[str] = ..., created_count: _Optional[int] = ..., changed_count: _Optional[int] = ..., unchanged_count: _Optional[int] = ..., deleted_count: _Optional[int] = ..., breaking_count: _Optional[int] = ...) -> None: ...
