"""Shadow scoring: the same inputs scored by a second version off the request path.

The caller only enqueues; one background thread scores. When the queue is full the shadow work is
dropped and counted, so the shadow never slows or changes the caller's answer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from services.common.logging import get_logger
from services.serving import metrics


class ShadowScorer:
    """A bounded queue of shadow jobs and the thread that runs them."""

    def __init__(self, capacity: int = 256) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=capacity)
        self._thread = threading.Thread(target=self._run, name="serving-shadow", daemon=True)
        self._log = get_logger("shadow")
        self.scored = 0
        self.failed = 0
        self.dropped = 0
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> bool:
        """Enqueue ``job`` without blocking; False (and counted) when the queue is full."""
        try:
            self._queue.put_nowait(job)
            return True
        except queue.Full:
            self.dropped += 1
            metrics.SHADOW_DROPPED.inc()
            return False

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                job()
                self.scored += 1
            except Exception as error:  # noqa: BLE001 - a shadow failure never reaches a caller
                self.failed += 1
                self._log.warning("shadow scoring failed", error=str(error))

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until queued jobs ran (tests)."""
        done = threading.Event()
        try:
            self._queue.put(done.set, timeout=timeout)
        except queue.Full:
            return
        done.wait(timeout)

    def close(self) -> None:
        """Stop the thread after the queued jobs."""
        try:
            self._queue.put(None, timeout=1.0)
        except queue.Full:
            pass
