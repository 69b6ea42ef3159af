"""Conversions between the training contract's messages and the domain's Python values."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf import timestamp_pb2


def optional_time(message: object, field: str) -> datetime | None:
    """A Timestamp field as an aware datetime, or None when unset."""
    if not message.HasField(field):  # type: ignore[attr-defined]
        return None
    value: timestamp_pb2.Timestamp = getattr(message, field)
    return value.ToDatetime(tzinfo=UTC)
