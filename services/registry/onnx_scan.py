"""A cheap structural look at an ONNX file: its graph's inputs and outputs, without parsing the rest.

``onnx.load`` parses the whole ModelProto, which copies every initializer into Python memory (about
80 ms for 100 MB). The upload only needs the graph's declared inputs and outputs to refuse an
artifact that cannot match the version's signature, so this module walks the protobuf wire format of
a memory-mapped file itself: at the top level it descends into the graph (ModelProto field 7); in the
graph it decodes the inputs (field 11) and outputs (field 12) with ``onnx.ValueInfoProto`` and reads
only the name (TensorProto field 8) of each initializer (field 5), whose data it skips by length. A
100 MB model costs a few thousand tag reads, not a copy.

Wire format (protobuf encoding spec): every field is a varint key ``field_number << 3 | wire_type``
followed by a varint (type 0), 8 bytes (type 1), a varint length and that many bytes (type 2) or 4
bytes (type 5); types 3 and 4 (groups) and 6, 7 do not occur in ONNX and are refused.

The graph inputs that name an initializer are not inputs a caller feeds (onnxruntime leaves them out
of ``get_inputs`` too), so they are dropped; what remains is compared with the signature by
``onnx_check.compare_io``, the same comparison the full onnxruntime validation makes.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.message import DecodeError
from onnx import TensorProto, ValueInfoProto  # imported up front: the first upload must not pay for it

_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5

# ModelProto fields whose wire type is known: ir_version, producer_name, producer_version, domain,
# model_version, doc_string, graph, opset_import, metadata_props, training_info, functions.
_MODEL_WIRE_TYPES = {1: _VARINT, 2: _LENGTH, 3: _LENGTH, 4: _LENGTH, 5: _VARINT, 6: _LENGTH, 7: _LENGTH,
                     8: _LENGTH, 14: _LENGTH, 20: _LENGTH, 25: _LENGTH}
_MODEL_GRAPH = 7
# GraphProto fields: node, name, initializer, doc_string, input, output, value_info, sparse_initializer.
_GRAPH_WIRE_TYPES = {1: _LENGTH, 2: _LENGTH, 5: _LENGTH, 10: _LENGTH, 11: _LENGTH, 12: _LENGTH, 13: _LENGTH,
                     14: _LENGTH, 15: _LENGTH}
_GRAPH_INITIALIZER, _GRAPH_INPUT, _GRAPH_OUTPUT, _GRAPH_SPARSE_INITIALIZER = 5, 11, 12, 15
_TENSOR_NAME = 8
# SparseTensorProto field: values (a TensorProto that carries the initializer's name).
_SPARSE_VALUES = 1


class NotOnnx(ValueError):
    """The bytes are not a serialized ONNX ModelProto with a graph (the message says where it broke)."""


@dataclass(frozen=True)
class GraphArg:
    """One graph input or output as onnxruntime describes it: name, type string (``tensor(float)``)
    and shape (an int per fixed dimension, a str per symbolic one, None where unknown)."""

    name: str
    type: str
    shape: tuple[int | str | None, ...] | None


@dataclass(frozen=True)
class GraphInterface:
    """A model graph's inputs (without those an initializer feeds) and outputs, in declaration order."""

    inputs: tuple[GraphArg, ...]
    outputs: tuple[GraphArg, ...]


def scan_onnx_file(path: str | Path) -> GraphInterface:
    """The interface of the ONNX model stored at ``path``, read through a memory map; NotOnnx if the
    file is not one."""
    with open(path, "rb") as handle:
        try:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            raise NotOnnx("the file is empty") from None
    try:
        return scan_onnx(mapped)
    finally:
        try:
            mapped.close()
        except BufferError:  # a traceback still holds a view of the map; it is unmapped when that goes
            pass


def scan_onnx(data: bytes | memoryview | mmap.mmap) -> GraphInterface:
    """The interface of the serialized ONNX model ``data``; NotOnnx if it is not one."""
    view = memoryview(data)
    if view.ndim != 1 or view.itemsize != 1:
        view = view.cast("B")
    graphs: list[tuple[int, int]] = []
    for number, wire, start, end in _fields(view, 0, len(view), "model"):
        expected = _MODEL_WIRE_TYPES.get(number)
        if expected is not None and wire != expected:
            raise NotOnnx(f"model field {number} has wire type {wire}, expected {expected}")
        if number == _MODEL_GRAPH:
            graphs.append((start, end))
    if not graphs:
        raise NotOnnx("the model has no graph")
    inputs: list[bytes] = []
    outputs: list[bytes] = []
    initializers: set[str] = set()
    # A message field that occurs twice is merged by protobuf: repeated members concatenate.
    for graph_start, graph_end in graphs:
        for number, wire, start, end in _fields(view, graph_start, graph_end, "graph"):
            expected = _GRAPH_WIRE_TYPES.get(number)
            if expected is not None and wire != expected:
                raise NotOnnx(f"graph field {number} has wire type {wire}, expected {expected}")
            if number == _GRAPH_INPUT:
                inputs.append(bytes(view[start:end]))
            elif number == _GRAPH_OUTPUT:
                outputs.append(bytes(view[start:end]))
            elif number == _GRAPH_INITIALIZER:
                name = _tensor_name(view, start, end)
                if name:
                    initializers.add(name)
            elif number == _GRAPH_SPARSE_INITIALIZER:
                for part, part_wire, part_start, part_end in _fields(view, start, end, "sparse initializer"):
                    if part == _SPARSE_VALUES and part_wire == _LENGTH:
                        name = _tensor_name(view, part_start, part_end)
                        if name:
                            initializers.add(name)
    fed = tuple(arg for arg in (_graph_arg(raw, "input") for raw in inputs) if arg.name not in initializers)
    return GraphInterface(fed, tuple(_graph_arg(raw, "output") for raw in outputs))


