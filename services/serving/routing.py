"""Canary routing: deterministic, sticky per key, identical on every replica."""

from __future__ import annotations

import hashlib

import numpy as np

from services.common.errors import InvalidArgument
from sextant.type.v1 import tabular_pb2


def bucket(key: str) -> int:
    """The key's bucket 0..99: the first 8 bytes of SHA-256 of its text, big-endian, modulo 100."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % 100


def goes_to_canary(key: str, traffic_percent: int) -> bool:
    """Whether a request or row with ``key`` is routed to the canary."""
    if traffic_percent <= 0:
        return False
    if traffic_percent >= 100:
        return True
    return bucket(key) < traffic_percent


def _texts(column: tabular_pb2.Column) -> list[str]:
    """A key column's values rendered as text (integers in decimal, text as is, booleans `true`/`false`)."""
    kind = column.WhichOneof("values")
    if kind is None:
        return []
    values = getattr(column, kind)
    if kind == "timestamp_values":
        return [str(v) for v in values.unix_micros]
    if kind == "string_values":
        return list(values.values)
    if kind == "bytes_values":
        return [v.decode("utf-8", errors="replace") for v in values.values]
    if kind == "bool_values":
        return ["true" if v else "false" for v in values.values]
    return [str(v) for v in values.values]


def row_keys(keys: tabular_pb2.ColumnBatch, rows: int) -> list[str]:
    """Each row's entity key: its key columns' values in the order given, joined by U+001F."""
    columns = [_texts(column) for column in keys.columns]
    for column, texts in zip(keys.columns, columns, strict=True):
        if len(texts) != rows:
            raise InvalidArgument("entity_keys.keys", f"key column {column.name!r} has {len(texts)} values for "
                                                      f"{rows} rows")
    if len(columns) == 1:
        return columns[0]
    return ["\x1f".join(parts) for parts in zip(*columns, strict=True)]


def canary_rows(keys: tabular_pb2.ColumnBatch, rows: int, traffic_percent: int) -> np.ndarray:
    """A boolean mask of the rows whose entity key goes to the canary (sticky per key)."""
    if traffic_percent <= 0:
        return np.zeros(rows, dtype=bool)
    if traffic_percent >= 100:
        return np.ones(rows, dtype=bool)
    return np.fromiter((bucket(key) < traffic_percent for key in row_keys(keys, rows)), dtype=bool, count=rows)
