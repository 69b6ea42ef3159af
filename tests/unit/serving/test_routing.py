"""Canary routing is deterministic, sticky and close to the configured share."""

from __future__ import annotations

import hashlib

from services.serving.routing import bucket, goes_to_canary


def test_bucket_follows_the_contract() -> None:
    key = "customer-42"
    expected = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % 100
    assert bucket(key) == expected


def test_split_ratio_and_edges() -> None:
    keys = [f"k{i}" for i in range(5000)]
    share = sum(goes_to_canary(k, 20) for k in keys) / len(keys)
    assert 0.17 < share < 0.23
    assert not any(goes_to_canary(k, 0) for k in keys[:100])
    assert all(goes_to_canary(k, 100) for k in keys[:100])
    assert [goes_to_canary(k, 20) for k in keys[:50]] == [goes_to_canary(k, 20) for k in keys[:50]]


def test_row_keys_join_columns_with_the_unit_separator_and_route_per_row() -> None:
    from services.serving.routing import canary_rows, row_keys
    from sextant.type.v1 import tabular_pb2

    batch = tabular_pb2.ColumnBatch(row_count=3, columns=[
        tabular_pb2.Column(name="region", string_values=tabular_pb2.StringArray(values=["eu", "us", "eu"])),
        tabular_pb2.Column(name="id", int64_values=tabular_pb2.Int64Array(values=[7, 8, 9]))])
    assert row_keys(batch, 3) == ["eu\x1f7", "us\x1f8", "eu\x1f9"]
    mask = canary_rows(batch, 3, 50)
    assert mask.tolist() == [goes_to_canary(k, 50) for k in ("eu\x1f7", "us\x1f8", "eu\x1f9")]
    assert not canary_rows(batch, 3, 0).any() and canary_rows(batch, 3, 100).all()
