"""Calls to other Sextant services, with a short memory of outages.

Monitoring calls the registry, the feature store and the training service from ingest and alert
evaluation. When a peer was found unreachable, further calls fail fast for a few seconds instead of
each waiting for gRPC's retries, so an outage of a peer never slows ingest down.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from services.common.dependencies import Dependency
from services.common.errors import DeadlineExceeded, Unavailable


class GuardedPeer:
    """A :class:`Dependency` that fails fast for ``pause`` seconds after the peer was unreachable."""

    def __init__(self, dependency: Dependency, pause: float = 10.0) -> None:
        self.dependency = dependency
        self._pause = pause
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The peer's name."""
        return self.dependency.name

    def call(self, method: str, request: Any) -> Any:
        """Call a unary method; Unavailable at once while the peer is known to be down."""
        with self._lock:
            down = time.monotonic() < self._down_until
        if down:
            raise Unavailable(f"the {self.name} service at {self.dependency.address} is unavailable",
                              reason=f"{self.name.upper()}_UNAVAILABLE",
                              metadata={"dependency": self.name, "address": self.dependency.address})
        try:
            return self.dependency.call(method, request)
        except (Unavailable, DeadlineExceeded):
            with self._lock:
                self._down_until = time.monotonic() + self._pause
            raise

    def close(self) -> None:
        """Close the channel."""
        self.dependency.close()
