"""Canary routing: deterministic, sticky per key, identical on every replica."""

from __future__ import annotations

import hashlib


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
