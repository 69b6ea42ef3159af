"""Request ids serving mints for predictions whose caller gave none."""

from __future__ import annotations

import re
import time

from services.serving.predictor import new_request_id


def test_minted_ids_are_unique_hex_and_follow_time() -> None:
    before = time.time_ns() // 1_000_000
    first = [new_request_id() for _ in range(5000)]
    after = time.time_ns() // 1_000_000
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in first)
    assert len(set(first)) == len(first), "unique, also within one millisecond"
    assert all(before <= int(rid[:12], 16) <= after for rid in first), "the prefix is the minting millisecond"
    time.sleep(0.002)
    later = new_request_id()
    assert later > max(first), "an id minted later sorts after every earlier one"
    assert len({rid[12:] for rid in first}) == len(first), "the random part differs even within a millisecond"
