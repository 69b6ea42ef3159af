from sextant.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TabularData(_message.Message):
    __slots__ = ("columns", "arrow")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ARROW_FIELD_NUMBER: _ClassVar[int]
    columns: ColumnBatch
    arrow: _types_pb2.ArrowTable
    def __init__(self, columns: _Optional[_Union[ColumnBatch, _Mapping]] = ..., arrow: _Optional[_Union[_types_pb2.ArrowTable, _Mapping]] = ...) -> None: ...

class ColumnBatch(_message.Message):
    __slots__ = ("row_count", "columns")
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    row_count: int
    columns: _containers.RepeatedCompositeFieldContainer[Column]
    def __init__(self, row_count: _Optional[int] = ..., columns: _Optional[_Iterable[_Union[Column, _Mapping]]] = ...) -> None: ...

class Column(_message.Message):
    __slots__ = ("name", "dtype", "element_shape", "bool_values", "int64_values", "float_values", "double_values", "string_values", "bytes_values", "timestamp_values", "null_rows")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_SHAPE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUES_FIELD_NUMBER: _ClassVar[int]
    INT64_VALUES_FIELD_NUMBER: _ClassVar[int]
    FLOAT_VALUES_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUES_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUES_FIELD_NUMBER: _ClassVar[int]
    BYTES_VALUES_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUES_FIELD_NUMBER: _ClassVar[int]
    NULL_ROWS_FIELD_NUMBER: _ClassVar[int]
    name: str
    dtype: _types_pb2.DataType
    element_shape: _containers.RepeatedScalarFieldContainer[int]
    bool_values: BoolArray
    int64_values: Int64Array
    float_values: FloatArray
    double_values: DoubleArray
    string_values: StringArray
    bytes_values: BytesArray
    timestamp_values: TimestampArray
    null_rows: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[_Union[_types_pb2.DataType, str]] = ..., element_shape: _Optional[_Iterable[int]] = ..., bool_values: _Optional[_Union[BoolArray, _Mapping]] = ..., int64_values: _Optional[_Union[Int64Array, _Mapping]] = ..., float_values: _Optional[_Union[FloatArray, _Mapping]] = ..., double_values: _Optional[_Union[DoubleArray, _Mapping]] = ..., string_values: _Optional[_Union[StringArray, _Mapping]] = ..., bytes_values: _Optional[_Union[BytesArray, _Mapping]] = ..., timestamp_values: _Optional[_Union[TimestampArray, _Mapping]] = ..., null_rows: _Optional[_Iterable[int]] = ...) -> None: ...

class BoolArray(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[bool]
    def __init__(self, values: _Optional[_Iterable[bool]] = ...) -> None: ...

class Int64Array(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, values: _Optional[_Iterable[int]] = ...) -> None: ...

class FloatArray(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, values: _Optional[_Iterable[float]] = ...) -> None: ...

class DoubleArray(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, values: _Optional[_Iterable[float]] = ...) -> None: ...

class StringArray(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, values: _Optional[_Iterable[str]] = ...) -> None: ...

class BytesArray(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, values: _Optional[_Iterable[bytes]] = ...) -> None: ...

class TimestampArray(_message.Message):
    __slots__ = ("unix_micros",)
    UNIX_MICROS_FIELD_NUMBER: _ClassVar[int]
    unix_micros: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, unix_micros: _Optional[_Iterable[int]] = ...) -> None: ...
