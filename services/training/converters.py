"""Conversions between the training contract's messages and the domain's Python values."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf import timestamp_pb2

from services.common.errors import InvalidArgument


def optional_time(message: object, field: str) -> datetime | None:
    """A Timestamp field as an aware datetime, or None when unset."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    value: timestamp_pb2.Timestamp = getattr(message, field)
    try:
        return value.ToDatetime(tzinfo=UTC)
    except ValueError as error:
        raise InvalidArgument(field, f"a valid timestamp ({error})") from None