def _varint(view: memoryview, position: int, end: int, where: str) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if position >= end:
            raise NotOnnx(f"truncated varint in the {where}")
        byte = view[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7
        if shift >= 70:
            raise NotOnnx(f"a varint of more than 10 bytes in the {where}")


def _fields(view: memoryview, position: int, end: int, where: str):
    """(field number, wire type, payload start, payload end) of each field in ``view[position:end]``."""
    while position < end:
        key, position = _varint(view, position, end, where)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise NotOnnx(f"field number 0 in the {where}")
        if wire == _VARINT:
            start = position
            _, position = _varint(view, position, end, where)
        elif wire == _LENGTH:
            length, start = _varint(view, position, end, where)
            position = start + length
        elif wire == _FIXED64:
            start, position = position, position + 8
        elif wire == _FIXED32:
            start, position = position, position + 4
        else:
            raise NotOnnx(f"field {number} of the {where} has wire type {wire}, which ONNX does not use")
        if position > end:
            raise NotOnnx(f"field {number} of the {where} runs past its end (truncated)")
        yield number, wire, start, position


def _tensor_name(view: memoryview, start: int, end: int) -> str:
    """An initializer's name; its data fields are stepped over by their lengths, never copied."""
    name = ""
    for number, wire, field_start, field_end in _fields(view, start, end, "initializer"):
        if number == _TENSOR_NAME:
            if wire != _LENGTH:
                raise NotOnnx(f"initializer field {number} has wire type {wire}, expected {_LENGTH}")
            name = _text(view[field_start:field_end], "initializer name")
    return name


def _text(raw: memoryview, what: str) -> str:
    try:
        return bytes(raw).decode()
    except UnicodeDecodeError:
        raise NotOnnx(f"the {what} is not UTF-8") from None


def _graph_arg(raw: bytes, kind: str) -> GraphArg:
    try:
        info = ValueInfoProto.FromString(raw)
    except DecodeError as error:
        raise NotOnnx(f"a graph {kind} is not a ValueInfoProto: {error}") from None
    if not info.name:
        raise NotOnnx(f"a graph {kind} has no name")
    type_proto = info.type
    if type_proto.WhichOneof("value") != "tensor_type":
        return GraphArg(info.name, _type_string(type_proto), None)
    tensor = type_proto.tensor_type
    shape: tuple[int | str | None, ...] | None = None
    if tensor.HasField("shape"):
        shape = tuple(_dimension(d) for d in tensor.shape.dim)
    return GraphArg(info.name, _type_string(type_proto), shape)


def _dimension(dim: object) -> int | str | None:
    which = dim.WhichOneof("value")  # type: ignore[attr-defined]
    if which == "dim_value":
        return int(dim.dim_value)  # type: ignore[attr-defined]
    if which == "dim_param":
        return str(dim.dim_param)  # type: ignore[attr-defined]
    return None


def _type_string(type_proto: object) -> str:
    """onnxruntime's spelling of a type: ``tensor(float)``, ``seq(map(int64,tensor(float)))``."""
    which = type_proto.WhichOneof("value")  # type: ignore[attr-defined]

    def element(number: int) -> str:
        try:
            return TensorProto.DataType.Name(number).lower()
        except ValueError:
            return f"unknown({number})"

    if which == "tensor_type":
        return f"tensor({element(type_proto.tensor_type.elem_type)})"  # type: ignore[attr-defined]
    if which == "sparse_tensor_type":
        return f"sparse_tensor({element(type_proto.sparse_tensor_type.elem_type)})"  # type: ignore[attr-defined]
    if which == "sequence_type":
        return f"seq({_type_string(type_proto.sequence_type.elem_type)})"  # type: ignore[attr-defined]
    if which == "map_type":
        value = type_proto.map_type  # type: ignore[attr-defined]
        return f"map({element(value.key_type)},{_type_string(value.value_type)})"
    if which == "optional_type":
        return f"optional({_type_string(type_proto.optional_type.elem_type)})"  # type: ignore[attr-defined]
    return "unknown"
