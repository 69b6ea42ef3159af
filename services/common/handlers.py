"""Registering a servicer from its service descriptor.

Every RPC in a contract gets a handler: the servicer's method when the servicer implements it, and
otherwise one that answers UNIMPLEMENTED with an ErrorInfo (reason ``NOT_IMPLEMENTED``, the method and
the issue that owns it), so clients can tell "not built yet" from a bug.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import grpc
from google.protobuf import descriptor as _descriptor
from google.protobuf import message_factory

from services.common.errors import Unimplemented


def _unimplemented(full_method: str, owner: str) -> Callable[..., Any]:
    def handler(_request: Any, _context: grpc.ServicerContext) -> Any:
        raise Unimplemented(f"{full_method} is not implemented yet (tracked in {owner})",
                            metadata={"method": full_method, "tracked_in": owner})

    return handler


def _unimplemented_stream(full_method: str, owner: str) -> Callable[..., Any]:
    def handler(_request: Any, _context: grpc.ServicerContext) -> Any:
        raise Unimplemented(f"{full_method} is not implemented yet (tracked in {owner})",
                            metadata={"method": full_method, "tracked_in": owner})
        yield  # pragma: no cover - makes this a generator like a real streaming handler

    return handler


class Encoded:
    """A response message already in its wire form, which any handler may return (or a stream yield)
    instead of the message: it is sent as is.

    For the bulk streams: building a message around a 1 MiB chunk and serializing it copies the
    chunk twice; joining the two-to-six bytes of tag and length with it copies it once (see
    :func:`bytes_field`). For responses assembled as bytes anyway (the feature store's one-entity
    lookup), it saves parsing them into a message that gRPC would serialize again. Interceptors that
    read response fields (the audit record's) must see messages: return Encoded only where none do."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def varint(number: int) -> bytes:
    """A non-negative integer as a protobuf varint (https://protobuf.dev/programming-guides/encoding/)."""
    if number < 0x80:
        return _ONE_BYTE[number]
    out = bytearray()
    while number > 0x7F:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


_ONE_BYTE = [bytes((n,)) for n in range(0x80)]


def bytes_field(number: int, data: bytes) -> Encoded:
    """The wire form of a message whose only set field is the bytes field ``number`` holding ``data``
    (a length-delimited record: tag, length, bytes)."""
    return Encoded(b"".join((varint(number << 3 | 2), varint(len(data)), data)))


def _serializer(response_cls: type) -> Callable[[Any], bytes]:
    serialize = response_cls.SerializeToString

    def to_wire(message: Any) -> bytes:
        return message.data if type(message) is Encoded else serialize(message)

    return to_wire


def implemented_methods(service: _descriptor.ServiceDescriptor, servicer: object | None) -> set[str]:
    """Names of the methods of ``service`` that ``servicer`` defines itself."""
    if servicer is None:
        return set()
    return {m.name for m in service.methods if callable(getattr(servicer, m.name, None))}


def service_handler(service: _descriptor.ServiceDescriptor, servicer: object | None,
                    owner: str, method_owners: Mapping[str, str] | None = None) -> grpc.GenericRpcHandler:
    """A generic handler for every method of ``service``; missing methods answer UNIMPLEMENTED.

    ``owner`` names the issue that owns the service's RPCs; ``method_owners`` overrides it for
    methods another issue owns (every service's ListAuditRecords belongs to the security issue).
    """
    method_owners = method_owners or {}
    implemented = implemented_methods(service, servicer)
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for method in service.methods:
        request_cls = message_factory.GetMessageClass(method.input_type)
        response_cls = message_factory.GetMessageClass(method.output_type)
        full = f"/{service.full_name}/{method.name}"
        streaming_out = method.server_streaming
        if method.name in implemented:
            behavior = getattr(servicer, method.name)
        elif streaming_out:
            behavior = _unimplemented_stream(full, method_owners.get(method.name, owner))
        else:
            behavior = _unimplemented(full, method_owners.get(method.name, owner))
        kwargs = {"request_deserializer": request_cls.FromString, "response_serializer": _serializer(response_cls)}
        if method.client_streaming and streaming_out:
            handlers[method.name] = grpc.stream_stream_rpc_method_handler(behavior, **kwargs)
        elif method.client_streaming:
            handlers[method.name] = grpc.stream_unary_rpc_method_handler(behavior, **kwargs)
        elif streaming_out:
            handlers[method.name] = grpc.unary_stream_rpc_method_handler(behavior, **kwargs)
        else:
            handlers[method.name] = grpc.unary_unary_rpc_method_handler(behavior, **kwargs)
    return grpc.method_handlers_generic_handler(service.full_name, handlers)


def register_service(server: grpc.Server, service: _descriptor.ServiceDescriptor,
                     servicer: object | None, owner: str, method_owners: Mapping[str, str] | None = None) -> str:
    """Add ``servicer`` for ``service`` to ``server``; returns the service's full name."""
    server.add_generic_rpc_handlers((service_handler(service, servicer, owner, method_owners),))
    return service.full_name
