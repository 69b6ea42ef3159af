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
