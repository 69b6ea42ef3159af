"""Micro-batching: concurrent requests to one session merged into one execution.

No extra thread: the first request to arrive becomes the batch's leader, waits up to
``max_queue_delay_us`` (or until ``max_batch_size`` rows are waiting), takes every waiting request,
runs them as one batch, hands each its own rows and wakes the followers. If the merged run fails,
each request is run on its own, so a bad request never fails the others of its batch.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from services.common.errors import SextantError, Unavailable
from services.serving.sessions import ModelSession

DEFAULT_MAX_BATCH_SIZE = 64
DEFAULT_MAX_QUEUE_DELAY_US = 500


@dataclass
class _Slot:
    feeds: dict[str, np.ndarray]
    rows: int
    done: threading.Event = field(default_factory=threading.Event)
    #: ``time.perf_counter()`` when the batch holding this request started executing.
    executed: float = 0.0
    results: list[np.ndarray] | None = None
    error: SextantError | None = None


class MicroBatcher:
    """Merges concurrent executions of one session."""

    def __init__(self, session: ModelSession, max_batch_size: int, max_queue_delay_us: int) -> None:
        self._session = session
        self._max_rows = max_batch_size or DEFAULT_MAX_BATCH_SIZE
        self._delay = (max_queue_delay_us or DEFAULT_MAX_QUEUE_DELAY_US) / 1_000_000
        self._lock = threading.Lock()
        self._pending: list[_Slot] = []
        self._pending_rows = 0
        self._full = threading.Event()
        self.batches = 0
        #: The (max_batch_size, max_queue_delay_us) the batcher was built for.
        self.config: tuple[int, int] = (max_batch_size, max_queue_delay_us)

    def run(self, names: list[str], feeds: dict[str, np.ndarray], rows: int) -> tuple[list[np.ndarray], float]:
        """The outputs ``names`` for this request's rows, computed in a shared batch, and the
        ``time.perf_counter()`` at which that batch started executing (the end of the queue wait)."""
        slot = _Slot(feeds, rows)
        with self._lock:
            self._pending.append(slot)
            self._pending_rows += rows
            leader = len(self._pending) == 1
            if self._pending_rows >= self._max_rows:
                self._full.set()
        if leader:
            self._full.wait(self._delay)
            with self._lock:
                batch, self._pending, self._pending_rows = self._pending, [], 0
                self._full.clear()
            self._execute(batch)
        elif not slot.done.wait(30):
            raise Unavailable("the micro-batch did not complete", reason="MICRO_BATCH_TIMEOUT")
        if slot.error is not None:
            raise slot.error
        index = {name: i for i, name in enumerate(self._session.output_names)}
        return [slot.results[index[name]] for name in names], slot.executed

    def _execute(self, batch: list[_Slot]) -> None:
        session = self._session
        executed = time.perf_counter()
        for s in batch:
            s.executed = executed
        try:
            if len(batch) == 1:
                merged = batch[0].feeds
            else:
                merged = {name: np.concatenate([s.feeds[name] for s in batch]) for name in batch[0].feeds}
            total = sum(s.rows for s in batch)
            outputs = session.run(session.output_names, merged, total)
            self.batches += 1
            offset = 0
            for s in batch:
                s.results = [o[offset:offset + s.rows] for o in outputs]
                offset += s.rows
        except Exception:  # noqa: BLE001 - any merged failure: score each request alone
            for s in batch:
                try:
                    s.results = session.run(session.output_names, s.feeds, s.rows)
                except SextantError as error:
                    s.error = error
        finally:
            for s in batch:
                s.done.set()
