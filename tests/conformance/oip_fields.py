"""Field tables of a protobuf file, shared by the OIP contract test and its tritonclient subprocess.

This module must not import our generated ``inference`` stubs: the subprocess loads tritonclient's
copy of the same protocol, and the two cannot live in one descriptor pool.
"""

from __future__ import annotations

from google.protobuf import descriptor

_SCALARS = {
    descriptor.FieldDescriptor.TYPE_BOOL: "bool", descriptor.FieldDescriptor.TYPE_STRING: "string",
    descriptor.FieldDescriptor.TYPE_BYTES: "bytes", descriptor.FieldDescriptor.TYPE_INT32: "int32",
    descriptor.FieldDescriptor.TYPE_INT64: "int64", descriptor.FieldDescriptor.TYPE_UINT32: "uint32",
    descriptor.FieldDescriptor.TYPE_UINT64: "uint64", descriptor.FieldDescriptor.TYPE_FLOAT: "float",
    descriptor.FieldDescriptor.TYPE_DOUBLE: "double",
}


def _type_name(field: descriptor.FieldDescriptor) -> str:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        key, value = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        return f"map<{_type_name(key)},{_type_name(value)}>"
    if field.message_type is not None:
        name = field.message_type.full_name.removeprefix("inference.")
    elif field.enum_type is not None:
        name = field.enum_type.full_name.removeprefix("inference.")
    else:
        name = _SCALARS[field.type]
    repeated = field.is_repeated
    return f"repeated {name}" if repeated else name


def fields_of(file: descriptor.FileDescriptor) -> set[tuple[str, int, str]]:
    """(Message.field, number, type) for every field of every message in ``file``."""
    found = set()

    def visit(message: descriptor.Descriptor, prefix: str) -> None:
        if message.GetOptions().map_entry:
            return
        name = f"{prefix}{message.name}"
        for field in message.fields:
            found.add((f"{name}.{field.name}", field.number, _type_name(field)))
        for nested in message.nested_types:
            visit(nested, f"{name}.")

    for message in file.message_types_by_name.values():
        visit(message, "")
    return found
