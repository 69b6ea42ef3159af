"""Waiting in tests for something a background thread or another process does."""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually(check: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Whether ``check`` holds within ``timeout`` seconds, polled every ``interval`` (and once more at the end)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()
