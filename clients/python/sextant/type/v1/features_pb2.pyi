from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeatureValueStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEATURE_VALUE_STATUS_UNSPECIFIED: _ClassVar[FeatureValueStatus]
    FEATURE_VALUE_STATUS_PRESENT: _ClassVar[FeatureValueStatus]
    FEATURE_VALUE_STATUS_NULL: _ClassVar[FeatureValueStatus]
    FEATURE_VALUE_STATUS_NOT_FOUND: _ClassVar[FeatureValueStatus]
    FEATURE_VALUE_STATUS_OUTSIDE_TTL: _ClassVar[FeatureValueStatus]
    FEATURE_VALUE_STATUS_SUPPLIED: _ClassVar[FeatureValueStatus]
    FEATURE_VALUE_STATUS_DEFAULTED: _ClassVar[FeatureValueStatus]
FEATURE_VALUE_STATUS_UNSPECIFIED: FeatureValueStatus
FEATURE_VALUE_STATUS_PRESENT: FeatureValueStatus
FEATURE_VALUE_STATUS_NULL: FeatureValueStatus
FEATURE_VALUE_STATUS_NOT_FOUND: FeatureValueStatus
FEATURE_VALUE_STATUS_OUTSIDE_TTL: FeatureValueStatus
FEATURE_VALUE_STATUS_SUPPLIED: FeatureValueStatus
FEATURE_VALUE_STATUS_DEFAULTED: FeatureValueStatus

class FeatureReferenceList(_message.Message):
    __slots__ = ("references",)
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    references: _containers.RepeatedCompositeFieldContainer[_types_pb2.FeatureReference]
    def __init__(self, references: _Optional[_Iterable[_Union[_types_pb2.FeatureReference, _Mapping]]] = ...) -> None: ...

class FeatureSelection(_message.Message):
    __slots__ = ("references", "feature_service")
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SERVICE_FIELD_NUMBER: _ClassVar[int]
    references: FeatureReferenceList
    feature_service: str
    def __init__(self, references: _Optional[_Union[FeatureReferenceList, _Mapping]] = ..., feature_service: _Optional[str] = ...) -> None: ...
