"""Hypothesis strategies that build any protobuf request message from its descriptor.

Every field is either left unset or given a value chosen to hurt: scalar boundaries (0, -1, the
type's min and max, NaN, infinities), strings that are empty, huge (~1 MB), full of control and
non-Latin characters, or that try path traversal (more often in fields whose names end in
name/key/id/path/uri), bytes holding invalid UTF-8, enums with numbers the contract does not define,
repeated fields with many elements, and nested messages down to a bounded depth.
"""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf import descriptor as _descriptor
from google.protobuf import message_factory
from google.protobuf.message import Message
from hypothesis import strategies as st

F = _descriptor.FieldDescriptor

#: Below this depth nested messages are left unset, so recursive types (Struct, Value) terminate.
MAX_DEPTH = 4
#: Elements of a "many elements" repeated field (kept small enough that a message stays far below the
#: server's size limit even when several fields are long).
MANY = 600
HUGE_TEXT = "x" * (1 << 20)
HUGE_BYTES = b"\x00\xff" * (1 << 19)

TRAVERSAL = ("../../etc/passwd", "..", "../", "/etc/passwd", "a/../../b", "..\\..\\windows\\system32",
             "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "models/../../../root", "./.", "file:///etc/passwd",
             "s3://bucket/../../x", "name\x00.onnx")
ODD_TEXT = ("", " ", "\x00", "\t\n\r", "a" * 300, "é名前🙂", "\u202etxt.exe", "'; DROP TABLE models; --",
            "%s%n%x", "{{7*7}}", "NaN", "-1", "null", "*", "production", "v1", "1e309")
INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc", b"abc\xffdef",
                b"\xed\xa0\x80", b"")
_PATHLIKE_SUFFIXES = ("name", "key", "id", "path", "uri", "url", "ref", "alias", "token")

_INT_BOUNDS: dict[int, tuple[int, int]] = {
    F.TYPE_INT32: (-(2**31), 2**31 - 1), F.TYPE_SINT32: (-(2**31), 2**31 - 1), F.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    F.TYPE_INT64: (-(2**63), 2**63 - 1), F.TYPE_SINT64: (-(2**63), 2**63 - 1), F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    F.TYPE_UINT32: (0, 2**32 - 1), F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1), F.TYPE_FIXED64: (0, 2**64 - 1),
}


def _integers(kind: int) -> st.SearchStrategy[int]:
    low, high = _INT_BOUNDS[kind]
    edges = sorted({low, high, 0, 1, max(low, -1), 2, 1000, high // 2})
    return st.one_of(st.sampled_from([e for e in edges if low <= e <= high]), st.integers(low, high))


def _floats(width: int) -> st.SearchStrategy[float]:
    edges = [0.0, -0.0, 1.0, -1.0, float("nan"), float("inf"), float("-inf"), 1e-45 if width == 32 else 5e-324,
             3.4e38 if width == 32 else 1.7976931348623157e308]
    return st.one_of(st.sampled_from(edges), st.floats(width=width))


def _pathlike(field: F) -> bool:
    return field.name.lower().endswith(_PATHLIKE_SUFFIXES)


def _strings(field: F, small: bool) -> st.SearchStrategy[str]:
    choices: list[st.SearchStrategy[str]] = [st.text(max_size=12), st.sampled_from(ODD_TEXT)]
    if _pathlike(field):
        choices += [st.sampled_from(TRAVERSAL)] * 2
    else:
        choices.append(st.sampled_from(TRAVERSAL))
    if not small:
        choices.append(st.just(HUGE_TEXT))
    return st.one_of(*choices)


def _bytes(small: bool) -> st.SearchStrategy[bytes]:
    choices: list[st.SearchStrategy[bytes]] = [st.binary(max_size=32), st.sampled_from(INVALID_UTF8)]
    if not small:
        choices.append(st.just(HUGE_BYTES))
    return st.one_of(*choices)


def _enums(field: F) -> st.SearchStrategy[int]:
    known = [value.number for value in field.enum_type.values]
    return st.sampled_from(sorted({*known, max(known) + 1, 999, -1, 2**31 - 1}))


def _scalar(field: F, depth: int, small: bool) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in _INT_BOUNDS:
        return _integers(kind)
    if kind == F.TYPE_DOUBLE:
        return _floats(64)
    if kind == F.TYPE_FLOAT:
        return _floats(32)
    if kind == F.TYPE_BOOL:
        return st.booleans()
    if kind == F.TYPE_STRING:
        return _strings(field, small)
    if kind == F.TYPE_BYTES:
        return _bytes(small)
    if kind == F.TYPE_ENUM:
        return _enums(field)
    if kind == F.TYPE_MESSAGE:
        # Only the top two levels may carry huge values: deeper ones would multiply the message size.
        return message_strategy(field.message_type, depth + 1, small or depth >= 1)
    raise TypeError(f"unsupported field type {kind} of {field.full_name}")


def _is_map(field: F) -> bool:
    return field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _field_value(field: F, depth: int, small: bool) -> st.SearchStrategy[Any]:
    if _is_map(field):
        key_field = field.message_type.fields_by_name["key"]
        value_field = field.message_type.fields_by_name["value"]
        return st.dictionaries(_scalar(key_field, depth, True), _scalar(value_field, depth, small), max_size=3)
    if field.is_repeated:
        few = st.lists(_scalar(field, depth, small), max_size=3)
        if depth > 0:
            return few
        # At the top level also the same small element many times (nested, the copies would multiply).
        return st.one_of(few, _scalar(field, depth, True).map(lambda value: [value] * MANY))
    return _scalar(field, depth, small)


def _assign(message: Message, field: F, value: Any) -> None:
    if _is_map(field):
        target = getattr(message, field.name)
        value_is_message = field.message_type.fields_by_name["value"].type == F.TYPE_MESSAGE
        for key, item in value.items():
            if value_is_message:
                target[key].CopyFrom(item)
            else:
                target[key] = item
    elif field.is_repeated:
        getattr(message, field.name).extend(value)
    elif field.type == F.TYPE_MESSAGE:
        getattr(message, field.name).CopyFrom(value)
    else:
        setattr(message, field.name, value)


def _build(descriptor: _descriptor.Descriptor, values: dict[str, Any]) -> Message:
    message = message_factory.GetMessageClass(descriptor)()
    for name, value in values.items():
        if value is not None:
            _assign(message, descriptor.fields_by_name[name], value)
    return message


def _deferred_value(field: F, depth: int, small: bool) -> st.SearchStrategy[Any]:
    # Deferred so that recursive message types are built lazily, only as deep as MAX_DEPTH.
    return st.deferred(lambda: _field_value(field, depth, small))


@functools.cache
def message_strategy(descriptor: _descriptor.Descriptor, depth: int = 0, small: bool = False
                     ) -> st.SearchStrategy[Message]:
    """Messages of type ``descriptor`` with every field unset or set to an awkward value."""
    cls = message_factory.GetMessageClass(descriptor)
    if depth >= MAX_DEPTH:
        return st.just(cls())
    fields = {field.name: st.one_of(st.none(), _deferred_value(field, depth, small))
              for field in descriptor.fields}
    return st.fixed_dictionaries(fields).map(functools.partial(_build, descriptor))


def request_stream_strategy(descriptor: _descriptor.Descriptor) -> st.SearchStrategy[list[Message]]:
    """The messages of one client stream: one to three requests (the first is usually a header)."""
    return st.lists(message_strategy(descriptor), min_size=1, max_size=3)
