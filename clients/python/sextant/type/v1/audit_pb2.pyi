import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuditKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_KIND_UNSPECIFIED: _ClassVar[AuditKind]
    AUDIT_KIND_MUTATION: _ClassVar[AuditKind]
    AUDIT_KIND_SENSITIVE_READ: _ClassVar[AuditKind]
    AUDIT_KIND_EVALUATION: _ClassVar[AuditKind]
AUDIT_KIND_UNSPECIFIED: AuditKind
AUDIT_KIND_MUTATION: AuditKind
AUDIT_KIND_SENSITIVE_READ: AuditKind
AUDIT_KIND_EVALUATION: AuditKind

class AuditResource(_message.Message):
    __slots__ = ("type", "name", "version")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    type: str
    name: str
    version: int
    def __init__(self, type: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class AuditRecord(_message.Message):
    __slots__ = ("sequence", "record_time", "principal", "caller", "peer", "method", "kind", "resources", "status_code", "error_reason", "request_id", "sensitive_features", "row_count", "details")
    class DetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RECORD_TIME_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    PEER_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SENSITIVE_FEATURES_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    record_time: _timestamp_pb2.Timestamp
    principal: str
    caller: str
    peer: str
    method: str
    kind: AuditKind
    resources: _containers.RepeatedCompositeFieldContainer[AuditResource]
    status_code: str
    error_reason: str
    request_id: str
    sensitive_features: _containers.RepeatedCompositeFieldContainer[_types_pb2.FeatureReference]
    row_count: int
    details: _containers.ScalarMap[str, str]
    def __init__(self, sequence: _Optional[int] = ..., record_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., principal: _Optional[str] = ..., caller: _Optional[str] = ..., peer: _Optional[str] = ..., method: _Optional[str] = ..., kind: _Optional[_Union[AuditKind, str]] = ..., resources: _Optional[_Iterable[_Union[AuditResource, _Mapping]]] = ..., status_code: _Optional[str] = ..., error_reason: _Optional[str] = ..., request_id: _Optional[str] = ..., sensitive_features: _Optional[_Iterable[_Union[_types_pb2.FeatureReference, _Mapping]]] = ..., row_count: _Optional[int] = ..., details: _Optional[_Mapping[str, str]] = ...) -> None: ...
